import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Contacts belong to a customer; whoever may see (edit) the customer may see (edit) its contacts.
/// Exactly one contact of a customer is primary once it has any.
struct ContactService {
    let db: Database
    let actor: Actor
    let now: Date

    func list(customerID: UUID) async throws -> [Contact] {
        _ = try await actor.find(Customer.self, customerID, for: .view, on: db)
        return try await actor.inOrg(Contact.self, on: db).filter(\.$customerID == customerID)
            .sort(\.$isPrimary, .descending).sort(\.$name).limit(500).rows()
    }

    /// How many contacts each of these customers has (callers pass customers the actor may see).
    func counts(customerIDs: [UUID]) async throws -> [UUID: Int] {
        guard !customerIDs.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("customer_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Contact.schema)
            .where("org_id", .equal, actor.orgID).where("deleted_at", .is, SQLLiteral.null).where("customer_id", .in, customerIDs)
            .groupBy("customer_id").all()
        var out: [UUID: Int] = [:]
        for r in rows { out[try r.decode(column: "customer_id", as: UUID.self)] = try r.decode(column: "n", as: Int.self) }
        return out
    }

    /// The contact and its customer, if the actor may act on the customer.
    func get(_ id: UUID?, for action: Action) async throws -> (Contact, Customer) {
        guard let id, let contact = try await actor.inOrg(Contact.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        let customer = try await actor.find(Customer.self, contact.customerID, for: action == .view ? .view : .edit, on: db)
        if action == .delete { try actor.require(.delete, .customers) }
        return (contact, customer)
    }

    func create(customerID: UUID?, _ input: EntityInput, primary: Bool) async throws -> Contact {
        let customer = try await actor.find(Customer.self, customerID, for: .edit, on: db)
        var input = input
        if !input.has("name") { input.errors.add("name", "error.required") }
        let def = actor.definition(Contact.definition)
        try await def.validateReferences(&input, actor: actor, on: db)
        def.requireCustom(&input, record: nil, actor: actor)
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        let contact = Contact(orgID: actor.orgID, customerID: customer.id!, ownerID: customer.ownerID)
        def.apply(input, to: contact)
        contact.refreshSearchKeys()
        try await db.writeTransaction { tx in
            let others = try await actor.inOrg(Contact.self, on: tx).filter(\.$customerID == customer.id!).countRows()
            contact.isPrimary = primary || others == 0
            if contact.isPrimary, others > 0 {
                try await actor.inOrg(Contact.self, on: tx).filter(\.$customerID == customer.id!).set(\.$isPrimary, to: false).update()
            }
            try await contact.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Contact.entity, contact.id!, def.values(contact))
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, customer.id!, .update, field: "contacts", new: contact.name)
        }
        return contact
    }

    func update(_ id: UUID?, _ input: EntityInput) async throws -> Contact {
        let (contact, _) = try await get(id, for: .edit)
        var input = input
        let def = actor.definition(Contact.definition)
        try await def.validateReferences(&input, actor: actor, on: db)
        def.requireCustom(&input, record: contact, actor: actor)
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        let before = def.values(contact)
        def.apply(input, to: contact)
        let after = def.values(contact)
        guard before != after else { return contact }
        try await db.writeTransaction { tx in
            try await contact.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Contact.entity, contact.id!, before: before, after: after)
        }
        return contact
    }

    /// Makes this contact the customer's primary one; the previous primary stops being primary.
    func makePrimary(_ id: UUID?) async throws {
        let (contact, customer) = try await get(id, for: .edit)
        guard !contact.isPrimary else { return }
        try await db.writeTransaction { tx in
            try await actor.inOrg(Contact.self, on: tx).filter(\.$customerID == customer.id!).filter(\.$isPrimary == true).set(\.$isPrimary, to: false).update()
            contact.isPrimary = true
            try await contact.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Contact.entity, contact.id!, .update, field: "primary", old: "false", new: "true")
        }
    }

    func delete(_ id: UUID?) async throws {
        let (contact, customer) = try await get(id, for: .delete)
        try await db.writeTransaction { tx in
            contact.deletedBy = actor.userID
            let wasPrimary = contact.isPrimary
            contact.isPrimary = false
            try await contact.save(on: tx)
            try await contact.delete(on: tx)
            if wasPrimary, let next = try await actor.inOrg(Contact.self, on: tx).filter(\.$customerID == customer.id!).sort(\.$name).firstRow() {
                next.isPrimary = true
                try await next.save(on: tx)
            }
            try await Audit(actor: actor, db: tx, now: now).event(Contact.entity, contact.id!, .delete, old: contact.name)
        }
    }
}
