import Fluent
import Foundation
import GuanxiCore

/// A task (行动任务, TSK-01) for oneself or a subordinate, maybe about a customer. Its owner is the
/// person who does it; the data scope of tasks follows the owner.
final class TaskItem: Model, @unchecked Sendable {
    static let schema = "tasks"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?

    // data fields
    @Field(key: "title") var title: String
    @OptionalField(key: "details") var details: String?
    /// yyyy-MM-dd in the organisation's time zone.
    @OptionalField(key: "due_on") var dueOn: String?
    @Enum(key: "priority") var priority: TaskPriority
    @Enum(key: "status") var status: TaskStatus
    @OptionalField(key: "completed_at") var completedAt: Date?
    /// The supervisor's review (评阅).
    @OptionalField(key: "review") var review: String?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?

    // relationships
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "assigned_by") var assignedBy: UUID
    @OptionalField(key: "customer_id") var customerID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $title, $details, $dueOn, $priority, $status,
         $completedAt, $review, $reviewedBy, $reviewedAt, $ownerID, $departmentID, $assignedBy, $customerID]
    }

    init(orgID: UUID, title: String, ownerID: UUID, departmentID: UUID?, assignedBy: UUID, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.title = title
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.assignedBy = assignedBy
        self.priority = .normal
        self.status = .open
    }
}

extension TaskItem: ScopedModel {
    static let module: Module = .tasks
    static let entity = "task"
}

/// Assigning, doing and reviewing tasks.
struct TaskService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Input: Sendable {
        var title: String?
        var details: String?
        var dueOn: String?
        var priority: String?
        var ownerID: UUID?
        var customerID: String?
    }

    func create(_ input: Input) async throws -> TaskItem {
        try actor.require(.create, .tasks)
        var errors = FieldErrors()
        let title = Check.required(input.title, "title", max: 200, into: &errors)
        let details = Check.optional(input.details, "details", max: 4000, into: &errors)
        let dueOn = Check.clean(input.dueOn)
        if let d = dueOn, !CalendarDate.isValid(d) { errors.add("dueOn", "error.date") }
        let priority = Check.clean(input.priority).map { TaskPriority(rawValue: $0) } ?? .normal
        if priority == nil { errors.add("priority", "error.invalidOption") }
        // Oneself or someone in one's task scope (subordinates, department …).
        let owner = try await actor.assignee(input.ownerID, module: .tasks, on: db)
        if owner == nil { errors.add("ownerID", "error.assignNotAllowed") }
        let customer = try await actor.visibleCustomer(input.customerID, field: "customerID", into: &errors, on: db)
        guard errors.isEmpty, let owner, let priority else { throw AppError.invalid(errors) }
        let task = TaskItem(orgID: actor.orgID, title: title, ownerID: owner.id!, departmentID: owner.departmentID, assignedBy: actor.userID, now: now)
        task.details = details
        task.dueOn = dueOn
        task.priority = priority
        task.customerID = customer
        try await db.writeTransaction { [actor, now] tx in
            try await task.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(TaskItem.entity, task.id!, Self.values(task))
            if owner.id != actor.userID {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: owner.id!, kind: "taskAssigned", messageKey: "notify.taskAssigned",
                                                         args: [actor.name, title], link: Paths.task(task.id!), dedupeKey: nil, at: now), on: tx)
            }
        }
        return task
    }

    /// Moves a task along (the assignee or whoever may edit it in scope).
    func setStatus(_ id: UUID?, _ raw: String?) async throws -> TaskItem {
        let task = try await actor.find(TaskItem.self, id, for: .edit, on: db)
        guard let next = raw.flatMap(TaskStatus.init(rawValue:)), task.status.canMove(to: next) else {
            var e = FieldErrors()
            e.add("status", "error.invalidOption")
            throw AppError.invalid(e)
        }
        let before = Self.values(task)
        task.status = next
        task.completedAt = next == .done ? now : nil
        try await db.writeTransaction { [actor, now] tx in
            try await task.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(TaskItem.entity, task.id!, before: before, after: Self.values(task))
            if next == .done, task.assignedBy != actor.userID {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: task.assignedBy, kind: "taskDone", messageKey: "notify.taskDone",
                                                         args: [actor.name, task.title], link: Paths.task(task.id!), dedupeKey: nil, at: now), on: tx)
            }
        }
        return task
    }

    /// A supervisor's review (评阅): someone who sees the task in scope other than its assignee.
    func review(_ id: UUID?, _ raw: String?) async throws -> TaskItem {
        let task = try await actor.find(TaskItem.self, id, for: .view, on: db)
        guard task.ownerID != actor.userID else { throw AppError.forbidden }
        var errors = FieldErrors()
        let text = Check.required(raw, "review", max: 2000, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = Self.values(task)
        task.review = text
        task.reviewedBy = actor.userID
        task.reviewedAt = now
        try await db.writeTransaction { [actor, now] tx in
            try await task.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(TaskItem.entity, task.id!, before: before, after: Self.values(task))
            try await Notifier.send(UserNotification(orgID: actor.orgID, userID: task.ownerID, kind: "taskReviewed", messageKey: "notify.taskReviewed",
                                                     args: [actor.name, task.title], link: Paths.task(task.id!), dedupeKey: nil, at: now), on: tx)
        }
        return task
    }

    struct ListQuery: Sendable {
        /// mine (assigned to me), assigned (by me to others), team (my scope), customer
        var view = "mine"
        var status: TaskStatus?
        var customerID: UUID?
        var limit = 100
    }

    /// Open tasks first by due date, then the rest newest first.
    func list(_ q: ListQuery) async throws -> [TaskItem] {
        let query = try actor.query(TaskItem.self, .view, on: db)
        switch q.view {
        case "assigned": query.filter(\.$assignedBy == actor.userID).filter(\.$ownerID != actor.userID)
        case "team": break
        default: if q.customerID == nil { query.filter(\.$ownerID == actor.userID) }
        }
        if let s = q.status { query.filter(\.$status == s) }
        if let c = q.customerID { query.filter(\.$customerID == c) }
        let rows = try await query.sort(\.$id, .descending).limit(max(1, min(q.limit, 500))).rows()
        return rows.sorted { a, b in
            if a.status.isClosed != b.status.isClosed { return !a.status.isClosed }
            if !a.status.isClosed { return (a.dueOn ?? "9999") < (b.dueOn ?? "9999") }
            return (a.completedAt ?? .distantPast) > (b.completedAt ?? .distantPast)
        }
    }

    static func values(_ t: TaskItem) -> FieldValues {
        ["title": t.title, "details": t.details ?? "", "dueOn": t.dueOn ?? "", "priority": t.priority.rawValue, "status": t.status.rawValue,
         "owner": t.ownerID.uuidString, "customer": t.customerID?.uuidString ?? "", "review": t.review ?? ""]
    }
}

/// Due and overdue reminders for tasks as a job: the assignee hears on the due day and once when it
/// is overdue.
struct TaskReminder {
    let db: Database
    let now: Date

    func run() async throws -> Int {
        var sent = 0
        for org in try await SystemAccess.organizations(on: db) {
            let today = CalendarDate.of(now, in: org.zone)
            let tasks = try await SystemAccess.inOrg(TaskItem.self, org.id!, on: db).filter(\.$status ~~ [TaskStatus.open, .inProgress])
                .filter(\.$dueOn <= today).filter(\.$dueOn >= CalendarDate.adding(-30, to: today) ?? today).limit(10_000).rows()
            sent += try await db.writeTransaction { [now] tx in
                var n = 0
                for t in tasks {
                    let overdue = t.status.isOverdue(dueOn: t.dueOn, today: today)
                    let note = UserNotification(orgID: org.id!, userID: t.ownerID, kind: overdue ? "taskOverdue" : "taskDue",
                                                messageKey: overdue ? "notify.taskOverdue" : "notify.taskDue", args: [t.title, t.dueOn ?? ""],
                                                link: Paths.task(t.id!), dedupeKey: "task:\(t.id!.uuidString):\(overdue ? "overdue" : "due")", at: now)
                    if try await Notifier.send(note, on: tx) { n += 1 }
                }
                return n
            }
        }
        return sent
    }
}
