import Fluent
import Foundation
import GuanxiCore

/// A node of the department tree (集团/总部/分公司/办事处/小组).
final class Department: Model, @unchecked Sendable {
    static let schema = "departments"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "name") var name: String
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "sort_order") var sortOrder: Int
    @Field(key: "is_active") var isActive: Bool

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $createdAt, $updatedAt, $name, $parentID, $sortOrder, $isActive] }

    init(orgID: UUID, name: String, parentID: UUID?, sortOrder: Int = 0) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.parentID = parentID
        self.sortOrder = sortOrder
        self.isActive = true
    }
}
