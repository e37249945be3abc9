import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Recording follow-ups and reading them back. A customer's timeline is open to whoever may see the
/// customer; lists of follow-ups follow the follow-up module's data scope (the recorder is the owner).
struct FollowUpService {
    let db: Database
    let actor: Actor
    let now: Date
    /// The server's writer, so that follow-ups recorded at the same moment share a transaction; without
    /// one each is written alone.
    var writer: FollowUpWriter? = nil

    struct Input: Sendable, Codable {
        var method: String?
        var content: String?
        var result: String?
        /// yyyy-MM-dd'T'HH:mm in the organisation's time zone, as a datetime-local input sends it; empty means now.
        var happenedAt: String?
        var nextContactOn: String?
        var nextPlan: String?
        var contactID: String?
        var templateID: String?
    }

    // MARK: recording

    func create(customerID: UUID?, _ input: Input) async throws -> FollowUp {
        try actor.require(.create, .followUps)
        let customerID = try await actor.visibleID(Customer.self, customerID, on: db)
        var errors = FieldErrors()
        let v = try await validate(input, customerID: customerID, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let id = UUID.v7(at: now)
        let make: @Sendable () -> FollowUp = { [actor, now] in
            let f = FollowUp(orgID: actor.orgID, customerID: customerID, ownerID: actor.userID, departmentID: actor.departmentID,
                             method: v.method, content: v.content, happenedAt: v.happenedAt, now: now)
            f.id = id
            f.result = v.result
            f.nextContactOn = v.nextContactOn
            f.nextPlan = v.nextPlan
            f.contactID = v.contactID
            return f
        }
        // Inside a transaction the follow-up is part of it: written there, not batched elsewhere.
        return try await (db.inTransaction ? FollowUpWriter() : writer ?? FollowUpWriter()).write(make, actor: actor, now: now, on: db)
    }

    func update(_ id: UUID?, _ input: Input) async throws -> FollowUp {
        let f = try await actor.find(FollowUp.self, id, for: .edit, on: db)
        var errors = FieldErrors()
        let v = try await validate(input, customerID: f.customerID, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = Self.values(f)
        f.method = v.method
        f.content = v.content
        f.result = v.result
        f.happenedAt = v.happenedAt
        f.nextContactOn = v.nextContactOn
        f.nextPlan = v.nextPlan
        f.contactID = v.contactID
        try await db.writeTransaction { [actor, now] tx in
            try await FollowUpTally.apply("id = \(bind: f.id!)", sign: -1, actor: actor, on: tx)
            try await f.save(on: tx)
            try await FollowUpTally.apply("id = \(bind: f.id!)", sign: 1, actor: actor, on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(FollowUp.entity, f.id!, before: before, after: Self.values(f))
        }
        return f
    }

    func delete(_ id: UUID?) async throws {
        let f = try await actor.find(FollowUp.self, id, for: .delete, on: db)
        try await db.writeTransaction { [actor, now] tx in
            try await FollowUpTally.apply("id = \(bind: f.id!)", sign: -1, actor: actor, on: tx)
            f.deletedBy = actor.userID
            try await f.save(on: tx)
            try await f.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(FollowUp.entity, f.id!, .delete, old: String(f.content.prefix(100)))
        }
    }

    private struct Valid: Sendable {
        var method: String
        var content: String
        var result: String?
        var happenedAt: Date
        var nextContactOn: String?
        var nextPlan: String?
        var contactID: UUID?
    }

    private func validate(_ input: Input, customerID: UUID, into errors: inout FieldErrors) async throws -> Valid {
        var content = Check.clean(input.content)
        // Choosing a template and saving without typing records the template's text.
        if content == nil, let tid = input.templateID.flatMap(UUID.init(uuidString:)),
           let template = try await actor.inOrg(FollowUpTemplate.self, on: db).filter(\.$id == tid).firstRow() {
            content = template.content
        }
        if content == nil { errors.add("content", "error.required") }
        if let c = content, c.count > 4000 { errors.add("content", "error.tooLong") }
        let method = Check.clean(input.method) ?? ""
        if method.isEmpty { errors.add("method", "error.required") }
        else if try await !DictionaryService(db: db, actor: actor, now: now).isValid(.followUpMethod, method) { errors.add("method", "error.invalidOption") }
        let result = Check.optional(input.result, "result", max: 500, into: &errors)
        let nextPlan = Check.optional(input.nextPlan, "nextPlan", max: 500, into: &errors)
        var happenedAt = now
        if let raw = Check.clean(input.happenedAt) {
            if let d = LocalTime.parse(raw, in: actor.org.timeZone) {
                // A little clock skew is fine; a follow-up in the future is not.
                if d > now.addingTimeInterval(300) { errors.add("happenedAt", "error.future") } else { happenedAt = d }
            } else {
                errors.add("happenedAt", "error.dateTime")
            }
        }
        let nextContactOn = Check.clean(input.nextContactOn)
        if let n = nextContactOn, !CalendarDate.isValid(n) { errors.add("nextContactOn", "error.date") }
        var contactID: UUID?
        if let raw = Check.clean(input.contactID) {
            contactID = UUID(uuidString: raw)
            var found: Contact?
            if let id = contactID { found = try await actor.inOrg(Contact.self, on: db).filter(\.$id == id).filter(\.$customerID == customerID).firstRow() }
            if found == nil { errors.add("contactID", "error.invalidOption") }
        }
        return Valid(method: method, content: content ?? "", result: result, happenedAt: happenedAt, nextContactOn: nextContactOn,
                     nextPlan: nextPlan, contactID: contactID)
    }

    static func values(_ f: FollowUp) -> FieldValues {
        ["method": f.method, "content": f.content, "result": f.result ?? "", "happenedAt": ISO8601.string(f.happenedAt),
         "nextContactOn": f.nextContactOn ?? "", "nextPlan": f.nextPlan ?? "", "contact": f.contactID?.uuidString ?? ""]
    }

    // MARK: reading

    /// A customer's follow-ups, newest first; a parent customer's include those of its children in scope (CUS-11).
    func timeline(customerID: UUID?, includeChildren: Bool = true, before cursor: PageCursor? = nil, limit: Int = 30) async throws -> (items: [FollowUp], next: PageCursor?) {
        try actor.require(.view, .followUps)
        let customer = try await actor.find(Customer.self, customerID, for: .view, on: db)
        var ids = [customer.id!]
        if includeChildren {
            ids += try await actor.query(Customer.self, .view, on: db).filter(\.$parentID == customer.id!).limit(Self.children).rows().map { $0.id! }
        }
        return try await timeline(customerIDs: ids, before: cursor, limit: limit)
    }

    /// How many of a customer's children (in scope) its timeline takes in.
    static let children = 200

    /// The timeline of customers the caller has already read in the actor's scope: a customer and its
    /// children, as the 360 view has them at hand.
    func timeline(customerIDs ids: [UUID], before cursor: PageCursor? = nil, limit: Int = 30) async throws -> (items: [FollowUp], next: PageCursor?) {
        try actor.require(.view, .followUps)
        let q = actor.inOrg(FollowUp.self, on: db).filter(\.$customerID ~~ ids)
        return try await page(q, cursor: cursor, limit: limit)
    }

    /// Follow-ups in the actor's scope: theirs, their team's, a department's, by date range and method.
    struct ListQuery: Sendable {
        var ownerID: UUID?
        var customerID: UUID?
        var contactID: UUID?
        var team = false
        var method: String?
        var from: Date?
        var to: Date?
        var cursor: PageCursor?
        var limit = 50
    }

    func list(_ query: ListQuery) async throws -> (items: [FollowUp], next: PageCursor?) {
        let q = try actor.query(FollowUp.self, .view, on: db)
        if let owner = query.ownerID { q.filter(\.$ownerID == owner) }
        if let customer = query.customerID { q.filter(\.$customerID == customer) }
        if let contact = query.contactID { q.filter(\.$contactID == contact) }
        if query.team {
            let subs = actor.scope.subordinateIDs.compactMap(UUID.init(uuidString:))
            if subs.isEmpty { return ([], nil) }
            q.filter(\.$ownerID ~~ subs)
        }
        if let m = Check.clean(query.method) { q.filter(\.$method == m) }
        if let from = query.from { q.filter(\.$happenedAt >= from) }
        if let to = query.to { q.filter(\.$happenedAt < to) }
        return try await page(q, cursor: query.cursor, limit: query.limit)
    }

    /// Customers whose next contact date has come, from the actor's own follow-ups (待联系, ACT-03).
    func due(on day: String, limit: Int = 100) async throws -> [FollowUp] {
        try actor.require(.view, .followUps)
        // Own follow-ups are always in scope, so this walks the (org, owner, next date) index alone.
        // Dates older than a month are history, not a to-do.
        let due = try await actor.inOrg(FollowUp.self, on: db).filter(\.$ownerID == actor.userID)
            .filter(\.$nextContactOn <= day).filter(\.$nextContactOn >= CalendarDate.adding(-30, to: day) ?? day)
            .sort(\.$nextContactOn).limit(limit).rows()
        return try await Self.latestOnly(due, orgID: actor.orgID, on: db)
    }

    /// Drops follow-ups that a later one on the same customer has overtaken (its plan is the one that counts).
    /// One grouped query over the (customer, time) index: the newest follow-up of each customer.
    static func latestOnly(_ items: [FollowUp], orgID: UUID, on db: Database) async throws -> [FollowUp] {
        guard !items.isEmpty, let sql = db as? any SQLDatabase else { return items }
        struct Row: Decodable { var customer_id: UUID; var latest: Date }
        let customers = Array(Set(items.map(\.customerID)))
        let rows = try await sql.raw("""
            SELECT customer_id, MAX(happened_at) AS latest FROM follow_ups
            WHERE org_id = \(bind: orgID) AND deleted_at IS NULL AND customer_id IN (\(binds: customers)) GROUP BY customer_id
            """).all(decoding: Row.self)
        let latest = Dictionary(rows.map { ($0.customer_id, $0.latest) }, uniquingKeysWith: max)
        return items.filter { f in latest[f.customerID].map { $0 <= f.happenedAt } ?? true }
    }

    private func page(_ q: QueryBuilder<FollowUp>, cursor: PageCursor?, limit: Int) async throws -> (items: [FollowUp], next: PageCursor?) {
        let limit = max(1, min(limit, 200))
        if let c = cursor, let at = Double(c.value).map(Date.init(timeIntervalSince1970:)), let cid = UUID(uuidString: c.id) {
            q.after("happened_at", at, id: cid, descending: true)
        }
        let rows = try await q.sort(\.$happenedAt, .descending).sort(\.$id, .descending).limit(limit + 1).rows()
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { PageCursor(value: String($0.happenedAt.timeIntervalSince1970), id: $0.id!.uuidString) } : nil
        return (items, next)
    }

    // MARK: comments

    func comments(_ followUpIDs: [UUID]) async throws -> [UUID: [FollowUpComment]] {
        guard !followUpIDs.isEmpty else { return [:] }
        let rows = try await actor.inOrg(FollowUpComment.self, on: db).filter(\.$followUpID ~~ followUpIDs).sort(\.$createdAt).rows()
        return Dictionary(grouping: rows, by: \.followUpID)
    }

    /// A comment by anyone who may see the follow-up (supervisors through their scope); its recorder is notified.
    func comment(_ id: UUID?, content raw: String?) async throws -> FollowUpComment {
        let f = try await visible(id)
        var errors = FieldErrors()
        let content = Check.required(raw, "content", max: 2000, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let c = FollowUpComment(orgID: actor.orgID, followUpID: f.id!, authorID: actor.userID, authorName: actor.name, content: content, at: now)
        let customer = try await actor.inOrg(Customer.self, on: db).filter(\.$id == f.customerID).firstRow()
        try await db.writeTransaction { [actor, now] tx in
            try await c.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(FollowUp.entity, f.id!, .update, field: "comment", new: String(content.prefix(200)))
            if f.ownerID != actor.userID {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: f.ownerID, kind: "followUpComment", messageKey: "notify.followUpComment",
                                                         args: [actor.name, customer?.name ?? ""], link: Paths.customer(f.customerID) + "#follow-ups",
                                                         dedupeKey: nil, at: now), on: tx)
            }
        }
        return c
    }

    /// A follow-up the actor may read: in the follow-up scope, or on a customer the actor may see.
    func visible(_ id: UUID?) async throws -> FollowUp {
        guard let id else { throw AppError.notFound }
        if actor.can(.view, .followUps), let f = try await actor.query(FollowUp.self, .view, on: db).filter(\.$id == id).firstRow() { return f }
        guard let f = try await actor.inOrg(FollowUp.self, on: db).filter(\.$id == id).firstRow(),
              try await actor.query(Customer.self, .view, on: db).filter(\.$id == f.customerID).exists() else { throw AppError.notFound }
        return f
    }
}
