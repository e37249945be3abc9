import Fluent
import FluentSQL
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// Who is acting in this request, resolved once: user, organisation, permissions, scopes, field rules.
struct Actor: Sendable {
    let userID: UUID
    let orgID: UUID
    let name: String
    let account: String
    let departmentID: UUID?
    let policy: ResolvedPolicy
    let scope: ScopeContext
    let org: OrgInfo
    let locale: AppLocale
    /// The browser session, when signed in through a page (absent for API tokens).
    let sessionID: UUID?
    /// The organisation's active custom fields (PLT-13), for entity declarations.
    let customFields: [CustomField]
    /// Set per request by `serving(_:shelf:)`.
    var memo: RequestMemo?
    /// The organisation's access stamp this actor was resolved under (set by `ActorCache`).
    var accessVersion: Int64?

    struct OrgInfo: Sendable {
        let id: UUID
        let name: String
        let title: String
        let timeZone: TimeZone
        let currency: String
        let moneyDecimals: Int
        let logoURL: String?
    }

    var t: Translator { Translator(locale) }

    func can(_ action: Action, _ module: Module) -> Bool { policy.can(action, in: module) }

    var isAdmin: Bool { can(.view, .admin) }

    /// Throws 403 when the role does not grant the action.
    func require(_ action: Action, _ module: Module) throws {
        guard can(action, module) else { throw AppError.forbidden }
    }

    func fieldRule(_ module: Module, _ field: String) -> FieldRule? { policy.rule(for: module, field: field) }
}

extension Actor {
    /// Loads everything about a user that access decisions need.
    static func resolve(userID: UUID, sessionID: UUID?, fallbackLocale: AppLocale, on db: Database) async throws -> Actor? {
        guard let user = try await User.find(userID, on: db), user.status == .active,
              let org = try await Organization.find(user.orgID, on: db) else { return nil }
        let roleIDs = try await UserRole.query(on: db).filter(\.$userID == userID).rows().map(\.roleID)
        let roles = roleIDs.isEmpty ? [] : try await Role.query(on: db)
            .filter(\.$orgID == user.orgID).filter(\.$id ~~ roleIDs).rows()
        let policy = ResolvedPolicy(roles: roles.map(\.policy))
        let scopes = Set(policy.scopes.values)
        var subordinates: Set<String> = []
        var deptTree: Set<String> = []
        if scopes.contains(.ownAndSubordinates) {
            subordinates = Set(try await Hierarchy.descendants(of: userID, table: "users", parentColumn: "supervisor_id", orgID: user.orgID, on: db).map(\.uuidString))
        }
        if scopes.contains(.departmentTree), let dept = user.departmentID {
            deptTree = Set(try await Hierarchy.descendants(of: dept, table: "departments", parentColumn: "parent_id", orgID: user.orgID, on: db).map(\.uuidString))
            deptTree.insert(dept.uuidString)
        }
        let customFields = try await CustomFieldDefinition.query(on: db).filter(\.$orgID == user.orgID).filter(\.$isActive == true)
            .sort(\.$sortOrder).sort(\.$createdAt).rows().map(\.spec)
        return Actor(
            userID: userID,
            orgID: user.orgID,
            name: user.name,
            account: user.account,
            departmentID: user.departmentID,
            policy: policy,
            scope: ScopeContext(userID: userID.uuidString, departmentID: user.departmentID?.uuidString,
                                subordinateIDs: subordinates, departmentTreeIDs: deptTree),
            org: OrgInfo(id: org.id!, name: org.name, title: org.title, timeZone: org.zone, currency: org.currency,
                         moneyDecimals: org.moneyDecimals, logoURL: org.logoURL),
            locale: user.appLocale ?? fallbackLocale,
            sessionID: sessionID,
            customFields: customFields,
            memo: nil
        )
    }
}

/// Tree walks over self-referencing tables (supervisor chains, department trees).
enum Hierarchy {
    /// Every row below `root` at any depth, not including `root`.
    static func descendants(of root: UUID, table: String, parentColumn: String, orgID: UUID, on db: Database) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.raw("""
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM \(ident: table) WHERE \(ident: parentColumn) = \(bind: root) AND org_id = \(bind: orgID)
                UNION
                SELECT t.id FROM \(ident: table) t JOIN tree ON t.\(ident: parentColumn) = tree.id
            )
            SELECT id FROM tree
            """).all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Every row above `start` up to the root, nearest first, not including `start`.
    static func ancestors(of start: UUID, table: String, parentColumn: String, orgID: UUID, on db: Database) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.raw("""
            WITH RECURSIVE up(id, depth) AS (
                SELECT \(ident: parentColumn), 1 FROM \(ident: table) WHERE id = \(bind: start) AND org_id = \(bind: orgID)
                UNION
                SELECT t.\(ident: parentColumn), up.depth + 1 FROM \(ident: table) t JOIN up ON t.id = up.id WHERE up.depth < 50
            )
            SELECT id FROM up WHERE id IS NOT NULL ORDER BY depth
            """).all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }
}

/// A row that belongs to one organisation (`org_id`).
protocol OrgScoped: Model where IDValue == UUID {}

/// A business record that belongs to an organisation and (maybe) an owner, so data scope applies.
protocol ScopedModel: OrgScoped {
    static var module: Module { get }
    /// The entity key used in audit entries, shares and the recycle bin.
    static var entity: String { get }
    /// Whether records can be shared one by one; the scope of those that cannot skips the share lookup.
    static var shareable: Bool { get }
    var orgID: UUID { get }
}

extension ScopedModel {
    static var shareable: Bool { true }
}

/// Records that go to the recycle bin (Fluent's `deleted_at` timestamp). Their scoped queries also
/// say `deleted_at IS NULL` outright: Fluent's own filter compares with "now", which no partial
/// index (`WHERE deleted_at IS NULL`) can serve, so every list scanned the whole table.
protocol SoftDeleted {}

extension Department: OrgScoped {}
extension User: OrgScoped {}
extension UserRole: OrgScoped {}
extension Role: OrgScoped {}
extension UserSession: OrgScoped {}
extension ApiToken: OrgScoped {}
extension AuditEntry: OrgScoped {}
extension RecordShare: OrgScoped {}


extension Actor {
    /// The one door to business data: a query limited to the actor's organisation and data scope,
    /// refused outright when the role lacks the action.
    func query<M: ScopedModel>(_ type: M.Type, _ action: Action, on db: Database) throws -> QueryBuilder<M> {
        try require(action, M.module)
        return applyScope(inOrg(M.self, on: db), M.self, action: action)
    }

    /// Rows of the actor's organisation, without data scope: for organisation data (departments,
    /// employees, roles) and lookups across owners; records in the recycle bin are left out.
    func inOrg<M: OrgScoped>(_ type: M.Type, on db: Database) -> QueryBuilder<M> {
        let query = M.query(on: db).filter(.path(["org_id"], schema: M.schema), .equal, .bind(orgID))
        // Our own `deleted_at IS NULL` instead of Fluent's `(deleted_at IS NULL OR deleted_at > now)`:
        // that one made SQLite read every matching row from the table, not just the partial index.
        if M.self is any SoftDeleted.Type { query.filter(.path(["deleted_at"], schema: M.schema), .equal, .null).withDeleted() }
        return query
    }

    /// Rows of the organisation including those in the recycle bin (the bin itself, merges, purges).
    func inOrgWithDeleted<M: OrgScoped>(_ type: M.Type, on db: Database) -> QueryBuilder<M> {
        M.query(on: db).withDeleted().filter(.path(["org_id"], schema: M.schema), .equal, .bind(orgID))
    }

    private func applyScope<M: ScopedModel>(_ query: QueryBuilder<M>, _ type: M.Type, action: Action) -> QueryBuilder<M> {
        if let condition = scopeCondition(M.self, table: M.schema, action: action, shares: true) { query.filter(.sql(embed: condition)) }
        return query
    }

    /// The same organisation and scope rule as `query(_:_:on:)`, as SQL for aggregate queries (reports, charts).
    /// `shares: false` leaves out records shared one by one: counts kept per owner and department
    /// (the follow-up tallies) can only follow the people and departments in scope.
    func scopeSQL<M: ScopedModel>(_ type: M.Type, alias: String? = nil, shares: Bool = true) throws -> SQLQueryString {
        try require(.view, M.module)
        let t = alias ?? M.schema
        let org: SQLQueryString = "\(ident: t).\(ident: "org_id") = \(bind: orgID)"
        guard let condition = scopeCondition(M.self, table: t, action: .view, shares: shares) else { return org }
        return org + " AND " + condition
    }

    /// The data scope of a module over `table`, as one condition (nil when the whole organisation is in
    /// scope). Both the query builders and the raw SQL of reports take it from here.
    private func scopeCondition<M: ScopedModel>(_ type: M.Type, table t: String, action: Action, shares: Bool) -> SQLQueryString? {
        let scope = policy.scope(for: M.module)
        if scope == .all { return nil }
        // Cheap comparisons first: a row one of them admits is not looked up in the shares and teams.
        var parts: [SQLQueryString] = ["\(ident: t).\(ident: "owner_id") = \(bind: userID)"]
        switch scope {
        case .all, .own:
            break
        case .ownAndSubordinates:
            let ids = scope_ids(self.scope.subordinateIDs)
            if !ids.isEmpty { parts.append("\(ident: t).\(ident: "owner_id") \(OneOf(ids))") }
        case .department:
            if let d = departmentID { parts.append("\(ident: t).\(ident: "department_id") = \(bind: d)") }
        case .departmentTree:
            let ids = scope_ids(self.scope.departmentTreeIDs)
            if !ids.isEmpty { parts.append("\(ident: t).\(ident: "department_id") \(OneOf(ids))") }
        }
        if M.self == Customer.self {
            // The secondary owner and the customer's sales team work on it like the owner.
            parts.append("\(ident: t).\(ident: "secondary_owner_id") = \(bind: userID)")
            // Customers waiting in a public pool are open to everyone who may view customers.
            if action == .view { parts.append("(\(ident: t).\(ident: "owner_id") IS NULL AND \(ident: t).\(ident: "pool_id") IS NOT NULL)") }
        }
        // So are leads in the lead pool (no owner).
        if action == .view, M.self == Lead.self { parts.append("\(ident: t).\(ident: "owner_id") IS NULL") }
        if shares, M.shareable {
            // A read share lets a colleague see the record; changing it needs an edit share.
            let levels = action == .view ? [RecordShare.Level.read.rawValue, RecordShare.Level.edit.rawValue] : [RecordShare.Level.edit.rawValue]
            parts.append("""
                \(ident: t).\(ident: "id") IN (SELECT record_id FROM record_shares WHERE user_id = \(bind: userID) AND entity = \(bind: M.entity) AND level IN (\(binds: levels)))
                """)
        }
        if M.self == Customer.self {
            parts.append("\(ident: t).\(ident: "id") IN (SELECT customer_id FROM customer_team_members WHERE user_id = \(bind: userID))")
        }
        var joined: SQLQueryString = "("
        for (i, p) in parts.enumerated() {
            if i > 0 { joined.appendLiteral(" OR ") }
            joined.appendInterpolation(p)
        }
        joined.appendLiteral(")")
        return joined
    }

    /// "My team's" on top of the scope: below a whole-company scope the team is what the scope shows;
    /// with one, my own records and those of my department tree.
    func narrowToTeam<M: ScopedModel>(_ query: QueryBuilder<M>) {
        guard policy.scope(for: M.module) == .all else { return }
        let tree = scope_ids(scope.departmentTreeIDs)
        let t = M.schema
        query.filter(.sql(embed: tree.isEmpty ? "\(ident: t).\(ident: "owner_id") = \(bind: userID)"
            : "(\(ident: t).\(ident: "owner_id") = \(bind: userID) OR \(ident: t).\(ident: "department_id") \(OneOf(tree)))"))
    }

    /// The colleagues whose records the module's data scope shows this actor (themselves included):
    /// the rows of team reports and team calendars.
    func scopeUsers(_ module: Module, on db: Database) async throws -> [User] {
        let q = inOrg(User.self, on: db).filter(\.$status == .active)
        switch policy.scope(for: module) {
        case .all: break
        case .own: q.filter(\.$id == userID)
        case .ownAndSubordinates: q.filter(\.$id ~~ ([userID] + scope_ids(scope.subordinateIDs)))
        case .department: q.group(.or) { $0.filter(\.$id == userID).filter(\.$departmentID == departmentID) }
        case .departmentTree: q.group(.or) { $0.filter(\.$id == userID).filter(\.$departmentID ~~ scope_ids(scope.departmentTreeIDs)) }
        }
        return try await q.sort(\.$name).limit(2000).rows()
    }

    /// Someone the actor may give work to in a module (tasks, activities): themselves or a colleague in scope.
    func assignee(_ id: UUID?, module: Module, on db: Database) async throws -> User? {
        let wanted = id ?? userID
        return try await scopeUsers(module, on: db).first { $0.id == wanted }
    }

    /// A customer named in input, if the actor may see it; an unknown or invisible one is a field error.
    func visibleCustomer(_ raw: String?, field: String, into errors: inout FieldErrors, on db: Database) async throws -> UUID? {
        guard let raw = Check.clean(raw) else { return nil }
        guard let id = UUID(uuidString: raw), can(.view, .customers), try await sees(Customer.self, id, on: db) else {
            errors.add(field, "error.invalidOption")
            return nil
        }
        return id
    }

    private func scope_ids(_ ids: Set<String>) -> [UUID] { ids.compactMap(UUID.init(uuidString:)).sorted { $0.uuidString < $1.uuidString } }

    /// Loads one record the actor may act on, or throws 404 (not visible) / 403 (visible, action not granted).
    /// `find(_:_:for: .view)` for a caller that needs only the id of a record the actor may see: no model is read.
    func visibleID<M: ScopedModel>(_ type: M.Type, _ id: UUID?, on db: Database) async throws -> UUID {
        guard let id, try await sees(M.self, id, on: db) else { throw AppError.notFound }
        return id
    }

    /// Whether the view query would find the record: one statement of the scope's SQL, with no query
    /// builder (Fluent makes two models for each, and a customer is 45 fields).
    private func sees<M: ScopedModel>(_ type: M.Type, _ id: UUID, on db: Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return try await query(M.self, .view, on: db).filter(\._$id == id).exists() }
        let t = M.schema
        var statement: SQLQueryString = "SELECT 1 AS seen FROM \(ident: t) WHERE \(try scopeSQL(M.self)) AND \(ident: t).\(ident: "id") = \(bind: id)"
        if M.self is any SoftDeleted.Type { statement.appendLiteral(" AND \"\(t)\".\"deleted_at\" IS NULL") }
        statement.appendLiteral(" LIMIT 1")
        return try await !sql.keptRows(statement).isEmpty
    }

    func find<M: ScopedModel>(_ type: M.Type, _ id: UUID?, for action: Action, on db: Database) async throws -> M {
        guard let id else { throw AppError.notFound }
        if action != .view, !can(action, M.module) {
            // Say "not found" for records the actor cannot even see, "forbidden" for the rest.
            guard try await query(M.self, .view, on: db).filter(\._$id == id).exists() else { throw AppError.notFound }
            throw AppError.forbidden
        }
        let found = try await memoized("find.\(M.schema).\(id).\(action)") { try await query(M.self, action, on: db).filter(\._$id == id).firstRow() }
        guard let record = found else {
            // Visible (a read share, a pool customer) but not this actor's to change.
            if action != .view, try await query(M.self, .view, on: db).filter(\._$id == id).exists() { throw AppError.forbidden }
            throw AppError.notFound
        }
        return record
    }
}

struct ActorKey: StorageKey { typealias Value = Actor }

extension Request {
    /// The signed-in actor; throws 401 when the route was reached without one.
    var actor: Actor {
        get throws {
            guard let a = storage[ActorKey.self] else { throw AppError.unauthorized }
            return a
        }
    }
    var optionalActor: Actor? { storage[ActorKey.self] }
}

extension Customer: SoftDeleted {}
extension Contact: SoftDeleted {}
extension FollowUp: SoftDeleted {}
extension TaskItem: SoftDeleted {}
extension Activity: SoftDeleted {}
extension Announcement: SoftDeleted {}

/// An active colleague as the pickers show one: decoded from two columns, not as a full `User`
/// (a page with a few pickers used to decode every employee record several times over).
struct Colleague: Sendable, Decodable, Equatable {
    let id: UUID
    let name: String
}

extension Actor {
    /// The name of every person (left or not) or every department of the organisation, by id, for
    /// showing the names behind a page's ids; shared by the organisation's readers.
    func names<M: OrgScoped>(of type: M.Type, on db: Database) async throws -> [UUID: String] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        return try await shared("names.\(M.schema)") {
            var names: [UUID: String] = [:]
            for row in try await sql.raw("SELECT id, name FROM \(ident: M.schema) WHERE org_id = \(bind: orgID)").all(decoding: Colleague.self) {
                names[row.id] = row.name
            }
            return names
        }
    }

    /// `activeColleagues` as options for a picker, shared like them.
    func colleagueOptions(on db: Database) async throws -> PeopleOptions {
        let colleagues = try await activeColleagues(on: db)
        return await shared("colleagues.options") { PeopleOptions(colleagues) }
    }

    /// Active people of the organisation by name, for owner, share, team and assignee pickers.
    func activeColleagues(on db: Database) async throws -> [Colleague] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await shared("colleagues") {
            try await sql.raw("""
                SELECT id, name FROM users WHERE org_id = \(bind: orgID) AND status = \(bind: User.Status.active.rawValue) ORDER BY name LIMIT 1000
                """).all(decoding: Colleague.self)
        }
    }
}
