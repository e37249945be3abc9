import Foundation

/// The span a plan (计划总结, TSK-02) covers: a day, a week from Monday, or a calendar month. A plan
/// is keyed by the first date of its period, so any date inside it finds the same plan.
public enum PlanPeriod: String, Codable, CaseIterable, Sendable {
    case day, week, month

    public var labelKey: String { "planPeriod.\(rawValue)" }

    /// The first date of the period containing a valid "yyyy-MM-dd" date.
    public func start(of date: String) -> String? {
        guard CalendarDate.isValid(date) else { return nil }
        switch self {
        case .day: return date
        case .month: return String(date.prefix(8)) + "01"
        case .week: return CalendarDate.adding(-(Self.weekday(date) - 1), to: date)
        }
    }

    /// The last date of the period containing `date`.
    public func end(of date: String) -> String? {
        guard let first = start(of: date) else { return nil }
        switch self {
        case .day: return first
        case .week: return CalendarDate.adding(6, to: first)
        case .month: return CalendarDate.adding(-1, to: Self.nextMonth(first))
        }
    }

    /// The first date of the period `steps` periods after (or before) the one containing `date`.
    public func moving(_ steps: Int, from date: String) -> String? {
        guard var first = start(of: date) else { return nil }
        switch self {
        case .day: return CalendarDate.adding(steps, to: first)
        case .week: return CalendarDate.adding(7 * steps, to: first)
        case .month:
            for _ in 0..<abs(steps) { first = steps > 0 ? Self.nextMonth(first) : (start(of: CalendarDate.adding(-1, to: first) ?? first) ?? first) }
            return first
        }
    }

    /// ISO weekday, Monday 1 … Sunday 7 (Chinese calendars start the week on Monday).
    static func weekday(_ date: String) -> Int {
        let p = date.split(separator: "-").compactMap { Int($0) }
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        guard let d = c.date(from: DateComponents(year: p[0], month: p[1], day: p[2])),
              let monday = c.date(from: DateComponents(year: 2001, month: 1, day: 1)) else { return 1 }
        let days = Int((d.timeIntervalSince(monday) / 86400).rounded())
        return ((days % 7) + 7) % 7 + 1
    }

    private static func nextMonth(_ first: String) -> String {
        let p = first.split(separator: "-").compactMap { Int($0) }
        let (y, m) = p[1] == 12 ? (p[0] + 1, 1) : (p[0], p[1] + 1)
        return String(format: "%04d-%02d-01", y, m)
    }
}

/// How far a plan got: done items over all items, as a whole percentage (0 for an empty plan).
public func planCompletion(done: Int, total: Int) -> Int {
    total == 0 ? 0 : (done * 100) / total
}
