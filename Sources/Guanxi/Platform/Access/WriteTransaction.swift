import Fluent
import Foundation
import SQLKit

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
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        guard isSQLite, !inTransaction else { return try await transaction(body) }
        await SQLiteWrites.lock.lock()
        do {
            let result = try await transaction(body)
            await SQLiteWrites.lock.unlock()
            return result
        } catch {
            await SQLiteWrites.lock.unlock()
            throw error
        }
    }
}
