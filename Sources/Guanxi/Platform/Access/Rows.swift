import FluentKit
import FluentSQL
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit

extension QueryBuilder {
    /// The models `all()` returns, read with less work than Fluent's own path. The SQL is Fluent's,
    /// serialized with the dialect fetched once and identifiers written as they are (SQLKit escaped each
    /// identifier with a generic `replacing`: a sixth of a PostgreSQL request's time), and each column's
    /// name is built once per query, not three times per field per row. On SQLite the models are filled
    /// straight from SQLite's values (a list of 50 customers spent a quarter of its time in Fluent's
    /// generic decoding). Joins, eager loading and builders that rely on Fluent's own soft-delete filter
    /// take `all()`.
    func rows() async throws -> [Model] {
        guard let (sql, statement, names) = serialized(fields: nil) else { return try await all() }
        if let read = try await PostgresReads.query(database, statement.sql, statement.binds) {
            return try read.rows.map { row in
                let model = Model()
                try model.output(from: PostgresRowOutput(columns: read.names, row: row, names: names))
                return model
            }
        }
        guard let sqlite = database as? any SQLiteDatabase else {
            return try await plainRows(sql, statement).map { row in
                let model = Model()
                try model.output(from: SQLRowOutput(row: row, names: names))
                return model
            }
        }
        let read = try await SQLiteReads.query(sqlite, statement.sql, try statement.sqliteBinds(logger: sql.logger))
        return try read.rows.map { values in
            let model = Model()
            try model.output(from: SQLiteRowOutput(columns: read.names, values: values, names: names))
            return model
        }
    }

    /// The rows the builder selects, each read by field key as a model would read it, or nil where
    /// `rows()` would take `all()`. `fields` narrows the columns (all of the model's by default).
    func outputs(fields: [FieldKey]? = nil, adding columns: [(name: String, sql: String)] = []) async throws -> [any DatabaseOutput]? {
        guard let (sql, statement, names) = serialized(fields: fields, adding: columns) else { return nil }
        if let read = try await PostgresReads.query(database, statement.sql, statement.binds) {
            return read.rows.map { PostgresRowOutput(columns: read.names, row: $0, names: names) }
        }
        guard let sqlite = database as? any SQLiteDatabase else {
            return try await plainRows(sql, statement).map { SQLRowOutput(row: $0, names: names) }
        }
        let read = try await SQLiteReads.query(sqlite, statement.sql, try statement.sqliteBinds(logger: sql.logger))
        return read.rows.map { SQLiteRowOutput(columns: read.names, values: $0, names: names) }
    }

    /// Fluent's SQL for the query, with `fields` (or all of the model's) as its columns, then `columns`
    /// (SQL expressions by name); nil where Fluent must run it.
    func serialized(fields: [FieldKey]?, adding columns: [(name: String, sql: String)] = []) -> (any SQLDatabase, Serialized, ColumnNames)? {
        guard let sql = database as? any SQLDatabase, case .read = query.action, joinsOnlyNarrow, eagerLoaders.isEmpty,
              leavesDeletedRowsToTheQuery else { return nil }
        var q = query
        if fields != nil || q.fields.isEmpty {
            q.fields = [.custom(SelectList.of(Model.self, fields))]
        }
        let schema = Model.schemaOrAlias
        q.fields += columns.map { name, expression in .custom(SQLRaw("\(expression) AS \"\(schema)_\(name)\"")) }
        var serializer = SQLSerializer(database: NamesAsWritten(base: sql))
        SQLQueryConverter(delegate: PlainConverter()).convert(q).serialize(to: &serializer)
        return (sql, Serialized(sql: serializer.sql, binds: serializer.binds), ColumnNames(prefix: Model.schemaOrAlias + "_"))
    }

    private func plainRows(_ sql: any SQLDatabase, _ statement: Serialized) async throws -> [any SQLRow] {
        let rows = NIOLockedValueBox<[any SQLRow]>([])
        try await sql.execute(sql: statement) { row in rows.withLockedValue { $0.append(row) } }
        return rows.withLockedValue { $0 }
    }

    /// Joins of our own SQL (the search index's) only narrow the rows; a join of a model adds its columns.
    private var joinsOnlyNarrow: Bool {
        query.joins.allSatisfy { if case .custom = $0 { true } else { false } }
    }

    /// Fluent adds its own soft-delete filter unless told `withDeleted()` (as `Actor.inOrg` does, which
    /// filters deleted rows itself); that flag is Fluent's own, read here through reflection.
    var leavesDeletedRowsToTheQuery: Bool {
        guard SoftDelete.applies(to: Model.self) else { return true }
        // `deleted_at IS NULL` among the filters (as `Actor.inOrg` writes) leaves out what Fluent's filter would.
        let saysNotDeleted = query.filters.contains { filter in
            if case .value(.path(let path, _), .equality(inverse: false), .null) = filter { return path == ["deleted_at"] }
            return false
        }
        return saysNotDeleted || Mirror(reflecting: self).descendant("includeDeleted") as? Bool ?? false
    }

    /// Whether the builder selects any row, read as its id alone (no model is made).
    func exists() async throws -> Bool {
        try await limitedToOne { b in
            guard let rows = try await b.outputs(fields: [.id]) else { return try await b.all().first != nil }
            return !rows.isEmpty
        }
    }

    /// The first model, read as `rows()` reads.
    func firstRow() async throws -> Model? {
        try await limitedToOne { try await $0.rows().first }
    }

    /// The first model and, read by the same statement, `columns`: SQL expressions over its row, by name
    /// (on PostgreSQL every statement is a round trip). The output is nil where Fluent must run the query.
    func firstRow(adding columns: [(name: String, sql: String)]) async throws -> (Model, (any DatabaseOutput)?)? {
        try await limitedToOne { b in
            guard let outputs = try await b.outputs(adding: columns) else { return try await b.all().first.map { ($0, nil) } }
            guard let row = outputs.first else { return nil }
            let model = Model()
            try model.output(from: row)
            return (model, row)
        }
    }

    /// Runs `read` with the builder limited to one row, then gives the builder its limits back. Not a
    /// `copy()`: Fluent makes two models for every builder, and a customer is 45 fields (a twentieth of
    /// a follow-up POST went into making and freeing the customers of a copy).
    private func limitedToOne<T>(_ read: (QueryBuilder<Model>) async throws -> T) async throws -> T {
        let limits = query.limits
        query.limits = [.count(1)]
        defer { query.limits = limits }
        return try await read(self)
    }
}

extension DatabaseOutput {
    /// An integer column added to a read (`firstRow(adding:)`), nil when null.
    func integer(_ name: String) throws -> Int64? {
        let key = FieldKey(stringLiteral: name)
        return try decodeNil(key) ? nil : decode(key, as: Int64.self)
    }
}

/// The columns of a read, written once per model (or per set of fields) and kept: SQLKit's statement
/// builder spent a twentieth of a 360 view writing the same column list for every query. The text is
/// what Fluent writes: `"customers"."name" AS "customers_name", …`.
private struct SelectList: SQLExpression {
    let sql: String

    func serialize(to serializer: inout SQLSerializer) { serializer.write(sql) }

    private struct Key: Hashable {
        let model: ObjectIdentifier
        let fields: [FieldKey]?
    }

    private static let known = NIOLockedValueBox<[Key: SelectList]>([:])

    static func of<M: Model>(_ model: M.Type, _ fields: [FieldKey]?) -> SelectList {
        let key = Key(model: ObjectIdentifier(model), fields: fields)
        if let list = known.withLockedValue({ $0[key] }) { return list }
        let schema = M.schemaOrAlias
        let list = SelectList(sql: (fields ?? M.keys).map { field in
            "\"\(schema)\".\"\(field.description)\" AS \"\(schema)_\(field.description)\""
        }.joined(separator: ", "))
        known.withLockedValue { $0[key] = list }
        return list
    }
}

/// Fluent's query converter without a driver's data types (reads need none).
struct PlainConverter: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
}

/// A statement already serialized, handed to a database that serializes again.
struct Serialized: SQLExpression {
    let sql: String
    let binds: [any Encodable & Sendable]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds += binds
    }

    /// The binds as SQLite values, logged as SQLKit logs a statement.
    func sqliteBinds(logger: Logger) throws -> [SQLiteData] {
        let data = try SQLiteReads.binds(binds)
        logger.debug("Executing query", metadata: ["sql": .string(sql), "binds": .array(data.map { .string($0.description) })])
        return data
    }
}

/// A row of any SQL database for Fluent, by the query's column names.
private struct SQLRowOutput: DatabaseOutput {
    let row: any SQLRow
    let names: ColumnNames

    var description: String { "\(row)" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: names(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: names(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try row.decode(column: names(key), as: T.self) }
}

/// Models with a deletion time (all of ours call it `deleted_at`).
private enum SoftDelete {
    private static let known = NIOLockedValueBox<[ObjectIdentifier: Bool]>([:])

    static func applies<M: Model>(to model: M.Type) -> Bool {
        if let yes = known.withLockedValue({ $0[ObjectIdentifier(model)] }) { return yes }
        let yes = model.keys.contains("deleted_at")
        known.withLockedValue { $0[ObjectIdentifier(model)] = yes }
        return yes
    }
}

/// The database's dialect, but identifiers are written between quotes as they are: SQLKit escaped each
/// one with a generic `replacing`, a tenth of the 360 view's time. Identifiers here are the names of
/// tables and columns in the code (custom field keys are checked to letters, digits and underscores).
struct NamesAsWritten: SQLDatabase {
    let base: any SQLDatabase
    /// Asked for at every identifier; FluentSQLiteDriver builds its dialect anew each time.
    let dialect: any SQLDialect

    init(base: any SQLDatabase) {
        self.base = base
        dialect = Dialect(base: base.dialect)
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    private struct Quote: SQLExpression {
        func serialize(to serializer: inout SQLSerializer) { serializer.write("\"") }
    }

    private struct Dialect: SQLDialect {
        let base: any SQLDialect
        var name: String { base.name }
        var identifierQuote: any SQLExpression { Quote() }
        var literalStringQuote: any SQLExpression { base.literalStringQuote }
        var supportsAutoIncrement: Bool { base.supportsAutoIncrement }
        var autoIncrementClause: any SQLExpression { base.autoIncrementClause }
        var autoIncrementFunction: (any SQLExpression)? { base.autoIncrementFunction }
        func bindPlaceholder(at position: Int) -> any SQLExpression { base.bindPlaceholder(at: position) }
        func literalBoolean(_ value: Bool) -> any SQLExpression { base.literalBoolean(value) }
        var literalDefault: any SQLExpression { base.literalDefault }
        var supportsIfExists: Bool { base.supportsIfExists }
        var enumSyntax: SQLEnumSyntax { base.enumSyntax }
        var supportsDropBehavior: Bool { base.supportsDropBehavior }
        var supportsReturning: Bool { base.supportsReturning }
        var triggerSyntax: SQLTriggerSyntax { base.triggerSyntax }
        var alterTableSyntax: SQLAlterTableSyntax { base.alterTableSyntax }
        func customDataType(for dataType: SQLDataType) -> (any SQLExpression)? { base.customDataType(for: dataType) }
        func normalizeSQLConstraint(identifier: any SQLExpression) -> any SQLExpression { base.normalizeSQLConstraint(identifier: identifier) }
        var upsertSyntax: SQLUpsertSyntax { base.upsertSyntax }
        var unionFeatures: SQLUnionFeatures { base.unionFeatures }
        var sharedSelectLockExpression: (any SQLExpression)? { base.sharedSelectLockExpression }
        var exclusiveSelectLockExpression: (any SQLExpression)? { base.exclusiveSelectLockExpression }
        func nestedSubpathExpression(in column: any SQLExpression, for path: [String]) -> (any SQLExpression)? {
            base.nestedSubpathExpression(in: column, for: path)
        }
    }
}

/// One query's columns by field key. A model asks for its fields in the same order on every row, three
/// times each (contains, null?, value): following that order, a lookup compares one key instead of
/// hashing a name (the names cost a tenth of a list page when built and hashed per lookup).
final class ColumnNames: @unchecked Sendable {
    private let prefix: String
    private var seen: [(key: FieldKey, name: String, position: Int?)] = []
    private var byKey: [FieldKey: Int] = [:]
    private var cursor = 0

    init(prefix: String) { self.prefix = prefix }

    private func entry(_ key: FieldKey, columns: [String]?) -> Int {
        if cursor < seen.count, seen[cursor].key == key { return cursor }
        if cursor + 1 < seen.count, seen[cursor + 1].key == key { cursor += 1; return cursor }
        if let i = byKey[key] { cursor = i; return i }
        let name = prefix + key.description
        seen.append((key, name, columns?.firstIndex(of: name)))
        cursor = seen.count - 1
        byKey[key] = cursor
        return cursor
    }

    func callAsFunction(_ key: FieldKey) -> String { seen[entry(key, columns: nil)].name }

    /// Where the key's column is among a SQLite read's columns (the same for every row of the query).
    func position(_ key: FieldKey, in columns: [String]) -> Int? { seen[entry(key, columns: columns)].position }
}

/// A row's values for Fluent, with the common column types read without a decoder.
struct SQLiteRowOutput: DatabaseOutput {
    /// The read's column names, in the order of `values`.
    let columns: [String]
    let values: [SQLiteData]
    let names: ColumnNames

    private func column(_ key: FieldKey) -> SQLiteData? { names.position(key, in: columns).map { values[$0] } }

    var description: String { zip(columns, values).map { "\($0): \($1)" }.joined(separator: ", ") }

    func schema(_ schema: String) -> any DatabaseOutput { self }

    func contains(_ key: FieldKey) -> Bool { column(key) != nil }

    func decodeNil(_ key: FieldKey) throws -> Bool { (column(key) ?? .null) == .null }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        guard let data = column(key) else {
            throw DecodingError.keyNotFound(RowKey(key.description), .init(codingPath: [], debugDescription: "No column \(names(key))."))
        }
        // Optional fields ask for `Value?`; `unsafeBitCast` only where `T` is exactly the type made.
        switch data {
        case .text(let s):
            if T.self == String?.self { return unsafeBitCast(Optional(s), to: T.self) }
            if T.self == String.self { return unsafeBitCast(s, to: T.self) }
            if T.self == UUID?.self, let id = UUID.parse(s) { return unsafeBitCast(Optional(id), to: T.self) }
            if T.self == UUID.self, let id = UUID.parse(s) { return unsafeBitCast(id, to: T.self) }
        case .float(let v):
            if T.self == Date?.self { return unsafeBitCast(Optional(Self.date(v)), to: T.self) }
            if T.self == Date.self { return unsafeBitCast(Self.date(v), to: T.self) }
        case .integer(let n):
            if T.self == Int64?.self { return unsafeBitCast(Optional(Int64(n)), to: T.self) }
            if T.self == Int64.self { return unsafeBitCast(Int64(n), to: T.self) }
            if T.self == Int?.self { return unsafeBitCast(Optional(n), to: T.self) }
            if T.self == Int.self { return unsafeBitCast(n, to: T.self) }
            if T.self == Bool?.self, n == 0 || n == 1 { return unsafeBitCast(Optional(n == 1), to: T.self) }
            if T.self == Bool.self, n == 0 || n == 1 { return unsafeBitCast(n == 1, to: T.self) }
        default: break
        }
        return try Self.decoder.decode(T.self, from: data)
    }

    private static let decoder = SQLiteDataDecoder()

    /// As SQLiteNIO reads a time: rounded to the microsecond, so a time read back equals the one saved.
    private static func date(_ since1970: Double) -> Date {
        Date(timeIntervalSinceReferenceDate: ((since1970 - Date.timeIntervalBetween1970AndReferenceDate) * 1e6).rounded() / 1e6)
    }
}

struct RowKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension UUID {
    /// `uuidString`, written without Foundation's `sprintf` (ids in every bind and link of a page went
    /// through it: 2% of a 360 view).
    var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                func digit(_ d: UInt8) -> UInt8 { d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "A") + d - 10 }
                var j = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        out[j] = UInt8(ascii: "-")
                        j += 1
                    }
                    out[j] = digit(bytes[i] >> 4)
                    out[j + 1] = digit(bytes[i] & 0x0F)
                    j += 2
                }
                return 36
            }
        }
    }

    /// Reads the canonical 36-character form; Foundation's parser went through `sscanf` for every id of
    /// every row.
    static func parse(_ text: String) -> UUID? {
        let parsed = text.utf8.withContiguousStorageIfAvailable { bytes -> UUID? in
            guard bytes.count == 36 else { return nil }
            var out: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &out) { target -> Bool in
                var i = 0
                for n in 0..<16 {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        guard bytes[i] == UInt8(ascii: "-") else { return false }
                        i += 1
                    }
                    guard let hi = hex(bytes[i]), let lo = hex(bytes[i + 1]) else { return false }
                    target[n] = hi << 4 | lo
                    i += 2
                }
                return true
            }
            return ok ? UUID(uuid: out) : nil
        }
        return parsed ?? UUID(uuidString: text)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
