import Fluent
import Foundation
import GuanxiCore

/// A contract or sales order (合同 / 订单, CTR-01): one entity, `kind` tells which. Made from an
/// accepted quote or with lines of its own, its lines keep the price agreed and the cost at signing,
/// so the gross margin holds.
final class Contract: Model, @unchecked Sendable {
    static let schema = "contracts"

    enum Kind: String, Codable, CaseIterable, Sendable {
        case contract, order
        var labelKey: String { "contractKind.\(rawValue)" }
    }

    enum Status: String, Codable, CaseIterable, Sendable {
        case draft, pendingApproval, active, completed, terminated, void
        var labelKey: String { "contractStatus.\(rawValue)" }

        /// Moves people make by hand; pending approval and its outcome go through the approval flow.
        func canMove(to next: Status) -> Bool {
            switch (self, next) {
            case (.active, .completed), (.active, .terminated), (.draft, .void): true
            default: false
            }
        }
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?

    // data fields
    @Field(key: "number") var number: String
    @Enum(key: "kind") var kind: Kind
    @Field(key: "title") var title: String
    @Enum(key: "status") var status: Status
    /// yyyy-MM-dd.
    @OptionalField(key: "signed_on") var signedOn: String?
    @OptionalField(key: "starts_on") var startsOn: String?
    @OptionalField(key: "ends_on") var endsOn: String?
    @OptionalField(key: "terms") var terms: String?
    /// Fen: after discounts before tax, the tax, what the customer pays, and the cost of the goods.
    @Field(key: "subtotal") var subtotal: Int64
    @Field(key: "tax") var tax: Int64
    @Field(key: "total") var total: Int64
    @Field(key: "cost") var cost: Int64
    /// The receivable plan agreed while a draft (JSON instalments); the receivables are made from it on activation.
    @OptionalField(key: "plan") var planJSON: String?
    /// Fen applied from payments, paid back against it, and invoiced (held from the invoice's request).
    @Field(key: "received") var received: Int64
    @Field(key: "refunded") var refunded: Int64
    @Field(key: "invoiced") var invoiced: Int64
    /// The administrator's custom fields (JSON of canonical text).
    @OptionalField(key: "custom") var custom: String?

    // relationships
    @Field(key: "customer_id") var customerID: UUID
    /// Who pays (结算客户); the customer itself when empty.
    @OptionalField(key: "settlement_customer_id") var settlementCustomerID: UUID?
    @OptionalField(key: "opportunity_id") var opportunityID: UUID?
    @OptionalField(key: "quote_id") var quoteID: UUID?
    /// The framework contract this one calls off (框架合同, CTR-03).
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $createdBy, $number, $kind, $title, $status,
         $signedOn, $startsOn, $endsOn, $terms, $subtotal, $tax, $total, $cost, $planJSON, $received, $refunded, $invoiced,
         $custom, $customerID, $settlementCustomerID, $opportunityID, $quoteID, $parentID, $ownerID, $departmentID]
    }

    /// A new draft of a customer's, owned as given, with no money on it yet.
    init(draftOf customerID: UUID, ownerID: UUID, departmentID: UUID?, orgID: UUID, createdBy: UUID, at now: Date) {
        id = UUID.v7(at: now)
        self.orgID = orgID
        self.createdBy = createdBy
        status = .draft
        kind = .contract
        title = ""
        self.customerID = customerID
        self.ownerID = ownerID
        self.departmentID = departmentID
        subtotal = 0; tax = 0; total = 0; cost = 0
        received = 0; refunded = 0; invoiced = 0
    }

    var plan: [Receivables.Instalment]? {
        planJSON.flatMap { try? JSONDecoder().decode([Receivables.Instalment].self, from: Data($0.utf8)) }
    }

    /// Gross margin in fen: what the lines sell for before tax, less what they cost.
    var margin: Int64 { subtotal - cost }
    /// Margin as basis points of the subtotal (0 when nothing is sold).
    var marginBasisPoints: Int { subtotal == 0 ? 0 : Int((margin * 10_000) / subtotal) }
}

extension Contract: ScopedModel, SoftDeleted, HasCustomFields {
    static let module: Module = .contracts
    static let entity = "contract"
    /// Contracts declare their core fields by hand (lines, money, approval); the declaration carries
    /// the organisation's custom fields, so forms, pages, the API and field rules treat them as for customers.
    static let definition = EntityDefinition<Contract>(entity: entity, module: .contracts, labelKey: "entity.contract", fields: [])
}

/// A line of a contract: the quote's line as agreed, with the product's cost at signing.
final class ContractLine: Model, @unchecked Sendable {
    static let schema = "contract_lines"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "contract_id") var contractID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "product_id") var productID: UUID
    @Field(key: "product_name") var productName: String
    @Field(key: "quantity") var quantity: Int64
    @OptionalField(key: "unit") var unit: String?
    @Field(key: "price") var price: Int64
    @Field(key: "discount") var discount: Int
    @Field(key: "tax_rate") var taxRate: Int
    @Field(key: "net") var net: Int64
    @Field(key: "tax") var tax: Int64
    /// Per unit, fen.
    @Field(key: "unit_cost") var unitCost: Int64

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $contractID, $position, $productID, $productName, $quantity, $unit, $price, $discount, $taxRate, $net,
         $tax, $unitCost]
    }

    /// A contract's line as a quote's or another contract's line has it, with the cost per unit given.
    init(orgID: UUID, contractID: UUID, as line: any PrintableLine, unitCost: Int64, at now: Date) {
        id = UUID.v7(at: now)
        self.orgID = orgID
        self.contractID = contractID
        position = line.position
        productID = line.productID
        productName = line.productName
        quantity = line.quantity
        unit = line.unit
        price = line.price
        discount = line.discount
        taxRate = line.taxRate
        net = line.net
        tax = line.tax
        self.unitCost = unitCost
    }

    var cost: Int64 { unitCost * quantity }
}

extension ContractLine: OrgScoped {}

/// An instalment of a contract's receivable plan (回款计划 / 应收, CTR-04, FIN-01). Who may see the
/// contract's money follows its owner.
final class Receivable: Model, @unchecked Sendable {
    static let schema = "receivables"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "contract_id") var contractID: UUID
    /// The settlement customer: who owes it.
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "due_on") var dueOn: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "received") var received: Int64
    @Field(key: "is_void") var isVoid: Bool
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $contractID, $customerID, $position, $dueOn, $amount, $received, $isVoid, $ownerID, $departmentID,
         $createdAt]
    }

    func status(today: String) -> Receivables.Status {
        Receivables.status(amount: amount, received: received, dueOn: dueOn, today: today, void: isVoid)
    }
}

extension Receivable: ScopedModel {
    static let module: Module = .contracts
    static let entity = "receivable"
    /// Instalments follow their contract's owner; nobody shares one by one.
    static let shareable = false

    /// `is_void = false` written out, not bound: SQLite uses a partial index (`WHERE is_void = false`)
    /// only when the query's own text implies it.
    static var open: DatabaseQuery.Filter { .sql(embed: "\(ident: schema).\(ident: "is_void") = false AND \(ident: schema).\(ident: "received") < \(ident: schema).\(ident: "amount")") }
}
