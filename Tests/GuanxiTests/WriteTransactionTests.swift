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
            @Sendable func lease(_ name: String, on db: any SQLDatabase) async throws {
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

    /// A failed sign-in is recorded through the write queue: while a long write (an import) holds
    /// SQLite's writer for longer than the busy timeout, the sign-in waits its turn instead of a 500.
    @Test func aSignInDuringALongWriteWaitsItsTurn() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite else { return }
            let w = try await World.build(app)
            // A short busy timeout stands in for an import longer than the five seconds SQLite waits.
            for loop in app.eventLoopGroup.makeIterator() {
                for id in [DatabaseID.sqlite, .sqliteLongWork] {
                    try await (app.databases.database(id, logger: app.logger, on: loop) as? any SQLDatabase)?.raw("PRAGMA busy_timeout=50").run()
                }
            }
            let b = Browser(app)
            try await b.get("/login")
            let holding = NIOLockedValueBox(false)
            let long = Task {
                try await app.db.writeTransaction { tx in
                    let lease = JobLease()
                    lease.id = UUID.v7()
                    lease.name = "long-write"
                    lease.holder = ""
                    lease.expiresAt = Date()
                    try await lease.create(on: tx)   // the transaction now holds SQLite's writer
                    holding.withLockedValue { $0 = true }
                    try await Task.sleep(for: .milliseconds(400))
                }
            }
            while !holding.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            let res = try await b.post("/login", [("account", "manager"), ("password", "wrong")])
            try await long.value
            #expect(res.status != .internalServerError)
            #expect(res.text.contains("账号或密码不正确"))
            let user = try await User.find(w.users["manager"]!, on: app.db)!
            #expect(user.failedAttempts == 1)
            #expect(try await LoginRecord.query(on: app.db).filter(\.$reason == "password").count() == 1)
        }
    }
}
