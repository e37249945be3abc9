import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct MovedJSON: Decodable { var moved: Int }

/// Puts `n` ownerless customers in the organisation's default pool.
func fillPool(_ app: Application, _ w: World, _ n: Int, level: String? = nil) async throws -> [UUID] {
    let pool = try await CustomerPool.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$isDefault == true).first()!
    var ids: [UUID] = []
    for i in 0..<n {
        let c = Customer(orgID: w.orgID, name: "公海客户\(i)", phone: nil, ownerID: nil, departmentID: nil, createdBy: nil)
        c.poolID = pool.id
        c.level = level
        try await c.create(on: app.db)
        ids.append(c.id!)
    }
    return ids
}

@Suite struct PoolTests {
    @Test func fiftyConcurrentClaimsOfOneCustomerLeaveExactlyOneOwner() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let target = try await fillPool(app, w, 1)[0]
            let claimants = ["rep1", "rep2", "westrep", "lead", "manager"]
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<50 {
                    let token = World.token(claimants[i % claimants.count])
                    group.addTask { try await APIClient(app: app, token: token).send(.POST, "/api/v1/customers/\(target)/claim").status }
                }
                var all: [HTTPStatus] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 49)
            let c = try await Customer.find(target, on: app.db)!
            #expect(c.ownerID != nil && c.poolID != nil, "the pool it came from is kept for its recycle rules")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == target).filter(\.$action == .assign).count() == 1)
        }
    }

    @Test func ownershipCapHoldsUnderConcurrentClaims() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let org = try await Organization.find(w.orgID, on: app.db)!
            org.protection = ProtectionPolicy(maxCustomers: 3)
            try await org.save(on: app.db)
            let ids = try await fillPool(app, w, 10)
            // rep1 owns one customer already, so two more fit.
            let rep1 = World.token("rep1")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for id in ids { group.addTask { try await APIClient(app: app, token: rep1).send(.POST, "/api/v1/customers/\(id)/claim").status } }
                var all: [HTTPStatus] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0 == .ok }.count == 2)
            #expect(try await Customer.query(on: app.db).filter(\.$ownerID == w.users["rep1"]!).count() == 3)
            // Per-level caps too.
            org.protection = ProtectionPolicy(maxByLevel: ["a": 1])
            try await org.save(on: app.db)
            let aLevel = try await fillPool(app, w, 2, level: "a")
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.send(.POST, "/api/v1/customers/\(aLevel[0])/claim").status == .ok)
            let second = try await rep2.send(.POST, "/api/v1/customers/\(aLevel[1])/claim")
            #expect(second.status == .conflict)
            #expect(try second.json(ErrorJSON.self).code == "conflict")
        }
    }

    @Test func randomClaimReleaseRecallAndAssign() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            _ = try await fillPool(app, w, 30)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let pools = try await rep1.get("/api/v1/pools").json([PoolAPIController.PoolDTO].self)
            #expect(pools.count == 1 && pools[0].customers == 30)
            // The pool's limit (10) caps a random claim.
            let moved = try await rep1.send(.POST, "/api/v1/pools/\(pools[0].id)/claim", json: #"{"count":50}"#).json(MovedJSON.self)
            #expect(moved.moved == 10)
            #expect(try await Customer.query(on: app.db).filter(\.$ownerID == w.users["rep1"]!).count() == 11)

            // Pool customers are visible to everyone but not editable until claimed.
            let pooled = try await Customer.query(on: app.db).filter(\.$ownerID == nil).filter(\.$orgID == w.orgID).first()!
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.get("/api/v1/customers/\(pooled.id!)").status == .ok)
            #expect(try await rep2.send(.PATCH, "/api/v1/customers/\(pooled.id!)", json: #"{"name":"x"}"#).status == .forbidden)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/customers/\(pooled.id!)").status == .notFound)

            // Releasing needs a reason from the dictionary.
            let mine = w.customers["rep1"]!
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(mine)/release", json: #"{}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(mine)/release", json: #"{"reason":"bored"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(mine)/release", json: #"{"reason":"noNeed"}"#).json(MovedJSON.self).moved == 1)
            let released = try await Customer.find(mine, on: app.db)!
            #expect(released.ownerID == nil && released.poolID == pools[0].id)
            // A rep cannot recall a colleague's customer; a lead can recall a subordinate's.
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/release", json: #"{"reason":"noNeed"}"#).status == .notFound)
            let lead = APIClient(app: app, token: World.token("lead"))
            #expect(try await lead.send(.POST, "/api/v1/customers/\(w.customers["rep2"]!)/release", json: #"{"reason":"other"}"#).status == .ok)

            // Assign: from the pool and from a colleague in scope, audited; reps may not.
            let body = #"{"customerIDs":["\#(mine)","\#(w.customers["lead"]!)"],"ownerID":"\#(w.users["rep2"]!)"}"#
            #expect(try await rep1.send(.POST, "/api/v1/customers/assign", json: body).status == .forbidden)
            #expect(try await lead.send(.POST, "/api/v1/customers/assign", json: body).json(MovedJSON.self).moved == 2)
            #expect(try await Customer.find(mine, on: app.db)?.ownerID == w.users["rep2"])
            #expect(try await Customer.find(w.customers["lead"]!, on: app.db)?.ownerID == w.users["rep2"])
            // Outside the lead's scope: refused whole.
            let outside = #"{"customerIDs":["\#(w.customers["west"]!)"],"ownerID":"\#(w.users["rep2"]!)"}"#
            #expect(try await lead.send(.POST, "/api/v1/customers/assign", json: outside).status == .notFound)
            let history = try await APIClient(app: app, token: World.token("admin")).get("/api/v1/customers/\(mine)/history").json([AuditJSON].self)
            #expect(history.filter { $0.action == "assign" }.count >= 2)
        }
    }

    @Test func poolPagesClaimAndRelease() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let ids = try await fillPool(app, w, 3)
            let b = Browser(app)
            try await b.signIn("rep1")
            let pool = try await CustomerPool.query(on: app.db).filter(\.$orgID == w.orgID).first()!
            let page = try await b.get("/pools/\(pool.id!)")
            #expect(page.status == .ok && page.text.contains("公海客户0"))
            #expect(try await b.post("/pools/\(pool.id!)/claim", [("ids[]", ids[0].uuidString), ("ids[]", ids[1].uuidString)]).status == .seeOther)
            #expect(try await Customer.query(on: app.db).filter(\.$ownerID == w.users["rep1"]!).count() == 3)
            let detail = try await b.get("/customers/\(ids[2])")
            #expect(detail.text.contains("领用"))
            #expect(try await b.post("/customers/\(ids[2])/claim").status == .seeOther)
            #expect(try await b.post("/customers/\(ids[2])/release", [("reason", "unreachable")]).status == .seeOther)
            #expect(try await Customer.find(ids[2], on: app.db)?.ownerID == nil)
            // Admin pages for pools and protection.
            let admin = Browser(app)
            try await admin.signIn("admin")
            #expect(try await admin.get("/admin/pools").status == .ok)
            #expect(try await admin.post("/admin/protection", [("maxCustomers", "50"), ("level.a", "5")]).status == .seeOther)
            #expect(try await Organization.find(w.orgID, on: app.db)?.protection == ProtectionPolicy(maxCustomers: 50, maxByLevel: ["a": 5]))
            #expect(try await admin.post("/admin/pools/\(pool.id!)", [("name", "华北公海"), ("bulkClaimLimit", "20"), ("noFollowUpDays", "45"), ("warnDays", "5"), ("isDefault", "1")]).status == .seeOther)
            let saved = try await CustomerPool.find(pool.id!, on: app.db)!
            #expect(saved.name == "华北公海" && saved.settings.bulkClaimLimit == 20 && saved.settings.recycle.noFollowUpDays == 45)
            #expect(try await b.post("/admin/protection", [("maxCustomers", "1")]).status == .forbidden)
        }
    }
}
