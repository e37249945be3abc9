import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct ShareJSON: Decodable { var userID: UUID; var userName: String; var level: String }

@Suite struct ShareTests {
    @Test func shareReadThenEditThenRevoke() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let customer = w.customers["rep1"]!
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.get("/api/v1/customers/\(customer)").status == .notFound)
            // Only the owner (or the assign right) shares.
            #expect(try await rep2.send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/shares",
                                        json: #"{"userIDs":["\#(w.users["westrep"]!)"],"level":"read"}"#).status == .ok)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.send(.POST, "/api/v1/customers/\(customer)/shares", json: #"{"userIDs":["\#(w.users["rep2"]!)"],"level":"read"}"#).status == .forbidden)

            let shared = try await rep1.send(.POST, "/api/v1/customers/\(customer)/shares", json: #"{"userIDs":["\#(w.users["rep2"]!)"],"level":"read"}"#)
            #expect(try shared.json([ShareJSON].self).map(\.level) == ["read"])
            #expect(try await rep2.get("/api/v1/customers/\(customer)").status == .ok)
            #expect(try await rep2.send(.PATCH, "/api/v1/customers/\(customer)", json: #"{"notes":"x"}"#).status == .forbidden)
            // Raising the level lets rep2 edit.
            _ = try await rep1.send(.POST, "/api/v1/customers/\(customer)/shares", json: #"{"userIDs":["\#(w.users["rep2"]!)"],"level":"edit"}"#)
            #expect(try await rep2.send(.PATCH, "/api/v1/customers/\(customer)", json: #"{"notes":"shared edit"}"#).status == .ok)
            // Bad input.
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(customer)/shares", json: #"{"userIDs":["\#(w.users["outsider"]!)"],"level":"read"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(customer)/shares", json: #"{"userIDs":["\#(w.users["rep2"]!)"],"level":"own"}"#).status == .unprocessableEntity)
            // The overview page lists both sides.
            let b = Browser(app)
            try await b.signIn("rep2")
            let page = try await b.get("/shares")
            #expect(page.text.contains("客户-rep1") && page.text.contains("客户-rep2"))
            // Revoke: gone again, and the history says who shared what.
            #expect(try await rep1.send(.DELETE, "/api/v1/customers/\(customer)/shares/\(w.users["rep2"]!)").status == .noContent)
            #expect(try await rep2.get("/api/v1/customers/\(customer)").status == .notFound)
            let history = try await rep1.get("/api/v1/customers/\(customer)/history").json([AuditJSON].self)
            #expect(history.filter { $0.field == "share" }.count == 3)
        }
    }

    @Test func sharePanelOnThe360View() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            let customer = w.customers["rep1"]!
            #expect(try await b.post("/customers/\(customer)/shares", [("userID", w.users["lead"]!.uuidString), ("level", "edit")]).status == .seeOther)
            let page = try await b.get("/customers/\(customer)")
            #expect(page.text.contains("可编辑") && page.text.contains("Lead"))
            #expect(try await b.post("/customers/\(customer)/shares/\(w.users["lead"]!)/revoke").status == .seeOther)
            #expect(try await RecordShare.query(on: app.db).count() == 0)
        }
    }
}
