import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// The rules for leads: who sees and works them (owner, team, the pool), how new ones are handed
/// out, their follow-ups, and conversion into a customer, contact and opportunity.
struct LeadService {
    let db: Database
    let actor: Actor
    let now: Date

    /// Whose leads: mine, my team's (my department tree, within my scope), the pool's, or everything in scope.
    enum View: String, CaseIterable, Sendable {
        case mine, team, pool, all
        var labelKey: String { "lead.view.\(rawValue)" }
    }

    var views: [View] { actor.policy.scope(for: .leads) == .all ? View.allCases : [.mine, .team, .pool] }

    // MARK: reading

    struct ListQuery: Sendable {
        var view: View = .mine
        var status: LeadStatus?
        var source: String?
        var q: String?
        var cursor: PageCursor?
        var limit = 50
    }

    /// Newest first, a keyset page at a time.
    func list(_ query: ListQuery) async throws -> (items: [Lead], next: PageCursor?) {
        let limit = max(1, min(query.limit, 200))
        let b = try actor.query(Lead.self, .view, on: db)
        switch query.view {
        case .mine: b.filter(\.$ownerID == actor.userID)
        case .pool: b.filter(\.$ownerID == nil)
        case .team:
            b.filter(\.$ownerID != nil)
            actor.narrowToTeam(b)
        case .all: break
        }
        if let s = query.status { b.filter(\.$status == s.rawValue) }
        if let s = Check.clean(query.source) { b.filter(\.$source == s) }
        if let q = Check.clean(query.q)?.lowercased() {
            let digits = Check.digits(q)
            b.group(.or) { or in
                or.filter(\.$search, .contains(inverse: false, .anywhere), q)
                if digits.count >= 4 { or.filter(\.$phoneDigits, .contains(inverse: false, .anywhere), digits) }
            }
        }
        if let c = query.cursor, let id = UUID(uuidString: c.id) { b.filter(\.$id < id) }
        let rows = try await b.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last.map { PageCursor(value: "", id: $0.id!.uuidString) } : nil)
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> Lead {
        try await actor.find(Lead.self, id, for: action, on: db)
    }

    func followUps(_ id: UUID) async throws -> [LeadFollowUp] {
        try await actor.inOrg(LeadFollowUp.self, on: db).filter(\.$leadID == id).sort(\.$happenedAt, .descending).limit(200).rows()
    }

    // MARK: collisions

    struct Matches: Sendable {
        var customers: [CollisionCheck.Match] = []
        /// Other leads with the same phone or company, whoever owns them.
        var leads: [(id: UUID, name: String, ownerName: String?)] = []
        var isEmpty: Bool { customers.isEmpty && leads.isEmpty }
    }

    /// The customers module's collision check (防撞单), plus the organisation's other leads.
    func matches(company: String?, person: String?, phone: String?, excluding: UUID? = nil) async throws -> Matches {
        var out = Matches()
        out.customers = try await CollisionCheck(db: db, actor: actor).matches(name: company, phone: phone, creditCode: nil)
        let digits = phone.map(Check.digits) ?? ""
        let name = Check.clean(company)
        guard digits.count >= 7 || name != nil else { return out }
        let q = actor.inOrg(Lead.self, on: db).filter(\.$status != LeadStatus.converted.rawValue).group(.or) { or in
            if digits.count >= 7 { or.filter(\.$phoneDigits == digits) }
            if let name { or.filter(\.$company == name) }
        }
        if let excluding { q.filter(\.$id != excluding) }
        let leads = try await q.limit(5).rows()
        let owners = try await userNames(leads.compactMap(\.ownerID))
        out.leads = leads.map { ($0.id!, $0.displayName, $0.ownerID.flatMap { owners[$0] }) }
        return out
    }

    func userNames(_ ids: [UUID]) async throws -> [UUID: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: db).filter(\.$id ~~ unique).rows().map { ($0.id!, $0.name) })
    }

    // MARK: writing

    /// Who gets a new lead: me (nil), a colleague by id, the assignment rules ("rules") or the pool ("pool").
    enum Assignment: Sendable, Equatable {
        case me, user(UUID), rules, pool

        init?(_ raw: String?) {
            switch Check.clean(raw) {
            case nil: self = .me
            case "rules": self = .rules
            case "pool": self = .pool
            case let s?:
                guard let id = UUID(uuidString: s) else { return nil }
                self = .user(id)
            }
        }
    }

    func create(_ input: EntityInput, assignment raw: String?, allowDuplicates: Bool = false) async throws -> Lead {
        try actor.require(.create, .leads)
        let def = actor.definition(Lead.definition)
        var input = input
        if Check.clean(input.value("company")) == nil, Check.clean(input.value("person")) == nil, input.errors["company"] == nil {
            input.errors.add("company", "error.companyOrPerson")
        }
        if input.value("status") == LeadStatus.converted.rawValue { input.errors.add("status", "error.invalidOption") }
        try await def.validateReferences(&input, actor: actor, on: db)
        var owner: User?
        let assignment = Assignment(raw)
        switch assignment {
        case nil: input.errors.add("ownerID", "error.assignNotAllowed")
        case .me?: owner = try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).firstRow()
        case .user(let id)?:
            if id != actor.userID, !actor.can(.assign, .leads) { input.errors.add("ownerID", "error.assignNotAllowed") }
            else if let u = try await actor.inOrg(User.self, on: db).filter(\.$id == id).filter(\.$status == .active).firstRow() { owner = u }
            else { input.errors.add("ownerID", "error.unknownUser") }
        case .rules?, .pool?: break
        }
        guard input.errors.isEmpty, let assignment else { throw AppError.invalid(input.errors) }
        let lead = Lead(orgID: actor.orgID, createdBy: actor.userID, now: now)
        def.apply(input, to: lead)
        lead.refreshSearchKeys()
        if !allowDuplicates {
            let found = try await matches(company: lead.company, person: lead.person, phone: lead.phone)
            if !found.isEmpty { throw LeadCollisionFound(matches: found) }
        }
        if let owner { lead.ownerID = owner.id; lead.departmentID = owner.departmentID; lead.assignedAt = now }
        if assignment == .rules {
            try await db.writeTransaction { [actor, now] tx in try await LeadRouter(orgID: actor.orgID, now: now).route(lead, on: tx) }
        }
        try await db.writeTransaction { [actor, now] tx in
            try await lead.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Lead.entity, lead.id!, Self.values(lead, def))
            if let to = lead.ownerID, to != actor.userID {
                try await LeadRouter.notify(lead, to: to, by: actor.name, on: tx, now: now)
            }
        }
        return lead
    }

    func update(_ id: UUID?, _ input: EntityInput, allowDuplicates: Bool = false) async throws -> Lead {
        let lead = try await get(id, for: .edit)
        guard lead.state != .converted else { throw AppError.conflict("error.leadConverted") }
        let def = actor.definition(Lead.definition)
        var input = input
        try await def.validateReferences(&input, actor: actor, on: db)
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        let before = Self.values(lead, def)
        def.apply(input, to: lead)
        if Check.clean(lead.company) == nil, Check.clean(lead.person) == nil {
            input.errors.add("company", "error.companyOrPerson")
            throw AppError.invalid(input.errors)
        }
        let after = Self.values(lead, def)
        guard before != after else { return lead }
        if !allowDuplicates, before["phone"] != after["phone"] || before["company"] != after["company"] {
            let found = try await matches(company: before["company"] != after["company"] ? lead.company : nil, person: nil,
                                          phone: before["phone"] != after["phone"] ? lead.phone : nil, excluding: lead.id)
            if !found.isEmpty { throw LeadCollisionFound(matches: found) }
        }
        try await db.writeTransaction { [actor, now] tx in
            try await lead.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Lead.entity, lead.id!, before: before, after: after)
        }
        return lead
    }

    func delete(_ id: UUID?) async throws {
        let lead = try await get(id, for: .delete)
        try await db.writeTransaction { [actor, now] tx in
            lead.deletedBy = actor.userID
            try await lead.save(on: tx)
            try await lead.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Lead.entity, lead.id!, .delete, old: lead.displayName)
        }
    }

    // MARK: pool

    /// Takes a lead from the pool (领用). Two people claiming at once: one gets it, the other a 409.
    func claim(_ id: UUID?) async throws -> Lead {
        try actor.require(.edit, .leads)
        // Looked up across the organisation: a lead someone has just claimed is "taken", not "not found".
        guard let id, let lead = try await actor.inOrg(Lead.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        guard lead.ownerID == nil else { throw AppError.conflict("error.alreadyClaimed") }
        try await db.writeTransaction { [actor, now] tx in
            guard try await Self.take(lead.id!, for: actor.userID, departmentID: actor.departmentID, orgID: actor.orgID, now: now, on: tx) else {
                throw AppError.conflict("error.alreadyClaimed")
            }
            try await Audit(actor: actor, db: tx, now: now).event(Lead.entity, lead.id!, .assign, field: "owner", old: nil, new: actor.userID.uuidString)
        }
        return try await get(lead.id)
    }

    /// Gives a lead back to the pool (放弃).
    func release(_ id: UUID?) async throws -> Lead {
        let lead = try await get(id, for: .edit)
        guard let owner = lead.ownerID else { return lead }
        guard lead.state != .converted else { throw AppError.conflict("error.leadConverted") }
        try await db.writeTransaction { [actor, now] tx in
            try await actor.inOrg(Lead.self, on: tx).filter(\.$id == lead.id!)
                .set(\.$ownerID, to: nil).set(\.$departmentID, to: nil).set(\.$assignedAt, to: nil).update()
            try await Audit(actor: actor, db: tx, now: now).event(Lead.entity, lead.id!, .assign, field: "owner", old: owner.uuidString, new: nil)
        }
        return try await get(lead.id)
    }

    /// Hands leads (from the pool or from colleagues in scope) to someone (分配); "rules" lets the rules decide.
    func assign(_ ids: [UUID], to raw: String?) async throws -> Int {
        try actor.require(.assign, .leads)
        guard !ids.isEmpty, ids.count <= 500 else { throw AppError.badRequest("error.badParameter") }
        let target: User?
        if Check.clean(raw) == "rules" {
            target = nil
        } else {
            guard let id = Check.clean(raw).flatMap(UUID.init(uuidString:)),
                  let u = try await actor.inOrg(User.self, on: db).filter(\.$id == id).filter(\.$status == .active).firstRow() else {
                var e = FieldErrors()
                e.add("ownerID", "error.unknownUser")
                throw AppError.invalid(e)
            }
            target = u
        }
        let owned = try await actor.query(Lead.self, .edit, on: db).filter(\.$id ~~ ids).rows()
        let pooled = try await actor.inOrg(Lead.self, on: db).filter(\.$id ~~ ids).filter(\.$ownerID == nil).rows()
        let leads = Dictionary((owned + pooled).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        guard leads.count == Set(ids).count else { throw AppError.notFound }
        guard !leads.values.contains(where: { $0.state == .converted }) else { throw AppError.conflict("error.leadConverted") }
        return try await db.writeTransaction { [actor, now] tx in
            var moved = 0
            let audit = Audit(actor: actor, db: tx, now: now)
            for lead in leads.values.sorted(by: { $0.id!.uuidString < $1.id!.uuidString }) {
                let old = lead.ownerID
                if let target {
                    lead.ownerID = target.id
                    lead.departmentID = target.departmentID
                    lead.assignedAt = now
                } else {
                    lead.ownerID = nil
                    try await LeadRouter(orgID: actor.orgID, now: now).route(lead, on: tx)
                }
                guard lead.ownerID != old else { continue }
                try await lead.save(on: tx)
                try await audit.event(Lead.entity, lead.id!, .assign, field: "owner", old: old?.uuidString, new: lead.ownerID?.uuidString)
                if let to = lead.ownerID, to != actor.userID { try await LeadRouter.notify(lead, to: to, by: actor.name, on: tx, now: now) }
                moved += 1
            }
            return moved
        }
    }

    /// Takes a pooled lead for a user in one conditional statement: true when this call got it.
    static func take(_ id: UUID, for user: UUID, departmentID: UUID?, orgID: UUID, now: Date, on db: Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        struct Row: Decodable { let id: UUID }
        return try await sql.raw("""
            UPDATE leads SET owner_id = \(bind: user), department_id = \(bind: departmentID), assigned_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND org_id = \(bind: orgID) AND deleted_at IS NULL AND owner_id IS NULL
            RETURNING id
            """).first(decoding: Row.self) != nil
    }

    // MARK: follow-ups

    struct FollowUpInput: Sendable, Codable {
        var method: String?
        var content: String?
        var happenedAt: String?
        var nextContactOn: String?
    }

    func addFollowUp(_ id: UUID?, _ input: FollowUpInput) async throws -> LeadFollowUp {
        let lead = try await get(id, for: .edit)
        guard lead.state != .converted else { throw AppError.conflict("error.leadConverted") }
        var errors = FieldErrors()
        let content = Check.required(input.content, "content", max: 4000, into: &errors)
        let method = Check.clean(input.method) ?? ""
        if method.isEmpty { errors.add("method", "error.required") }
        else if try await !DictionaryService(db: db, actor: actor, now: now).isValid(.followUpMethod, method) { errors.add("method", "error.invalidOption") }
        var happenedAt = now
        if let raw = Check.clean(input.happenedAt) {
            if let d = LocalTime.parse(raw, in: actor.org.timeZone) {
                if d > now.addingTimeInterval(300) { errors.add("happenedAt", "error.future") } else { happenedAt = d }
            } else {
                errors.add("happenedAt", "error.dateTime")
            }
        }
        let next = Check.clean(input.nextContactOn)
        if let n = next, !CalendarDate.isValid(n) { errors.add("nextContactOn", "error.date") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let f = LeadFollowUp(orgID: actor.orgID, leadID: lead.id!, ownerID: actor.userID, departmentID: actor.departmentID,
                             method: method, content: content, happenedAt: happenedAt)
        f.nextContactOn = next
        try await db.writeTransaction { [actor, now, happenedAt] tx in
            try await f.create(on: tx)
            var set = actor.inOrg(Lead.self, on: tx).filter(\.$id == lead.id!)
            if lead.lastContactedAt.map({ $0 < happenedAt }) ?? true { set = set.set(\.$lastContactedAt, to: happenedAt) }
            // A first contact moves a new lead on to "contacting".
            if lead.state == .new { set = set.set(\.$status, to: LeadStatus.contacting.rawValue) }
            try await set.set(\.$updatedAt, to: now).update()
            try await Audit(actor: actor, db: tx, now: now).event(Lead.entity, lead.id!, .update, field: "followUp", new: String(content.prefix(100)))
        }
        return f
    }

    /// Audit values: the declared fields plus the conversion links.
    static func values(_ l: Lead, _ def: EntityDefinition<Lead>) -> FieldValues {
        var v = def.values(l)
        v["customer"] = l.customerID?.uuidString ?? ""
        v["opportunity"] = l.opportunityID?.uuidString ?? ""
        return v
    }
}

/// Thrown when a new lead looks like an existing customer or lead and the user has not confirmed it.
struct LeadCollisionFound: Error {
    let matches: LeadService.Matches
}

/// Hands new leads out by the organisation's assignment rules, in one transaction with the lead.
struct LeadRouter {
    let orgID: UUID
    let now: Date

    /// Sets the lead's owner from the first matching rule, in turn; no match leaves it in the pool.
    /// The turn is bumped and read in one statement, so two leads routed at once go to two people; run
    /// it in a short transaction of its own where leads arrive in floods, so the rule's row is not held
    /// while the lead is written.
    func route(_ lead: Lead, on db: Database) async throws {
        let rules = try await SystemAccess.inOrg(LeadRule.self, orgID, on: db).filter(\.$isActive == true).sort(\.$position).rows()
        guard !rules.isEmpty, let sql = db as? any SQLDatabase else { return }
        var path: [String] = []
        if let region = lead.regionID {
            path = try await Hierarchy.ancestors(of: region, table: Region.schema, parentColumn: "parent_id", orgID: orgID, on: db).map(\.uuidString)
            path.append(region.uuidString)
        }
        guard let pick = LeadRouting.pick(rules.map(\.routing), source: lead.source, regionPath: path),
              let rule = rules.first(where: { $0.id!.uuidString == pick.ruleID }) else { return }
        struct Row: Decodable { let turn: Int }
        let turn = try await sql.raw("UPDATE lead_rules SET turn = turn + 1 WHERE id = \(bind: rule.id!) RETURNING turn").first(decoding: Row.self)?.turn ?? 1
        let users = rule.users
        let userID = users[((turn - 1) % users.count + users.count) % users.count]
        guard let user = try await SystemAccess.inOrg(User.self, orgID, on: db).filter(\.$id == userID).filter(\.$status == .active).firstRow() else { return }
        lead.ownerID = user.id
        lead.departmentID = user.departmentID
        lead.assignedAt = now
    }

    static func notify(_ lead: Lead, to user: UUID, by name: String, on db: Database, now: Date) async throws {
        try await Notifier.send(UserNotification(orgID: lead.orgID, userID: user, kind: "leadAssigned", messageKey: "notify.leadAssigned",
                                                 args: [name, lead.displayName], link: Paths.lead(lead.id!), dedupeKey: nil, at: now), on: db)
    }
}
