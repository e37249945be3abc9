import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ListAndBulkTests {
    @Test func teamHotAndRecentlyViewedLists() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let lead = APIClient(app: app, token: World.token("lead"))
            let team = try await lead.get("/api/v1/customers?team=true").json(CustomerPageJSON.self)
            #expect(Set(team.items.compactMap { w.key(of: $0.id) }) == ["rep1", "rep2"])
            #expect(try await APIClient(app: app, token: World.token("rep1")).get("/api/v1/customers?team=true").json(CustomerPageJSON.self).items.isEmpty)
            #expect(try await lead.send(.PUT, "/api/v1/customers/\(w.customers["rep1"]!)/hot", json: #"{"hot":true}"#).status == .noContent)
            #expect(try await lead.get("/api/v1/customers?hot=true").json(CustomerPageJSON.self).items.map(\.id) == [w.customers["rep1"]!])
            // A viewer may not pin what it cannot edit.
            #expect(try await APIClient(app: app, token: World.token("viewer")).send(.PUT, "/api/v1/customers/\(w.customers["rep2"]!)/hot", json: #"{"hot":true}"#).status == .forbidden)
            let b = Browser(app)
            try await b.signIn("lead")
            _ = try await b.get("/customers/\(w.customers["rep2"]!)")
            clock.advance(5)
            _ = try await b.get("/customers/\(w.customers["lead"]!)")
            let recent = try await lead.get("/api/v1/customers?recent=true").json(CustomerPageJSON.self)
            #expect(recent.items.map(\.id) == [w.customers["lead"]!, w.customers["rep2"]!])
            let page = try await b.get("/customers?hot=1")
            #expect(page.text.contains("客户-rep1") && !page.text.contains("客户-rep2<"))
        }
    }

    /// Views opened at the same moment are written together (`CustomerViewLog`): each user keeps one row
    /// per customer, the latest, and sees them in "recently viewed" as soon as the pages answered.
    @Test func customersOpenedTogetherAreEachRemembered() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            var signedIn: [String: Browser] = [:]
            for user in ["lead", "manager"] {
                let b = Browser(app)
                try await b.signIn(user)
                signedIn[user] = b
            }
            let opened: [(String, String)] = [("lead", "lead"), ("lead", "rep1"), ("lead", "rep2"), ("lead", "rep2"), ("lead", "rep1"),
                                              ("manager", "rep1"), ("manager", "lead"), ("manager", "rep1")]
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (user, customer) in opened {
                    let b = Browser(app)
                    b.cookies = signedIn[user]!.cookies
                    group.addTask { try await b.get("/customers/\(w.customers[customer]!)").status }
                }
                for try await status in group { #expect(status == .ok) }
            }
            for (user, customers) in [("lead", ["lead", "rep1", "rep2"]), ("manager", ["lead", "rep1"])] {
                let rows = try await CustomerView.query(on: app.db).filter(\.$userID == w.users[user]!).all()
                let expected: [UUID] = customers.map { w.customers[$0]! }
                #expect(rows.count == expected.count)
                #expect(Set(rows.map(\.customerID)) == Set(expected))
                let recent = try await APIClient(app: app, token: World.token(user)).get("/api/v1/customers?recent=true").json(CustomerPageJSON.self)
                #expect(Set(recent.items.map(\.id)) == Set(expected))
            }
        }
    }

    @Test func bulkActionsAreAllOrNothing() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let manager = APIClient(app: app, token: World.token("manager"))
            let ids = [w.customers["rep1"]!, w.customers["rep2"]!]
            let body = { (action: String, extra: String) in #"{"customerIDs":["\#(ids[0])","\#(ids[1])"],"action":"\#(action)"\#(extra)}"# }
            #expect(try await manager.send(.POST, "/api/v1/customers/bulk", json: body("level", #","value":"a""#)).json(MovedJSON.self).moved == 2)
            #expect(try await Customer.find(ids[1], on: app.db)?.level == "a")
            #expect(try await manager.send(.POST, "/api/v1/customers/bulk", json: body("level", #","value":"zzz""#)).status == .unprocessableEntity)
            #expect(try await manager.send(.POST, "/api/v1/customers/bulk", json: body("transfer", #","userID":"\#(w.users["westrep"]!)""#)).json(MovedJSON.self).moved == 2)
            #expect(try await Customer.find(ids[0], on: app.db)?.ownerID == w.users["westrep"])
            #expect(try await manager.send(.POST, "/api/v1/customers/bulk", json: body("share", #","userID":"\#(w.users["rep1"]!)","value":"read""#)).status == .ok)
            // One customer out of scope: nothing happens to the other either.
            let mixed = #"{"customerIDs":["\#(ids[0])","\#(w.customers["admin"]!)"],"action":"delete"}"#
            #expect(try await manager.send(.POST, "/api/v1/customers/bulk", json: mixed).status == .notFound)
            #expect(try await Customer.find(ids[0], on: app.db) != nil)
            #expect(try await manager.send(.POST, "/api/v1/customers/bulk", json: body("delete", "")).json(MovedJSON.self).moved == 2)
            #expect(try await Customer.query(on: app.db).filter(\.$id ~~ ids).count() == 0)
            // Reps cannot transfer or delete in bulk.
            let rep = APIClient(app: app, token: World.token("westrep"))
            #expect(try await rep.send(.POST, "/api/v1/customers/bulk", json: #"{"customerIDs":["\#(w.customers["west"]!)"],"action":"delete"}"#).status == .forbidden)
            // The page form works the same.
            let b = Browser(app)
            try await b.signIn("manager")
            let res = try await b.post("/customers/bulk", [("ids[]", w.customers["lead"]!.uuidString), ("action", "status"), ("value", "signed"), ("back", "/customers")])
            #expect(res.status == .seeOther)
            #expect(try await Customer.find(w.customers["lead"]!, on: app.db)?.status == "signed")
        }
    }
}

@Suite struct CopyCustomerTests {
    @Test func copyFillsTheNewFormWithinScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let c = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            c.industry = "finance"
            c.address = "杭州市西湖区文三路 1 号"
            try await c.save(on: app.db)
            let b = Browser(app)
            try await b.signIn("rep1")
            let form = try await b.get("/customers/\(c.id!)/copy")
            #expect(form.status == .ok)
            #expect(form.text.contains("客户-rep1（复制）") && form.text.contains("杭州市西湖区文三路 1 号"))
            #expect(form.text.contains("<option value=\"finance\" selected"))
            #expect(!form.text.contains(c.number ?? "KH-none"), "the copy gets a number of its own")
            // The copy is a new customer: the collision check sees the same phone before saving.
            let saved = try await b.post("/customers/new", [("name", "客户-rep1（复制）"), ("phone", c.phone ?? ""), ("industry", "finance")])
            #expect(saved.status == .conflict)
            // Outside the scope or without the create right there is nothing to copy.
            #expect(try await b.get("/customers/\(w.customers["rep2"]!)/copy").status == .notFound)
            let viewer = Browser(app)
            try await viewer.signIn("viewer")
            #expect(try await viewer.get("/customers/\(c.id!)/copy").status == .forbidden)
        }
    }
}

@Suite struct EnvelopeTests {
    @Test func envelopesAndLabelsForSelectedCustomers() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let c = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            c.postcode = "100022"
            c.address = "建国路 88 号"
            try await c.save(on: app.db)
            let contact = Contact(orgID: w.orgID, customerID: c.id!, ownerID: c.ownerID)
            contact.name = "李经理"
            contact.isPrimary = true
            try await contact.create(on: app.db)
            let b = Browser(app)
            try await b.signIn("admin")
            let page = try await b.get("/customers/envelopes?ids[]=\(c.id!)&ids[]=\(w.customers["other"]!)")
            #expect(page.status == .ok)
            #expect(page.text.contains("建国路 88 号") && page.text.contains("李经理 收") && page.text.contains("<span class=\"digit\">1</span>"))
            #expect(!page.text.contains("客户-other"), "another organisation's customer is never printed")
            let labels = try await b.get("/customers/envelopes?ids[]=\(c.id!)&layout=label")
            #expect(labels.text.contains("label-item"))
            #expect(try await b.get("/customers/envelopes").status == .badRequest)
            let viewer = Browser(app)
            try await viewer.signIn("viewer")
            #expect(try await viewer.get("/customers/envelopes?ids[]=\(c.id!)").status == .forbidden)
        }
    }
}
