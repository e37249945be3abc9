import Foundation
import GuanxiCore

extension Customer: ScopedModel {
    static let module: Module = .customers
    static let entity = "customer"

    /// The customer's fields, declared once. The customers issue grows this list to all of CUS-01.
    static let definition = EntityDefinition<Customer>(entity: entity, module: .customers, labelKey: "entity.customer", fields: [
        EntityField("name", "customer.name", .text, required: true, restrictable: false, maxLength: 200) { $0.name },
        EntityField("phone", "customer.phone", .phone) { $0.phone },
        EntityField("owner", "customer.owner", .user, restrictable: false) { $0.ownerID?.uuidString },
        EntityField("department", "customer.department", .department, restrictable: false) { $0.departmentID?.uuidString },
        EntityField("notes", "customer.notes", .longText, maxLength: 4000) { $0.notes },
    ])
}
