import Fluent
import Foundation
import GuanxiCore

/// Defines, changes and orders custom fields (PLT-13). Administrators only; every change audited.
struct CustomFieldService {
    let db: Database
    let actor: Actor
    let now: Date

    /// The entities that take custom fields.
    static let entities = [Customer.entity, Contact.entity, Product.entity, Contract.entity]
    static let maxPerEntity = 50

    struct Input: Sendable {
        var key: String?
        var label: String?
        var labelEn: String?
        var kind: String?
        var required = false
        var listed = false
        var isActive = true
    }

    func list(entity: String) async throws -> [CustomFieldDefinition] {
        try actor.require(.view, .admin)
        guard Self.entities.contains(entity) else { throw AppError.notFound }
        return try await actor.inOrg(CustomFieldDefinition.self, on: db).filter(\.$entity == entity)
            .sort(\.$sortOrder).sort(\.$createdAt).rows()
    }

    func get(_ id: UUID?) async throws -> CustomFieldDefinition {
        try actor.require(.view, .admin)
        guard let id, let def = try await actor.inOrg(CustomFieldDefinition.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return def
    }

    func create(entity: String, _ input: Input) async throws -> CustomFieldDefinition {
        try actor.require(.edit, .admin)
        guard Self.entities.contains(entity) else { throw AppError.invalid({ var e = FieldErrors(); e.add("entity", "error.invalidOption"); return e }()) }
        var errors = FieldErrors()
        let label = Check.required(input.label, "label", max: 30, into: &errors)
        let labelEn = Check.optional(input.labelEn, "labelEn", max: 50, into: &errors)
        let kind = Check.clean(input.kind).flatMap(CustomFieldDefinition.Kind.init(rawValue:))
        if kind == nil { errors.add("kind", Check.clean(input.kind) == nil ? "error.required" : "error.invalidOption") }
        let existing = try await list(entity: entity)
        if existing.count >= Self.maxPerEntity { errors.add("label", "error.customFieldLimit") }
        if existing.contains(where: { $0.label == label }) { errors.add("label", "error.nameTaken") }
        let key: String
        if let typed = Check.clean(input.key)?.lowercased() {
            key = typed.hasPrefix("cf_") ? typed : "cf_" + typed
            if !CustomFieldKey.isValid(key) { errors.add("key", "error.customFieldKey") }
            if existing.contains(where: { $0.key == key }) { errors.add("key", "error.nameTaken") }
        } else {
            key = CustomFieldKey.suggest(label: label, taken: Set(existing.map(\.key)))
        }
        guard errors.isEmpty, let kind else { throw AppError.invalid(errors) }
        let def = CustomFieldDefinition(orgID: actor.orgID, entity: entity, key: key, label: label, labelEn: labelEn, kind: kind,
                                        required: input.required, listed: input.listed, sortOrder: (existing.map(\.sortOrder).max() ?? -1) + 1)
        try await db.writeTransaction { [actor, now] tx in
            try await def.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created("customField", def.id!, Self.values(def))
        }
        return def
    }

    /// Label, required, listed and active can change; the key and the type cannot, so stored values stay valid.
    func update(_ id: UUID?, _ input: Input) async throws -> CustomFieldDefinition {
        try actor.require(.edit, .admin)
        let def = try await get(id)
        var errors = FieldErrors()
        let before = Self.values(def)
        def.label = Check.required(input.label, "label", max: 30, into: &errors)
        def.labelEn = Check.optional(input.labelEn, "labelEn", max: 50, into: &errors)
        if let kind = Check.clean(input.kind), kind != def.kind.rawValue { errors.add("kind", "error.readOnly") }
        if let key = Check.clean(input.key), key != def.key { errors.add("key", "error.readOnly") }
        let others = try await list(entity: def.entity).filter { $0.id != def.id }
        if others.contains(where: { $0.label == def.label }) { errors.add("label", "error.nameTaken") }
        def.required = input.required
        def.listed = input.listed
        def.isActive = input.isActive
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        try await db.writeTransaction { [actor, now] tx in
            try await def.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated("customField", def.id!, before: before, after: Self.values(def))
        }
        return def
    }

    /// Moves a field one place up or down among its entity's fields.
    func move(_ id: UUID?, up: Bool) async throws {
        try actor.require(.edit, .admin)
        let def = try await get(id)
        var list = try await list(entity: def.entity)
        guard let i = list.firstIndex(where: { $0.id == def.id }) else { return }
        let j = up ? i - 1 : i + 1
        guard list.indices.contains(j) else { return }
        list.swapAt(i, j)
        try await db.writeTransaction { [list] tx in
            for (n, d) in list.enumerated() where d.sortOrder != n {
                d.sortOrder = n
                try await d.save(on: tx)
            }
        }
    }

    static func values(_ d: CustomFieldDefinition) -> FieldValues {
        ["entity": d.entity, "key": d.key, "label": d.label, "labelEn": d.labelEn ?? "", "kind": d.kind.rawValue,
         "required": String(d.required), "listed": String(d.listed), "active": String(d.isActive)]
    }
}
