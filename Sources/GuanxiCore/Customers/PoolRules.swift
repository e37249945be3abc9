import Foundation

/// How customers return to a public pool (回收机制), per pool, optionally per customer level.
public struct RecycleRule: Codable, Sendable, Equatable {
    /// Claimed but not contacted within N days.
    public var notContactedDays: Int?
    /// No follow-up for N days.
    public var noFollowUpDays: Int?
    /// No deal within N days of claiming.
    public var noDealDays: Int?
    /// Warn the owner this many days before the customer returns.
    public var warnDays: Int

    public init(notContactedDays: Int? = nil, noFollowUpDays: Int? = nil, noDealDays: Int? = nil, warnDays: Int = 3) {
        self.notContactedDays = notContactedDays
        self.noFollowUpDays = noFollowUpDays
        self.noDealDays = noDealDays
        self.warnDays = warnDays
    }
}

/// A pool's settings: how many customers one bulk claim may take, and its recycle rules.
public struct PoolSettings: Codable, Sendable, Equatable {
    public var bulkClaimLimit: Int
    public var recycle: RecycleRule
    /// Overrides by customer level (dictionary value).
    public var recycleByLevel: [String: RecycleRule]

    public init(bulkClaimLimit: Int = 10, recycle: RecycleRule = RecycleRule(), recycleByLevel: [String: RecycleRule] = [:]) {
        self.bulkClaimLimit = bulkClaimLimit
        self.recycle = recycle
        self.recycleByLevel = recycleByLevel
    }

    public func rule(forLevel level: String?) -> RecycleRule {
        level.flatMap { recycleByLevel[$0] } ?? recycle
    }
}

/// Customer protection (客户保护): how many customers a rep may own, in total and per level.
public struct ProtectionPolicy: Codable, Sendable, Equatable {
    public var maxCustomers: Int?
    public var maxByLevel: [String: Int]

    public init(maxCustomers: Int? = nil, maxByLevel: [String: Int] = [:]) {
        self.maxCustomers = maxCustomers
        self.maxByLevel = maxByLevel
    }

    /// Whether a rep who owns `owned` customers (`ownedAtLevel` of them at `level`) may take one more.
    public func allowsOneMore(owned: Int, level: String?, ownedAtLevel: Int) -> Bool {
        if let max = maxCustomers, owned >= max { return false }
        if let level, let max = maxByLevel[level], ownedAtLevel >= max { return false }
        return true
    }

    /// How many more customers the rep may take in total (nil: no limit).
    public func room(owned: Int) -> Int? {
        maxCustomers.map { Swift.max(0, $0 - owned) }
    }
}

/// When a claimed customer is due back in the pool under a rule, from the dates that matter.
public enum Recycling {
    public struct Facts: Sendable {
        public var claimedAt: Date?
        public var lastContactedAt: Date?
        public var lastDealAt: Date?
        public init(claimedAt: Date?, lastContactedAt: Date?, lastDealAt: Date?) {
            self.claimedAt = claimedAt
            self.lastContactedAt = lastContactedAt
            self.lastDealAt = lastDealAt
        }
    }

    /// The earliest moment any part of the rule sends the customer back; nil when none applies.
    public static func dueDate(_ rule: RecycleRule, _ f: Facts) -> Date? {
        let day: TimeInterval = 86_400
        var dates: [Date] = []
        if let n = rule.notContactedDays, let claimed = f.claimedAt, f.lastContactedAt.map({ $0 < claimed }) ?? true {
            dates.append(claimed.addingTimeInterval(Double(n) * day))
        }
        if let n = rule.noFollowUpDays, let base = [f.lastContactedAt, f.claimedAt].compactMap({ $0 }).max() {
            dates.append(base.addingTimeInterval(Double(n) * day))
        }
        if let n = rule.noDealDays, let claimed = f.claimedAt, f.lastDealAt.map({ $0 < claimed }) ?? true {
            dates.append(claimed.addingTimeInterval(Double(n) * day))
        }
        return dates.min()
    }

    public enum Verdict: Equatable, Sendable { case keep, warn(due: Date), recycle }

    public static func verdict(_ rule: RecycleRule, _ f: Facts, now: Date) -> Verdict {
        guard let due = dueDate(rule, f) else { return .keep }
        if due <= now { return .recycle }
        if due.timeIntervalSince(now) <= Double(rule.warnDays) * 86_400 { return .warn(due: due) }
        return .keep
    }
}
