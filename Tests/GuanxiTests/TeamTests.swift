import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct TeamMemberJSON: Codable { var userID: UUID; var isLeader: Bool; var creditPercent: Int }

@Suite struct TeamTests {
    @Test func salesTeamAndSecondaryOwnerSeeAndWork() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let customer = w.customers["rep1"]!
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let westrep = APIClient(app: app, token: World.token("westrep"))
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await westrep.get("/api/v1/customers/\(customer)").status == .notFound)
            // Secondary owner: sees and edits.
            #expect(try await rep1.send(.PATCH, "/api/v1/customers/\(customer)", json: #"{"secondaryOwnerID":"\#(w.users["westrep"]!)"}"#).status == .ok)
            #expect(try await westrep.send(.PATCH, "/api/v1/customers/\(customer)", json: #"{"notes":"代理人跟进"}"#).status == .ok)
            // Team: rep2 joins as leader with 50% credit.
            let body = #"{"members":[{"userID":"\#(w.users["rep2"]!)","isLeader":true,"creditPercent":50},{"userID":"\#(w.users["rep1"]!)","isLeader":false,"creditPercent":50}]}"#
            let team = try await rep1.send(.PUT, "/api/v1/customers/\(customer)/team", json: body).json([TeamMemberJSON].self)
            #expect(team.count == 2 && team.filter(\.isLeader).map(\.userID) == [w.users["rep2"]!])
            #expect(try await rep2.get("/api/v1/customers/\(customer)").status == .ok)
            #expect(try await rep2.get("/api/v1/customers").json(CustomerPageJSON.self).items.contains { $0.id == customer })
            // Bad teams are refused whole.
            let tooMuch = #"{"members":[{"userID":"\#(w.users["rep2"]!)","isLeader":true,"creditPercent":80},{"userID":"\#(w.users["lead"]!)","isLeader":true,"creditPercent":30}]}"#
            #expect(try await rep1.send(.PUT, "/api/v1/customers/\(customer)/team", json: tooMuch).status == .unprocessableEntity)
            #expect(try await rep1.get("/api/v1/customers/\(customer)/team").json([TeamMemberJSON].self).count == 2)
            // Team members may not reshape the team of a customer they do not own.
            #expect(try await rep2.send(.PUT, "/api/v1/customers/\(customer)/team", json: #"{"members":[]}"#).status == .forbidden)
            let history = try await rep1.get("/api/v1/customers/\(customer)/history").json([AuditJSON].self)
            #expect(history.contains { $0.field == "team" })
            // The 360 view shows the team.
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/customers/\(customer)")
            #expect(page.text.contains("销售团队") && page.text.contains("50%"))
            #expect(try await b.post("/customers/\(customer)/team", [("user0", w.users["lead"]!.uuidString), ("leader", "0"), ("credit0", "100")]).status == .seeOther)
            #expect(try await CustomerTeamMember.query(on: app.db).filter(\.$customerID == customer).count() == 1)
        }
    }
}
