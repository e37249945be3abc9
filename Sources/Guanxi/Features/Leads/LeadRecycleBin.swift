import Fluent
import Foundation
import GuanxiCore

extension RecycleBin {
    /// Deleted leads; their follow-ups stay with them and come back too.
    static let leads = Kind(
        entity: Lead.entity,
        labelKey: "entity.lead",
        list: { actor, db, limit in
            try await actor.inOrgWithDeleted(Lead.self, on: db).filter(\.$deletedAt != nil)
                .sort(\.$deletedAt, .descending).limit(limit).rows()
                .map { Item(entity: Lead.entity, id: $0.id!, title: $0.displayName, deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        },
        restore: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let l = try await actor.inOrgWithDeleted(Lead.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await l.restore(on: tx)
                l.deletedBy = nil
                try await l.save(on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Lead.entity, id, .restore, new: l.displayName)
            }
        },
        purge: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let l = try await actor.inOrgWithDeleted(Lead.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            try await db.writeTransaction { tx in
                try await actor.inOrg(LeadFollowUp.self, on: tx).filter(\.$leadID == id).delete()
                try await l.delete(force: true, on: tx)
                try await AttachmentService.purge(entity: Lead.entity, records: [id], orgID: actor.orgID, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Lead.entity, id, .purge, old: l.displayName)
            }
        }
    )
}
