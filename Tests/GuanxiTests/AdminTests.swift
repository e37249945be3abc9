import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct AdminTests {
    @Test func setUpAFreshInstallation() async throws {
        try await withGuanxi { app, _ in
            let b = Browser(app)
            let first = try await b.get("/")
            #expect(first.status == .seeOther && first.location == "/setup")
            let bad = try await b.post("/setup", [("company", ""), ("adminName", "老王"), ("account", "x"), ("password", "short"),
                                                  ("timeZone", "Asia/Shanghai"), ("currency", "CNY"), ("locale", "zh-Hans")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("value=\"老王\""))
            #expect(bad.text.contains("必填"))
            let ok = try await b.post("/setup", [("company", "新公司"), ("adminName", "老王"), ("account", "boss"), ("password", "boss12345"),
                                                 ("timeZone", "Asia/Shanghai"), ("currency", "CNY"), ("locale", "zh-Hans")])
            #expect(ok.status == .seeOther)
            #expect(try await b.get("/setup").location == "/login")
            #expect(try await b.signIn("boss", "boss12345").status == .seeOther)
            let home = try await b.get("/")
            #expect(home.status == .ok)
            #expect(home.text.contains("系统管理"))
        }
    }

    @Test func departmentTreeCreateMoveAndRefuseCycles() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.post("/admin/departments", [("name", "华南"), ("parentID", w.departments["Sales"]!.uuidString)]).status == .seeOther)
            let south = try await Department.query(on: app.db).filter(\.$name == "华南").first()!
            #expect(south.parentID == w.departments["Sales"])
            // Moving Sales under its own child is refused and nothing changes.
            let cycle = try await b.post("/admin/departments/\(w.departments["Sales"]!)",
                                         [("name", "Sales"), ("parentID", w.departments["East"]!.uuidString), ("isActive", "1")])
            #expect(cycle.status == .unprocessableEntity)
            #expect(try await Department.find(w.departments["Sales"]!, on: app.db)?.parentID == w.departments["HQ"])
            // Disabling a department that still has people is refused.
            let inUse = try await b.post("/admin/departments/\(w.departments["East"]!)", [("name", "East"), ("parentID", w.departments["Sales"]!.uuidString)])
            #expect(inUse.status == .unprocessableEntity)
            // Rename and move work and are audited.
            #expect(try await b.post("/admin/departments/\(south.id!)", [("name", "华南区"), ("parentID", w.departments["HQ"]!.uuidString), ("isActive", "1")]).status == .seeOther)
            let moved = try await Department.find(south.id!, on: app.db)!
            #expect(moved.name == "华南区" && moved.parentID == w.departments["HQ"])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == south.id!).count() >= 3)
            // Another organisation's department cannot be used as a parent.
            let foreign = try await Department.query(on: app.db).filter(\.$orgID == w.otherOrgID).first()!
            #expect(try await b.post("/admin/departments", [("name", "X"), ("parentID", foreign.id!.uuidString)]).status == .unprocessableEntity)
            // Non-admins are refused.
            let rep = Browser(app)
            try await rep.signIn("rep1")
            #expect(try await rep.get("/admin/departments").status == .forbidden)
            #expect(try await rep.post("/admin/departments", [("name", "偷建")]).status == .forbidden)
        }
    }

    @Test func createEmployeeThenDisableWithHandOver() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let bad = try await b.post("/admin/employees/new", [("account", "rep1"), ("name", "重复"), ("password", "abc")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("value=\"重复\""))
            let created = try await b.post("/admin/employees/new", [
                ("account", "newrep"), ("name", "新人"), ("password", "newrep123"), ("email", "new@example.cn"),
                ("departmentID", w.departments["East"]!.uuidString), ("supervisorID", w.users["lead"]!.uuidString),
                ("roleIDs[]", w.roles["rep"]!.uuidString),
            ])
            #expect(created.status == .seeOther)
            let newRep = Browser(app)
            #expect(try await newRep.signIn("newrep", "newrep123").status == .seeOther)
            #expect(try await newRep.get("/customers").status == .ok)

            // Lead's view now includes the new subordinate's customers.
            let c = try await APIClient(app: app, token: nil).send(.GET, "/api/v1/customers")
            #expect(c.status == .unauthorized)

            // A supervisor loop is refused.
            let loop = try await b.post("/admin/employees/\(w.users["lead"]!)", [
                ("name", "Lead"), ("departmentID", w.departments["East"]!.uuidString), ("supervisorID", w.users["rep1"]!.uuidString),
                ("roleIDs[]", w.roles["lead"]!.uuidString),
            ])
            #expect(loop.status == .unprocessableEntity)

            // Disabling rep1 without a hand-over target is refused while rep1 owns customers.
            let refused = try await b.post("/admin/employees/\(w.users["rep1"]!)/disable", [("handOverTo", ""), ("status", "left")])
            #expect(refused.status == .unprocessableEntity)
            let rep1 = Browser(app)
            try await rep1.signIn("rep1")
            let disabled = try await b.post("/admin/employees/\(w.users["rep1"]!)/disable",
                                            [("handOverTo", w.users["rep2"]!.uuidString), ("status", "left")])
            #expect(disabled.status == .seeOther)
            let moved = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            #expect(moved.ownerID == w.users["rep2"])
            #expect(try await User.find(w.users["rep1"]!, on: app.db)?.status == .left)
            #expect(try await rep1.get("/customers").status == .seeOther)
            #expect(try await Browser(app).signIn("rep1").status == .unauthorized)
            #expect(try await APIClient(app: app, token: World.token("rep1")).get("/api/v1/me").status == .unauthorized)
            let assign = try await AuditEntry.query(on: app.db).filter(\.$recordID == w.customers["rep1"]!).filter(\.$action == .assign).count()
            #expect(assign == 1)
        }
    }

    @Test func rolesMatrixDrivesAccess() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            // Give the Rep role a department scope and delete right, and mask phones.
            let res = try await b.post("/admin/roles/\(w.roles["rep"]!)", [
                ("name", "Rep"), ("perm.customers.view", "1"), ("perm.customers.edit", "1"), ("perm.customers.delete", "1"),
                ("scope.customers", "department"), ("rule.customers.phone", "masked"),
            ])
            #expect(res.status == .seeOther)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let page = try await rep1.get("/api/v1/customers").json(CustomerPageJSON.self)
            #expect(Set(page.items.compactMap { w.key(of: $0.id) }) == ["rep1", "rep2", "lead"])
            #expect(page.items.allSatisfy { $0.phone?.contains("****") == true })
            // Create was not ticked, so it is refused now.
            #expect(try await rep1.send(.POST, "/api/v1/customers", json: #"{"name":"新客户"}"#).status == .forbidden)
            // A masked field cannot be changed either.
            let masked = try await rep1.send(.PATCH, "/api/v1/customers/\(w.customers["rep1"]!)", json: #"{"phone":"13700000000"}"#)
            #expect(masked.status == .unprocessableEntity)
            // The administrator role cannot lose its rights.
            let admin = try await Role.find(w.roles["admin"]!, on: app.db)!
            _ = try await b.post("/admin/roles/\(admin.id!)", [("name", "Admin")])
            #expect(try await Role.find(w.roles["admin"]!, on: app.db)!.policy == .administrator)
            // Bad scope values are rejected, not stored.
            #expect(try await b.post("/admin/roles/\(w.roles["rep"]!)", [("name", "Rep"), ("scope.customers", "everything")]).status == .badRequest)
        }
    }

    @Test func organisationSettingsValidateAndSave() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let bad = try await b.post("/admin/organization", [("name", "测试公司"), ("timeZone", "Mars/Base"), ("currency", "CNY"),
                                                               ("moneyDecimals", "9"), ("quantityDecimals", "2"), ("priceDecimals", "2")])
            #expect(bad.status == .unprocessableEntity)
            let ok = try await b.post("/admin/organization", [("name", "测试公司（新）"), ("systemTitle", "测试 CRM"), ("timeZone", "Asia/Shanghai"),
                                                              ("currency", "USD"), ("moneyDecimals", "2"), ("quantityDecimals", "3"), ("priceDecimals", "4")])
            #expect(ok.status == .seeOther)
            let org = try await Organization.find(w.orgID, on: app.db)!
            #expect(org.name == "测试公司（新）" && org.currency == "USD" && org.priceDecimals == 4)
            #expect(try await b.get("/").text.contains("测试 CRM"))
        }
    }

    @Test func languageIsChosenPerUser() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let b = Browser(app)
            let en = try await b.get("/login", headers: ["Accept-Language": "en-US,en;q=0.9"])
            #expect(en.text.contains("Sign in"))
            try await b.signIn("rep1")
            #expect(try await b.get("/customers").text.contains("客户名称"))
            #expect(try await b.post("/profile/language", [("locale", "en")]).status == .seeOther)
            #expect(try await b.get("/customers").text.contains("New customer"))
            #expect(try await b.get("/api/v1/me").status == .unauthorized)
        }
    }

    @Test func loginLogIsSearchable() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            _ = try await Browser(app).signIn("rep2", "bad-password1")
            let b = Browser(app)
            try await b.signIn("admin")
            let page = try await b.get("/admin/login-records?account=rep2")
            #expect(page.status == .ok)
            #expect(page.text.contains("rep2"))
            #expect(!page.text.contains(">admin<"))
        }
    }
}
