import Foundation
import GuanxiCore

/// An entity's fields declared once (ARCHITECTURE rule 8). Forms, detail pages, list columns, API
/// bodies and schema, validation, audit labels and field rules all read this list.
///
/// Every value travels as canonical text: money as an integer count of fen, dates as yyyy-MM-dd,
/// references as UUID strings, options as the dictionary value. `FieldCodec` converts to and from
/// what people type and what the API carries.
struct EntityField<M>: Sendable {
    enum Kind: Sendable, Equatable {
        case text, phone, email, url, longText
        /// An option from the organisation's dictionary.
        case option(DictionaryKind)
        /// One of a fixed set of values; labels are translation keys `<labelPrefix>.<value>`.
        case choice([String], labelPrefix: String)
        case date, money, bool
        case user, department, region, customer
    }

    let key: String
    let labelKey: String
    let kind: Kind
    let required: Bool
    /// Whether roles may hide, mask or lock this field.
    let restrictable: Bool
    let maxLength: Int
    /// Shown as a list column unless the user chooses otherwise.
    let listed: Bool
    let read: @Sendable (M) -> String?
    let write: (@Sendable (M, String?) -> Void)?

    init(_ key: String, _ labelKey: String, _ kind: Kind, required: Bool = false, restrictable: Bool = true,
         maxLength: Int = 200, listed: Bool = false, read: @escaping @Sendable (M) -> String?,
         write: (@Sendable (M, String?) -> Void)? = nil) {
        self.key = key
        self.labelKey = labelKey
        self.kind = kind
        self.required = required
        self.restrictable = restrictable
        self.maxLength = maxLength
        self.listed = listed
        self.read = read
        self.write = write
    }

    var isEditable: Bool { write != nil }
}

struct EntityDefinition<M>: Sendable {
    let entity: String
    let module: Module
    let labelKey: String
    let fields: [EntityField<M>]
    /// Field rules of roles are keyed "<rulePrefix>.<field>"; by default the module's name.
    var rulePrefix: String

    init(entity: String, module: Module, labelKey: String, rulePrefix: String? = nil, fields: [EntityField<M>]) {
        self.entity = entity
        self.module = module
        self.labelKey = labelKey
        self.rulePrefix = rulePrefix ?? module.rawValue
        self.fields = fields
    }

    /// The rule a role puts on a field for this actor, if any.
    func rule(_ f: EntityField<M>, for actor: Actor) -> FieldRule? {
        f.restrictable ? actor.policy.rule(prefix: rulePrefix, field: f.key) : nil
    }

    /// Fields roles may restrict, for the role editor.
    var restrictable: [RestrictableField] {
        fields.filter(\.restrictable).map { RestrictableField(prefix: rulePrefix, groupLabelKey: labelKey, key: $0.key, labelKey: $0.labelKey) }
    }

    func values(_ record: M) -> FieldValues {
        var out: FieldValues = [:]
        for f in fields { out[f.key] = f.read(record) ?? "" }
        return out
    }

    func field(_ key: String) -> EntityField<M>? { fields.first { $0.key == key } }
}

/// Field rules of every declared entity, for the role editor.
struct RestrictableField: Sendable {
    let prefix: String
    let groupLabelKey: String
    let key: String
    let labelKey: String

    var ruleKey: String { "\(prefix).\(key)" }
}
