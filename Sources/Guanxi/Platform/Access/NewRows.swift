import FluentKit
import Foundation
import SQLKit

/// New models as one INSERT, with the columns and values Fluent's `create` writes, for a caller that
/// runs its statements itself (`SQLiteWrites.run`). Ids are made here when missing; timestamps are the
/// caller's to set (Fluent's own setter is internal).
struct NewRows<M: Model> where M.IDValue == UUID {
    let statement: any SQLExpression
    private let models: [M]
    private let rows: [[FieldKey: DatabaseQuery.Value]]

    init(_ models: [M]) throws {
        var columns: [FieldKey] = []
        var rows: [[FieldKey: DatabaseQuery.Value]] = []
        for model in models {
            if model.id == nil { model.id = UUID() }
            let input = Collected()
            model.input(to: input)
            for (key, _) in input.values where !columns.contains(key) { columns.append(key) }
            rows.append(Dictionary(input.values, uniquingKeysWith: { _, last in last }))
        }
        var insert = SQLInsert(table: SQLIdentifier(M.schema))
        insert.columns = columns.map { SQLIdentifier($0.description) }
        insert.values = try rows.map { row in try columns.map { try Self.expression(row[$0] ?? .null) } }
        statement = insert
        self.models = models
        self.rows = rows
    }

    /// After the statement ran: the models are saved, as Fluent marks them, with nothing changed since.
    func markSaved() throws {
        for (model, row) in zip(models, rows) { try model.output(from: Saved(values: row)) }
    }

    private static func expression(_ value: DatabaseQuery.Value) throws -> any SQLExpression {
        switch value {
        case .bind(let v): SQLBind(v)
        case .enumCase(let name): SQLBind(name)
        case .null, .default: SQLLiteral.null
        default: throw NewRowsUnsupported(value: "\(value)")
        }
    }

    private struct NewRowsUnsupported: Error { let value: String }

    private final class Collected: DatabaseInput {
        var values: [(FieldKey, DatabaseQuery.Value)] = []
        func set(_ value: DatabaseQuery.Value, at key: FieldKey) { values.append((key, value)) }
    }

    /// A saved row read back from what was written.
    private struct Saved: DatabaseOutput {
        let values: [FieldKey: DatabaseQuery.Value]
        var description: String { "\(values)" }
        func schema(_ schema: String) -> any DatabaseOutput { self }
        func contains(_ key: FieldKey) -> Bool { values[key] != nil }
        func decodeNil(_ key: FieldKey) throws -> Bool {
            switch values[key] {
            case .none, .null, .default: true
            default: false
            }
        }
        func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
            switch values[key] {
            case .bind(let v as T): return v
            case .enumCase(let name as T): return name
            default: throw DecodingError.valueNotFound(T.self, .init(codingPath: [], debugDescription: "\(key) was not written"))
            }
        }
    }
}
