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
    /// Pauses before each new run of a transaction that SQLite refused as busy, about five seconds in
    /// all (SQLite's own busy timeout). A transaction that has read cannot wait inside SQLite for the
    /// writer (it answers "busy" at once), so the wait is here: a write from outside the queue (another
    /// process on the same file) may hold the writer for a while.
    static let retryPauses: [Duration] = [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560].map { .milliseconds($0) }
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
    /// A write outside the queue (another process on the same file) may still hold or have committed
    /// SQLite's writer between this transaction's first read and its first write; SQLite then answers
    /// "busy" at once instead of waiting, and the transaction, rolled back, is run again after a pause.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        guard isSQLite, !inTransaction else { return try await transaction(body) }
        await SQLiteWrites.lock.lock()
        do {
            var pauses = SQLiteWrites.retryPauses[...]
            while true {
                do {
                    let result = try await transaction(body)
                    await SQLiteWrites.lock.unlock()
                    return result
                } catch let e as SQLiteError where [.busy, .busyInSnapshot].contains(e.reason) && !pauses.isEmpty {
                    try await Task.sleep(for: pauses.removeFirst())
                }
            }
        } catch {
            await SQLiteWrites.lock.unlock()
            throw error
        }
    }
}
