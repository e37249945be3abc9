import Fluent
import Foundation
import GuanxiCore

/// A follow-up (跟进记录, ACT-01): one contact with a customer — how, what was said, what came of it,
/// and when and how to follow up next. Its owner is the rep who recorded it.
final class FollowUp: Model, @unchecked Sendable {
    static let schema = "follow_ups"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?

    // data fields
    /// A value of the followUpMethod dictionary (phone, visit, WeChat …).
    @Field(key: "method") var method: String
    @Field(key: "content") var content: String
    @OptionalField(key: "result") var result: String?
    /// When the contact took place.
    @Field(key: "happened_at") var happenedAt: Date
    /// The next contact date, a calendar date (yyyy-MM-dd) in the organisation's time zone.
    @OptionalField(key: "next_contact_on") var nextContactOn: String?
    @OptionalField(key: "next_plan") var nextPlan: String?

    // relationships
    @Field(key: "customer_id") var customerID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $method, $content, $result, $happenedAt,
         $nextContactOn, $nextPlan, $customerID, $contactID, $ownerID, $departmentID]
    }

    init(orgID: UUID, customerID: UUID, ownerID: UUID, departmentID: UUID?, method: String, content: String, happenedAt: Date, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.customerID = customerID
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.method = method
        self.content = content
        self.happenedAt = happenedAt
    }
}

extension FollowUp: ScopedModel {
    static let module: Module = .followUps
    static let entity = "followUp"
}

/// A supervisor's comment on a follow-up (点评, ACT-02); the rep is notified and replies the same way.
final class FollowUpComment: Model, @unchecked Sendable {
    static let schema = "follow_up_comments"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "follow_up_id") var followUpID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "author_name") var authorName: String
    @Field(key: "content") var content: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $followUpID, $authorID, $authorName, $content, $createdAt] }

    init(orgID: UUID, followUpID: UUID, authorID: UUID, authorName: String, content: String, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.followUpID = followUpID
        self.authorID = authorID
        self.authorName = authorName
        self.content = content
        self.createdAt = at
    }
}

extension FollowUpComment: OrgScoped {}
