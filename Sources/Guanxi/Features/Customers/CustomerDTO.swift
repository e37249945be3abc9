import Foundation
import GuanxiCore
import Vapor

/// A customer as the API shows it; fields a role hides are absent, masked ones are masked.
struct CustomerDTO: Content {
    var id: UUID
    var name: String
    var phone: String?
    var ownerID: UUID?
    var ownerName: String?
    var departmentID: UUID?
    var notes: String?
    var createdAt: Date?
    var updatedAt: Date?
}

/// The body of POST /api/v1/customers.
struct CreateCustomerDTO: Content {
    var name: String?
    var phone: String?
    var ownerID: UUID?
    var notes: String?
}

/// The body of PATCH /api/v1/customers/{id}: absent fields stay as they are.
struct PatchCustomerDTO: Content {
    var name: String?
    var phone: String?
    var ownerID: UUID?
    var notes: String?
}

/// A page of results with the cursor of the next page.
struct PageDTO<Item: Content>: Content {
    var items: [Item]
    var nextCursor: String?
}

extension Customer {
    func toDTO(actor: Actor, ownerName: String?) -> CustomerDTO {
        CustomerDTO(id: id!, name: name, phone: actor.visible(.customers, "phone", phone), ownerID: ownerID, ownerName: ownerName,
                    departmentID: departmentID, notes: actor.visible(.customers, "notes", notes), createdAt: createdAt, updatedAt: updatedAt)
    }
}

extension Actor {
    /// A field's value as this actor may see it: nil when hidden, masked when masked.
    func visible(_ module: Module, _ field: String, _ value: String?) -> String? {
        switch fieldRule(module, field) {
        case .hidden: nil
        case .masked: value.map(Masking.mask)
        case .readOnly, nil: value
        }
    }

    func canWrite(_ module: Module, _ field: String) -> Bool {
        fieldRule(module, field) == nil
    }
}
