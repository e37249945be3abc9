import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// A person's plan for a day, week or month (计划总结, TSK-02): items ticked off as they are done,
/// a summary at the end, and the supervisor's review. One plan per person and period; its data
/// scope follows the owner, like tasks.
final class Plan: Model, @unchecked Sendable {
    static let schema = "plans"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Enum(key: "period") var period: PlanPeriod
    /// The first date of the period, yyyy-MM-dd.
    @Field(key: "starts_on") var startsOn: String
    @OptionalField(key: "summary") var summary: String?
    @OptionalField(key: "review") var review: String?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?

    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $period, $startsOn, $summary, $review, $reviewedBy, $reviewedAt, $ownerID,
         $departmentID]
    }

    init(orgID: UUID, owner: User, period: PlanPeriod, startsOn: String, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.ownerID = owner.id!
        self.departmentID = owner.departmentID
        self.period = period
        self.startsOn = startsOn
    }
}

extension Plan: ScopedModel {
    static let module: Module = .tasks
    static let entity = "plan"
}

/// One line of a plan. `addedBy` differs from the plan's owner when a supervisor assigned it.
final class PlanItem: Model, @unchecked Sendable {
    static let schema = "plan_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "plan_id") var planID: UUID
    @Field(key: "text") var text: String
    @Field(key: "done") var done: Bool
    @OptionalField(key: "done_at") var doneAt: Date?
    @Field(key: "added_by") var addedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $planID, $text, $done, $doneAt, $addedBy, $createdAt] }

    init(orgID: UUID, planID: UUID, text: String, addedBy: UUID, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.planID = planID
        self.text = text
        self.done = false
        self.addedBy = addedBy
        self.createdAt = now
    }
}

extension PlanItem: OrgScoped {}

/// Writing, ticking off and reviewing plans.
struct PlanService {
    let db: Database
    let actor: Actor
    let now: Date

    /// Which plan: a person (me when nil), a period and any date inside it.
    struct Key: Sendable {
        var ownerID: UUID?
        var period: String?
        var date: String?
    }

    struct Resolved {
        let owner: User
        let period: PlanPeriod
        let startsOn: String
    }

    /// Checks a key: the owner is me or someone in my task scope, the period and date are valid.
    func resolve(_ key: Key) async throws -> Resolved {
        try actor.require(.view, .tasks)
        var errors = FieldErrors()
        let period = PlanPeriod(rawValue: Check.clean(key.period) ?? "week")
        if period == nil { errors.add("period", "error.invalidOption") }
        let date = Check.clean(key.date) ?? CalendarDate.of(now, in: actor.org.timeZone)
        let start = period?.start(of: date)
        if start == nil { errors.add("date", "error.date") }
        let owner = try await actor.assignee(key.ownerID, module: .tasks, on: db)
        if owner == nil { errors.add("ownerID", "error.assignNotAllowed") }
        guard errors.isEmpty, let period, let start, let owner else { throw AppError.invalid(errors) }
        return Resolved(owner: owner, period: period, startsOn: start)
    }

    /// The plan for a key, nil while nobody has written anything in it.
    func find(_ r: Resolved) async throws -> Plan? {
        try await actor.query(Plan.self, .view, on: db).filter(\.$ownerID == r.owner.id!).filter(\.$period == r.period)
            .filter(\.$startsOn == r.startsOn).firstRow()
    }

    func items(of plan: Plan) async throws -> [PlanItem] {
        try await actor.inOrg(PlanItem.self, on: db).filter(\.$planID == plan.id!).sort(\.$createdAt).sort(\.$id).rows()
    }

    /// Adds a line to someone's plan, making the plan on first use. A supervisor adding to a
    /// subordinate's plan notifies them.
    func addItem(_ key: Key, text raw: String?) async throws -> (Plan, PlanItem) {
        try actor.require(.create, .tasks)
        let r = try await resolve(key)
        var errors = FieldErrors()
        let text = Check.required(raw, "text", max: 500, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        return try await db.writeTransaction { [actor, now] tx in
            let plan = try await Self.open(r, actor: actor, now: now, on: tx)
            let item = PlanItem(orgID: actor.orgID, planID: plan.id!, text: text, addedBy: actor.userID, now: now)
            try await item.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Plan.entity, plan.id!, .update, field: "item", new: text)
            if r.owner.id != actor.userID {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: r.owner.id!, kind: "planItemAdded", messageKey: "notify.planItemAdded",
                                                         args: [actor.name, text], link: Paths.plan(plan), dedupeKey: nil, at: now), on: tx)
            }
            return (plan, item)
        }
    }

    /// The plan of a key, made on first use. Two people adding the first item at once (PostgreSQL)
    /// meet at the unique index: the second insert does nothing and both read the same plan.
    private static func open(_ r: Resolved, actor: Actor, now: Date, on tx: Database) async throws -> Plan {
        let fresh = Plan(orgID: actor.orgID, owner: r.owner, period: r.period, startsOn: r.startsOn, now: now)
        if let sql = tx as? any SQLDatabase {
            try await sql.raw("""
                INSERT INTO plans (id, org_id, created_at, updated_at, period, starts_on, owner_id, department_id)
                VALUES (\(bind: fresh.id!), \(bind: actor.orgID), \(bind: now), \(bind: now), \(bind: r.period.rawValue), \(bind: r.startsOn), \(bind: r.owner.id!), \(bind: r.owner.departmentID))
                ON CONFLICT (org_id, owner_id, period, starts_on) DO NOTHING
                """).run()
        }
        guard let plan = try await actor.inOrg(Plan.self, on: tx).filter(\.$ownerID == r.owner.id!)
            .filter(\.$period == r.period).filter(\.$startsOn == r.startsOn).firstRow() else { throw AppError.notFound }
        if plan.id == fresh.id {
            try await Audit(actor: actor, db: tx, now: now).created(Plan.entity, plan.id!, ["period": r.period.rawValue, "startsOn": r.startsOn, "owner": r.owner.id!.uuidString])
        }
        return plan
    }

    /// The plan an item belongs to, if the actor may change it.
    private func planOf(_ itemID: UUID?) async throws -> (Plan, PlanItem) {
        guard let itemID, let item = try await actor.inOrg(PlanItem.self, on: db).filter(\.$id == itemID).firstRow() else { throw AppError.notFound }
        let plan = try await actor.find(Plan.self, item.planID, for: .edit, on: db)
        return (plan, item)
    }

    /// Ticks an item off (or back on), or rewrites it.
    func updateItem(_ id: UUID?, done: Bool?, text raw: String?) async throws -> (Plan, PlanItem) {
        let (plan, item) = try await planOf(id)
        var errors = FieldErrors()
        let text = raw == nil ? item.text : Check.required(raw, "text", max: 500, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        // The history reads "☐ text" → "☑ text", so a tick says which item it was.
        @Sendable func mark(_ done: Bool) -> String { (done ? "☑ " : "☐ ") + text }
        let before = ["item": item.text, "done": mark(item.done)]
        item.text = text
        if let done, done != item.done {
            item.done = done
            item.doneAt = done ? now : nil
        }
        try await db.writeTransaction { [actor, now] tx in
            try await item.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Plan.entity, plan.id!, before: before, after: ["item": item.text, "done": mark(item.done)])
        }
        return (plan, item)
    }

    func removeItem(_ id: UUID?) async throws -> Plan {
        let (plan, item) = try await planOf(id)
        try await db.writeTransaction { [actor, now] tx in
            try await item.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Plan.entity, plan.id!, .update, field: "item", old: item.text)
        }
        return plan
    }

    /// The owner's summary (总结); their supervisor hears about it.
    func writeSummary(_ planID: UUID?, _ raw: String?) async throws -> Plan {
        let plan = try await actor.find(Plan.self, planID, for: .view, on: db)
        guard plan.ownerID == actor.userID else { throw AppError.forbidden }
        var errors = FieldErrors()
        let summary = Check.optional(raw, "summary", max: 4000, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = plan.summary
        plan.summary = summary
        let supervisor = try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).firstRow()?.supervisorID
        try await db.writeTransaction { [actor, now] tx in
            try await plan.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Plan.entity, plan.id!, before: ["summary": before ?? ""], after: ["summary": summary ?? ""])
            if let supervisor, summary != nil, before == nil {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: supervisor, kind: "planSummary", messageKey: "notify.planSummary",
                                                         args: [actor.name, plan.startsOn], link: Paths.plan(plan), dedupeKey: nil, at: now), on: tx)
            }
        }
        return plan
    }

    /// The supervisor's review (评阅): anyone who sees the plan except its owner.
    func review(_ planID: UUID?, _ raw: String?) async throws -> Plan {
        let plan = try await actor.find(Plan.self, planID, for: .view, on: db)
        guard plan.ownerID != actor.userID else { throw AppError.forbidden }
        var errors = FieldErrors()
        let text = Check.required(raw, "review", max: 2000, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = plan.review
        plan.review = text
        plan.reviewedBy = actor.userID
        plan.reviewedAt = now
        try await db.writeTransaction { [actor, now] tx in
            try await plan.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Plan.entity, plan.id!, before: ["review": before ?? ""], after: ["review": text])
            try await Notifier.send(UserNotification(orgID: actor.orgID, userID: plan.ownerID, kind: "planReviewed", messageKey: "notify.planReviewed",
                                                     args: [actor.name, plan.startsOn], link: Paths.plan(plan), dedupeKey: nil, at: now), on: tx)
        }
        return plan
    }

    /// A row of the team overview.
    struct TeamRow: Sendable {
        let user: User
        let plan: Plan?
        let done: Int
        let total: Int
        var completion: Int { planCompletion(done: done, total: total) }
    }

    /// Everyone in my task scope with their plan for the period and how far it got.
    func team(period: PlanPeriod, startsOn: String) async throws -> [TeamRow] {
        let people = try await actor.scopeUsers(.tasks, on: db)
        let plans = try await actor.query(Plan.self, .view, on: db).filter(\.$period == period).filter(\.$startsOn == startsOn)
            .filter(\.$ownerID ~~ people.map { $0.id! }).rows()
        let items = plans.isEmpty ? [] : try await actor.inOrg(PlanItem.self, on: db).filter(\.$planID ~~ plans.map { $0.id! })
            .field(\.$planID).field(\.$done).rows()
        let byOwner = Dictionary(plans.map { ($0.ownerID, $0) }, uniquingKeysWith: { a, _ in a })
        return people.map { user in
            let plan = byOwner[user.id!]
            let mine = plan.map { p in items.filter { $0.planID == p.id } } ?? []
            return TeamRow(user: user, plan: plan, done: mine.filter(\.done).count, total: mine.count)
        }
    }
}
