import Foundation
import NIOConcurrencyHelpers

/// What every reader in one organisation may share while its access stamp stands still: dictionary
/// options, regions, the colleague list, the names of people and departments. Triggers move the
/// stamp whenever one of those tables changes (`UpdateAccessVersionCoversChoices`), on any node, so a
/// copy filed under the stamp a request read first is never older than that request.
final class OrgShelf: Sendable {
    /// Where a reading request looks: its organisation and the stamp it read.
    struct Slot: Sendable {
        let shelf: OrgShelf
        let orgID: UUID
        let version: Int64
    }

    private struct Shelf {
        var version: Int64
        var values: [String: any Sendable]
    }

    private let shelves = NIOLockedValueBox<[UUID: Shelf]>([:])
    private let capacity: Int

    init(capacity: Int = 1_000) { self.capacity = capacity }

    func value<T: Sendable>(org: UUID, version: Int64, key: String, _ load: () async throws -> T) async rethrows -> T {
        // Unwrapped before the cast, as in `RequestMemo`.
        if let stored = shelves.withLockedValue({ $0[org].flatMap { $0.version == version ? $0.values[key] : nil } }),
           let hit = stored as? T { return hit }
        let loaded = try await load()
        shelves.withLockedValue { all in
            // A request that read an older stamp keeps its answer to itself.
            if let shelf = all[org], shelf.version > version { return }
            if all[org]?.version != version {
                if all.count >= capacity { all.removeAll(keepingCapacity: true) }
                all[org] = Shelf(version: version, values: [:])
            }
            all[org]?.values[key] = loaded
        }
        return loaded
    }
}
