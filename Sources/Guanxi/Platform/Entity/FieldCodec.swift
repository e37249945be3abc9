import Foundation
import GuanxiCore
import Vapor

/// Any JSON value in a request body, so bodies can be read field by field from the declaration.
enum JSONInput: Decodable, Sendable, Equatable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONInput]), object([String: JSONInput])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONInput].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONInput].self)) }
    }

    var object: [String: JSONInput]? { if case .object(let o) = self { return o } else { return nil } }
}

/// Names behind ids and option values, loaded once per page.
struct Lookups: Sendable {
    var dictionary: [String: [String: DictionaryOption]] = [:]
    var users: [UUID: String] = [:]
    var departments: [UUID: String] = [:]
    var regions: [UUID: String] = [:]
    var customers: [UUID: String] = [:]
}

/// Converts field values between canonical text, what people type, what they see and the API's JSON.
enum FieldCodec {

    /// Reads a form input into canonical text; empty input is nil. Returns a translation key on error.
    static func parse<M>(_ field: EntityField<M>, form raw: String?, decimals: Int) -> (value: String?, error: String?) {
        guard let text = Check.clean(raw) else { return (nil, field.required ? "error.required" : nil) }
        if text.count > field.maxLength { return (text, "error.tooLong") }
        switch field.kind {
        case .text, .longText:
            return (text, nil)
        case .phone:
            var e = FieldErrors()
            let v = Check.phone(text, field.key, into: &e)
            return (v, e[field.key])
        case .email:
            var e = FieldErrors()
            let v = Check.email(text, field.key, into: &e)
            return (v, e[field.key])
        case .url:
            let ok = (text.hasPrefix("http://") || text.hasPrefix("https://")) ? URL(string: text) != nil : URL(string: "https://" + text) != nil
            return (text, ok && !text.contains(" ") ? nil : "error.url")
        case .option, .choice:
            return (text, nil)
        case .options:
            let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return values.isEmpty ? (nil, field.required ? "error.required" : nil) : (Array(Set(values)).sorted().joined(separator: ","), nil)
        case .number:
            let plain = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "，", with: "")
            return (plain, Self.isNumber(plain) ? nil : "error.number")
        case .date:
            return (text, CalendarDate.isValid(text) ? nil : "error.date")
        case .money:
            guard let fen = Money.parse(text, decimals: decimals) else { return (text, "error.money") }
            return (String(fen), nil)
        case .bool:
            return (["1", "true", "on", "yes", "y", "是"].contains(text.lowercased()) ? "true" : "false", nil)
        case .user, .department, .region, .customer:
            return UUID(uuidString: text) != nil ? (text.uppercased(), nil) : (text, "error.invalidOption")
        }
    }

    /// Reads a JSON body member into canonical text. Money arrives as integer fen.
    static func parse<M>(_ field: EntityField<M>, json: JSONInput, decimals: Int) -> (value: String?, error: String?) {
        switch (field.kind, json) {
        case (_, .null):
            return (nil, field.required ? "error.required" : nil)
        case (.money, .int(let fen)):
            return fen >= 0 && fen < 9_000_000_000_000_000 ? (String(fen), nil) : (nil, "error.money")
        case (.money, _):
            return (nil, "error.money")
        case (.bool, .bool(let b)):
            return (b ? "true" : "false", nil)
        case (.bool, _):
            return (nil, "error.badValue")
        case (.number, .int(let i)):
            return (String(i), nil)
        case (.options, .array(let items)):
            var values: [String] = []
            for item in items {
                guard case .string(let v) = item, !v.isEmpty, !v.contains(",") else { return (nil, "error.badValue") }
                values.append(v)
            }
            return parse(field, form: values.joined(separator: ","), decimals: decimals)
        case (.options, _):
            return (nil, "error.badValue")
        case (_, .string(let s)):
            if field.kind == .money || field.kind == .bool { return (nil, "error.badValue") }
            if s.isEmpty { return (nil, field.required ? "error.required" : nil) }
            return parse(field, form: s, decimals: decimals)
        default:
            return (nil, "error.badValue")
        }
    }

    /// What an input shows for a canonical value.
    static func formText<M>(_ field: EntityField<M>, _ value: String?, decimals: Int) -> String {
        guard let value else { return "" }
        if field.kind == .money, let fen = Int64(value) { return Money.plain(fen, decimals: decimals) }
        return value
    }

    static func json<M>(_ field: EntityField<M>, _ value: String?) -> JSONValue? {
        guard let value, !value.isEmpty else { return nil }
        switch field.kind {
        case .money: return Int(value).map { .int($0) }
        case .bool: return .bool(value == "true")
        case .options: return .array(value.split(separator: ",").map { .string(String($0)) })
        default: return .string(value)
        }
    }

    /// A plain decimal: optional minus, up to 15 digits, up to 6 decimals.
    static func isNumber(_ text: String) -> Bool {
        text.range(of: #"^-?[0-9]{1,15}(\.[0-9]{1,6})?$"#, options: .regularExpression) != nil
    }

    /// What a person sees for a canonical value.
    static func display<M>(_ field: EntityField<M>, _ value: String?, lookups: Lookups, t: Translator, decimals: Int) -> String {
        guard let value, !value.isEmpty else { return "" }
        switch field.kind {
        case .option(let kind):
            return lookups.dictionary[kind.rawValue]?[value]?.label(t.locale) ?? value
        case .options(let kind):
            return value.split(separator: ",").map { lookups.dictionary[kind.rawValue]?[String($0)]?.label(t.locale) ?? String($0) }.joined(separator: "、")
        case .choice(_, let prefix):
            return t("\(prefix).\(value)")
        case .money:
            return Int64(value).map { t.locale.money($0, decimals: decimals) } ?? value
        case .bool:
            return t(value == "true" ? "common.yes" : "common.no")
        case .user:
            return UUID(uuidString: value).flatMap { lookups.users[$0] } ?? value
        case .department:
            return UUID(uuidString: value).flatMap { lookups.departments[$0] } ?? value
        case .region:
            return UUID(uuidString: value).flatMap { lookups.regions[$0] } ?? value
        case .customer:
            return UUID(uuidString: value).flatMap { lookups.customers[$0] } ?? value
        default:
            return value
        }
    }

    /// The field's JSON schema for the OpenAPI document.
    static func schema<M>(_ field: EntityField<M>) -> JSONValue {
        switch field.kind {
        case .money: return ["type": "integer", "minimum": 0, "description": "minor units (fen)"]
        case .bool: return ["type": "boolean"]
        case .date: return ["type": "string", "format": "date"]
        case .user, .department, .region, .customer: return ["type": "string", "format": "uuid"]
        case .choice(let values, _): return ["type": "string", "enum": .array(values.map { .string($0) })]
        case .option(let kind): return ["type": "string", "maxLength": .int(field.maxLength), "description": .string("a value of the \(kind.rawValue) dictionary")]
        case .options(let kind): return ["type": "array", "items": ["type": "string"], "description": .string("values of the \(kind.rawValue) dictionary")]
        case .number: return ["type": "string", "pattern": #"^-?[0-9]{1,15}(\.[0-9]{1,6})?$"#]
        default: return ["type": "string", "maxLength": .int(field.maxLength)]
        }
    }
}
