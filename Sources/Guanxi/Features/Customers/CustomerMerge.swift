import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// A merge of two customers, kept so it can be undone from the survivor's history.
final class CustomerMerge: Model, @unchecked Sendable {
    static let schema = "customer_merges"

    /// What the merge changed, to put it back.
    struct Snapshot: Codable, Sendable {
        var survivorBefore: [String: String]
        var movedContacts: [UUID]
        var movedChildren: [UUID]
        var movedSettlements: [UUID]
        var movedShares: [UUID]
        /// Absent in merges recorded before follow-ups existed.
        var movedFollowUps: [UUID]? = nil
        var movedTasks: [UUID]? = nil
        var movedActivities: [UUID]? = nil
        var movedOpportunities: [UUID]? = nil
        var movedQuotes: [UUID]? = nil
        var movedContracts: [UUID]? = nil
        var movedContractSettlements: [UUID]? = nil
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "survivor_id") var survivorID: UUID
    @Field(key: "merged_id") var mergedID: UUID
    @Field(key: "snapshot") var snapshot: Snapshot
    @Field(key: "merged_by") var mergedBy: UUID
    @Field(key: "merged_at") var mergedAt: Date
    @OptionalField(key: "undone_at") var undoneAt: Date?

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $survivorID, $mergedID, $snapshot, $mergedBy, $mergedAt, $undoneAt] }
}

extension CustomerMerge: OrgScoped {}

/// Finding likely duplicates and merging them (CUS-14).
struct MergeService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Group {
        let reason: CollisionCheck.Match.Reason
        let customers: [Customer]
    }

    /// Groups of customers in the actor's scope sharing a credit code, a phone or a core name.
    func duplicateGroups(limit: Int = 50) async throws -> [Group] {
        guard let sql = db as? any SQLDatabase else { return [] }
        var groups: [Group] = []
        for (column, reason) in [("credit_code", CollisionCheck.Match.Reason.creditCode), ("phone_digits", .phone), ("name_key", .name)] {
            let rows = try await sql.raw("""
                SELECT \(ident: column) AS k FROM customers
                WHERE deleted_at IS NULL AND \(ident: column) IS NOT NULL AND \(ident: column) <> '' AND \(try actor.scopeSQL(Customer.self))
                GROUP BY \(ident: column) HAVING COUNT(*) > 1 LIMIT \(literal: limit)
                """).all()
            let keys = try rows.map { try $0.decode(column: "k", as: String.self) }
            guard !keys.isEmpty else { continue }
            let members = try await actor.query(Customer.self, .view, on: db).filter(.path([FieldKey(stringLiteral: column)], schema: Customer.schema), .subset(inverse: false),
                                                                                     .array(keys.map { .bind($0) })).sort(\.$id).rows()
            let byKey = Dictionary(grouping: members) { c -> String in
                switch reason {
                case .creditCode: c.creditCode ?? ""
                case .phone: c.phoneDigits ?? ""
                case .name: c.nameKey ?? ""
                }
            }
            for key in keys { if let list = byKey[key], list.count > 1 { groups.append(Group(reason: reason, customers: list)) } }
        }
        var seen: Set<Set<UUID>> = []
        return groups.filter { seen.insert(Set($0.customers.map { $0.id! })).inserted }
    }

    /// Merges `mergedID` into `survivorID`: chosen values land on the survivor, every related record moves
    /// to it, the other goes to the recycle bin. One transaction; recorded so it can be undone.
    func merge(survivorID: UUID?, mergedID: UUID?, choices: [String: String]) async throws -> CustomerMerge {
        let survivor = try await actor.find(Customer.self, survivorID, for: .edit, on: db)
        let merged = try await actor.find(Customer.self, mergedID, for: .delete, on: db)
        guard survivor.id != merged.id else { throw AppError.badRequest("error.badParameter") }
        let def = actor.definition(Customer.definition)
        let before = def.values(survivor)
        // For each field the user picked "other", take the other customer's value.
        var picked = EntityInput()
        for f in def.writableFields(for: actor) where choices[f.key] == "merged" { picked.values[f.key] = f.read(merged) }
        let actor = self.actor, now = self.now, input = picked
        return try await db.writeTransaction { tx in
            def.apply(input, to: survivor)
            if survivor.ownerID == nil { survivor.ownerID = merged.ownerID; survivor.departmentID = merged.departmentID }
            let contacts = try await actor.inOrg(Contact.self, on: tx).filter(\.$customerID == merged.id!).rows()
            let children = try await actor.inOrg(Customer.self, on: tx).filter(\.$parentID == merged.id!).rows()
            let settlements = try await actor.inOrg(Customer.self, on: tx).filter(\.$settlementCustomerID == merged.id!).rows()
            let shares = try await actor.inOrg(RecordShare.self, on: tx).filter(\.$entity == Customer.entity).filter(\.$recordID == merged.id!).rows()
            let existingShares = Set(try await actor.inOrg(RecordShare.self, on: tx).filter(\.$entity == Customer.entity)
                .filter(\.$recordID == survivor.id!).rows().map(\.userID))
            for c in contacts {
                c.customerID = survivor.id!
                if c.isPrimary { c.isPrimary = false }
                try await c.save(on: tx)
            }
            try await actor.inOrg(ContactRelation.self, on: tx).filter(\.$customerID == merged.id!).set(\.$customerID, to: survivor.id!).update()
            let followUps = try await actor.inOrgWithDeleted(FollowUp.self, on: tx).filter(\.$customerID == merged.id!).rows().map { $0.id! }
            if !followUps.isEmpty {
                try await actor.inOrgWithDeleted(FollowUp.self, on: tx).filter(\.$id ~~ followUps).set(\.$customerID, to: survivor.id!).update()
            }
            let tasks = try await actor.inOrgWithDeleted(TaskItem.self, on: tx).filter(\.$customerID == merged.id!).rows().map { $0.id! }
            if !tasks.isEmpty { try await actor.inOrgWithDeleted(TaskItem.self, on: tx).filter(\.$id ~~ tasks).set(\.$customerID, to: survivor.id!).update() }
            let activities = try await actor.inOrgWithDeleted(Activity.self, on: tx).filter(\.$customerID == merged.id!).rows().map { $0.id! }
            if !activities.isEmpty { try await actor.inOrgWithDeleted(Activity.self, on: tx).filter(\.$id ~~ activities).set(\.$customerID, to: survivor.id!).update() }
            let opportunities = try await actor.inOrgWithDeleted(Opportunity.self, on: tx).filter(\.$customerID == merged.id!).rows().map { $0.id! }
            if !opportunities.isEmpty {
                try await actor.inOrgWithDeleted(Opportunity.self, on: tx).filter(\.$id ~~ opportunities).set(\.$customerID, to: survivor.id!).update()
            }
            let quotes = try await actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$customerID == merged.id!).rows().map { $0.id! }
            if !quotes.isEmpty { try await actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$id ~~ quotes).set(\.$customerID, to: survivor.id!).update() }
            let contracts = try await actor.inOrgWithDeleted(Contract.self, on: tx).filter(\.$customerID == merged.id!).rows().map { $0.id! }
            if !contracts.isEmpty { try await actor.inOrgWithDeleted(Contract.self, on: tx).filter(\.$id ~~ contracts).set(\.$customerID, to: survivor.id!).update() }
            let contractSettlements = try await actor.inOrgWithDeleted(Contract.self, on: tx).filter(\.$settlementCustomerID == merged.id!).rows().map { $0.id! }
            if !contractSettlements.isEmpty {
                try await actor.inOrgWithDeleted(Contract.self, on: tx).filter(\.$id ~~ contractSettlements).set(\.$settlementCustomerID, to: survivor.id!).update()
            }
            for c in children where c.id != survivor.id { c.parentID = survivor.id; try await c.save(on: tx) }
            for c in settlements where c.id != survivor.id { c.settlementCustomerID = survivor.id; try await c.save(on: tx) }
            var movedShares: [UUID] = []
            for s in shares {
                if existingShares.contains(s.userID) || s.userID == survivor.ownerID { continue }
                s.recordID = survivor.id!
                try await s.save(on: tx)
                movedShares.append(s.id!)
            }
            try await survivor.save(on: tx)
            merged.deletedBy = actor.userID
            try await merged.save(on: tx)
            try await merged.delete(on: tx)
            let record = CustomerMerge()
            record.id = UUID.v7(at: now)
            record.orgID = actor.orgID
            record.survivorID = survivor.id!
            record.mergedID = merged.id!
            record.snapshot = .init(survivorBefore: before, movedContacts: contacts.map { $0.id! }, movedChildren: children.map { $0.id! },
                                    movedSettlements: settlements.map { $0.id! }, movedShares: movedShares, movedFollowUps: followUps,
                                    movedTasks: tasks, movedActivities: activities, movedOpportunities: opportunities, movedQuotes: quotes,
                                    movedContracts: contracts, movedContractSettlements: contractSettlements)
            record.mergedBy = actor.userID
            record.mergedAt = now
            try await record.create(on: tx)
            let audit = Audit(actor: actor, db: tx, now: now)
            try await audit.updated(Customer.entity, survivor.id!, before: before, after: def.values(survivor))
            try await audit.event(Customer.entity, survivor.id!, .merge, field: "merged", old: nil, new: "\(merged.name) · \(record.id!.uuidString)")
            try await audit.event(Customer.entity, merged.id!, .merge, field: "mergedInto", old: merged.name, new: survivor.name)
            return record
        }
    }

    /// Puts a merge back: the other customer returns with its contacts, children, settlement links and
    /// shares, and the survivor gets its previous values.
    func undo(_ id: UUID?) async throws {
        guard let id, let record = try await actor.inOrg(CustomerMerge.self, on: db).filter(\.$id == id).filter(\.$undoneAt == nil).firstRow() else {
            throw AppError.notFound
        }
        let survivor = try await actor.find(Customer.self, record.survivorID, for: .edit, on: db)
        guard let merged = try await actor.inOrgWithDeleted(Customer.self, on: db).filter(\.$id == record.mergedID).firstRow() else { throw AppError.notFound }
        let def = actor.definition(Customer.definition)
        let actor = self.actor, now = self.now
        try await db.writeTransaction { tx in
            let current = def.values(survivor)
            var input = EntityInput()
            for f in def.fields where f.isEditable { input.values[f.key] = record.snapshot.survivorBefore[f.key].flatMap { $0.isEmpty ? nil : $0 } }
            def.apply(input, to: survivor)
            try await survivor.save(on: tx)
            if merged.deletedAt != nil {
                try await merged.restore(on: tx)
                merged.deletedBy = nil
                try await merged.save(on: tx)
            }
            let s = record.snapshot
            if !s.movedContacts.isEmpty {
                try await actor.inOrg(Contact.self, on: tx).filter(\.$id ~~ s.movedContacts).set(\.$customerID, to: merged.id!).update()
                try await actor.inOrg(ContactRelation.self, on: tx).filter(\.$fromContactID ~~ s.movedContacts).set(\.$customerID, to: merged.id!).update()
            }
            if !s.movedChildren.isEmpty { try await actor.inOrg(Customer.self, on: tx).filter(\.$id ~~ s.movedChildren).set(\.$parentID, to: merged.id!).update() }
            if !s.movedSettlements.isEmpty {
                try await actor.inOrg(Customer.self, on: tx).filter(\.$id ~~ s.movedSettlements).set(\.$settlementCustomerID, to: merged.id!).update()
            }
            if let moved = s.movedFollowUps, !moved.isEmpty {
                try await actor.inOrgWithDeleted(FollowUp.self, on: tx).filter(\.$id ~~ moved).set(\.$customerID, to: merged.id!).update()
            }
            if let moved = s.movedTasks, !moved.isEmpty {
                try await actor.inOrgWithDeleted(TaskItem.self, on: tx).filter(\.$id ~~ moved).set(\.$customerID, to: merged.id!).update()
            }
            if let moved = s.movedActivities, !moved.isEmpty {
                try await actor.inOrgWithDeleted(Activity.self, on: tx).filter(\.$id ~~ moved).set(\.$customerID, to: merged.id!).update()
            }
            if let moved = s.movedOpportunities, !moved.isEmpty {
                try await actor.inOrgWithDeleted(Opportunity.self, on: tx).filter(\.$id ~~ moved).set(\.$customerID, to: merged.id!).update()
            }
            if let moved = s.movedQuotes, !moved.isEmpty {
                try await actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$id ~~ moved).set(\.$customerID, to: merged.id!).update()
            }
            if let moved = s.movedContracts, !moved.isEmpty {
                try await actor.inOrgWithDeleted(Contract.self, on: tx).filter(\.$id ~~ moved).set(\.$customerID, to: merged.id!).update()
            }
            if let moved = s.movedContractSettlements, !moved.isEmpty {
                try await actor.inOrgWithDeleted(Contract.self, on: tx).filter(\.$id ~~ moved).set(\.$settlementCustomerID, to: merged.id!).update()
            }
            if !s.movedShares.isEmpty { try await actor.inOrg(RecordShare.self, on: tx).filter(\.$id ~~ s.movedShares).set(\.$recordID, to: merged.id!).update() }
            record.undoneAt = now
            try await record.save(on: tx)
            let audit = Audit(actor: actor, db: tx, now: now)
            try await audit.updated(Customer.entity, survivor.id!, before: current, after: def.values(survivor))
            try await audit.event(Customer.entity, survivor.id!, .merge, field: "unmerged", old: merged.name, new: nil)
            try await audit.event(Customer.entity, merged.id!, .restore, field: "unmerged", new: merged.name)
        }
    }
}
