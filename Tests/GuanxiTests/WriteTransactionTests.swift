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

    /// Another process holding SQLite's writer for a while (here a second connection, 300 ms): the
    /// queued transaction, which has read and so cannot wait inside SQLite, pauses and runs again
    /// instead of failing. With three immediate tries it failed as busy (a 500 in the browser lane).
    @Test func aTransactionWaitsOutAWriterHeldOutsideTheQueue() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite else { return }
            let holding = NIOLockedValueBox(false)
            let outside = Task {
                try await app.db(.sqliteLongWork).transaction { tx in
                    try await (tx as! any SQLDatabase).raw("INSERT INTO job_leases (id, name, holder, expires_at) VALUES (\(bind: UUID.v7()), 'outside', '', \(bind: Date()))").run()
                    holding.withLockedValue { $0 = true }
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            while !holding.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            try await app.db.writeTransaction { tx in
                _ = try await JobLease.query(on: tx).count()
                let lease = JobLease()
                lease.id = UUID.v7()
                lease.name = "queued"
                lease.holder = ""
                lease.expiresAt = Date()
                try await lease.create(on: tx)
            }
            try await outside.value
            #expect(try await JobLease.query(on: app.db).all().map(\.name).sorted() == ["outside", "queued"])
        }
    }

    /// A job's lease and ANALYZE take their turn in the write queue rather than writing beside it.
    @Test func jobLeasesAndStatisticsWaitForTheWriteQueue() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite else { return }
            await SQLiteWrites.lock.lock()
            let done = NIOLockedValueBox(0)
            let lease = Task {
                _ = try await Jobs.acquire("queued-job", holder: "node", every: 60, now: Date(), on: app.db)
                done.withLockedValue { $0 += 1 }
            }
            let statistics = Task {
                try await DatabaseStatistics.refresh(on: app.db)
                done.withLockedValue { $0 += 1 }
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(done.withLockedValue { $0 } == 0)
            await SQLiteWrites.lock.unlock()
            try await lease.value
            try await statistics.value
            #expect(done.withLockedValue { $0 } == 2)
            #expect(try await JobLease.query(on: app.db).filter(\.$name == "queued-job").first()?.holder == "node")
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
