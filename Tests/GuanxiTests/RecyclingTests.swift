import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct NotificationPageJSON: Decodable {
    struct Item: Decodable { var id: UUID; var kind: String; var text: String; var link: String? }
    var items: [Item]
    var unread: Int
}

@Suite struct RecyclingTests {
    @Test func recycleRulesWithAMovedClock() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let pool = try await CustomerPool.query(on: app.db).filter(\.$orgID == w.orgID).first()!
            pool.settings = PoolSettings(recycle: RecycleRule(notContactedDays: 7, warnDays: 2),
                                         recycleByLevel: ["a": RecycleRule(notContactedDays: 30, warnDays: 2)])
            try await pool.save(on: app.db)
            let ids = try await fillPool(app, w, 3)
            let levelA = try await fillPool(app, w, 1, level: "a")[0]
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            for id in ids + [levelA] { #expect(try await rep1.send(.POST, "/api/v1/customers/\(id)/claim").status == .ok) }
            // One of them gets contacted after the claim: the rule no longer applies to it.
            let contacted = try await Customer.find(ids[2], on: app.db)!
            contacted.lastContactedAt = clock.now.addingTimeInterval(3600)
            try await contacted.save(on: app.db)

            let recycler = { try await PoolRecycler(db: app.db, now: clock.now).run() }
            clock.advance(4 * 86_400)
            #expect(try await recycler() == .init(recycled: 0, warned: 0))
            clock.advance(1.5 * 86_400)
            #expect(try await recycler() == .init(recycled: 0, warned: 2))
            // Running again (or on a second node) warns nobody twice.
            #expect(try await recycler() == .init(recycled: 0, warned: 0))
            let notes = try await rep1.get("/api/v1/notifications").json(NotificationPageJSON.self)
            #expect(notes.unread == 2 && notes.items.allSatisfy { $0.kind == "poolWarning" })

            clock.advance(2 * 86_400)
            #expect(try await recycler() == .init(recycled: 2, warned: 0))
            #expect(try await recycler() == .init(recycled: 0, warned: 0))
            for id in ids.prefix(2) {
                let c = try await Customer.find(id, on: app.db)!
                #expect(c.ownerID == nil && c.poolID == pool.id && c.claimedAt == nil)
            }
            #expect(try await Customer.find(ids[2], on: app.db)?.ownerID == w.users["rep1"])
            #expect(try await Customer.find(levelA, on: app.db)?.ownerID == w.users["rep1"], "level A has a longer rule")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$recordID == ids[0]).filter(\.$actorID == nil).all()
            #expect(!audit.isEmpty && audit.allSatisfy { $0.actorName.contains("系统") })
            #expect(try await rep1.get("/api/v1/notifications?unread=true").json(NotificationPageJSON.self).items.filter { $0.kind == "poolRecycled" }.count == 2)
        }
    }

    @Test func oneNodeAtATimeHoldsAJobLease() async throws {
        try await withGuanxi { app, clock in
            let now = clock.now
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for node in ["node-a", "node-b", "node-c", "node-d"] {
                    group.addTask { try await app.db.writeTransaction { tx in try await Jobs.acquire("pool-recycling", holder: node, every: 3600, now: now, on: tx) } }
                }
                var all: [Bool] = []
                for try await w in group { all.append(w) }
                return all
            }
            #expect(wins.filter { $0 }.count == 1)
            #expect(try await Jobs.acquire("pool-recycling", holder: "node-b", every: 3600, now: now.addingTimeInterval(1800), on: app.db) == false)
            #expect(try await Jobs.acquire("pool-recycling", holder: "node-b", every: 3600, now: now.addingTimeInterval(3601), on: app.db) == true)
            // The ticker itself runs the job through the lease.
            _ = try await World.build(app)
            clock.advance(7300)
            await Jobs.tick(app: app, holder: "node-a")
            let lease = try await JobLease.query(on: app.db).filter(\.$name == "pool-recycling").first()!
            #expect(lease.holder == "node-a")
        }
    }

    @Test func notificationCentre() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            for i in 0..<3 {
                try await Notifier.send(UserNotification(orgID: w.orgID, userID: w.users["rep1"]!, kind: "test", messageKey: "notify.poolRecycled",
                                                         args: ["客户\(i)", "公海"], link: "/customers", dedupeKey: nil, at: clock.now), on: app.db)
            }
            let b = Browser(app)
            try await b.signIn("rep1")
            let home = try await b.get("/")
            #expect(home.text.contains("bell-count\">3<"))
            let page = try await b.get("/notifications")
            #expect(page.text.contains("客户0") && page.text.contains("回收到"))
            let first = try await UserNotification.query(on: app.db).filter(\.$userID == w.users["rep1"]!).first()!
            let opened = try await b.post("/notifications/\(first.id!)/open")
            #expect(opened.status == .seeOther && opened.location == "/customers")
            let api = APIClient(app: app, token: World.token("rep1"))
            #expect(try await api.get("/api/v1/notifications").json(NotificationPageJSON.self).unread == 2)
            // Nobody else can read mine.
            #expect(try await APIClient(app: app, token: World.token("rep2")).send(.POST, "/api/v1/notifications/\(first.id!)/read").status == .notFound)
            #expect(try await api.send(.POST, "/api/v1/notifications/read-all").status == .noContent)
            #expect(try await api.get("/api/v1/notifications").json(NotificationPageJSON.self).unread == 0)
        }
    }
}
