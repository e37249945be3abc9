import Fluent
import Foundation
import GuanxiCore

/// What can be shared: customers (CUS-08) and contracts (CTR-03).
enum ShareTarget: String, CaseIterable, Sendable {
    case customers, contracts

    var entity: String { self == .customers ? Customer.entity : Contract.entity }

    func path(_ id: UUID) -> String { self == .customers ? Paths.customer(id) : Paths.contract(id) }
}

/// Sharing a customer or a contract with colleagues (共享): read or edit, changeable and revocable.
/// A customer's owner shares it, so does anyone with the assign right over it; a contract is shared
/// by whoever may change it.
struct ShareService {
    let db: Database
    let actor: Actor
    let now: Date
    var target: ShareTarget = .customers

    struct Share {
        let record: RecordShare
        let userName: String
    }

    private func customerToShare(_ id: UUID?) async throws -> Customer {
        let c = try await actor.find(Customer.self, id, for: .edit, on: db)
        guard c.ownerID == actor.userID || actor.can(.assign, .customers) else { throw AppError.forbidden }
        return c
    }

    /// The record and its owner, once the actor may share it.
    private func toShare(_ id: UUID?) async throws -> (id: UUID, owner: UUID?) {
        switch target {
        case .customers:
            let c = try await customerToShare(id)
            return (c.id!, c.ownerID)
        case .contracts:
            let c = try await actor.find(Contract.self, id, for: .edit, on: db)
            return (c.id!, c.ownerID)
        }
    }

    func shares(of recordID: UUID) async throws -> [Share] {
        switch target {
        case .customers: _ = try await actor.find(Customer.self, recordID, for: .view, on: db)
        case .contracts: _ = try await actor.find(Contract.self, recordID, for: .view, on: db)
        }
        let rows = try await actor.inOrg(RecordShare.self, on: db).filter(\.$entity == target.entity).filter(\.$recordID == recordID).rows()
        let names = try await names(rows.map(\.userID))
        return rows.map { Share(record: $0, userName: names[$0.userID] ?? "?") }.sorted { $0.userName < $1.userName }
    }

    /// Shares (or changes the level of an existing share) with each user, in one transaction.
    func share(_ recordID: UUID?, with userIDs: [UUID], level: RecordShare.Level) async throws {
        let (id, owner) = try await toShare(recordID)
        let entity = target.entity
        guard !userIDs.isEmpty, userIDs.count <= 100 else { throw AppError.badRequest("error.badParameter") }
        let users = try await actor.inOrg(User.self, on: db).filter(\.$id ~~ userIDs).filter(\.$status == .active).rows()
        guard users.count == Set(userIDs).count, !userIDs.contains(where: { $0 == owner }) else {
            var e = FieldErrors()
            e.add("userIDs", "error.unknownUser")
            throw AppError.invalid(e)
        }
        try await db.writeTransaction { tx in
            let audit = Audit(actor: actor, db: tx, now: now)
            for u in users {
                if let existing = try await actor.inOrg(RecordShare.self, on: tx).filter(\.$entity == entity)
                    .filter(\.$recordID == id).filter(\.$userID == u.id!).firstRow() {
                    guard existing.level != level else { continue }
                    let old = existing.level
                    existing.level = level
                    try await existing.save(on: tx)
                    try await audit.event(entity, id, .update, field: "share", old: "\(u.name) · \(old.rawValue)", new: "\(u.name) · \(level.rawValue)")
                } else {
                    try await RecordShare(orgID: actor.orgID, entity: entity, recordID: id, userID: u.id!, level: level, at: now).create(on: tx)
                    try await audit.event(entity, id, .update, field: "share", old: nil, new: "\(u.name) · \(level.rawValue)")
                }
            }
        }
    }

    func revoke(_ recordID: UUID?, userID: UUID) async throws {
        let (id, _) = try await toShare(recordID)
        let entity = target.entity
        guard let share = try await actor.inOrg(RecordShare.self, on: db).filter(\.$entity == entity).filter(\.$recordID == id)
            .filter(\.$userID == userID).firstRow() else { throw AppError.notFound }
        let name = try await names([userID])[userID] ?? "?"
        try await db.writeTransaction { tx in
            try await share.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(entity, id, .update, field: "share", old: "\(name) · \(share.level.rawValue)", new: nil)
        }
    }

    /// What I share with others, and what others share with me.
    func overview() async throws -> (mine: [(Customer, Share)], withMe: [(Customer, RecordShare.Level)]) {
        let myCustomerIDs = try await actor.inOrg(Customer.self, on: db).filter(\.$ownerID == actor.userID).field(\.$id).limit(100_000).rows().compactMap(\.id)
        var mine: [(Customer, Share)] = []
        if !myCustomerIDs.isEmpty {
            let shares = try await actor.inOrg(RecordShare.self, on: db).filter(\.$entity == Customer.entity).filter(\.$recordID ~~ myCustomerIDs).limit(1000).rows()
            let customers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: db).filter(\.$id ~~ shares.map(\.recordID)).rows().map { ($0.id!, $0) })
            let names = try await names(shares.map(\.userID))
            mine = shares.compactMap { s in customers[s.recordID].map { ($0, Share(record: s, userName: names[s.userID] ?? "?")) } }
        }
        let incoming = try await actor.inOrg(RecordShare.self, on: db).filter(\.$entity == Customer.entity).filter(\.$userID == actor.userID).limit(1000).rows()
        let level = Dictionary(incoming.map { ($0.recordID, $0.level) }, uniquingKeysWith: { a, _ in a })
        let withMe = try await actor.inOrg(Customer.self, on: db).filter(\.$id ~~ incoming.map(\.recordID)).sort(\.$name).rows().map { ($0, level[$0.id!] ?? .read) }
        return (mine.sorted { $0.0.name < $1.0.name }, withMe)
    }

    private func names(_ ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: db).filter(\.$id ~~ Array(Set(ids))).rows().map { ($0.id!, $0.name) })
    }
}
