import Fluent
import Foundation
import SQLKit
import Vapor

/// Follow-ups recorded at the same moment are written together (group commit). One at a time, each
/// follow-up was a transaction of seven statements behind SQLite's single writer, every statement a
/// hop to a database thread and back while fifteen other requests queued on the same event loops:
/// the writer, not the CPU, set the pace (about 500 a second on two cores). A batch writes every
/// follow-up that arrived meanwhile in one transaction of the same seven statements: one insert of
/// their rows, the tallies and the customers' "last contacted" for all of them, one insert of their
/// audit entries. If a batch fails, each of its follow-ups is written alone, so one bad row fails only
/// its own request.
actor FollowUpWriter {
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

    private var waiting: [Job] = []
    private var writing = false
    /// Where batches are written, when not through the requests' own database: on SQLite, connections
    /// of their own, so the pages and checks of an event loop go on reading while a batch commits.
    private let writeDB: @Sendable () -> Database?

    init(writeDB: @escaping @Sendable () -> Database? = { nil }) {
        self.writeDB = writeDB
    }

    /// Writes the follow-up `make` builds, with its tallies, its customer's "last contacted" and its
    /// audit, and returns the saved row once its transaction has committed.
    func write(_ make: @escaping @Sendable () -> FollowUp, actor: Actor, now: Date, on db: Database) async throws -> FollowUp {
        try await withCheckedThrowingContinuation { done in
            waiting.append(Job(make: make, actor: actor, now: now, db: db, done: done))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    /// Writes batches until nobody waits; requests arriving meanwhile join the next batch.
    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.batchSize))
            waiting.removeFirst(batch.count)
            await Self.write(batch, on: writeDB())
        }
        writing = false
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
        try await db.writeTransaction { tx in
            try await rows.create(on: tx)
            // Tallies count by the organisation's own days and hours.
            for org in Dictionary(grouping: zip(batch, rows), by: { $0.0.actor.orgID }).values {
                let ids = org.map { $0.1.id! }
                try await FollowUpTally.apply("id IN (\(binds: ids))", sign: 1, actor: org[0].0.actor, on: tx)
            }
            // "Last contacted" feeds the pool's recycle rules; a back-dated entry never moves it backwards.
            if let sql = tx as? any SQLDatabase {
                let ids = rows.map { $0.id! }
                let latest: SQLQueryString = "(SELECT MAX(f.happened_at) FROM follow_ups f WHERE f.id IN (\(binds: ids)) AND f.customer_id = customers.id)"
                try await sql.raw("""
                    UPDATE customers SET last_contacted_at = \(latest), updated_at = \(bind: now)
                    WHERE id IN (\(binds: Array(Set(rows.map(\.customerID))))) AND (last_contacted_at IS NULL OR last_contacted_at < \(latest))
                    """).run()
            }
            try await Audit.created(FollowUp.entity, zip(batch, rows).map { job, f in
                (Audit(actor: job.actor, db: tx, now: job.now), f.id!, FollowUpService.values(f))
            }, on: tx)
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
