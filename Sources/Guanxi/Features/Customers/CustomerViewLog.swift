import Fluent
import Foundation
import SQLKit
import Vapor

/// "Recently viewed" keeps, per user and customer, when the user last opened it: a write at every 360
/// view. Views that arrive together are written together, in one upsert (as follow-ups are): one at a
/// time, every page view queued for SQLite's single writer with a statement of its own. The page starts
/// its view's write first and waits for it only before answering, so the write overlaps its reads.
final class CustomerViewLog: Sendable {
    struct View: Sendable {
        let orgID: UUID
        let userID: UUID
        let customerID: UUID
        let at: Date
    }

    private struct Job: Sendable {
        let view: View
        let db: Database
        let done: CheckedContinuation<Void, any Error>
    }

    /// Five binds a view: 150 stay under SQLite's smallest bind limit (999).
    static let batchSize = 150

    private let queue = GroupCommit<Job>(batchSize: CustomerViewLog.batchSize) { batch in
        do {
            try await CustomerViewLog.save(batch.map(\.view), on: batch[0].db)
            for job in batch { job.done.resume() }
        } catch {
            for job in batch { job.done.resume(throwing: error) }
        }
    }

    /// Returns once the view is saved.
    func note(_ view: View, on db: Database) async throws {
        try await queue.submit { Job(view: view, db: db, done: $0) }
    }

    static func save(_ views: [View], on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        // One row per user and customer, the latest: PostgreSQL refuses to update a row twice in one statement.
        var latest: [[UUID]: View] = [:]
        for v in views where (latest[[v.userID, v.customerID]]?.at ?? .distantPast) <= v.at { latest[[v.userID, v.customerID]] = v }
        let rows = latest.values.map { v -> any SQLExpression in
            SQLQueryString("(\(bind: UUID.v7()), \(bind: v.orgID), \(bind: v.userID), \(bind: v.customerID), \(bind: v.at))")
        }
        try await sql.raw("""
            INSERT INTO customer_views (id, org_id, user_id, customer_id, viewed_at) VALUES \(SQLList(rows))
            ON CONFLICT (user_id, customer_id) DO UPDATE SET viewed_at = excluded.viewed_at
            """).run()
    }
}

extension Application {
    private struct CustomerViewLogKey: StorageKey { typealias Value = CustomerViewLog }

    /// Set in `configure`: the requests of one server share it.
    var customerViewLog: CustomerViewLog {
        get { storage[CustomerViewLogKey.self]! }
        set { storage[CustomerViewLogKey.self] = newValue }
    }
}
