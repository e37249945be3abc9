import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ProductTests {
    /// rep1 gets a role that may view products but not see their cost; admin has every right.
    func restrictRep1(_ app: Application, _ w: World) async throws {
        var policy = RolePolicy(actions: [.customers: [.view], .products: [.view]], scopes: [.customers: .own])
        policy.fieldRules["products.costPrice"] = .hidden
        let role = Role(orgID: w.orgID, name: "Seller", policy: policy)
        try await role.create(on: app.db)
        try await UserRole.query(on: app.db).filter(\.$userID == w.users["rep1"]!).delete()
        try await UserRole(orgID: w.orgID, userID: w.users["rep1"]!, roleID: role.id!).create(on: app.db)
    }

    func object(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(res.text.utf8)) as? [String: Any])
    }

    @Test func productsThroughThePagesWithEntryPolicies() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            // A category tree of any depth.
            #expect(try await b.post("/products/categories", [("name", "硬件")]).status == .seeOther)
            let hardware = try #require(try await ProductCategory.query(on: app.db).filter(\.$name == "硬件").first())
            #expect(try await b.post("/products/categories", [("name", "服务器"), ("parentID", hardware.id!.uuidString)]).status == .seeOther)
            let servers = try #require(try await ProductCategory.query(on: app.db).filter(\.$name == "服务器").first())
            #expect(try await b.post("/products/categories", [("name", "服务器"), ("parentID", hardware.id!.uuidString)]).status == .unprocessableEntity)

            // A product with no code takes the next number; prices typed in yuan are stored in fen.
            let made = try await b.post("/products", [("name", "机架服务器 R740"), ("model", "R740"), ("unit", "台"), ("kind", "goods"), ("status", "onSale"),
                                                      ("listPrice", "45,800.00"), ("floorPrice", "41000"), ("costPrice", "36000"), ("category", servers.id!.uuidString)])
            #expect(made.status == .seeOther)
            let p = try #require(try await Product.query(on: app.db).filter(\.$name == "机架服务器 R740").first())
            #expect(p.code == "CP00001" && p.listPrice == 4_580_000 && p.floorPrice == 4_100_000 && p.categoryID == servers.id)
            #expect(try await b.get(made.location!).text.contains("机架服务器 R740"))
            // Listing a category lists what is below it too; search by pinyin initials.
            #expect(try await b.get("/products?category=\(hardware.id!.uuidString)").text.contains("R740"))
            #expect(try await b.get("/products?q=jjfwq").text.contains("R740"))
            // The filters name statuses and kinds in words, not as keys.
            let filters = try await b.get("/products").text
            #expect(filters.contains(">在售<") && filters.contains(">实物产品<") && !filters.contains("Optional("))
            #expect(!(try await b.get("/products?q=不存在的东西").text.contains("R740")))

            // Duplicate names warn by default: refused with the input kept, saved once confirmed.
            let dup = try await b.post("/products", [("name", "机架服务器 R740"), ("model", "R740-B"), ("kind", "goods"), ("status", "onSale")])
            #expect(dup.status == .unprocessableEntity)
            #expect(dup.text.contains("R740-B") && dup.text.contains("confirmDuplicate"))
            #expect(try await b.post("/products", [("name", "机架服务器 R740"), ("model", "R740-B"), ("kind", "goods"), ("status", "onSale"),
                                                   ("confirmDuplicate", "1")]).status == .seeOther)
            // The administrator forbids duplicates and requires a category and a model.
            #expect(try await b.post("/products/settings", [("duplicateName", "forbid"), ("required.category", "1"), ("required.model", "1"), ("floor", "block")]).status == .seeOther)
            let forbidden = try await b.post("/products", [("name", "机架服务器 R740"), ("kind", "goods"), ("status", "onSale"), ("confirmDuplicate", "1")])
            #expect(forbidden.status == .unprocessableEntity)
            #expect(try await Product.query(on: app.db).filter(\.$name == "机架服务器 R740").count() == 2)
            let missing = try await b.post("/products", [("name", "培训服务"), ("kind", "service"), ("status", "onSale")])
            #expect(missing.status == .unprocessableEntity)
            // Prices keep their order; a code in use is refused.
            let order = try await b.post("/products", [("name", "交换机"), ("model", "S5700"), ("category", hardware.id!.uuidString), ("kind", "goods"),
                                                       ("status", "onSale"), ("listPrice", "100"), ("floorPrice", "200"), ("code", "CP00001")])
            #expect(order.status == .unprocessableEntity)
            #expect(order.text.contains("最低价不能高于标准价") && order.text.contains("这个编号已被使用"))

            // Editing is audited; a category with products cannot go.
            #expect(try await b.post("/products/\(p.id!.uuidString)/edit", [("name", "机架服务器 R740"), ("model", "R740xd"), ("unit", "台"), ("kind", "goods"),
                                                                           ("status", "offSale"), ("category", servers.id!.uuidString)]).status == .seeOther)
            let entries = try await AuditEntry.query(on: app.db).filter(\.$recordID == p.id!).all()
            #expect(entries.contains { $0.field == "model" && $0.oldValue == "R740" && $0.newValue == "R740xd" })
            #expect(try await b.post("/products/categories/\(servers.id!.uuidString)/delete").status == .seeOther)
            #expect(try await ProductCategory.find(servers.id, on: app.db) != nil)

            // Deleted products wait in the recycle bin and come back.
            #expect(try await b.post("/products/\(p.id!.uuidString)/delete").status == .seeOther)
            #expect(try await Product.find(p.id, on: app.db) == nil)
            #expect(try await b.post("/admin/recycle-bin/product/\(p.id!.uuidString)/restore").status == .seeOther)
            #expect(try await Product.find(p.id, on: app.db) != nil)
            _ = w
        }
    }

    @Test func theAPIKeepsRightsFieldRulesAndOrganisations() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            try await restrictRep1(app, w)
            let admin = APIClient(app: app, token: World.token("admin"))
            let rep = APIClient(app: app, token: World.token("rep1"))
            let outsider = APIClient(app: app, token: World.token("outsider"))

            let created = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"云存储服务","kind":"service","unit":"年","listPrice":1200000,"costPrice":500000}"#)
            #expect(created.status == .created)
            let id = try #require(try object(created)["id"] as? String)
            #expect(try object(created)["costPrice"] as? Int == 500000)
            // Bad input: field errors, nothing saved.
            let bad = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"","listPrice":-5,"colour":"red","categoryID":"not-a-uuid"}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("colour") && bad.text.contains("listPrice") && bad.text.contains("category"))
            #expect(try await Product.query(on: app.db).count() == 1)

            // rep1 may look but not touch, and never sees the cost.
            let seen = try await rep.get("/api/v1/products/\(id)")
            #expect(seen.status == .ok)
            #expect(try object(seen)["costPrice"] == nil && (try object(seen)["listPrice"] as? Int) == 1200000)
            #expect(!(try await rep.get("/api/v1/products").text.contains("500000")))
            #expect(try await rep.send(.POST, "/api/v1/products", json: #"{"name":"偷偷加的"}"#).status == .forbidden)
            #expect(try await rep.send(.PATCH, "/api/v1/products/\(id)", json: #"{"name":"改名"}"#).status == .forbidden)
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/products/\(id)")
            #expect(page.status == .ok && !page.text.contains("5,000.00") && !page.text.contains("成本价"))
            // Another organisation does not see it at all.
            #expect(try await outsider.get("/api/v1/products/\(id)").status == .notFound)
            #expect(!(try await outsider.get("/api/v1/products").text.contains(id)))
            // A user without the module is refused.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/products").status == .forbidden)
        }
    }

    @Test func priceStrategiesChooseByCustomerAndDepartment() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let made = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"打印机","unit":"台","listPrice":300000}"#)
            let id = try #require(try object(made)["id"] as? String)
            let vip = try #require(try await DictionaryOption.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$kind == "level").first())
            let customer = try #require(try await Customer.find(w.customers["admin"], on: app.db))
            customer.level = vip.value
            try await customer.save(on: app.db)

            #expect(try await admin.send(.POST, "/api/v1/products/\(id)/prices", json: #"{"customerLevel":"\#(vip.value)","price":280000}"#).status == .created)
            #expect(try await admin.send(.POST, "/api/v1/products/\(id)/prices", json: #"{"departmentID":"\#(w.departments["HQ"]!.uuidString)","customerLevel":"\#(vip.value)","price":260000}"#).status == .created)
            #expect(try await admin.send(.POST, "/api/v1/products/\(id)/prices", json: #"{"unit":"箱","price":1100000}"#).status == .created)
            // The same conditions twice, a level that does not exist, a negative price: refused.
            #expect(try await admin.send(.POST, "/api/v1/products/\(id)/prices", json: #"{"unit":"箱","price":1000000}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/products/\(id)/prices", json: #"{"customerLevel":"nope","price":1}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/products/\(id)/prices", json: #"{"price":-1}"#).status == .unprocessableEntity)

            struct Quoted: Decodable { var price: Int64; var source: String }
            // admin sits in HQ: the HQ rule for VIP customers is the most specific.
            #expect(try await admin.get("/api/v1/products/\(id)/price?customer=\(customer.id!.uuidString)").json(Quoted.self).price == 260000)
            #expect(try await admin.get("/api/v1/products/\(id)/price").json(Quoted.self).source == "listPrice")
            #expect(try await admin.get("/api/v1/products/\(id)/price?unit=箱".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!).json(Quoted.self).price == 1100000)
            #expect(try await admin.get("/api/v1/products/\(id)/price?unit=%E5%8C%85").status == .notFound)
            // The rules and their changes are on the product's history.
            let prices = try await ProductPrice.query(on: app.db).all()
            #expect(prices.count == 3)
            let entries = try await AuditEntry.query(on: app.db).filter(\.$field == "priceRule").count()
            #expect(entries == 3)
            #expect(try await admin.send(.DELETE, "/api/v1/products/\(id)/prices/\(prices[0].id!.uuidString)").status == .noContent)
            #expect(try await ProductPrice.query(on: app.db).count() == 2)
        }
    }
}
