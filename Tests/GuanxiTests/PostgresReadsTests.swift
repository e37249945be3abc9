import Fluent
import Foundation
import PostgresNIO
import SQLKit
import Testing
import Vapor
@testable import Guanxi

/// Reads on PostgreSQL go through statements prepared once per connection (`PostgresReads`): a kept
/// statement is prepared once, sees later writes, reads what Fluent reads, and fails cleanly.
@Suite(.enabled(if: TestDatabase.postgresAdminURL != nil, "PostgreSQL's own read path"))
struct PostgresReadsTests {
    @Test func keptStatementsArePreparedOnceAndSeeLaterWrites() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let names = #"SELECT "name" FROM "departments" WHERE "org_id" = $1 ORDER BY "name""#
            let read = { (db: any Database) async throws -> [String] in
                guard let read = try await PostgresReads.query(db, names, [w.orgID]) else { throw Abort(.internalServerError, reason: "not kept") }
                return try read.rows.map { try $0.makeRandomAccess()["name"].decode(String.self) }
            }
            let fluent = try await Department.query(on: app.db).filter(\.$orgID == w.orgID).sort(\.$name).all().map(\.name)
            #expect(try await read(app.db) == fluent)
            // Models read through kept statements as Fluent reads them.
            #expect(try await Department.query(on: app.db).filter(\.$orgID == w.orgID).sort(\.$name).rows().map(\.name) == fluent)

            try await app.db.transaction { tx in
                // One connection: the statement is prepared on it once, however often it is read.
                for _ in 0..<5 { #expect(try await read(tx) == fluent) }
                let sql = try #require(tx as? any SQLDatabase)
                let prepared = try await sql.raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = \(bind: names)").first()
                #expect(try prepared?.decode(column: "n", as: Int.self) == 1)
                // Two reads at once on the transaction's connection each get all rows.
                async let a = read(tx)
                async let b = read(tx)
                let (x, y) = try await (a, b)
                #expect(x == fluent && y == fluent)
                // A write shows on the next read of the kept statement.
                try await sql.raw("INSERT INTO departments (id, org_id, name, sort_order, is_active, created_at, updated_at) VALUES (\(bind: UUID.v7()), \(bind: w.orgID), '新部门', 0, true, now(), now())").run()
                #expect(try await read(tx) == (fluent + ["新部门"]).sorted())
            }
            #expect(try await read(app.db) == (fluent + ["新部门"]).sorted())

            // A bad statement fails with PostgreSQL's error and the next read works.
            await #expect(throws: PSQLError.self) { _ = try await PostgresReads.query(app.db, "SELECT nope FROM departments", []) }
            #expect(try await read(app.db).count == fluent.count + 1)
            // A value PostgresNIO cannot bind itself (an optional's nil) is left to the caller's own path.
            let unkept = try await PostgresReads.query(app.db, names, [Optional<UUID>.none])
            #expect(unkept == nil)
        }
    }

    /// A customer's money with the customer itself repeats the scope of four tables: for a manager of a
    /// department tree its statement is still kept, not parsed and planned at every call.
    @Test func aCustomersMoneyWithItsScopesIsKept() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let manager = try #require(try await Actor.resolve(userID: w.users["manager"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db))
            try await app.db.transaction { tx in
                for key in ["rep1", "west", "rep1"] {
                    #expect(try await FinanceCards.figures(ofVisible: w.customers[key]!, actor: manager, today: "2026-11-25", on: tx) != nil)
                }
                #expect(try await FinanceCards.figures(ofVisible: w.customers["admin"]!, actor: manager, today: "2026-11-25", on: tx) == nil)
                let sql = try #require(tx as? any SQLDatabase)
                let prepared = try await sql.raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%SELECT credit_limit FROM customers%'").first()
                #expect(try prepared?.decode(column: "n", as: Int.self) == 1)
            }
        }
    }

    /// A department tree is one array bind on PostgreSQL: managers of trees of one and three departments
    /// read customers through the same kept statement, and see what their trees hold.
    @Test func departmentTreesOfAnySizeShareOneStatement() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let eastManager = User(orgID: w.orgID, account: "eastmanager", name: "East Manager", passwordHash: "x",
                                   departmentID: w.departments["East"], supervisorID: nil)
            try await eastManager.create(on: app.db)
            try await UserRole(orgID: w.orgID, userID: eastManager.id!, roleID: w.roles["manager"]!).create(on: app.db)
            let manager = try #require(try await Actor.resolve(userID: w.users["manager"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db))
            let east = try #require(try await Actor.resolve(userID: eastManager.id!, sessionID: nil, fallbackLocale: .zhHans, on: app.db))
            #expect(manager.scope.departmentTreeIDs.count > 1 && east.scope.departmentTreeIDs.count == 1)
            try await app.db.transaction { tx in
                let many = try await manager.query(Customer.self, .view, on: tx).rows().compactMap { w.key(of: $0.id!) }
                let one = try await east.query(Customer.self, .view, on: tx).rows().compactMap { w.key(of: $0.id!) }
                #expect(Set(many) == World.visibility["manager"])
                #expect(Set(one) == ["rep1", "rep2", "lead"])
                let sql = try #require(tx as? any SQLDatabase)
                let kept = try await sql.raw("""
                    SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%FROM "customers"%' AND statement LIKE '%"department_id" = ANY($%'
                    """).first()
                #expect(try kept?.decode(column: "n", as: Int.self) == 1)
            }
        }
    }
}
