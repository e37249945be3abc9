import Foundation

/// Receivables arithmetic (应收, CTR-04 / FIN-01), on integer fen and calendar dates (yyyy-MM-dd).
public enum Receivables {
    public struct Instalment: Codable, Equatable, Sendable {
        public var dueOn: String
        public var amount: Int64

        public init(dueOn: String, amount: Int64) {
            self.dueOn = dueOn
            self.amount = amount
        }
    }

    /// `count` instalments a month apart from `firstDue`, the total split evenly with the remainder
    /// fen on the first ones, so they always add up to the total.
    public static func split(_ total: Int64, count: Int, firstDue: String) -> [Instalment] {
        guard count >= 1, total >= 0 else { return [] }
        let (q, r) = total.quotientAndRemainder(dividingBy: Int64(count))
        return (0..<count).map { i in
            Instalment(dueOn: CalendarDate.addingMonths(i, to: firstDue) ?? firstDue, amount: q + (Int64(i) < r ? 1 : 0))
        }
    }

    public enum PlanProblem: Equatable, Sendable {
        case empty
        case tooMany
        case badDate(Int)
        case badAmount(Int)
        /// The instalments add up to this, not the contract's total.
        case sumMismatch(Int64)
    }

    /// What is wrong with a plan for a contract of `total`, if anything.
    public static func check(_ plan: [Instalment], total: Int64, maxCount: Int = 120) -> PlanProblem? {
        if plan.isEmpty { return .empty }
        if plan.count > maxCount { return .tooMany }
        for (i, p) in plan.enumerated() {
            if !CalendarDate.isValid(p.dueOn) { return .badDate(i) }
            if p.amount <= 0 { return .badAmount(i) }
        }
        let sum = plan.reduce(Int64(0)) { $0 + $1.amount }
        return sum == total ? nil : .sumMismatch(sum)
    }

    public enum Status: String, Codable, CaseIterable, Sendable {
        case pending, partlyPaid, paid, overdue, void

        public var labelKey: String { "receivableStatus.\(rawValue)" }
    }

    /// An instalment's status on `today` from what has been received against it.
    public static func status(amount: Int64, received: Int64, dueOn: String, today: String, void: Bool = false) -> Status {
        if void { return .void }
        if received >= amount { return .paid }
        if dueOn < today { return .overdue }
        return received > 0 ? .partlyPaid : .pending
    }

    /// 账龄: how late an unpaid instalment is, in the usual buckets.
    public enum AgeBucket: String, CaseIterable, Sendable {
        case notDue, days1to30, days31to60, days61to90, over90

        public var labelKey: String { "aging.\(rawValue)" }
    }

    public static func bucket(dueOn: String, today: String) -> AgeBucket {
        guard let late = CalendarDate.days(from: dueOn, to: today), late > 0 else { return .notDue }
        switch late {
        case 1...30: return .days1to30
        case 31...60: return .days31to60
        case 61...90: return .days61to90
        default: return .over90
        }
    }
}
