import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct FullCustomerJSON: Decodable {
    var id: UUID
    var number: String?
    var name: String
    var mnemonic: String?
    var industry: String?
    var level: String?
    var creditLimit: Int64?
    var regionID: UUID?
    var parentID: UUID?
    var settlementCustomerID: UUID?
    var registeredOn: String?
    var phone: String?
}

struct ContactJSON: Decodable {
    var id: UUID
    var name: String
    var primary: Bool?
    var mobile: String?
    var customerID: UUID
}

@Suite struct CustomerProfileTests {
    @Test func fullProfileThroughTheAPI() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let api = APIClient(app: app, token: World.token("lead"))
            let region = try await Region.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$name == "广东").first()!
            let created = try await api.send(.POST, "/api/v1/customers", json: """
                {"name":"北京新能源科技有限公司","industry":"manufacturing","level":"a","creditLimit":12345678,
                 "regionID":"\(region.id!)","registeredOn":"2015-06-30","creditCode":"91110108mA01abcd2x","kind":"company"}
                """)
            #expect(created.status == .created, "\(created.text)")
            let c = try created.json(FullCustomerJSON.self)
            #expect(c.number?.hasPrefix("KH") == true)
            #expect(c.mnemonic == "BJXNYKJYXGS")
            #expect(c.creditLimit == 12_345_678 && c.industry == "manufacturing" && c.regionID == region.id)
            // Pinyin initials, full spelling and the number find it.
            for q in ["bjxny", "beijingxin", c.number!, "新能源"] {
                let found = try await api.get("/api/v1/customers?q=\(URLQuery.encode(q))").json(CustomerPageJSON.self)
                #expect(found.items.map(\.id) == [c.id], "search \(q)")
            }
            // Numbers are unique and follow the rule.
            let second = try await api.send(.POST, "/api/v1/customers", json: #"{"name":"第二家"}"#).json(FullCustomerJSON.self)
            #expect(second.number != c.number)

            // Bad values are refused field by field and nothing changes.
            let other = try await Region.query(on: app.db).filter(\.$orgID == w.otherOrgID).first()!
            let bad = try await api.send(.PATCH, "/api/v1/customers/\(c.id)", json: """
                {"industry":"spaceships","creditLimit":"lots","registeredOn":"2023-02-30","regionID":"\(other.id!)","colour":"red","number":"X1"}
                """)
            #expect(bad.status == .unprocessableEntity)
            let fields = try bad.json(ErrorJSON.self).fields ?? [:]
            #expect(Set(fields.keys) == ["industry", "creditLimit", "registeredOn", "region", "colour", "number"])
            #expect(try await api.get("/api/v1/customers/\(c.id)").json(FullCustomerJSON.self).industry == "manufacturing")

            // Parent and settlement customers: visible ones only, and no loops.
            let rep1Customer = w.customers["rep1"]!
            #expect(try await api.send(.PATCH, "/api/v1/customers/\(second.id)", json: #"{"parentID":"\#(c.id)","settlementCustomerID":"\#(rep1Customer)"}"#).status == .ok)
            let loop = try await api.send(.PATCH, "/api/v1/customers/\(c.id)", json: #"{"parentID":"\#(second.id)"}"#)
            #expect(loop.status == .unprocessableEntity)
            let hidden = try await api.send(.PATCH, "/api/v1/customers/\(c.id)", json: #"{"settlementCustomerID":"\#(w.customers["west"]!)"}"#)
            #expect(hidden.status == .unprocessableEntity)
            // Clearing with null works.
            let cleared = try await api.send(.PATCH, "/api/v1/customers/\(second.id)", json: #"{"parentID":null}"#).json(FullCustomerJSON.self)
            #expect(cleared.parentID == nil && cleared.settlementCustomerID == rep1Customer)
        }
    }

    @Test func fullProfileThroughTheForm() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            let form = try await b.get("/customers/new")
            #expect(form.text.contains("统一社会信用代码") && form.text.contains("制造业"))
            let bad = try await b.post("/customers/new", [("name", "杭州启明软件有限公司"), ("creditLimit", "12.345"), ("industry", "it"), ("email", "x@")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("value=\"12.345\"") && bad.text.contains("value=\"杭州启明软件有限公司\""))
            #expect(bad.text.contains("金额格式不正确"))
            let ok = try await b.post("/customers/new", [("name", "杭州启明软件有限公司"), ("creditLimit", "12,345.60"), ("industry", "it"),
                                                         ("kind", "company"), ("parent", ""), ("settlementCustomer", try await number(app, w.customers["rep1"]!))])
            #expect(ok.status == .seeOther)
            let created = try await Customer.query(on: app.db).filter(\.$name == "杭州启明软件有限公司").first()!
            #expect(created.creditLimit == 1_234_560 && created.settlementCustomerID == w.customers["rep1"])
            let detail = try await b.get(ok.location!)
            #expect(detail.text.contains("12,345.60") && detail.text.contains("互联网/软件") && detail.text.contains("客户-rep1"))
            let edit = try await b.get(ok.location! + "/edit")
            #expect(edit.text.contains("value=\"12345.60\""))
        }
    }

    private func number(_ app: Application, _ id: UUID) async throws -> String {
        let c = try await Customer.find(id, on: app.db)!
        if let n = c.number { return n }
        c.number = "KH-T-\(id.uuidString.prefix(4))"
        try await c.save(on: app.db)
        return c.number!
    }

    @Test func contactsFollowTheirCustomer() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            let customer = w.customers["rep1"]!
            #expect(try await b.post("/customers/\(customer)/contacts", [("name", "李经理"), ("title", "采购经理"), ("mobile", "13900001111")]).status == .seeOther)
            #expect(try await b.post("/customers/\(customer)/contacts", [("name", "王工"), ("mobile", "bad phone")]).status == .unprocessableEntity)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let second = try await rep1.send(.POST, "/api/v1/customers/\(customer)/contacts", json: #"{"name":"王工","mobile":"13900002222"}"#)
            #expect(second.status == .created)
            var list = try await rep1.get("/api/v1/customers/\(customer)/contacts").json([ContactJSON].self)
            #expect(list.map(\.name) == ["李经理", "王工"])
            #expect(list[0].primary == true && list[1].primary == false)
            // Making the second primary moves the flag.
            #expect(try await rep1.send(.PATCH, "/api/v1/contacts/\(list[1].id)", json: #"{"primary":true}"#).status == .ok)
            list = try await rep1.get("/api/v1/customers/\(customer)/contacts").json([ContactJSON].self)
            #expect(list.first?.name == "王工" && list.filter { $0.primary == true }.count == 1)
            // The 360 view shows them.
            let page = try await b.get("/customers/\(customer)")
            #expect(page.text.contains("李经理") && page.text.contains("首要联系人"))
            // Someone who cannot see the customer cannot see its contacts either.
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.get("/api/v1/customers/\(customer)/contacts").status == .notFound)
            #expect(try await rep2.get("/api/v1/contacts/\(list[0].id)").status == .notFound)
            #expect(try await rep2.send(.PATCH, "/api/v1/contacts/\(list[0].id)", json: #"{"name":"x"}"#).status == .notFound)
            // The viewer sees them masked.
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.get("/api/v1/contacts/\(list[1].id)").json(ContactJSON.self).mobile == "139****1111")

            // Deleting the customer takes its contacts to the bin; restoring brings them back.
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.DELETE, "/api/v1/customers/\(customer)").status == .noContent)
            #expect(try await admin.get("/api/v1/contacts/\(list[0].id)").status == .notFound)
            #expect(try await Contact.query(on: app.db).filter(\.$customerID == customer).count() == 0)
            #expect(try await admin.send(.POST, "/api/v1/recycle-bin/customer/\(customer)/restore").status == .noContent)
            #expect(try await admin.get("/api/v1/customers/\(customer)/contacts").json([ContactJSON].self).count == 2)
            // A contact deleted alone can be restored alone; the other remains primary.
            #expect(try await admin.send(.DELETE, "/api/v1/contacts/\(list[0].id)").status == .noContent)
            let remaining = try await admin.get("/api/v1/customers/\(customer)/contacts").json([ContactJSON].self)
            #expect(remaining.count == 1 && remaining[0].primary == true)
            #expect(try await admin.send(.POST, "/api/v1/recycle-bin/contact/\(list[0].id)/restore").status == .noContent)
        }
    }
}

@Suite struct DemoDataTests {
    @Test func demoCompanyIsConsistentAndNumberingContinues() async throws {
        try await withGuanxi { app, clock in
            _ = try await DemoData.fill(db: app.db, passwordHash: try await app.password.async.hash("guanxi123"), customers: 40)
            #expect(try await Customer.query(on: app.db).count() == 40)
            #expect(try await Department.query(on: app.db).count() == DemoData.departments.count)
            let admin = try await User.query(on: app.db).filter(\.$account == "admin").first()!
            let actor = try await Actor.resolve(userID: admin.id!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let input = EntityInput(values: ["name": "演示后新建"])
            let created = try await CustomerService(db: app.db, actor: actor, now: Date()).create(input, ownerID: nil)
            let numbers = try await Customer.query(on: app.db).all().compactMap(\.number)
            #expect(Set(numbers).count == 41)
            #expect(created.number?.hasSuffix("00041") == true)
            // The branch manager of Beijing sees the Beijing tree only.
            let liNa = try await User.query(on: app.db).filter(\.$account == "li.na").first()!
            let manager = try await Actor.resolve(userID: liNa.id!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let visible = try await manager.query(Customer.self, .view, on: app.db).all()
            let beijing = Set(try await Department.query(on: app.db).filter(\.$name ~~ ["北京分公司", "北京一组", "北京二组"]).all().compactMap(\.id))
            let owned = visible.filter { $0.ownerID != nil }
            #expect(!owned.isEmpty && owned.allSatisfy { $0.departmentID.map(beijing.contains) ?? false })
            #expect(visible.contains { $0.ownerID == nil }, "pool customers are open to everyone")
            _ = clock
        }
    }
}

@Suite struct ColumnChooserTests {
    @Test func chosenColumnsAreShownAndRemembered() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let first = try await b.get("/customers?cols[]=creditCode&cols[]=address")
            #expect(first.text.contains("<th>统一社会信用代码</th>") && first.text.contains("<th>地址</th>"))
            #expect(!first.text.contains("<th>电话</th>"))
            let again = try await b.get("/customers")
            #expect(again.text.contains("<th>统一社会信用代码</th>"))
            // A viewer never gets a hidden field as a column.
            let viewer = Browser(app)
            try await viewer.signIn("viewer")
            #expect(!(try await viewer.get("/customers?cols[]=notes").text.contains("<th>备注</th>")))
        }
    }
}
