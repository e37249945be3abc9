import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The people of the customer involved in an opportunity (OPP-01's contacts), each with their role
/// in the decision; the key contact stays on the opportunity itself.
final class OpportunityContact: Model, @unchecked Sendable {
    static let schema = "opportunity_contacts"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "opportunity_id") var opportunityID: UUID
    @Field(key: "contact_id") var contactID: UUID
    /// A value of the contactRole dictionary (decision maker, influencer …).
    @OptionalField(key: "role") var role: String?

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $opportunityID, $contactID, $role] }

    init(orgID: UUID, opportunityID: UUID, contactID: UUID, role: String?) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.opportunityID = opportunityID
        self.contactID = contactID
        self.role = role
    }
}

extension OpportunityContact: OrgScoped {}

extension OpportunityService {
    struct Involved: Sendable {
        let contact: Contact
        let role: String?
        let isKey: Bool
    }

    /// The key contact first, then the others by name.
    func contacts(_ o: Opportunity) async throws -> [Involved] {
        let links = try await actor.inOrg(OpportunityContact.self, on: db).filter(\.$opportunityID == o.id!).limit(100).rows()
        let ids = Array(Set(links.map(\.contactID) + [o.contactID].compactMap { $0 }))
        guard !ids.isEmpty else { return [] }
        let people = try await actor.inOrg(Contact.self, on: db).filter(\.$id ~~ ids).rows()
        let roles = Dictionary(links.map { ($0.contactID, $0.role) }, uniquingKeysWith: { a, _ in a })
        return people.map { Involved(contact: $0, role: roles[$0.id!] ?? nil, isKey: $0.id == o.contactID) }
            .sorted { ($0.isKey ? 0 : 1, $0.contact.name) < ($1.isKey ? 0 : 1, $1.contact.name) }
    }

    /// Adds one of the customer's contacts, or changes their role when already there.
    func addContact(_ id: UUID?, contactID raw: String?, role rawRole: String?) async throws -> OpportunityContact {
        let o = try await get(id, for: .edit)
        var errors = FieldErrors()
        let contact = try await Check.clean(raw).flatMap(UUID.init(uuidString:)).asyncMap { cid in
            try await actor.inOrg(Contact.self, on: db).filter(\.$id == cid).filter(\.$customerID == o.customerID).firstRow()
        } ?? nil
        if contact == nil { errors.add("contactID", "error.invalidOption") }
        let role = Check.clean(rawRole)
        if let role, try await !DictionaryService(db: db, actor: actor, now: now).isValid(.contactRole, role) { errors.add("role", "error.invalidOption") }
        guard errors.isEmpty, let contact else { throw AppError.invalid(errors) }
        let existing = try await actor.inOrg(OpportunityContact.self, on: db).filter(\.$opportunityID == o.id!).filter(\.$contactID == contact.id!).firstRow()
        let link = existing ?? OpportunityContact(orgID: actor.orgID, opportunityID: o.id!, contactID: contact.id!, role: role)
        guard existing == nil || existing?.role != role else { return link }
        link.role = role
        try await db.writeTransaction { [actor, now] tx in
            try await link.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, o.id!, .update, field: "contacts", old: nil,
                                                                   new: contact.name + (role.map { " (\($0))" } ?? ""))
        }
        return link
    }

    func removeContact(_ id: UUID?, contactID: UUID?) async throws {
        let o = try await get(id, for: .edit)
        guard let contactID,
              let link = try await actor.inOrg(OpportunityContact.self, on: db).filter(\.$opportunityID == o.id!).filter(\.$contactID == contactID).firstRow()
        else { throw AppError.notFound }
        let name = try await actor.inOrg(Contact.self, on: db).filter(\.$id == contactID).firstRow()?.name ?? ""
        try await db.writeTransaction { [actor, now] tx in
            try await link.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, o.id!, .update, field: "contacts", old: name, new: nil)
        }
    }
}

/// The contacts card of the opportunity page.
enum OpportunityContactViews {
    static func card(_ o: Opportunity, canEdit: Bool, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let svc = OpportunityService(db: req.db, actor: actor, now: req.now)
        let involved = try await svc.contacts(o)
        let candidates = canEdit ? try await actor.inOrg(Contact.self, on: req.db).filter(\.$customerID == o.customerID).sort(\.$name).limit(200).rows() : []
        let roles = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.contactRole)
        let roleLabel = Dictionary(roles.map { ($0.value, $0.label(actor.t.locale)) }, uniquingKeysWith: { a, _ in a })
        let t = actor.t
        return { ctx in
            let rows: [[HNode]] = involved.map { i in [
                H.a(Paths.contact(i.contact.id!), i.contact.name, cls: "strong"),
                H.text(i.contact.title ?? ""),
                H.text(i.role.map { roleLabel[$0] ?? $0 } ?? ""),
                H.text(i.contact.mobile ?? i.contact.officePhone ?? ""),
                i.isKey ? H.span("badge", t("opportunity.keyContact"))
                    : canEdit ? Forms.postButton(Paths.opportunity(o.id!) + "/contacts/\(i.contact.id!.uuidString)/delete", label: t("action.delete"),
                                                 csrf: ctx.csrf, cls: "btn btn-small") : H.empty,
            ] }
            let add: HNode = candidates.isEmpty ? H.empty : Forms.form(Paths.opportunity(o.id!) + "/contacts", csrf: ctx.csrf, cls: "form inline-form", [
                H.div("grid-form",
                      Forms.select("contactID", label: t("opportunity.contact"), options: candidates.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                   selected: nil, error: nil, required: true, blank: "—"),
                      Forms.select("role", label: t("dict.contactRole"), options: roles.map { .init(value: $0.value, label: $0.label(t.locale)) },
                                   selected: nil, error: nil, blank: "—")),
                Forms.actions(Forms.submit(t("opportunity.addContact"))),
            ])
            return H.el("section", [.cls("card"), .id("contacts")], [
                H.h2(t("opportunity.contacts")),
                Tables.table([t("contact.name"), t("contact.jobTitle"), t("dict.contactRole"), t("contact.mobile"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("opportunity.noContacts"), cls: "muted")),
                add,
            ])
        }
    }
}
