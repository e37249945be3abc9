import Fluent
import Foundation
import GuanxiCore

/// The recycle rules (回收机制, CUS-05) as a job: customers past their pool's limits go back to the pool,
/// and owners are warned the configured days before. Safe to run twice: a warning is sent once per
/// customer and due date, and a customer already back in the pool is not touched again.
struct PoolRecycler {
    let db: Database
    let now: Date

    struct Result: Equatable { var recycled = 0; var warned = 0 }

    func run() async throws -> Result {
        var result = Result()
        for org in try await SystemAccess.organizations(on: db) {
            let r = try await run(orgID: org.id!, timeZone: org.zone)
            result.recycled += r.recycled
            result.warned += r.warned
        }
        return result
    }

    func run(orgID: UUID, timeZone: TimeZone) async throws -> Result {
        let pools = try await SystemAccess.inOrg(CustomerPool.self, orgID, on: db).rows()
        guard let fallback = pools.first(where: \.isDefault) ?? pools.first else { return Result() }
        let byID = Dictionary(uniqueKeysWithValues: pools.map { ($0.id!, $0) })
        var result = Result()
        var lastID: UUID?
        let dateFormat = DateFormatter()
        dateFormat.locale = Locale(identifier: "en_US_POSIX")
        dateFormat.timeZone = timeZone
        dateFormat.dateFormat = "yyyy-MM-dd"
        // Owned customers with a claim date, a batch at a time in id order.
        while true {
            let q = SystemAccess.inOrg(Customer.self, orgID, on: db).filter(\.$ownerID != nil).filter(\.$claimedAt != nil)
                .sort(\.$id).limit(1000)
            if let lastID { q.filter(\.$id > lastID) }
            let batch = try await q.rows()
            guard let last = batch.last else { break }
            lastID = last.id
            for c in batch {
                let pool = c.poolID.flatMap { byID[$0] } ?? fallback
                let rule = pool.settings.rule(forLevel: c.level)
                let facts = Recycling.Facts(claimedAt: c.claimedAt, lastContactedAt: c.lastContactedAt, lastDealAt: c.lastDealAt)
                switch Recycling.verdict(rule, facts, now: now) {
                case .keep:
                    continue
                case .warn(let due):
                    guard let owner = c.ownerID else { continue }
                    let day = dateFormat.string(from: due)
                    let sent = try await Notifier.send(UserNotification(
                        orgID: orgID, userID: owner, kind: "poolWarning", messageKey: "notify.poolWarning", args: [c.name, day, pool.name],
                        link: Paths.customer(c.id!), dedupeKey: "pool-warning:\(c.id!.uuidString):\(day)", at: now), on: db)
                    if sent { result.warned += 1 }
                case .recycle:
                    guard let owner = c.ownerID else { continue }
                    try await db.writeTransaction { tx in
                        // Conditional on the same owner, so a claim or hand-over in the meantime wins.
                        let moved = try await SystemAccess.inOrg(Customer.self, orgID, on: tx).filter(\.$id == c.id!).filter(\.$ownerID == owner)
                            .set(\.$ownerID, to: nil).set(\.$departmentID, to: nil).set(\.$claimedAt, to: nil).set(\.$poolID, to: pool.id).update()
                        _ = moved
                        let audit = Audit.system(orgID: orgID, db: tx, now: now)
                        try await audit.event(Customer.entity, c.id!, .assign, field: "owner", old: owner.uuidString, new: nil)
                        try await audit.event(Customer.entity, c.id!, .update, field: "pool", old: nil, new: pool.name + " · " + "recycle")
                        try await Notifier.send(UserNotification(
                            orgID: orgID, userID: owner, kind: "poolRecycled", messageKey: "notify.poolRecycled", args: [c.name, pool.name],
                            link: Paths.customer(c.id!), dedupeKey: "pool-recycled:\(c.id!.uuidString):\(Int(now.timeIntervalSince1970 / 86_400))", at: now), on: tx)
                    }
                    result.recycled += 1
                }
            }
        }
        return result
    }
}
