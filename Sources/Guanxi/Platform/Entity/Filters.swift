import Fluent
import Foundation
import GuanxiCore

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
        var prepared: [(DatabaseQuery.Field, FilterSet.Op, DatabaseQuery.Value?)] = []
        for c in filters.conditions {
            guard let f = fields.first(where: { $0.key == c.field }), rule(f, for: actor) != .hidden else { throw AppError.badRequest("error.badParameter") }
            let column = DatabaseQuery.Field.path([FieldKey(stringLiteral: CaseConversion.snake(f.apiKey))], schema: Model.schema)
            if c.op == .empty || c.op == .notEmpty {
                prepared.append((column, c.op, nil))
                continue
            }
            let parsed = FieldCodec.parse(f, form: c.value, decimals: actor.org.moneyDecimals)
            guard let v = parsed.value, parsed.error == nil || c.op == .contains else { throw AppError.badRequest("error.badParameter") }
            let value: DatabaseQuery.Value
            switch f.kind {
            case .money: value = .bind(Int64(v) ?? 0)
            case .bool: value = .bind(v == "true")
            case .user, .department, .region, .customer: value = .bind(UUID(uuidString: v) ?? UUID())
            default: value = .bind(c.op == .contains ? c.value : v)
            }
            if c.op == .contains, ![.text, .longText, .phone, .email, .url].contains(f.kind) { throw AppError.badRequest("error.badParameter") }
            prepared.append((column, c.op, value))
        }
        query.group(filters.any ? .or : .and) { g in
            for (column, op, value) in prepared {
                switch op {
                case .eq: g.filter(column, .equal, value!)
                case .ne: g.filter(column, .notEqual, value!)
                case .gte: g.filter(column, .greaterThanOrEqual, value!)
                case .lte: g.filter(column, .lessThanOrEqual, value!)
                case .contains: g.filter(column, .contains(inverse: false, .anywhere), value!)
                case .empty: g.filter(column, .equal, .null)
                case .notEmpty: g.filter(column, .notEqual, .null)
                }
            }
        }
    }
}
