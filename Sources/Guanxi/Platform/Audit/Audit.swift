import Fluent
import Foundation
import GuanxiCore

/// A snapshot of a record's audited fields as text, for field-by-field diffs.
typealias FieldValues = [String: String]

/// Writes audit entries; callers pass the transaction they change the record in.
struct Audit {
    let orgID: UUID
    let actorID: UUID?
    let actorName: String
    let db: Database
    let now: Date

    init(actor: Actor, db: Database, now: Date) {
        self.init(orgID: actor.orgID, actorID: actor.userID, actorName: actor.name, db: db, now: now)
    }

    init(orgID: UUID, actorID: UUID?, actorName: String, db: Database, now: Date) {
        self.orgID = orgID
        self.actorID = actorID
        self.actorName = actorName
        self.db = db
        self.now = now
    }

    /// For scheduled jobs: changes made by the system itself.
    static func system(orgID: UUID, db: Database, now: Date) -> Audit {
        Audit(orgID: orgID, actorID: nil, actorName: "系统 System", db: db, now: now)
    }

    func created(_ entity: String, _ id: UUID, _ values: FieldValues) async throws {
        try await save(createdEntries(entity, id, values))
    }

    /// `created` for several records, each by its own actor, in one insert.
    static func created(_ entity: String, _ records: [(audit: Audit, id: UUID, values: FieldValues)], on db: Database) async throws {
        let entries = createdEntries(entity, records)
        guard !entries.isEmpty else { return }
        try await entries.create(on: db)
    }

    /// The entries `created` saves, for a caller that writes them itself.
    static func createdEntries(_ entity: String, _ records: [(audit: Audit, id: UUID, values: FieldValues)]) -> [AuditEntry] {
        records.flatMap { $0.audit.createdEntries(entity, $0.id, $0.values) }
    }

    private func createdEntries(_ entity: String, _ id: UUID, _ values: FieldValues) -> [AuditEntry] {
        let entries = values.keys.sorted().compactMap { key -> AuditEntry? in
            guard let v = values[key], !v.isEmpty else { return nil }
            return entry(entity, id, .create, field: key, old: nil, new: v)
        }
        return entries.isEmpty ? [entry(entity, id, .create, field: nil, old: nil, new: nil)] : entries
    }

    func updated(_ entity: String, _ id: UUID, before: FieldValues, after: FieldValues, action: AuditEntry.Kind = .update) async throws {
        let keys = Set(before.keys).union(after.keys).sorted()
        let entries = keys.compactMap { key -> AuditEntry? in
            let old = before[key].flatMap { $0.isEmpty ? nil : $0 }
            let new = after[key].flatMap { $0.isEmpty ? nil : $0 }
            guard old != new else { return nil }
            return entry(entity, id, action, field: key, old: old, new: new)
        }
        try await save(entries)
    }

    func event(_ entity: String, _ id: UUID, _ action: AuditEntry.Kind, field: String? = nil, old: String? = nil, new: String? = nil) async throws {
        try await save([entry(entity, id, action, field: field, old: old, new: new)])
    }

    private func entry(_ entity: String, _ id: UUID, _ action: AuditEntry.Kind, field: String?, old: String?, new: String?) -> AuditEntry {
        AuditEntry(orgID: orgID, entity: entity, recordID: id, action: action, field: field,
                   oldValue: old.map { String($0.prefix(2000)) }, newValue: new.map { String($0.prefix(2000)) },
                   actorID: actorID, actorName: actorName, at: now)
    }

    private func save(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await entries.create(on: db)
    }

    /// A record's history, newest first, with values of fields the actor may not see hidden or masked.
    static func history(entity: String, module: Module, id: UUID, actor: Actor, on db: Database, limit: Int = 200) async throws -> [AuditEntry] {
        let entries = try await AuditEntry.query(on: db)
            .filter(\.$orgID == actor.orgID).filter(\.$entity == entity).filter(\.$recordID == id)
            .sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).rows()
        for e in entries {
            guard let field = e.field else { continue }
            e.oldValue = actor.visible(module, field, e.oldValue)
            e.newValue = actor.visible(module, field, e.newValue)
        }
        return entries
    }
}
