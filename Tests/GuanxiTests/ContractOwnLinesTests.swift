import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Contracts made without a quote (lines of their own) and the administrator's custom fields on contracts.
@Suite struct ContractOwnLinesTests {
    struct Made: Decodable { var id: UUID }
    struct ContractJSON: Decodable {
        var id: UUID; var status: String; var subtotal: Int64; var total: Int64; var cost: Int64; var quoteID: UUID?
        var cf_project: String?; var cf_delivery: String?
    }

    /// The administrator adds two contract fields (a required project number, listed; a delivery option
    /// with two choices); rep1 sells with a role that may make contracts.
    func setUp(_ app: Application, _ w: World) async throws -> (product: UUID, quote: UUID, options: [String: String]) {
        let quote = try await ContractTests().acceptedQuote(app, w)
        let admin = APIClient(app: app, token: World.token("admin"))
        let product = try #require(try await Product.query(on: app.db).filter(\.$name == "服务器").first()?.id)
        for body in [#"{"entity":"contract","label":"项目编号","labelEn":"Project","kind":"text","key":"project","required":true,"listed":true}"#,
                     #"{"entity":"contract","label":"交付方式","kind":"option","key":"delivery"}"#] {
            let res = try await admin.send(.POST, "/api/v1/custom-fields", json: body)
            #expect(res.status == .created, "\(res.text)")
        }
        let b = Browser(app)
        try await b.signIn("admin")
        let kind = DictionaryKind.custom(entity: "contract", key: "cf_delivery").rawValue
        for label in ["送货上门", "客户自提"] { #expect(try await b.post("/admin/dictionary/\(kind)", [("label", label)]).status == .seeOther) }
        var options: [String: String] = [:]
        for o in try await DictionaryOption.query(on: app.db).filter(\.$kind == kind).all() { options[o.label] = o.value }
        return (product, quote, options)
    }

    @Test func aContractWithLinesOfItsOwnCarriesCustomFieldsThroughTheAPI() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (product, quote, options) = try await setUp(app, w)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let customer = w.customers["rep1"]!
            // Nothing given, someone else's customer, a bad line, an unknown key, an option that is not one: field errors, nothing saved.
            let empty = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"title":"年度维保"}"#)
            let emptyFields = try empty.json(ErrorJSON.self).fields ?? [:]
            #expect(empty.status == .unprocessableEntity && emptyFields["customerID"] != nil && emptyFields["lines"] != nil && emptyFields["cf_project"] != nil, "\(empty.text)")
            let bad = try await rep1.send(.POST, "/api/v1/contracts", json: #"""
                {"title":"年度维保","customerID":"\#(w.customers["rep2"]!)","lines":[{"productID":"\#(product)","quantity":0}],
                 "cf_project":"P-001","cf_delivery":"nope","cf_nope":"x"}
                """#)
            let badFields = try bad.json(ErrorJSON.self).fields ?? [:]
            #expect(bad.status == .unprocessableEntity, "\(bad.text)")
            #expect(badFields["customerID"] != nil && badFields["lines.1.quantity"] != nil && badFields["cf_delivery"] != nil && badFields["cf_nope"] != nil, "\(badFields)")
            #expect(try await Contract.query(on: app.db).count() == 0)
            // Lines of its own, priced from the list price, with today's cost: 2 × 45,800 yuan, 13% tax, cost 2 × 30,000.
            let made = try await rep1.send(.POST, "/api/v1/contracts", json: #"""
                {"title":"年度维保","customerID":"\#(customer)","lines":[{"productID":"\#(product)","quantity":2,"taxRate":1300}],
                 "cf_project":"P-001","cf_delivery":"\#(options["送货上门"]!)"}
                """#)
            #expect(made.status == .created, "\(made.text)")
            let c = try made.json(ContractJSON.self)
            #expect(c.status == "draft" && c.quoteID == nil && c.subtotal == 9_160_000 && c.total == 10_350_800 && c.cost == 6_000_000)
            #expect(c.cf_project == "P-001" && c.cf_delivery == options["送货上门"])
            let created = try await AuditEntry.query(on: app.db).filter(\.$recordID == c.id).filter(\.$field == "cf_project").first()
            #expect(created?.newValue == "P-001")
            // A plan that adds up; then three servers instead of two: the lines, totals and history follow, and the plan that no longer adds up goes.
            #expect(try await rep1.send(.PUT, "/api/v1/contracts/\(c.id)/plan", json: #"[{"dueOn":"2026-12-31","amount":10350800}]"#).status == .ok)
            let three = try await rep1.send(.PATCH, "/api/v1/contracts/\(c.id)", json: #"{"lines":[{"productID":"\#(product)","quantity":3,"taxRate":1300}]}"#)
            #expect(three.status == .ok, "\(three.text)")
            let changed = try three.json(ContractJSON.self)
            #expect(changed.total == 15_526_200 && changed.cost == 9_000_000)
            let saved = try #require(try await Contract.find(c.id, on: app.db))
            #expect(saved.planJSON == nil)
            #expect(try await ContractLine.query(on: app.db).filter(\.$contractID == c.id).all().map(\.quantity) == [3])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == c.id).filter(\.$field == "lines").count() == 1)
            // The required field cannot be emptied; the same body again changes nothing.
            let cleared = try await rep1.send(.PATCH, "/api/v1/contracts/\(c.id)", json: #"{"cf_project":""}"#)
            #expect(cleared.status == .unprocessableEntity && cleared.text.contains("cf_project"))
            #expect(try await rep1.send(.PATCH, "/api/v1/contracts/\(c.id)", json: #"{"cf_project":"P-002"}"#).json(ContractJSON.self).cf_project == "P-002")
            // A contract from a quote keeps the quote's lines; it asks for its custom fields like any other.
            let fromQuote = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(quote)","cf_project":"P-100"}"#)
            #expect(fromQuote.status == .created, "\(fromQuote.text)")
            let q = try fromQuote.json(ContractJSON.self)
            let locked = try await rep1.send(.PATCH, "/api/v1/contracts/\(q.id)", json: #"{"lines":[{"productID":"\#(product)","quantity":9}]}"#)
            #expect(locked.status == .unprocessableEntity && locked.text.contains("lines"))
            // Submitted with no flow, it is active at once with one instalment of its total.
            #expect(try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/submit").json(ContractJSON.self).status == "active")
            #expect(try await Receivable.query(on: app.db).filter(\.$contractID == c.id).all().map(\.amount) == [15_526_200])
            // Terminated, it has nothing left to invoice; the statistics' tallies agree with a fresh count.
            #expect(try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/status", json: #"{"status":"terminated"}"#).status == .ok)
            #expect(try await FinanceTests.moneyTalliesHold(app))
            // The data scope holds.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/contracts/\(c.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("outsider")).send(.POST, "/api/v1/contracts", json: #"""
                {"title":"x","customerID":"\#(customer)","lines":[{"productID":"\#(product)","quantity":1}],"cf_project":"P"}
                """#).status != .created)
        }
    }

    @Test func theFormMakesAContractWithLinesAndKeepsWhatWasTyped() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (product, _, options) = try await setUp(app, w)
            let customer = w.customers["rep1"]!
            let b = Browser(app)
            try await b.signIn("rep1")
            let form = try await b.get("/contracts/new?customer=\(customer)")
            #expect(form.status == .ok && form.text.contains("lines.1.productID") && form.text.contains("项目编号") && form.text.contains("客户自提"))
            // A mistake: the project number left out and a quantity of "两": inline errors, the title and lines kept.
            var fields: [(String, String)] = [("customerID", customer.uuidString), ("title", "华东仓储设备"), ("kind", "order"), ("signedOn", "2026-09-20"),
                                              ("lines.1.productID", product.uuidString), ("lines.1.quantity", "两"), ("lines.1.taxRate", "13"),
                                              ("cf_project", ""), ("cf_delivery", options["客户自提"]!)]
            let bad = try await b.post("/contracts", fields)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("华东仓储设备") && bad.text.contains("value=\"两\"") && bad.text.contains("e-cf_project"), "\(bad.text.prefix(400))")
            #expect(try await Contract.query(on: app.db).count() == 0)
            fields = fields.map { $0.0 == "lines.1.quantity" ? ($0.0, "2") : $0.0 == "cf_project" ? ($0.0, "WH-7") : $0 }
            let ok = try await b.post("/contracts", fields)
            #expect(ok.status == .seeOther, "\(ok.text.prefix(400))")
            let c = try #require(try await Contract.query(on: app.db).first())
            #expect(c.kind == .order && c.total == 10_350_800 && c.customValues["cf_project"] == "WH-7")
            let page = try await b.get(Paths.contract(c.id!))
            #expect(page.text.contains("项目编号") && page.text.contains("WH-7") && page.text.contains("客户自提") && page.text.contains("服务器"))
            // The list shows the listed field as a column; the edit form shows the lines to change.
            let list = try await b.get("/contracts")
            #expect(list.text.contains("项目编号") && list.text.contains("WH-7"))
            let edit = try await b.get(Paths.contract(c.id!) + "/edit")
            #expect(edit.text.contains("lines.1.quantity") && edit.text.contains("WH-7"))
            let changed = try await b.post(Paths.contract(c.id!) + "/edit", [("title", "华东仓储设备"), ("kind", "order"), ("lines.1.productID", product.uuidString),
                                                                          ("lines.1.quantity", "1"), ("lines.1.taxRate", "13"), ("cf_project", "WH-8"),
                                                                          ("cf_delivery", options["客户自提"]!)])
            #expect(changed.status == .seeOther, "\(changed.text.prefix(400))")
            let after = try #require(try await Contract.find(c.id, on: app.db))
            #expect(after.total == 5_175_400 && after.customValues["cf_project"] == "WH-8")
            // The customer's money card offers a new contract.
            #expect(try await b.get(Paths.customer(customer)).text.contains("/contracts/new?customer="))
        }
    }
}
