import Fluent
import Foundation
import GuanxiCore

/// The department tree: create, rename, move, disable — audited.
struct DepartmentService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Input {
        var name: String?
        var parentID: UUID?
        var isActive: Bool?
    }

    static let definition = EntityDefinition<Department>(entity: "department", module: .admin, labelKey: "entity.department", fields: [
        EntityField("name", "department.name", .text, required: true, restrictable: false, maxLength: 100) { $0.name },
        EntityField("parent", "department.parent", .department, restrictable: false) { $0.parentID?.uuidString },
        EntityField("active", "department.active", .text, restrictable: false) { $0.isActive ? "✓" : "✗" },
    ])

    func all() async throws -> [Department] {
        try await actor.inOrg(Department.self, on: db).limit(10_000).rows()
    }

    /// Departments in tree order with their depth.
    func tree() async throws -> [(node: Department, depth: Int)] {
        Tree.flatten(try await all(), id: { $0.id! }, parent: { $0.parentID }, sortKey: { String(format: "%06d", $0.sortOrder) + $0.name })
    }

    func create(_ input: Input) async throws -> Department {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let name = Check.required(input.name, "name", max: 100, into: &errors)
        if let p = input.parentID, try await !actor.inOrg(Department.self, on: db).filter(\.$id == p).exists() {
            errors.add("parentID", "error.invalidOption")
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let dept = Department(orgID: actor.orgID, name: name, parentID: input.parentID)
        try await db.writeTransaction { tx in
            try await dept.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Self.definition.entity, dept.id!, Self.definition.values(dept))
        }
        return dept
    }

    func update(_ id: UUID?, _ input: Input) async throws -> Department {
        try actor.require(.edit, .admin)
        guard let id, let dept = try await actor.inOrg(Department.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        let before = Self.definition.values(dept)
        var errors = FieldErrors()
        if let n = input.name { dept.name = Check.required(n, "name", max: 100, into: &errors) }
        if input.parentID != dept.parentID {
            let all = try await all()
            let parents = Dictionary(uniqueKeysWithValues: all.compactMap { d in d.parentID.map { (d.id!, $0) } })
            if let p = input.parentID, !all.contains(where: { $0.id == p }) {
                errors.add("parentID", "error.invalidOption")
            } else if Tree.wouldCycle(node: id, newParent: input.parentID, parentOf: parents) {
                errors.add("parentID", "error.cycle")
            } else {
                dept.parentID = input.parentID
            }
        }
        if let active = input.isActive, active != dept.isActive {
            if !active {
                let members = try await actor.inOrg(User.self, on: db).filter(\.$departmentID == id).filter(\.$status == .active).countRows()
                let children = try await actor.inOrg(Department.self, on: db).filter(\.$parentID == id).filter(\.$isActive == true).countRows()
                if members > 0 || children > 0 { errors.add("isActive", "error.departmentInUse") }
            }
            dept.isActive = active
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let after = Self.definition.values(dept)
        guard before != after else { return dept }
        try await db.writeTransaction { tx in
            try await dept.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Self.definition.entity, id, before: before, after: after)
        }
        return dept
    }
}
