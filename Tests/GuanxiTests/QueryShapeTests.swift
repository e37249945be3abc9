import Fluent
import Foundation
import GuanxiCore
import Logging
import NIOConcurrencyHelpers
import Testing
@testable import Guanxi

/// The SQL behind the organisation's queries stays answerable from the partial indexes: our own
/// `deleted_at IS NULL` instead of Fluent's `(deleted_at IS NULL OR deleted_at > now)`, and
/// `COUNT(*)` instead of counting ids. Either one made SQLite read each matching row from the table
/// (the dashboard's "follow-ups this month" took 256 ms instead of 5 on the 1M set).
@Suite struct QueryShapeTests {
    struct Capture: LogHandler {
        let lines: NIOLockedValueBox<[String]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            if let sql = metadata?["sql"] { lines.withLockedValue { $0.append("\(sql)") } }
        }
    }

    @Test func organisationQueriesCountRowsAndLeaveDeletedRowsOutThemselves() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let actor = try await Actor.resolve(userID: w.users["rep1"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let customer = w.customers["rep1"]!
            for (i, gone) in [false, false, true].enumerated() {
                let f = FollowUp(orgID: w.orgID, customerID: customer, ownerID: actor.userID, departmentID: actor.departmentID,
                                 method: "phone", content: "第\(i)次", happenedAt: clock.now, now: clock.now)
                try await f.create(on: app.db)
                if gone { try await f.delete(on: app.db) }
            }
            let lines = NIOLockedValueBox<[String]>([])
            let logger = Logger(label: "sql") { _ in Capture(lines: lines) }
            let db = app.databases.database(logger: logger, on: app.eventLoopGroup.any())!

            #expect(try await actor.inOrg(FollowUp.self, on: db).filter(\.$ownerID == actor.userID).countRows() == 2)
            #expect(try await actor.query(FollowUp.self, .view, on: db).all().count == 2)
            let sql = lines.withLockedValue { $0 }
            #expect(sql.count == 2)
            #expect(sql.first?.contains("COUNT(*)") == true, "\(sql)")
            #expect(sql.allSatisfy { $0.contains(#""deleted_at" IS NULL"#) && !$0.contains(#""deleted_at" >"#) }, "\(sql)")
        }
    }

    /// A keyset page by name is one row-value range; `name > x OR (name = x AND id > y)` made SQLite and
    /// PostgreSQL walk the name index from its start (a page 400,000 deep: 57 ms instead of 10).
    @Test func aPageByNameStartsAtItsCursor() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let actor = try await Actor.resolve(userID: w.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let lines = NIOLockedValueBox<[String]>([])
            let logger = Logger(label: "sql") { _ in Capture(lines: lines) }
            let db = app.databases.database(logger: logger, on: app.eventLoopGroup.any())!
            let svc = CustomerService(db: db, actor: actor, now: Date())
            for descending in [false, true] {
                var q = CustomerService.ListQuery()
                q.descending = descending
                q.cursor = PageCursor(value: "客户-rep1", id: w.customers["rep1"]!.uuidString)
                _ = try await svc.list(q)
                let sql = lines.withLockedValue { $0.last { $0.contains("ORDER BY") } } ?? ""
                #expect(sql.contains(#"("customers"."name", "customers"."id") \#(descending ? "<" : ">") ("#), "\(sql)")
            }
        }
    }
}

