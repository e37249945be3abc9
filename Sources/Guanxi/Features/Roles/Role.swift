import Fluent
import Foundation
import GuanxiCore

/// A set of permissions, data scopes and field rules (角色).
final class Role: Model, @unchecked Sendable {
    static let schema = "roles"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "name") var name: String
    @OptionalField(key: "description") var summary: String?
    @Field(key: "policy") var policy: RolePolicy
    /// The administrator role of an organisation cannot lose its rights or be deleted.
    @Field(key: "is_system") var isSystem: Bool

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $createdAt, $updatedAt, $name, $summary, $policy, $isSystem] }

    init(orgID: UUID, name: String, policy: RolePolicy, isSystem: Bool = false) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.policy = policy
        self.isSystem = isSystem
    }
}
