import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Vapor
import VaporCSQLite

/// Reads on SQLite with statements prepared once per connection and kept. SQLiteNIO prepares every
/// statement anew (SQLite's parser and planner were a tenth of a 360 view's CPU, more than running the
/// statements) and hands each row to the event loop as a task of its own; here a read's rows come back
/// together. A kept statement is reset as soon as its rows are read, so it never holds a read open
/// (which would keep later reads on an old snapshot).
enum SQLiteReads {
    /// One read's rows: the column names once, then each row's values in that order.
    struct Rows: Sendable {
        let names: [String]
        let rows: [[SQLiteData]]
    }

    /// SQLite's error, told apart for Fluent's callers as SQLiteNIO's errors are (a unique key taken, a bad statement).
    struct Failure: Error, CustomStringConvertible, DatabaseError {
        let code: Int32
        let message: String
        var description: String { "SQLite error \(code): \(message)" }

        /// The primary result code (extended codes keep it in their low byte).
        private var primary: Int32 { code & 0xff }
        var isSyntaxError: Bool { primary == SQLITE_ERROR || primary == SQLITE_SCHEMA }
        var isConstraintFailure: Bool { primary == SQLITE_CONSTRAINT }
        var isConnectionClosed: Bool { primary == SQLITE_MISUSE || primary == SQLITE_CANTOPEN }
    }

    /// The statement's rows, read on the connection `db` leases (in a transaction, the transaction's).
    /// A statement that has always been quick is read where the connection is handed over: the two hops
    /// to a database thread and back cost more than most reads of a page (a third of a 360 view's CPU
    /// went to switching threads for its 28 statements).
    static func query(_ db: any SQLiteDatabase, _ sql: String, _ binds: [SQLiteData]) async throws -> Rows {
        if Timing.isQuick(sql) {
            return try await db.withConnection { connection in
                connection.eventLoop.makeCompletedFuture { try Kept.of(connection).read(sql, binds, timed: true) }
            }.get()
        }
        return try await onDatabaseThread(db) { try $0.read(sql, binds, timed: true) }
    }

    /// How much CPU each statement's reads have taken at worst, not counting a read that compiled it
    /// (each connection compiles its own). One that has stayed under `quick` runs on the event loop; one
    /// read slower sends it back to the database threads for good, so a slow read holds up the loop's
    /// other requests at most once.
    enum Timing {
        static let quick: UInt64 = 1_000_000
        private static let capacity = 4_096
        private static let seen = NIOLockedValueBox<[String: (runs: Int, worst: UInt64)]>([:])

        /// The CPU time of the calling thread: under load a quick read may wait for a core, which is not its doing.
        static func threadTime() -> UInt64 {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
        }

        static func isQuick(_ sql: String) -> Bool {
            seen.withLockedValue { $0[sql].map { $0.runs >= 2 && $0.worst <= quick } ?? false }
        }

        static func record(_ sql: String, took: UInt64) {
            seen.withLockedValue { seen in
                guard var entry = seen[sql] else {
                    if seen.count < capacity { seen[sql] = (runs: 1, worst: took) }
                    return
                }
                entry.runs += 1
                entry.worst = max(entry.worst, took)
                seen[sql] = entry
            }
        }
    }

    /// A statement as SQLite runs it: its text with numbered placeholders, and their values.
    struct Statement: Sendable {
        let sql: String
        let binds: [SQLiteData]
    }

    /// `expression` serialized in `db`'s dialect.
    static func statement(_ expression: any SQLExpression, on db: any SQLDatabase) throws -> Statement {
        var serializer = SQLSerializer(database: NamesAsWritten(base: db))
        expression.serialize(to: &serializer)
        return Statement(sql: serializer.sql, binds: try binds(serializer.binds))
    }

    /// Values as SQLite binds them (ids as SQLiteKit writes them, without its encoder).
    static func binds(_ values: [any Encodable & Sendable]) throws -> [SQLiteData] {
        let encoder = SQLiteDataEncoder()
        return try values.map { value in
            if let id = value as? UUID { return .text(id.text) }
            return try encoder.encode(value)
        }
    }

    /// Runs `work` with the kept statements of the connection `db` leases, on a database thread.
    fileprivate static func onDatabaseThread<T: Sendable>(_ db: any SQLiteDatabase, _ work: @escaping @Sendable (Kept) throws -> T) async throws -> T {
        try await db.withConnection { connection in
            let promise = connection.eventLoop.makePromise(of: T.self)
            NIOThreadPool.singleton.submit { state in
                guard case .active = state else { return promise.fail(Failure(code: SQLITE_MISUSE, message: "thread pool is inactive")) }
                promise.completeWith(Result { try work(Kept.of(connection)) })
            }
            return promise.futureResult
        }.get()
    }

    /// How many times the statement kept for `sql` on `db`'s connection was compiled again after its first use.
    static func recompilations(of sql: String, on db: any SQLiteDatabase) async throws -> Int {
        try await onDatabaseThread(db) { $0.recompilations(of: sql) }
    }

    /// Finalizes the kept statements of `app`'s connections before they close (SQLite refuses to close a
    /// connection with statements left). Each event loop's pool holds one connection: leasing it on
    /// every loop reaches them all while nobody else uses them.
    struct Finalizer: LifecycleHandler {
        let ids: [DatabaseID]

        func shutdownAsync(_ app: Application) async {
            for loop in app.eventLoopGroup.makeIterator() {
                for id in ids {
                    guard let db = app.databases.database(id, logger: app.logger, on: loop) as? any SQLiteDatabase else { continue }
                    _ = try? await db.withConnection { connection in
                        NIOThreadPool.singleton.runIfActive(eventLoop: connection.eventLoop) { Kept.forget(connection) }
                    }.get()
                }
            }
        }
    }

    /// The statements kept for one connection, by their SQL.
    fileprivate final class Kept: @unchecked Sendable {
        private weak var connection: SQLiteConnection?
        private let handle: OpaquePointer
        private let lock = NIOLock()
        private var idle: [String: OpaquePointer] = [:]
        /// Statements with lists of binds differ by length; beyond this many, a new one is not kept.
        private static let capacity = 256

        private static let all = NIOLockedValueBox<[ObjectIdentifier: Kept]>([:])

        private init(connection: SQLiteConnection, handle: OpaquePointer) {
            self.connection = connection
            self.handle = handle
        }

        static func of(_ connection: SQLiteConnection) throws -> Kept {
            try all.withLockedValue { all in
                if let kept = all[ObjectIdentifier(connection)], kept.connection === connection { return kept }
                // SQLiteNIO keeps the `sqlite3 *` to itself.
                guard let handle = Mirror(reflecting: connection).descendant("handle", "raw") as? OpaquePointer else {
                    throw Failure(code: SQLITE_MISUSE, message: "no open SQLite handle")
                }
                let kept = Kept(connection: connection, handle: handle)
                all[ObjectIdentifier(connection)] = kept
                return kept
            }
        }

        static func forget(_ connection: SQLiteConnection) {
            guard let kept = all.withLockedValue({ $0.removeValue(forKey: ObjectIdentifier(connection)) }) else { return }
            kept.lock.withLock {
                for statement in kept.idle.values { sqlite_nio_sqlite3_finalize(statement) }
                kept.idle = [:]
            }
        }

        func recompilations(of sql: String) -> Int {
            lock.withLock { idle[sql].map { Int(sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0)) } ?? 0 }
        }

        /// `statements` in one transaction; rolled back if one fails.
        func transaction(_ statements: [Statement]) throws {
            _ = try read("BEGIN IMMEDIATE", [])
            do {
                for statement in statements { _ = try read(statement.sql, statement.binds) }
                _ = try read("COMMIT", [])
            } catch {
                _ = try? read("ROLLBACK", [])
                throw error
            }
        }

        /// The rows of `sql`; `timed` reads note their CPU time (`Timing`) unless they compiled the statement.
        func read(_ sql: String, _ binds: [SQLiteData], timed: Bool = false) throws -> Rows {
            // Taken out while in use: two reads of one transaction may run at once.
            var statement = lock.withLock { idle.removeValue(forKey: sql) }
            let start = timed && statement != nil ? Timing.threadTime() : nil
            if statement == nil {
                let code = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
                guard code == SQLITE_OK, statement != nil else { throw failure(code) }
            }
            let stmt = statement!
            defer {
                // Not `clear_bindings`: it marks a statement whose plan looked at a bound value as expired,
                // and each such statement was compiled again at its next use. Every read binds all values anew.
                sqlite_nio_sqlite3_reset(stmt)
                let keep = lock.withLock {
                    guard idle[sql] == nil, idle.count < Self.capacity else { return false }
                    idle[sql] = stmt
                    return true
                }
                if !keep { sqlite_nio_sqlite3_finalize(stmt) }
            }
            for (i, value) in binds.enumerated() {
                let code = bind(stmt, Int32(i + 1), value)
                guard code == SQLITE_OK else { throw failure(code) }
            }
            let count = sqlite_nio_sqlite3_column_count(stmt)
            let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(stmt, $0)) }
            var rows: [[SQLiteData]] = []
            while true {
                let code = sqlite_nio_sqlite3_step(stmt)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw failure(code) }
                rows.append((0..<count).map { column(stmt, $0) })
            }
            if let start { Timing.record(sql, took: Timing.threadTime() &- start) }
            return Rows(names: names, rows: rows)
        }

        private func failure(_ code: Int32) -> Failure {
            Failure(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
        }

        /// As SQLiteNIO binds.
        private func bind(_ stmt: OpaquePointer, _ i: Int32, _ value: SQLiteData) -> Int32 {
            switch value {
            case .blob(let bytes):
                bytes.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(stmt, i, $0.baseAddress, UInt64($0.count), Self.transient) }
            case .float(let v):
                sqlite_nio_sqlite3_bind_double(stmt, i, v)
            case .integer(let v):
                sqlite_nio_sqlite3_bind_int64(stmt, i, Int64(v))
            case .null:
                sqlite_nio_sqlite3_bind_null(stmt, i)
            case .text(let s):
                sqlite_nio_sqlite3_bind_text64(stmt, i, s, UInt64(s.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
        }

        /// As SQLiteNIO reads a value.
        private func column(_ stmt: OpaquePointer, _ i: Int32) -> SQLiteData {
            switch sqlite_nio_sqlite3_column_type(stmt, i) {
            case SQLITE_INTEGER:
                return .integer(Int(sqlite_nio_sqlite3_column_int64(stmt, i)))
            case SQLITE_FLOAT:
                return .float(sqlite_nio_sqlite3_column_double(stmt, i))
            case SQLITE_TEXT:
                return sqlite_nio_sqlite3_column_text(stmt, i).map { .text(String(cString: $0)) } ?? .null
            case SQLITE_BLOB:
                let length = Int(sqlite_nio_sqlite3_column_bytes(stmt, i))
                var buffer = ByteBufferAllocator().buffer(capacity: length)
                if let bytes = sqlite_nio_sqlite3_column_blob(stmt, i) { buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length)) }
                return .blob(buffer)
            default:
                return .null
            }
        }

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }
}

extension SQLiteWrites {
    /// `statements` in one transaction, run as one job on a database thread and queued behind the other
    /// writers. A transaction of seven statements through SQLiteNIO was seven hops to a database thread
    /// and back, each waiting behind the pages on the event loop: the follow-up writer spent most of its
    /// time in those queues while SQLite's single writer sat idle.
    static func run(_ statements: [SQLiteReads.Statement], on db: any SQLiteDatabase) async throws {
        await lock.lock()
        do {
            try await SQLiteReads.onDatabaseThread(db) { try $0.transaction(statements) }
            await lock.unlock()
        } catch {
            await lock.unlock()
            throw error
        }
    }
}
