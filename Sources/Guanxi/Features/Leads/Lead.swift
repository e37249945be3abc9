import Fluent
import Foundation
import GuanxiCore

/// A lead (线索, LEA-01): an enquiry not yet a customer — who asked, from which company, what they
/// need and where it came from. With no owner it waits in the lead pool; converted, it keeps pointing
/// at the customer, contact and opportunity it became.
final class Lead: Model, HasCustomFields, @unchecked Sendable {
    static let schema = "leads"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?

    // data fields
    @OptionalField(key: "company") var company: String?
    @OptionalField(key: "person") var person: String?
    @OptionalField(key: "title") var title: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "phone_digits") var phoneDigits: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "need") var need: String?
    @OptionalField(key: "source") var source: String?
    @OptionalField(key: "region_id") var regionID: UUID?
    @OptionalField(key: "address") var address: String?
    @Field(key: "status") var status: String
    /// Company and person in pinyin and initials, for the list's search.
    @Field(key: "search") var search: String
    @OptionalField(key: "custom") var custom: String?

    // ownership and pool
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "assigned_at") var assignedAt: Date?
    @OptionalField(key: "last_contacted_at") var lastContactedAt: Date?
    /// The web form it came in through.
    @OptionalField(key: "web_form_id") var webFormID: UUID?

    // conversion
    @OptionalField(key: "converted_at") var convertedAt: Date?
    @OptionalField(key: "customer_id") var customerID: UUID?
    @OptionalField(key: "contact_id") var contactID: UUID?
    @OptionalField(key: "opportunity_id") var opportunityID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $createdBy, $company, $person, $title, $phone,
         $phoneDigits, $email, $need, $source, $regionID, $address, $status, $search, $custom, $ownerID, $departmentID,
         $assignedAt, $lastContactedAt, $webFormID, $convertedAt, $customerID, $contactID, $opportunityID]
    }

    init(orgID: UUID, createdBy: UUID?, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.createdBy = createdBy
        self.status = LeadStatus.new.rawValue
        self.search = ""
    }

    var state: LeadStatus { LeadStatus(rawValue: status) ?? .new }

    /// The name a list shows: the company, else the person.
    var displayName: String { Check.clean(company) ?? Check.clean(person) ?? "—" }

    func refreshSearchKeys() {
        phoneDigits = phone.map(Check.digits).flatMap { $0.isEmpty ? nil : $0 }
        let names = [company, person].compactMap { Check.clean($0) }
        search = (names + names.map { Pinyin.searchKey($0) } + [phoneDigits ?? "", email ?? ""])
            .joined(separator: " ").lowercased()
    }
}

extension Lead: ScopedModel, SoftDeleted {
    static let module: Module = .leads
    static let entity = "lead"

    private static func uuid(_ s: String?) -> UUID? { s.flatMap(UUID.init(uuidString:)) }

    /// The fields people type, declared once. Owner and status move through their own actions.
    static let definition = EntityDefinition<Lead>(entity: entity, module: .leads, labelKey: "entity.lead", fields: [
        EntityField("company", "lead.company", .text, restrictable: false, maxLength: 100, listed: true,
                    read: { $0.company }, write: { l, v in l.company = v; l.refreshSearchKeys() }),
        EntityField("person", "lead.person", .text, restrictable: false, maxLength: 50, listed: true,
                    read: { $0.person }, write: { l, v in l.person = v; l.refreshSearchKeys() }),
        EntityField("title", "lead.title", .text, maxLength: 50, read: { $0.title }, write: { $0.title = $1 }),
        EntityField("phone", "lead.phone", .phone, maxLength: 32, listed: true, read: { $0.phone }, write: { l, v in l.phone = v; l.refreshSearchKeys() }),
        EntityField("email", "lead.email", .email, maxLength: 254, read: { $0.email }, write: { l, v in l.email = v; l.refreshSearchKeys() }),
        EntityField("source", "dict.source", .option(.source), listed: true, read: { $0.source }, write: { $0.source = $1 }),
        EntityField("region", "customer.region", .region, read: { $0.regionID?.uuidString }, write: { $0.regionID = uuid($1) }),
        EntityField("address", "customer.address", .text, maxLength: 200, read: { $0.address }, write: { $0.address = $1 }),
        EntityField("need", "lead.need", .longText, maxLength: 4000, read: { $0.need }, write: { $0.need = $1 }),
        EntityField("status", "lead.status", .choice(LeadStatus.editable.map(\.rawValue), labelPrefix: "leadStatus"), restrictable: false, listed: true,
                    read: { $0.status }, write: { l, v in if let v { l.status = v } }),
        EntityField("owner", "lead.owner", .user, restrictable: false, listed: true) { $0.ownerID?.uuidString },
    ])
}

/// A contact with a lead before it is a customer (线索跟进). On conversion each one is copied to the
/// new customer's follow-ups, so the customer's history starts with the lead's.
final class LeadFollowUp: Model, @unchecked Sendable {
    static let schema = "lead_follow_ups"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "lead_id") var leadID: UUID
    /// A value of the followUpMethod dictionary.
    @Field(key: "method") var method: String
    @Field(key: "content") var content: String
    @Field(key: "happened_at") var happenedAt: Date
    @OptionalField(key: "next_contact_on") var nextContactOn: String?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $leadID, $method, $content, $happenedAt, $nextContactOn, $ownerID, $departmentID]
    }

    init(orgID: UUID, leadID: UUID, ownerID: UUID, departmentID: UUID?, method: String, content: String, happenedAt: Date) {
        self.id = UUID.v7(at: happenedAt)
        self.orgID = orgID
        self.leadID = leadID
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.method = method
        self.content = content
        self.happenedAt = happenedAt
    }
}

extension LeadFollowUp: OrgScoped {}

/// An assignment rule (线索分配规则): leads of a source and/or region go to these people in turn.
final class LeadRule: Model, @unchecked Sendable {
    static let schema = "lead_rules"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int
    @OptionalField(key: "source") var source: String?
    @OptionalField(key: "region_id") var regionID: UUID?
    /// Comma-separated user ids, in turn order.
    @Field(key: "user_ids") var userIDs: String
    /// Leads handed out so far; the next goes to user `turn % count`.
    @Field(key: "turn") var turn: Int
    @Field(key: "is_active") var isActive: Bool

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $name, $position, $source, $regionID, $userIDs, $turn, $isActive] }

    init(orgID: UUID, name: String, position: Int) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.position = position
        self.userIDs = ""
        self.turn = 0
        self.isActive = true
    }

    var users: [UUID] { userIDs.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }

    var routing: LeadRouting.Rule {
        .init(id: id!.uuidString, source: source, regionID: regionID?.uuidString, users: users.map(\.uuidString), turn: turn)
    }
}

extension LeadRule: OrgScoped {}
