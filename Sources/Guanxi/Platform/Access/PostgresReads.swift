import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// Reads on PostgreSQL through statements prepared once per connection. Each unnamed statement was
/// parsed and planned anew: planning was 44% of PostgreSQL's CPU on a 360 view, running the
/// statements 4%. PostgresNIO keeps named statements per connection and prepares one on its first use;
/// its API names a statement by a type, so `Kept` reads the name and text of the statement at hand from
/// a task-local value.
enum PostgresReads {
    /// One read's rows and their column names (in the rows' order).
    struct Rows: Sendable {
        let names: [String]
        let rows: [PostgresRow]
    }

    /// The rows of `sql` with `binds`, or nil where the statement is not kept (a bind PostgresNIO cannot
    /// encode itself, too many binds, or more distinct statements than are kept): the caller reads it as before.
    static func query(_ db: any Database, _ sql: String, _ binds: [any Encodable & Sendable]) async throws -> Rows? {
        guard let pg = db as? any PostgresDatabase, binds.count <= maxBinds else { return nil }
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [UInt32] = []
        types.reserveCapacity(binds.count)
        for value in binds {
            // An optional's `nil`, enums and JSON take PostgresKit's encoder.
            guard let value = value as? any PostgresThrowingDynamicTypeEncodable else { return nil }
            try bindings.append(value)
            types.append(value.psqlType.rawValue)
        }
        guard let name = name(of: Key(sql: sql, types: types)) else { return nil }
        db.logger.debug("Executing query", metadata: ["sql": .string(sql), "binds": .array(binds.map { .string("\($0)") })])
        let text = Kept.Text(name: name, sql: sql)
        let statement = Kept(bindings: bindings)
        let rows = try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await Kept.$text.withValue(text) {
                    var rows: [PostgresRow] = []
                    for try await row in try await connection.execute(statement, logger: db.logger) { rows.append(row) }
                    return rows
                }
            }
        }.get()
        return Rows(names: rows.first.map { $0.map(\.columnName) } ?? [], rows: rows)
    }

    /// Statements with more binds are mostly lists (`IN (…)`) of varying length: one kept per length is
    /// waste. A scope repeats the user and the department tree per table, so a statement over several
    /// scoped tables has many: a customer's money with the customer itself, 36 for a manager of three departments.
    static let maxBinds = 64
    /// Every connection may come to hold each kept statement; beyond this many, new ones run unnamed.
    static let capacity = 1_000

    private struct Key: Hashable {
        let sql: String
        let types: [UInt32]
    }

    private static let names = NIOLockedValueBox<[Key: String]>([:])

    /// One name per text and bind types for the whole process (a name means one statement on every connection).
    private static func name(of key: Key) -> String? {
        names.withLockedValue { names in
            if let name = names[key] { return name }
            guard names.count < capacity else { return nil }
            let name = "guanxi_\(names.count)"
            names[key] = name
            return name
        }
    }

    /// The statement at hand, for PostgresNIO: it reads `name` and `sql` when the statement is executed.
    struct Kept: PostgresPreparedStatement {
        struct Text: Sendable {
            let name: String
            let sql: String
        }

        @TaskLocal static var text = Text(name: "", sql: "")
        static var name: String { text.name }
        static var sql: String { text.sql }

        typealias Row = PostgresRow
        let bindings: PostgresBindings

        func makeBindings() throws -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }
}

/// A PostgreSQL row's values for Fluent, with the common column types read straight from their cells.
/// PostgresKit's row looked each column up by name twice per question, three questions per field, and
/// decoded through `Decodable`.
struct PostgresRowOutput: DatabaseOutput {
    let columns: [String]
    let cells: PostgresRandomAccessRow
    let row: PostgresRow
    let names: ColumnNames

    init(columns: [String], row: PostgresRow, names: ColumnNames) {
        self.columns = columns
        self.cells = row.makeRandomAccess()
        self.row = row
        self.names = names
    }

    private func cell(_ key: FieldKey) -> PostgresCell? { names.position(key, in: columns).map { cells[$0] } }

    var description: String { cells.map { "\($0.columnName): \($0.bytes.map { "\($0.readableBytes) bytes" } ?? "null")" }.joined(separator: ", ") }

    func schema(_ schema: String) -> any DatabaseOutput { self }

    func contains(_ key: FieldKey) -> Bool { cell(key) != nil }

    func decodeNil(_ key: FieldKey) throws -> Bool { cell(key)?.bytes == nil }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        guard let cell = cell(key) else {
            throw DecodingError.keyNotFound(RowKey(key.description), .init(codingPath: [], debugDescription: "No column \(names(key))."))
        }
        // Optional fields ask for `Value?`; `unsafeBitCast` only where `T` is exactly the type made.
        if let value = try? Self.common(cell, as: T.self) { return value }
        return try row.sql(decodingContext: .default).decode(column: cell.columnName, as: T.self)
    }

    private static func common<T>(_ cell: PostgresCell, as: T.Type) throws -> T? {
        func read<V: PostgresDecodable>(_ v: V.Type) throws -> V? { cell.bytes == nil ? nil : try cell.decode(V.self) }
        if T.self == String.self, let v = try read(String.self) { return unsafeBitCast(v, to: T.self) }
        if T.self == String?.self { return unsafeBitCast(try read(String.self), to: T.self) }
        if T.self == UUID.self, let v = try read(UUID.self) { return unsafeBitCast(v, to: T.self) }
        if T.self == UUID?.self { return unsafeBitCast(try read(UUID.self), to: T.self) }
        if T.self == Date.self, let v = try read(Date.self) { return unsafeBitCast(v, to: T.self) }
        if T.self == Date?.self { return unsafeBitCast(try read(Date.self), to: T.self) }
        if T.self == Int.self, let v = try read(Int.self) { return unsafeBitCast(v, to: T.self) }
        if T.self == Int?.self { return unsafeBitCast(try read(Int.self), to: T.self) }
        if T.self == Int64.self, let v = try read(Int64.self) { return unsafeBitCast(v, to: T.self) }
        if T.self == Int64?.self { return unsafeBitCast(try read(Int64.self), to: T.self) }
        if T.self == Bool.self, let v = try read(Bool.self) { return unsafeBitCast(v, to: T.self) }
        if T.self == Bool?.self { return unsafeBitCast(try read(Bool.self), to: T.self) }
        return nil
    }
}
