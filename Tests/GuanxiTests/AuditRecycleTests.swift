import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct AuditJSON: Decodable {
    var action: String
    var field: String?
    var oldValue: String?
    var newValue: String?
    var actorName: String
}

struct DeletedJSON: Decodable {
    var entity: String
    var id: UUID
    var title: String
}

@Suite struct AuditRecycleTests {
    @Test func createUpdateDeleteRestorePurgeAreAudited() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep = APIClient(app: app, token: World.token("rep1"))
            let created = try await rep.send(.POST, "/api/v1/customers", json: #"{"name":"审计测试","phone":"13912345678"}"#)
            #expect(created.status == .created)
            let id = try created.json(CustomerPageJSON.Item.self).id
            clock.advance(60)
            #expect(try await rep.send(.PATCH, "/api/v1/customers/\(id)", json: #"{"name":"审计测试二","phone":""}"#).status == .ok)

            var history = try await rep.get("/api/v1/customers/\(id)/history").json([AuditJSON].self)
            #expect(history.contains { $0.action == "create" && $0.field == "name" && $0.newValue == "审计测试" })
            #expect(history.contains { $0.action == "update" && $0.field == "name" && $0.oldValue == "审计测试" && $0.newValue == "审计测试二" })
            #expect(history.contains { $0.action == "update" && $0.field == "phone" && $0.oldValue == "13912345678" && $0.newValue == nil })
            #expect(history.allSatisfy { $0.actorName == "Rep1" })

            // The rep may not delete; the admin can, and the customer moves to the recycle bin.
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.DELETE, "/api/v1/customers/\(id)").status == .noContent)
            #expect(try await rep.get("/api/v1/customers/\(id)").status == .notFound)
            let bin = try await admin.get("/api/v1/recycle-bin").json([DeletedJSON].self)
            #expect(bin.contains { $0.id == id && $0.title == "审计测试二" })
            let row = try await Customer.query(on: app.db).withDeleted().filter(\.$id == id).first()!
            #expect(row.deletedBy == w.users["admin"] && row.deletedAt != nil)

            // Only admins see and use the bin.
            #expect(try await rep.get("/api/v1/recycle-bin").status == .forbidden)
            #expect(try await rep.send(.POST, "/api/v1/recycle-bin/customer/\(id)/restore").status == .forbidden)

            clock.advance(1)
            #expect(try await admin.send(.POST, "/api/v1/recycle-bin/customer/\(id)/restore").status == .noContent)
            #expect(try await rep.get("/api/v1/customers/\(id)").status == .ok)
            history = try await admin.get("/api/v1/customers/\(id)/history").json([AuditJSON].self)
            #expect(history.first?.action == "restore")
            #expect(history.contains { $0.action == "delete" })

            #expect(try await admin.send(.DELETE, "/api/v1/customers/\(id)").status == .noContent)
            #expect(try await admin.send(.DELETE, "/api/v1/recycle-bin/customer/\(id)").status == .noContent)
            #expect(try await Customer.query(on: app.db).withDeleted().filter(\.$id == id).count() == 0)
            let purge = try await AuditEntry.query(on: app.db).filter(\.$recordID == id).filter(\.$action == .purge).count()
            #expect(purge == 1)
            // The other organisation's bin is not ours.
            let outsider = APIClient(app: app, token: World.token("outsider"))
            #expect(try await outsider.get("/api/v1/recycle-bin").json([DeletedJSON].self).isEmpty)
        }
    }

    @Test func recycleBinPageRestoresAndHistoryTabShowsChanges() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let id = w.customers["rep1"]!
            #expect(try await b.post("/customers/\(id)/edit", [("name", "改过的名字"), ("phone", "13800000000"), ("notes", "")]).status == .seeOther)
            let detail = try await b.get("/customers/\(id)")
            #expect(detail.text.contains("改过的名字"))
            #expect(detail.text.contains("客户-rep1"))
            #expect(try await b.post("/customers/\(id)/delete").status == .seeOther)
            let bin = try await b.get("/admin/recycle-bin")
            #expect(bin.text.contains("改过的名字"))
            #expect(try await b.post("/admin/recycle-bin/customer/\(id)/restore").status == .seeOther)
            #expect(try await b.get("/customers/\(id)").status == .ok)
            // non-admins cannot open the bin
            let rep = Browser(app)
            try await rep.signIn("rep1")
            #expect(try await rep.get("/admin/recycle-bin").status == .forbidden)
        }
    }
}
