import Foundation

/// Where a lead (线索, LEA-01) stands. Converted is reached only through conversion, and a converted
/// lead is a record of history: it no longer changes.
public enum LeadStatus: String, Codable, CaseIterable, Sendable {
    case new, contacting, qualified, invalid, converted

    public var labelKey: String { "leadStatus.\(rawValue)" }
    /// The statuses a person may set by editing.
    public static let editable: [LeadStatus] = [.new, .contacting, .qualified, .invalid]
}

/// Assignment rules for new leads (线索分配): the first active rule whose conditions match decides,
/// and hands the lead to its people in turn (round robin). A lead no rule matches goes to the pool.
public enum LeadRouting {
    public struct Rule: Sendable, Equatable {
        public let id: String
        /// Only leads from this source (a dictionary value); nil matches any.
        public let source: String?
        /// Only leads in this region or one below it; nil matches any.
        public let regionID: String?
        /// The people who take turns, in order.
        public let users: [String]
        /// How many leads the rule has handed out so far: the next goes to `users[turn % users.count]`.
        public let turn: Int

        public init(id: String, source: String?, regionID: String?, users: [String], turn: Int) {
            self.id = id
            self.source = source
            self.regionID = regionID
            self.users = users
            self.turn = turn
        }
    }

    public struct Pick: Sendable, Equatable {
        public let ruleID: String
        public let userID: String
    }

    /// The rule and person for a lead. `regionPath` is the lead's region and every region above it.
    public static func pick(_ rules: [Rule], source: String?, regionPath: [String]) -> Pick? {
        for rule in rules where !rule.users.isEmpty {
            if let s = rule.source, s != source { continue }
            if let r = rule.regionID, !regionPath.contains(r) { continue }
            let i = ((rule.turn % rule.users.count) + rule.users.count) % rule.users.count
            return Pick(ruleID: rule.id, userID: rule.users[i])
        }
        return nil
    }
}

/// A fixed-window counter per key (a form and an IP address): at most `limit` events per `window`
/// seconds. Pure, so the web form's flood rule is tested without a clock; the caller keeps the state.
public struct RateWindow: Sendable {
    public let window: TimeInterval
    private var counts: [String: (start: TimeInterval, n: Int)] = [:]

    public init(window: TimeInterval) {
        self.window = window
    }

    /// Counts one event for `key` at `now` and says whether it is within `limit`.
    public mutating func allow(_ key: String, limit: Int, now: TimeInterval) -> Bool {
        if counts.count > 50_000 { counts = counts.filter { now - $0.value.start < window } }
        var entry = counts[key] ?? (now, 0)
        if now - entry.start >= window { entry = (now, 0) }
        entry.n += 1
        counts[key] = entry
        return entry.n <= limit
    }
}
