import Fluent
import Foundation
import GuanxiCore

extension RecycleBin {
    /// Deleted opportunities; their stage history and lines stay with them and come back too.
    static let opportunities = Kind(
        entity: Opportunity.entity,
        labelKey: "entity.opportunity",
        list: { actor, db, limit in
            try await actor.inOrgWithDeleted(Opportunity.self, on: db).filter(\.$deletedAt != nil)
                .sort(\.$deletedAt, .descending).limit(limit).rows()
                .map { Item(entity: Opportunity.entity, id: $0.id!, title: $0.name, deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        },
        restore: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let o = try await actor.inOrgWithDeleted(Opportunity.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await OpportunityTally.around(id, orgID: actor.orgID, on: tx) {
                    try await o.restore(on: tx)
                    o.deletedBy = nil
                    try await o.save(on: tx)
                }
                try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, id, .restore, new: o.name)
            }
        },
        purge: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let o = try await actor.inOrgWithDeleted(Opportunity.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$opportunityID == id).set(\.$opportunityID, to: nil).update()
                try await actor.inOrg(OpportunityLine.self, on: tx).filter(\.$opportunityID == id).delete()
                try await actor.inOrg(OpportunityStageChange.self, on: tx).filter(\.$opportunityID == id).delete()
                try await actor.inOrg(DemandPlan.self, on: tx).filter(\.$opportunityID == id).delete()
                try await actor.inOrg(OpportunityContact.self, on: tx).filter(\.$opportunityID == id).delete()
                try await o.delete(force: true, on: tx)
                try await AttachmentService.purge(entity: Opportunity.entity, records: [id], orgID: actor.orgID, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, id, .purge, old: o.name)
            }
        }
    )
}
