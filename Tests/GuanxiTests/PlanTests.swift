import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Plans and summaries (TSK-02): items ticked off, the supervisor adds items and reviews, the team
/// sees completion, all within the task scope.
@Suite struct PlanTests {
    struct ItemJSON: Decodable { var id: UUID; var text: String; var done: Bool; var addedBy: UUID }
    struct PlanJSON: Decodable {
        var id: UUID?; var ownerID: UUID; var period: String; var startsOn: String; var endsOn: String
        var summary: String?; var review: String?; var items: [ItemJSON]; var done: Int; var total: Int; var completion: Int
    }
    struct TeamJSON: Decodable { var ownerID: UUID; var done: Int; var total: Int; var completion: Int; var summarized: Bool; var reviewed: Bool }
    struct ErrorJSON: Decodable { var fields: [String: String]? }

    @Test func writeTickReviewAndSeeTheTeam() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let lead = APIClient(app: app, token: World.token("lead"))
            // Any date in the week finds the plan that starts on its Monday.
            let first = try await rep1.send(.POST, "/api/v1/plans/items", json: #"{"period":"week","date":"2026-11-25","text":"拜访华东三家客户"}"#)
            #expect(first.status == .created, "\(first.text)")
            let plan = try first.json(PlanJSON.self)
            #expect(plan.startsOn == "2026-11-23" && plan.endsOn == "2026-11-29" && plan.total == 1 && plan.completion == 0)
            _ = try await rep1.send(.POST, "/api/v1/plans/items", json: #"{"period":"week","date":"2026-11-29","text":"整理报价"}"#)
            for (body, field) in [(#"{"period":"week","date":"2026-11-25","text":" "}"#, "text"), (#"{"period":"year","text":"x"}"#, "period"),
                                  (#"{"period":"day","date":"2026-02-30","text":"x"}"#, "date"),
                                  (#"{"period":"week","text":"x","ownerID":"\#(w.users["westrep"]!)"}"#, "ownerID")] {
                let res = try await lead.send(.POST, "/api/v1/plans/items", json: body)
                let fields = try? res.json(ErrorJSON.self).fields
                #expect(res.status == .unprocessableEntity && fields?[field] != nil, "\(body) -> \(res.text)")
            }
            // The supervisor adds an item to a subordinate's plan; the subordinate hears about it.
            let added = try await lead.send(.POST, "/api/v1/plans/items", json: #"{"period":"week","date":"2026-11-23","ownerID":"\#(w.users["rep1"]!)","text":"跟进客户-rep1的报价"}"#)
            let withLead = try added.json(PlanJSON.self)
            #expect(withLead.id == plan.id && withLead.total == 3 && withLead.items.first { $0.text == "跟进客户-rep1的报价" }?.addedBy == w.users["lead"]!)
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "planItemAdded").filter(\.$userID == w.users["rep1"]!).count() == 1)
            // Ticking off; nobody outside the scope can touch the items.
            let item = withLead.items[0].id
            let ticked = try await rep1.send(.PATCH, "/api/v1/plans/items/\(item)", json: #"{"done":true}"#).json(PlanJSON.self)
            #expect(ticked.done == 1 && ticked.completion == 33)
            #expect(try await APIClient(app: app, token: World.token("rep2")).send(.PATCH, "/api/v1/plans/items/\(item)", json: #"{"done":false}"#).status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/plans?period=week&date=2026-11-23&ownerID=\(w.users["rep1"]!)").status == .unprocessableEntity)
            #expect(try await rep1.send(.PATCH, "/api/v1/plans/items/\(item)", json: #"{"text":""}"#).status == .unprocessableEntity)
            // The summary tells the supervisor; the owner cannot review their own plan; the supervisor's review tells the owner.
            let summed = try await rep1.send(.PUT, "/api/v1/plans/\(plan.id!)/summary", json: #"{"summary":"完成一项，报价下周出"}"#)
            #expect(try summed.json(PlanJSON.self).summary == "完成一项，报价下周出")
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "planSummary").filter(\.$userID == w.users["lead"]!).count() == 1)
            #expect(try await rep1.send(.POST, "/api/v1/plans/\(plan.id!)/review", json: #"{"review":"自评"}"#).status == .forbidden)
            #expect(try await lead.send(.PUT, "/api/v1/plans/\(plan.id!)/summary", json: #"{"summary":"代写"}"#).status == .forbidden)
            #expect(try await lead.send(.POST, "/api/v1/plans/\(plan.id!)/review", json: #"{"review":"报价要抓紧"}"#).json(PlanJSON.self).review == "报价要抓紧")
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "planReviewed").filter(\.$userID == w.users["rep1"]!).count() == 1)
            // The team: the lead sees themself and both reps, not the west.
            let team = try await lead.get("/api/v1/plans/team?period=week&date=2026-11-27").json([TeamJSON].self)
            #expect(Set(team.map(\.ownerID)) == Set(["lead", "rep1", "rep2"].map { w.users[$0]! }))
            let rep1Row = team.first { $0.ownerID == w.users["rep1"]! }
            #expect(rep1Row?.completion == 33 && rep1Row?.summarized == true && rep1Row?.reviewed == true)
            #expect(team.first { $0.ownerID == w.users["rep2"]! }?.total == 0)
            // Removing an item; every change is in the plan's history.
            #expect(try await rep1.send(.DELETE, "/api/v1/plans/items/\(withLead.items[1].id)").json(PlanJSON.self).total == 2)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == plan.id!).all()
            #expect(Set(audited.compactMap(\.field)).isSuperset(of: ["item", "done", "summary", "review"]))
            // Other periods are other plans; an empty one has no id yet.
            let month = try await rep1.get("/api/v1/plans?period=month&date=2026-11-23").json(PlanJSON.self)
            #expect(month.id == nil && month.startsOn == "2026-11-01" && month.endsOn == "2026-11-30")
            _ = clock
        }
    }

    /// The data-scope matrix: each person's team view and the plans they may open are those of the
    /// people whose customers they may see (tasks follow the customers' scope in these roles).
    @Test func teamFollowsTheScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let owners = ["rep1": "rep1", "rep2": "rep2", "lead": "lead", "west": "westrep", "manager": "manager", "director": "director", "admin": "admin", "other": "outsider"]
            for (account, keys) in World.visibility {
                let api = APIClient(app: app, token: World.token(account))
                let rows = try await api.get("/api/v1/plans/team?period=month&date=2026-11-05").json([TeamJSON].self)
                let expected = Set(keys.map { w.users[owners[$0]!]! })
                #expect(Set(rows.map(\.ownerID)).intersection(Set(owners.values.map { w.users[$0]! })) == expected, "\(account)")
                for owner in Set(owners.values) {
                    let status = try await api.get("/api/v1/plans?period=month&ownerID=\(w.users[owner]!)").status
                    #expect((status == .ok) == expected.contains(w.users[owner]!), "\(account) -> \(owner): \(status)")
                }
            }
        }
    }

    @Test func firstItemsAtOnceMakeOnePlan() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let lead = APIClient(app: app, token: World.token("lead"))
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        let who = i % 2 == 0 ? rep1 : lead
                        return try await who.send(.POST, "/api/v1/plans/items", json: #"{"period":"day","date":"2026-12-01","ownerID":"\#(w.users["rep1"]!)","text":"事项 \#(i)"}"#).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            #expect(try await Plan.query(on: app.db).filter(\.$startsOn == "2026-12-01").count() == 1)
            #expect(try await rep1.get("/api/v1/plans?period=day&date=2026-12-01").json(PlanJSON.self).total == 16)
        }
    }

    @Test func pages() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            #expect(try await b.get("/plans").text.contains("这个周期还没有计划"))
            #expect(try await b.post("/plans/items", [("period", "week"), ("date", "2026-11-24"), ("owner", ""), ("text", "写周报")]).status == .seeOther)
            let bad = try await b.post("/plans/items", [("period", "week"), ("date", "2026-11-24"), ("owner", ""), ("text", String(repeating: "长", count: 501))])
            #expect(bad.status == .unprocessableEntity && bad.text.contains(String(repeating: "长", count: 501)))
            let page = try await b.get("/plans?period=week&date=2026-11-26")
            #expect(page.text.contains("写周报") && page.text.contains("0/1"))
            let item = try #require(try await PlanItem.query(on: app.db).first())
            #expect(try await b.post("/plans/items/\(item.id!)", [("done", "1")]).status == .seeOther)
            #expect(try await b.get("/plans?period=week&date=2026-11-23").text.contains("1/1 · 100%"))
            #expect(try await b.get("/plans?period=fortnight").status == .badRequest)
            let lead = Browser(app)
            try await lead.signIn("lead")
            let team = try await lead.get("/plans/team?period=week&date=2026-11-23")
            #expect(team.text.contains("Rep1") && team.text.contains("100%") && !team.text.contains("Westrep"))
            let theirs = try await lead.get("/plans?period=week&date=2026-11-23&owner=\(w.users["rep1"]!)")
            #expect(theirs.text.contains("写周报") && theirs.text.contains("写评阅"))
            #expect(try await lead.get("/plans?period=week&owner=\(w.users["westrep"]!)").status == .badRequest)
        }
    }
}
