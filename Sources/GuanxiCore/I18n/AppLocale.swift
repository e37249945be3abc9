import Foundation

/// The interface languages (PLT-21). Simplified Chinese first.
public enum AppLocale: String, Codable, CaseIterable, Sendable {
    case zhHans = "zh-Hans"
    case en = "en"

    /// Picks the first supported language from an Accept-Language header; Chinese when none matches.
    public static func from(acceptLanguage header: String?) -> AppLocale {
        guard let header else { return .zhHans }
        let tags = header.split(separator: ",").map { part -> (String, Double) in
            let pieces = part.split(separator: ";")
            let tag = pieces.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let q = pieces.dropFirst().first.flatMap { p -> Double? in
                let kv = p.trimmingCharacters(in: .whitespaces)
                return kv.hasPrefix("q=") ? Double(kv.dropFirst(2)) : nil
            } ?? 1
            return (tag, q)
        }.sorted { $0.1 > $1.1 }
        for (tag, _) in tags {
            if tag.hasPrefix("zh") { return .zhHans }
            if tag.hasPrefix("en") { return .en }
        }
        return .zhHans
    }

    public var htmlLang: String { self == .zhHans ? "zh-CN" : "en" }

    /// Formats an integer count of fen as money, e.g. 1234567 -> "12,345.67".
    public func money(_ minorUnits: Int64, decimals: Int = 2) -> String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        let whole = magnitude / divisor
        let frac = magnitude % divisor
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits = String(digits.dropLast(3))
        }
        grouped = digits + grouped
        let fraction = decimals > 0 ? "." + String(repeating: "0", count: decimals - String(frac).count) + String(frac) : ""
        return (negative ? "-" : "") + grouped + fraction
    }

    /// Date and time in the organisation's time zone, in the style each language expects.
    public func dateTime(_ date: Date, timeZone: TimeZone) -> String {
        DateTimeFormats.formatter(self, timeZone).string(from: date)
    }
}

/// One formatter per language and time zone: making a DateFormatter costs more than using it.
enum DateTimeFormats {
    nonisolated(unsafe) private static var made: [String: DateFormatter] = [:]
    private static let lock = NSLock()

    static func formatter(_ locale: AppLocale, _ timeZone: TimeZone) -> DateFormatter {
        let key = "\(locale.rawValue) \(timeZone.identifier)"
        return lock.withLock {
            if let f = made[key] { return f }
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = timeZone
            f.dateFormat = locale == .zhHans ? "yyyy-MM-dd HH:mm" : "d MMM yyyy HH:mm"
            made[key] = f
            return f
        }
    }
}

/// Looks up interface text. Every visible string has a key in `Strings.table`.
public struct Translator: Sendable {
    public let locale: AppLocale
    public init(_ locale: AppLocale) { self.locale = locale }

    public func callAsFunction(_ key: String) -> String {
        guard let entry = Strings.table[key] else { return key }
        return locale == .zhHans ? entry.zh : entry.en
    }

    /// Fills `{0}`, `{1}` … placeholders.
    public func callAsFunction(_ key: String, _ args: String...) -> String {
        let text = self(key)
        // One pass: an argument is never read for placeholders (Foundation's `replacingOccurrences` per
        // argument also cost a view of the timeline a fifth of its rendering).
        var out = ""
        var rest = Substring(text)
        while let open = rest.utf8.firstIndex(of: UInt8(ascii: "{")) {
            out += rest[..<open]
            let after = rest[rest.utf8.index(after: open)...]
            if let close = after.utf8.firstIndex(of: UInt8(ascii: "}")), let n = Int(after[..<close]), args.indices.contains(n) {
                out += args[n]
                rest = after[after.utf8.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        out += rest
        return out
    }
}

public struct Phrase: Sendable {
    public let zh: String
    public let en: String
    public init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }
}
