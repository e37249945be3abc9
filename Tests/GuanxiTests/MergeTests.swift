import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct MergeResultJSON: Decodable { var mergeID: UUID; var survivorID: UUID }
struct DuplicateGroupJSON: Decodable { var reason: String; var customers: [CustomerPageJSON.Item] }

@Suite struct MergeTests {
    @Test func mergeMovesEverythingAndCanBeUndone() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let a = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            let b = try await Customer.find(w.customers["rep2"]!, on: app.db)!
            for c in [a, b] { c.creditCode = "91110000MA01TEST0X"; try await c.save(on: app.db) }
            let contact = Contact(orgID: w.orgID, customerID: b.id!, ownerID: b.ownerID)
            contact.name = "王工"
            contact.isPrimary = true
            try await contact.create(on: app.db)
            try await RecordShare(orgID: w.orgID, entity: Customer.entity, recordID: b.id!, userID: w.users["westrep"]!, level: .read, at: Date()).create(on: app.db)
            let child = try await Customer.find(w.customers["lead"]!, on: app.db)!
            child.parentID = b.id
            try await child.save(on: app.db)

            let lead = APIClient(app: app, token: World.token("lead"))
            // The lead sees the pair as duplicates; merging needs delete on the other one, which the lead lacks.
            let groups = try await lead.get("/api/v1/customers/duplicates").json([DuplicateGroupJSON].self)
            #expect(groups.contains { g in g.reason == "creditCode" && Set(g.customers.map(\.id)) == [a.id!, b.id!] })
            let body = #"{"survivorID":"\#(a.id!)","mergedID":"\#(b.id!)","takeFromMerged":["phone"]}"#
            #expect(try await lead.send(.POST, "/api/v1/customers/merge", json: body).status == .forbidden)

            let manager = APIClient(app: app, token: World.token("manager"))
            let result = try await manager.send(.POST, "/api/v1/customers/merge", json: body).json(MergeResultJSON.self)
            let survivor = try await Customer.find(a.id!, on: app.db)!
            #expect(survivor.phone == b.phone)
            #expect(try await Contact.find(contact.id!, on: app.db)?.customerID == a.id)
            #expect(try await Customer.find(child.id!, on: app.db)?.parentID == a.id)
            #expect(try await RecordShare.query(on: app.db).filter(\.$recordID == a.id!).filter(\.$userID == w.users["westrep"]!).count() == 1)
            #expect(try await Customer.find(b.id!, on: app.db) == nil, "the other one is in the recycle bin")
            let history = try await manager.get("/api/v1/customers/\(a.id!)/history").json([AuditJSON].self)
            #expect(history.contains { $0.action == "merge" })

            // Undo puts everything back.
            #expect(try await manager.send(.POST, "/api/v1/customers/merges/\(result.mergeID)/undo").status == .noContent)
            #expect(try await Customer.find(b.id!, on: app.db) != nil)
            #expect(try await Contact.find(contact.id!, on: app.db)?.customerID == b.id)
            #expect(try await Customer.find(child.id!, on: app.db)?.parentID == b.id)
            #expect(try await Customer.find(a.id!, on: app.db)?.phone == a.phone)
            #expect(try await manager.send(.POST, "/api/v1/customers/merges/\(result.mergeID)/undo").status == .notFound)
        }
    }

    @Test func mergePagesWork() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let a = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            let b = try await Customer.find(w.customers["rep2"]!, on: app.db)!
            b.name = a.name
            b.refreshSearchKeys()
            try await b.save(on: app.db)
            let browser = Browser(app)
            try await browser.signIn("manager")
            let page = try await browser.get("/customers/duplicates")
            #expect(page.text.contains("名称相近") && page.text.contains("合并到"))
            let compare = try await browser.get("/customers/merge?survivor=\(a.id!)&merged=\(b.id!)")
            #expect(compare.status == .ok && compare.text.contains("type=\"radio\""))
            let done = try await browser.post("/customers/merge", [("survivor", a.id!.uuidString), ("merged", b.id!.uuidString), ("phone", "merged")])
            #expect(done.status == .seeOther)
            let view = try await browser.get("/customers/\(a.id!)")
            #expect(view.text.contains("撤销合并"))
        }
    }
}
