import Fluent
import Foundation
import SQLKit
import FluentSQLiteDriver

/// A first-come, first-served async mutex.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Takes the lock only if nobody holds it.
    func tryLock() -> Bool {
        guard !locked else { return false }
        locked = true
        return true
    }

    func unlock() {
        if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
    }
}

enum SQLiteWrites {
    /// SQLite lets one writer in at a time, and a deferred transaction that reads before it writes can
    /// fail with SQLITE_BUSY instead of waiting. Taking this lock first makes writers queue instead.
    static let lock = AsyncLock()
    /// Runs of a transaction that SQLite refused as busy before the refusal is reported.
    static let attempts = 3
}

extension Database {
    var isSQLite: Bool { (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    /// A write that may be skipped (a "last seen" time): done now if no other writer is at work, else
    /// left out rather than waiting behind a long import. Returns whether it ran.
    @discardableResult
    func writeIfIdle(_ body: @escaping @Sendable (Database) async throws -> Void) async throws -> Bool {
        guard isSQLite, !inTransaction else { try await body(self); return true }
        guard await SQLiteWrites.lock.tryLock() else { return false }
        do {
            try await body(self)
            await SQLiteWrites.lock.unlock()
            return true
        } catch {
            await SQLiteWrites.lock.unlock()
            throw error
        }
    }

    /// Every change goes through here: one transaction, queued behind other writers on SQLite.
    /// A single write outside the queue (a sign-in record, a job's lease) may still commit between this
    /// transaction's first read and its first write; SQLite then answers "busy" at once instead of
    /// waiting, and the transaction, rolled back, is run again.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        guard isSQLite, !inTransaction else { return try await transaction(body) }
        await SQLiteWrites.lock.lock()
        do {
            var attempt = 1
            while true {
                do {
                    let result = try await transaction(body)
                    await SQLiteWrites.lock.unlock()
                    return result
                } catch let e as SQLiteError where [.busy, .busyInSnapshot].contains(e.reason) && attempt < SQLiteWrites.attempts {
                    attempt += 1
                }
            }
        } catch {
            await SQLiteWrites.lock.unlock()
            throw error
        }
    }
}
