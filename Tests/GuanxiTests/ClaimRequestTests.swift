import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct ClaimListsJSON: Decodable {
    struct Item: Decodable { var id: UUID; var customerID: UUID; var status: String }
    var toDecide: [Item]
    var mine: [Item]
}

@Suite struct ClaimRequestTests {
    @Test func applyAndApprove() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let ids = try await fillPool(app, w, 3)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(ids[0])/claim-requests", json: #"{"reason":""}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(ids[0])/claim-requests", json: #"{"reason":"老客户介绍"}"#).status == .created)
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(ids[0])/claim-requests", json: #"{"reason":"again"}"#).status == .conflict)
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/claim-requests", json: #"{"reason":"x"}"#).status == .notFound)
            // The supervisor is told and sees it; a peer does not.
            let lead = APIClient(app: app, token: World.token("lead"))
            let leadNotes = try await lead.get("/api/v1/notifications").json(NotificationPageJSON.self)
            #expect(leadNotes.items.contains { $0.kind == "claimRequest" })
            let pending = try await lead.get("/api/v1/claim-requests").json(ClaimListsJSON.self).toDecide
            #expect(pending.map(\.customerID) == [ids[0]])
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.get("/api/v1/claim-requests").json(ClaimListsJSON.self).toDecide.isEmpty)
            #expect(try await rep2.send(.POST, "/api/v1/claim-requests/\(pending[0].id)/approve").status == .forbidden)
            // Approval hands the customer over; deciding twice is refused.
            #expect(try await lead.send(.POST, "/api/v1/claim-requests/\(pending[0].id)/approve", json: #"{"comment":"好"}"#).status == .ok)
            #expect(try await Customer.find(ids[0], on: app.db)?.ownerID == w.users["rep1"])
            #expect(try await lead.send(.POST, "/api/v1/claim-requests/\(pending[0].id)/reject").status == .conflict)
            #expect(try await rep1.get("/api/v1/notifications").json(NotificationPageJSON.self).items.contains { $0.kind == "claimDecision" })

            // Two approvers at once (supervisor and manager): one decision stands.
            _ = try await rep1.send(.POST, "/api/v1/customers/\(ids[1])/claim-requests", json: #"{"reason":"r"}"#)
            let second = try await lead.get("/api/v1/claim-requests").json(ClaimListsJSON.self).toDecide[0]
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for who in ["lead", "manager"] {
                    group.addTask { try await APIClient(app: app, token: World.token(who)).send(.POST, "/api/v1/claim-requests/\(second.id)/approve").status }
                }
                var all: [HTTPStatus] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 1)
            // Reject and withdraw.
            _ = try await rep1.send(.POST, "/api/v1/customers/\(ids[2])/claim-requests", json: #"{"reason":"r"}"#)
            let third = try await rep1.get("/api/v1/claim-requests").json(ClaimListsJSON.self).mine.first { $0.customerID == ids[2] }!
            #expect(try await rep1.send(.POST, "/api/v1/claim-requests/\(third.id)/withdraw").status == .noContent)
            #expect(try await rep1.send(.POST, "/api/v1/claim-requests/\(third.id)/withdraw").status == .conflict)
            #expect(try await Customer.find(ids[2], on: app.db)?.ownerID == nil)
            // The page.
            let b = Browser(app)
            try await b.signIn("lead")
            #expect(try await b.get("/pools/requests").status == .ok)
        }
    }
}
