import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ApprovalFlowTests {
    struct Made: Decodable { var id: UUID }
    struct Req: Decodable { var id: UUID; var status: String; var waitingFor: [String]; var currentStep: Int }

    /// rep1 quotes (with product lookup); the floor policy wants approval; the quote flow is: the
    /// submitter's supervisor (lead), then manager and director together from 50,000 yuan.
    func setUp(_ app: Application, _ w: World) async throws -> (product: UUID, rep1: APIClient) {
        let admin = APIClient(app: app, token: World.token("admin"))
        let product = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"服务器","unit":"台","listPrice":4580000,"floorPrice":4100000}"#).json(Made.self).id
        let role = Role(orgID: w.orgID, name: "Quoting rep", policy: RolePolicy(
            actions: [.customers: [.view, .create, .edit], .quotes: [.view, .create, .edit], .products: [.view]], scopes: [.customers: .own, .quotes: .own]))
        try await role.create(on: app.db)
        try await UserRole.query(on: app.db).filter(\.$userID == w.users["rep1"]!).delete()
        try await UserRole(orgID: w.orgID, userID: w.users["rep1"]!, roleID: role.id!).create(on: app.db)
        let b = Browser(app)
        try await b.signIn("admin")
        #expect(try await b.post("/products/settings", [("duplicateName", "warn"), ("floor", "approve")]).status == .seeOther)
        let flow = try await admin.send(.PUT, "/api/v1/approval-flows/quote", json: #"""
            [{"name":"主管审批","mode":"anyOne","approvers":{"kind":"supervisor"}},
             {"name":"经理会签","mode":"allOf","minAmount":5000000,"approvers":{"kind":"users","users":["\#(w.users["manager"]!)","\#(w.users["director"]!)"]}}]
            """#)
        #expect(flow.status == .ok, "\(flow.text)")
        return (product, APIClient(app: app, token: World.token("rep1")))
    }

    func quote(_ rep1: APIClient, _ w: World, _ product: UUID, quantity: Int) async throws -> UUID {
        let res = try await rep1.send(.POST, "/api/v1/quotes",
                                      json: #"{"title":"低价报价","customerID":"\#(w.customers["rep1"]!)","lines":[{"productID":"\#(product)","quantity":\#(quantity),"discount":1500}]}"#)
        #expect(res.status == .created, "\(res.text)")
        return try res.json(Made.self).id
    }

    @Test func aBelowFloorQuoteIsSentOnlyAfterEveryStepApproves() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (product, rep1) = try await setUp(app, w)
            let q = try await quote(rep1, w, product, quantity: 2)   // about 77,860 yuan: both steps apply
            #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"sent"}"#).status == .conflict)
            let submitted = try await rep1.send(.POST, "/api/v1/quotes/\(q)/approval")
            #expect(submitted.status == .created, "\(submitted.text)")
            let r = try submitted.json(Req.self)
            #expect(r.status == "pending" && r.waitingFor == [w.users["lead"]!.uuidString])
            #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q)/approval").status == .conflict)
            let lead = APIClient(app: app, token: World.token("lead"))
            let inbox = try await lead.get("/api/v1/approvals?box=inbox").json([Req].self)
            #expect(inbox.map(\.id) == [r.id])
            #expect(try await UserNotification.query(on: app.db).filter(\.$userID == w.users["lead"]!).filter(\.$kind == "approvalWaiting").count() == 1)
            // Not the lead's colleague, not the submitter, not another organisation.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/approvals/\(r.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/approvals/\(r.id)").status == .notFound)
            #expect(try await rep1.send(.POST, "/api/v1/approvals/\(r.id)/approve", json: "{}").status == .forbidden)
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(r.id)/approve", json: #"{"comment":"同意"}"#).json(Req.self).currentStep == 1)
            // The two of an all-of step approve at the same moment: both count, the request ends approved once.
            let manager = APIClient(app: app, token: World.token("manager"))
            let director = APIClient(app: app, token: World.token("director"))
            async let a = manager.send(.POST, "/api/v1/approvals/\(r.id)/approve", json: "{}")
            async let b = director.send(.POST, "/api/v1/approvals/\(r.id)/approve", json: "{}")
            let statuses = [try await a.status, try await b.status]
            #expect(statuses == [.ok, .ok])
            let stored = try #require(try await ApprovalRequest.find(r.id, on: app.db))
            let state = try #require(stored.state)
            #expect(stored.status == "approved" && state.decisions.count == 3 && stored.version == 4)
            #expect(try await ApprovalTask.query(on: app.db).count() == 0)
            #expect(try await UserNotification.query(on: app.db).filter(\.$userID == w.users["rep1"]!).filter(\.$kind == "approvalDone").count() == 1)
            #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"sent"}"#).status == .ok)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == q).filter(\.$field == "approval").count()
            #expect(audited == 4)
        }
    }

    @Test func whoStillWaitsOnAnAllOfStepIsNotToldAgainAndKeepsTheirLink() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (product, rep1) = try await setUp(app, w)
            let q = try await quote(rep1, w, product, quantity: 2)
            let r = try await rep1.send(.POST, "/api/v1/quotes/\(q)/approval").json(Req.self)
            #expect(try await APIClient(app: app, token: World.token("lead")).send(.POST, "/api/v1/approvals/\(r.id)/approve", json: "{}").status == .ok)
            func waitingNotes(_ who: String) async throws -> Int {
                try await UserNotification.query(on: app.db).filter(\.$userID == w.users[who]!).filter(\.$kind == "approvalWaiting").count()
            }
            let directorTask = try #require(try await ApprovalTask.query(on: app.db).filter(\.$userID == w.users["director"]!).first())
            #expect(try await waitingNotes("manager") == 1)
            #expect(try await waitingNotes("director") == 1)
            // The manager approves; the director, still waiting, hears nothing new and keeps the task (and its mailed link).
            #expect(try await APIClient(app: app, token: World.token("manager")).send(.POST, "/api/v1/approvals/\(r.id)/approve", json: "{}").status == .ok)
            let tasks = try await ApprovalTask.query(on: app.db).filter(\.$requestID == r.id).all()
            #expect(tasks.map(\.id) == [directorTask.id])
            #expect(tasks.first?.tokenHash == directorTask.tokenHash)
            #expect(try await waitingNotes("director") == 1)
            // A new round after a rejection tells everyone again.
            #expect(try await APIClient(app: app, token: World.token("director")).send(.POST, "/api/v1/approvals/\(r.id)/reject", json: #"{"comment":"价格太低"}"#).status == .ok)
            #expect(try await ApprovalTask.query(on: app.db).filter(\.$requestID == r.id).count() == 0)
            #expect(try await rep1.send(.POST, "/api/v1/approvals/\(r.id)/resubmit").json(Req.self).waitingFor == [w.users["lead"]!.uuidString])
            #expect(try await waitingNotes("lead") == 2)
        }
    }

    @Test func rejectNeedsAReasonAndTheSubmitterMayWithdrawOrResubmit() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (product, rep1) = try await setUp(app, w)
            let q = try await quote(rep1, w, product, quantity: 1)   // under 50,000 yuan: only the lead
            let r = try await rep1.send(.POST, "/api/v1/quotes/\(q)/approval").json(Req.self)
            let lead = APIClient(app: app, token: World.token("lead"))
            let noReason = try await lead.send(.POST, "/api/v1/approvals/\(r.id)/reject", json: "{}")
            #expect(noReason.status == .unprocessableEntity && noReason.text.contains("comment"))
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(r.id)/reject", json: #"{"comment":"折扣太大"}"#).json(Req.self).status == "rejected")
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(r.id)/approve", json: "{}").status == .conflict)
            #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"sent"}"#).status == .conflict)
            // Round again, then taken back.
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(r.id)/resubmit").status == .forbidden)
            #expect(try await rep1.send(.POST, "/api/v1/approvals/\(r.id)/resubmit").json(Req.self).status == "pending")
            #expect(try await rep1.send(.POST, "/api/v1/approvals/\(r.id)/withdraw").json(Req.self).status == "withdrawn")
            #expect(try await lead.get("/api/v1/approvals?box=inbox").json([Req].self).isEmpty)
            // In pages: the waiting list, the decision form, and the approval card on the quote.
            #expect(try await rep1.send(.POST, "/api/v1/approvals/\(r.id)/resubmit").status == .ok)
            let b = Browser(app)
            try await b.signIn("lead")
            let inbox = try await b.get("/approvals")
            #expect(inbox.text.contains("/approvals/\(r.id)"))
            #expect(try await b.post("/approvals/\(r.id)/approve", [("comment", "可以")]).status == .seeOther)
            #expect(try await ApprovalRequest.find(r.id, on: app.db)?.status == "approved")
            let r1 = Browser(app)
            try await r1.signIn("rep1")
            #expect(try await r1.get("/quotes/\(q)").text.contains("id=\"approval\""))
        }
    }

    @Test func aFlowThatFindsNobodyIsRefusedClearly() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (product, _) = try await setUp(app, w)
            let admin = APIClient(app: app, token: World.token("admin"))
            // The administrator has no supervisor: the first step finds nobody.
            let q = try await admin.send(.POST, "/api/v1/quotes",
                                         json: #"{"title":"X","customerID":"\#(w.customers["admin"]!)","lines":[{"productID":"\#(product)","discount":1500}]}"#).json(Made.self).id
            let res = try await admin.send(.POST, "/api/v1/quotes/\(q)/approval")
            #expect(res.status == .conflict)
            #expect(try await ApprovalRequest.query(on: app.db).count() == 0)
            // Flows name real people and roles.
            let bad = try await admin.send(.PUT, "/api/v1/approval-flows/quote", json: #"[{"name":"","mode":"anyOne","approvers":{"kind":"users","users":["\#(UUID())"]}}]"#)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("steps.0.name") && bad.text.contains("steps.0.approvers"))
            #expect(try await APIClient(app: app, token: World.token("manager")).send(.PUT, "/api/v1/approval-flows/quote", json: "[]").status == .forbidden)
            let b = Browser(app)
            try await b.signIn("admin")
            let flows = try await b.get("/admin/approval-flows").text
            #expect(flows.contains("主管审批") && flows.contains(">提交人的上级<") && !flows.contains("Optional("))
        }
    }
}
