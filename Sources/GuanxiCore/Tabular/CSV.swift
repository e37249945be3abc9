import Foundation
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// CSV as Chinese Excel writes it: UTF-8 (with or without BOM) or GBK/GB18030, quoted fields, CRLF.
public enum CSV {
    /// Splits text into rows of fields (RFC 4180 quoting; lone CR, LF or CRLF end a row).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var chars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = chars.next()
        if pending == "\u{FEFF}" { pending = chars.next() }
        func endField() { row.append(field); field = "" }
        func endRow() { endField(); rows.append(row); row = [] }
        while let c = pending {
            pending = chars.next()
            if inQuotes {
                if c == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = chars.next() } else { inQuotes = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": endField()
            case "\r":
                endRow()
                if pending == "\n" { pending = chars.next() }
            case "\n": endRow()
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { endRow() }
        // Excel leaves trailing empty rows; they carry nothing.
        while let last = rows.last, last.allSatisfy({ $0.isEmpty }) { rows.removeLast() }
        return rows
    }

    public static func escape(_ field: String) -> String {
        // A leading =, +, - or @ would run as a formula in Excel.
        var f = field
        if let first = f.first, "=+-@".contains(first), Double(f) == nil { f = "'" + f }
        guard f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func line(_ fields: [String]) -> String { fields.map(escape).joined(separator: ",") + "\r\n" }
}

/// Turns uploaded bytes into text: UTF-8 when valid, else GB18030 (a superset of GBK).
public enum TextDecoding {
    public static let gb18030 = String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(CFStringEncoding(CFStringEncodings.GB_18030_2000.rawValue)))

    public static func decode(_ data: Data) -> String? {
        if let s = String(data: data, encoding: .utf8) { return s }
        return String(data: data, encoding: gb18030)
    }
}
