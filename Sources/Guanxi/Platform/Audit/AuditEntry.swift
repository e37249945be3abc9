import Fluent
import Foundation
import GuanxiCore

/// One recorded change (操作日志): who did what to which record, field by field.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    enum Kind: String, Codable, CaseIterable, Sendable {
        case create, update, delete, restore, purge, assign, export, approve, merge
        var labelKey: String { "audit.\(rawValue)" }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "entity") var entity: String
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "action") var action: Kind
    @OptionalField(key: "field") var field: String?
    @OptionalField(key: "old_value") var oldValue: String?
    @OptionalField(key: "new_value") var newValue: String?
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "at") var at: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $entity, $recordID, $action, $field, $oldValue, $newValue, $actorID, $actorName, $at]
    }

    init(orgID: UUID, entity: String, recordID: UUID, action: Kind, field: String?, oldValue: String?, newValue: String?,
         actorID: UUID?, actorName: String, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.entity = entity
        self.recordID = recordID
        self.action = action
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.actorID = actorID
        self.actorName = actorName
        self.at = at
    }
}

/// A record shared with a colleague (共享); data scope lets the colleague see it.
final class RecordShare: Model, @unchecked Sendable {
    static let schema = "record_shares"

    enum Level: String, Codable, Sendable { case read, edit }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "entity") var entity: String
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "level") var level: Level
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $entity, $recordID, $userID, $level, $createdAt] }

    init(orgID: UUID, entity: String, recordID: UUID, userID: UUID, level: Level, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.entity = entity
        self.recordID = recordID
        self.userID = userID
        self.level = level
        self.createdAt = at
    }
}
