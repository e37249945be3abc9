import Fluent
import Foundation
import GuanxiCore
import Vapor

struct TaskPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("tasks", use: index)
        routes.post("tasks", use: create)
        routes.get("tasks", ":id", use: show)
        routes.post("tasks", ":id", "status", use: status)
        routes.post("tasks", ":id", "review", use: review)
    }

    struct TaskForm: Content {
        var title: String?
        var details: String?
        var dueOn: String?
        var priority: String?
        var ownerID: String?
        var customerID: String?

        var input: TaskService.Input {
            .init(title: title, details: details, dueOn: dueOn, priority: priority, ownerID: ownerID.flatMap(UUID.init(uuidString:)), customerID: customerID)
        }
    }

    func service(_ req: Request) throws -> TaskService { TaskService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        let customer = (try? req.query.get(String.self, at: "customer")).flatMap(UUID.init(uuidString:))
        return try await render(req, form: TaskForm(priority: "normal", customerID: customer?.uuidString), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let form = try req.content.decode(TaskForm.self)
        do {
            let task = try await service(req).create(form.input)
            return req.redirect(Paths.task(task.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    static func badges(_ t: TaskItem, today: String, tr: Translator) -> HNode {
        H.group([
            H.span("badge task-\(t.status.rawValue)", tr(t.status.labelKey)),
            t.priority == .high || t.priority == .urgent ? H.span("badge badge-hot", tr(t.priority.labelKey)) : H.empty,
            t.status.isOverdue(dueOn: t.dueOn, today: today) ? H.span("badge badge-danger", tr("task.overdue")) : H.empty,
        ])
    }

    private func render(_ req: Request, form: TaskForm, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .tasks)
        let t = actor.t
        let view = (try? req.query.get(String.self, at: "view")) ?? "mine"
        let customer = form.customerID.flatMap(UUID.init(uuidString:))
        let tasks = try await service(req).list(.init(view: view, customerID: customer))
        let people = try await actor.scopeUsers(.tasks, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: req.db).filter(\.$id ~~ Array(Set(tasks.map(\.ownerID) + tasks.map(\.assignedBy)))).rows().map { ($0.id!, $0.name) })
        let customers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: req.db).filter(\.$id ~~ tasks.compactMap(\.customerID)).rows().map { ($0.id!, $0.name) })
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        return req.page(status, title: t("nav.tasks"), crumbs: [Crumb(label: t("nav.tasks"), href: nil)]) { ctx in
            let tabs = H.el("nav", [.cls("tabs"), A("aria-label", t("nav.tasks"))], [("mine", "task.mine"), ("assigned", "task.assigned"), ("team", "task.team")].map { key, label in
                H.el("a", [.href(URLQuery.build(Paths.tasks, [("view", key)])), .cls(key == view ? "tab active" : "tab"), A("aria-current", key == view ? "page" : nil)], [H.text(t(label))])
            })
            let addForm: HNode = actor.can(.create, .tasks) ? H.el("details", [.cls("quick-add card"), A("open", errors.isEmpty && customer == nil ? nil : "open")], [
                H.el("summary", [.cls("btn btn-primary")], [H.text(t("task.new"))]),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.tasks, csrf: ctx.csrf, cls: "form", [
                    Forms.input("title", label: t("task.title"), value: form.title, error: errors["title"].map { t($0) }, required: true, autofocus: !errors.isEmpty, extra: [A("maxlength", "200")]),
                    H.div("grid-form",
                          Forms.select("ownerID", label: t("task.owner"), options: people.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                       selected: form.ownerID ?? actor.userID.uuidString, error: errors["ownerID"].map { t($0) }),
                          Forms.input("dueOn", label: t("task.dueOn"), value: form.dueOn, error: errors["dueOn"].map { t($0) }, type: "date"),
                          Forms.select("priority", label: t("task.priority"), options: TaskPriority.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                       selected: form.priority, error: errors["priority"].map { t($0) })),
                    Forms.textarea("details", label: t("task.details"), value: form.details, error: errors["details"].map { t($0) }),
                    form.customerID.map { H.void("input", [.type("hidden"), .name("customerID"), .value($0)]) } ?? H.empty,
                    errors["customerID"].map { H.p(t($0), cls: "error") } ?? H.empty,
                    Forms.actions(Forms.submit(t("action.create"))),
                ]),
            ]) : H.empty
            let rows: [[HNode]] = tasks.map { task in [
                H.a(Paths.task(task.id!), task.title, cls: task.status.isClosed ? "muted" : "strong"),
                Self.badges(task, today: today, tr: t),
                H.text(task.dueOn ?? "—"),
                H.text(names[task.ownerID] ?? ""),
                H.text(task.assignedBy == task.ownerID ? "—" : (names[task.assignedBy] ?? "")),
                task.customerID.map { H.a(Paths.customer($0), customers[$0] ?? "") } ?? H.text("—"),
            ] }
            return H.group([
                H.div("page-head", H.h1(t("nav.tasks"))),
                tabs,
                addForm,
                Tables.table([t("task.title"), t("task.status"), t("task.dueOn"), t("task.owner"), t("task.assignedBy"), t("entity.customer")].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("task.empty"), hint: t("task.emptyHint"))),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let task = try await actor.find(TaskItem.self, req.parameters.get("id", as: UUID.self), for: .view, on: req.db)
        let t = actor.t
        let ids = [task.ownerID, task.assignedBy] + (task.reviewedBy.map { [$0] } ?? [])
        let names = Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: req.db).filter(\.$id ~~ ids).rows().map { ($0.id!, $0.name) })
        let customer = try await task.customerID.flatMap { id in actor.inOrg(Customer.self, on: req.db).filter(\.$id == id) }?.firstRow()
        let history = try await Audit.history(entity: TaskItem.entity, module: .tasks, id: task.id!, actor: actor, on: req.db)
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        let canEdit = actor.can(.edit, .tasks)
        return req.page(title: task.title, crumbs: [Crumb(label: t("nav.tasks"), href: Paths.tasks), Crumb(label: task.title, href: nil)]) { ctx in
            let moves = TaskStatus.allCases.filter { task.status.canMove(to: $0) }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(task.title), H.div("summary-badges", Self.badges(task, today: today, tr: t))),
                      canEdit ? H.div("actions", moves.map { s in
                          Forms.form(Paths.task(task.id!) + "/status", csrf: ctx.csrf, cls: "inline", [
                              H.void("input", [.type("hidden"), .name("status"), .value(s.rawValue)]),
                              H.el("button", [.type("submit"), .cls(s == .done ? "btn btn-primary" : "btn")], [H.text(t("task.moveTo.\(s.rawValue)"))]),
                          ])
                      }) : H.empty),
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], [
                    H.el("dt", [], [H.text(t("task.owner"))]), H.el("dd", [], [H.text(names[task.ownerID] ?? "")]),
                    H.el("dt", [], [H.text(t("task.assignedBy"))]), H.el("dd", [], [H.text(names[task.assignedBy] ?? "")]),
                    H.el("dt", [], [H.text(t("task.dueOn"))]), H.el("dd", [], [H.text(task.dueOn ?? "—")]),
                    H.el("dt", [], [H.text(t("task.priority"))]), H.el("dd", [], [H.text(t(task.priority.labelKey))]),
                    H.el("dt", [], [H.text(t("entity.customer"))]), H.el("dd", [], [customer.map { H.a(Paths.customer($0.id!), $0.name) } ?? H.text("—")]),
                    H.el("dt", [], [H.text(t("task.details"))]), H.el("dd", [.cls("timeline-content")], [H.text(task.details ?? "—")]),
                ])]),
                H.el("section", [.cls("card"), .id("review")], [
                    H.h2(t("task.review")),
                    task.review.map { r in H.div("", H.p(r, cls: "timeline-content"),
                                                 H.span("muted", "\(task.reviewedBy.flatMap { names[$0] } ?? "") · \(task.reviewedAt.map(ctx.dateTime) ?? "")")) }
                        ?? H.p(t("task.noReview"), cls: "muted"),
                    task.ownerID != actor.userID ? Forms.form(Paths.task(task.id!) + "/review", csrf: ctx.csrf, cls: "form", [
                        Forms.textarea("review", label: t("task.writeReview"), value: nil, error: nil),
                        Forms.actions(Forms.submit(t("action.save"))),
                    ]) : H.empty,
                ]),
                H.el("section", [.cls("card")], [H.h2(t("history.title")), HistoryView.render(history, ctx: ctx, label: { t("task.\($0)") }, display: { _, v in v ?? "" })]),
            ])
        }
    }

    @Sendable func status(req: Request) async throws -> Response {
        struct Body: Content { var status: String? }
        let task = try await service(req).setStatus(req.parameters.get("id", as: UUID.self), try req.content.decode(Body.self).status)
        return req.redirect(Paths.task(task.id!), flash: Flash(.success, "flash.saved"))
    }

    @Sendable func review(req: Request) async throws -> Response {
        struct Body: Content { var review: String? }
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let task = try await service(req).review(id, try req.content.decode(Body.self).review)
            return req.redirect(Paths.task(task.id!) + "#review", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect((id.map(Paths.task) ?? Paths.tasks) + "#review", flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }
}

/// /api/v1/tasks.
struct TaskAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("tasks", use: index)
        routes.post("tasks", use: create)
        routes.get("tasks", ":id", use: show)
        routes.patch("tasks", ":id", use: update)
        routes.post("tasks", ":id", "review", use: review)
    }

    struct TaskDTO: Content {
        var id: UUID
        var title: String
        var details: String?
        var dueOn: String?
        var priority: String
        var status: String
        var ownerID: UUID
        var assignedBy: UUID
        var customerID: UUID?
        var review: String?
        var completedAt: Date?

        init(_ t: TaskItem) {
            id = t.id!
            title = t.title
            details = t.details
            dueOn = t.dueOn
            priority = t.priority.rawValue
            status = t.status.rawValue
            ownerID = t.ownerID
            assignedBy = t.assignedBy
            customerID = t.customerID
            review = t.review
            completedAt = t.completedAt
        }
    }

    struct Body: Content {
        var title: String?
        var details: String?
        var dueOn: String?
        var priority: String?
        var ownerID: UUID?
        var customerID: UUID?
        var status: String?
        var review: String?
    }

    func service(_ req: Request) throws -> TaskService { TaskService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> [TaskDTO] {
        let status = try (try? req.query.get(String.self, at: "status")).map { raw -> TaskStatus in
            guard let s = TaskStatus(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            return s
        }
        let view = (try? req.query.get(String.self, at: "view")) ?? "mine"
        guard ["mine", "assigned", "team"].contains(view) else { throw AppError.badRequest("error.badParameter") }
        return try await service(req).list(.init(view: view, status: status)).map(TaskDTO.init)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let task = try await service(req).create(.init(title: b.title, details: b.details, dueOn: b.dueOn, priority: b.priority, ownerID: b.ownerID,
                                                       customerID: b.customerID?.uuidString))
        return try await TaskDTO(task).encodeResponse(status: .created, for: req)
    }

    @Sendable func show(req: Request) async throws -> TaskDTO {
        TaskDTO(try await req.actor.find(TaskItem.self, req.parameters.get("id", as: UUID.self), for: .view, on: req.db))
    }

    /// Moves the status; other fields are set when the task is made.
    @Sendable func update(req: Request) async throws -> TaskDTO {
        let b = try req.content.decode(Body.self)
        return TaskDTO(try await service(req).setStatus(req.parameters.get("id", as: UUID.self), b.status))
    }

    @Sendable func review(req: Request) async throws -> TaskDTO {
        let b = try req.content.decode(Body.self)
        return TaskDTO(try await service(req).review(req.parameters.get("id", as: UUID.self), b.review))
    }
}
