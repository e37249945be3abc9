import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /plans: my plan (or a subordinate's) for a day, week or month; /plans/team: everyone's progress.
struct PlanPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("plans", use: page)
        routes.get("plans", "team", use: team)
        routes.post("plans", "items", use: addItem)
        routes.post("plans", "items", ":id", use: updateItem)
        routes.post("plans", "items", ":id", "delete", use: removeItem)
        routes.post("plans", ":id", "summary", use: summary)
        routes.post("plans", ":id", "review", use: review)
    }

    func service(_ req: Request) throws -> PlanService { PlanService(db: req.db, actor: try req.actor, now: req.now) }

    /// The plan a page or form names: ?period=week&date=…&owner=…
    static func key(_ req: Request, content: Bool = false) throws -> PlanService.Key {
        struct Fields: Content { var period: String?; var date: String?; var owner: String? }
        let f = content ? try req.content.decode(Fields.self) : try req.query.decode(Fields.self)
        let owner = try Check.clean(f.owner).map { raw -> UUID in
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            return id
        }
        return .init(ownerID: owner, period: f.period, date: f.date)
    }

    @Sendable func page(req: Request) async throws -> Response {
        try await render(req, key: try Self.key(req), draft: nil, errors: [:])
    }

    @Sendable func addItem(req: Request) async throws -> Response {
        struct Body: Content { var text: String? }
        let key = try Self.key(req, content: true)
        let text = try req.content.decode(Body.self).text
        do {
            let (plan, _) = try await service(req).addItem(key, text: text)
            return req.redirect(Paths.plan(plan) + "#items", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity && e.fields["text"] != nil {
            return try await render(req, key: key, draft: text, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func updateItem(req: Request) async throws -> Response {
        struct Body: Content { var done: String?; var text: String? }
        let b = try req.content.decode(Body.self)
        do {
            let (plan, _) = try await service(req).updateItem(req.parameters.get("id", as: UUID.self), done: b.done.map { $0 == "1" || $0 == "true" }, text: b.text)
            return req.redirect(Paths.plan(plan) + "#items")
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(req.headers.first(name: .referer) ?? Paths.plans, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func removeItem(req: Request) async throws -> Response {
        let plan = try await service(req).removeItem(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.plan(plan) + "#items", flash: Flash(.success, "flash.saved"))
    }

    @Sendable func summary(req: Request) async throws -> Response {
        struct Body: Content { var summary: String? }
        let plan = try await service(req).writeSummary(req.parameters.get("id", as: UUID.self), try req.content.decode(Body.self).summary)
        return req.redirect(Paths.plan(plan) + "#summary", flash: Flash(.success, "flash.saved"))
    }

    @Sendable func review(req: Request) async throws -> Response {
        struct Body: Content { var review: String? }
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let plan = try await service(req).review(id, try req.content.decode(Body.self).review)
            return req.redirect(Paths.plan(plan) + "#review", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(req.headers.first(name: .referer) ?? Paths.plans, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    /// Period tabs, previous / this / next, shared by both pages.
    static func periodBar(_ path: String, period: PlanPeriod, startsOn: String, owner: UUID?, today: String, t: Translator) -> (tabs: HNode, nav: HNode, title: String) {
        func link(_ p: PlanPeriod, _ date: String) -> String {
            URLQuery.build(path, [("period", p.rawValue), ("date", date), ("owner", owner?.uuidString)])
        }
        let tabs = H.el("nav", [.cls("tabs"), A("aria-label", t("nav.plans"))], PlanPeriod.allCases.map { p in
            H.el("a", [.href(link(p, startsOn)), .cls(p == period ? "tab active" : "tab"), A("aria-current", p == period ? "page" : nil)], [H.text(t(p.labelKey))])
        })
        let nav = H.div("actions",
                        H.a(link(period, period.moving(-1, from: startsOn) ?? startsOn), "←", cls: "btn"),
                        H.a(link(period, today), t("plan.current.\(period.rawValue)"), cls: "btn"),
                        H.a(link(period, period.moving(1, from: startsOn) ?? startsOn), "→", cls: "btn"))
        let end = period.end(of: startsOn) ?? startsOn
        let title = period == .day ? startsOn : period == .month ? String(startsOn.prefix(7)) : "\(startsOn) – \(end)"
        return (tabs, nav, title)
    }

    static func progress(done: Int, total: Int, t: Translator) -> HNode {
        let pct = planCompletion(done: done, total: total)
        return H.div("plan-progress",
                     H.el("progress", [.cls("progress"), A("max", "100"), .value(String(pct)), A("aria-label", t("plan.completion"))], []),
                     H.span("muted small", "\(done)/\(total) · \(pct)%"))
    }

    private func render(_ req: Request, key: PlanService.Key, draft: String?, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let service = try service(req)
        let r: PlanService.Resolved
        do { r = try await service.resolve(key) } catch let e as AppError where e.status == .unprocessableEntity { throw AppError.badRequest("error.badParameter") }
        let plan = try await service.find(r)
        var items: [PlanItem] = []
        if let plan { items = try await service.items(of: plan) }
        let people = try await actor.scopeUsers(.tasks, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0.name) })
        var history: [AuditEntry] = []
        if let plan { history = try await Audit.history(entity: Plan.entity, module: .tasks, id: plan.id!, actor: actor, on: req.db) }
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        let mine = r.owner.id == actor.userID
        let canAdd = actor.can(.create, .tasks)
        let canEdit = actor.can(.edit, .tasks)
        let ownerParam: UUID? = mine ? nil : r.owner.id
        let bar = Self.periodBar(Paths.plans, period: r.period, startsOn: r.startsOn, owner: ownerParam, today: today, t: t)
        let heading = mine ? t("plan.mine") : t("plan.of", r.owner.name)
        return req.page(status, title: t("nav.plans"), crumbs: [Crumb(label: t("nav.plans"), href: Paths.plans), Crumb(label: bar.title, href: nil)]) { ctx in
            let hidden: [HNode] = [
                H.void("input", [.type("hidden"), .name("period"), .value(r.period.rawValue)]),
                H.void("input", [.type("hidden"), .name("date"), .value(r.startsOn)]),
                H.void("input", [.type("hidden"), .name("owner"), .value(r.owner.id!.uuidString)]),
            ]
            let rows: [HNode] = items.map { item in
                H.el("li", [.cls(item.done ? "plan-item done" : "plan-item")], [
                    canEdit ? Forms.form("/plans/items/\(item.id!.uuidString)", csrf: ctx.csrf, cls: "inline", [
                        H.void("input", [.type("hidden"), .name("done"), .value(item.done ? "0" : "1")]),
                        H.el("button", [.type("submit"), .cls("check"), A("aria-pressed", item.done ? "true" : "false"),
                                        A("title", t(item.done ? "plan.undo" : "plan.markDone"))], [H.text(item.done ? "☑" : "☐")]),
                    ]) : H.span("check", item.done ? "☑" : "☐"),
                    H.span("plan-text", item.text),
                    item.addedBy != r.owner.id ? H.span("badge", t("plan.addedBy", names[item.addedBy] ?? "")) : H.empty,
                    canEdit ? Forms.postButton("/plans/items/\(item.id!.uuidString)/delete", label: "×", csrf: ctx.csrf, cls: "btn btn-small btn-ghost", confirm: t("plan.confirmRemove")) : H.empty,
                ])
            }
            let addForm: HNode = canAdd ? Forms.form("/plans/items", csrf: ctx.csrf, cls: "inline-form plan-add", hidden + [
                Forms.input("text", label: t(mine ? "plan.newItem" : "plan.assignItem"), value: draft, error: errors["text"].map { t($0) },
                            autofocus: !errors.isEmpty, extra: [A("maxlength", "500")]),
                H.el("button", [.type("submit"), .cls("btn btn-primary")], [H.text(t("plan.add"))]),
            ]) : H.empty
            let whose: HNode = people.count > 1 ? H.el("form", [A("method", "get"), .cls("search-form")], [
                H.void("input", [.type("hidden"), .name("period"), .value(r.period.rawValue)]),
                H.void("input", [.type("hidden"), .name("date"), .value(r.startsOn)]),
                H.el("select", [.name("owner"), A("aria-label", t("plan.whose"))], people.map { u in
                    H.el("option", [.value(u.id!.uuidString), .flag("selected", u.id == r.owner.id)], [H.text(u.name)])
                }),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))]),
            ]) : H.empty
            let done = items.filter(\.done).count
            return H.group([
                H.div("page-head", H.div("title-block", H.h1("\(heading) · \(bar.title)"), H.span("muted", t(r.period.labelKey))), bar.nav),
                H.div("toolbar", bar.tabs, whose, people.count > 1 ? H.a(URLQuery.build(Paths.teamPlans, [("period", r.period.rawValue), ("date", r.startsOn)]), t("plan.team"), cls: "btn") : H.empty),
                H.el("section", [.cls("card"), .id("items")], [
                    H.div("card-head", H.h2(t("plan.items")), Self.progress(done: done, total: items.count, t: t)),
                    items.isEmpty ? Tables.emptyState(t("plan.empty"), hint: t(mine ? "plan.emptyHint" : "plan.emptyHintOther")) : H.el("ul", [.cls("plan-items")], rows),
                    addForm,
                ]),
                H.el("section", [.cls("card"), .id("summary")], [
                    H.h2(t("plan.summary")),
                    mine && plan != nil
                        ? Forms.form("/plans/\(plan!.id!.uuidString)/summary", csrf: ctx.csrf, cls: "form", [
                            Forms.textarea("summary", label: t("plan.writeSummary"), value: plan?.summary, error: nil, rows: 4),
                            Forms.actions(Forms.submit(t("action.save"))),
                        ])
                        : H.p(plan?.summary ?? t("plan.noSummary"), cls: plan?.summary == nil ? "muted" : "timeline-content"),
                ]),
                H.el("section", [.cls("card"), .id("review")], [
                    H.h2(t("plan.review")),
                    plan?.review.map { text in H.div("", H.p(text, cls: "timeline-content"),
                                                     H.span("muted", "\(plan?.reviewedBy.flatMap { names[$0] } ?? "") · \(plan?.reviewedAt.map(ctx.dateTime) ?? "")")) }
                        ?? H.p(t("plan.noReview"), cls: "muted"),
                    !mine && plan != nil ? Forms.form("/plans/\(plan!.id!.uuidString)/review", csrf: ctx.csrf, cls: "form", [
                        Forms.textarea("review", label: t("plan.writeReview"), value: nil, error: nil),
                        Forms.actions(Forms.submit(t("action.save"))),
                    ]) : H.empty,
                ]),
                plan == nil ? H.empty : H.el("section", [.cls("card")], [H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { t("plan.\($0)") }, display: { field, v in
                        switch field {
                        case "owner": v.flatMap(UUID.init(uuidString:)).flatMap { names[$0] } ?? (v ?? "")
                        case "period": v.flatMap(PlanPeriod.init(rawValue:)).map { t($0.labelKey) } ?? (v ?? "")
                        default: v ?? ""
                        }
                    })]),
            ])
        }
    }

    @Sendable func team(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let key = try Self.key(req)
        let r: PlanService.Resolved
        do { r = try await service(req).resolve(PlanService.Key(ownerID: nil, period: key.period, date: key.date)) }
        catch let e as AppError where e.status == .unprocessableEntity { throw AppError.badRequest("error.badParameter") }
        let rows = try await service(req).team(period: r.period, startsOn: r.startsOn)
        let departments = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Department.self, on: req.db).rows().map { ($0.id!, $0.name) })
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        let bar = Self.periodBar(Paths.teamPlans, period: r.period, startsOn: r.startsOn, owner: nil, today: today, t: t)
        return req.page(title: t("plan.team"), crumbs: [Crumb(label: t("nav.plans"), href: Paths.plans), Crumb(label: t("plan.team"), href: nil)]) { _ in
            let table = Tables.table([t("plan.person"), t("employee.department"), t("plan.completion"), t("plan.summary"), t("plan.review")].map { Tables.Column($0) },
                                     rows: rows.map { row in [
                                         H.a(Paths.plan(period: r.period, date: r.startsOn, owner: row.user.id), row.user.name, cls: "strong"),
                                         H.text(row.user.departmentID.flatMap { departments[$0] } ?? "—"),
                                         row.total == 0 ? H.span("muted", t("plan.none")) : Self.progress(done: row.done, total: row.total, t: t),
                                         H.text(row.plan?.summary == nil ? "—" : "✓"),
                                         H.text(row.plan?.review == nil ? "—" : "✓"),
                                     ] },
                                     sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("plan.teamEmpty"), hint: nil))
            return H.group([
                H.div("page-head", H.h1("\(t("plan.team")) · \(bar.title)"), bar.nav),
                H.div("toolbar", bar.tabs, H.a(URLQuery.build(Paths.plans, [("period", r.period.rawValue), ("date", r.startsOn)]), t("plan.mine"), cls: "btn")),
                table,
            ])
        }
    }
}

/// /api/v1/plans.
struct PlanAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("plans", use: show)
        routes.get("plans", "team", use: team)
        routes.post("plans", "items", use: addItem)
        routes.patch("plans", "items", ":id", use: updateItem)
        routes.delete("plans", "items", ":id", use: removeItem)
        routes.put("plans", ":id", "summary", use: summary)
        routes.post("plans", ":id", "review", use: review)
    }

    struct ItemDTO: Content {
        var id: UUID
        var text: String
        var done: Bool
        var doneAt: Date?
        var addedBy: UUID

        init(_ i: PlanItem) { id = i.id!; text = i.text; done = i.done; doneAt = i.doneAt; addedBy = i.addedBy }
    }

    struct PlanDTO: Content {
        var id: UUID?
        var ownerID: UUID
        var period: String
        var startsOn: String
        var endsOn: String
        var summary: String?
        var review: String?
        var reviewedBy: UUID?
        var items: [ItemDTO]
        var done: Int
        var total: Int
        var completion: Int
    }

    struct TeamRowDTO: Content {
        var ownerID: UUID
        var name: String
        var planID: UUID?
        var done: Int
        var total: Int
        var completion: Int
        var summarized: Bool
        var reviewed: Bool
    }

    struct Body: Content {
        var period: String?
        var date: String?
        var ownerID: UUID?
        var text: String?
        var done: Bool?
        var summary: String?
        var review: String?
    }

    func service(_ req: Request) throws -> PlanService { PlanService(db: req.db, actor: try req.actor, now: req.now) }

    func dto(_ plan: Plan?, _ r: PlanService.Resolved, _ req: Request) async throws -> PlanDTO {
        var items: [PlanItem] = []
        if let plan { items = try await service(req).items(of: plan) }
        let done = items.filter(\.done).count
        return PlanDTO(id: plan?.id, ownerID: r.owner.id!, period: r.period.rawValue, startsOn: r.startsOn, endsOn: r.period.end(of: r.startsOn) ?? r.startsOn,
                       summary: plan?.summary, review: plan?.review, reviewedBy: plan?.reviewedBy, items: items.map(ItemDTO.init),
                       done: done, total: items.count, completion: planCompletion(done: done, total: items.count))
    }

    func resolved(_ plan: Plan, _ req: Request) async throws -> PlanService.Resolved {
        try await service(req).resolve(.init(ownerID: plan.ownerID, period: plan.period.rawValue, date: plan.startsOn))
    }

    /// The plan of ?period&date&ownerID (an empty plan without an id while nothing is written).
    @Sendable func show(req: Request) async throws -> PlanDTO {
        struct Q: Content { var period: String?; var date: String?; var ownerID: UUID? }
        let q = try req.query.decode(Q.self)
        let r = try await service(req).resolve(.init(ownerID: q.ownerID, period: q.period, date: q.date))
        return try await dto(try await service(req).find(r), r, req)
    }

    @Sendable func team(req: Request) async throws -> [TeamRowDTO] {
        struct Q: Content { var period: String?; var date: String? }
        let q = try req.query.decode(Q.self)
        let r = try await service(req).resolve(.init(ownerID: nil, period: q.period, date: q.date))
        return try await service(req).team(period: r.period, startsOn: r.startsOn).map { row in
            TeamRowDTO(ownerID: row.user.id!, name: row.user.name, planID: row.plan?.id, done: row.done, total: row.total, completion: row.completion,
                       summarized: row.plan?.summary != nil, reviewed: row.plan?.review != nil)
        }
    }

    @Sendable func addItem(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let (plan, _) = try await service(req).addItem(.init(ownerID: b.ownerID, period: b.period, date: b.date), text: b.text)
        return try await dto(plan, try await resolved(plan, req), req).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateItem(req: Request) async throws -> PlanDTO {
        let b = try req.content.decode(Body.self)
        let (plan, _) = try await service(req).updateItem(req.parameters.get("id", as: UUID.self), done: b.done, text: b.text)
        return try await dto(plan, try await resolved(plan, req), req)
    }

    @Sendable func removeItem(req: Request) async throws -> PlanDTO {
        let plan = try await service(req).removeItem(req.parameters.get("id", as: UUID.self))
        return try await dto(plan, try await resolved(plan, req), req)
    }

    @Sendable func summary(req: Request) async throws -> PlanDTO {
        let plan = try await service(req).writeSummary(req.parameters.get("id", as: UUID.self), try req.content.decode(Body.self).summary)
        return try await dto(plan, try await resolved(plan, req), req)
    }

    @Sendable func review(req: Request) async throws -> PlanDTO {
        let plan = try await service(req).review(req.parameters.get("id", as: UUID.self), try req.content.decode(Body.self).review)
        return try await dto(plan, try await resolved(plan, req), req)
    }
}
