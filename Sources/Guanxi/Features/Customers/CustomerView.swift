import Fluent
import Foundation

/// When a user last opened a customer, for the "recently viewed" list.
final class CustomerView: Model, @unchecked Sendable {
    static let schema = "customer_views"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "viewed_at") var viewedAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $userID, $customerID, $viewedAt] }
}

extension CustomerView: OrgScoped {}
