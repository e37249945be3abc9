import Fluent
import Foundation
import GuanxiCore

/// A customer (客户): a company or a person the team sells to.
final class Customer: Model, @unchecked Sendable {
    static let schema = "customers"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?

    // data fields
    @Field(key: "name") var name: String
    @OptionalField(key: "phone") var phone: String?
    /// Digits of `phone`, for search by number however it was typed.
    @OptionalField(key: "phone_digits") var phoneDigits: String?
    @OptionalField(key: "notes") var notes: String?

    // relationships
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    init(orgID: UUID, name: String, phone: String?, ownerID: UUID?, departmentID: UUID?, createdBy: UUID?) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.phone = phone
        self.phoneDigits = phone.map(Check.digits)
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.createdBy = createdBy
    }
}
