import Foundation

/// Field errors collected while checking input: field key -> translation key of the message.
public struct FieldErrors: Sendable, Equatable {
    public private(set) var messages: [String: String] = [:]
    public init() {}

    public var isEmpty: Bool { messages.isEmpty }
    public subscript(field: String) -> String? { messages[field] }

    public mutating func add(_ field: String, _ messageKey: String) {
        if messages[field] == nil { messages[field] = messageKey }
    }
}

/// Small pure checks shared by every form and API body.
public enum Check {
    /// Trims and collapses empty strings to nil.
    public static func clean(_ value: String?) -> String? {
        guard let trimmed = value.map(trim), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// Without leading and trailing white space and line breaks (`.whitespacesAndNewlines`); text that
    /// has none is returned as it is.
    public static func trim(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return value }
        guard first.properties.isWhitespace || last.properties.isWhitespace else { return value }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }

    private static let phoneCharacters = Set("0123456789+- ()")

    public static func required(_ value: String?, _ field: String, max: Int, into errors: inout FieldErrors) -> String {
        guard let v = clean(value) else {
            errors.add(field, "error.required")
            return ""
        }
        if v.count > max { errors.add(field, "error.tooLong") }
        return v
    }

    public static func optional(_ value: String?, _ field: String, max: Int, into errors: inout FieldErrors) -> String? {
        guard let v = clean(value) else { return nil }
        if v.count > max { errors.add(field, "error.tooLong") }
        return v
    }

    /// Phone numbers as people type them: digits with optional +, spaces, dashes and brackets.
    public static func phone(_ value: String?, _ field: String, into errors: inout FieldErrors) -> String? {
        guard let v = clean(value) else { return nil }
        let digits = v.filter(\.isNumber)
        if !v.allSatisfy({ phoneCharacters.contains($0) }) || digits.count < 3 || v.count > 32 {
            errors.add(field, "error.phone")
        }
        return v
    }

    public static func email(_ value: String?, _ field: String, into errors: inout FieldErrors) -> String? {
        guard let v = clean(value) else { return nil }
        let parts = v.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || v.count > 254 || v.contains(" ") {
            errors.add(field, "error.email")
        }
        return v
    }

    /// Account names: 3–64 letters, digits, dot, dash, underscore or @.
    public static func account(_ value: String?, _ field: String, into errors: inout FieldErrors) -> String {
        let v = required(value, field, max: 64, into: &errors).lowercased()
        guard !v.isEmpty else { return v }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
        if v.count < 3 || !v.allSatisfy({ allowed.contains($0) }) { errors.add(field, "error.account") }
        return v
    }

    /// Passwords: at least 8 characters with a letter and a digit.
    public static func password(_ value: String?, _ field: String, into errors: inout FieldErrors) -> String {
        let v = value ?? ""
        if v.count < 8 || !v.contains(where: \.isLetter) || !v.contains(where: \.isNumber) || v.count > 128 {
            errors.add(field, "error.password")
        }
        return v
    }

    /// Digits only, for phone search keys.
    public static func digits(_ value: String) -> String { value.filter(\.isASCII).filter(\.isNumber) }
}
