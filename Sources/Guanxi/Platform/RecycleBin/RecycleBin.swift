import Fluent
import Foundation
import GuanxiCore

/// The recycle bin (回收站): deleted records of every entity, restorable or purgeable by admins.
/// Each soft-deletable entity registers one `RecycleBin.Kind`.
enum RecycleBin {
    struct Item {
        let entity: String
        let id: UUID
        let title: String
        let deletedAt: Date?
        let deletedBy: UUID?
    }

    struct Kind: Sendable {
        let entity: String
        let labelKey: String
        let list: @Sendable (Actor, Database, Int) async throws -> [Item]
        let restore: @Sendable (Actor, Database, UUID, Date) async throws -> Void
        let purge: @Sendable (Actor, Database, UUID, Date) async throws -> Void
    }

    static let kinds: [Kind] = [customers, contacts, followUps, products, leads, opportunities]

    static func kind(_ entity: String) -> Kind? { kinds.first { $0.entity == entity } }

    static let customers = Kind(
        entity: Customer.entity,
        labelKey: "entity.customer",
        list: { actor, db, limit in
            try await actor.inOrgWithDeleted(Customer.self, on: db).filter(\.$deletedAt != nil)
                .sort(\.$deletedAt, .descending).limit(limit).rows()
                .map { Item(entity: Customer.entity, id: $0.id!, title: $0.name, deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        },
        restore: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let c = try await actor.inOrgWithDeleted(Customer.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await c.restore(on: tx)
                c.deletedBy = nil
                try await c.save(on: tx)
                let audit = Audit(actor: actor, db: tx, now: now)
                try await audit.event(Customer.entity, id, .restore, new: c.name)
                for contact in try await actor.inOrgWithDeleted(Contact.self, on: tx).filter(\.$deletedWith == id).rows() {
                    try await contact.restore(on: tx)
                    contact.deletedBy = nil
                    contact.deletedWith = nil
                    try await contact.save(on: tx)
                    try await audit.event(Contact.entity, contact.id!, .restore, new: contact.name)
                }
            }
        },
        purge: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let c = try await actor.inOrgWithDeleted(Customer.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            // Contracts and money received are the company's records: such a customer is never purged.
            let signed = try await actor.inOrgWithDeleted(Contract.self, on: db).group(.or) { $0.filter(\.$customerID == id).filter(\.$settlementCustomerID == id) }.firstRow()
            let paid = try await actor.inOrg(Payment.self, on: db).filter(\.$customerID == id).firstRow()
            if signed != nil || paid != nil { throw AppError.conflict("error.customerHasContracts") }
            try await db.writeTransaction { tx in
                try await actor.inOrg(RecordShare.self, on: tx).filter(\.$entity == Customer.entity).filter(\.$recordID == id).delete()
                try await FollowUpTally.apply("customer_id = \(bind: id)", sign: -1, actor: actor, on: tx)
                try await actor.inOrgWithDeleted(FollowUp.self, on: tx).filter(\.$customerID == id).delete(force: true)
                try await actor.inOrgWithDeleted(TaskItem.self, on: tx).filter(\.$customerID == id).set(\.$customerID, to: nil).update()
                try await actor.inOrgWithDeleted(Activity.self, on: tx).filter(\.$customerID == id).set(\.$customerID, to: nil).update()
                let quotes = try await actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$customerID == id).rows().map { $0.id! }
                if !quotes.isEmpty {
                    try await actor.inOrg(QuoteLine.self, on: tx).filter(\.$quoteID ~~ quotes).delete()
                    try await actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$id ~~ quotes).delete(force: true)
                }
                // Opportunities cannot outlive their customer: they go with it, lines and stage history included.
                let opportunities = try await actor.inOrgWithDeleted(Opportunity.self, on: tx).filter(\.$customerID == id).rows().map { $0.id! }
                if !opportunities.isEmpty {
                    try await OpportunityTally.apply("customer_id = \(bind: id)", sign: -1, orgID: actor.orgID, on: tx)
                    try await actor.inOrg(OpportunityLine.self, on: tx).filter(\.$opportunityID ~~ opportunities).delete()
                    try await actor.inOrg(OpportunityStageChange.self, on: tx).filter(\.$opportunityID ~~ opportunities).delete()
                    try await actor.inOrg(DemandPlan.self, on: tx).filter(\.$opportunityID ~~ opportunities).delete()
                    try await actor.inOrg(OpportunityContact.self, on: tx).filter(\.$opportunityID ~~ opportunities).delete()
                    try await actor.inOrgWithDeleted(Opportunity.self, on: tx).filter(\.$id ~~ opportunities).delete(force: true)
                }
                let contacts = try await actor.inOrgWithDeleted(Contact.self, on: tx).filter(\.$customerID == id).rows().map { $0.id! }
                try await AttachmentService.purge(entity: Contact.entity, records: contacts, orgID: actor.orgID, on: tx)
                try await AttachmentService.purge(entity: Opportunity.entity, records: opportunities, orgID: actor.orgID, on: tx)
                try await AttachmentService.purge(entity: Quote.entity, records: quotes, orgID: actor.orgID, on: tx)
                try await AttachmentService.purge(entity: Customer.entity, records: [id], orgID: actor.orgID, on: tx)
                try await actor.inOrgWithDeleted(Contact.self, on: tx).filter(\.$customerID == id).delete(force: true)
                try await c.delete(force: true, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, id, .purge, old: c.name)
            }
        }
    )

    /// Contacts deleted on their own (those deleted with their customer come back with it).
    static let contacts = Kind(
        entity: Contact.entity,
        labelKey: "entity.contact",
        list: { actor, db, limit in
            try await actor.inOrgWithDeleted(Contact.self, on: db).filter(\.$deletedAt != nil).filter(\.$deletedWith == nil)
                .sort(\.$deletedAt, .descending).limit(limit).rows()
                .map { Item(entity: Contact.entity, id: $0.id!, title: $0.name, deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        },
        restore: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let c = try await actor.inOrgWithDeleted(Contact.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil)
                .filter(\.$deletedWith == nil).firstRow() else { throw AppError.notFound }
            // A contact cannot come back to a customer that is itself in the bin.
            guard try await actor.inOrg(Customer.self, on: db).filter(\.$id == c.customerID).exists() else { throw AppError.conflict("error.parentDeleted") }
            try await db.writeTransaction { tx in
                try await c.restore(on: tx)
                c.deletedBy = nil
                try await c.save(on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Contact.entity, id, .restore, new: c.name)
            }
        },
        purge: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let c = try await actor.inOrgWithDeleted(Contact.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await actor.inOrgWithDeleted(FollowUp.self, on: tx).filter(\.$contactID == id).set(\.$contactID, to: nil).update()
                try await actor.inOrgWithDeleted(Opportunity.self, on: tx).filter(\.$contactID == id).set(\.$contactID, to: nil).update()
                try await actor.inOrg(OpportunityContact.self, on: tx).filter(\.$contactID == id).delete()
                try await AttachmentService.purge(entity: Contact.entity, records: [id], orgID: actor.orgID, on: tx)
                try await c.delete(force: true, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Contact.entity, id, .purge, old: c.name)
            }
        }
    )

    static let followUps = Kind(
        entity: FollowUp.entity,
        labelKey: "followUp.one",
        list: { actor, db, limit in
            try await actor.inOrgWithDeleted(FollowUp.self, on: db).filter(\.$deletedAt != nil)
                .sort(\.$deletedAt, .descending).limit(limit).rows()
                .map { Item(entity: FollowUp.entity, id: $0.id!, title: String($0.content.prefix(40)), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        },
        restore: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let f = try await actor.inOrgWithDeleted(FollowUp.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            guard try await actor.inOrg(Customer.self, on: db).filter(\.$id == f.customerID).exists() else { throw AppError.conflict("error.parentDeleted") }
            try await db.writeTransaction { tx in
                try await f.restore(on: tx)
                f.deletedBy = nil
                try await f.save(on: tx)
                try await FollowUpTally.apply("id = \(bind: id)", sign: 1, actor: actor, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(FollowUp.entity, id, .restore, new: String(f.content.prefix(100)))
            }
        },
        purge: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let f = try await actor.inOrgWithDeleted(FollowUp.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await f.delete(force: true, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(FollowUp.entity, id, .purge, old: String(f.content.prefix(100)))
            }
        }
    )
}
