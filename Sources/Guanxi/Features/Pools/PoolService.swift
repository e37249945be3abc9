import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Public pools: claim (one, several, or at random), release, assign and recall (CUS-03, 04, 06, 07).
/// Every move is one conditional UPDATE inside a transaction, so two people can never both get a customer,
/// and the ownership cap is checked under a lock on the claimant.
struct PoolService {
    let db: Database
    let actor: Actor
    let now: Date

    func pools() async throws -> [CustomerPool] {
        try await actor.shared("pools") { try await actor.inOrg(CustomerPool.self, on: db).sort(\.$sortOrder).sort(\.$name).rows() }
    }

    func pool(_ id: UUID?) async throws -> CustomerPool {
        guard let id, let p = try await actor.inOrg(CustomerPool.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return p
    }

    func defaultPool() async throws -> CustomerPool {
        let all = try await pools()
        guard let p = all.first(where: \.isDefault) ?? all.first else { throw AppError.conflict("error.noPool") }
        return p
    }

    /// How many customers wait in each pool.
    func counts() async throws -> [UUID: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.raw("""
            SELECT pool_id, COUNT(*) AS n FROM customers
            WHERE org_id = \(bind: actor.orgID) AND owner_id IS NULL AND pool_id IS NOT NULL AND deleted_at IS NULL
            GROUP BY pool_id
            """).all()
        var out: [UUID: Int] = [:]
        for r in rows { out[try r.decode(column: "pool_id", as: UUID.self)] = try r.decode(column: "n", as: Int.self) }
        return out
    }

    /// A page of a pool's customers, newest first by id.
    func members(_ poolID: UUID, q: String?, after: UUID?, limit: Int = 50) async throws -> (items: [Customer], next: UUID?) {
        try actor.require(.view, .customers)
        let b = actor.inOrg(Customer.self, on: db).filter(\.$poolID == poolID).filter(\.$ownerID == nil)
        if let q = Check.clean(q) { SearchIndex.narrow(b, to: q) }
        if let after { b.filter(\.$id < after) }
        let rows = try await b.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.id : nil)
    }

    // MARK: claiming

    /// Claims the given pool customers for the actor, all or nothing.
    func claim(_ ids: [UUID]) async throws -> Int {
        try actor.require(.edit, .customers)
        guard !ids.isEmpty, ids.count <= 200 else { throw AppError.badRequest("error.badParameter") }
        return try await db.writeTransaction { tx in
            try await take(ids, for: actor.userID, departmentID: actor.departmentID, on: tx, kind: .claim)
        }
    }

    /// Claims up to `count` customers of a pool at random (批量随机领用), within the pool's limit and the cap.
    func claimRandom(poolID: UUID?, count: Int) async throws -> Int {
        try actor.require(.edit, .customers)
        let pool = try await pool(poolID)
        guard count >= 1 else { throw AppError.badRequest("error.badParameter") }
        let wanted = min(count, pool.settings.bulkClaimLimit)
        return try await db.writeTransaction { tx in
            guard let sql = tx as? any SQLDatabase else { return 0 }
            let rows = try await sql.raw("""
                SELECT id FROM customers
                WHERE org_id = \(bind: actor.orgID) AND pool_id = \(bind: pool.id!) AND owner_id IS NULL AND deleted_at IS NULL
                ORDER BY random() LIMIT \(literal: wanted)
                """).all()
            let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
            guard !ids.isEmpty else { throw AppError.conflict("error.poolEmpty") }
            return try await take(ids, for: actor.userID, departmentID: actor.departmentID, on: tx, kind: .claim)
        }
    }

    /// Gives customers (from the pool or from colleagues in scope) to an employee (分配).
    func assign(_ ids: [UUID], to userID: UUID) async throws -> Int {
        try actor.require(.assign, .customers)
        guard !ids.isEmpty, ids.count <= 500 else { throw AppError.badRequest("error.badParameter") }
        guard let target = try await actor.inOrg(User.self, on: db).filter(\.$id == userID).filter(\.$status == .active).firstRow() else {
            var e = FieldErrors()
            e.add("ownerID", "error.unknownUser")
            throw AppError.invalid(e)
        }
        // Customers owned by someone must be in the actor's edit scope; pool customers are anyone's to hand out.
        let owned = try await actor.query(Customer.self, .edit, on: db).filter(\.$id ~~ ids).rows()
        let pooled = try await actor.inOrg(Customer.self, on: db).filter(\.$id ~~ ids).filter(\.$ownerID == nil).rows()
        guard owned.count + pooled.count == Set(ids).count else { throw AppError.notFound }
        return try await db.writeTransaction { tx in
            var moved = try await take(pooled.map { $0.id! }, for: target.id!, departmentID: target.departmentID, on: tx, kind: .assign)
            let audit = Audit(actor: actor, db: tx, now: now)
            for c in owned where c.ownerID != target.id {
                let old = c.ownerID
                try await checkCap(for: target.id!, adding: [c], on: tx)
                c.ownerID = target.id
                c.departmentID = target.departmentID
                c.claimedAt = now
                try await c.save(on: tx)
                try await audit.event(Customer.entity, c.id!, .assign, field: "owner", old: old?.uuidString, new: target.id!.uuidString)
                moved += 1
            }
            return moved
        }
    }

    /// Hands pool customers to an employee after an approved request: the approver's decision, the
    /// requester's cap. Runs inside the caller's transaction.
    func handOver(_ ids: [UUID], to user: User) async throws -> Int {
        try await take(ids, for: user.id!, departmentID: user.departmentID, on: db, kind: .assign)
    }

    // MARK: returning

    /// The owner gives a customer back (放弃), or a manager takes it back (收回); it waits in a pool again.
    func release(_ ids: [UUID], reason: String?, poolID: UUID?) async throws -> Int {
        guard !ids.isEmpty, ids.count <= 500 else { throw AppError.badRequest("error.badParameter") }
        var errors = FieldErrors()
        let reasonValue = Check.clean(reason)
        if let r = reasonValue {
            if try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == DictionaryKind.releaseReason.rawValue)
                .filter(\.$value == r).firstRow() == nil { errors.add("reason", "error.invalidOption") }
        } else {
            errors.add("reason", "error.required")
        }
        let target = poolID == nil ? try await defaultPool() : try await pool(poolID)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let customers = try await actor.query(Customer.self, .edit, on: db).filter(\.$id ~~ ids).filter(\.$ownerID != nil).rows()
        guard customers.count == Set(ids).count else { throw AppError.notFound }
        // Giving back one's own customers is a release; taking back someone else's needs the assign right.
        if customers.contains(where: { $0.ownerID != actor.userID }) { try actor.require(.assign, .customers) }
        return try await db.writeTransaction { tx in
            let audit = Audit(actor: actor, db: tx, now: now)
            for c in customers {
                let old = c.ownerID
                c.ownerID = nil
                c.departmentID = nil
                c.poolID = target.id
                c.claimedAt = nil
                try await c.save(on: tx)
                try await audit.event(Customer.entity, c.id!, .assign, field: "owner", old: old?.uuidString, new: nil)
                try await audit.event(Customer.entity, c.id!, .update, field: "pool", old: nil, new: target.name + (reasonValue.map { " · " + $0 } ?? ""))
            }
            return customers.count
        }
    }

    // MARK: the one place ownership changes hands from a pool

    enum TakeKind { case claim, assign }

    /// Moves pool customers to an owner. Fails whole when one of them is already taken or the cap is hit.
    private func take(_ ids: [UUID], for owner: UUID, departmentID: UUID?, on tx: Database, kind: TakeKind) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        guard let sql = tx as? any SQLDatabase else { return 0 }
        let customers = try await actor.inOrg(Customer.self, on: tx).filter(\.$id ~~ ids).rows()
        try await checkCap(for: owner, adding: customers, on: tx)
        let audit = Audit(actor: actor, db: tx, now: now)
        for id in ids {
            let row = try await sql.raw("""
                UPDATE customers SET owner_id = \(bind: owner), department_id = \(bind: departmentID),
                    claimed_at = \(bind: now), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND org_id = \(bind: actor.orgID) AND owner_id IS NULL AND deleted_at IS NULL
                RETURNING id
                """).first()
            guard row != nil else { throw AppError.conflict("error.alreadyClaimed") }
            try await audit.event(Customer.entity, id, .assign, field: "owner", old: nil, new: owner.uuidString)
        }
        return ids.count
    }

    /// The ownership cap of the organisation's protection policy, checked with the owner's row locked.
    private func checkCap(for owner: UUID, adding customers: [Customer], on tx: Database) async throws {
        guard let org = try await Organization.find(actor.orgID, on: tx), let policy = org.protection else { return }
        if !tx.isSQLite, let sql = tx as? any SQLDatabase {
            _ = try await sql.raw("SELECT id FROM users WHERE id = \(bind: owner) FOR UPDATE").all()
        }
        var owned = try await actor.inOrg(Customer.self, on: tx).filter(\.$ownerID == owner).countRows()
        var byLevel: [String: Int] = [:]
        for c in customers {
            let level = c.level
            if let level, byLevel[level] == nil {
                byLevel[level] = try await actor.inOrg(Customer.self, on: tx).filter(\.$ownerID == owner).filter(\.$level == level).countRows()
            }
            guard policy.allowsOneMore(owned: owned, level: level, ownedAtLevel: level.flatMap { byLevel[$0] } ?? 0) else {
                throw AppError.conflict("error.capReached")
            }
            owned += 1
            if let level { byLevel[level, default: 0] += 1 }
        }
    }
}
