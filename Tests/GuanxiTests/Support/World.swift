import Fluent
import Foundation
import GuanxiCore
import Vapor
@testable import Guanxi

/// A company with a three-level department tree, supervisors, one user per data scope, customers
/// spread over them, and a second organisation that nobody here may see.
///
///     HQ ── Sales ──┬── East   (lead ← rep1, rep2; viewer)
///        │          └── West   (westRep)
///        └── Service
struct World {
    static let password = "secret123"

    var orgID: UUID
    var otherOrgID: UUID
    var departments: [String: UUID] = [:]
    var users: [String: UUID] = [:]
    var customers: [String: UUID] = [:]
    var roles: [String: UUID] = [:]

    /// Each user's API token is `tok-<account>`.
    static func token(_ account: String) -> String { "tok-\(account)" }

    static func build(_ app: Application) async throws -> World {
        let db = app.db
        let hash = try await app.password.async.hash(password)
        let org = Organization(name: "测试公司")
        try await org.create(on: db)
        let other = Organization(name: "别家公司")
        try await other.create(on: db)
        var w = World(orgID: org.id!, otherOrgID: other.id!)
        for o in [org, other] {
            try await DictionaryService.seedDefaults(orgID: o.id!, on: db)
            try await RegionService.seedDefaults(orgID: o.id!, on: db)
            try await CustomerPool.seedDefault(orgID: o.id!, on: db)
        }

        for (name, parent) in [("HQ", nil), ("Sales", "HQ"), ("Service", "HQ"), ("East", "Sales"), ("West", "Sales")] as [(String, String?)] {
            let d = Department(orgID: org.id!, name: name, parentID: parent.flatMap { w.departments[$0] })
            try await d.create(on: db)
            w.departments[name] = d.id
        }
        let otherRoot = Department(orgID: other.id!, name: "Other HQ", parentID: nil)
        try await otherRoot.create(on: db)

        func role(_ name: String, _ actions: Set<Action>, _ scope: DataScope, org: UUID, rules: [String: FieldRule] = [:]) async throws -> UUID {
            let policy = RolePolicy(actions: [.customers: actions], scopes: [.customers: scope], fieldRules: rules).extending(.followUps, like: .customers).extending(.tasks, like: .customers)
                .extending(.leads, like: .customers).extending(.opportunities, like: .customers).extending(.quotes, like: .customers)
                .extending(.contracts, like: .customers)
            let r = Role(orgID: org, name: name, policy: policy)
            try await r.create(on: db)
            return r.id!
        }
        let adminRole = Role(orgID: org.id!, name: "Admin", policy: .administrator, isSystem: true)
        try await adminRole.create(on: db)
        w.roles["admin"] = adminRole.id
        w.roles["director"] = try await role("Director", [.view, .create, .edit, .delete, .assign], .all, org: org.id!)
        w.roles["manager"] = try await role("Manager", [.view, .create, .edit, .delete, .assign, .export, .import], .departmentTree, org: org.id!)
        w.roles["lead"] = try await role("Lead", [.view, .create, .edit, .assign], .ownAndSubordinates, org: org.id!)
        w.roles["rep"] = try await role("Rep", [.view, .create, .edit], .own, org: org.id!)
        w.roles["viewer"] = try await role("Viewer", [.view], .department, org: org.id!, rules: ["customers.phone": .masked, "customers.notes": .hidden, "contacts.mobile": .masked])
        let otherAdminRole = Role(orgID: other.id!, name: "Admin", policy: .administrator, isSystem: true)
        try await otherAdminRole.create(on: db)

        func user(_ account: String, dept: String?, supervisor: String?, role: UUID, org: UUID, deptID: UUID? = nil) async throws {
            let u = User(orgID: org, account: account, name: account.capitalized, passwordHash: hash,
                         departmentID: deptID ?? dept.flatMap { w.departments[$0] }, supervisorID: supervisor.flatMap { w.users[$0] })
            try await u.create(on: db)
            w.users[account] = u.id
            try await UserRole(orgID: org, userID: u.id!, roleID: role).create(on: db)
            try await ApiToken(orgID: org, userID: u.id!, name: "test", tokenHash: Tokens.hash(token(account)), prefix: "tok", now: Date()).create(on: db)
        }
        try await user("admin", dept: "HQ", supervisor: nil, role: adminRole.id!, org: org.id!)
        try await user("director", dept: "Sales", supervisor: nil, role: w.roles["director"]!, org: org.id!)
        try await user("manager", dept: "Sales", supervisor: "director", role: w.roles["manager"]!, org: org.id!)
        try await user("lead", dept: "East", supervisor: "manager", role: w.roles["lead"]!, org: org.id!)
        try await user("rep1", dept: "East", supervisor: "lead", role: w.roles["rep"]!, org: org.id!)
        try await user("rep2", dept: "East", supervisor: "lead", role: w.roles["rep"]!, org: org.id!)
        try await user("westrep", dept: "West", supervisor: "manager", role: w.roles["rep"]!, org: org.id!)
        try await user("viewer", dept: "East", supervisor: "manager", role: w.roles["viewer"]!, org: org.id!)
        try await user("outsider", dept: nil, supervisor: nil, role: otherAdminRole.id!, org: other.id!, deptID: otherRoot.id)

        func customer(_ key: String, owner: String, org: UUID? = nil) async throws {
            let ownerID = w.users[owner]!
            let ownerUser = try await User.find(ownerID, on: db)!
            let c = Customer(orgID: org ?? w.orgID, name: "客户-\(key)", phone: "1380000\(String(format: "%04d", w.customers.count))",
                             ownerID: ownerID, departmentID: ownerUser.departmentID, createdBy: ownerID)
            c.notes = "notes of \(key)"
            try await c.create(on: db)
            w.customers[key] = c.id
        }
        try await customer("rep1", owner: "rep1")
        try await customer("rep2", owner: "rep2")
        try await customer("lead", owner: "lead")
        try await customer("west", owner: "westrep")
        try await customer("manager", owner: "manager")
        try await customer("director", owner: "director")
        try await customer("admin", owner: "admin")
        try await customer("other", owner: "outsider", org: other.id!)
        return w
    }

    /// What each user may see, by customer key (the data-scope matrix).
    static let visibility: [String: Set<String>] = [
        "admin": ["rep1", "rep2", "lead", "west", "manager", "director", "admin"],
        "director": ["rep1", "rep2", "lead", "west", "manager", "director", "admin"],
        "manager": ["rep1", "rep2", "lead", "west", "manager", "director"],
        "lead": ["lead", "rep1", "rep2"],
        "rep1": ["rep1"],
        "rep2": ["rep2"],
        "westrep": ["west"],
        "viewer": ["rep1", "rep2", "lead"],
        "outsider": ["other"],
    ]

    func key(of customerID: UUID) -> String? { customers.first { $0.value == customerID }?.key }
}
