import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct DemandPlanTests {
    struct Plan: Decodable { var id: UUID; var version: Int; var title: String; var content: String; var status: String }

    func opportunity(_ app: Application, _ w: World, owner: String) async throws -> UUID {
        struct Item: Decodable { var id: UUID }
        let res = try await APIClient(app: app, token: World.token(owner))
            .send(.POST, "/api/v1/opportunities", json: #"{"name":"方案商机","customerID":"\#(w.customers[owner]!)"}"#)
        #expect(res.status == .created, "\(res.text)")
        return try res.json(Item.self).id
    }

    @Test func versionsAreKeptAndOnlyTheNewestDraftChanges() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let opp = try await opportunity(app, w, owner: "rep1")
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let empty = try await rep1.send(.POST, "/api/v1/opportunities/\(opp)/demand-plans", json: #"{"title":"","content":""}"#)
            #expect(empty.status == .unprocessableEntity && empty.text.contains("title") && empty.text.contains("content"))
            let v1 = try await rep1.send(.POST, "/api/v1/opportunities/\(opp)/demand-plans", json: #"{"title":"车队管理需求","content":"50 辆车\n需要 GPS"}"#).json(Plan.self)
            #expect(v1.version == 1 && v1.status == "draft")
            clock.advance(60)
            #expect(try await rep1.send(.PATCH, "/api/v1/demand-plans/\(v1.id)", json: #"{"title":"车队管理需求","content":"60 辆车\n需要 GPS"}"#).status == .ok)
            #expect(try await rep1.send(.POST, "/api/v1/demand-plans/\(v1.id)/confirm").status == .ok)
            // Confirmed: it no longer changes; the change is a new version.
            #expect(try await rep1.send(.PATCH, "/api/v1/demand-plans/\(v1.id)", json: #"{"title":"x","content":"y"}"#).status == .conflict)
            let v2 = try await rep1.send(.POST, "/api/v1/opportunities/\(opp)/demand-plans", json: #"{"title":"车队管理需求","content":"60 辆车，加油卡管理"}"#).json(Plan.self)
            #expect(v2.version == 2)
            // Two new versions at once: 3 and 4, never the same number.
            async let a = rep1.send(.POST, "/api/v1/opportunities/\(opp)/demand-plans", json: #"{"title":"A","content":"a"}"#)
            async let b = rep1.send(.POST, "/api/v1/opportunities/\(opp)/demand-plans", json: #"{"title":"B","content":"b"}"#)
            let versions = [try await a.json(Plan.self).version, try await b.json(Plan.self).version].sorted()
            #expect(versions == [3, 4])
            // An older draft (v2) is history now.
            #expect(try await rep1.send(.PATCH, "/api/v1/demand-plans/\(v2.id)", json: #"{"title":"x","content":"y"}"#).status == .conflict)
            let list = try await rep1.get("/api/v1/opportunities/\(opp)/demand-plans").json([Plan].self)
            #expect(list.map(\.version) == [4, 3, 2, 1] && list.last?.content == "60 辆车\n需要 GPS" && list.last?.status == "confirmed")
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == opp).filter(\.$field == "demandPlan").count()
            let edited = try await AuditEntry.query(on: app.db).filter(\.$recordID == opp).filter(\.$field == "demandPlan.content").first()
            // four versions and a confirmation; the edit of v1 with its old and new text
            #expect(audited == 5 && edited?.oldValue == "50 辆车\n需要 GPS" && edited?.newValue == "60 辆车\n需要 GPS")
            // They follow the opportunity's data scope.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/demand-plans/\(v1.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/opportunities/\(opp)/demand-plans").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/demand-plans/\(v1.id)").status == .ok)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.get("/api/v1/demand-plans/\(v1.id)").status == .ok)
            #expect(try await viewer.send(.POST, "/api/v1/opportunities/\(opp)/demand-plans", json: #"{"title":"x","content":"y"}"#).status == .forbidden)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/demand-plans/\(v1.id)").status == .notFound)
            // In pages: the card on the opportunity, a version, the form keeping what was typed.
            let b2 = Browser(app)
            try await b2.signIn("rep1")
            let page = try await b2.get("/opportunities/\(opp)")
            #expect(page.text.contains("demand-plans") && page.text.contains("v4"))
            #expect(try await b2.get("/demand-plans/\(v1.id)").text.contains("60 辆车"))
            let bad = try await b2.post("/opportunities/\(opp)/demand-plans", [("title", ""), ("content", "只写了内容")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("只写了内容"))
        }
    }
}
