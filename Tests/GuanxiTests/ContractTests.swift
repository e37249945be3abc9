import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ContractTests {
    struct Made: Decodable { var id: UUID }
    struct ContractJSON: Decodable {
        struct Line: Decodable { var quantity: Int; var net: Int64; var unitCost: Int64 }
        var id: UUID; var number: String; var status: String; var total: Int64; var subtotal: Int64; var cost: Int64; var margin: Int64
        var signedOn: String?; var lines: [Line]?
    }

    /// rep1 quotes its customer two servers (cost 3,000,000 fen each) and the customer accepts.
    func acceptedQuote(_ app: Application, _ w: World) async throws -> UUID {
        let admin = APIClient(app: app, token: World.token("admin"))
        let product = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"服务器","unit":"台","listPrice":4580000,"costPrice":3000000}"#).json(Made.self).id
        let role = Role(orgID: w.orgID, name: "Selling rep", policy: RolePolicy(
            actions: [.customers: [.view, .create, .edit], .quotes: [.view, .create, .edit], .products: [.view], .contracts: [.view, .create, .edit]],
            scopes: [.customers: .own, .quotes: .own, .contracts: .own]))
        try await role.create(on: app.db)
        try await UserRole.query(on: app.db).filter(\.$userID == w.users["rep1"]!).delete()
        try await UserRole(orgID: w.orgID, userID: w.users["rep1"]!, roleID: role.id!).create(on: app.db)
        let rep1 = APIClient(app: app, token: World.token("rep1"))
        let q = try await rep1.send(.POST, "/api/v1/quotes", json: #"{"title":"机房设备","customerID":"\#(w.customers["rep1"]!)","lines":[{"productID":"\#(product)","quantity":2,"taxRate":1300}]}"#)
            .json(Made.self).id
        #expect(try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)"}"#).status == .conflict)
        #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"sent"}"#).status == .ok)
        #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"accepted"}"#).status == .ok)
        return q
    }

    @Test func anAcceptedQuoteBecomesAContractWithCostAndMarginAndGoesThroughApproval() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let q = try await acceptedQuote(app, w)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let bad = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)","kind":"lease","startsOn":"2026-12-01","endsOn":"2026-11-01"}"#)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("kind") && bad.text.contains("endsOn"))
            let made = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)","startsOn":"2026-12-01","endsOn":"2027-11-30"}"#)
            #expect(made.status == .created, "\(made.text)")
            let c = try made.json(ContractJSON.self)
            // 2 × 45,800 yuan net, 13% tax; cost 2 × 30,000 yuan.
            #expect(c.number.hasPrefix("HT") && c.status == "draft" && c.subtotal == 9_160_000 && c.total == 10_350_800)
            #expect(c.cost == 6_000_000 && c.margin == 3_160_000 && c.lines?.first?.unitCost == 3_000_000)
            // One quote, one contract, even asked twice.
            #expect(try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)"}"#).status == .conflict)
            // The flow: the rep's supervisor, then the director from 100,000 yuan.
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.PUT, "/api/v1/approval-flows/contract", json: #"""
                [{"name":"主管","mode":"anyOne","approvers":{"kind":"supervisor"}},
                 {"name":"总监","mode":"anyOne","minAmount":10000000,"approvers":{"kind":"users","users":["\#(w.users["director"]!)"]}}]
                """#).status == .ok)
            let sent = try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/submit").json(ContractJSON.self)
            #expect(sent.status == "pendingApproval")
            #expect(try await rep1.send(.PATCH, "/api/v1/contracts/\(c.id)", json: #"{"title":"改"}"#).status == .conflict)
            let lead = APIClient(app: app, token: World.token("lead"))
            let request = try #require(try await lead.get("/api/v1/approvals?box=inbox").json([Made].self).first)
            clock.advance(60)
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(request.id)/approve", json: "{}").status == .ok)
            #expect(try await rep1.get("/api/v1/contracts/\(c.id)").json(ContractJSON.self).status == "pendingApproval")
            #expect(try await APIClient(app: app, token: World.token("director")).send(.POST, "/api/v1/approvals/\(request.id)/approve", json: "{}").status == .ok)
            let active = try await rep1.get("/api/v1/contracts/\(c.id)").json(ContractJSON.self)
            #expect(active.status == "active" && active.signedOn != nil)
            // Then completed; a completed contract is not voided.
            #expect(try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/status", json: #"{"status":"void"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/status", json: #"{"status":"completed"}"#).json(ContractJSON.self).status == "completed")
            let statuses = try await AuditEntry.query(on: app.db).filter(\.$recordID == c.id).filter(\.$field == "status").sort(\.$at).all().compactMap(\.newValue)
            #expect(statuses == ["draft", "pendingApproval", "active", "completed"], "\(statuses)")
            // The data scope: rep2 does not see it, the team lead does, another organisation does not.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/contracts/\(c.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/contracts/\(c.id)").status == .ok)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/contracts/\(c.id)").status == .notFound)
            // A customer who signed is never purged from the bin.
            let customer = w.customers["rep1"]!
            #expect(try await admin.send(.DELETE, "/api/v1/customers/\(customer)").status == .noContent)
            let b = Browser(app)
            try await b.signIn("admin")
            let purge = try await b.post("/admin/recycle-bin/customer/\(customer)/purge")
            #expect(purge.status == .conflict && purge.text.contains("签过合同"), "\(purge.status)")
            #expect(try await Customer.query(on: app.db).withDeleted().filter(\.$id == customer).first() != nil)
            // It can be restored, though.
            #expect(try await b.post("/admin/recycle-bin/customer/\(customer)/restore").status == .seeOther)
            #expect(try await Customer.find(customer, on: app.db)?.deletedAt == nil)
        }
    }

    @Test func withoutAFlowStepTheContractIsActiveAtOnceAndPagesWork() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let q = try await acceptedQuote(app, w)
            let b = Browser(app)
            try await b.signIn("rep1")
            #expect(try await b.get("/quotes/\(q)").text.contains("/contracts/new?quote="))
            let form = try await b.get("/contracts/new?quote=\(q)")
            #expect(form.status == .ok && form.text.contains("机房设备"))
            let bad = try await b.post("/contracts", [("quoteID", q.uuidString), ("title", "机房设备合同"), ("kind", "contract"), ("startsOn", "2026-13-01")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("机房设备合同") && bad.text.contains("e-startsOn"))
            let ok = try await b.post("/contracts", [("quoteID", q.uuidString), ("title", "机房设备合同"), ("kind", "order")])
            #expect(ok.status == .seeOther, "\(ok.text)")
            let id = try #require(ok.location?.split(separator: "/").last.flatMap { UUID(uuidString: String($0)) })
            let detail = try await b.get("/contracts/\(id)")
            #expect(detail.text.contains("机房设备合同") && detail.text.contains("31,600.00"))
            #expect(try await b.post("/contracts/\(id)/submit").status == .seeOther)
            let c = try #require(try await Contract.find(id, on: app.db))
            #expect(c.status == .active && c.kind == .order)
            #expect(try await b.get("/contracts").text.contains(c.number))
        }
    }

    struct Receivable: Decodable { var position: Int; var dueOn: String; var amount: Int64; var status: String }
    struct Bucket: Decodable { var bucket: String; var count: Int; var owed: Int64 }

    @Test func aTwentyFourInstalmentPlanBecomesReceivablesOnActivation() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let q = try await acceptedQuote(app, w)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let c = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)","settlementCustomerID":"\#(w.customers["rep1"]!)"}"#).json(ContractJSON.self)
            // 24 monthly instalments of the total, as the even split makes them, but one fen short first.
            let plan = Receivables.split(c.total, count: 24, firstDue: "2026-10-01")
            func body(_ p: [Receivables.Instalment]) -> String { "[" + p.map { #"{"dueOn":"\#($0.dueOn)","amount":\#($0.amount)}"# }.joined(separator: ",") + "]" }
            var short = plan
            short[23].amount -= 1
            let bad = try await rep1.send(.PUT, "/api/v1/contracts/\(c.id)/plan", json: body(short))
            #expect(bad.status == .unprocessableEntity && bad.text.contains("plan"))
            let badDate = try await rep1.send(.PUT, "/api/v1/contracts/\(c.id)/plan", json: #"[{"dueOn":"2026-02-30","amount":\#(c.total)}]"#)
            #expect(badDate.status == .unprocessableEntity && badDate.text.contains("plan.1.dueOn"))
            #expect(try await rep1.send(.PUT, "/api/v1/contracts/\(c.id)/plan", json: body(plan)).status == .ok)
            // No flow step: active at once, with its 24 instalments in the same transaction.
            #expect(try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/submit").json(ContractJSON.self).status == "active")
            let made = try await rep1.get("/api/v1/contracts/\(c.id)/receivables").json([Receivable].self)
            #expect(made.count == 24 && made.reduce(0) { $0 + $1.amount } == c.total && made.first?.dueOn == "2026-10-01" && made.last?.dueOn == "2028-09-01")
            #expect(try await rep1.send(.PUT, "/api/v1/contracts/\(c.id)/plan", json: body(plan)).status == .conflict)
            // On 2026-11-24 (the test clock's day) the October instalment is 54 days late, November's not yet due.
            let today = CalendarDate.of(clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
            let aging = try await rep1.get("/api/v1/receivables/aging").json([Bucket].self)
            let late = aging.filter { $0.bucket != "notDue" }.reduce(0) { $0 + $1.count }
            let expectedLate = made.filter { $0.dueOn < today }.count
            #expect(late == expectedLate && aging.reduce(0) { $0 + $1.owed } == c.total)
            struct Page: Decodable { var items: [Receivable] }
            let overdue = try await rep1.get("/api/v1/receivables?overdue=true").json(Page.self).items
            #expect(overdue.count == expectedLate && overdue.allSatisfy { $0.status == "overdue" })
            // Scope: rep2 owes nothing to see; the team lead sees rep1's.
            let rep2Aging = try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/receivables/aging")
            let rep2Buckets = try rep2Aging.json([Bucket].self)
            #expect(rep2Aging.status == .ok && rep2Buckets.allSatisfy { $0.count == 0 }, "\(rep2Aging.text)")
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/receivables").json(Page.self).items.count == 24)
            // In pages.
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/receivables")
            #expect(page.status == .ok && page.text.contains("id=\"aging\"") && page.text.contains(c.number))
            #expect(try await b.get("/contracts/\(c.id)").text.contains("id=\"plan\""))
        }
    }
}
