import Foundation
import GuanxiCore

/// An entity's fields declared once (ARCHITECTURE rule 8): labels, audit, field rules and the API
/// schema read this list instead of repeating it.
struct EntityField<M>: Sendable {
    enum Kind: String, Sendable { case text, phone, longText, user, department }

    let key: String
    let labelKey: String
    let kind: Kind
    let required: Bool
    /// Whether roles may hide, mask or lock this field.
    let restrictable: Bool
    let maxLength: Int
    /// The value as text, for audit and export.
    let read: @Sendable (M) -> String?

    init(_ key: String, _ labelKey: String, _ kind: Kind, required: Bool = false, restrictable: Bool = true,
         maxLength: Int = 200, read: @escaping @Sendable (M) -> String?) {
        self.key = key
        self.labelKey = labelKey
        self.kind = kind
        self.required = required
        self.restrictable = restrictable
        self.maxLength = maxLength
        self.read = read
    }
}

struct EntityDefinition<M>: Sendable {
    let entity: String
    let module: Module
    let labelKey: String
    let fields: [EntityField<M>]

    func values(_ record: M) -> FieldValues {
        var out: FieldValues = [:]
        for f in fields { out[f.key] = f.read(record) ?? "" }
        return out
    }

    func field(_ key: String) -> EntityField<M>? { fields.first { $0.key == key } }
}

/// Field rules of every declared entity, for the role editor.
struct RestrictableField: Sendable {
    let module: Module
    let key: String
    let labelKey: String
}
