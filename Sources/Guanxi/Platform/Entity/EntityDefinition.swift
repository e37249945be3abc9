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
        /// A decimal number as typed, canonical without grouping ("1234.5").
        case number
        /// Several options of one dictionary list, canonical as comma-joined values.
        case options(DictionaryKind)
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
    /// An administrator's own label (custom fields); core fields use `labelKey`.
    let label: Phrase?
    /// Declared by an administrator, stored in the record's `custom` column.
    let isCustom: Bool
    let read: @Sendable (M) -> String?
    let write: (@Sendable (M, String?) -> Void)?

    init(_ key: String, _ labelKey: String, _ kind: Kind, required: Bool = false, restrictable: Bool = true,
         maxLength: Int = 200, listed: Bool = false, label: Phrase? = nil, custom: Bool = false, read: @escaping @Sendable (M) -> String?,
         write: (@Sendable (M, String?) -> Void)? = nil) {
        self.key = key
        self.labelKey = labelKey
        self.kind = kind
        self.required = required
        self.restrictable = restrictable
        self.maxLength = maxLength
        self.listed = listed
        self.label = label
        self.isCustom = custom
        self.read = read
        self.write = write
    }

    var isEditable: Bool { write != nil }

    /// The field's name in the reader's language.
    func title(_ t: Translator) -> String {
        guard let label else { return t(labelKey) }
        return t.locale == .en ? label.en : label.zh
    }
}

struct EntityDefinition<M>: Sendable {
    let entity: String
    let module: Module
    let labelKey: String
    var fields: [EntityField<M>]
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
        fields.filter(\.restrictable).map { RestrictableField(prefix: rulePrefix, groupLabelKey: labelKey, key: $0.key, labelKey: $0.labelKey, label: $0.label) }
    }

    func values(_ record: M) -> FieldValues {
        var out: FieldValues = [:]
        for f in fields { out[f.key] = f.read(record) ?? "" }
        return out
    }

    func field(_ key: String) -> EntityField<M>? { fields.first { $0.key == key } }

    /// Keys of the administrator's custom fields, in their order.
    var customKeys: [String] { fields.filter(\.isCustom).map(\.key) }
}

/// Field rules of every declared entity, for the role editor.
struct RestrictableField: Sendable {
    let prefix: String
    let groupLabelKey: String
    let key: String
    let labelKey: String
    let label: Phrase?

    var ruleKey: String { "\(prefix).\(key)" }

    func title(_ t: Translator) -> String {
        guard let label else { return t(labelKey) }
        return t.locale == .en ? label.en : label.zh
    }
}
