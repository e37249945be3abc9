import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct QuoteTests {
    struct Made: Decodable { var id: UUID }
    struct Line: Decodable { var productID: UUID; var price: Int64; var net: Int64; var tax: Int64; var belowFloor: Bool }
    struct QuoteJSON: Decodable {
        var id: UUID
        var number: String
        var version: Int
        var isCurrent: Bool
        var status: String
        var subtotal: Int64
        var tax: Int64
        var total: Int64
        var belowFloor: Bool
        var lines: [Line]?
    }

    func product(_ api: APIClient, _ name: String, list: Int64, floor: Int64) async throws -> UUID {
        try await api.send(.POST, "/api/v1/products", json: #"{"name":"\#(name)","unit":"台","listPrice":\#(list),"floorPrice":\#(floor)}"#).json(Made.self).id
    }

    @Test func aQuoteOfTwoHundredLinesSavesAtOnceWithExactSums() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let p = try await product(admin, "交换机", list: 720_000, floor: 600_000)
            var lines: [String] = []
            var net: Int64 = 0, tax: Int64 = 0
            for i in 0..<200 {
                let (qty, price, discount, rate) = (Int64(i % 7 + 1), Int64(700_000 + i * 13), i % 4 * 250, [0, 600, 900, 1_300][i % 4])
                let m = QuoteMath.line(quantity: qty, price: price, discount: discount, taxRate: rate)
                net += m.net
                tax += m.tax
                lines.append(#"{"productID":"\#(p)","quantity":\#(qty),"price":\#(price),"discount":\#(discount),"taxRate":\#(rate)}"#)
            }
            let res = try await admin.send(.POST, "/api/v1/quotes", json: #"""
                {"title":"年度采购","customerID":"\#(w.customers["admin"]!)","validUntil":"2099-01-31","lines":[\#(lines.joined(separator: ","))]}
                """#)
            #expect(res.status == .created)
            let q = try res.json(QuoteJSON.self)
            let month = CalendarDate.of(clock.now, in: TimeZone(identifier: "Asia/Shanghai")!).prefix(7).replacingOccurrences(of: "-", with: "")
            #expect(q.number == "BJ\(month)0001" && q.version == 1 && q.status == "draft")
            #expect(q.subtotal == net && q.tax == tax && q.total == net + tax && q.lines?.count == 200)
            #expect(try await QuoteLine.query(on: app.db).count() == 200)
            // The next one takes the next number.
            let second = try await admin.send(.POST, "/api/v1/quotes", json: #"{"title":"补充","customerID":"\#(w.customers["admin"]!)","lines":[{"productID":"\#(p)"}]}"#)
            let s = try second.json(QuoteJSON.self)
            #expect(s.number == "BJ\(month)0002" && s.lines?.first?.price == 720_000) // no price given: the strategy's (list) price
        }
    }

    @Test func badInputIsRefusedLineByLineAndFloorPricesFollowThePolicy() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let p = try await product(admin, "服务器", list: 4_580_000, floor: 4_100_000)
            let customer = w.customers["admin"]!
            let none = try await admin.send(.POST, "/api/v1/quotes", json: #"{"title":"","customerID":"\#(customer)","validUntil":"2000-01-01","lines":[]}"#)
            #expect(none.status == .unprocessableEntity && none.text.contains("\"lines\"") && none.text.contains("\"title\"") && none.text.contains("\"validUntil\""))
            let bad = try await admin.send(.POST, "/api/v1/quotes", json: #"""
                {"title":"X","customerID":"\#(customer)","lines":[{"productID":"\#(UUID())"},{"productID":"\#(p)","quantity":0},{"productID":"\#(p)","discount":10001}]}
                """#)
            #expect(bad.status == .unprocessableEntity)
            for key in ["lines.1.productID", "lines.2.quantity", "lines.3.discount"] { #expect(bad.text.contains(key), "\(key)") }
            #expect(try await Quote.query(on: app.db).count() == 0)

            // Flagged by default: 15% off brings the unit price under the floor.
            let flagged = try await admin.send(.POST, "/api/v1/quotes", json: #"{"title":"X","customerID":"\#(customer)","lines":[{"productID":"\#(p)","discount":1500}]}"#)
            #expect(flagged.status == .created)
            let f = try flagged.json(QuoteJSON.self)
            #expect(f.belowFloor && (f.lines?.first?.belowFloor ?? false))
            // Blocked once the administrator says so.
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.post("/products/settings", [("duplicateName", "warn"), ("floor", "block")]).status == .seeOther)
            let blocked = try await admin.send(.POST, "/api/v1/quotes", json: #"{"title":"X","customerID":"\#(customer)","lines":[{"productID":"\#(p)","discount":1500}]}"#)
            #expect(blocked.status == .unprocessableEntity && blocked.text.contains("lines.1.price"))
            #expect(try await admin.send(.POST, "/api/v1/quotes", json: #"{"title":"X","customerID":"\#(customer)","lines":[{"productID":"\#(p)","discount":500}]}"#).status == .created)

            // Through the page, a bad row keeps everything typed.
            let page = try await b.post("/quotes", [("title", "页面报价"), ("customerID", customer.uuidString), ("lines.1.productID", p.uuidString),
                                                    ("lines.1.quantity", "2"), ("lines.1.discount", "20"), ("lines.2.productID", p.uuidString), ("lines.2.quantity", "abc")])
            #expect(page.status == .unprocessableEntity && page.text.contains("页面报价") && page.text.contains("abc"))
            let ok = try await b.post("/quotes", [("title", "页面报价"), ("customerID", customer.uuidString), ("lines.1.productID", p.uuidString),
                                                  ("lines.1.quantity", "2"), ("lines.1.price", "45,000"), ("lines.1.taxRate", "13"), ("lines.3.productID", "")])
            #expect(ok.status == .seeOther)
            let made = try #require(try await Quote.query(on: app.db).filter(\.$title == "页面报价").first())
            #expect(made.subtotal == 9_000_000 && made.tax == 1_170_000)
        }
    }

    @Test func statusVersionsHistoryAndPrint() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let p = try await product(admin, "交换机", list: 720_000, floor: 0)
            // rep1 quotes its own customers and looks products up.
            let role = Role(orgID: w.orgID, name: "Quoting rep", policy: RolePolicy(
                actions: [.customers: [.view, .create, .edit], .quotes: [.view, .create, .edit], .products: [.view]], scopes: [.customers: .own, .quotes: .own]))
            try await role.create(on: app.db)
            try await UserRole.query(on: app.db).filter(\.$userID == w.users["rep1"]!).delete()
            try await UserRole(orgID: w.orgID, userID: w.users["rep1"]!, roleID: role.id!).create(on: app.db)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let q = try await rep1.send(.POST, "/api/v1/quotes", json: #"{"title":"网络改造","customerID":"\#(w.customers["rep1"]!)","lines":[{"productID":"\#(p)","quantity":3}]}"#)
                .json(QuoteJSON.self)
            #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q.id)/status", json: #"{"status":"accepted"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/quotes/\(q.id)/status", json: #"{"status":"sent"}"#).status == .ok)
            // A sent quote is not edited; a new version is.
            #expect(try await rep1.send(.PATCH, "/api/v1/quotes/\(q.id)", json: #"{"title":"改"}"#).status == .conflict)
            // Two people ask for a new version at once: one gets it.
            async let a = rep1.send(.POST, "/api/v1/quotes/\(q.id)/versions")
            async let b = admin.send(.POST, "/api/v1/quotes/\(q.id)/versions")
            let statuses = [try await a.status, try await b.status].map(\.code).sorted()
            #expect(statuses == [201, 409])
            let versions = try await Quote.query(on: app.db).filter(\.$number == q.number).sort(\.$version).all()
            #expect(versions.map(\.version) == [1, 2] && versions.map(\.isCurrent) == [false, true])
            let v2 = versions[1].id!
            let patched = try await rep1.send(.PATCH, "/api/v1/quotes/\(v2)", json: #"{"lines":[{"productID":"\#(p)","quantity":4,"price":700000}]}"#)
            let patchedTotal = try patched.json(QuoteJSON.self).total
            #expect(patched.status == .ok && patchedTotal == 2_800_000)

            // Scope: a colleague does not see it; the viewer may look but not change.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/quotes/\(v2)").status == .notFound)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.get("/api/v1/quotes/\(v2)").status == .ok)
            #expect(try await viewer.send(.PATCH, "/api/v1/quotes/\(v2)", json: #"{"title":"x"}"#).status == .forbidden)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/quotes/\(v2)").status == .notFound)
            let rep2List = try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/quotes?view=team")
            #expect(!rep2List.text.contains(q.number))

            // History per product and customer: the current version's line.
            struct H: Decodable { var number: String; var version: Int; var line: Line }
            let byProduct = try await rep1.get("/api/v1/quote-lines?product=\(p)").json([H].self)
            #expect(byProduct.count == 1 && byProduct[0].version == 2 && byProduct[0].line.price == 700_000)
            #expect(try await rep1.get("/api/v1/quote-lines?customer=\(w.customers["rep1"]!)").json([H].self).count == 1)
            #expect(try await rep1.get("/api/v1/quote-lines").status == .badRequest)

            // The print view fills the organisation's template.
            let browser = Browser(app)
            try await browser.signIn("admin")
            #expect(try await browser.post("/quotes/template", [("title", "报 价 单"), ("header", "致 {{customer}}"), ("footer", "合计 {{total}}，{{company}}")]).status == .seeOther)
            let print = try await browser.get("/quotes/\(v2)/print")
            #expect(print.status == .ok && print.text.contains("报 价 单") && print.text.contains("致 客户-rep1") && print.text.contains("合计 28,000.00"))
            #expect(try await browser.get("/quotes/\(v2)").text.contains("v1"))
            #expect(try await browser.get("/products/\(p)").text.contains(q.number))
        }
    }
}
