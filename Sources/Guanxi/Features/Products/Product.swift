import Fluent
import Foundation
import GuanxiCore

/// Something the company sells (产品, PRD-01): goods, or a service such as training or an extended
/// warranty (PRD-05). Products are organisation data: everyone with the module sees all of them.
final class Product: Model, HasCustomFields, @unchecked Sendable {
    static let schema = "products"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?

    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    /// Full pinyin and initials of the name, for the quick search.
    @OptionalField(key: "pinyin") var pinyin: String?
    @OptionalField(key: "model") var model: String?
    /// The base unit; price strategies may price other units.
    @OptionalField(key: "unit") var unit: String?
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @OptionalField(key: "category_id") var categoryID: UUID?
    /// Prices in fen.
    @OptionalField(key: "list_price") var listPrice: Int64?
    @OptionalField(key: "max_price") var maxPrice: Int64?
    @OptionalField(key: "floor_price") var floorPrice: Int64?
    @OptionalField(key: "cost_price") var costPrice: Int64?
    @OptionalField(key: "description") var details: String?
    @OptionalField(key: "custom") var custom: String?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $createdBy, $code, $name, $pinyin, $model, $unit,
         $kind, $status, $categoryID, $listPrice, $maxPrice, $floorPrice, $costPrice, $details, $custom]
    }

    init(orgID: UUID, createdBy: UUID?) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.createdBy = createdBy
        self.code = ""
        self.name = ""
        self.kind = "goods"
        self.status = "onSale"
    }

    func refreshSearchKeys() {
        pinyin = Pinyin.searchKey(name)
    }
}

extension Product: OrgScoped, SoftDeleted {}

extension Product {
    static let entity = "product"

    private static func money(_ v: String?) -> Int64? { v.flatMap { Int64($0) } }

    /// The product's fields, declared once. The category is a reference to the organisation's own
    /// tree, set and shown by the product pages beside these fields.
    static let definition = EntityDefinition<Product>(entity: entity, module: .products, labelKey: "entity.product", fields: [
        EntityField("code", "product.code", .text, restrictable: false, maxLength: 40, listed: true, read: { $0.code.isEmpty ? nil : $0.code },
                    write: { $0.code = $1 ?? "" }),
        EntityField("name", "product.name", .text, required: true, restrictable: false, maxLength: 100, listed: true, read: { $0.name },
                    write: { p, v in p.name = v ?? ""; p.refreshSearchKeys() }),
        EntityField("model", "product.model", .text, restrictable: false, maxLength: 100, listed: true, read: { $0.model }, write: { $0.model = $1 }),
        EntityField("unit", "product.unit", .text, restrictable: false, maxLength: 10, listed: true, read: { $0.unit }, write: { $0.unit = $1 }),
        EntityField("kind", "product.kind", .choice(["goods", "service"], labelPrefix: "productKind"), restrictable: false,
                    read: { $0.kind }, write: { $0.kind = $1 ?? "goods" }),
        EntityField("status", "product.status", .choice(["onSale", "offSale"], labelPrefix: "productStatus"), restrictable: false, listed: true,
                    read: { $0.status }, write: { $0.status = $1 ?? "onSale" }),
        EntityField("listPrice", "product.listPrice", .money, listed: true, read: { $0.listPrice.map(String.init) }, write: { $0.listPrice = money($1) }),
        EntityField("maxPrice", "product.maxPrice", .money, read: { $0.maxPrice.map(String.init) }, write: { $0.maxPrice = money($1) }),
        EntityField("floorPrice", "product.floorPrice", .money, read: { $0.floorPrice.map(String.init) }, write: { $0.floorPrice = money($1) }),
        EntityField("costPrice", "product.costPrice", .money, read: { $0.costPrice.map(String.init) }, write: { $0.costPrice = money($1) }),
        EntityField("description", "product.description", .longText, restrictable: false, maxLength: 4000, read: { $0.details }, write: { $0.details = $1 }),
    ])
}

/// A node of the organisation's product category tree (产品分类), any depth.
final class ProductCategory: Model, @unchecked Sendable {
    static let schema = "product_categories"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "name") var name: String
    @Field(key: "sort_order") var sortOrder: Int

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $parentID, $name, $sortOrder] }

    init(orgID: UUID, parentID: UUID?, name: String, sortOrder: Int) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.parentID = parentID
        self.name = name
        self.sortOrder = sortOrder
    }
}

extension ProductCategory: OrgScoped {}

/// One price strategy row of a product (价格策略, PRD-02); empty criteria match anyone.
final class ProductPrice: Model, @unchecked Sendable {
    static let schema = "product_prices"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "product_id") var productID: UUID
    @OptionalField(key: "unit") var unit: String?
    @OptionalField(key: "customer_category") var customerCategory: String?
    @OptionalField(key: "customer_level") var customerLevel: String?
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "price") var price: Int64

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $productID, $unit, $customerCategory, $customerLevel, $departmentID, $price]
    }

    init(orgID: UUID, productID: UUID, rule: PriceRule) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.productID = productID
        self.unit = rule.unit
        self.customerCategory = rule.customerCategory
        self.customerLevel = rule.customerLevel
        self.departmentID = rule.departmentID
        self.price = rule.price
    }

    var rule: PriceRule {
        PriceRule(unit: unit, customerCategory: customerCategory, customerLevel: customerLevel, departmentID: departmentID, price: price)
    }
}

extension ProductPrice: OrgScoped {}

/// The organisation's entry policies for products (PRD-03), each switchable.
struct ProductPolicy: Codable, Sendable, Equatable {
    enum DuplicateName: String, Codable, CaseIterable, Sendable { case allow, warn, forbid }

    var duplicateName: DuplicateName = .warn
    /// Field keys that must be filled, beyond the name.
    var required: [String] = []
    /// Quotes and orders below a product's floor price: refused, or allowed and flagged (QUO-02).
    var floor: PriceStrategy.FloorPolicy = .flag

    static let requirable = ["code", "model", "unit", "category", "listPrice", "floorPrice", "costPrice"]
}
