import Foundation

/// Money received and invoiced against receivables (回款 / 开票, FIN-02 / FIN-03), on integer fen.
public enum Collections {
    /// An instalment that can still take money: its id and what is still owed.
    public struct Open: Equatable, Sendable {
        public var id: UUID
        public var owed: Int64

        public init(id: UUID, owed: Int64) {
            self.id = id
            self.owed = owed
        }
    }

    public struct Allocation: Codable, Equatable, Sendable {
        public var receivableID: UUID
        public var amount: Int64

        public init(receivableID: UUID, amount: Int64) {
            self.receivableID = receivableID
            self.amount = amount
        }
    }

    /// Applies up to `amount` to the instalments in the order given (earliest due first): each is
    /// filled before the next; what is left over is not allocated (a prepayment).
    public static func allocate(_ amount: Int64, to open: [Open]) -> [Allocation] {
        var left = amount
        var out: [Allocation] = []
        for o in open where left > 0 && o.owed > 0 {
            let take = min(left, o.owed)
            out.append(Allocation(receivableID: o.id, amount: take))
            left -= take
        }
        return out
    }

    public enum AllocationProblem: Equatable, Sendable {
        case badAmount(Int)
        case unknown(Int)
        case duplicate(Int)
        case exceedsOwed(Int)
        /// The allocations add up to more than there is to spend.
        case exceedsAvailable(Int64)
    }

    /// What is wrong with allocations of `available` fen to the instalments `open`, if anything.
    public static func check(_ allocations: [Allocation], available: Int64, open: [Open]) -> AllocationProblem? {
        let owed = Dictionary(open.map { ($0.id, $0.owed) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<UUID>()
        var sum: Int64 = 0
        for (i, a) in allocations.enumerated() {
            if a.amount <= 0 { return .badAmount(i) }
            guard let o = owed[a.receivableID] else { return .unknown(i) }
            if !seen.insert(a.receivableID).inserted { return .duplicate(i) }
            if a.amount > o { return .exceedsOwed(i) }
            sum += a.amount
        }
        return sum > available ? .exceedsAvailable(sum) : nil
    }

    /// Takes `amount` from sources with what each still has, oldest first; nil when they do not hold enough.
    public static func draw(_ amount: Int64, from sources: [(id: UUID, available: Int64)]) -> [Allocation]? {
        let picks = allocate(amount, to: sources.map { Open(id: $0.id, owed: $0.available) })
        return picks.reduce(Int64(0)) { $0 + $1.amount } == amount ? picks : nil
    }

    /// Whether a taxpayer number (纳税人识别号) looks right: 15, 17, 18 or 20 digits and capital letters
    /// (the unified social credit code is the 18-character one).
    public static func isTaxNumber(_ s: String) -> Bool {
        [15, 17, 18, 20].contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isNumber || ($0.isLetter && $0.isUppercase)) }
    }

    /// 信用额度: whether a customer owing `open` may take on `adding` more under a limit (nil or 0: no limit).
    public static func withinCredit(limit: Int64?, open: Int64, adding: Int64) -> Bool {
        guard let limit, limit > 0 else { return true }
        return open + adding <= limit
    }
}
