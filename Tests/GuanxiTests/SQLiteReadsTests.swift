import Fluent
import Foundation
import SQLiteKit
import Testing
import Vapor
@testable import Guanxi

/// Reads on SQLite keep their prepared statements per connection (`SQLiteReads`): a kept statement must
/// see later writes, fail cleanly, serve two reads of one transaction at once, and let its connection
/// close when the server stops.
@Suite(.enabled(if: TestDatabase.postgresAdminURL == nil, "SQLite's own read path"))
struct SQLiteReadsTests {
    @Test func keptStatementsSeeLaterWritesFailCleanlyAndLetTheFileClose() async throws {
        let (kind, cleanup) = try await TestDatabase.make()
        guard case .sqlite(let path) = kind else { return }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        var settings = Settings(database: kind, dataDirectory: NSTemporaryDirectory(), passwordCost: 4)
        settings.autoMigrate = true
        try await configure(app, settings: settings)
        do {
            let w = try await World.build(app)
            let sqlite = try #require(app.db as? any SQLiteDatabase)
            let names = "SELECT name FROM departments WHERE org_id = ?1 ORDER BY name"
            let read = { (db: any SQLiteDatabase) in
                try await SQLiteReads.query(db, names, [.text(w.orgID.text)]).rows.map { row -> String in
                    guard case .text(let name) = row[0] else { return "" }
                    return name
                }
            }
            let before = try await read(sqlite)
            #expect(!before.isEmpty)
            // A write through the other connections (import work has its own) shows on the next read of the kept statement.
            let other = try #require(app.databases.database(.sqliteLongWork, logger: app.logger, on: app.eventLoopGroup.any()) as? any SQLDatabase)
            try await other.raw("INSERT INTO departments (id, org_id, name, sort_order, is_active, created_at, updated_at) VALUES (\(bind: UUID.v7()), \(bind: w.orgID), '新部门', 0, 1, 0, 0)").run()
            for loop in app.eventLoopGroup.makeIterator() {
                let db = try #require(app.databases.database(.sqlite, logger: app.logger, on: loop) as? any SQLiteDatabase)
                #expect(try await read(db) == (before + ["新部门"]).sorted())
            }
            // A kept statement is not compiled again for new values (its plan looked at bound values:
            // clearing the bindings after each read made SQLite compile it anew every time).
            let contacts = "SELECT id FROM contacts WHERE org_id = ?1 AND deleted_at IS NULL AND customer_id = ?2 ORDER BY name LIMIT 500"
            let one = try #require(app.databases.database(.sqlite, logger: app.logger, on: app.eventLoopGroup.any()) as? any SQLiteDatabase)
            let customers = Array(w.customers.values)
            for n in 0..<20 {
                _ = try await SQLiteReads.query(one, contacts, [.text(w.orgID.text), .text(customers[n % customers.count].text)])
            }
            #expect(try await SQLiteReads.recompilations(of: contacts, on: one) == 0)
            // A quick statement is then read where the connection is handed over, with the same rows.
            for _ in 0..<3 { _ = try await read(one) }
            #expect(SQLiteReads.Timing.isQuick(names))
            #expect(try await read(one) == (before + ["新部门"]).sorted())
            // A slow statement (counting to two million, tens of ms) stays on the database threads.
            let slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) SELECT count(*) FROM n"
            for _ in 0..<4 { _ = try await SQLiteReads.query(one, slow, [.integer(2_000_000)]) }
            #expect(!SQLiteReads.Timing.isQuick(slow))
            // Models read the same way.
            #expect(try await Department.query(on: app.db).filter(\.$orgID == w.orgID).sort(\.$name).rows().map(\.name) == (before + ["新部门"]).sorted())
            // A bad statement fails with SQLite's message and leaves the connection as it was.
            await #expect(throws: SQLiteReads.Failure.self) { try await SQLiteReads.query(sqlite, "SELECT nope FROM departments", []) }
            do {
                _ = try await SQLiteReads.query(sqlite, "SELECT nope FROM departments", [])
            } catch let failure as SQLiteReads.Failure {
                #expect(failure.message.contains("no such column"))
                #expect(failure.isSyntaxError && !failure.isConstraintFailure)
            }
            // A write batch that breaks a unique key fails as Fluent's callers know it, and writes nothing.
            let taken = try await Department.query(on: app.db).filter(\.$orgID == w.orgID).sort(\.$name).rows()[0]
            let twice = "INSERT INTO departments (id, org_id, name, sort_order, is_active, created_at, updated_at) VALUES (?1, ?2, '又一个部门', 0, 1, 0, 0)"
            do {
                try await SQLiteWrites.run([.init(sql: twice, binds: [.text(UUID.v7().text), .text(w.orgID.text)]),
                                            .init(sql: twice, binds: [.text(taken.id!.text), .text(w.orgID.text)])], on: sqlite)
                Issue.record("a taken id was written")
            } catch let failure as any DatabaseError {
                #expect(failure.isConstraintFailure && !failure.isSyntaxError)
            }
            #expect(try await read(sqlite).count == before.count + 1)
            #expect(try await read(sqlite).count == before.count + 1)
            // Two reads of one statement at once in a transaction (one connection) each get all rows.
            try await app.db.transaction { tx in
                let db = tx as! any SQLiteDatabase
                async let a = read(db)
                async let b = read(db)
                let (x, y) = try await (a, b)
                #expect(x == y && x.count == before.count + 1)
            }
        } catch {
            try? await app.asyncShutdown()
            try? await cleanup()
            throw error
        }
        try await app.asyncShutdown()
        // SQLite closes no connection that still has statements: the file would stay open.
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { fd in
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
        }.filter { $0.hasPrefix(path) }
        #expect(open.isEmpty, "\(open)")
        try await cleanup()
    }
}
