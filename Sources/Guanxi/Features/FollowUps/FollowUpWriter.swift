import Fluent
import Foundation
import SQLKit
import SQLiteKit
import Vapor

/// Follow-ups recorded at the same moment are written together (group commit). One at a time, each
/// follow-up was a transaction of seven statements behind SQLite's single writer, every statement a
/// hop to a database thread and back while fifteen other requests queued on the same event loops:
/// the writer, not the CPU, set the pace (about 500 a second on two cores). A batch writes every
/// follow-up that arrived meanwhile in one transaction of the same seven statements: one insert of
/// their rows, the tallies and the customers' "last contacted" for all of them, one insert of their
/// audit entries. If a batch fails, each of its follow-ups is written alone, so one bad row fails only
/// its own request.
final class FollowUpWriter: Sendable {
    struct Job: Sendable {
        /// Makes the row anew for each attempt (a model marks itself saved even when the transaction is rolled back).
        let make: @Sendable () -> FollowUp
        let actor: Actor
        let now: Date
        let db: Database
        let done: CheckedContinuation<FollowUp, any Error>
    }

    /// The most follow-ups one transaction writes.
    static let batchSize = 200

    private let queue: GroupCommit<Job>

    /// `writeDB`: where batches are written, when not through the requests' own database. On SQLite,
    /// connections of their own, so the pages and checks of an event loop go on reading while a batch commits.
    init(writeDB: @escaping @Sendable () -> Database? = { nil }) {
        queue = GroupCommit(batchSize: Self.batchSize) { batch in await Self.write(batch, on: writeDB()) }
    }

    /// Writes the follow-up `make` builds, with its tallies, its customer's "last contacted" and its
    /// audit, and returns the saved row once its transaction has committed.
    func write(_ make: @escaping @Sendable () -> FollowUp, actor: Actor, now: Date, on db: Database) async throws -> FollowUp {
        try await queue.submit { Job(make: make, actor: actor, now: now, db: db, done: $0) }
    }

    private static func write(_ batch: [Job], on db: Database?) async {
        do {
            let saved = try await save(batch, on: db ?? batch[0].db)
            for (job, f) in zip(batch, saved) { job.done.resume(returning: f) }
        } catch where batch.count > 1 {
            for job in batch { await write([job], on: db) }
        } catch {
            batch[0].done.resume(throwing: error)
        }
    }

    private static func save(_ batch: [Job], on db: Database) async throws -> [FollowUp] {
        let rows = batch.map { $0.make() }
        let now = batch[0].now
        // Tallies count by the organisation's own days and hours.
        let tallies: [SQLQueryString] = Dictionary(grouping: zip(batch, rows), by: { $0.0.actor.orgID }).values.flatMap { org in
            let actor = org[0].0.actor
            return FollowUpTally.statements("id IN (\(binds: org.map { $0.1.id! }))", sign: 1, orgID: actor.orgID, timeZone: actor.org.timeZone, on: db)
        }
        // "Last contacted" feeds the pool's recycle rules; a back-dated entry never moves it backwards.
        let latest: SQLQueryString = "(SELECT MAX(f.happened_at) FROM follow_ups f WHERE f.id IN (\(binds: rows.map { $0.id! })) AND f.customer_id = customers.id)"
        let changes = tallies + ["""
            UPDATE customers SET last_contacted_at = \(latest), updated_at = \(bind: now)
            WHERE id IN (\(binds: Array(Set(rows.map(\.customerID))))) AND (last_contacted_at IS NULL OR last_contacted_at < \(latest))
            """]
        let audited = { (db: Database) in
            zip(batch, rows).map { job, f in (audit: Audit(actor: job.actor, db: db, now: job.now), id: f.id!, values: FollowUpService.values(f)) }
        }
        if let sqlite = db as? any SQLiteDatabase, let sql = db as? any SQLDatabase, !db.inTransaction {
            // One job on a database thread (`SQLiteWrites.run`), timestamps set as Fluent's `create` sets them.
            let stamp = Date()
            for f in rows {
                f.createdAt = stamp
                f.updatedAt = stamp
            }
            let followUps = try NewRows(rows)
            let entries = try NewRows(Audit.createdEntries(FollowUp.entity, audited(db)))
            try await SQLiteWrites.run(try ([followUps.statement] + changes + [entries.statement]).map { try SQLiteReads.statement($0, on: sql) }, on: sqlite)
            // The audit entries go nowhere after this; only the follow-ups are handed back.
            try followUps.markSaved()
            return rows
        }
        try await db.writeTransaction { tx in
            try await rows.create(on: tx)
            if let sql = tx as? any SQLDatabase {
                for change in changes { try await sql.raw(change).run() }
            }
            try await Audit.created(FollowUp.entity, audited(tx), on: tx)
        }
        return rows
    }
}

extension Application {
    private struct FollowUpWriterKey: StorageKey { typealias Value = FollowUpWriter }

    /// Set in `configure`: the requests of one server share it.
    var followUpWriter: FollowUpWriter? {
        get { storage[FollowUpWriterKey.self] }
        set { storage[FollowUpWriterKey.self] = newValue }
    }
}
