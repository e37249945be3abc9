import Fluent
import Foundation
import GuanxiCore

/// A public pool (公海) of customers without an owner. An organisation may keep several.
final class CustomerPool: Model, @unchecked Sendable {
    static let schema = "customer_pools"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "description") var summary: String?
    @Field(key: "settings") var settings: PoolSettings
    /// Where released customers go unless another pool is chosen.
    @Field(key: "is_default") var isDefault: Bool
    @Field(key: "sort_order") var sortOrder: Int

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $name, $summary, $settings, $isDefault, $sortOrder] }

    init(orgID: UUID, name: String, isDefault: Bool, sortOrder: Int, settings: PoolSettings = PoolSettings()) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.isDefault = isDefault
        self.sortOrder = sortOrder
        self.settings = settings
    }

    static func seedDefault(orgID: UUID, on db: Database) async throws {
        try await CustomerPool(orgID: orgID, name: "公海", isDefault: true, sortOrder: 0,
                               settings: PoolSettings(bulkClaimLimit: 10, recycle: RecycleRule(notContactedDays: 15, noFollowUpDays: 60, warnDays: 3)))
            .create(on: db)
    }
}

extension CustomerPool: OrgScoped {}
