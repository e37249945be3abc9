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

    /// A search's page is the same whichever way it is read: sorted matches from the trigram index (at
    /// most `cap` of them), or, past the cap, the ordered walk; in both orders and after a cursor.
    @Test func aSearchPageIsTheSameFromTheIndexOrTheOrderedWalk() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let actor = try await Actor.resolve(userID: w.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            for i in 0..<30 {
                try await Customer(orgID: w.orgID, name: "\(["东方", "西湖", "南山"][i % 3])科技测试\(i % 7)号", phone: nil,
                                   ownerID: actor.userID, departmentID: actor.departmentID, createdBy: nil).create(on: app.db)
            }
            let lines = NIOLockedValueBox<[String]>([])
            let db = app.databases.database(logger: Logger(label: "sql") { _ in Capture(lines: lines) }, on: app.eventLoopGroup.any())!
            let svc = CustomerService(db: db, actor: actor, now: Date())
            for descending in [false, true] {
                for cursor in [nil, PageCursor(value: "南山科技测试3号", id: UUID(uuidString: "00000000-0000-7000-8000-000000000000")!.uuidString)] {
                    var q = CustomerService.ListQuery(q: "科技测试")
                    q.descending = descending
                    q.cursor = cursor
                    let builder = try #require(try await svc.filtered(q))
                    if let c = cursor { builder.after("name", c.value, id: UUID(uuidString: c.id)!, descending: descending) }
                    builder.sort(\.$name, descending ? .descending : .ascending).sort(\.$id, descending ? .descending : .ascending)
                    let expected = try await builder.copy().limit(12).rows().map(\.id!)
                    #expect(expected.count == 12)
                    let matched = try await builder.copy().limit(1_000).rows().count
                    for cap in [5, 29, 100] {
                        lines.withLockedValue { $0 = [] }
                        #expect(try await builder.searchPageIDs(term: "科技测试", limit: 12, cap: cap) == expected, "cap \(cap) descending \(descending)")
                        // PostgreSQL asks the index first, and walks the name order only when more than `cap` match.
                        let sql = lines.withLockedValue { $0 }
                        #expect(sql.contains { $0.contains("MATERIALIZED") } == !db.isSQLite, "\(sql)")
                        #expect(sql.count == (db.isSQLite || matched <= cap ? 1 : 2), "cap \(cap), \(matched) match: \(sql)")
                    }
                }
            }
        }
    }
}
