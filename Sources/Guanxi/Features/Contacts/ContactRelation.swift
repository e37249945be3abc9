import Fluent
import Foundation
import GuanxiCore

/// A line on a customer's relationship map (决策关系图, CON-02): one contact reports to, influences,
/// or is family or a friend of another contact of the same customer.
final class ContactRelation: Model, @unchecked Sendable {
    static let schema = "contact_relations"

    enum Kind: String, Codable, CaseIterable, Sendable {
        case reportsTo, influences, family, friend

        var labelKey: String { "relation.\(rawValue)" }
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?

    // data fields
    @Enum(key: "kind") var kind: Kind
    @OptionalField(key: "notes") var notes: String?

    // relationships
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "from_contact_id") var fromContactID: UUID
    @Field(key: "to_contact_id") var toContactID: UUID

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $createdBy, $kind, $notes, $customerID, $fromContactID, $toContactID]
    }

    init(orgID: UUID, customerID: UUID, from: UUID, to: UUID, kind: Kind, notes: String?, createdBy: UUID) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.customerID = customerID
        self.fromContactID = from
        self.toContactID = to
        self.kind = kind
        self.notes = notes
        self.createdBy = createdBy
    }
}

extension ContactRelation: OrgScoped {}

/// The relationship map of a customer: whoever sees the customer sees it, whoever edits it edits it.
/// Changes are audited on the customer's history.
struct ContactRelationService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Input: Sendable {
        var from: UUID?
        var to: UUID?
        var kind: String?
        var notes: String?
    }

    func list(customerID: UUID?) async throws -> [ContactRelation] {
        let customer = try await actor.find(Customer.self, customerID, for: .view, on: db)
        return try await actor.inOrg(ContactRelation.self, on: db).filter(\.$customerID == customer.id!).sort(\.$createdAt).limit(500).rows()
    }

    func add(customerID: UUID?, _ input: Input) async throws -> ContactRelation {
        let customer = try await actor.find(Customer.self, customerID, for: .edit, on: db)
        let contacts = try await actor.inOrg(Contact.self, on: db).filter(\.$customerID == customer.id!).rows()
        let names = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id!, $0.name) })
        var errors = FieldErrors()
        guard let from = input.from, names[from] != nil else { errors.add("fromContactID", "error.invalidOption"); throw AppError.invalid(errors) }
        guard let to = input.to, names[to] != nil else { errors.add("toContactID", "error.invalidOption"); throw AppError.invalid(errors) }
        guard let kind = input.kind.flatMap(ContactRelation.Kind.init(rawValue:)) else { errors.add("kind", "error.invalidOption"); throw AppError.invalid(errors) }
        let notes = Check.optional(input.notes, "notes", max: 200, into: &errors)
        let existing = try await list(customerID: customer.id)
        if from == to { errors.add("toContactID", "error.relationSelf") }
        if existing.contains(where: { $0.fromContactID == from && $0.toContactID == to && $0.kind == kind }) { errors.add("toContactID", "error.relationExists") }
        if kind == .reportsTo {
            let bosses = Dictionary(existing.filter { $0.kind == .reportsTo }.map { ($0.fromContactID, $0.toContactID) }) { a, _ in a }
            if bosses[from] != nil { errors.add("fromContactID", "error.relationOneBoss") }
            if RelationLayout.wouldCycle(from: from, to: to, reportsTo: bosses) { errors.add("toContactID", "error.cycle") }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let relation = ContactRelation(orgID: actor.orgID, customerID: customer.id!, from: from, to: to, kind: kind, notes: notes, createdBy: actor.userID)
        try await db.writeTransaction { [actor, now] tx in
            try await relation.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, customer.id!, .update, field: "relations",
                                                                   new: Self.describe(relation, names: names, t: Translator(.zhHans)))
        }
        return relation
    }

    func remove(_ id: UUID?) async throws {
        guard let id, let relation = try await actor.inOrg(ContactRelation.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        _ = try await actor.find(Customer.self, relation.customerID, for: .edit, on: db)
        let contacts = try await actor.inOrg(Contact.self, on: db).filter(\.$id ~~ [relation.fromContactID, relation.toContactID]).rows()
        let names = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id!, $0.name) })
        try await db.writeTransaction { [actor, now] tx in
            try await relation.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, relation.customerID, .update, field: "relations",
                                                                   old: Self.describe(relation, names: names, t: Translator(.zhHans)))
        }
    }

    /// "王总 → 李经理（汇报给）", as the history shows it.
    static func describe(_ r: ContactRelation, names: [UUID: String], t: Translator) -> String {
        "\(names[r.fromContactID] ?? "?") → \(names[r.toContactID] ?? "?")（\(t(r.kind.labelKey))）"
    }
}
