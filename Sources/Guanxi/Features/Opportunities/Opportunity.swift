import Fluent
import Foundation
import GuanxiCore

/// A sale being worked on (商机, OPP-01): a customer, an expected amount and close date, and a stage
/// of the organisation's pipeline. Its owner is the rep working it; the data scope follows the owner.
final class Opportunity: Model, HasCustomFields, @unchecked Sendable {
    static let schema = "opportunities"

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
    @Field(key: "customer_id") var customerID: UUID
    @OptionalField(key: "contact_id") var contactID: UUID?
    /// Expected amount in fen; the sum of its product lines when it has any.
    @Field(key: "amount") var amount: Int64
    /// yyyy-MM-dd.
    @OptionalField(key: "expected_close_on") var expectedCloseOn: String?
    @Field(key: "stage_id") var stageID: UUID
    /// The stage's win probability when it entered the stage (kept, so a weighted sum needs no join).
    @Field(key: "probability") var probability: Int
    @Field(key: "stage_changed_at") var stageChangedAt: Date
    @Field(key: "status") var status: String
    /// yyyy-MM-dd when won or lost.
    @OptionalField(key: "closed_on") var closedOn: String?
    /// A lost reason from the dictionary.
    @OptionalField(key: "lost_reason") var lostReason: String?
    @OptionalField(key: "close_note") var closeNote: String?
    @OptionalField(key: "source") var source: String?
    @OptionalField(key: "competitors") var competitors: String?
    @OptionalField(key: "next_step") var nextStep: String?
    @OptionalField(key: "description") var details: String?
    @OptionalField(key: "custom") var custom: String?

    // relationships
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $createdBy, $name, $customerID, $contactID, $amount,
         $expectedCloseOn, $stageID, $probability, $stageChangedAt, $status, $closedOn, $lostReason, $closeNote, $source,
         $competitors, $nextStep, $details, $custom, $ownerID, $departmentID]
    }

    init(orgID: UUID, customerID: UUID, owner: UUID, departmentID: UUID?, stage: OpportunityStage, createdBy: UUID, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.customerID = customerID
        self.ownerID = owner
        self.departmentID = departmentID
        self.createdBy = createdBy
        self.name = ""
        self.amount = 0
        self.stageID = stage.id!
        self.probability = stage.probability
        self.stageChangedAt = now
        self.status = OpportunityStatus.open.rawValue
    }

    var state: OpportunityStatus { OpportunityStatus(rawValue: status) ?? .open }
    var weighted: Int64 { Pipeline.weighted(amount, probability: probability) }
}

extension Opportunity: ScopedModel, SoftDeleted {
    static let module: Module = .opportunities
    static let entity = "opportunity"

    private static func uuid(_ s: String?) -> UUID? { s.flatMap(UUID.init(uuidString:)) }

    /// The fields people type, declared once. Stage, status, owner and lines move through their own
    /// actions (and are audited there), so here they are read-only.
    static let definition = EntityDefinition<Opportunity>(entity: entity, module: .opportunities, labelKey: "entity.opportunity", fields: [
        EntityField("name", "opportunity.name", .text, required: true, restrictable: false, maxLength: 100, listed: true,
                    read: { $0.name }, write: { $0.name = $1 ?? "" }),
        EntityField("customer", "entity.customer", .customer, required: true, restrictable: false, listed: true,
                    read: { $0.customerID.uuidString }, write: { o, v in if let id = uuid(v) { o.customerID = id } }),
        EntityField("amount", "opportunity.amount", .money, restrictable: false, listed: true,
                    read: { String($0.amount) }, write: { $0.amount = $1.flatMap { Int64($0) } ?? 0 }),
        EntityField("expectedCloseOn", "opportunity.expectedCloseOn", .date, restrictable: false, listed: true,
                    read: { $0.expectedCloseOn }, write: { $0.expectedCloseOn = $1 }),
        EntityField("source", "dict.source", .option(.source), read: { $0.source }, write: { $0.source = $1 }),
        EntityField("competitors", "opportunity.competitors", .text, maxLength: 200, read: { $0.competitors }, write: { $0.competitors = $1 }),
        EntityField("nextStep", "opportunity.nextStep", .text, maxLength: 200, read: { $0.nextStep }, write: { $0.nextStep = $1 }),
        EntityField("description", "opportunity.description", .longText, maxLength: 4000, read: { $0.details }, write: { $0.details = $1 }),
        EntityField("owner", "opportunity.owner", .user, restrictable: false, listed: true) { $0.ownerID.uuidString },
    ])
}

/// A stage of the organisation's pipeline (销售阶段) with its win probability. Won and lost are
/// results, not stages: an opportunity keeps the stage it closed in.
final class OpportunityStage: Model, @unchecked Sendable {
    static let schema = "opportunity_stages"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "name_en") var nameEn: String?
    /// 0…100.
    @Field(key: "probability") var probability: Int
    @Field(key: "sort_order") var sortOrder: Int
    /// Inactive stages take no new opportunities; those in them stay until moved.
    @Field(key: "is_active") var isActive: Bool

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $name, $nameEn, $probability, $sortOrder, $isActive] }

    init(orgID: UUID, name: String, nameEn: String?, probability: Int, sortOrder: Int) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.nameEn = nameEn
        self.probability = probability
        self.sortOrder = sortOrder
        self.isActive = true
    }

    func label(_ locale: AppLocale) -> String { locale == .en ? (nameEn ?? name) : name }

    static let defaults: [(String, String, Int)] = [
        ("初步接洽", "Initial contact", 10), ("需求确认", "Needs confirmed", 25), ("方案报价", "Proposal / quote", 50),
        ("商务谈判", "Negotiation", 75), ("合同签订", "Contract signing", 90),
    ]

    static func seedDefaults(orgID: UUID, on db: Database) async throws {
        try await defaults.enumerated().map { i, s in OpportunityStage(orgID: orgID, name: s.0, nameEn: s.1, probability: s.2, sortOrder: i) }.create(on: db)
    }
}

extension OpportunityStage: OrgScoped {}

/// One move of an opportunity (阶段变更): to another stage, or won, lost or reopened.
final class OpportunityStageChange: Model, @unchecked Sendable {
    static let schema = "opportunity_stage_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "opportunity_id") var opportunityID: UUID
    @OptionalField(key: "from_stage_id") var fromStageID: UUID?
    @Field(key: "to_stage_id") var toStageID: UUID
    @OptionalField(key: "from_status") var fromStatus: String?
    @Field(key: "to_status") var toStatus: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "changed_by") var changedBy: UUID
    @Field(key: "changed_at") var changedAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $opportunityID, $fromStageID, $toStageID, $fromStatus, $toStatus, $amount, $changedBy, $changedAt]
    }

    init(_ o: Opportunity, fromStage: UUID?, fromStatus: OpportunityStatus?, by: UUID, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = o.orgID
        self.opportunityID = o.id!
        self.fromStageID = fromStage
        self.toStageID = o.stageID
        self.fromStatus = fromStatus?.rawValue
        self.toStatus = o.status
        self.amount = o.amount
        self.changedBy = by
        self.changedAt = at
    }
}

extension OpportunityStageChange: OrgScoped {}

/// A product on an opportunity (意向产品), priced in fen per unit.
final class OpportunityLine: Model, @unchecked Sendable {
    static let schema = "opportunity_lines"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "opportunity_id") var opportunityID: UUID
    @Field(key: "product_id") var productID: UUID
    @Field(key: "quantity") var quantity: Int64
    @OptionalField(key: "unit") var unit: String?
    @Field(key: "price") var price: Int64

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $opportunityID, $productID, $quantity, $unit, $price] }

    init(orgID: UUID, opportunityID: UUID, productID: UUID, quantity: Int64, unit: String?, price: Int64) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.opportunityID = opportunityID
        self.productID = productID
        self.quantity = quantity
        self.unit = unit
        self.price = price
    }

    var total: Int64 { quantity * price }
}

extension OpportunityLine: OrgScoped {}
