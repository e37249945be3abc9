import Fluent
import Foundation
import GuanxiCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Resolved actors kept between requests, so a request costs one look at the organisation's access
/// stamp instead of seven queries. Triggers bump `organizations.access_version` whenever a user,
/// role, role grant, department, custom field or the organisation itself changes (migration
/// `CreateAccessVersion`), so a kept actor is used only while nothing it was built from has moved,
/// on every node.
final class ActorCache: Sendable {
    struct Key: Hashable, Sendable {
        let userID: UUID
        let sessionID: UUID?
        let locale: AppLocale
    }

    private struct Entry: Sendable {
        let version: Int64
        let actor: Actor
    }

    private let entries = NIOLockedValueBox<[Key: Entry]>([:])
    private let capacity: Int
    /// Copies of choices and names shared by readers, filed under the same stamp.
    let shelf = OrgShelf()

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// The actor for a user in an organisation: the kept one when the stamp still matches, else resolved
    /// afresh. `stamp` is the organisation's stamp when the caller read it already (`stampColumn`).
    func actor(userID: UUID, orgID: UUID, sessionID: UUID?, fallbackLocale: AppLocale, stamp: Int64? = nil, on db: Database) async throws -> Actor? {
        // The stamp is read before resolving, so a kept actor is never newer than the stamp it is filed under.
        var version = stamp
        if version == nil { version = try await Self.version(orgID: orgID, on: db) }
        guard let version else { return nil }
        let key = Key(userID: userID, sessionID: sessionID, locale: fallbackLocale)
        if let hit = entries.withLockedValue({ $0[key] }), hit.version == version { return hit.actor }
        guard var actor = try await Actor.resolve(userID: userID, sessionID: sessionID, fallbackLocale: fallbackLocale, on: db),
              actor.orgID == orgID else { return nil }
        actor.accessVersion = version
        entries.withLockedValue { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(version: version, actor: actor)
        }
        return actor
    }

    /// The stamp of the organisation a row names in its `org_id`, as a column of that row: the session
    /// or token that starts a request brings it in the same statement (`QueryBuilder.firstRow(adding:)`).
    static func stampColumn(of schema: String) -> (name: String, sql: String) {
        ("access_version", "(SELECT access_version FROM organizations WHERE id = \"\(schema)\".\"org_id\")")
    }

    static func version(orgID: UUID, on db: Database) async throws -> Int64? {
        guard let sql = db as? any SQLDatabase else { return nil }
        // Read on every request: kept, so PostgreSQL plans it once per connection.
        let query: SQLQueryString = "SELECT access_version FROM organizations WHERE id = \(bind: orgID)"
        return try await sql.keptRows(query).first?.decode(column: "access_version", as: Int64.self)
    }
}

struct ActorCacheKey: StorageKey { typealias Value = ActorCache }

extension Application {
    /// Set in `configure`, before any request runs.
    var actorCache: ActorCache {
        get { storage[ActorCacheKey.self] ?? ActorCache() }
        set { storage[ActorCacheKey.self] = newValue }
    }
}
