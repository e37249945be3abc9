import Fluent
import Foundation
import GuanxiCore

/// Employees: accounts, department, supervisor, roles; disabling hands their records to a colleague.
struct EmployeeService {
    let db: Database
    let actor: Actor
    let now: Date
    let hasher: @Sendable (String) async throws -> String

    struct Input {
        var account: String?
        var name: String?
        var email: String?
        var mobile: String?
        var password: String?
        var departmentID: UUID?
        var supervisorID: UUID?
        var roleIDs: [UUID] = []
    }

    static let definition = EntityDefinition<User>(entity: "user", module: .admin, labelKey: "entity.user", fields: [
        EntityField("account", "employee.account", .text, restrictable: false) { $0.account },
        EntityField("name", "employee.name", .text, restrictable: false) { $0.name },
        EntityField("email", "employee.email", .text, restrictable: false) { $0.email },
        EntityField("mobile", "employee.mobile", .phone, restrictable: false) { $0.mobile },
        EntityField("department", "employee.department", .department, restrictable: false) { $0.departmentID?.uuidString },
        EntityField("supervisor", "employee.supervisor", .user, restrictable: false) { $0.supervisorID?.uuidString },
        EntityField("status", "employee.status", .text, restrictable: false) { $0.status.rawValue },
        EntityField("roles", "employee.roles", .text, restrictable: false) { _ in nil },
    ])

    struct ListQuery {
        var q: String?
        var departmentID: UUID?
        var status: User.Status?
    }

    func list(_ query: ListQuery) async throws -> [User] {
        try actor.require(.view, .admin)
        let b = actor.inOrg(User.self, on: db)
        if let q = Check.clean(query.q) { b.group(.or) { $0.filter(\.$name ~~ q).filter(\.$account ~~ q.lowercased()).filter(\.$mobile ~~ q) } }
        if let d = query.departmentID { b.filter(\.$departmentID == d) }
        if let s = query.status { b.filter(\.$status == s) }
        return try await b.sort(\.$name).limit(2000).rows()
    }

    func get(_ id: UUID?) async throws -> User {
        guard let id, let u = try await actor.inOrg(User.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return u
    }

    func roleIDs(of userID: UUID) async throws -> [UUID] {
        try await actor.inOrg(UserRole.self, on: db).filter(\.$userID == userID).rows().map(\.roleID)
    }

    func create(_ input: Input) async throws -> User {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let account = Check.account(input.account, "account", into: &errors)
        let name = Check.required(input.name, "name", max: 50, into: &errors)
        let email = Check.email(input.email, "email", into: &errors)
        let mobile = Check.phone(input.mobile, "mobile", into: &errors)
        let password = Check.password(input.password, "password", into: &errors)
        if errors["account"] == nil, try await Installation.accountTaken(account, on: db) { errors.add("account", "error.accountTaken") }
        try await checkRefs(input, userID: nil, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let user = User(orgID: actor.orgID, account: account, name: name, passwordHash: try await hasher(password),
                        departmentID: input.departmentID, supervisorID: input.supervisorID)
        user.email = email
        user.mobile = mobile
        let roles = try await rolesText(input.roleIDs)
        try await db.writeTransaction { tx in
            try await user.create(on: tx)
            try await setRoles(user.id!, input.roleIDs, on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Self.definition.entity, user.id!,
                                                                     Self.definition.values(user).merging(["roles": roles]) { $1 })
        }
        return user
    }

    func update(_ id: UUID?, _ input: Input) async throws -> User {
        try actor.require(.edit, .admin)
        let user = try await get(id)
        let oldRoles = try await roleIDs(of: user.id!)
        let oldRolesText = try await rolesText(oldRoles)
        let before = Self.definition.values(user).merging(["roles": oldRolesText]) { $1 }
        var errors = FieldErrors()
        user.name = Check.required(input.name, "name", max: 50, into: &errors)
        user.email = Check.email(input.email, "email", into: &errors)
        user.mobile = Check.phone(input.mobile, "mobile", into: &errors)
        try await checkRefs(input, userID: user.id, into: &errors)
        // An admin may not take the administrator role away from themselves and lock everyone out.
        if user.id == actor.userID {
            let systemRoles = try await actor.inOrg(Role.self, on: db).filter(\.$isSystem == true).rows().compactMap(\.id)
            if oldRoles.contains(where: systemRoles.contains), !input.roleIDs.contains(where: systemRoles.contains) {
                errors.add("roleIDs", "error.keepOwnAdmin")
            }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        user.departmentID = input.departmentID
        user.supervisorID = input.supervisorID
        let newRoles = try await rolesText(input.roleIDs)
        let after = Self.definition.values(user).merging(["roles": newRoles]) { $1 }
        try await db.writeTransaction { tx in
            try await user.save(on: tx)
            try await setRoles(user.id!, input.roleIDs, on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Self.definition.entity, user.id!, before: before, after: after)
        }
        return user
    }

    /// Disables an employee (or marks them as having left): their customers move to `handOverTo`,
    /// their sessions and tokens end, all in one transaction.
    func disable(_ id: UUID?, handOverTo: UUID?, status: User.Status) async throws -> Int {
        try actor.require(.edit, .admin)
        let user = try await get(id)
        var errors = FieldErrors()
        if user.id == actor.userID { errors.add("handOverTo", "error.disableSelf") }
        let owned = try await actor.inOrg(Customer.self, on: db).filter(\.$ownerID == user.id!).countRows()
        var target: User?
        if let h = handOverTo {
            target = try await actor.inOrg(User.self, on: db).filter(\.$id == h).filter(\.$status == .active).firstRow()
            if target == nil || h == user.id { errors.add("handOverTo", "error.unknownUser") }
        } else if owned > 0 {
            errors.add("handOverTo", "error.handOverRequired")
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let handOver = target
        return try await db.writeTransaction { tx in
            let txAudit = Audit(actor: actor, db: tx, now: now)
            var moved = 0
            if let target = handOver {
                // Page through in id order so a big book of customers never sits in memory at once.
                var lastID: UUID?
                while true {
                    let q = actor.inOrg(Customer.self, on: tx).filter(\.$ownerID == user.id!).sort(\.$id).limit(500)
                    if let lastID { q.filter(\.$id > lastID) }
                    let batch = try await q.rows()
                    guard !batch.isEmpty else { break }
                    for c in batch {
                        c.ownerID = target.id
                        c.departmentID = target.departmentID
                        try await c.save(on: tx)
                        try await txAudit.event(Customer.entity, c.id!, .assign, field: "owner", old: user.id!.uuidString, new: target.id!.uuidString)
                    }
                    moved += batch.count
                    lastID = batch.last?.id
                }
            }
            let before = Self.definition.values(user)
            user.status = status
            try await user.save(on: tx)
            try await actor.inOrg(UserSession.self, on: tx).filter(\.$userID == user.id!).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            try await actor.inOrg(ApiToken.self, on: tx).filter(\.$userID == user.id!).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            try await txAudit.updated(Self.definition.entity, user.id!, before: before, after: Self.definition.values(user))
            return moved
        }
    }

    func enable(_ id: UUID?) async throws {
        try actor.require(.edit, .admin)
        let user = try await get(id)
        let before = Self.definition.values(user)
        user.status = .active
        user.failedAttempts = 0
        user.lockedUntil = nil
        try await db.writeTransaction { tx in
            try await user.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Self.definition.entity, user.id!, before: before, after: Self.definition.values(user))
        }
    }

    func resetPassword(_ id: UUID?, _ password: String?) async throws {
        try actor.require(.edit, .admin)
        let user = try await get(id)
        var errors = FieldErrors()
        let pw = Check.password(password, "password", into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        user.passwordHash = try await hasher(pw)
        user.failedAttempts = 0
        user.lockedUntil = nil
        try await db.writeTransaction { tx in
            try await user.save(on: tx)
            try await actor.inOrg(UserSession.self, on: tx).filter(\.$userID == user.id!).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            try await Audit(actor: actor, db: tx, now: now).event(Self.definition.entity, user.id!, .update, field: "password")
        }
    }

    private func checkRefs(_ input: Input, userID: UUID?, into errors: inout FieldErrors) async throws {
        if let d = input.departmentID, try await !actor.inOrg(Department.self, on: db).filter(\.$id == d).exists() {
            errors.add("departmentID", "error.invalidOption")
        }
        if let s = input.supervisorID {
            let users = try await actor.inOrg(User.self, on: db).field(\.$id).field(\.$supervisorID).limit(100_000).rows()
            let parents = Dictionary(uniqueKeysWithValues: users.compactMap { u in u.supervisorID.map { (u.id!, $0) } })
            if !users.contains(where: { $0.id == s }) {
                errors.add("supervisorID", "error.unknownUser")
            } else if let userID, Tree.wouldCycle(node: userID, newParent: s, parentOf: parents) {
                errors.add("supervisorID", "error.cycle")
            }
        }
        if !input.roleIDs.isEmpty {
            let found = try await actor.inOrg(Role.self, on: db).filter(\.$id ~~ input.roleIDs).countRows()
            if found != Set(input.roleIDs).count { errors.add("roleIDs", "error.invalidOption") }
        }
    }

    private func setRoles(_ userID: UUID, _ roleIDs: [UUID], on tx: Database) async throws {
        try await actor.inOrg(UserRole.self, on: tx).filter(\.$userID == userID).delete()
        for r in Set(roleIDs) { try await UserRole(orgID: actor.orgID, userID: userID, roleID: r).create(on: tx) }
    }

    /// Role names for the audit trail, so history reads "销售员, 经理" rather than ids.
    private func rolesText(_ ids: [UUID]) async throws -> String {
        guard !ids.isEmpty else { return "" }
        return try await actor.inOrg(Role.self, on: db).filter(\.$id ~~ ids).rows().map(\.name).sorted().joined(separator: ", ")
    }
}
