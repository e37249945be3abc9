import Foundation
import GuanxiCore

extension Customer: ScopedModel {
    static let module: Module = .customers
    static let entity = "customer"

    private static func uuid(_ s: String?) -> UUID? { s.flatMap(UUID.init(uuidString:)) }

    /// Every customer field (CUS-01), declared once. Owner and department are set through assignment,
    /// number and search keys by the service, so they have no `write`.
    static let definition = EntityDefinition<Customer>(entity: entity, module: .customers, labelKey: "entity.customer", fields: [
        EntityField("number", "customer.number", .text, restrictable: false, listed: true) { $0.number },
        EntityField("name", "customer.name", .text, required: true, restrictable: false, listed: true, read: { $0.name },
                    write: { c, v in c.name = v ?? ""; c.refreshSearchKeys() }),
        EntityField("shortName", "customer.shortName", .text, maxLength: 50, read: { $0.shortName }, write: { $0.shortName = $1 }),
        EntityField("mnemonic", "customer.mnemonic", .text, restrictable: false, maxLength: 20, read: { $0.mnemonic }, write: { $0.mnemonic = $1?.uppercased() }),
        EntityField("kind", "customer.kind", .choice(["company", "individual"], labelPrefix: "customerKind"), restrictable: false,
                    read: { $0.kind }, write: { $0.kind = $1 }),
        EntityField("industry", "dict.industry", .option(.industry), listed: true, read: { $0.industry }, write: { $0.industry = $1 }),
        EntityField("level", "dict.level", .option(.level), listed: true, read: { $0.level }, write: { $0.level = $1 }),
        EntityField("category", "dict.category", .option(.category), read: { $0.category }, write: { $0.category = $1 }),
        EntityField("source", "dict.source", .option(.source), read: { $0.source }, write: { $0.source = $1 }),
        EntityField("status", "dict.customerStatus", .option(.customerStatus), listed: true, read: { $0.status }, write: { $0.status = $1 }),
        EntityField("creditRating", "dict.creditRating", .option(.creditRating), read: { $0.creditRating }, write: { $0.creditRating = $1 }),
        EntityField("creditLimit", "customer.creditLimit", .money, read: { $0.creditLimit.map(String.init) }, write: { $0.creditLimit = $1.flatMap { Int64($0) } }),
        EntityField("phone", "customer.phone", .phone, maxLength: 32, listed: true, read: { $0.phone }, write: { c, v in c.phone = v; c.refreshSearchKeys() }),
        EntityField("financePhone", "customer.financePhone", .phone, maxLength: 32, read: { $0.financePhone }, write: { $0.financePhone = $1 }),
        EntityField("fax", "customer.fax", .phone, maxLength: 32, read: { $0.fax }, write: { $0.fax = $1 }),
        EntityField("email", "customer.email", .email, maxLength: 254, read: { $0.email }, write: { $0.email = $1 }),
        EntityField("website", "customer.website", .url, maxLength: 200, read: { $0.website }, write: { $0.website = $1 }),
        EntityField("region", "customer.region", .region, listed: true, read: { $0.regionID?.uuidString }, write: { $0.regionID = uuid($1) }),
        EntityField("address", "customer.address", .text, maxLength: 200, read: { $0.address }, write: { $0.address = $1 }),
        EntityField("postcode", "customer.postcode", .text, maxLength: 10, read: { $0.postcode }, write: { $0.postcode = $1 }),
        EntityField("creditCode", "customer.creditCode", .text, maxLength: 18, read: { $0.creditCode }, write: { $0.creditCode = $1?.uppercased() }),
        EntityField("registeredOn", "customer.registeredOn", .date, read: { $0.registeredOn }, write: { $0.registeredOn = $1 }),
        EntityField("parent", "customer.parent", .customer, read: { $0.parentID?.uuidString }, write: { $0.parentID = uuid($1) }),
        EntityField("settlementCustomer", "customer.settlementCustomer", .customer, read: { $0.settlementCustomerID?.uuidString },
                    write: { $0.settlementCustomerID = uuid($1) }),
        EntityField("owner", "customer.owner", .user, restrictable: false, listed: true) { $0.ownerID?.uuidString },
        EntityField("secondaryOwner", "customer.secondaryOwner", .user, restrictable: false, read: { $0.secondaryOwnerID?.uuidString },
                    write: { $0.secondaryOwnerID = uuid($1) }),
        EntityField("department", "customer.department", .department, restrictable: false) { $0.departmentID?.uuidString },
        EntityField("notes", "customer.notes", .longText, maxLength: 4000, read: { $0.notes }, write: { $0.notes = $1 }),
    ])
}
