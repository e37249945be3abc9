import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct CustomerPageJSON: Decodable {
    struct Item: Decodable {
        var id: UUID
        var name: String
        var phone: String?
        var notes: String?
        var ownerID: UUID?
    }
    var items: [Item]
    var nextCursor: String?
}

/// Each user sees exactly what its scope allows — in the API list, API detail, page list and page
/// detail — and is refused edit and delete where its role lacks them.
@Suite struct DataScopeMatrixTests {
    @Test func apiListAndDetailFollowTheScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            for (account, expected) in World.visibility {
                let api = APIClient(app: app, token: World.token(account))
                let list = try await api.get("/api/v1/customers?limit=200")
                #expect(list.status == .ok, "\(account) list")
                let seen = Set(try list.json(CustomerPageJSON.self).items.compactMap { w.key(of: $0.id) })
                #expect(seen == expected, "\(account) sees \(seen.sorted()), expected \(expected.sorted())")
                for (key, id) in w.customers {
                    let res = try await api.get("/api/v1/customers/\(id)")
                    #expect(res.status == (expected.contains(key) ? .ok : .notFound), "\(account) GET \(key): \(res.status)")
                }
            }
        }
    }

    @Test func pagesFollowTheScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            for account in ["manager", "lead", "rep1", "viewer", "outsider"] {
                let expected = World.visibility[account]!
                let b = Browser(app)
                try await b.signIn(account)
                let list = try await b.get("/customers")
                #expect(list.status == .ok)
                for (key, id) in w.customers {
                    #expect(list.text.contains("客户-\(key)<") == expected.contains(key), "\(account) list shows \(key)?")
                    let detail = try await b.get("/customers/\(id)")
                    #expect(detail.status == (expected.contains(key) ? .ok : .notFound), "\(account) page \(key): \(detail.status)")
                }
            }
        }
    }

    /// What only the database knows: rep1 may read lead's customer (a share), westrep is in the sales
    /// team of manager's customer, lead is the secondary owner of west's.
    static func grantBeyondTheScope(_ w: World, on db: Database) async throws {
        try await RecordShare(orgID: w.orgID, entity: Customer.entity, recordID: w.customers["lead"]!, userID: w.users["rep1"]!, level: .read, at: Date()).create(on: db)
        let member = CustomerTeamMember()
        member.id = UUID.v7()
        member.orgID = w.orgID
        member.customerID = w.customers["manager"]!
        member.userID = w.users["westrep"]!
        member.isLeader = false
        member.creditPercent = 0
        try await member.create(on: db)
        let west = try await Customer.find(w.customers["west"]!, on: db)!
        west.secondaryOwnerID = w.users["lead"]
        try await west.save(on: db)
    }

    /// rep2's customer waits in the pool (open to everyone who may view customers); the director's is in the recycle bin.
    static func poolOneAndBinAnother(_ w: World, on db: Database) async throws {
        let pool = try #require(try await CustomerPool.query(on: db).filter(\.$orgID == w.orgID).first())
        let pooled = try await Customer.find(w.customers["rep2"]!, on: db)!
        pooled.ownerID = nil
        pooled.poolID = pool.id
        try await pooled.save(on: db)
        try await Customer.find(w.customers["director"]!, on: db)!.delete(on: db)
    }

    /// The 360 view's edit check (owners and department in memory) answers as the scoped edit query
    /// does, for every user and customer it sees: an edit share, a place in the sales team and a
    /// secondary owner included.
    @Test func canEditAnswersAsTheEditQuery() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            try await RecordShare(orgID: w.orgID, entity: Customer.entity, recordID: w.customers["rep1"]!, userID: w.users["rep2"]!, level: .edit, at: Date()).create(on: app.db)
            try await Self.grantBeyondTheScope(w, on: app.db)

            var answers: [String: Bool] = [:]
            for account in World.visibility.keys.sorted() {
                let actor = try await Actor.resolve(userID: w.users[account]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
                let svc = CustomerService(db: app.db, actor: actor, now: Date())
                for c in try await actor.query(Customer.self, .view, on: app.db).rows() {
                    let byQuery = actor.can(.edit, .customers) ? try await actor.query(Customer.self, .edit, on: app.db).filter(\.$id == c.id!).exists() : false
                    let answer = try await svc.canEdit(c)
                    #expect(answer == byQuery, "\(account) on \(w.key(of: c.id!) ?? "?")")
                    answers["\(account) \(w.key(of: c.id!) ?? "?")"] = answer
                }
            }
            // The cases only the database knows, and the ones that stay refused.
            #expect(answers["rep2 rep1"] == true)
            #expect(answers["rep1 lead"] == false)
            #expect(answers["westrep manager"] == true)
            #expect(answers["lead west"] == true)
            #expect(answers["viewer rep1"] == false)
            #expect(answers["manager west"] == true)
        }
    }

    /// A customer's money through the API reads the customer in the statement of its figures: it must
    /// answer for exactly the customers the scoped view query sees (a read share, a sales-team place, a
    /// secondary owner, the pool, the recycle bin and another organisation included).
    @Test func customerMoneyAnswersForTheCustomersTheViewQuerySees() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            try await Self.grantBeyondTheScope(w, on: app.db)
            let west = try await Customer.find(w.customers["west"]!, on: app.db)!
            west.creditLimit = 880_000
            try await west.save(on: app.db)
            try await Self.poolOneAndBinAnother(w, on: app.db)

            let all = try await Customer.query(on: app.db).withDeleted().all()
            var seenBy: [String: Set<String>] = [:]
            for account in World.visibility.keys.sorted() {
                let actor = try await Actor.resolve(userID: w.users[account]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
                let seen = Set(try await actor.query(Customer.self, .view, on: app.db).rows().compactMap(\.id))
                let api = APIClient(app: app, token: World.token(account))
                struct Money: Decodable { var creditLimit: Int64? }
                for c in all {
                    let res = try await api.get("/api/v1/customers/\(c.id!)/finance")
                    #expect(res.status == (seen.contains(c.id!) ? .ok : .notFound), "\(account) on \(w.key(of: c.id!) ?? "?")")
                    if res.status == .ok {
                        #expect(try res.json(Money.self).creditLimit == c.creditLimit)
                        seenBy[account, default: []].insert(w.key(of: c.id!) ?? "?")
                    }
                }
            }
            // The cases only the database knows, and the ones that stay out.
            #expect(seenBy["rep1"] == ["rep1", "lead", "rep2"])
            #expect(seenBy["westrep"] == ["west", "manager", "rep2"])
            #expect(seenBy["lead"]?.contains("west") == true)
            #expect(seenBy["admin"]?.contains("director") == false)
            #expect(seenBy["outsider"] == ["other"])
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.get("/api/v1/customers/not-a-uuid/finance").status == .notFound)
            #expect(try await admin.get("/api/v1/customers/\(UUID())/finance").status == .notFound)
        }
    }

    /// The one-statement visibility check (a follow-up's customer, a customer named in a form) answers
    /// as the scoped view query, for every user and customer: shares, a sales-team place, a secondary
    /// owner, a pool customer, one in the recycle bin and another organisation's; and a lead in the
    /// lead pool is open to everyone who may view leads.
    @Test func visibilityChecksAnswerAsTheViewQuery() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            try await Self.grantBeyondTheScope(w, on: app.db)
            try await Self.poolOneAndBinAnother(w, on: app.db)
            let lead = Lead(orgID: w.orgID, createdBy: w.users["admin"], now: Date())
            lead.company = "池中线索"
            try await lead.create(on: app.db)

            let all = try await Customer.query(on: app.db).withDeleted().all()
            var seenBy: [String: Set<String>] = [:]
            for account in World.visibility.keys.sorted() {
                let actor = try await Actor.resolve(userID: w.users[account]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
                let seen = Set(try await actor.query(Customer.self, .view, on: app.db).rows().compactMap(\.id))
                for c in all {
                    let checked = (try? await actor.visibleID(Customer.self, c.id, on: app.db)) != nil
                    #expect(checked == seen.contains(c.id!), "\(account) on \(w.key(of: c.id!) ?? "?")")
                    if checked { seenBy[account, default: []].insert(w.key(of: c.id!) ?? "?") }
                    var errors = FieldErrors()
                    let named = try await actor.visibleCustomer(c.id!.uuidString, field: "customerID", into: &errors, on: app.db)
                    #expect((named != nil) == checked && errors.isEmpty == checked)
                }
                if actor.can(.view, .leads), actor.orgID == w.orgID {
                    let seesLead = try await actor.query(Lead.self, .view, on: app.db).filter(\.$id == lead.id!).exists()
                    let checkedLead = try? await actor.visibleID(Lead.self, lead.id, on: app.db)
                    #expect(seesLead && checkedLead == lead.id, "\(account) on the pool lead")
                }
            }
            #expect(seenBy["rep1"] == ["rep1", "lead", "rep2"])
            #expect(seenBy["westrep"] == ["west", "manager", "rep2"])
            #expect(seenBy["manager"] == ["rep1", "rep2", "lead", "west", "manager"])
            #expect(seenBy["lead"] == ["lead", "rep1", "rep2", "west"])
            #expect(seenBy["outsider"] == ["other"])
            let rep1 = try await Actor.resolve(userID: w.users["rep1"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            await #expect(throws: AppError.self) { try await rep1.visibleID(Customer.self, nil, on: app.db) }
            await #expect(throws: AppError.self) { try await rep1.visibleID(Customer.self, UUID(), on: app.db) }
        }
    }

    @Test func editAndDeleteNeedTheAction() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            // viewer sees East customers but may not edit or delete them
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.send(.PATCH, "/api/v1/customers/\(w.customers["rep1"]!)", json: #"{"name":"x"}"#).status == .forbidden)
            #expect(try await viewer.send(.DELETE, "/api/v1/customers/\(w.customers["rep1"]!)").status == .forbidden)
            // lead may edit subordinates' customers but not delete them
            let lead = APIClient(app: app, token: World.token("lead"))
            #expect(try await lead.send(.PATCH, "/api/v1/customers/\(w.customers["rep1"]!)", json: #"{"name":"改名"}"#).status == .ok)
            #expect(try await lead.send(.DELETE, "/api/v1/customers/\(w.customers["rep1"]!)").status == .forbidden)
            // rep may not touch a colleague's customer at all: it is not even there
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep1.send(.PATCH, "/api/v1/customers/\(w.customers["rep2"]!)", json: #"{"name":"x"}"#).status == .notFound)
            // another organisation's admin cannot reach our records by id
            let outsider = APIClient(app: app, token: World.token("outsider"))
            #expect(try await outsider.send(.DELETE, "/api/v1/customers/\(w.customers["admin"]!)").status == .notFound)
            #expect(try await outsider.send(.PATCH, "/api/v1/customers/\(w.customers["admin"]!)", json: #"{"name":"x"}"#).status == .notFound)
            // the manager may delete inside the tree
            let manager = APIClient(app: app, token: World.token("manager"))
            #expect(try await manager.send(.DELETE, "/api/v1/customers/\(w.customers["west"]!)").status == .noContent)
            // and nothing changed where it was refused
            let admin = APIClient(app: app, token: World.token("admin"))
            let c = try await admin.get("/api/v1/customers/\(w.customers["rep2"]!)").json(CustomerPageJSON.Item.self)
            #expect(c.name == "客户-rep2")
        }
    }

    @Test func pageEditAndDeleteAreRefusedWithoutTheAction() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("viewer")
            #expect(try await b.get("/customers/\(w.customers["rep1"]!)/edit").status == .forbidden)
            #expect(try await b.post("/customers/\(w.customers["rep1"]!)/edit", [("name", "x")]).status == .forbidden)
            #expect(try await b.post("/customers/\(w.customers["rep1"]!)/delete").status == .forbidden)
            #expect(try await b.get("/customers/\(w.customers["west"]!)/edit").status == .notFound)
        }
    }

    @Test func fieldRulesMaskAndHide() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            let c = try await viewer.get("/api/v1/customers/\(w.customers["rep1"]!)").json(CustomerPageJSON.Item.self)
            #expect(c.phone == "138****0000")
            #expect(c.notes == nil)
            let history = try await viewer.get("/api/v1/customers/\(w.customers["rep1"]!)/history")
            #expect(history.status == .ok)
            let b = Browser(app)
            try await b.signIn("viewer")
            let page = try await b.get("/customers/\(w.customers["rep1"]!)")
            #expect(page.text.contains("138****0000"))
            #expect(!page.text.contains("13800000000"))
            #expect(!page.text.contains("notes of rep1"))
        }
    }

    @Test func sharedRecordsBecomeVisible() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            try await RecordShare(orgID: w.orgID, entity: Customer.entity, recordID: w.customers["director"]!, userID: w.users["rep1"]!,
                                  level: .read, at: Date()).create(on: app.db)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let seen = Set(try await rep1.get("/api/v1/customers").json(CustomerPageJSON.self).items.compactMap { w.key(of: $0.id) })
            #expect(seen == ["rep1", "director"])
        }
    }
}
