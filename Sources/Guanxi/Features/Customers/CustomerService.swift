import Fluent
import Foundation
import GuanxiCore

/// The rules for customers; pages and API both call this and never query customers themselves.
struct CustomerService {
    let db: Database
    let actor: Actor
    let now: Date

    struct ListQuery {
        enum Sort: String, CaseIterable { case name, created }
        var q: String?
        var ownerID: UUID?
        var sort: Sort = .name
        var descending = false
        var cursor: PageCursor?
        var limit = 50
    }

    /// What a create or an edit asks for: nil leaves a field as it is, an empty string clears it.
    struct Input {
        var name: String?
        var phone: String?
        var ownerID: UUID?
        var notes: String?
    }

    // MARK: reading

    func list(_ query: ListQuery) async throws -> (items: [Customer], next: PageCursor?) {
        let limit = max(1, min(query.limit, 200))
        let builder = try actor.query(Customer.self, .view, on: db)
        if let q = Check.clean(query.q) {
            let digits = Check.digits(q)
            builder.group(.or) { or in
                or.filter(\.$name ~~ q)
                if digits.count >= 3 { or.filter(\.$phoneDigits ~~ digits) }
            }
        }
        if let owner = query.ownerID { builder.filter(\.$ownerID == owner) }
        let dir: DatabaseQuery.Sort.Direction = query.descending ? .descending : .ascending
        let after: DatabaseQuery.Filter.Method = query.descending ? .lessThan : .greaterThan
        switch query.sort {
        case .name:
            if let c = query.cursor, let cid = UUID(uuidString: c.id) {
                builder.group(.or) { or in
                    or.filter(\.$name, after, c.value)
                    or.group(.and) { and in and.filter(\.$name == c.value).filter(\.$id, after, cid) }
                }
            }
            builder.sort(\.$name, dir).sort(\.$id, dir)
        case .created:
            // Ids are time-ordered (UUIDv7), so creation order is id order and the cursor is exact.
            if let c = query.cursor, let cid = UUID(uuidString: c.id) { builder.filter(\.$id, after, cid) }
            builder.sort(\.$id, dir)
        }
        let rows = try await builder.limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        var next: PageCursor?
        if rows.count > limit, let last = page.last {
            let value = query.sort == .name ? last.name : ""
            next = PageCursor(value: value, id: last.id!.uuidString)
        }
        return (page, next)
    }

    func get(_ id: UUID?) async throws -> Customer {
        try await actor.find(Customer.self, id, for: .view, on: db)
    }

    /// Names of the owners of a page of customers, in one query.
    func ownerNames(_ customers: [Customer]) async throws -> [UUID: String] {
        let ids = Array(Set(customers.compactMap(\.ownerID)))
        guard !ids.isEmpty else { return [:] }
        let users = try await actor.inOrg(User.self, on: db).filter(\.$id ~~ ids).all()
        return Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.name) })
    }

    // MARK: changing

    func create(_ input: Input) async throws -> Customer {
        try actor.require(.create, .customers)
        var errors = FieldErrors()
        let name = Check.required(input.name, "name", max: 200, into: &errors)
        let phone = Check.phone(input.phone, "phone", into: &errors)
        let notes = Check.optional(input.notes, "notes", max: 4000, into: &errors)
        if phone != nil, !actor.canWrite(.customers, "phone") { errors.add("phone", "error.readOnly") }
        if notes != nil, !actor.canWrite(.customers, "notes") { errors.add("notes", "error.readOnly") }
        let owner = try await resolveOwner(input.ownerID ?? actor.userID, current: nil, into: &errors)
        guard errors.isEmpty, let owner else { throw AppError.invalid(errors) }

        let customer = Customer(orgID: actor.orgID, name: name, phone: phone, ownerID: owner.id, departmentID: owner.departmentID,
                                createdBy: actor.userID)
        customer.notes = notes
        try await db.writeTransaction { tx in
            try await customer.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Customer.entity, customer.id!, Customer.definition.values(customer))
        }
        return customer
    }

    func update(_ id: UUID?, _ input: Input) async throws -> Customer {
        let customer = try await actor.find(Customer.self, id, for: .edit, on: db)
        let before = Customer.definition.values(customer)
        var errors = FieldErrors()

        if let nameIn = input.name {
            customer.name = Check.required(nameIn, "name", max: 200, into: &errors)
        }
        if let phoneIn = input.phone {
            let phone = Check.phone(phoneIn, "phone", into: &errors)
            if phone != customer.phone {
                if actor.canWrite(.customers, "phone") {
                    customer.phone = phone
                    customer.phoneDigits = phone.map(Check.digits)
                } else {
                    errors.add("phone", "error.readOnly")
                }
            }
        }
        if let notesIn = input.notes {
            let notes = Check.optional(notesIn, "notes", max: 4000, into: &errors)
            if notes != customer.notes {
                if actor.canWrite(.customers, "notes") { customer.notes = notes } else { errors.add("notes", "error.readOnly") }
            }
        }
        if let ownerID = input.ownerID, ownerID != customer.ownerID {
            if let owner = try await resolveOwner(ownerID, current: customer.ownerID, into: &errors) {
                customer.ownerID = owner.id
                customer.departmentID = owner.departmentID
            }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let after = Customer.definition.values(customer)
        guard before != after else { return customer }
        try await db.writeTransaction { tx in
            try await customer.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Customer.entity, customer.id!, before: before, after: after)
        }
        return customer
    }

    func delete(_ id: UUID?) async throws {
        let customer = try await actor.find(Customer.self, id, for: .delete, on: db)
        try await db.writeTransaction { tx in
            customer.deletedBy = actor.userID
            try await customer.save(on: tx)
            try await customer.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, customer.id!, .delete, field: nil, old: customer.name, new: nil)
        }
    }

    /// The owner must be an active employee of the same organisation; giving a customer to someone
    /// else needs the assign permission.
    private func resolveOwner(_ id: UUID, current: UUID?, into errors: inout FieldErrors) async throws -> User? {
        guard let user = try await actor.inOrg(User.self, on: db).filter(\.$id == id).first(),
              user.status == .active else {
            errors.add("ownerID", "error.unknownUser")
            return nil
        }
        if id != actor.userID, id != current, !actor.can(.assign, .customers) {
            errors.add("ownerID", "error.assignNotAllowed")
            return nil
        }
        return user
    }
}
