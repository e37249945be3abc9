import Foundation

/// 或签 / 会签: a step passes when any one of its approvers approves, or only when all of them have.
public enum ApprovalMode: String, Codable, CaseIterable, Sendable {
    case anyOne, allOf
}

/// Who approves a step (PLT-15).
public enum ApproverRule: Codable, Equatable, Sendable {
    /// Named people.
    case users([String])
    /// The submitter's supervisor.
    case supervisor
    /// Everyone holding a role.
    case role(String)
    /// The supervisor of whoever approved the previous step (a chain upwards).
    case previousSupervisor

    private enum CodingKeys: String, CodingKey { case kind, users, role }

    /// {"kind":"users","users":[…]}, {"kind":"role","role":"…"}, {"kind":"supervisor"}, {"kind":"previousSupervisor"}.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "users": self = .users(try c.decode([String].self, forKey: .users))
        case "role": self = .role(try c.decode(String.self, forKey: .role))
        case "supervisor": self = .supervisor
        case "previousSupervisor": self = .previousSupervisor
        case let other: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown approver kind \(other)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .users(let ids): try c.encode(ids, forKey: .users)
        case .role(let r): try c.encode(r, forKey: .role)
        case .supervisor, .previousSupervisor: break
        }
    }

    public var kind: String {
        switch self {
        case .users: "users"
        case .supervisor: "supervisor"
        case .role: "role"
        case .previousSupervisor: "previousSupervisor"
        }
    }
}

public struct ApprovalStepDefinition: Codable, Equatable, Sendable {
    public var name: String
    public var approvers: ApproverRule
    public var mode: ApprovalMode
    /// The step applies only from this amount (fen) up; nil: always.
    public var minAmount: Int64?

    public init(name: String, approvers: ApproverRule, mode: ApprovalMode = .anyOne, minAmount: Int64? = nil) {
        self.name = name
        self.approvers = approvers
        self.mode = mode
        self.minAmount = minAmount
    }
}

/// Who reports to whom and who holds which role, as the engine needs to know it.
public struct ApprovalDirectory: Sendable {
    public var supervisorOf: [String: String]
    public var roleMembers: [String: [String]]

    public init(supervisorOf: [String: String] = [:], roleMembers: [String: [String]] = [:]) {
        self.supervisorOf = supervisorOf
        self.roleMembers = roleMembers
    }
}

public enum ApprovalStatus: String, Codable, CaseIterable, Sendable {
    case pending, approved, rejected, withdrawn

    public var labelKey: String { "approvalStatus.\(rawValue)" }
}

public struct ApprovalDecision: Codable, Equatable, Sendable {
    public enum Verdict: String, Codable, Sendable { case approve, reject }
    public let step: Int
    public let user: String
    public let verdict: Verdict
    public let comment: String?
}

/// A running approval: the steps that apply (approvers resolved when the step is reached), where it
/// stands, and every decision taken.
public struct ApprovalState: Codable, Equatable, Sendable {
    public struct Step: Codable, Equatable, Sendable {
        public let name: String
        public let mode: ApprovalMode
        public let rule: ApproverRule
        /// Resolved when the step becomes current; empty before.
        public var approvers: [String]
    }

    public internal(set) var status: ApprovalStatus
    public internal(set) var steps: [Step]
    public internal(set) var current: Int
    public internal(set) var decisions: [ApprovalDecision]
    public let submitter: String

    /// Who still has to act on the current step.
    public var waitingFor: [String] {
        guard status == .pending, current < steps.count else { return [] }
        let decided = Set(decisions.filter { $0.step == current }.map(\.user))
        return steps[current].approvers.filter { !decided.contains($0) }
    }
}

public enum ApprovalError: Error, Equatable, Sendable {
    /// A step found nobody to approve it (no supervisor, an empty role …).
    case noApprover(step: String)
    case notPending
    case notAnApprover
    case alreadyDecided
    case notSubmitter
    /// A reject needs a reason.
    case commentRequired
}

/// The approval state machine (审批流, PLT-15), pure: the flow and directory in, the next state out.
public enum ApprovalEngine {
    /// Starts a flow for a submission of `amount`; steps whose threshold the amount does not reach are
    /// left out, and a flow with no step left is approved at once.
    public static func start(_ flow: [ApprovalStepDefinition], submitter: String, amount: Int64, directory: ApprovalDirectory) throws -> ApprovalState {
        let steps = flow.filter { ($0.minAmount ?? 0) <= amount }.map { ApprovalState.Step(name: $0.name, mode: $0.mode, rule: $0.approvers, approvers: []) }
        var state = ApprovalState(status: .pending, steps: steps, current: 0, decisions: [], submitter: submitter)
        guard !steps.isEmpty else {
            state.status = .approved
            return state
        }
        try activate(&state, directory: directory)
        return state
    }

    /// One approver's decision on the current step.
    public static func act(_ state: ApprovalState, user: String, verdict: ApprovalDecision.Verdict, comment: String?,
                           directory: ApprovalDirectory) throws -> ApprovalState {
        guard state.status == .pending else { throw ApprovalError.notPending }
        let step = state.steps[state.current]
        guard step.approvers.contains(user) else { throw ApprovalError.notAnApprover }
        guard !state.decisions.contains(where: { $0.step == state.current && $0.user == user }) else { throw ApprovalError.alreadyDecided }
        let note = comment.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        if verdict == .reject, note == nil { throw ApprovalError.commentRequired }
        var next = state
        next.decisions.append(ApprovalDecision(step: state.current, user: user, verdict: verdict, comment: note))
        if verdict == .reject {
            next.status = .rejected
            return next
        }
        let approvedBy = Set(next.decisions.filter { $0.step == state.current && $0.verdict == .approve }.map(\.user))
        let passed = step.mode == .anyOne || Set(step.approvers).isSubset(of: approvedBy)
        guard passed else { return next }
        next.current += 1
        if next.current == next.steps.count {
            next.status = .approved
            return next
        }
        try activate(&next, directory: directory)
        return next
    }

    /// The submitter takes a pending submission back.
    public static func withdraw(_ state: ApprovalState, by user: String) throws -> ApprovalState {
        guard state.status == .pending else { throw ApprovalError.notPending }
        guard user == state.submitter else { throw ApprovalError.notSubmitter }
        var next = state
        next.status = .withdrawn
        return next
    }

    /// A rejected or withdrawn submission goes round again from the first step (the flow as it is now).
    public static func resubmit(_ state: ApprovalState, by user: String, flow: [ApprovalStepDefinition], amount: Int64,
                                directory: ApprovalDirectory) throws -> ApprovalState {
        guard state.status == .rejected || state.status == .withdrawn else { throw ApprovalError.notPending }
        guard user == state.submitter else { throw ApprovalError.notSubmitter }
        return try start(flow, submitter: user, amount: amount, directory: directory)
    }

    /// Resolves the current step's approvers. The submitter never approves their own submission.
    static func activate(_ state: inout ApprovalState, directory: ApprovalDirectory) throws {
        let step = state.steps[state.current]
        var people: [String]
        switch step.rule {
        case .users(let ids): people = ids
        case .supervisor: people = directory.supervisorOf[state.submitter].map { [$0] } ?? []
        case .role(let role): people = directory.roleMembers[role] ?? []
        case .previousSupervisor:
            let previous = state.decisions.last { $0.step == state.current - 1 && $0.verdict == .approve }?.user ?? state.submitter
            people = directory.supervisorOf[previous].map { [$0] } ?? []
        }
        var seen = Set<String>()
        people = people.filter { $0 != state.submitter && seen.insert($0).inserted }
        guard !people.isEmpty else { throw ApprovalError.noApprover(step: step.name) }
        state.steps[state.current].approvers = people
    }
}
