import Fluent
import SQLKit
import Foundation
import GuanxiCore
import Vapor

/// The home dashboard (工作台, PLT-24): widgets each user adds, removes and orders; each one draws
/// only what the user's role and data scope allow.
struct HomePage: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get(use: show)
        routes.post("dashboard", use: change)
    }

    /// Whether the user's role gives the widget anything to show.
    static func available(_ key: String, actor: Actor) -> Bool {
        switch key {
        case "numbers", "hot", "recent": actor.can(.view, .customers)
        case "due", "followUps", "chart": actor.can(.view, .followUps)
        case "tasks": actor.can(.view, .tasks)
        case "claims": actor.can(.view, .customers)
        default: true
        }
    }

    static func widgets(_ actor: Actor, on db: Database) async throws -> [String] {
        let user = try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).firstRow()
        return DashboardLayout.parse(user?.dashboard).filter { available($0, actor: actor) }
    }

    static func save(_ widgets: [String], actor: Actor, on db: Database) async throws {
        try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).set(\.$dashboard, to: DashboardLayout.store(widgets)).update()
    }

    /// Add, remove or move one widget (forms on the dashboard in edit mode).
    @Sendable func change(req: Request) async throws -> Response {
        let actor = try req.actor
        struct Body: Content { var action: String?; var widget: String? }
        let b = try req.content.decode(Body.self)
        guard let key = b.widget, DashboardLayout.all.contains(key) else { throw AppError.badRequest("error.badParameter") }
        let user = try await actor.inOrg(User.self, on: req.db).filter(\.$id == actor.userID).firstRow()
        let current = DashboardLayout.parse(user?.dashboard)
        let next: [String]
        switch b.action {
        case "add": next = DashboardLayout.add(key, to: current)
        case "remove": next = DashboardLayout.remove(key, from: current)
        case "up": next = DashboardLayout.move(key, up: true, in: current)
        case "down": next = DashboardLayout.move(key, up: false, in: current)
        default: throw AppError.badRequest("error.badParameter")
        }
        try await Self.save(next, actor: actor, on: req.db)
        return req.redirect("/?edit=1#w-\(key)")
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let editing = (try? req.query.get(String.self, at: "edit")) == "1"
        let widgets = try await Self.widgets(actor, on: req.db)
        var bodies: [String: (PageContext) -> HNode] = [:]
        for key in widgets { bodies[key] = try await widget(key, req: req, actor: actor) }
        let addable = DashboardLayout.all.filter { !widgets.contains($0) && Self.available($0, actor: actor) }
        return req.page(title: t("nav.home"), crumbs: []) { ctx in
            let cards = widgets.map { key -> HNode in
                let controls: HNode = editing ? H.div("widget-controls", ["up", "down", "remove"].map { action in
                    Forms.form("/dashboard", csrf: ctx.csrf, cls: "inline", [
                        H.void("input", [.type("hidden"), .name("widget"), .value(key)]),
                        H.void("input", [.type("hidden"), .name("action"), .value(action)]),
                        H.el("button", [.type("submit"), .cls("btn btn-small"), A("aria-label", "\(t("widget.\(key)")) · \(t("widget.\(action)"))")],
                             [H.text(action == "up" ? "↑" : action == "down" ? "↓" : "✕")]),
                    ])
                }) : H.empty
                return H.el("section", [.cls("card widget widget-\(key)"), .id("w-\(key)")], [
                    H.div("section-head", H.h2(t("widget.\(key)")), controls),
                    bodies[key]?(ctx) ?? H.empty,
                ])
            }
            let addForm: HNode = editing && !addable.isEmpty ? Forms.form("/dashboard", csrf: ctx.csrf, cls: "toolbar", [
                H.void("input", [.type("hidden"), .name("action"), .value("add")]),
                H.el("select", [.name("widget"), A("aria-label", t("widget.add"))], addable.map { H.el("option", [.value($0)], [H.text(t("widget.\($0)"))]) }),
                H.el("button", [.type("submit"), .cls("btn btn-primary")], [H.text(t("widget.add"))]),
            ]) : H.empty
            return H.group([
                H.div("page-head", H.h1(t("home.hello", actor.name)),
                      H.a(editing ? "/" : "/?edit=1", t(editing ? "widget.done" : "widget.customize"), cls: "btn")),
                addForm,
                widgets.isEmpty ? Tables.emptyState(t("widget.none"), hint: t("widget.noneHint"), action: H.a("/?edit=1", t("widget.customize"), cls: "btn btn-primary")) : H.empty,
                H.div("dashboard", cards),
            ])
        }
    }

    /// Loads one widget's data and returns how to draw it.
    private func widget(_ key: String, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let t = actor.t
        let db = req.db
        let tz = actor.org.timeZone
        let today = CalendarDate.of(req.now, in: tz)
        let monthDay = String(today.prefix(8)) + "01"
        let monthStart = LocalTime.parse(monthDay + "T00:00", in: tz) ?? req.now
        switch key {
        case "numbers":
            // One's own records are always in scope, so these count straight down the owner indexes;
            // everything visible is counted up to a cap (a branch manager sees hundreds of thousands).
            try actor.require(.view, .customers)
            let mine = try await actor.inOrg(Customer.self, on: db).filter(\.$ownerID == actor.userID).countRows()
            let cap = 10_000
            let visible = try await (db as! any SQLDatabase).raw("""
                SELECT COUNT(*) AS n FROM (SELECT 1 FROM customers WHERE deleted_at IS NULL AND \(try actor.scopeSQL(Customer.self)) LIMIT \(literal: cap + 1)) AS visible
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            let newThisMonth = try await actor.inOrg(Customer.self, on: db).filter(\.$ownerID == actor.userID).filter(\.$createdAt >= monthStart).countRows()
            // From the day tallies: counting the rows read every follow-up of the month (a rep who logs
            // hundreds a day made the dashboard slower every day of the month).
            let monthEnd = CalendarDate.addingMonths(1, to: monthDay).flatMap { CalendarDate.adding(-1, to: $0) } ?? today
            let followUps = actor.can(.view, .followUps) ? try await Self.myFollowUps(actor, from: monthDay, to: monthEnd, on: db) : 0
            return { _ in
                H.div("stats",
                      Self.stat(String(mine), t("home.myCustomers"), URLQuery.build(Paths.customers, [("owner", actor.userID.uuidString)])),
                      Self.stat(visible > cap ? "\(cap)+" : String(visible), t("home.visibleCustomers"), Paths.customers),
                      Self.stat(String(newThisMonth), t("widget.newThisMonth"), nil),
                      Self.stat(String(followUps), t("widget.followUpsThisMonth"), URLQuery.build(Paths.followUps, [("tab", "mine")])))
            }
        case "due":
            let due = try await FollowUpService(db: db, actor: actor, now: req.now).due(on: today, limit: 20)
            let names = try await FollowUpNames.load(due, actor: actor, on: db, now: req.now)
            return { _ in
                due.isEmpty ? H.p(t("widget.dueNone"), cls: "muted") : H.el("ul", [.cls("plain-list")], due.map { f in
                    H.el("li", [], [H.a(Paths.customer(f.customerID) + "#follow-ups", names.customers[f.customerID] ?? ""),
                                    H.span(f.nextContactOn == today ? "strong" : "muted", "\(f.nextContactOn ?? "") \(f.nextPlan ?? "")")])
                })
            }
        case "followUps":
            let page = try await FollowUpService(db: db, actor: actor, now: req.now).list(.init(ownerID: actor.userID, limit: 6))
            let names = try await FollowUpNames.load(page.items, actor: actor, on: db, now: req.now)
            return { ctx in
                page.items.isEmpty ? H.p(t("followUp.empty"), cls: "muted") : H.el("ul", [.cls("plain-list")], page.items.map { f in
                    H.el("li", [], [H.div("", H.a(Paths.customer(f.customerID) + "#f-\(f.id!.uuidString)", names.customers[f.customerID] ?? ""),
                                          H.p(String(f.content.prefix(60)), cls: "small muted")),
                                    H.span("muted", ctx.dateTime(f.happenedAt))])
                })
            }
        case "hot":
            let hot = try await actor.query(Customer.self, .view, on: db).filter(\.$isHot == true).sort(\.$updatedAt, .descending).limit(8).rows()
            return { _ in
                hot.isEmpty ? H.p(t("widget.hotNone"), cls: "muted") : H.el("ul", [.cls("plain-list")], hot.map { c in
                    H.el("li", [], [H.a(Paths.customer(c.id!), c.name), H.span("muted", c.number ?? "")])
                })
            }
        case "reminders":
            let items = try await actor.inOrg(UserNotification.self, on: db).filter(\.$userID == actor.userID).filter(\.$readAt == nil)
                .sort(\.$createdAt, .descending).limit(6).rows()
            return { ctx in
                items.isEmpty ? H.p(t("widget.remindersNone"), cls: "muted") : H.el("ul", [.cls("plain-list")], items.map { n in
                    H.el("li", [], [n.link == nil ? H.text(n.text(t)) : H.el("form", [A("method", "post"), A("action", Paths.notificationOpen(n.id!)), .cls("inline")], [
                        H.void("input", [.type("hidden"), .name("_csrf"), .value(ctx.csrf)]),
                        H.el("button", [.type("submit"), .cls("link-button")], [H.text(n.text(t))]),
                    ]), H.span("muted", ctx.dateTime(n.createdAt))])
                })
            }
        case "claims":
            let waiting = try await ClaimRequestService(db: db, actor: actor, now: req.now).toDecide()
            return { _ in
                waiting.isEmpty ? H.p(t("widget.claimsNone"), cls: "muted")
                    : H.div("", H.p(t("widget.claimsWaiting", String(waiting.count))), H.a(Paths.claimRequests, t("widget.decide"), cls: "btn btn-small"))
            }
        case "tasks":
            let tasks = try await TaskService(db: db, actor: actor, now: req.now).list(.init(view: "mine", limit: 50)).filter { !$0.status.isClosed }.prefix(8)
            return { _ in
                tasks.isEmpty ? H.p(t("widget.tasksNone"), cls: "muted") : H.el("ul", [.cls("plain-list")], tasks.map { task in
                    H.el("li", [], [H.a(Paths.task(task.id!), task.title),
                                    H.span(task.status.isOverdue(dueOn: task.dueOn, today: today) ? "strong overdue" : "muted", task.dueOn ?? "")])
                })
            }
        case "announcements":
            let items = try await AnnouncementService(db: db, actor: actor, now: req.now).mine(limit: 5)
            return { ctx in
                items.isEmpty ? H.p(t("widget.announcementsNone"), cls: "muted") : H.el("ul", [.cls("plain-list")], items.map { a, read in
                    H.el("li", [], [H.a(Paths.announcement(a.id!), a.title, cls: read ? nil : "strong"), H.span("muted", ctx.dateTime(a.publishedAt))])
                })
            }
        case "recent":
            // The customers I opened last (cheap at any size: my own views, then a look-up by id within scope).
            let views = try await actor.inOrg(CustomerView.self, on: db).filter(\.$userID == actor.userID).sort(\.$viewedAt, .descending).limit(8).rows()
            let rows = try await actor.query(Customer.self, .view, on: db).filter(\.$id ~~ views.map(\.customerID)).rows()
            let order = Dictionary(uniqueKeysWithValues: views.enumerated().map { ($0.element.customerID, $0.offset) })
            let recent = rows.sorted { (order[$0.id!] ?? 0) < (order[$1.id!] ?? 0) }
            return { ctx in
                recent.isEmpty
                    ? Tables.emptyState(t("customer.emptyTitle"), hint: t("customer.emptyHint"),
                                        action: actor.can(.create, .customers) ? H.a(Paths.newCustomer, t("customer.new"), cls: "btn btn-primary") : H.empty)
                    : H.el("ul", [.cls("plain-list")], recent.map { c in H.el("li", [], [H.a(Paths.customer(c.id!), c.name), H.span("muted", ctx.dateTime(c.updatedAt))]) })
            }
        case "chart":
            // My follow-ups per day over the last two weeks.
            guard let range = Stats.Range.days(.day, from: CalendarDate.adding(-13, to: today) ?? today, to: today, in: tz) else { return { _ in H.empty } }
            let rows = try await FollowUpStats(db: db, actor: actor, range: range).counts(.period, ownerID: actor.userID)
            let byDay = Dictionary(rows.map { ($0.key, $0.count) }) { a, _ in a }
            let points = (0..<14).compactMap { CalendarDate.adding($0 - 13, to: today) }.map { Charts.Point(label: String($0.suffix(5)), value: Double(byDay[$0] ?? 0)) }
            return { _ in Charts.bar(points, title: t("widget.chart")) }
        default:
            return { _ in H.empty }
        }
    }

    /// The actor's own follow-ups dated from one day to another (inclusive), in the organisation's days.
    static func myFollowUps(_ actor: Actor, from: String, to: String, on db: Database) async throws -> Int {
        guard let range = Stats.Range.days(.month, from: from, to: to, in: actor.org.timeZone) else { return 0 }
        return try await FollowUpStats(db: db, actor: actor, range: range).counts(.owner, ownerID: actor.userID).reduce(0) { $0 + $1.count }
    }

    static func stat(_ value: String, _ label: String, _ href: String?) -> HNode {
        H.el(href == nil ? "div" : "a", [A("href", href), .cls("stat")], [H.div("stat-value", H.text(value)), H.div("stat-label", H.text(label))])
    }
}

/// /api/v1/dashboard: the signed-in user's widget order.
struct DashboardAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("dashboard", use: show)
        routes.put("dashboard", use: replace)
    }

    struct LayoutDTO: Content {
        var widgets: [String]
        var available: [String]?
    }

    @Sendable func show(req: Request) async throws -> LayoutDTO {
        let actor = try req.actor
        return LayoutDTO(widgets: try await HomePage.widgets(actor, on: req.db),
                         available: DashboardLayout.all.filter { HomePage.available($0, actor: actor) })
    }

    @Sendable func replace(req: Request) async throws -> LayoutDTO {
        let actor = try req.actor
        let body = try req.content.decode(LayoutDTO.self)
        guard DashboardLayout.validate(body.widgets) else {
            var e = FieldErrors()
            e.add("widgets", "error.invalidOption")
            throw AppError.invalid(e)
        }
        try await HomePage.save(body.widgets, actor: actor, on: req.db)
        return try await show(req: req)
    }
}
