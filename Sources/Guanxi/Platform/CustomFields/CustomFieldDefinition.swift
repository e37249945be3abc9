import Fluent
import Foundation
import GuanxiCore

/// A field an administrator adds to an entity (扩展字段, PLT-13). Values live in the record's `custom`
/// JSON column; the entity's declaration gains one field per active definition.
final class CustomFieldDefinition: Model, @unchecked Sendable {
    static let schema = "custom_field_definitions"

    /// What a custom field holds. The type is fixed once the field exists, so stored values stay valid.
    enum Kind: String, Codable, CaseIterable, Sendable {
        case text, longText, number, money, date, option, multiOption, bool, user

        var labelKey: String { "customField.kind.\(rawValue)" }
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    /// The entity it extends: `customer` or `contact`.
    @Field(key: "entity") var entity: String
    /// Stable key in the API and the `custom` column, e.g. `cf_budget`.
    @Field(key: "key") var key: String
    @Field(key: "label") var label: String
    @OptionalField(key: "label_en") var labelEn: String?
    @Enum(key: "kind") var kind: Kind
    @Field(key: "required") var required: Bool
    /// Shown as a list column unless the user chooses otherwise.
    @Field(key: "listed") var listed: Bool
    @Field(key: "sort_order") var sortOrder: Int
    /// Disabled fields disappear from forms, lists and the API; their values are kept.
    @Field(key: "is_active") var isActive: Bool

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $entity, $key, $label, $labelEn, $kind, $required, $listed, $sortOrder,
         $isActive]
    }

    init(orgID: UUID, entity: String, key: String, label: String, labelEn: String?, kind: Kind, required: Bool, listed: Bool, sortOrder: Int) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.entity = entity
        self.key = key
        self.label = label
        self.labelEn = labelEn
        self.kind = kind
        self.required = required
        self.listed = listed
        self.sortOrder = sortOrder
        self.isActive = true
    }

    var spec: CustomField {
        CustomField(id: id!, entity: entity, key: key, label: Phrase(label, labelEn ?? label), kind: kind, required: required, listed: listed)
    }
}

extension CustomFieldDefinition: OrgScoped {}

/// An active custom field as requests carry it (loaded with the actor).
struct CustomField: Sendable, Equatable {
    let id: UUID
    let entity: String
    let key: String
    let label: Phrase
    let kind: CustomFieldDefinition.Kind
    let required: Bool
    let listed: Bool

    var dictionaryKind: DictionaryKind { .custom(entity: entity, key: key) }

    static func == (a: CustomField, b: CustomField) -> Bool { a.id == b.id }
}

/// A record that keeps custom field values: a JSON object of canonical text in its `custom` column.
enum CustomValues {
    /// The values of a record's `custom` column by field key.
    static func parse(_ custom: String?) -> [String: String] {
        guard let custom, let data = custom.data(using: .utf8),
              let values = try? JSONDecoder().decode([String: String].self, from: data) else { return [:] }
        return values
    }
}

protocol HasCustomFields: AnyObject {
    var custom: String? { get set }
}

extension HasCustomFields {
    var customValues: [String: String] { CustomValues.parse(custom) }

    func setCustomValue(_ key: String, _ value: String?) {
        var values = customValues
        values[key] = value
        if values.isEmpty { custom = nil; return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        custom = (try? encoder.encode(values)).flatMap { String(data: $0, encoding: .utf8) }
    }
}

extension EntityDefinition where M: HasCustomFields {
    /// The declaration with the organisation's custom fields for this entity appended.
    func with(_ custom: [CustomField]) -> EntityDefinition<M> {
        let extra = custom.filter { $0.entity == entity }
        guard !extra.isEmpty else { return self }
        var copy = self
        copy.fields += extra.map { cf in
            let key = cf.key
            let kind: EntityField<M>.Kind = switch cf.kind {
            case .text: .text
            case .longText: .longText
            case .number: .number
            case .money: .money
            case .date: .date
            case .option: .option(cf.dictionaryKind)
            case .multiOption: .options(cf.dictionaryKind)
            case .bool: .bool
            case .user: .user
            }
            return EntityField(key, "", kind, required: cf.required, maxLength: cf.kind == .longText ? 4000 : 200, listed: cf.listed,
                               label: cf.label, custom: true, read: { $0.customValues[key] }, write: { $0.setCustomValue(key, $1) })
        }
        return copy
    }
}

extension Actor {
    /// The entity's declaration for this actor's organisation: core fields plus its custom fields.
    func definition<M: HasCustomFields>(_ core: EntityDefinition<M>) -> EntityDefinition<M> { core.with(customFields) }
}
