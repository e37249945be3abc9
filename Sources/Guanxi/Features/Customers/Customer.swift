import Fluent
import Foundation
import GuanxiCore

/// A customer (客户): a company or a person the team sells to.
final class Customer: Model, HasCustomFields, @unchecked Sendable {
    static let schema = "customers"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?

    // data fields
    @Field(key: "name") var name: String
    @OptionalField(key: "phone") var phone: String?
    /// Digits of `phone`, for search by number however it was typed.
    @OptionalField(key: "phone_digits") var phoneDigits: String?
    @OptionalField(key: "notes") var notes: String?
    @OptionalField(key: "number") var number: String?
    @OptionalField(key: "mnemonic") var mnemonic: String?
    /// Full pinyin and initials of the name, for search ("beijingxinnengyuan bjxny").
    @OptionalField(key: "pinyin") var pinyin: String?
    /// The name without legal forms and punctuation, for finding duplicates.
    @OptionalField(key: "name_key") var nameKey: String?
    @OptionalField(key: "short_name") var shortName: String?
    @OptionalField(key: "kind") var kind: String?
    @OptionalField(key: "industry") var industry: String?
    @OptionalField(key: "level") var level: String?
    @OptionalField(key: "category") var category: String?
    @OptionalField(key: "source") var source: String?
    @OptionalField(key: "status") var status: String?
    @OptionalField(key: "credit_rating") var creditRating: String?
    /// Fen.
    @OptionalField(key: "credit_limit") var creditLimit: Int64?
    @OptionalField(key: "address") var address: String?
    @OptionalField(key: "postcode") var postcode: String?
    @OptionalField(key: "finance_phone") var financePhone: String?
    @OptionalField(key: "fax") var fax: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "website") var website: String?
    /// 统一社会信用代码.
    @OptionalField(key: "credit_code") var creditCode: String?
    /// A calendar date, yyyy-MM-dd.
    @OptionalField(key: "registered_on") var registeredOn: String?
    /// Values of the organisation's custom fields, a JSON object of canonical text.
    @OptionalField(key: "custom") var custom: String?

    // relationships
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "region_id") var regionID: UUID?
    @OptionalField(key: "parent_id") var parentID: UUID?
    @OptionalField(key: "settlement_customer_id") var settlementCustomerID: UUID?
    /// 代理人: a second owner who acts when the primary is away (CUS-10).
    @OptionalField(key: "secondary_owner_id") var secondaryOwnerID: UUID?

    // pool and protection
    /// The public pool an ownerless customer waits in.
    @OptionalField(key: "pool_id") var poolID: UUID?
    @OptionalField(key: "claimed_at") var claimedAt: Date?
    @OptionalField(key: "last_contacted_at") var lastContactedAt: Date?
    @OptionalField(key: "last_deal_at") var lastDealAt: Date?
    /// 热点客户: pinned as likely to close soon.
    @OptionalField(key: "is_hot") var isHot: Bool?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $createdBy, $name, $phone, $phoneDigits, $notes,
         $number, $mnemonic, $pinyin, $nameKey, $shortName, $kind, $industry, $level, $category, $source, $status,
         $creditRating, $creditLimit, $address, $postcode, $financePhone, $fax, $email, $website, $creditCode,
         $registeredOn, $custom, $ownerID, $departmentID, $regionID, $parentID, $settlementCustomerID, $secondaryOwnerID,
         $poolID, $claimedAt, $lastContactedAt, $lastDealAt, $isHot]
    }

    init(orgID: UUID, name: String, phone: String?, ownerID: UUID?, departmentID: UUID?, createdBy: UUID?) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.phone = phone
        self.phoneDigits = phone.map(Check.digits)
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.createdBy = createdBy
        self.kind = "company"
        refreshSearchKeys()
    }

    /// Recomputes the derived search keys after the name or phone changed.
    /// The name the pinyin and name key were last derived from: setting the name and then the phone
    /// (a form, an import row) derives them once, not once per field.
    private var keyedName: String?

    func refreshSearchKeys() {
        phoneDigits = phone.map(Check.digits)
        guard keyedName != name || pinyin == nil else { return }
        pinyin = Pinyin.searchKey(name)
        nameKey = NameKey.core(name)
        keyedName = name
    }
}
