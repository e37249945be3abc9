import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit
import Testing
@testable import Guanxi

/// `rows()` reads models itself (from SQLite's values, or any SQL row by its names); they must be the
/// models `all()` makes, on both databases.
@Suite struct RowsTests {
    @Test func uuidsReadAsFoundationReadsThem() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(id.text == id.uuidString)
            #expect(UUID.parse(id.uuidString) == id)
            #expect(UUID.parse(id.uuidString.lowercased()) == id)
        }
        for bad in ["", "not-a-uuid", "0190B7C2-8F4A-7000-8000-00000000000", "0190B7C2-8F4A-7000-8000-0000000000001",
                    "0190B7C2+8F4A-7000-8000-000000000000", "0190B7C2-8F4A-7000-8000-00000000000G", "０190B7C2-8F4A-7000-8000-00000000000"] {
            #expect(UUID.parse(bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "\(bad)")
        }
        for edge in [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))] {
            #expect(edge.text == edge.uuidString)
        }
    }

    /// Raw statements read through kept statements (`keptRows`: the money figures, the access version)
    /// decode as SQLKit's own rows decode: text, ids, integers, nulls, missing columns.
    @Test func keptRowsDecodeAsSQLKitsRows() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let sql = try #require(app.db as? any SQLDatabase)
            struct R: Decodable, Equatable {
                let name: String
                let phone: String?
                let owner_id: UUID?
                let secondary_owner_id: UUID?
                let seven: Int64
            }
            let query: SQLQueryString = """
                SELECT name, phone, owner_id, secondary_owner_id, CAST(7 AS BIGINT) AS seven FROM customers
                WHERE org_id = \(bind: w.orgID) ORDER BY name
                """
            let plain = try await sql.raw(query).all(decoding: R.self)
            for _ in 0..<3 {
                let kept = try await sql.keptRows(query)
                #expect(try kept.map { try $0.decode(model: R.self) } == plain)
                #expect(plain.count == 7)
                let first = try #require(kept.first)
                #expect(try first.decodeNil(column: "secondary_owner_id"))
                #expect(try !first.decodeNil(column: "owner_id"))
                #expect(!first.contains(column: "nope"))
                #expect(throws: (any Error).self) { try first.decode(column: "nope", as: String.self) }
            }
        }
    }

    @Test func modelsMatchFluentsOwnToEveryField() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let actor = try await Actor.resolve(userID: w.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let full = try #require(try await Customer.find(w.customers["rep1"]!, on: app.db))
            full.isHot = true
            full.creditLimit = 12_345_600
            full.lastContactedAt = clock.now.addingTimeInterval(-3600.25)
            full.registeredOn = "2019-05-04"
            full.notes = "第一行\n第二行 \"引号\" 'x'"
            full.parentID = w.customers["rep2"]
            try await full.save(on: app.db)
            let bare = try #require(try await Customer.find(w.customers["rep2"]!, on: app.db))
            bare.isHot = false

            try await bare.save(on: app.db)
            let ids = [full.id!, bare.id!]
            let fluent = try await actor.inOrg(Customer.self, on: app.db).filter(\.$id ~~ ids).sort(\.$id).all()
            let ours = try await actor.inOrg(Customer.self, on: app.db).filter(\.$id ~~ ids).sort(\.$id).rows()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(ours.count == 2)
            let (a, b) = (String(decoding: try encoder.encode(ours), as: UTF8.self), String(decoding: try encoder.encode(fluent), as: UTF8.self))
            #expect(a == b)
            #expect(ours.allSatisfy { $0.$id.exists })
            #expect(ours.first { $0.id == full.id }?.isHot == true)
            #expect(ours.first { $0.id == bare.id }?.isHot == false)
            #expect(ours.first { $0.id == full.id }?.creditLimit == 12_345_600)

            let one = try await actor.inOrg(Customer.self, on: app.db).filter(\.$id == full.id!).firstRow()
            #expect(one?.parentID == w.customers["rep2"])
            #expect(try await actor.inOrg(Customer.self, on: app.db).filter(\.$id == UUID()).firstRow() == nil)
            // Only the fields asked for are read; the rest stay unset as with Fluent.
            let idsOnly = try await actor.inOrg(Customer.self, on: app.db).filter(\.$id ~~ ids).field(\.$id).rows()
            #expect(Set(idsOnly.compactMap(\.id)) == Set(ids))
        }
    }

    /// A session or token brings its organisation's stamp (and the unread count) in the same statement.
    @Test func aFirstRowReadsItsAddedColumnsInTheSameStatement() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let org = try #require(try await Organization.find(w.orgID, on: app.db))
            let user = try #require(try await User.find(w.users["rep1"]!, on: app.db))
            let token = try #require(try await ApiToken.query(on: app.db).filter(\.$userID == user.id!).first())
            for unread in 0..<2 {
                if unread == 1 {
                    try await UserNotification(orgID: w.orgID, userID: user.id!, kind: "test", messageKey: "t", args: [], link: nil, dedupeKey: nil, at: Date()).create(on: app.db)
                }
                let lines = NIOLockedValueBox<[String]>([])
                let logger = Logger(label: "sql") { _ in QueryShapeTests.Capture(lines: lines) }
                let db = app.databases.database(logger: logger, on: app.eventLoopGroup.any())!
                let (read, more) = try #require(try await ApiToken.query(on: db).filter(\.$id == token.id!)
                    .firstRow(adding: [ActorCache.stampColumn(of: ApiToken.schema), Notifier.unreadColumn(of: ApiToken.schema),
                                       ("nothing", "NULL")]))
                #expect(lines.withLockedValue { $0.count } == 1)
                #expect(read.id == token.id && read.tokenHash == token.tokenHash && read.$id.exists)
                let stamp = try await ActorCache.version(orgID: w.orgID, on: app.db)
                #expect(try more?.integer("access_version") == stamp && stamp != nil)
                #expect(try more?.integer("unread") == Int64(unread))
                #expect(try more?.integer("nothing") == nil)
            }
            // The bell's count stops at 100: it shows "99+" beyond 99.
            for _ in 0..<120 {
                try await UserNotification(orgID: w.orgID, userID: user.id!, kind: "test", messageKey: "t", args: [], link: nil, dedupeKey: nil, at: Date()).create(on: app.db)
            }
            let many = try await ApiToken.query(on: app.db).filter(\.$id == token.id!).firstRow(adding: [Notifier.unreadColumn(of: ApiToken.schema)])
            #expect(try many?.1?.integer("unread") == 100)
            #expect(try await Notifier.unreadCount(userID: user.id!, on: app.db) == 121)
            // The stamp read with the token moves as the organisation's own does.
            let before = try await ApiToken.query(on: app.db).filter(\.$id == token.id!).firstRow(adding: [ActorCache.stampColumn(of: ApiToken.schema)])
            org.name = "改过的名字"
            try await org.save(on: app.db)
            let after = try await ApiToken.query(on: app.db).filter(\.$id == token.id!).firstRow(adding: [ActorCache.stampColumn(of: ApiToken.schema)])
            #expect(try after?.1?.integer("access_version") == (try before?.1?.integer("access_version")).map { $0 + 1 })
            #expect(try await ApiToken.query(on: app.db).filter(\.$id == UUID()).firstRow(adding: [ActorCache.stampColumn(of: ApiToken.schema)]) == nil)
        }
    }

    @Test func deletedRowsStayOutAndTheSQLIsFluentsOwn() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let actor = try await Actor.resolve(userID: w.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let gone = try #require(try await Customer.find(w.customers["rep2"]!, on: app.db))
            try await gone.delete(on: app.db)
            // Without `withDeleted()` Fluent's own filter applies, so `rows()` leaves the row to `all()`.
            #expect(try await Customer.query(on: app.db).filter(\.$id == gone.id!).rows().isEmpty)
            #expect(try await Customer.query(on: app.db).filter(\.$id == gone.id!).withDeleted().rows().count == 1)
            #expect(try await actor.inOrg(Customer.self, on: app.db).filter(\.$id == gone.id!).rows().isEmpty)

            let lines = NIOLockedValueBox<[String]>([])
            let logger = Logger(label: "sql") { _ in QueryShapeTests.Capture(lines: lines) }
            let db = app.databases.database(logger: logger, on: app.eventLoopGroup.any())!
            let query = { actor.inOrg(Customer.self, on: db).filter(\.$ownerID == w.users["rep1"]!).sort(\.$name).limit(5) }
            let fluent = try await query().all()
            let ours = try await query().rows()
            #expect(ours.map(\.id) == fluent.map(\.id))
            let sql = lines.withLockedValue { $0 }
            if app.db.isSQLite {
                #expect(sql.count == 2)
                #expect(sql.first == sql.last, "\(sql)")
            }
        }
    }

    /// A list page reads its columns without models; every field, core and custom, must read as the
    /// model's `read` gives it, and the same page as `list` must come back in the same order.
    @Test func listedRecordsReadEveryFieldAsTheModelDoes() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            for body in [#"{"entity":"customer","label":"年采购额","kind":"money"}"#, #"{"entity":"customer","label":"员工人数","kind":"number"}"#,
                         #"{"entity":"customer","label":"上市","kind":"bool"}"#] {
                #expect(try await admin.send(.POST, "/api/v1/custom-fields", json: body).status == .created)
            }
            let actor = try #require(try await Actor.resolve(userID: w.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db))
            let def = actor.definition(Customer.definition)
            let custom = def.fields.filter(\.isCustom)
            #expect(custom.count == 3)
            let full = try #require(try await Customer.find(w.customers["rep1"]!, on: app.db))
            full.creditLimit = 12_345_600
            full.registeredOn = "2019-05-04"
            full.notes = "第一行\n第二行 \"引号\""
            full.parentID = w.customers["rep2"]
            full.settlementCustomerID = w.customers["rep2"]
            full.secondaryOwnerID = w.users["rep2"]
            full.email = "buyer@example.com"
            full.industry = "manufacturing"
            for (f, v) in zip(custom, ["880000", "1200", "true"]) { f.write?(full, v) }
            try await full.save(on: app.db)

            let svc = CustomerService(db: app.db, actor: actor, now: clock.now)
            let keys = def.fields.map(\.key)
            for query in [CustomerService.ListQuery(), CustomerService.ListQuery(sort: .created, descending: true, limit: 2)] {
                let models = try await svc.list(query)
                let listed = try await svc.listed(query, keys: keys)
                #expect(listed.items.map(\.id) == models.items.map { $0.id! })
                #expect(listed.next?.id == models.next?.id && listed.next?.value == models.next?.value)
                for (l, m) in zip(listed.items, models.items) {
                    for f in def.fields { #expect(l[f.key] == f.read(m), "\(f.key)") }
                }
                // The API's list shows listed customers exactly as it showed their models.
                let withTimes = try await svc.listed(query, keys: keys, times: ["created_at", "updated_at"])
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                let fromModels = try encoder.encode(try await CustomerAPIController.json(models.items, actor: actor, svc: svc))
                let fromListed = try encoder.encode(try await CustomerAPIController.json(withTimes.items, actor: actor, on: app.db))
                #expect(String(decoding: fromListed, as: UTF8.self) == String(decoding: fromModels, as: UTF8.self))
                #expect(withTimes.items.allSatisfy { $0.times["created_at"] != nil })
            }
            let one = try #require(try await svc.listed(CustomerService.ListQuery(q: full.name), keys: ["creditLimit", custom[0].key]).items.first)
            #expect(one.id == full.id && one["creditLimit"] == "12345600" && one[custom[0].key] == "880000")
            // Only the keys asked for (and the name, which the page cursor needs) are read.
            #expect(Set(one.values.keys) == ["name", "creditLimit", custom[0].key])
        }
    }
}
