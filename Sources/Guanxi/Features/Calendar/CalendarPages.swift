import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The calendar (ACT-04): activities and due tasks by day, week or month, for me or a colleague in
/// my scope; activities drag to another day (or move with the form on their card).
struct CalendarPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("calendar", use: page)
        routes.post("activities", use: create)
        routes.post("activities", ":id", "move", use: move)
        routes.post("activities", ":id", "status", use: status)
    }

    struct ActivityForm: Content {
        var kind: String?
        var title: String?
        var date: String?
        var startTime: String?
        var endTime: String?
        var location: String?
        var notes: String?
        var customerID: String?
        var ownerID: String?

        var input: ActivityService.Input {
            .init(kind: kind, title: title, date: date, startTime: startTime, endTime: endTime, location: location, notes: notes,
                  customerID: customerID, ownerID: ownerID.flatMap(UUID.init(uuidString:)))
        }
    }

    struct Query {
        var view: CalendarGrid.View
        var date: String
        var user: UUID
    }

    static func query(_ req: Request, actor: Actor) throws -> Query {
        let view = try (try? req.query.get(String.self, at: "view")).map { raw -> CalendarGrid.View in
            guard let v = CalendarGrid.View(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            return v
        } ?? .week
        var date = CalendarDate.of(req.now, in: actor.org.timeZone)
        if let raw = Check.clean(try? req.query.get(String.self, at: "date")) {
            guard CalendarDate.isValid(raw) else { throw AppError.badRequest("error.badParameter") }
            date = raw
        }
        let user = try Check.clean(try? req.query.get(String.self, at: "user")).map { raw -> UUID in
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            return id
        } ?? actor.userID
        return Query(view: view, date: date, user: user)
    }

    @Sendable func page(req: Request) async throws -> Response {
        try await render(req, form: ActivityForm(kind: "visit", startTime: "09:00", endTime: "10:00"), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let form = try req.content.decode(ActivityForm.self)
        do {
            let a = try await ActivityService(db: req.db, actor: try req.actor, now: req.now).create(form.input)
            let date = CalendarDate.of(a.startsAt, in: try req.actor.org.timeZone)
            return req.redirect(URLQuery.build(Paths.calendar, [("view", "week"), ("date", date), ("user", a.ownerID.uuidString)]), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    /// Drag and drop posts here with fetch (answering 204); the card's form posts here too (answering with a redirect).
    @Sendable func move(req: Request) async throws -> Response {
        struct Body: Content { var date: String? }
        let a = try await ActivityService(db: req.db, actor: try req.actor, now: req.now).move(req.parameters.get("id", as: UUID.self), to: try req.content.decode(Body.self).date)
        if req.headers.first(name: "X-Requested-With") == "fetch" { return Response(status: .noContent) }
        let date = CalendarDate.of(a.startsAt, in: try req.actor.org.timeZone)
        return req.redirect(URLQuery.build(Paths.calendar, [("view", "week"), ("date", date), ("user", a.ownerID.uuidString)]), flash: Flash(.success, "flash.saved"))
    }

    @Sendable func status(req: Request) async throws -> Response {
        struct Body: Content { var status: String? }
        let a = try await ActivityService(db: req.db, actor: try req.actor, now: req.now).setStatus(req.parameters.get("id", as: UUID.self), try req.content.decode(Body.self).status)
        let date = CalendarDate.of(a.startsAt, in: try req.actor.org.timeZone)
        return req.redirect(URLQuery.build(Paths.calendar, [("view", "week"), ("date", date), ("user", a.ownerID.uuidString)]), flash: Flash(.success, "flash.saved"))
    }

    private func render(_ req: Request, form: ActivityForm, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .followUps)
        let t = actor.t
        let q = try Self.query(req, actor: actor)
        let tz = actor.org.timeZone
        let people = try await actor.scopeUsers(.followUps, on: req.db)
        guard people.contains(where: { $0.id == q.user }) else { throw AppError.notFound }
        let days = CalendarGrid.days(q.view, around: q.date)
        guard let first = days.first, let last = days.last, let from = LocalTime.parse(first + "T00:00", in: tz),
              let to = LocalTime.parse(last + "T00:00", in: tz)?.addingTimeInterval(86_400) else { throw AppError.badRequest("error.badParameter") }
        let activities = try await ActivityService(db: req.db, actor: actor, now: req.now).between(from, to, owners: [q.user])
        let tasks = actor.can(.view, .tasks)
            ? try await actor.query(TaskItem.self, .view, on: req.db).filter(\.$ownerID == q.user).filter(\.$dueOn >= first).filter(\.$dueOn <= last).limit(500).rows()
            : []
        let customers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: req.db)
            .filter(\.$id ~~ Array(Set(activities.compactMap(\.customerID)))).rows().map { ($0.id!, $0.name) })
        let byDay = Dictionary(grouping: activities) { CalendarDate.of($0.startsAt, in: tz) }
        let tasksByDay = Dictionary(grouping: tasks) { $0.dueOn ?? "" }
        let today = CalendarDate.of(req.now, in: tz)
        let canEdit = actor.can(.edit, .followUps)
        let base: [(String, String?)] = [("view", q.view.rawValue), ("user", q.user.uuidString)]
        let month = String(q.date.prefix(7))
        return req.page(status, title: t("nav.calendar"), crumbs: [Crumb(label: t("nav.calendar"), href: nil)]) { ctx in
            func chip(_ a: Activity) -> HNode {
                let time = String(LocalTime.format(a.startsAt, in: tz).suffix(5))
                return H.el("div", [.cls("cal-item cal-\(a.kind.rawValue) cal-\(a.status.rawValue)"), A("draggable", canEdit ? "true" : nil),
                                    A("data-move", canEdit ? "/activities/\(a.id!.uuidString)/move" : nil), .id("a-\(a.id!.uuidString)")], [
                    H.el("details", [], [
                        H.el("summary", [], [H.span("cal-time", time), H.text(" " + a.title)]),
                        H.div("cal-detail",
                              H.p("\(t(a.kind.labelKey)) · \(time)–\(String(LocalTime.format(a.endsAt, in: tz).suffix(5))) · \(t(a.status.labelKey))", cls: "small"),
                              a.customerID.map { H.a(Paths.customer($0), customers[$0] ?? "") } ?? H.empty,
                              a.location.map { H.p($0, cls: "small muted") } ?? H.empty,
                              a.notes.map { H.p($0, cls: "small") } ?? H.empty,
                              canEdit ? Forms.form("/activities/\(a.id!.uuidString)/move", csrf: ctx.csrf, cls: "inline-form", [
                                  H.void("input", [.type("date"), .name("date"), .value(CalendarDate.of(a.startsAt, in: tz)), A("aria-label", t("activity.moveTo"))]),
                                  H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("activity.move"))]),
                              ]) : H.empty,
                              canEdit && a.status == .planned ? Forms.form("/activities/\(a.id!.uuidString)/status", csrf: ctx.csrf, cls: "inline", [
                                  H.void("input", [.type("hidden"), .name("status"), .value("done")]),
                                  H.el("button", [.type("submit"), .cls("btn btn-small btn-primary")], [H.text(t("activity.markDone"))]),
                              ]) : H.empty),
                    ]),
                ])
            }
            func cell(_ day: String) -> HNode {
                let items = byDay[day] ?? []
                let due = tasksByDay[day] ?? []
                var cls = "cal-day"
                if day == today { cls += " cal-today" }
                if q.view == .month, !day.hasPrefix(month) { cls += " cal-other" }
                return H.el("div", [.cls(cls), A("data-date", day)], [
                    H.div("cal-date", H.a(URLQuery.build(Paths.calendar, [("view", "day"), ("date", day), ("user", q.user.uuidString)]),
                                          q.view == .month ? String(day.suffix(2)) : "\(t("weekday.\(CalendarGrid.weekday(day) ?? 1)")) \(day.suffix(5))")),
                    H.group(items.map(chip)),
                    H.group(due.map { task in H.el("div", [.cls("cal-item cal-task")], [H.a(Paths.task(task.id!), "☑ " + task.title)]) }),
                ])
            }
            let views = H.el("nav", [.cls("tabs"), A("aria-label", t("nav.calendar"))], CalendarGrid.View.allCases.map { v in
                H.el("a", [.href(URLQuery.build(Paths.calendar, [("view", v.rawValue), ("date", q.date), ("user", q.user.uuidString)])),
                           .cls(v == q.view ? "tab active" : "tab"), A("aria-current", v == q.view ? "page" : nil)], [H.text(t("calendar.\(v.rawValue)"))])
            })
            let title = q.view == .month ? month : q.view == .week ? "\(first) – \(last)" : q.date
            let addForm: HNode = actor.can(.create, .followUps) ? H.el("details", [.cls("quick-add card"), A("open", errors.isEmpty ? nil : "open")], [
                H.el("summary", [.cls("btn btn-primary")], [H.text(t("activity.new"))]),
                Forms.errorSummary(errors, t: t),
                Forms.form("/activities", csrf: ctx.csrf, cls: "form", [
                    H.div("grid-form",
                          Forms.select("kind", label: t("activity.kind"), options: Activity.Kind.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                       selected: form.kind, error: errors["kind"].map { t($0) }, required: true),
                          Forms.input("title", label: t("activity.title"), value: form.title, error: errors["title"].map { t($0) }, required: true, extra: [A("maxlength", "200")]),
                          Forms.select("ownerID", label: t("task.owner"), options: people.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                       selected: form.ownerID ?? q.user.uuidString, error: errors["ownerID"].map { t($0) }),
                          Forms.input("date", label: t("activity.date"), value: form.date ?? q.date, error: errors["date"].map { t($0) }, type: "date", required: true),
                          Forms.input("startTime", label: t("activity.start"), value: form.startTime, error: errors["startTime"].map { t($0) }, type: "time"),
                          Forms.input("endTime", label: t("activity.end"), value: form.endTime, error: errors["endTime"].map { t($0) }, type: "time"),
                          Forms.input("location", label: t("activity.location"), value: form.location, error: errors["location"].map { t($0) }, extra: [A("maxlength", "200")])),
                    Forms.textarea("notes", label: t("activity.notes"), value: form.notes, error: errors["notes"].map { t($0) }),
                    form.customerID.map { H.void("input", [.type("hidden"), .name("customerID"), .value($0)]) } ?? H.empty,
                    errors["customerID"].map { H.p(t($0), cls: "error") } ?? H.empty,
                    Forms.actions(Forms.submit(t("action.create"))),
                ]),
            ]) : H.empty
            return H.group([
                H.div("page-head", H.h1(t("nav.calendar") + " · " + title),
                      H.div("actions",
                            H.a(URLQuery.build(Paths.calendar, base + [("date", CalendarGrid.shift(q.date, q.view, by: -1))]), "←", cls: "btn"),
                            H.a(URLQuery.build(Paths.calendar, base + [("date", today)]), t("calendar.today"), cls: "btn"),
                            H.a(URLQuery.build(Paths.calendar, base + [("date", CalendarGrid.shift(q.date, q.view, by: 1))]), "→", cls: "btn"))),
                H.div("toolbar", views, people.count > 1 ? H.el("form", [A("method", "get"), .cls("search-form")], [
                    H.void("input", [.type("hidden"), .name("view"), .value(q.view.rawValue)]),
                    H.void("input", [.type("hidden"), .name("date"), .value(q.date)]),
                    H.el("select", [.name("user"), A("aria-label", t("calendar.whose"))], people.map { u in
                        H.el("option", [.value(u.id!.uuidString), .flag("selected", u.id == q.user)], [H.text(u.name)])
                    }),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))]),
                ]) : H.empty),
                addForm,
                H.el("div", [.cls("calendar cal-\(q.view.rawValue)"), A("data-csrf", ctx.csrf)], days.map(cell)),
            ])
        }
    }
}

/// /api/v1/activities.
struct ActivityAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("activities", use: index)
        routes.post("activities", use: create)
        routes.patch("activities", ":id", use: update)
    }

    struct ActivityDTO: Content {
        var id: UUID
        var kind: String
        var title: String
        var startsAt: Date
        var endsAt: Date
        var location: String?
        var notes: String?
        var status: String
        var ownerID: UUID
        var customerID: UUID?

        init(_ a: Activity) {
            id = a.id!
            kind = a.kind.rawValue
            title = a.title
            startsAt = a.startsAt
            endsAt = a.endsAt
            location = a.location
            notes = a.notes
            status = a.status.rawValue
            ownerID = a.ownerID
            customerID = a.customerID
        }
    }

    struct Body: Content {
        var kind: String?
        var title: String?
        var date: String?
        var startTime: String?
        var endTime: String?
        var location: String?
        var notes: String?
        var customerID: UUID?
        var ownerID: UUID?
        var status: String?
    }

    func service(_ req: Request) throws -> ActivityService { ActivityService(db: req.db, actor: try req.actor, now: req.now) }

    /// A user's activities between two dates (inclusive): mine unless `user` names someone in my scope.
    @Sendable func index(req: Request) async throws -> [ActivityDTO] {
        let actor = try req.actor
        try actor.require(.view, .followUps)
        let q = try CalendarPages.query(req, actor: actor)
        guard try await actor.scopeUsers(.followUps, on: req.db).contains(where: { $0.id == q.user }) else { throw AppError.notFound }
        let tz = actor.org.timeZone
        func day(_ key: String, _ fallback: String) throws -> String {
            guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { return fallback }
            guard CalendarDate.isValid(raw) else { throw AppError.badRequest("error.badParameter") }
            return raw
        }
        let week = CalendarGrid.days(.week, around: q.date)
        let fromDay = try day("from", week.first ?? q.date), toDay = try day("to", week.last ?? q.date)
        guard let from = LocalTime.parse(fromDay + "T00:00", in: tz), let to = LocalTime.parse(toDay + "T00:00", in: tz)?.addingTimeInterval(86_400),
              from < to, to.timeIntervalSince(from) <= 400 * 86_400 else { throw AppError.badRequest("error.badParameter") }
        return try await service(req).between(from, to, owners: [q.user]).map(ActivityDTO.init)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let a = try await service(req).create(.init(kind: b.kind, title: b.title, date: b.date, startTime: b.startTime, endTime: b.endTime,
                                                    location: b.location, notes: b.notes, customerID: b.customerID?.uuidString, ownerID: b.ownerID))
        return try await ActivityDTO(a).encodeResponse(status: .created, for: req)
    }

    /// Moves to another day (`date`) and/or sets the status.
    @Sendable func update(req: Request) async throws -> ActivityDTO {
        let b = try req.content.decode(Body.self)
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        guard b.date != nil || b.status != nil else { throw AppError.badRequest("error.badParameter") }
        var a = try await req.actor.find(Activity.self, id, for: .edit, on: req.db)
        if b.date != nil { a = try await svc.move(id, to: b.date) }
        if b.status != nil { a = try await svc.setStatus(id, b.status) }
        return ActivityDTO(a)
    }
}
