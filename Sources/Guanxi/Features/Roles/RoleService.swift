import Fluent
import Foundation
import GuanxiCore

/// Roles: permissions per module and action, a data scope per module, field rules.
struct RoleService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Input {
        var name: String?
        var summary: String?
        var policy: RolePolicy
    }

    /// Fields roles may hide, mask or lock, read from the entity declarations.
    static func restrictableFields(for actor: Actor) -> [RestrictableField] {
        actor.definition(Customer.definition).restrictable + actor.definition(Contact.definition).restrictable
            + actor.definition(Product.definition).restrictable
    }

    func list() async throws -> [Role] {
        try actor.require(.view, .admin)
        return try await actor.inOrg(Role.self, on: db).sort(\.$name).rows()
    }

    func get(_ id: UUID?) async throws -> Role {
        guard let id, let r = try await actor.inOrg(Role.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return r
    }

    func memberCounts() async throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for ur in try await actor.inOrg(UserRole.self, on: db).limit(1_000_000).rows() { counts[ur.roleID, default: 0] += 1 }
        return counts
    }

    func create(_ input: Input) async throws -> Role {
        try actor.require(.edit, .admin)
        let (name, summary) = try await validate(input, id: nil)
        let role = Role(orgID: actor.orgID, name: name, policy: input.policy)
        role.summary = summary
        try await db.writeTransaction { tx in
            try await role.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created("role", role.id!, Self.values(role))
        }
        return role
    }

    func update(_ id: UUID?, _ input: Input) async throws -> Role {
        try actor.require(.edit, .admin)
        let role = try await get(id)
        let (name, summary) = try await validate(input, id: role.id)
        let before = Self.values(role)
        role.name = name
        role.summary = summary
        // The administrator role keeps every right, so an organisation can never lock itself out.
        if !role.isSystem { role.policy = input.policy }
        let after = Self.values(role)
        guard before != after else { return role }
        try await db.writeTransaction { tx in
            try await role.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated("role", role.id!, before: before, after: after)
        }
        return role
    }

    func delete(_ id: UUID?) async throws {
        try actor.require(.edit, .admin)
        let role = try await get(id)
        var errors = FieldErrors()
        if role.isSystem { errors.add("name", "error.systemRole") }
        if try await actor.inOrg(UserRole.self, on: db).filter(\.$roleID == role.id!).countRows() > 0 { errors.add("name", "error.roleInUse") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        try await db.writeTransaction { tx in
            try await role.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("role", role.id!, .delete, old: role.name)
        }
    }

    private func validate(_ input: Input, id: UUID?) async throws -> (String, String?) {
        var errors = FieldErrors()
        let name = Check.required(input.name, "name", max: 50, into: &errors)
        let summary = Check.optional(input.summary, "summary", max: 200, into: &errors)
        if errors["name"] == nil {
            let q = actor.inOrg(Role.self, on: db).filter(\.$name == name)
            if let id { q.filter(\.$id != id) }
            if try await q.exists() { errors.add("name", "error.nameTaken") }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        return (name, summary)
    }

    /// The role as audited text: one line per module, and one per field rule.
    static func values(_ role: Role) -> FieldValues {
        var v: FieldValues = ["name": role.name, "summary": role.summary ?? ""]
        for m in Module.allCases {
            let actions = m.actions.filter { role.policy.actions[m]?.contains($0) ?? false }.map(\.rawValue).joined(separator: ",")
            v["module.\(m.rawValue)"] = actions + (m.isScoped ? " / " + (role.policy.scopes[m] ?? .own).rawValue : "")
        }
        for (k, r) in role.policy.fieldRules { v["field.\(k)"] = r.rawValue }
        return v
    }
}
