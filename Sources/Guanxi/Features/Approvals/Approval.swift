import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// What can be sent for approval. Contracts, claims, refunds and invoices join as they are built.
enum ApprovalDocument: String, CaseIterable, Sendable {
    /// A quote priced below the floor, under the "approve" floor policy.
    case quote
    /// A contract or sales order, before it becomes active.
    case contract
    /// A refund of a prepayment or against a contract.
    case refund
    /// An invoice, before it is issued.
    case invoice

    var labelKey: String { "approvalDocument.\(rawValue)" }
}

/// An organisation's approval flow for one kind of document: its ordered steps.
final class ApprovalFlow: Model, @unchecked Sendable {
    static let schema = "approval_flows"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "document_type") var documentType: String
    @Field(key: "steps") var steps: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $documentType, $steps, $updatedAt] }

    var definition: [ApprovalStepDefinition] { (try? JSONDecoder().decode([ApprovalStepDefinition].self, from: Data(steps.utf8))) ?? [] }
}

extension ApprovalFlow: OrgScoped {}

/// One submission of a document for approval, with the engine's state and its history.
final class ApprovalRequest: Model, @unchecked Sendable {
    static let schema = "approval_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "document_type") var documentType: String
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "title") var title: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "submitter_id") var submitterID: UUID
    @Field(key: "status") var status: String
    @Field(key: "state") var stateJSON: String
    /// Counts the changes (submission, each decision, withdrawal, resubmission).
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $documentType, $recordID, $title, $amount, $submitterID, $status, $stateJSON, $version, $createdAt,
         $updatedAt]
    }

    var state: ApprovalState? { try? JSONDecoder().decode(ApprovalState.self, from: Data(stateJSON.utf8)) }
    var approvalStatus: ApprovalStatus { ApprovalStatus(rawValue: status) ?? .pending }
}

extension ApprovalRequest: OrgScoped {}

/// Who has to act on a pending request now ("waiting for me"), rewritten at every step.
final class ApprovalTask: Model, @unchecked Sendable {
    static let schema = "approval_tasks"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "request_id") var requestID: UUID
    @Field(key: "user_id") var userID: UUID
    /// The hash of the token in the approver's email link, and when the link stops working.
    @OptionalField(key: "token_hash") var tokenHash: String?
    @OptionalField(key: "token_expires_at") var tokenExpiresAt: Date?

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $requestID, $userID, $tokenHash, $tokenExpiresAt] }

    init(orgID: UUID, requestID: UUID, userID: UUID) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.requestID = requestID
        self.userID = userID
    }
}

extension ApprovalTask: OrgScoped {}

/// Submitting documents, acting on them, and the flows behind them.
struct ApprovalService {
    let db: Database
    let actor: Actor
    let now: Date

    // MARK: flows

    func flow(_ doc: ApprovalDocument) async throws -> [ApprovalStepDefinition] {
        try await actor.inOrg(ApprovalFlow.self, on: db).filter(\.$documentType == doc.rawValue).firstRow()?.definition ?? []
    }

    /// Replaces a document type's steps (administrators). Named people and roles must exist.
    func saveFlow(_ doc: ApprovalDocument, _ steps: [ApprovalStepDefinition]) async throws {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        if steps.count > 10 { errors.add("steps", "error.tooMany") }
        for (i, s) in steps.enumerated() {
            if Check.clean(s.name) == nil || s.name.count > 30 { errors.add("steps.\(i).name", "error.required") }
            if let m = s.minAmount, m < 0 { errors.add("steps.\(i).minAmount", "error.money") }
            switch s.approvers {
            case .users(let ids):
                let uuids = ids.compactMap(UUID.init(uuidString:))
                let found = uuids.isEmpty ? 0 : try await actor.inOrg(User.self, on: db).filter(\.$id ~~ uuids).filter(\.$status == .active).countRows()
                if ids.isEmpty || uuids.count != ids.count || found != Set(uuids).count { errors.add("steps.\(i).approvers", "error.unknownUser") }
            case .role(let id):
                if try await UUID(uuidString: id).asyncMap({ rid in try await actor.inOrg(Role.self, on: db).filter(\.$id == rid).firstRow() }) == nil {
                    errors.add("steps.\(i).approvers", "error.invalidOption")
                }
            case .supervisor, .previousSupervisor: break
            }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let json = String(decoding: try JSONEncoder().encode(steps), as: UTF8.self)
        try await db.writeTransaction { [actor, now] tx in
            let existing = try await actor.inOrg(ApprovalFlow.self, on: tx).filter(\.$documentType == doc.rawValue).firstRow()
            let flow = existing ?? ApprovalFlow()
            let before = existing?.steps ?? ""
            if existing == nil { flow.id = UUID.v7(); flow.orgID = actor.orgID; flow.documentType = doc.rawValue }
            flow.steps = json
            flow.updatedAt = now
            try await flow.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("approvalFlow", flow.id!, .update, field: doc.rawValue, old: before, new: json)
        }
    }

    /// Supervisors and role members of the organisation, as the engine sees them.
    private func directory(on db: Database) async throws -> ApprovalDirectory {
        let users = try await actor.inOrg(User.self, on: db).filter(\.$status == .active).limit(10_000).rows()
        var dir = ApprovalDirectory()
        let active = Set(users.map { $0.id! })
        for u in users { if let s = u.supervisorID, active.contains(s) { dir.supervisorOf[u.id!.uuidString] = s.uuidString } }
        for link in try await actor.inOrg(UserRole.self, on: db).limit(50_000).rows() where active.contains(link.userID) {
            dir.roleMembers[link.roleID.uuidString, default: []].append(link.userID.uuidString)
        }
        return dir
    }

    // MARK: requests

    func latest(_ doc: ApprovalDocument, recordID: UUID) async throws -> ApprovalRequest? {
        try await actor.inOrg(ApprovalRequest.self, on: db).filter(\.$documentType == doc.rawValue).filter(\.$recordID == recordID)
            .sort(\.$createdAt, .descending).firstRow()
    }

    /// Whether the newest submission of the record has been approved.
    func isApproved(_ doc: ApprovalDocument, recordID: UUID) async throws -> Bool {
        try await latest(doc, recordID: recordID)?.approvalStatus == .approved
    }

    /// Submits a document the caller has already checked the actor may change.
    /// `mustApprove`: when no step of the flow applies, the submitter's supervisor decides instead of
    /// the document passing at once (a contract over the credit limit).
    func submit(_ doc: ApprovalDocument, recordID: UUID, title: String, amount: Int64, link: String, mustApprove: Bool = false) async throws -> ApprovalRequest {
        if let last = try await latest(doc, recordID: recordID), [.pending, .approved].contains(last.approvalStatus) {
            throw AppError.conflict(last.approvalStatus == .pending ? "error.approvalPending" : "error.approvalDone")
        }
        let configured = try await flow(doc)
        let steps = mustApprove && !configured.contains(where: { ($0.minAmount ?? 0) <= amount })
            ? [ApprovalStepDefinition(name: actor.t("approval.supervisorStep"), approvers: .supervisor)] : configured
        return try await db.writeTransaction { [actor, now] tx in
            let dir = try await directory(on: tx)
            let state = try await Self.engine { try ApprovalEngine.start(steps, submitter: actor.userID.uuidString, amount: amount, directory: dir) }
            let r = ApprovalRequest()
            r.id = UUID.v7(at: now)
            r.orgID = actor.orgID
            r.documentType = doc.rawValue
            r.recordID = recordID
            r.title = title
            r.amount = amount
            r.submitterID = actor.userID
            r.version = 0
            r.createdAt = now
            try write(r, state)
            try await r.create(on: tx)
            try await tasks(r, state, after: nil, link: link, on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(doc.rawValue, recordID, .approve, field: "approval", new: state.status.rawValue)
            return r
        }
    }

    func get(_ id: UUID?) async throws -> ApprovalRequest {
        guard let id, let r = try await actor.inOrg(ApprovalRequest.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        // The submitter, anyone named on a step, and administrators see it.
        let involved = r.submitterID == actor.userID || (r.state?.steps.contains { $0.approvers.contains(actor.userID.uuidString) } ?? false)
        guard involved || actor.isAdmin else { throw AppError.notFound }
        return r
    }

    enum Action: String, Sendable { case approve, reject, withdraw, resubmit }

    /// Approve, reject, withdraw or resubmit. The request is read again inside the transaction (its row
    /// locked on PostgreSQL; SQLite lets one writer in at a time), so two approvers acting at once
    /// each act on the state the other left.
    func act(_ id: UUID?, _ action: Action, comment: String?, link: String) async throws -> ApprovalRequest {
        let seen = try await get(id)
        let steps = action == .resubmit ? try await flow(ApprovalDocument(rawValue: seen.documentType) ?? .quote) : []
        return try await db.writeTransaction { [actor, now] tx in
            if !tx.isSQLite, let sql = tx as? any SQLDatabase {
                try await sql.raw("SELECT id FROM approval_requests WHERE id = \(bind: seen.id!) FOR UPDATE").run()
            }
            guard let r = try await actor.inOrg(ApprovalRequest.self, on: tx).filter(\.$id == seen.id!).firstRow(), let state = r.state else {
                throw AppError.conflict("error.approvalState")
            }
            let dir = try await directory(on: tx)
            let next = try await Self.engine {
                switch action {
                case .approve: try ApprovalEngine.act(state, user: actor.userID.uuidString, verdict: .approve, comment: comment, directory: dir)
                case .reject: try ApprovalEngine.act(state, user: actor.userID.uuidString, verdict: .reject, comment: comment, directory: dir)
                case .withdraw: try ApprovalEngine.withdraw(state, by: actor.userID.uuidString)
                case .resubmit: try ApprovalEngine.resubmit(state, by: actor.userID.uuidString, flow: steps, amount: r.amount, directory: dir)
                }
            }
            try write(r, next)
            try await r.save(on: tx)
            try await tasks(r, next, after: state, link: link, on: tx)
            try await ApprovalHooks.settled(r, next.status, actor: actor, now: now, on: tx)
            let note = comment.flatMap { Check.clean($0) }.map { " · \($0)" } ?? ""
            try await Audit(actor: actor, db: tx, now: now).event(r.documentType, r.recordID, .approve, field: "approval",
                                                                   old: state.status.rawValue, new: "\(action.rawValue) → \(next.status.rawValue)\(note)")
            return r
        }
    }

    /// Requests waiting for the actor, oldest first.
    func inbox() async throws -> [ApprovalRequest] {
        let ids = try await actor.inOrg(ApprovalTask.self, on: db).filter(\.$userID == actor.userID).limit(500).rows().map(\.requestID)
        guard !ids.isEmpty else { return [] }
        return try await actor.inOrg(ApprovalRequest.self, on: db).filter(\.$id ~~ ids).filter(\.$status == ApprovalStatus.pending.rawValue)
            .sort(\.$createdAt).rows()
    }

    func submitted() async throws -> [ApprovalRequest] {
        try await actor.inOrg(ApprovalRequest.self, on: db).filter(\.$submitterID == actor.userID).sort(\.$createdAt, .descending).limit(100).rows()
    }

    private func write(_ r: ApprovalRequest, _ state: ApprovalState) throws {
        r.stateJSON = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        r.status = state.status.rawValue
        r.version += 1
        r.updatedAt = now
    }

    /// Rewrites who is waiting and tells the newcomers; tells the submitter how it ended. Those still
    /// waiting on the same step keep their task, the link already mailed to them and their one notification.
    private func tasks(_ r: ApprovalRequest, _ state: ApprovalState, after previous: ApprovalState?, link: String, on db: Database) async throws {
        let waiting = state.waitingFor.compactMap(UUID.init(uuidString:))
        let before = previous.flatMap { $0.status == .pending && $0.current == state.current ? $0.waitingFor : nil } ?? []
        let kept = Set(waiting).intersection(before.compactMap(UUID.init(uuidString:)))
        let stale = actor.inOrg(ApprovalTask.self, on: db).filter(\.$requestID == r.id!)
        if !kept.isEmpty { stale.filter(\.$userID !~ Array(kept)) }
        try await stale.delete()
        for u in waiting where !kept.contains(u) {
            // The email copy links to a page that decides without signing in (ApprovalMailPages).
            let token = Tokens.random()
            let task = ApprovalTask(orgID: actor.orgID, requestID: r.id!, userID: u)
            task.tokenHash = Tokens.hash(token)
            task.tokenExpiresAt = now.addingTimeInterval(ApprovalMailPages.lifetime)
            try await task.create(on: db)
            let note = UserNotification(orgID: actor.orgID, userID: u, kind: "approvalWaiting", messageKey: "notify.approvalWaiting",
                                        args: [actor.name, r.title], link: Paths.approval(r.id!),
                                        dedupeKey: "approval:\(r.id!.uuidString):\(r.version):\(u.uuidString)", at: now)
            note.mailLink = ApprovalMailPages.path(task.id!, token: token)
            try await Notifier.send(note, on: db)
        }
        if state.status != .pending, r.submitterID != actor.userID {
            try await Notifier.send(UserNotification(orgID: actor.orgID, userID: r.submitterID, kind: "approvalDone", messageKey: "notify.approvalDone",
                                                     args: [r.title, actor.t(state.status.labelKey)], link: link, dedupeKey: nil, at: now), on: db)
        }
    }

    /// Runs the engine, turning its refusals into answers people understand.
    static func engine(_ body: () async throws -> ApprovalState) async throws -> ApprovalState {
        do {
            return try await body()
        } catch let e as ApprovalError {
            switch e {
            case .noApprover: throw AppError.conflict("error.noApprover")
            case .commentRequired:
                var f = FieldErrors()
                f.add("comment", "error.commentRequired")
                throw AppError.invalid(f)
            case .notAnApprover, .notSubmitter: throw AppError.forbidden
            case .notPending, .alreadyDecided: throw AppError.conflict("error.approvalDecided")
            }
        }
    }
}
