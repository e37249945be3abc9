import Fluent
import Foundation
import GuanxiCore

/// A priced offer to a customer (报价单, QUO-01), maybe for an opportunity. A quote keeps its number
/// across versions; only the newest version is current, and only a draft can be changed.
final class Quote: Model, @unchecked Sendable {
    static let schema = "quotes"

    enum Status: String, Codable, CaseIterable, Sendable {
        case draft, sent, accepted, rejected
        var labelKey: String { "quoteStatus.\(rawValue)" }
        func canMove(to next: Status) -> Bool {
            switch (self, next) {
            case (.draft, .sent), (.sent, .accepted), (.sent, .rejected), (.sent, .draft): true
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
    @Field(key: "version") var version: Int
    @Field(key: "is_current") var isCurrent: Bool
    @Field(key: "title") var title: String
    /// yyyy-MM-dd.
    @Field(key: "quoted_on") var quotedOn: String
    @OptionalField(key: "valid_until") var validUntil: String?
    @OptionalField(key: "terms") var terms: String?
    @Enum(key: "status") var status: Status
    /// Fen: after discounts before tax, the tax, and what the customer pays.
    @Field(key: "subtotal") var subtotal: Int64
    @Field(key: "tax") var tax: Int64
    @Field(key: "total") var total: Int64
    /// Some line is priced under its product's floor (allowed and flagged by the organisation's policy).
    @Field(key: "below_floor") var belowFloor: Bool

    // relationships
    @Field(key: "customer_id") var customerID: UUID
    @OptionalField(key: "opportunity_id") var opportunityID: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $createdBy, $number, $version, $isCurrent, $title,
         $quotedOn, $validUntil, $terms, $status, $subtotal, $tax, $total, $belowFloor, $customerID, $opportunityID,
         $ownerID, $departmentID]
    }

    init(orgID: UUID, customerID: UUID, owner: User, createdBy: UUID, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.customerID = customerID
        self.ownerID = owner.id!
        self.departmentID = owner.departmentID
        self.createdBy = createdBy
        self.number = ""
        self.version = 1
        self.isCurrent = true
        self.title = ""
        self.quotedOn = ""
        self.status = .draft
        self.subtotal = 0
        self.tax = 0
        self.total = 0
        self.belowFloor = false
    }
}

extension Quote: ScopedModel, SoftDeleted {
    static let module: Module = .quotes
    static let entity = "quote"
}

/// One line of a quote: a product, how many, at what price, discount and tax.
final class QuoteLine: Model, @unchecked Sendable {
    static let schema = "quote_lines"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "quote_id") var quoteID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "product_id") var productID: UUID
    /// The product's name when quoted: the print and the history keep what the customer saw.
    @Field(key: "product_name") var productName: String
    @Field(key: "quantity") var quantity: Int64
    @OptionalField(key: "unit") var unit: String?
    /// Fen per unit before the discount.
    @Field(key: "price") var price: Int64
    /// Basis points.
    @Field(key: "discount") var discount: Int
    @Field(key: "tax_rate") var taxRate: Int
    @Field(key: "net") var net: Int64
    @Field(key: "tax") var tax: Int64
    @Field(key: "below_floor") var belowFloor: Bool

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $quoteID, $position, $productID, $productName, $quantity, $unit, $price, $discount, $taxRate, $net,
         $tax, $belowFloor]
    }
}

extension QuoteLine: OrgScoped {}

/// The print template of quotes (PLT-20 for quotes), per organisation, with placeholders.
struct QuoteTemplate: Codable, Sendable, Equatable {
    var title = "报价单"
    var header = "{{customer}}：\n感谢您对{{company}}的关注，现报价如下。"
    var footer = "报价有效期至 {{validUntil}}。\n{{terms}}\n\n{{company}}　{{owner}}　{{date}}"

    static let placeholders = ["company", "customer", "number", "version", "date", "validUntil", "total", "owner", "terms"]

    /// What is wrong with a template an administrator saves.
    var problems: FieldErrors {
        var errors = FieldErrors()
        if title.isEmpty || title.count > 40 { errors.add("title", "error.required") }
        if header.count > 2000 { errors.add("header", "error.tooLong") }
        if footer.count > 2000 { errors.add("footer", "error.tooLong") }
        return errors
    }

    /// Fills the placeholders; unknown ones stay as typed.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var out = text
        for (k, v) in values { out = out.replacingOccurrences(of: "{{\(k)}}", with: v) }
        return out
    }
}
