import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Advanced filters on any declared field (CUS-13): conditions joined with AND or OR, carried in the
/// query string as ff[] (field), fo[] (operator), fv[] (value) and join, the same for pages and API.
struct FilterSet: Sendable, Equatable {
    enum Op: String, CaseIterable, Sendable { case eq, ne, contains, gte, lte, empty, notEmpty }

    struct Condition: Sendable, Equatable {
        var field: String
        var op: Op
        /// The value as typed (yuan for money, labels resolved by the caller for options).
        var value: String
    }

    var conditions: [Condition] = []
    var any = false

    var isEmpty: Bool { conditions.isEmpty }

    static func parse(fields: [String], ops: [String], values: [String], join: String?) throws -> FilterSet {
        var set = FilterSet(any: join == "or")
        for (i, f) in fields.enumerated() where !f.isEmpty {
            guard i < ops.count, let op = Op(rawValue: ops[i]) else { throw AppError.badRequest("error.badParameter") }
            // Vapor leaves repeated query values (fv[]) percent-encoded, unlike single ones.
            let raw = i < values.count ? values[i] : ""
            let decoded = raw.replacingOccurrences(of: "+", with: " ")
            set.conditions.append(Condition(field: f, op: op, value: decoded.removingPercentEncoding ?? decoded))
        }
        guard set.conditions.count <= 10 else { throw AppError.badRequest("error.badParameter") }
        return set
    }

    var queryItems: [(String, String?)] {
        conditions.flatMap { [("ff[]", $0.field), ("fo[]", $0.op.rawValue), ("fv[]", $0.value)] } + (any ? [("join", "or")] : [])
    }
}

extension EntityDefinition {
    /// Adds the filter to a query, refusing unknown or hidden fields and values of the wrong type.
    func apply<Model: FluentKit.Model>(_ filters: FilterSet, to query: QueryBuilder<Model>, actor: Actor) throws {
        guard !filters.isEmpty else { return }
        var prepared: [(DatabaseQuery.Field, DatabaseQuery.Filter.Method, DatabaseQuery.Value)] = []
        for c in filters.conditions {
            guard let f = fields.first(where: { $0.key == c.field }), rule(f, for: actor) != .hidden else { throw AppError.badRequest("error.badParameter") }
            if c.op == .contains, ![.text, .longText, .phone, .email, .url].contains(f.kind) { throw AppError.badRequest("error.badParameter") }
            let column = f.isCustom ? CustomColumn.field(f, schema: Model.schema, on: query.database)
                : DatabaseQuery.Field.path([FieldKey(stringLiteral: CaseConversion.snake(f.apiKey))], schema: Model.schema)
            if c.op == .empty || c.op == .notEmpty {
                prepared.append((column, c.op == .empty ? .equal : .notEqual, .null))
                continue
            }
            let parsed = FieldCodec.parse(f, form: c.value, decimals: actor.org.moneyDecimals)
            guard let v = parsed.value, parsed.error == nil || c.op == .contains else { throw AppError.badRequest("error.badParameter") }
            let value: DatabaseQuery.Value
            switch f.kind {
            case .money: value = .bind(Int64(v) ?? 0)
            case .number: value = .bind(Double(v) ?? 0)
            case .options:
                // One option per condition: "is" means the field includes it.
                guard c.op == .eq || c.op == .ne, !v.contains(",") else { throw AppError.badRequest("error.badParameter") }
                prepared.append((column, .contains(inverse: c.op == .ne, .anywhere), .bind(",\(v),")))
                continue
            case .bool where f.isCustom: value = .bind(v)
            case .bool: value = .bind(v == "true")
            case .user, .department, .region, .customer: value = f.isCustom ? .bind(v) : .bind(UUID(uuidString: v) ?? UUID())
            default: value = .bind(c.op == .contains ? c.value : v)
            }
            let method: DatabaseQuery.Filter.Method = switch c.op {
            case .eq: .equal
            case .ne: .notEqual
            case .gte: .greaterThanOrEqual
            case .lte: .lessThanOrEqual
            default: .contains(inverse: false, .anywhere)
            }
            prepared.append((column, method, value))
        }
        query.group(filters.any ? .or : .and) { g in
            for (column, method, value) in prepared { g.filter(column, method, value) }
        }
    }
}

/// A custom field's value inside the record's `custom` JSON column, as SQL both databases read.
/// Keys are checked when a field is defined (`cf_` + lower-case letters, digits, underscores), so
/// they can stand in the SQL text.
enum CustomColumn {
    static func field<M>(_ f: EntityField<M>, schema: String, on db: Database) -> DatabaseQuery.Field {
        let postgres = (db as? any SQLDatabase)?.dialect.name == "postgresql"
        let text = postgres ? "(\"\(schema)\".\"custom\"::jsonb ->> '\(f.key)')" : "json_extract(\"\(schema)\".\"custom\", '$.\(f.key)')"
        let sql: String
        switch f.kind {
        case .money: sql = postgres ? "(\(text))::bigint" : "CAST(\(text) AS INTEGER)"
        case .number: sql = postgres ? "(\(text))::double precision" : "CAST(\(text) AS REAL)"
        // Wrapped in commas so one option matches whole: ",a,b," LIKE "%,a,%".
        case .options: sql = "(',' || \(text) || ',')"
        default: sql = text
        }
        return .custom(SQLRaw(sql))
    }
}
