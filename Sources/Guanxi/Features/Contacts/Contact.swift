import Fluent
import Foundation
import GuanxiCore

/// A person at a customer (联系人). Visible to whoever may see the customer.
final class Contact: Model, HasCustomFields, @unchecked Sendable {
    static let schema = "contacts"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?
    /// The customer whose deletion took this contact along, so restoring the customer brings it back.
    @OptionalField(key: "deleted_with") var deletedWith: UUID?

    // data fields
    @Field(key: "name") var name: String
    @OptionalField(key: "pinyin") var pinyin: String?
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "birthday") var birthday: String?
    @OptionalField(key: "dept") var dept: String?
    @OptionalField(key: "title") var title: String?
    @OptionalField(key: "role") var role: String?
    @OptionalField(key: "boss") var boss: String?
    @OptionalField(key: "mobile") var mobile: String?
    @OptionalField(key: "office_phone") var officePhone: String?
    @OptionalField(key: "home_phone") var homePhone: String?
    /// Values of the organisation's custom fields, a JSON object of canonical text.
    @OptionalField(key: "custom") var custom: String?
    @OptionalField(key: "phone_digits") var phoneDigits: String?
    @OptionalField(key: "fax") var fax: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "qq") var qq: String?
    @OptionalField(key: "wechat") var wechat: String?
    @OptionalField(key: "hobbies") var hobbies: String?
    @OptionalField(key: "notes") var notes: String?
    @Field(key: "is_primary") var isPrimary: Bool

    // relationships
    @Field(key: "customer_id") var customerID: UUID
    @OptionalField(key: "owner_id") var ownerID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $deletedWith, $name, $pinyin, $gender, $birthday,
         $dept, $title, $role, $boss, $mobile, $officePhone, $homePhone, $custom, $phoneDigits, $fax, $email, $qq, $wechat,
         $hobbies, $notes, $isPrimary, $customerID, $ownerID]
    }

    init(orgID: UUID, customerID: UUID, ownerID: UUID?) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.customerID = customerID
        self.ownerID = ownerID
        self.name = ""
        self.isPrimary = false
    }

    func refreshSearchKeys() {
        pinyin = Pinyin.searchKey(name, personName: true)
        let digits = [mobile, officePhone, homePhone].compactMap { $0.map(Check.digits) }.filter { !$0.isEmpty }
        phoneDigits = digits.isEmpty ? nil : digits.joined(separator: " ")
    }
}

extension Contact: OrgScoped {}

extension Contact {
    static let entity = "contact"

    /// The contact's fields (CON-01), declared once.
    static let definition = EntityDefinition<Contact>(entity: entity, module: .customers, labelKey: "entity.contact", rulePrefix: "contacts", fields: [
        EntityField("name", "contact.name", .text, required: true, restrictable: false, maxLength: 50, listed: true, read: { $0.name },
                    write: { c, v in c.name = v ?? ""; c.refreshSearchKeys() }),
        EntityField("gender", "contact.gender", .choice(["male", "female"], labelPrefix: "gender"), restrictable: false,
                    read: { $0.gender }, write: { $0.gender = $1 }),
        EntityField("title", "contact.jobTitle", .text, restrictable: false, maxLength: 50, listed: true, read: { $0.title }, write: { $0.title = $1 }),
        EntityField("dept", "contact.dept", .text, restrictable: false, maxLength: 50, read: { $0.dept }, write: { $0.dept = $1 }),
        EntityField("role", "dict.contactRole", .option(.contactRole), restrictable: false, listed: true, read: { $0.role }, write: { $0.role = $1 }),
        EntityField("mobile", "contact.mobile", .phone, maxLength: 32, listed: true, read: { $0.mobile }, write: { c, v in c.mobile = v; c.refreshSearchKeys() }),
        EntityField("officePhone", "contact.officePhone", .phone, maxLength: 32, read: { $0.officePhone },
                    write: { c, v in c.officePhone = v; c.refreshSearchKeys() }),
        EntityField("email", "contact.email", .email, maxLength: 254, listed: true, read: { $0.email }, write: { $0.email = $1 }),
        EntityField("wechat", "contact.wechat", .text, maxLength: 50, read: { $0.wechat }, write: { $0.wechat = $1 }),
        EntityField("qq", "contact.qq", .text, maxLength: 20, read: { $0.qq }, write: { $0.qq = $1 }),
        EntityField("homePhone", "contact.homePhone", .phone, maxLength: 32, read: { $0.homePhone },
                    write: { c, v in c.homePhone = v; c.refreshSearchKeys() }),
        EntityField("fax", "contact.fax", .phone, maxLength: 32, read: { $0.fax }, write: { $0.fax = $1 }),
        EntityField("birthday", "contact.birthday", .date, read: { $0.birthday }, write: { $0.birthday = $1 }),
        EntityField("boss", "contact.boss", .text, restrictable: false, maxLength: 50, read: { $0.boss }, write: { $0.boss = $1 }),
        EntityField("hobbies", "contact.hobbies", .text, maxLength: 200, read: { $0.hobbies }, write: { $0.hobbies = $1 }),
        EntityField("notes", "contact.notes", .longText, maxLength: 4000, read: { $0.notes }, write: { $0.notes = $1 }),
        EntityField("primary", "contact.primary", .bool, restrictable: false, read: { $0.isPrimary ? "true" : "false" }),
    ])
}
