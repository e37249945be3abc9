import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct OpportunityContactTests {
    struct Involved: Decodable { var contactID: UUID; var name: String; var role: String?; var isKey: Bool }
    struct Item: Decodable { var id: UUID }

    @Test func anOpportunityInvolvesSeveralOfTheCustomersPeople() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            var contacts: [String: UUID] = [:]
            for (name, mobile) in [("王总", "13900000001"), ("李工", "13900000002")] {
                let res = try await rep1.send(.POST, "/api/v1/customers/\(w.customers["rep1"]!)/contacts", json: #"{"name":"\#(name)","mobile":"\#(mobile)"}"#)
                #expect(res.status == .created, "\(res.text)")
                contacts[name] = try res.json(Item.self).id
            }
            let foreign = try await APIClient(app: app, token: World.token("rep2"))
                .send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/contacts", json: #"{"name":"别人的联系人"}"#).json(Item.self).id
            let opp = try await rep1.send(.POST, "/api/v1/opportunities",
                                          json: #"{"name":"多人商机","customerID":"\#(w.customers["rep1"]!)","contactID":"\#(contacts["王总"]!)"}"#).json(Item.self).id
            let added = try await rep1.send(.POST, "/api/v1/opportunities/\(opp)/contacts", json: #"{"contactID":"\#(contacts["李工"]!)","role":"influencer"}"#)
            #expect(added.status == .created, "\(added.text)")
            let list = try await rep1.get("/api/v1/opportunities/\(opp)/contacts").json([Involved].self)
            #expect(list.map(\.name) == ["王总", "李工"] && list[0].isKey && list[1].role == "influencer")
            // Only the customer's own people, with a role from the dictionary.
            let wrong = try await rep1.send(.POST, "/api/v1/opportunities/\(opp)/contacts", json: #"{"contactID":"\#(foreign)","role":"boss"}"#)
            #expect(wrong.status == .unprocessableEntity && wrong.text.contains("contactID") && wrong.text.contains("role"))
            // Changing the role is the same call; the audit trail has both.
            #expect(try await rep1.send(.POST, "/api/v1/opportunities/\(opp)/contacts", json: #"{"contactID":"\#(contacts["李工"]!)","role":"decider"}"#).status == .created)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == opp).filter(\.$field == "contacts").count()
            #expect(audited == 2)
            // The scope of the opportunity holds.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/opportunities/\(opp)/contacts").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("viewer"))
                .send(.POST, "/api/v1/opportunities/\(opp)/contacts", json: #"{"contactID":"\#(contacts["李工"]!)"}"#).status == .forbidden)
            // In the page, and taken off again.
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/opportunities/\(opp)")
            #expect(page.text.contains("id=\"contacts\"") && page.text.contains("李工"))
            #expect(try await b.post("/opportunities/\(opp)/contacts/\(contacts["李工"]!)/delete").status == .seeOther)
            #expect(try await rep1.get("/api/v1/opportunities/\(opp)/contacts").json([Involved].self).map(\.name) == ["王总"])
            #expect(try await rep1.send(.DELETE, "/api/v1/opportunities/\(opp)/contacts/\(contacts["李工"]!)").status == .notFound)
        }
    }
}
