import Fluent
import Foundation
import GuanxiCore

/// A planned activity (联系活动, ACT-04): a visit, call, meeting or promotion at a time, maybe with a
/// customer. It lives in the follow-up module's permissions and scope; its owner is who does it.
final class Activity: Model, @unchecked Sendable {
    static let schema = "activities"

    enum Kind: String, Codable, CaseIterable, Sendable {
        case visit, call, meeting, promotion
        var labelKey: String { "activityKind.\(rawValue)" }
    }

    enum Status: String, Codable, CaseIterable, Sendable {
        case planned, done, cancelled
        var labelKey: String { "activityStatus.\(rawValue)" }
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?
    @OptionalField(key: "deleted_by") var deletedBy: UUID?

    // data fields
    @Enum(key: "kind") var kind: Kind
    @Field(key: "title") var title: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "notes") var notes: String?
    @Enum(key: "status") var status: Status

    // relationships
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "customer_id") var customerID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $deletedAt, $deletedBy, $kind, $title, $startsAt, $endsAt, $location, $notes,
         $status, $ownerID, $departmentID, $customerID]
    }

    init(orgID: UUID, kind: Kind, title: String, startsAt: Date, endsAt: Date, ownerID: UUID, departmentID: UUID?, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.kind = kind
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.status = .planned
    }
}

extension Activity: ScopedModel {
    static let module: Module = .followUps
    static let entity = "activity"
}

/// Planning, moving and closing activities; the calendar reads them by time within scope.
struct ActivityService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Input: Sendable {
        var kind: String?
        var title: String?
        var date: String?
        var startTime: String?
        var endTime: String?
        var location: String?
        var notes: String?
        var customerID: String?
        var ownerID: UUID?
    }

    func create(_ input: Input) async throws -> Activity {
        try actor.require(.create, .followUps)
        var errors = FieldErrors()
        let v = try await validate(input, into: &errors)
        let owner = try await actor.assignee(input.ownerID, module: .followUps, on: db)
        if owner == nil { errors.add("ownerID", "error.assignNotAllowed") }
        guard errors.isEmpty, let v, let owner else { throw AppError.invalid(errors) }
        let a = Activity(orgID: actor.orgID, kind: v.kind, title: v.title, startsAt: v.start, endsAt: v.end, ownerID: owner.id!, departmentID: owner.departmentID, now: now)
        a.location = v.location
        a.notes = v.notes
        a.customerID = v.customerID
        try await db.writeTransaction { [actor, now] tx in
            try await a.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Activity.entity, a.id!, Self.values(a))
        }
        return a
    }

    /// Moves an activity to another day, keeping its time of day and length (drag and drop on the calendar).
    func move(_ id: UUID?, to date: String?) async throws -> Activity {
        let a = try await actor.find(Activity.self, id, for: .edit, on: db)
        let tz = actor.org.timeZone
        guard let date, CalendarDate.isValid(date) else {
            var e = FieldErrors()
            e.add("date", "error.date")
            throw AppError.invalid(e)
        }
        let time = String(LocalTime.format(a.startsAt, in: tz).suffix(5))
        guard let start = LocalTime.parse("\(date)T\(time)", in: tz) else { throw AppError.badRequest("error.badParameter") }
        let before = Self.values(a)
        let length = a.endsAt.timeIntervalSince(a.startsAt)
        a.startsAt = start
        a.endsAt = start.addingTimeInterval(length)
        try await save(a, before: before)
        return a
    }

    func setStatus(_ id: UUID?, _ raw: String?) async throws -> Activity {
        let a = try await actor.find(Activity.self, id, for: .edit, on: db)
        guard let s = raw.flatMap(Activity.Status.init(rawValue:)) else {
            var e = FieldErrors()
            e.add("status", "error.invalidOption")
            throw AppError.invalid(e)
        }
        let before = Self.values(a)
        a.status = s
        try await save(a, before: before)
        return a
    }

    private func save(_ a: Activity, before: FieldValues) async throws {
        try await db.writeTransaction { [actor, now] tx in
            try await a.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Activity.entity, a.id!, before: before, after: Self.values(a))
        }
    }

    /// Activities between two instants for the given people (each must be in the actor's scope).
    func between(_ from: Date, _ to: Date, owners: [UUID]) async throws -> [Activity] {
        try await actor.query(Activity.self, .view, on: db).filter(\.$ownerID ~~ owners)
            .filter(\.$startsAt < to).filter(\.$endsAt >= from).sort(\.$startsAt).limit(2000).rows()
    }

    private struct Valid { var kind: Activity.Kind; var title: String; var start: Date; var end: Date; var location: String?; var notes: String?; var customerID: UUID? }

    private func validate(_ input: Input, into errors: inout FieldErrors) async throws -> Valid? {
        let kind = Check.clean(input.kind).flatMap(Activity.Kind.init(rawValue:))
        if kind == nil { errors.add("kind", "error.invalidOption") }
        let title = Check.required(input.title, "title", max: 200, into: &errors)
        let location = Check.optional(input.location, "location", max: 200, into: &errors)
        let notes = Check.optional(input.notes, "notes", max: 2000, into: &errors)
        let tz = actor.org.timeZone
        let date = Check.clean(input.date) ?? ""
        if !CalendarDate.isValid(date) { errors.add("date", date.isEmpty ? "error.required" : "error.date") }
        let startTime = Check.clean(input.startTime) ?? "09:00"
        let endTime = Check.clean(input.endTime)
        let start = LocalTime.parse("\(date)T\(startTime)", in: tz)
        if start == nil, CalendarDate.isValid(date) { errors.add("startTime", "error.dateTime") }
        var end = start.map { $0.addingTimeInterval(3600) }
        if let endTime, let s = start {
            end = LocalTime.parse("\(date)T\(endTime)", in: tz)
            if end == nil { errors.add("endTime", "error.dateTime") } else if end! <= s { errors.add("endTime", "error.endBeforeStart") }
        }
        let customerID = try await actor.visibleCustomer(input.customerID, field: "customerID", into: &errors, on: db)
        guard let kind, let start, let end else { return nil }
        return Valid(kind: kind, title: title, start: start, end: end, location: location, notes: notes, customerID: customerID)
    }

    static func values(_ a: Activity) -> FieldValues {
        ["kind": a.kind.rawValue, "title": a.title, "startsAt": ISO8601.string(a.startsAt), "endsAt": ISO8601.string(a.endsAt),
         "location": a.location ?? "", "notes": a.notes ?? "", "status": a.status.rawValue, "customer": a.customerID?.uuidString ?? "",
         "owner": a.ownerID.uuidString]
    }
}
