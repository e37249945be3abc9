import Fluent
import SQLKit
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct OpportunityTests {
    struct Item: Decodable {
        var id: UUID
        var name: String
        var amount: Int64?
        var status: String
        var stageID: UUID
        var probability: Int
        var weightedAmount: Int
        var ownerID: UUID?
        var lostReason: String?
    }

    struct Page: Decodable { var items: [Item]; var nextCursor: String? }

    func stages(_ app: Application, _ org: UUID) async throws -> [OpportunityStage] {
        try await OpportunityStage.query(on: app.db).filter(\.$orgID == org).sort(\.$sortOrder).all()
    }

    /// One opportunity per customer of the world, owned by the customer's owner, named after its key.
    func seed(_ app: Application, _ w: World) async throws -> [String: UUID] {
        let admin = APIClient(app: app, token: World.token("admin"))
        var out: [String: UUID] = [:]
        for (key, customer) in w.customers where key != "other" {
            let owner = try #require(try await Customer.find(customer, on: app.db)?.ownerID)
            let res = try await admin.send(.POST, "/api/v1/opportunities",
                                           json: #"{"name":"商机-\#(key)","customerID":"\#(customer)","ownerID":"\#(owner)","amount":1000000}"#)
            #expect(res.status == .created, "\(key): \(res.text)")
            out[key] = try res.json(Item.self).id
        }
        return out
    }

    @Test func everyEndpointFollowsTheDataScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let opps = try await seed(app, w)
            for (account, expected) in World.visibility where account != "outsider" {
                let api = APIClient(app: app, token: World.token(account))
                let view = ["admin", "director"].contains(account) ? "all" : "team"
                let list = try await api.get("/api/v1/opportunities?view=\(view)&limit=200")
                #expect(list.status == .ok, "\(account) list")
                let seen = Set(try list.json(Page.self).items.map { $0.name.replacingOccurrences(of: "商机-", with: "") })
                #expect(seen == expected, "\(account) sees \(seen.sorted()), expected \(expected.sorted())")
                // The board and the funnel count the same opportunities.
                let board = try await api.get("/api/v1/opportunities/board?view=\(view)")
                struct Card: Decodable { var id: UUID }
                struct Column: Decodable { var count: Int; var cards: [Card] }
                let columns = try board.json([Column].self)
                #expect(columns.reduce(0) { $0 + $1.count } == expected.count, "\(account) board")
                for (key, id) in opps {
                    let res = try await api.get("/api/v1/opportunities/\(id)")
                    #expect(res.status == (expected.contains(key) ? .ok : .notFound), "\(account) GET \(key): \(res.status)")
                }
            }
            // "all" is only for whole-company scopes.
            #expect(try await APIClient(app: app, token: World.token("manager")).get("/api/v1/opportunities?view=all").status == .badRequest)
            // Another organisation reaches nothing by id.
            let outsider = APIClient(app: app, token: World.token("outsider"))
            #expect(try await outsider.get("/api/v1/opportunities/\(opps["admin"]!)").status == .notFound)
            #expect(try await outsider.send(.POST, "/api/v1/opportunities/\(opps["admin"]!)/close", json: #"{"status":"won"}"#).status == .notFound)
            #expect(try await outsider.get("/api/v1/opportunities?view=all").json(Page.self).items.isEmpty)
            // A rep cannot touch a colleague's; the viewer may look but not change.
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let st = try await stages(app, w.orgID)
            #expect(try await rep1.send(.POST, "/api/v1/opportunities/\(opps["rep2"]!)/stage", json: #"{"stageID":"\#(st[1].id!)"}"#).status == .notFound)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.send(.POST, "/api/v1/opportunities/\(opps["rep1"]!)/stage", json: #"{"stageID":"\#(st[1].id!)"}"#).status == .forbidden)
            #expect(try await viewer.send(.PATCH, "/api/v1/opportunities/\(opps["rep1"]!)", json: #"{"name":"x"}"#).status == .forbidden)
            #expect(try await viewer.send(.DELETE, "/api/v1/opportunities/\(opps["rep1"]!)").status == .forbidden)
            // Nobody opens one for a customer they cannot see.
            let made = try await rep1.send(.POST, "/api/v1/opportunities", json: #"{"name":"偷单","customerID":"\#(w.customers["rep2"]!)"}"#)
            #expect(made.status == .unprocessableEntity && made.text.contains("customerID"))
            // Pages follow the same scope.
            for account in ["lead", "rep1"] {
                let b = Browser(app)
                try await b.signIn(account)
                let page = try await b.get("/opportunities?view=team")
                for (key, id) in opps {
                    let visible = World.visibility[account]!.contains(key)
                    #expect(page.text.contains("商机-\(key)<") == visible, "\(account) list shows \(key)?")
                    #expect(try await b.get("/opportunities/\(id)").status == (visible ? .ok : .notFound))
                }
            }
        }
    }

    @Test func stagesMoveWinLoseAndReopenWithHistoryAndAudit() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let st = try await stages(app, w.orgID)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            // Field errors, nothing saved.
            let bad = try await rep1.send(.POST, "/api/v1/opportunities", json: #"{"name":"","amount":-3,"expectedCloseOn":"2026-02-30","stageID":"nope"}"#)
            #expect(bad.status == .unprocessableEntity)
            for key in ["name", "customerID", "amount", "expectedCloseOn", "stageID"] { #expect(bad.text.contains("\"\(key)\""), "\(key) in \(bad.text)") }
            #expect(try await Opportunity.query(on: app.db).count() == 0)

            let res = try await rep1.send(.POST, "/api/v1/opportunities",
                                          json: #"{"name":"年度维保","customerID":"\#(w.customers["rep1"]!)","amount":5000000,"expectedCloseOn":"2026-12-20"}"#)
            #expect(res.status == .created)
            let o = try res.json(Item.self)
            // The first stage and its probability; the owner is the creator.
            #expect(o.stageID == st[0].id && o.probability == st[0].probability && o.ownerID == w.users["rep1"] && o.status == "open")
            #expect(o.weightedAmount == 500_000)

            clock.advance(60)
            let moved = try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/stage", json: #"{"stageID":"\#(st[2].id!)"}"#)
            #expect(moved.status == .ok)
            #expect(try moved.json(Item.self).probability == st[2].probability)
            // Losing needs a reason from the dictionary.
            #expect(try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/close", json: #"{"status":"lost"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/close", json: #"{"status":"lost","lostReason":"made-up"}"#).status == .unprocessableEntity)
            clock.advance(60)
            let lost = try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/close", json: #"{"status":"lost","lostReason":"price","note":"贵了"}"#)
            #expect(lost.status == .ok)
            let l = try lost.json(Item.self)
            #expect(l.status == "lost" && l.probability == 0 && l.lostReason == "price" && l.stageID == st[2].id)
            // A closed opportunity does not move; lost does not turn into won without reopening.
            #expect(try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/stage", json: #"{"stageID":"\#(st[3].id!)"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/close", json: #"{"status":"won"}"#).status == .unprocessableEntity)
            clock.advance(60)
            let reopened = try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/close", json: #"{"status":"open","stageID":"\#(st[3].id!)"}"#)
            #expect(try reopened.json(Item.self).stageID == st[3].id)
            clock.advance(60)
            let won = try await rep1.send(.POST, "/api/v1/opportunities/\(o.id)/close", json: #"{"status":"won"}"#)
            #expect(try won.json(Item.self).probability == 100)

            // Every move is in the stage history and the audit trail.
            struct Change: Decodable { var toStatus: String; var toStageID: UUID }
            let history = try await rep1.get("/api/v1/opportunities/\(o.id)/stage-history").json([Change].self)
            #expect(history.map(\.toStatus) == ["won", "open", "lost", "open", "open"])
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == Opportunity.entity).filter(\.$recordID == o.id).all()
            #expect(audit.contains { $0.field == "stage" && $0.newValue == st[2].id!.uuidString })
            #expect(audit.contains { $0.field == "lostReason" && $0.newValue == "price" })
            #expect(audit.filter { $0.field == "status" }.compactMap(\.newValue).sorted() == ["lost", "open", "open", "won"]) // created, lost, reopened, won
            // The API refuses a stage change through PATCH.
            #expect(try await rep1.send(.PATCH, "/api/v1/opportunities/\(o.id)", json: #"{"stageID":"\#(st[1].id!)"}"#).status == .unprocessableEntity)
        }
    }

    @Test func linesPriceFromTheCatalogueAndSetTheAmount() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            struct Made: Decodable { var id: UUID }
            let product = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"交换机","unit":"台","listPrice":720000}"#).json(Made.self).id
            let o = try await admin.send(.POST, "/api/v1/opportunities",
                                         json: #"{"name":"网络改造","customerID":"\#(w.customers["admin"]!)","amount":100}"#).json(Item.self).id
            // No price given: the strategy's (here the list price).
            let line = try await admin.send(.POST, "/api/v1/opportunities/\(o)/lines", json: #"{"productID":"\#(product)","quantity":3}"#)
            #expect(line.status == .created)
            struct Line: Decodable { var id: UUID; var price: Int64; var total: Int64 }
            #expect(try line.json(Line.self).total == 2_160_000)
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(o)/lines", json: #"{"productID":"\#(product)","quantity":1,"price":650000}"#)
            #expect(try await admin.get("/api/v1/opportunities/\(o)").json(Item.self).amount == 2_810_000)
            // With lines the amount is theirs.
            #expect(try await admin.send(.PATCH, "/api/v1/opportunities/\(o)", json: #"{"amount":5}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/opportunities/\(o)/lines", json: #"{"productID":"\#(product)","quantity":0}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/opportunities/\(o)/lines", json: #"{"productID":"\#(UUID())"}"#).status == .unprocessableEntity)
            let first = try line.json(Line.self).id
            #expect(try await admin.send(.DELETE, "/api/v1/opportunities/\(o)/lines/\(first)").status == .noContent)
            #expect(try await admin.get("/api/v1/opportunities/\(o)").json(Item.self).amount == 650_000)
            // A product named by an opportunity stays out of a purge.
            #expect(try await admin.send(.DELETE, "/api/v1/products/\(product)").status == .noContent)
            let b = Browser(app)
            try await b.signIn("admin")
            _ = try await b.post("/admin/recycle-bin/product/\(product)/purge")
            #expect(try await Product.query(on: app.db).withDeleted().filter(\.$id == product).first() != nil)
        }
    }

    @Test func funnelForecastAndBoardAddUp() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let st = try await stages(app, w.orgID)
            let admin = APIClient(app: app, token: World.token("admin"))
            let today = CalendarDate.of(clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
            let month = String(today.prefix(7))
            var ids: [UUID] = []
            for (i, amount) in [1_000_000, 2_000_000, 3_000_000, 4_000_000].enumerated() {
                let o = try await admin.send(.POST, "/api/v1/opportunities", json: #"""
                    {"name":"O\#(i)","customerID":"\#(w.customers["admin"]!)","amount":\#(amount),"expectedCloseOn":"\#(today)","stageID":"\#(st[i % 2].id!)"}
                    """#).json(Item.self)
                ids.append(o.id)
            }
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(ids[3])/close", json: #"{"status":"won"}"#)
            struct Funnel: Decodable {
                struct Row: Decodable { var stageID: UUID; var count: Int; var amount: Int64; var weightedAmount: Int64; var reached: Int }
                var stages: [Row]
                var wonCount: Int
                var wonAmount: Int64
            }
            let f = try await admin.get("/api/v1/opportunities/funnel?view=all").json(Funnel.self)
            // Stage 0 holds O0 and O2 (4,000,000 at 10%), stage 1 holds O1; O3 is won.
            #expect(f.stages[0].count == 2 && f.stages[0].amount == 4_000_000 && f.stages[0].weightedAmount == 400_000)
            #expect(f.stages[1].count == 1 && f.stages[1].weightedAmount == 500_000)
            #expect(f.stages.map(\.reached) == [4, 2, 1, 1, 1] && f.wonCount == 1 && f.wonAmount == 4_000_000)
            struct Month: Decodable { var month: String; var count: Int; var amount: Int64; var weightedAmount: Int64; var wonAmount: Int64 }
            let months = try await admin.get("/api/v1/opportunities/forecast?view=all&month=\(month)&months=3").json([Month].self)
            #expect(months.count == 3 && months[0].month == month)
            #expect(months[0].count == 3 && months[0].amount == 6_000_000 && months[0].weightedAmount == 900_000 && months[0].wonAmount == 4_000_000)
            #expect(try await admin.get("/api/v1/opportunities/forecast?month=2026-13").status == .badRequest)
            // The analysis pages draw and export the same figures.
            let b = Browser(app)
            try await b.signIn("admin")
            for tab in ["funnel", "forecast", "trend", "composition"] {
                let page = try await b.get("/opportunities/analysis?view=all&tab=\(tab)")
                #expect(page.status == .ok && page.text.contains("<svg"), "\(tab)")
            }
            let csv = try await b.get("/opportunities/analysis?view=all&tab=composition&by=stage&status=open&format=csv")
            #expect(csv.status == .ok && csv.text.contains("60,000.00") == false && csv.text.contains(st[0].name))
            #expect(try await b.get("/opportunities/analysis?tab=nope").status == .badRequest)
            // The board shows the stage sums; moving a card through the page answers a drag with 204.
            let board = try await b.get("/opportunities/board?view=all")
            #expect(board.text.contains("O0") && board.text.contains("data-stage-move"))
            let drag = try await b.send(.POST, "/opportunities/\(ids[0])/stage", headers: ["X-Requested-With": "fetch", "Content-Type": "application/x-www-form-urlencoded"],
                                        body: ByteBuffer(string: "stageID=\(st[4].id!)&_csrf=\(b.csrf)"))
            #expect(drag.status == .noContent)
            #expect(try await Opportunity.find(ids[0], on: app.db)?.stageID == st[4].id)
        }
    }

    @Test func stagesAreTheAdministratorsToShape() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await APIClient(app: app, token: World.token("manager")).send(.POST, "/api/v1/opportunity-stages", json: #"{"name":"验收","probability":95}"#).status == .forbidden)
            #expect(try await admin.send(.POST, "/api/v1/opportunity-stages", json: #"{"name":"验收","probability":101}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/opportunity-stages", json: #"{"name":"初步接洽","probability":5}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/opportunity-stages", json: #"{"name":"验收","probability":95}"#).status == .created)
            let all = try await stages(app, w.orgID)
            #expect(all.count == 6 && all.last?.name == "验收")
            // Switched off, a stage takes no new opportunities; the last one on stays on.
            #expect(try await admin.send(.PATCH, "/api/v1/opportunity-stages/\(all[0].id!)", json: #"{"isActive":false}"#).status == .ok)
            let refused = try await admin.send(.POST, "/api/v1/opportunities", json: #"{"name":"X","customerID":"\#(w.customers["admin"]!)","stageID":"\#(all[0].id!)"}"#)
            #expect(refused.status == .unprocessableEntity)
            for s in all.dropFirst().dropLast() { _ = try await admin.send(.PATCH, "/api/v1/opportunity-stages/\(s.id!)", json: #"{"isActive":false}"#) }
            #expect(try await admin.send(.PATCH, "/api/v1/opportunity-stages/\(all.last!.id!)", json: #"{"isActive":false}"#).status == .unprocessableEntity)
            // Through the page, a bad probability keeps the typed name.
            let b = Browser(app)
            try await b.signIn("admin")
            let page = try await b.post("/admin/stages", [("name", "回款"), ("probability", "abc")])
            #expect(page.status == .unprocessableEntity && page.text.contains("回款"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "opportunityStage").count() >= 2)
        }
    }

    @Test func talliesMatchTheRowsAfterEveryKindOfWrite() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let st = try await stages(app, w.orgID)
            let admin = APIClient(app: app, token: World.token("admin"))
            struct Made: Decodable { var id: UUID }
            let product = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"交换机","listPrice":720000}"#).json(Made.self).id
            var ids: [UUID] = []
            for (i, key) in ["rep1", "rep2", "lead", "west", "admin"].enumerated() {
                let owner = try #require(try await Customer.find(w.customers[key]!, on: app.db)?.ownerID)
                let o = try await admin.send(.POST, "/api/v1/opportunities", json: #"""
                    {"name":"T\#(i)","customerID":"\#(w.customers[key]!)","ownerID":"\#(owner)","amount":\#(i * 1_000_001),"expectedCloseOn":"2026-1\#(i % 3)-05"}
                    """#).json(Made.self)
                ids.append(o.id)
            }
            clock.advance(60)
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(ids[0])/stage", json: #"{"stageID":"\#(st[3].id!)"}"#)
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(ids[1])/close", json: #"{"status":"won"}"#)
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(ids[2])/close", json: #"{"status":"lost","lostReason":"price"}"#)
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(ids[2])/close", json: #"{"status":"open"}"#)
            _ = try await admin.send(.PATCH, "/api/v1/opportunities/\(ids[3])", json: #"{"amount":777,"expectedCloseOn":"2027-03-01","ownerID":"\#(w.users["manager"]!)"}"#)
            _ = try await admin.send(.POST, "/api/v1/opportunities/\(ids[4])/lines", json: #"{"productID":"\#(product)","quantity":2}"#)
            #expect(try await admin.send(.DELETE, "/api/v1/opportunities/\(ids[0])").status == .noContent)
            let b = Browser(app)
            try await b.signIn("admin")
            _ = try await b.post("/admin/recycle-bin/opportunity/\(ids[0])/restore")
            #expect(try await admin.send(.DELETE, "/api/v1/customers/\(w.customers["west"]!)").status == .noContent)
            _ = try await b.post("/admin/recycle-bin/customer/\(w.customers["west"]!)/purge")
            #expect(try await Opportunity.find(ids[3], on: app.db) == nil)

            struct Row: Decodable, Equatable { var owner_id: UUID; var stage_id: UUID; var status: String; var month: String; var n: Int; var amount: Int64; var weighted: Int64 }
            func rows() async throws -> [Row] {
                try await (app.db as! any SQLDatabase).raw("""
                    SELECT owner_id, stage_id, status, month, n, amount, weighted FROM opportunity_tallies WHERE n <> 0 ORDER BY owner_id, stage_id, status, month
                    """).all(decoding: Row.self)
            }
            let kept = try await rows()
            try await OpportunityTally.rebuild(orgID: w.orgID, on: app.db)
            let counted = try await rows()
            #expect(kept == counted)
            #expect(counted.reduce(0) { $0 + $1.n } == 4)
        }
    }
}
