import Foundation

/// A document numbering rule (单据编码): prefix + date part + zero-padded sequence, e.g. KH20261123-0007.
public struct NumberFormat: Codable, Sendable, Equatable {
    public enum DatePart: String, Codable, CaseIterable, Sendable {
        case none, yyyy, yyyyMM, yyyyMMdd
    }

    public enum Reset: String, Codable, CaseIterable, Sendable {
        case never, yearly, monthly, daily
    }

    public var prefix: String
    public var datePart: DatePart
    public var width: Int
    public var reset: Reset
    public var separator: String

    public init(prefix: String, datePart: DatePart = .yyyyMMdd, width: Int = 4, reset: Reset = .daily, separator: String = "") {
        self.prefix = prefix
        self.datePart = datePart
        self.width = width
        self.reset = reset
        self.separator = separator
    }

    private static func stamp(_ pattern: String, _ date: Date, _ tz: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let c = cal.dateComponents([.year, .month, .day], from: date)
        let y = String(format: "%04d", c.year ?? 0), m = String(format: "%02d", c.month ?? 0), d = String(format: "%02d", c.day ?? 0)
        switch pattern {
        case "yyyy": return y
        case "yyyyMM": return y + m
        case "yyyyMMdd": return y + m + d
        default: return ""
        }
    }

    /// Which counter a number draws from: one per period of the reset rule.
    public func period(at date: Date, timeZone: TimeZone) -> String {
        switch reset {
        case .never: "all"
        case .yearly: Self.stamp("yyyy", date, timeZone)
        case .monthly: Self.stamp("yyyyMM", date, timeZone)
        case .daily: Self.stamp("yyyyMMdd", date, timeZone)
        }
    }

    public func format(_ sequence: Int, at date: Date, timeZone: TimeZone) -> String {
        let datePart = self.datePart == .none ? "" : Self.stamp(self.datePart.rawValue, date, timeZone)
        let seq = String(sequence)
        let padded = String(repeating: "0", count: max(0, width - seq.count)) + seq
        return prefix + datePart + (datePart.isEmpty ? "" : separator) + padded
    }

    /// Rule checks for the admin form: field -> translation key.
    public func validate() -> FieldErrors {
        var e = FieldErrors()
        if prefix.count > 10 || prefix.contains(where: { $0.isWhitespace }) { e.add("prefix", "error.prefix") }
        if !(1...10).contains(width) { e.add("width", "error.width") }
        if separator.count > 1 || (separator.first.map { !"-_/.".contains($0) } ?? false) { e.add("separator", "error.separator") }
        return e
    }
}
