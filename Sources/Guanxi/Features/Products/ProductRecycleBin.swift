import Fluent
import Foundation
import GuanxiCore

extension RecycleBin {
    /// Deleted products; one comes back only while no live product has taken its code.
    static let products = Kind(
        entity: Product.entity,
        labelKey: "entity.product",
        list: { actor, db, limit in
            try await actor.inOrgWithDeleted(Product.self, on: db).filter(\.$deletedAt != nil)
                .sort(\.$deletedAt, .descending).limit(limit).rows()
                .map { Item(entity: Product.entity, id: $0.id!, title: "\($0.code) \($0.name)", deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        },
        restore: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let p = try await actor.inOrgWithDeleted(Product.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            if try await actor.inOrg(Product.self, on: db).filter(\.$code == p.code).exists() { throw AppError.conflict("error.codeTaken") }
            try await db.writeTransaction { tx in
                try await p.restore(on: tx)
                p.deletedBy = nil
                try await p.save(on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Product.entity, id, .restore, new: p.name)
            }
        },
        purge: { actor, db, id, now in
            try actor.require(.edit, .admin)
            guard let p = try await actor.inOrgWithDeleted(Product.self, on: db).filter(\.$id == id).filter(\.$deletedAt != nil).firstRow()
            else { throw AppError.notFound }
            // Opportunities (and later quotes) keep naming the product; it can only stay in the bin.
            let inOpportunities = try await actor.inOrg(OpportunityLine.self, on: db).filter(\.$productID == id).exists()
            let inQuotes = try await actor.inOrg(QuoteLine.self, on: db).filter(\.$productID == id).exists()
            let inContracts = try await actor.inOrg(ContractLine.self, on: db).filter(\.$productID == id).exists()
            if inOpportunities || inQuotes || inContracts { throw AppError.conflict("error.productInUse") }
            try await db.writeTransaction { tx in
                try await actor.inOrg(ProductPrice.self, on: tx).filter(\.$productID == id).delete()
                try await p.delete(force: true, on: tx)
                try await AttachmentService.purge(entity: Product.entity, records: [id], orgID: actor.orgID, on: tx)
                try await Audit(actor: actor, db: tx, now: now).event(Product.entity, id, .purge, old: p.name)
            }
        }
    )
}
