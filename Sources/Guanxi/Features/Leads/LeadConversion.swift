import Fluent
import Foundation
import GuanxiCore

extension LeadService {
    /// What conversion (线索转化) makes of a lead: a new customer (or one that exists), a contact and an
    /// opportunity, each optional but the customer.
    struct Conversion: Sendable {
        /// An existing customer to attach to instead of creating one.
        var customerID: String?
        var customerName: String?
        /// Empty: no contact.
        var contactName: String?
        /// Empty: no opportunity.
        var opportunityName: String?
        /// Fen.
        var amount: String?
        var stageID: String?
        var expectedCloseOn: String?
        var allowDuplicates = false
    }

    struct Converted: Sendable {
        let customer: Customer
        let contact: Contact?
        let opportunity: Opportunity?
    }

    /// Converts the lead in one transaction: the customer, contact and opportunity are created, the lead's
    /// follow-ups are copied onto the customer's timeline, and the lead is marked converted with links to
    /// what it became. Any error leaves nothing behind; field errors are named for the conversion form.
    func convert(_ id: UUID?, _ c: Conversion) async throws -> Converted {
        let lead = try await get(id, for: .edit)
        guard lead.state != .converted else { throw AppError.conflict("error.leadConverted") }
        guard let ownerID = lead.ownerID else { throw AppError.conflict("error.claimFirst") }
        var errors = FieldErrors()
        let existing = try await actor.visibleCustomer(c.customerID, field: "customerID", into: &errors, on: db)
        if existing == nil, !actor.can(.create, .customers) { errors.add("customerName", "error.forbidden") }
        let wantsOpportunity = Check.clean(c.opportunityName) != nil
        if wantsOpportunity, !actor.can(.create, .opportunities) { errors.add("opportunityName", "error.forbidden") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let followUps = try await followUps(lead.id!)
        let (actor, now, db) = (actor, now, db)
        return try await db.writeTransaction { tx in
            let customer: Customer
            if let existing {
                customer = try await actor.find(Customer.self, existing, for: .edit, on: tx)
            } else {
                var form = ["name": Check.clean(c.customerName) ?? lead.company ?? lead.person ?? ""]
                for (key, value) in [("phone", lead.phone), ("email", lead.email), ("address", lead.address), ("source", lead.source),
                                     ("region", lead.regionID?.uuidString)] {
                    if let value { form[key] = value }
                }
                customer = try await Self.named(["name": "customerName"], prefix: "customer.") {
                    let input = actor.definition(Customer.definition).input(form: form, actor: actor)
                    return try await CustomerService(db: tx, actor: actor, now: now).create(input, ownerID: ownerID, allowDuplicates: c.allowDuplicates)
                }
            }
            var contact: Contact?
            if let name = Check.clean(c.contactName) {
                var form = ["name": name]
                if let t = lead.title { form["title"] = t }
                if let e = lead.email { form["email"] = e }
                if let p = lead.phone { form[Check.digits(p).count == 11 && Check.digits(p).hasPrefix("1") ? "mobile" : "officePhone"] = p }
                contact = try await Self.named(["name": "contactName"], prefix: "contact.") {
                    let input = actor.definition(Contact.definition).input(form: form, actor: actor)
                    return try await ContactService(db: tx, actor: actor, now: now).create(customerID: customer.id, input, primary: false)
                }
            }
            var opportunity: Opportunity?
            if let name = Check.clean(c.opportunityName) {
                var form = ["name": name, "customer": customer.id!.uuidString, "expectedCloseOn": c.expectedCloseOn ?? ""]
                if let s = lead.source { form["source"] = s }
                opportunity = try await Self.named(["name": "opportunityName"], prefix: "") {
                    var input = actor.definition(Opportunity.definition).input(form: form, actor: actor)
                    // The amount comes in fen, not as typed.
                    if let a = Check.clean(c.amount) {
                        if Int64(a).map({ $0 >= 0 }) ?? false { input.values["amount"] = a } else { input.errors.add("amount", "error.money") }
                    }
                    return try await OpportunityService(db: tx, actor: actor, now: now)
                        .create(input, .init(stageID: c.stageID, ownerID: ownerID.uuidString, contactID: contact?.id?.uuidString))
                }
            }
            // The lead's history comes along: its follow-ups become the customer's, oldest first.
            for lf in followUps.reversed() {
                let f = FollowUp(orgID: actor.orgID, customerID: customer.id!, ownerID: lf.ownerID, departmentID: lf.departmentID,
                                 method: lf.method, content: lf.content, happenedAt: lf.happenedAt, now: now)
                f.nextContactOn = lf.nextContactOn
                f.contactID = contact?.id
                try await f.create(on: tx)
                try await FollowUpTally.apply("id = \(bind: f.id!)", sign: 1, actor: actor, on: tx)
            }
            if let last = followUps.first?.happenedAt, customer.lastContactedAt.map({ $0 < last }) ?? true {
                try await actor.inOrg(Customer.self, on: tx).filter(\.$id == customer.id!).set(\.$lastContactedAt, to: last).update()
            }
            let def = actor.definition(Lead.definition)
            let before = Self.values(lead, def)
            lead.status = LeadStatus.converted.rawValue
            lead.convertedAt = now
            lead.customerID = customer.id
            lead.contactID = contact?.id
            lead.opportunityID = opportunity?.id
            try await lead.save(on: tx)
            let audit = Audit(actor: actor, db: tx, now: now)
            try await audit.updated(Lead.entity, lead.id!, before: before, after: Self.values(lead, def))
            try await audit.event(Customer.entity, customer.id!, .update, field: "fromLead", new: lead.displayName)
            return Converted(customer: customer, contact: contact, opportunity: opportunity)
        }
    }

    /// Runs one step of the conversion and renames its field errors for the conversion form.
    private static func named<T>(_ renames: [String: String], prefix: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var e as AppError where e.status == .unprocessableEntity {
            e.fields = Dictionary(e.fields.map { (renames[$0.key] ?? prefix + $0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            throw e
        }
    }
}
