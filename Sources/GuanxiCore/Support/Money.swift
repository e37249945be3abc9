import Foundation

/// Money is an integer count of the currency's minor unit (fen); these read what people type.
public enum Money {
    /// "12,345.67" -> 1234567 with 2 decimals. Rejects more decimals than the currency has, signs,
    /// exponents and amounts beyond ±9e15 fen.
    public static func parse(_ text: String, decimals: Int = 2) -> Int64? {
        let s = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "，", with: "")
            .trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty, s.count <= 20 else { return nil }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber) else { return nil }
        let frac = parts.count == 2 ? String(parts[1]) : ""
        guard frac.count <= decimals, frac.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !frac.isEmpty else { return nil }
        guard let w = Int64(whole), w < 9_000_000_000_000 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let f = Int64(frac + String(repeating: "0", count: decimals - frac.count)) ?? 0
        return w * scale + f
    }

    /// 1234567 -> "12345.67": the plain form shown in inputs.
    public static func plain(_ minor: Int64, decimals: Int = 2) -> String {
        guard decimals > 0 else { return String(minor) }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        let frac = String(m % UInt64(scale))
        return sign + String(m / UInt64(scale)) + "." + String(repeating: "0", count: decimals - frac.count) + frac
    }
}

/// Calendar dates (due dates, birthdays) are dates, not instants: "yyyy-MM-dd".
public enum CalendarDate {
    public static func isValid(_ s: String) -> Bool {
        let parts = s.split(separator: "-")
        guard s.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1900...2200).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }

    private static func gregorian(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    /// The calendar date of an instant in a time zone ("today" is the organisation's, not the server's).
    public static func of(_ instant: Date, in zone: TimeZone) -> String {
        let c = gregorian(zone).dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }

    /// The date `days` later (or earlier) than a valid date.
    public static func adding(_ days: Int, to date: String) -> String? {
        guard isValid(date) else { return nil }
        let utc = TimeZone(identifier: "UTC")!
        let p = date.split(separator: "-").compactMap { Int($0) }
        guard let start = gregorian(utc).date(from: DateComponents(year: p[0], month: p[1], day: p[2])),
              let moved = gregorian(utc).date(byAdding: .day, value: days, to: start) else { return nil }
        return of(moved, in: utc)
    }

    /// The same day `months` later; the 31st becomes the month's last day where it has none.
    public static func addingMonths(_ months: Int, to date: String) -> String? {
        guard isValid(date) else { return nil }
        let utc = TimeZone(identifier: "UTC")!
        let p = date.split(separator: "-").compactMap { Int($0) }
        guard let start = gregorian(utc).date(from: DateComponents(year: p[0], month: p[1], day: p[2])),
              let moved = gregorian(utc).date(byAdding: .month, value: months, to: start) else { return nil }
        return of(moved, in: utc)
    }

    /// Days from one valid date to another (negative when `to` comes first).
    public static func days(from: String, to: String) -> Int? {
        guard isValid(from), isValid(to) else { return nil }
        let utc = TimeZone(identifier: "UTC")!
        func date(_ s: String) -> Date? {
            let p = s.split(separator: "-").compactMap { Int($0) }
            return gregorian(utc).date(from: DateComponents(year: p[0], month: p[1], day: p[2]))
        }
        guard let a = date(from), let b = date(to) else { return nil }
        return gregorian(utc).dateComponents([.day], from: a, to: b).day
    }
}

/// Birthdays come back every year on their month and day (CON-03).
public enum Birthdays {
    /// The "MM-dd" keys from `today` to `daysAhead` days later, each with its date this time round.
    /// In a year without 29 February, those born on it celebrate on the 28th.
    public static func upcoming(today: String, daysAhead: Int) -> [(monthDay: String, date: String)] {
        var out: [(String, String)] = []
        for i in 0...max(0, daysAhead) {
            guard let d = CalendarDate.adding(i, to: today) else { continue }
            let md = String(d.suffix(5))
            out.append((md, d))
            if md == "02-28", !CalendarDate.isValid("\(d.prefix(4))-02-29") { out.append(("02-29", d)) }
        }
        return out
    }
}

/// Moments people type: a datetime-local value ("2026-11-23T09:30") in the organisation's time zone,
/// or an ISO 8601 instant with its own offset ("2026-11-23T01:30:00Z").
public enum LocalTime {
    public static func parse(_ text: String, in zone: TimeZone) -> Date? {
        let iso = ISO8601.formatter
        if let d = iso.date(from: text) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            f.dateFormat = format
            if let d = f.date(from: text) { return d }
        }
        return nil
    }

    /// The datetime-local form of an instant in a time zone.
    public static func format(_ date: Date, in zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return f.string(from: date)
    }
}

/// The days a calendar page shows (ACT-04): weeks start on Monday, as in China.
public enum CalendarGrid {
    public enum View: String, CaseIterable, Sendable { case day, week, month }

    /// 1 = Monday … 7 = Sunday.
    public static func weekday(_ date: String) -> Int? {
        guard CalendarDate.isValid(date) else { return nil }
        let p = date.split(separator: "-").compactMap { Int($0) }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let d = cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2])) else { return nil }
        let w = cal.component(.weekday, from: d)   // 1 = Sunday
        return w == 1 ? 7 : w - 1
    }

    /// The dates shown for a view around a date: one day, Monday to Sunday, or six whole weeks covering the month.
    public static func days(_ view: View, around date: String) -> [String] {
        guard let wd = weekday(date) else { return [] }
        switch view {
        case .day:
            return [date]
        case .week:
            return (0..<7).compactMap { CalendarDate.adding($0 - (wd - 1), to: date) }
        case .month:
            let first = String(date.prefix(8)) + "01"
            guard let fwd = weekday(first), let start = CalendarDate.adding(-(fwd - 1), to: first) else { return [] }
            return (0..<42).compactMap { CalendarDate.adding($0, to: start) }
        }
    }

    /// The date the previous or next page of a view starts from.
    public static func shift(_ date: String, _ view: View, by step: Int) -> String {
        switch view {
        case .day: return CalendarDate.adding(step, to: date) ?? date
        case .week: return CalendarDate.adding(7 * step, to: date) ?? date
        case .month:
            let p = date.split(separator: "-").compactMap { Int($0) }
            guard p.count == 3 else { return date }
            var month = p[1] + step, year = p[0]
            while month < 1 { month += 12; year -= 1 }
            while month > 12 { month -= 12; year += 1 }
            return String(format: "%04d-%02d-01", year, month)
        }
    }
}

extension Money {
    /// 大写金额 as printed on contracts and invoices: 12345.67 yuan -> 壹万贰仟叁佰肆拾伍元陆角柒分, 100 -> 壹佰元整.
    public static func chineseUpper(_ fen: Int64) -> String {
        guard fen >= 0 else { return "负" + chineseUpper(0 - fen) }
        let digits = Array("零壹贰叁肆伍陆柒捌玖").map(String.init)
        let units = ["", "拾", "佰", "仟"], groups = ["", "万", "亿", "万亿", "亿亿"]
        let powers = [1, 10, 100, 1000]
        let yuan = fen / 100, jiao = Int(fen / 10 % 10), cents = Int(fen % 10)
        var parts: [Int] = []
        var y = yuan
        while y > 0 { parts.append(Int(y % 10_000)); y /= 10_000 }
        var s = "", gap = false
        for gi in stride(from: parts.count - 1, through: 0, by: -1) {
            let g = parts[gi]
            if g == 0 { gap = !s.isEmpty; continue }
            if !s.isEmpty, g < 1000 || gap { s += "零" }
            var started = false, pendingZero = false
            for pos in stride(from: 3, through: 0, by: -1) {
                let d = g / powers[pos] % 10
                if d == 0 { if started { pendingZero = true }; continue }
                if pendingZero { s += "零"; pendingZero = false }
                s += digits[d] + units[pos]
                started = true
            }
            s += groups[min(gi, groups.count - 1)]
            gap = false
        }
        if jiao == 0, cents == 0 { return (s.isEmpty ? "零" : s) + "元整" }
        var out = s.isEmpty ? "" : s + "元"
        if jiao > 0 { out += digits[jiao] + "角" } else if !s.isEmpty { out += "零" }
        out += cents > 0 ? digits[cents] + "分" : "整"
        return out
    }
}

/// Instants as ISO 8601 text ("2026-11-23T01:30:00Z"). One shared formatter: it is thread-safe and
/// costs more to make than to use.
public enum ISO8601 {
    nonisolated(unsafe) public static let formatter = ISO8601DateFormatter()

    /// The formatter's text for an instant (UTC, whole seconds), written without it: the formatter goes
    /// through ICU, and the API writes two instants per customer of a list and one per follow-up.
    public static func string(_ date: Date) -> String {
        // As the formatter counts: to the nearest millisecond, then the whole seconds.
        let seconds = ((date.timeIntervalSince1970 * 1_000).rounded() / 1_000).rounded(.down)
        // Years 1900…9999; before, the formatter's calendar reaches back into the Julian one.
        guard seconds >= -2_208_988_800, seconds < 253_402_300_800 else { return formatter.string(from: date) }
        let whole = Int64(seconds)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let time = whole - days * 86_400
        // The civil date of a day count (Howard Hinnant's `civil_from_days`).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(unsafeUninitializedCapacity: 20) { out in
            func put(_ value: Int64, _ width: Int, at start: Int) {
                var v = value
                for i in stride(from: start + width - 1, through: start, by: -1) { out[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
            }
            put(year, 4, at: 0); out[4] = UInt8(ascii: "-"); put(month, 2, at: 5); out[7] = UInt8(ascii: "-"); put(day, 2, at: 8)
            out[10] = UInt8(ascii: "T"); put(time / 3_600, 2, at: 11); out[13] = UInt8(ascii: ":"); put(time % 3_600 / 60, 2, at: 14)
            out[16] = UInt8(ascii: ":"); put(time % 60, 2, at: 17); out[19] = UInt8(ascii: "Z")
            return 20
        }
    }
}
