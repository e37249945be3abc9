import Fluent
import SQLKit
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct LeadTests {
    struct Item: Decodable {
        var id: UUID
        var company: String?
        var person: String?
        var status: String
        var ownerID: UUID?
        var customerID: UUID?
        var opportunityID: UUID?
    }

    struct Page: Decodable { var items: [Item]; var nextCursor: String? }

    /// One lead per user of the world (named after the user, owned by them) and one in the pool.
    func seed(_ app: Application, _ w: World) async throws -> [String: UUID] {
        let admin = APIClient(app: app, token: World.token("admin"))
        var out: [String: UUID] = [:]
        for (i, account) in ["rep1", "rep2", "lead", "westrep", "manager", "director", "admin"].enumerated() {
            let res = try await admin.send(.POST, "/api/v1/leads",
                                           json: #"{"company":"线索公司\#(account)","person":"联系人\#(i)","phone":"1390000\#(String(format: "%04d", i))","ownerID":"\#(w.users[account]!)"}"#)
            #expect(res.status == .created, "\(account): \(res.text)")
            out[account == "westrep" ? "west" : account] = try res.json(Item.self).id
        }
        let pool = try await admin.send(.POST, "/api/v1/leads", json: #"{"company":"池子里的公司","ownerID":"pool"}"#)
        #expect(pool.status == .created, "\(pool.text)")
        out["pool"] = try pool.json(Item.self).id
        return out
    }

    @Test func everyEndpointFollowsTheDataScopeAndThePoolIsEveryones() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let leads = try await seed(app, w)
            for (account, expected) in World.visibility where account != "outsider" {
                let api = APIClient(app: app, token: World.token(account))
                let view = ["admin", "director"].contains(account) ? "all" : "team"
                let list = try await api.get("/api/v1/leads?view=\(view)&limit=200")
                #expect(list.status == .ok, "\(account) list")
                let seen = Set(try list.json(Page.self).items.compactMap { $0.company?.replacingOccurrences(of: "线索公司", with: "") })
                    .map { $0 == "westrep" ? "west" : $0 }
                let wanted = view == "all" ? expected.union(["池子里的公司"]) : expected
                #expect(Set(seen) == wanted, "\(account) sees \(seen.sorted()), expected \(wanted.sorted())")
                let pool = try await api.get("/api/v1/leads?view=pool").json(Page.self).items.map(\.id)
                #expect(pool == [leads["pool"]!], "\(account) pool")
                for (key, id) in leads {
                    let res = try await api.get("/api/v1/leads/\(id)")
                    #expect(res.status == (expected.contains(key) || key == "pool" ? .ok : .notFound), "\(account) GET \(key): \(res.status)")
                }
            }
            #expect(try await APIClient(app: app, token: World.token("manager")).get("/api/v1/leads?view=all").status == .badRequest)
            let outsider = APIClient(app: app, token: World.token("outsider"))
            #expect(try await outsider.get("/api/v1/leads/\(leads["pool"]!)").status == .notFound)
            #expect(try await outsider.send(.POST, "/api/v1/leads/\(leads["pool"]!)/claim").status == .notFound)
            #expect(try await outsider.get("/api/v1/leads?view=all").json(Page.self).items.isEmpty)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep1.send(.PATCH, "/api/v1/leads/\(leads["rep2"]!)", json: #"{"need":"x"}"#).status == .notFound)
            #expect(try await rep1.send(.POST, "/api/v1/leads/\(leads["rep2"]!)/follow-ups", json: #"{"method":"phone","content":"x"}"#).status == .notFound)
            #expect(try await rep1.send(.POST, "/api/v1/leads/\(leads["rep2"]!)/convert", json: "{}").status == .notFound)
            // A rep may not hand leads out; the viewer may look but not change.
            #expect(try await rep1.send(.POST, "/api/v1/leads/assign", json: #"{"ids":["\#(leads["rep1"]!)"],"ownerID":"\#(w.users["rep2"]!)"}"#).status == .forbidden)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.send(.PATCH, "/api/v1/leads/\(leads["rep1"]!)", json: #"{"need":"x"}"#).status == .forbidden)
            #expect(try await viewer.send(.POST, "/api/v1/leads/\(leads["pool"]!)/claim").status == .forbidden)
            #expect(try await viewer.send(.DELETE, "/api/v1/leads/\(leads["rep1"]!)").status == .forbidden)
            // Rules and forms are the administrator's.
            #expect(try await rep1.get("/api/v1/lead-rules").status == .forbidden)
            #expect(try await rep1.send(.POST, "/api/v1/web-forms", json: #"{"name":"x"}"#).status == .forbidden)
            // The lead's owner is changed by the pool actions, not by PATCH.
            let patched = try await rep1.send(.PATCH, "/api/v1/leads/\(leads["rep1"]!)", json: #"{"ownerID":"\#(w.users["rep2"]!)"}"#)
            #expect(patched.status == .unprocessableEntity && patched.text.contains("ownerID"))
        }
    }

    @Test func claimIsFirstComeAndReleaseReturnsItToThePool() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let leads = try await seed(app, w)
            let pool = leads["pool"]!
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            async let a = rep1.send(.POST, "/api/v1/leads/\(pool)/claim")
            async let b = rep2.send(.POST, "/api/v1/leads/\(pool)/claim")
            let statuses = [try await a.status, try await b.status].map(\.code).sorted()
            #expect(statuses == [200, 409])
            let owner = try #require(try await Lead.find(pool, on: app.db)?.ownerID)
            #expect([w.users["rep1"]!, w.users["rep2"]!].contains(owner))
            let winner = owner == w.users["rep1"]! ? rep1 : rep2
            #expect(try await winner.send(.POST, "/api/v1/leads/\(pool)/release").status == .ok)
            let back = try await Lead.find(pool, on: app.db)
            #expect(back?.ownerID == nil && back?.departmentID == nil)
            let entries = try await AuditEntry.query(on: app.db).filter(\.$recordID == pool).filter(\.$action == .assign).count()
            #expect(entries == 2)
            // The manager hands leads out, from the pool and from a rep, and the new owner is told.
            let manager = APIClient(app: app, token: World.token("manager"))
            let toldBefore = try await UserNotification.query(on: app.db).filter(\.$userID == w.users["westrep"]!).filter(\.$kind == "leadAssigned").count()
            let res = try await manager.send(.POST, "/api/v1/leads/assign", json: #"{"ids":["\#(pool)","\#(leads["rep1"]!)"],"ownerID":"\#(w.users["westrep"]!)"}"#)
            #expect(res.status == .ok && res.text.contains("2"), "\(res.text)")
            let told = try await UserNotification.query(on: app.db).filter(\.$userID == w.users["westrep"]!).filter(\.$kind == "leadAssigned").count()
            #expect(told == toldBefore + 2)
            // The lead (ownAndSubordinates) cannot hand out a lead outside their scope.
            let teamLead = APIClient(app: app, token: World.token("lead"))
            #expect(try await teamLead.send(.POST, "/api/v1/leads/assign", json: #"{"ids":["\#(leads["manager"]!)"],"ownerID":"\#(w.users["rep1"]!)"}"#).status == .notFound)
        }
    }

    @Test func rulesHandLeadsOutInTurnEvenWhenTheyArriveTogether() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let beijing = Region(orgID: w.orgID, parentID: nil, name: "北京", sortOrder: 0)
            try await beijing.create(on: app.db)
            let haidian = Region(orgID: w.orgID, parentID: beijing.id, name: "海淀", sortOrder: 0)
            try await haidian.create(on: app.db)
            let bad = try await admin.send(.POST, "/api/v1/lead-rules", json: #"{"name":"空","userIDs":[]}"#)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("userIDs"))
            let north = try await admin.send(.POST, "/api/v1/lead-rules", json: #"{"name":"北京","regionID":"\#(beijing.id!)","userIDs":["\#(w.users["westrep"]!)"],"position":1}"#)
            #expect(north.status == .created, "\(north.text)")
            let web = try await admin.send(.POST, "/api/v1/lead-rules",
                                           json: #"{"name":"网站","source":"web","userIDs":["\#(w.users["rep1"]!)","\#(w.users["rep2"]!)"],"position":2}"#)
            #expect(web.status == .created, "\(web.text)")
            func add(_ body: String) async throws -> Item {
                let res = try await admin.send(.POST, "/api/v1/leads?force=true", json: body)
                #expect(res.status == .created, "\(res.text)")
                return try res.json(Item.self)
            }
            // A region below the rule's region matches it; the source rule takes turns; no match waits in the pool.
            #expect(try await add(#"{"company":"海淀客户","source":"web","regionID":"\#(haidian.id!)","ownerID":"rules"}"#).ownerID == w.users["westrep"])
            var owners: [UUID?] = []
            for i in 0..<4 { owners.append(try await add(#"{"company":"网站客户\#(i)","source":"web","ownerID":"rules"}"#).ownerID) }
            #expect(owners == [w.users["rep1"], w.users["rep2"], w.users["rep1"], w.users["rep2"]])
            #expect(try await add(#"{"company":"电话客户","source":"call","ownerID":"rules"}"#).ownerID == nil)
            // Twenty at once: ten each, never two to the same person on one turn.
            let results = try await withThrowingTaskGroup(of: UUID?.self) { group in
                for i in 0..<20 {
                    group.addTask { try await admin.send(.POST, "/api/v1/leads?force=true", json: #"{"company":"并发\#(i)","source":"web","ownerID":"rules"}"#).json(Item.self).ownerID }
                }
                return try await group.reduce(into: [UUID?]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == w.users["rep1"] }.count == 10 && results.filter { $0 == w.users["rep2"] }.count == 10)
            let turn = try await LeadRule.query(on: app.db).filter(\.$name == "网站").first()?.turn
            #expect(turn == 24)
            // Assigning pool leads "by rules" runs them through the same rules.
            let pooled = try await Lead.query(on: app.db).filter(\.$company == "电话客户").first()!
            try await LeadRule.query(on: app.db).filter(\.$name == "网站").set(\.$source, to: nil).update()
            let res = try await admin.send(.POST, "/api/v1/leads/assign", json: #"{"ids":["\#(pooled.id!)"],"ownerID":"rules"}"#)
            #expect(res.status == .ok)
            #expect(try await Lead.find(pooled.id, on: app.db)?.ownerID == w.users["rep1"])
        }
    }

    @Test func aNewLeadIsCheckedAgainstCustomersAndLeads() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            // Same phone as rep2's customer, whom rep1 cannot even see.
            let clash = try await rep1.send(.POST, "/api/v1/leads", json: #"{"company":"新公司","phone":"13800000001"}"#)
            #expect(clash.status == .conflict && clash.text.contains("客户-rep2"), "\(clash.text)")
            let first = try await rep1.send(.POST, "/api/v1/leads", json: #"{"company":"华兴贸易","phone":"13912345678"}"#)
            #expect(first.status == .created)
            let twin = try await APIClient(app: app, token: World.token("rep2")).send(.POST, "/api/v1/leads", json: #"{"person":"王先生","phone":"139-1234-5678"}"#)
            #expect(twin.status == .conflict && twin.text.contains("华兴贸易"), "\(twin.text)")
            #expect(try await rep1.send(.POST, "/api/v1/leads?force=true", json: #"{"company":"新公司","phone":"13800000001"}"#).status == .created)
            let empty = try await rep1.send(.POST, "/api/v1/leads", json: #"{"need":"只有需求"}"#)
            #expect(empty.status == .unprocessableEntity && empty.text.contains("company"))
            let badPhone = try await rep1.send(.POST, "/api/v1/leads", json: #"{"company":"x","phone":"abc","email":"nope"}"#)
            #expect(badPhone.status == .unprocessableEntity && badPhone.text.contains("phone") && badPhone.text.contains("email"))
            #expect(try await Lead.query(on: app.db).count() == 2)
            _ = w
        }
    }

    @Test func conversionKeepsTheHistoryAndIsAllOrNothing() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let created = try await rep1.send(.POST, "/api/v1/leads", json: #"{"company":"远航物流有限公司","person":"陈经理","title":"采购经理","phone":"13712340000","email":"chen@yuanhang.cn","source":"web","need":"车队管理系统"}"#)
            #expect(created.status == .created, "\(created.text)")
            let lead = try created.json(Item.self)
            for text in ["第一次电话，了解需求", "上门演示"] {
                #expect(try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/follow-ups", json: #"{"method":"phone","content":"\#(text)"}"#).status == .created)
                clock.advance(60)
            }
            #expect(try await Lead.find(lead.id, on: app.db)?.status == "contacting")
            let customersBefore = try await Customer.query(on: app.db).count()
            let contactsBefore = try await Contact.query(on: app.db).count()
            let followUpsBefore = try await FollowUp.query(on: app.db).count()
            // The opportunity step fails after the customer and contact were made: nothing is kept.
            let failed = try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/convert",
                                             json: #"{"contactName":"陈经理","opportunityName":"车队系统","stageID":"\#(UUID())","amount":5000000}"#)
            #expect(failed.status == .unprocessableEntity && failed.text.contains("stageID"), "\(failed.text)")
            let customersAfterFailure = try await Customer.query(on: app.db).count()
            let contactsAfterFailure = try await Contact.query(on: app.db).count()
            let followUpsAfterFailure = try await FollowUp.query(on: app.db).count()
            #expect(customersAfterFailure == customersBefore && contactsAfterFailure == contactsBefore && followUpsAfterFailure == followUpsBefore)
            #expect(try await Lead.find(lead.id, on: app.db)?.status == "contacting")
            let badName = try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/convert", json: #"{"customerName":"\#(String(repeating: "长", count: 300))"}"#)
            #expect(badName.status == .unprocessableEntity && badName.text.contains("customerName"), "\(badName.text)")

            let ok = try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/convert", json: #"{"contactName":"陈经理","opportunityName":"车队系统","amount":5000000}"#)
            #expect(ok.status == .created, "\(ok.text)")
            struct Done: Decodable { var customerID: UUID; var contactID: UUID?; var opportunityID: UUID? }
            let done = try ok.json(Done.self)
            let customer = try #require(try await Customer.find(done.customerID, on: app.db))
            #expect(customer.name == "远航物流有限公司" && customer.ownerID == w.users["rep1"] && customer.source == "web" && customer.lastContactedAt != nil)
            let contactID = try #require(done.contactID), opportunityID = try #require(done.opportunityID)
            let contact = try #require(try await Contact.find(contactID, on: app.db))
            #expect(contact.name == "陈经理" && contact.mobile == "13712340000" && contact.customerID == customer.id)
            let opp = try #require(try await Opportunity.find(opportunityID, on: app.db))
            #expect(opp.amount == 5_000_000 && opp.customerID == customer.id && opp.contactID == contact.id && opp.ownerID == w.users["rep1"])
            let history = try await FollowUp.query(on: app.db).filter(\.$customerID == customer.id!).sort(\.$happenedAt).all().map(\.content)
            #expect(history == ["第一次电话，了解需求", "上门演示"])
            let converted = try #require(try await Lead.find(lead.id, on: app.db))
            #expect(converted.status == "converted" && converted.customerID == customer.id && converted.opportunityID == opp.id && converted.contactID == contact.id)
            // The lead stays as a record: its follow-ups and audit trail are still there, and it no longer changes.
            #expect(try await LeadFollowUp.query(on: app.db).filter(\.$leadID == lead.id).count() == 2)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == lead.id).filter(\.$field == "status").filter(\.$action == .update).first()
            #expect(audited?.newValue == "converted")
            #expect(try await rep1.send(.PATCH, "/api/v1/leads/\(lead.id)", json: #"{"need":"x"}"#).status == .conflict)
            #expect(try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/convert", json: "{}").status == .conflict)
            #expect(try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/follow-ups", json: #"{"method":"phone","content":"x"}"#).status == .conflict)
            #expect(try await rep1.send(.POST, "/api/v1/leads/\(lead.id)/release").status == .conflict)

            // A second lead from the same company collides with the new customer; attaching it to that customer works.
            let again = try await rep1.send(.POST, "/api/v1/leads?force=true", json: #"{"company":"远航物流有限公司","person":"刘工"}"#).json(Item.self)
            let collide = try await rep1.send(.POST, "/api/v1/leads/\(again.id)/convert", json: "{}")
            #expect(collide.status == .conflict && collide.text.contains("远航物流"), "\(collide.text)")
            let attach = try await rep1.send(.POST, "/api/v1/leads/\(again.id)/convert", json: #"{"customerID":"\#(customer.id!)","contactName":"刘工"}"#)
            #expect(attach.status == .created, "\(attach.text)")
            #expect(try await Contact.query(on: app.db).filter(\.$customerID == customer.id!).count() == 2)
            // A pool lead is claimed before it is converted: not the rep's to convert, and not even the administrator's.
            let pooled = try await rep1.send(.POST, "/api/v1/leads", json: #"{"company":"池中公司","ownerID":"pool"}"#).json(Item.self)
            #expect(try await rep1.send(.POST, "/api/v1/leads/\(pooled.id)/convert", json: "{}").status == .forbidden)
            let adminConvert = try await APIClient(app: app, token: World.token("admin")).send(.POST, "/api/v1/leads/\(pooled.id)/convert", json: "{}")
            #expect(adminConvert.status == .conflict && adminConvert.text.contains("conflict"), "\(adminConvert.text)")
        }
    }

    struct Form: Decodable { var id: UUID; var token: String; var url: String; var submissions: Int; var spamBlocked: Int }

    @Test func webFormsTakeSubmissionsTurnAwayRobotsAndFloods() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let bad = try await admin.send(.POST, "/api/v1/web-forms", json: #"{"name":"","fields":["phone","salary"]}"#)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("name") && bad.text.contains("fields"))
            let made = try await admin.send(.POST, "/api/v1/web-forms", json: #"""
                {"name":"官网咨询","heading":"联系我们","thankYou":"谢谢，我们会尽快联系您","fields":["company","person","phone","need"],
                 "requiredFields":["person","phone"],"ownerID":"\#(w.users["rep1"]!)","rateLimit":3}
                """#)
            #expect(made.status == .created, "\(made.text)")
            let form = try made.json(Form.self)
            let page = try await app.testing().sendRequest(.GET, form.url)
            #expect(page.status == .ok && page.text.contains("联系我们") && page.text.contains("website_url"))
            // Made to be framed by the company's site.
            #expect(page.headers.first(name: "X-Frame-Options") == nil && page.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors *") == true)

            func post(_ fields: [(String, String)], json: Bool = false) async throws -> TestingHTTPResponse {
                var h = HTTPHeaders()
                let body: String
                if json {
                    h.contentType = .json
                    body = "{" + fields.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}"
                } else {
                    h.contentType = .urlEncodedForm
                    body = fields.map { "\(URLQuery.encode($0.0))=\(URLQuery.encode($0.1))" }.joined(separator: "&")
                }
                return try await app.testing().sendRequest(.POST, form.url, headers: h, body: ByteBuffer(string: body))
            }
            // A robot fills the hidden field: thanked, nothing kept.
            let spam = try await post([("person", "Bot"), ("phone", "13800001111"), ("website_url", "http://spam.example")])
            #expect(spam.status == .ok && spam.text.contains("谢谢"))
            #expect(try await Lead.query(on: app.db).count() == 0)
            // A person forgets the phone: the form comes back with what they typed.
            let missing = try await post([("person", "李女士"), ("need", "想了解报价")])
            #expect(missing.status == .unprocessableEntity && missing.text.contains("想了解报价") && missing.text.contains("e-phone"))
            // A real enquiry becomes rep1's lead at once, and rep1 is told.
            let real = try await post([("company", "星河科技"), ("person", "李女士"), ("phone", "13800002222"), ("need", "想了解报价")])
            #expect(real.status == .ok && real.text.contains("谢谢，我们会尽快联系您"))
            let lead = try #require(try await Lead.query(on: app.db).first())
            #expect(lead.ownerID == w.users["rep1"] && lead.source == "web" && lead.webFormID == form.id && lead.need == "想了解报价")
            #expect(try await UserNotification.query(on: app.db).filter(\.$userID == w.users["rep1"]!).filter(\.$kind == "leadAssigned").count() == 1)
            // The same address again and again: three a minute, then 429 (JSON posts too).
            let third = try await post([("person", "张三"), ("phone", "13800003333")], json: true)
            #expect(third.status == .created, "\(third.text)")
            let fourth = try await post([("person", "张四"), ("phone", "13800004444")], json: true)
            #expect(fourth.status == .tooManyRequests)
            let counted = try #require(try await WebForm.find(form.id, on: app.db))
            #expect(counted.submissions == 2 && counted.spamBlocked == 2, "\(counted.submissions) \(counted.spamBlocked)")
            // A switched-off form is gone from the public address.
            #expect(try await admin.send(.PATCH, "/api/v1/web-forms/\(form.id)", json: #"{"isActive":false}"#).status == .ok)
            #expect(try await app.testing().sendRequest(.GET, form.url).status == .notFound)
        }
    }

    @Test func aFloodOfSubmissionsIsTakenWithoutErrors() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            _ = try await admin.send(.POST, "/api/v1/lead-rules", json: #"{"name":"全部","userIDs":["\#(w.users["rep1"]!)","\#(w.users["rep2"]!)"]}"#)
            let form = try await admin.send(.POST, "/api/v1/web-forms", json: #"{"name":"活动报名","fields":["person","phone"],"rateLimit":1000}"#).json(Form.self)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for i in 0..<150 {
                    group.addTask {
                        var h = HTTPHeaders()
                        h.contentType = .json
                        return try await app.testing().sendRequest(.POST, form.url, headers: h,
                                                                   body: ByteBuffer(string: #"{"person":"访客\#(i)","phone":"1370000\#(String(format: "%04d", i))"}"#)).status.code
                    }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            #expect(try await Lead.query(on: app.db).count() == 150)
            let split = try await Lead.query(on: app.db).filter(\.$ownerID == w.users["rep1"]!).count()
            #expect(split == 75)
            #expect(try await WebForm.find(form.id, on: app.db)?.submissions == 150)
        }
    }

    @Test func thePagesWorkWithoutTheAPI() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            #expect(try await b.get("/leads").status == .ok)
            let bad = try await b.post("/leads", [("company", ""), ("person", ""), ("need", "只写了需求"), ("phone", "12")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("只写了需求") && bad.text.contains("e-company"))
            let ok = try await b.post("/leads", [("company", "页面公司"), ("person", "赵经理"), ("phone", "13655556666")])
            #expect(ok.status == .seeOther, "\(ok.text)")
            let id = try #require(ok.location?.split(separator: "/").last.flatMap { UUID(uuidString: String($0)) })
            #expect(try await b.post("/leads/\(id)/follow-ups", [("method", "phone"), ("content", "电话沟通")]).status == .seeOther)
            let detail = try await b.get("/leads/\(id)")
            #expect(detail.status == .ok && detail.text.contains("电话沟通") && detail.text.contains("/leads/\(id)/convert"))
            #expect(try await b.get("/leads/\(id)/convert").status == .ok)
            let converted = try await b.post("/leads/\(id)/convert", [("customerName", "页面公司"), ("contactName", "赵经理"), ("opportunityName", ""), ("amount", "")])
            #expect(converted.status == .seeOther, "\(converted.text)")
            #expect(try await Lead.find(id, on: app.db)?.status == "converted")
            // Administrators design rules and forms in pages too.
            let a = Browser(app)
            try await a.signIn("admin")
            #expect(try await a.get("/admin/lead-rules").status == .ok)
            let rule = try await a.post("/admin/lead-rules", [("name", "华东"), ("userIDs[]", w.users["rep1"]!.uuidString), ("isActive", "1")])
            #expect(rule.status == .seeOther, "\(rule.text)")
            let noPeople = try await a.post("/admin/lead-rules", [("name", "空规则")])
            #expect(noPeople.status == .unprocessableEntity && noPeople.text.contains("空规则"))
            let made = try await a.post("/admin/web-forms", [("name", "官网"), ("fields[]", "person"), ("fields[]", "phone"), ("requiredFields[]", "phone"), ("rateLimit", "5"), ("isActive", "1")])
            #expect(made.status == .seeOther, "\(made.text)")
            let edit = try await a.get(try #require(made.location))
            #expect(edit.status == .ok && edit.text.contains("&lt;iframe"))
            #expect(try await b.get("/admin/web-forms").status == .forbidden)
        }
    }
}
