import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// The relationship map (CON-02): relations between a customer's contacts, checked, scoped and audited.
@Suite struct ContactRelationTests {
    struct IDJSON: Decodable { var id: UUID }
    struct ErrorJSON: Decodable { var fields: [String: String]? }

    @Test func relationsAreCheckedScopedAndAudited() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let customer = w.customers["rep1"]!
            let rep = APIClient(app: app, token: World.token("rep1"))
            var ids: [String: UUID] = [:]
            for name in ["王总", "李经理", "张工"] {
                let res = try await rep.send(.POST, "/api/v1/customers/\(customer)/contacts", json: #"{"name":"\#(name)"}"#)
                ids[name] = try res.json(IDJSON.self).id
            }
            let other = try await rep.send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/contacts", json: #"{"name":"外人"}"#)
            #expect(other.status == .notFound, "rep1 cannot add to rep2's customer")
            func relate(_ from: String, _ kind: String, _ to: String?) async throws -> TestingHTTPResponse {
                let toID = to.flatMap { ids[$0]?.uuidString } ?? UUID().uuidString
                return try await rep.send(.POST, "/api/v1/customers/\(customer)/relations",
                                          json: #"{"fromContactID":"\#(ids[from]!)","toContactID":"\#(toID)","kind":"\#(kind)"}"#)
            }
            #expect(try await relate("李经理", "reportsTo", "王总").status == .created)
            #expect(try await relate("张工", "reportsTo", "李经理").status == .created)
            let influence = try await relate("张工", "influences", "王总")
            #expect(influence.status == .created)
            // Loops, second bosses, self-relations, repeats, unknown kinds and strangers are refused per field.
            for (from, kind, to, field) in [("王总", "reportsTo", "张工", "toContactID"), ("李经理", "reportsTo", "张工", "fromContactID"),
                                            ("王总", "friend", "王总", "toContactID"), ("张工", "influences", "王总", "toContactID"),
                                            ("王总", "enemy", "张工", "kind"), ("王总", "friend", nil, "toContactID")] as [(String, String, String?, String)] {
                let res = try await relate(from, kind, to)
                let fields = try? res.json(ErrorJSON.self).fields
                #expect(res.status == .unprocessableEntity && fields?[field] != nil, "\(from) \(kind) \(to ?? "?"): \(res.text)")
            }
            // Whoever sees the customer sees its map; only those who may edit it change it.
            #expect(try await rep.get("/api/v1/customers/\(customer)/relations").json([IDJSON].self).count == 3)
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/customers/\(customer)/relations").status == .ok)
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/customers/\(customer)/relations").status == .notFound)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            let denied = try await viewer.send(.POST, "/api/v1/customers/\(customer)/relations",
                                               json: #"{"fromContactID":"\#(ids["王总"]!)","toContactID":"\#(ids["张工"]!)","kind":"friend"}"#)
            #expect(denied.status == .forbidden)
            let influenceID = try influence.json(IDJSON.self).id
            #expect(try await viewer.send(.DELETE, "/api/v1/relations/\(influenceID)").status == .forbidden)
            // The 360 view draws the map; the history tells who added and removed what.
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/customers/\(customer)")
            #expect(page.text.contains("relation-map") && page.text.contains("汇报给") && page.text.contains("rel-influences"))
            #expect(try await rep.send(.DELETE, "/api/v1/relations/\(influenceID)").status == .noContent)
            #expect(try await rep.get("/api/v1/customers/\(customer)/relations").json([IDJSON].self).count == 2)
            let history = try await AuditEntry.query(on: app.db).filter(\.$recordID == customer).filter(\.$field == "relations").all()
            #expect(history.count == 4 && history.contains { $0.oldValue == "张工 → 王总（影响）" })
            // The form route refuses a bad relation with a message, not an error page.
            let bad = try await b.post("/customers/\(customer)/relations", [("fromContactID", ids["王总"]!.uuidString), ("toContactID", ids["王总"]!.uuidString), ("kind", "friend")])
            #expect(bad.status == .seeOther)
            #expect(try await b.post("/customers/\(customer)/relations", [("fromContactID", ids["王总"]!.uuidString), ("toContactID", ids["张工"]!.uuidString), ("kind", "friend")]).status == .seeOther)
            #expect(try await ContactRelation.query(on: app.db).count() == 3)
        }
    }
}

/// Parent and child customers (CUS-11): no loops, and the parent's 360 view rolls up its children in scope.
@Suite struct ParentCustomerTests {
    @Test func childrenRollUpOnTheParentWithinScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let parent = w.customers["rep1"]!, child = w.customers["rep2"]!
            let lead = APIClient(app: app, token: World.token("lead"))
            #expect(try await lead.send(.PATCH, "/api/v1/customers/\(child)", json: #"{"parentID":"\#(parent)"}"#).status == .ok)
            let loop = try await lead.send(.PATCH, "/api/v1/customers/\(parent)", json: #"{"parentID":"\#(child)"}"#)
            #expect(loop.status == .unprocessableEntity && loop.text.contains("parent"))
            for name in ["甲", "乙"] {
                #expect(try await lead.send(.POST, "/api/v1/customers/\(child)/contacts", json: #"{"name":"\#(name)"}"#).status == .created)
            }
            let b = Browser(app)
            try await b.signIn("lead")
            let page = try await b.get("/customers/\(parent)")
            #expect(page.text.contains("共 1 家下级单位，2 位联系人") && page.text.contains("客户-rep2"))
            // rep1 owns the parent but may not see rep2's customer, so no child shows.
            let rep1 = Browser(app)
            try await rep1.signIn("rep1")
            let own = try await rep1.get("/customers/\(parent)")
            #expect(own.status == .ok && !own.text.contains("客户-rep2"))
        }
    }
}

/// Contact statistics (CON-03) over the contacts of customers in scope.
@Suite struct ContactStatsTests {
    @Test func contactsCountedByGenderIndustryRegionAndFrequency() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let c = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            c.industry = "it"
            try await c.save(on: app.db)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            struct IDJSON: Decodable { var id: UUID }
            var ids: [UUID] = []
            for (name, gender) in [("甲", "male"), ("乙", "female"), ("丙", "female")] {
                ids.append(try await rep1.send(.POST, "/api/v1/customers/\(c.id!)/contacts", json: #"{"name":"\#(name)","gender":"\#(gender)"}"#).json(IDJSON.self).id)
            }
            for contact in [ids[1], ids[1], ids[0]] {
                #expect(try await rep1.send(.POST, "/api/v1/customers/\(c.id!)/follow-ups", json: #"{"method":"phone","content":"x","contactID":"\#(contact)"}"#).status == .created)
            }
            // Another rep's contacts stay out of rep1's numbers.
            #expect(try await APIClient(app: app, token: World.token("rep2")).send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/contacts",
                                                                                   json: #"{"name":"丁","gender":"male"}"#).status == .created)
            let actor = try await Actor.resolve(userID: w.users["rep1"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let stats = ContactStats(db: app.db, actor: actor)
            let range = Stats.Range(granularity: .month, from: clock.now.addingTimeInterval(-86_400), to: clock.now.addingTimeInterval(86_400), fromText: "", toText: "")
            #expect(try await stats.counts(.gender, range: range) == [Stats.Row(key: "female", count: 2), Stats.Row(key: "male", count: 1)])
            #expect(try await stats.counts(.industry, range: range) == [Stats.Row(key: "it", count: 3)])
            #expect(try await stats.counts(.frequency, range: range).first == Stats.Row(key: ids[1].uuidString, count: 2))
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/contacts/stats")
            #expect(page.status == .ok && page.text.contains("联系频率排行") && page.text.contains("乙（客户-rep1）"))
        }
    }
}
