import Fluent
import Foundation
import GuanxiCore

/// A web-to-lead form (网上线索挖掘, LEA-02): which lead fields a visitor of the company's website
/// fills in, the thank-you text, and who gets the lead — a named owner, else the assignment rules,
/// else the pool. Its public address carries a random token, not the id.
final class WebForm: Model, @unchecked Sendable {
    static let schema = "web_forms"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Field(key: "name") var name: String
    @Field(key: "token") var token: String
    /// Title shown above the public form.
    @Field(key: "heading") var heading: String
    @OptionalField(key: "intro") var intro: String?
    @Field(key: "thank_you") var thankYou: String
    /// Comma-separated lead field keys, in order.
    @Field(key: "fields") var fields: String
    /// Comma-separated keys of the fields a visitor must fill.
    @Field(key: "required_fields") var requiredFields: String
    /// The lead source its leads carry (a dictionary value).
    @OptionalField(key: "source") var source: String?
    /// Who gets its leads; nil means the assignment rules (and the pool when none matches).
    @OptionalField(key: "owner_id") var ownerID: UUID?
    /// Submissions one address may send per minute.
    @Field(key: "rate_limit") var rateLimit: Int
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "submissions") var submissions: Int
    @Field(key: "spam_blocked") var spamBlocked: Int

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $name, $token, $heading, $intro, $thankYou, $fields, $requiredFields, $source,
         $ownerID, $rateLimit, $isActive, $submissions, $spamBlocked]
    }

    init(orgID: UUID, name: String, token: String) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.token = token
        self.heading = name
        self.thankYou = ""
        self.fields = Self.defaultFields.joined(separator: ",")
        self.requiredFields = "person,phone"
        self.rateLimit = 5
        self.isActive = true
        self.submissions = 0
        self.spamBlocked = 0
    }

    /// The lead fields a form may ask for (owner, status and region are the company's business).
    static let availableFields = ["company", "person", "title", "phone", "email", "address", "need"]
    static let defaultFields = ["company", "person", "phone", "email", "need"]
    /// The hidden field people never see and robots fill in.
    static let honeypot = "website_url"

    var fieldKeys: [String] { fields.split(separator: ",").map(String.init).filter(Self.availableFields.contains) }
    var requiredKeys: Set<String> { Set(requiredFields.split(separator: ",").map(String.init)) }
}

extension WebForm: OrgScoped {}
