import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
@testable import Guanxi

/// SQLite has one writer: writes queue behind `SQLiteWrites.lock`, and a transaction that a write from
/// outside the queue overtook is run again instead of failing (the API fuzzer met it as a 500).
@Suite struct WriteTransactionTests {
    @Test func aTransactionOvertakenByAWriteOutsideTheQueueRunsAgain() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite, let other = app.db(.sqliteLongWork) as? any SQLDatabase else { return }
            func lease(_ name: String, on db: any SQLDatabase) async throws {
                try await db.raw("INSERT INTO job_leases (id, name, holder, expires_at) VALUES (\(bind: UUID.v7()), \(bind: name), '', \(bind: Date()))").run()
            }
            let runs = NIOLockedValueBox(0)
            try await app.db.writeTransaction { tx in
                let run = runs.withLockedValue { $0 += 1; return $0 }
                _ = try await JobLease.query(on: tx).count()   // the transaction reads: it now holds a snapshot
                if run == 1 { try await lease("outside", on: other) }   // a write outside the queue commits
                try await lease("inside-\(run)", on: tx as! any SQLDatabase)   // and makes this snapshot stale
            }
            #expect(runs.withLockedValue { $0 } == 2)
            let names = try await JobLease.query(on: app.db).all().map(\.name).sorted()
            #expect(names == ["inside-2", "outside"])
        }
    }
}
