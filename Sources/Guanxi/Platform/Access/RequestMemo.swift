import Vapor
import NIOConcurrencyHelpers

/// What one page request has already loaded — the record its panels each check access to, the
/// colleague list, dictionary options — so the 360 view asks for each once. Only reading requests
/// (GET, HEAD) get one: after a write in the same request a lookup must see the database again.
final class RequestMemo: Sendable {
    private let box = NIOLockedValueBox<[String: any Sendable]>([:])
    /// The organisation's shared copies, when the actor came with the stamp it was resolved under.
    let shared: OrgShelf.Slot?

    init(shared: OrgShelf.Slot? = nil) { self.shared = shared }

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

    /// `load()` once per organisation while its access stamp stands still, for what depends only on
    /// the tables that move the stamp; once per reading request without a stamp; every time on a write.
    func shared<T: Sendable>(_ key: String, _ load: () async throws -> T) async rethrows -> T {
        guard let memo else { return try await load() }
        guard let slot = memo.shared else { return try await memo.value(key, load) }
        return try await slot.shelf.value(org: slot.orgID, version: slot.version, key: key, load)
    }

    /// This actor for one request: reading requests get a fresh memo (and the organisation's shelf,
    /// when the actor knows its stamp), the cached actor keeps none.
    func serving(_ method: HTTPMethod, shelf: OrgShelf? = nil) -> Actor {
        var a = self
        guard method == .GET || method == .HEAD else { a.memo = nil; return a }
        if let shelf, let accessVersion {
            a.memo = RequestMemo(shared: OrgShelf.Slot(shelf: shelf, orgID: orgID, version: accessVersion))
        } else {
            a.memo = RequestMemo()
        }
        return a
    }
}
