import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct CollisionJSON: Decodable {
    struct Match: Decodable { var customerID: UUID; var name: String; var ownerName: String; var reason: String }
    var code: String
    var matches: [Match]
}

@Suite struct CollisionTests {
    @Test func collisionsAreFoundAcrossOwnersWithoutRevealingDetails() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            // westrep's customer, invisible to rep1.
            let west = try await Customer.find(w.customers["west"]!, on: app.db)!
            west.name = "北京新能源科技有限公司"
            west.creditCode = "91110108MA01ABCD2X"
            west.refreshSearchKeys()
            try await west.save(on: app.db)
            let contact = Contact(orgID: w.orgID, customerID: west.id!, ownerID: west.ownerID)
            contact.name = "赵总"
            contact.mobile = "139-1234-5678"
            contact.refreshSearchKeys()
            try await contact.create(on: app.db)

            let rep1 = APIClient(app: app, token: World.token("rep1"))
            for (body, reason) in [
                (#"{"name":"北京新能源科技股份有限公司"}"#, "name"),
                (#"{"name":"京能","creditCode":"91110108ma01abcd2x"}"#, "creditCode"),
                (#"{"name":"另一家","phone":"13912345678"}"#, "phone"),
            ] {
                let res = try await rep1.send(.POST, "/api/v1/customers", json: body)
                #expect(res.status == .conflict, "\(body)")
                let c = try res.json(CollisionJSON.self)
                #expect(c.code == "duplicate")
                #expect(c.matches.map(\.customerID) == [west.id!] && c.matches[0].reason == reason && c.matches[0].ownerName == "Westrep")
                // The existing customer's phone and credit code (not a 3-digit prefix: ids in the answer may hold one).
                #expect(!res.text.contains("12345678") && !res.text.contains("1234-5678") && !res.text.lowercased().contains("91110108ma01"),
                        "no details of the existing customer")
            }
            #expect(try await Customer.query(on: app.db).filter(\.$name == "北京新能源科技股份有限公司").count() == 0)
            // Confirmed: saved anyway.
            #expect(try await rep1.send(.POST, "/api/v1/customers?force=true", json: #"{"name":"北京新能源科技股份有限公司"}"#).status == .created)
            // The look-up endpoint answers the same question before saving.
            let lookup = try await rep1.get("/api/v1/customers/collisions?creditCode=91110108MA01ABCD2X")
            #expect(try lookup.json([CollisionJSON.Match].self).map(\.customerID) == [west.id!])
            // Renaming into a collision is caught too, but an unrelated edit of a near-twin is not.
            let mine = w.customers["rep1"]!
            #expect(try await rep1.send(.PATCH, "/api/v1/customers/\(mine)", json: #"{"name":"北京新能源科技有限公司"}"#).status == .conflict)
            #expect(try await rep1.send(.PATCH, "/api/v1/customers/\(mine)", json: #"{"notes":"ok"}"#).status == .ok)
        }
    }

    @Test func theFormWarnsAndKeepsTheInput() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            let first = try await b.post("/customers/new", [("name", "客户-west"), ("phone", "13700001111")])
            #expect(first.status == .conflict)
            #expect(first.text.contains("可能重复") && first.text.contains("Westrep") && first.text.contains("value=\"13700001111\""))
            #expect(first.text.contains("name=\"confirmDuplicate\""))
            let confirmed = try await b.post("/customers/new", [("name", "客户-west"), ("phone", "13700001111"), ("confirmDuplicate", "1")])
            #expect(confirmed.status == .seeOther)
            #expect(try await Customer.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$name == "客户-west").count() == 2)
        }
    }
}
