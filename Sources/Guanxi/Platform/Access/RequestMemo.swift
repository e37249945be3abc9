import Vapor
import NIOConcurrencyHelpers

/// What one page request has already loaded — the record its panels each check access to, the
/// colleague list, dictionary options — so the 360 view asks for each once. Only reading requests
/// (GET, HEAD) get one: after a write in the same request a lookup must see the database again.
final class RequestMemo: Sendable {
    private let box = NIOLockedValueBox<[String: any Sendable]>([:])

    func value<T: Sendable>(_ key: String, _ load: () async throws -> T) async rethrows -> T {
        // Unwrapped before the cast: a missing entry cast to an optional T would read as a stored nil.
        if let stored = box.withLockedValue({ $0[key] }), let hit = stored as? T { return hit }
        let loaded = try await load()
        box.withLockedValue { $0[key] = loaded }
        return loaded
    }
}

extension Actor {
    /// `load()` once per reading request under `key`; every time otherwise.
    func memoized<T: Sendable>(_ key: String, _ load: () async throws -> T) async rethrows -> T {
        guard let memo else { return try await load() }
        return try await memo.value(key, load)
    }

    /// This actor for one request: reading requests get a fresh memo, the cached actor keeps none.
    func serving(_ method: HTTPMethod) -> Actor {
        var a = self
        a.memo = method == .GET || method == .HEAD ? RequestMemo() : nil
        return a
    }
}
