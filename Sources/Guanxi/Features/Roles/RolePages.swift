import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /admin/roles: the permission matrix (module × action), a data scope per module, and field rules.
struct RolePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "roles", use: index)
        routes.get("admin", "roles", "new", use: newForm)
        routes.post("admin", "roles", "new", use: create)
        routes.get("admin", "roles", ":id", use: edit)
        routes.post("admin", "roles", ":id", use: update)
        routes.post("admin", "roles", ":id", "delete", use: delete)
    }

    func service(_ req: Request) throws -> RoleService { RoleService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let roles = try await svc.list()
        let counts = try await svc.memberCounts()
        let t = actor.t
        return req.page(title: t("nav.roles"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.roles"), href: nil)]) { ctx in
            let rows: [[HNode]] = roles.map { r in
                [
                    H.el("a", [.href(Paths.adminRole(r.id!)), .cls("strong")], [H.text(r.name)]),
                    H.text(r.summary ?? ""),
                    H.text(t(r.policy.scopes[.customers]?.labelKey ?? DataScope.own.labelKey)),
                    H.text(String(counts[r.id!] ?? 0)),
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.roles")), actor.can(.edit, .admin) ? H.a(Paths.adminNewRole, t("role.new"), cls: "btn btn-primary") : H.empty),
                Tables.table([t("role.name"), t("role.summary"), t("role.customerScope"), t("role.members")].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("role.empty"), hint: nil)),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try (try req.actor).require(.edit, .admin)
        var policy = RolePolicy()
        policy.actions[.customers] = [.view, .create, .edit]
        policy.scopes[.customers] = .own
        return try await render(req, role: nil, name: nil, summary: nil, policy: policy, errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let (name, summary, policy) = try parse(req)
        do {
            let role = try await service(req).create(.init(name: name, summary: summary, policy: policy))
            return req.redirect(Paths.adminRole(role.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, role: nil, name: name, summary: summary, policy: policy, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        try (try req.actor).require(.view, .admin)
        let role = try await service(req).get(req.parameters.get("id", as: UUID.self))
        return try await render(req, role: role, name: role.name, summary: role.summary, policy: role.policy, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let svc = try service(req)
        let role = try await svc.get(req.parameters.get("id", as: UUID.self))
        let (name, summary, policy) = try parse(req)
        do {
            _ = try await svc.update(role.id, .init(name: name, summary: summary, policy: policy))
            return req.redirect(Paths.adminRole(role.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, role: role, name: name, summary: summary, policy: policy, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let svc = try service(req)
        let role = try await svc.get(req.parameters.get("id", as: UUID.self))
        do {
            try await svc.delete(role.id)
            return req.redirect(Paths.adminRoles, flash: Flash(.success, "flash.deleted"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, role: role, name: role.name, summary: role.summary, policy: role.policy, errors: e.fields, status: .unprocessableEntity)
        }
    }

    /// Reads the matrix: `perm.<module>.<action>`, `scope.<module>`, `rule.<module>.<field>`.
    private func parse(_ req: Request) throws -> (String?, String?, RolePolicy) {
        let form = try req.content.decode([String: String].self)
        let actor = try req.actor
        var policy = RolePolicy()
        for m in Module.allCases {
            let granted = m.actions.filter { form["perm.\(m.rawValue).\($0.rawValue)"] == "1" }
            if !granted.isEmpty { policy.actions[m] = Set(granted) }
            if m.isScoped, let raw = form["scope.\(m.rawValue)"] {
                guard let s = DataScope(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
                policy.scopes[m] = s
            }
        }
        for f in RoleService.restrictableFields(for: actor) {
            let key = f.ruleKey
            if let raw = form["rule.\(key)"], !raw.isEmpty {
                guard let r = FieldRule(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
                policy.fieldRules[key] = r
            }
        }
        return (form["name"], form["summary"], policy)
    }

    private func render(_ req: Request, role: Role?, name: String?, summary: String?, policy: RolePolicy, errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let title = role?.name ?? t("role.new")
        let locked = role?.isSystem ?? false
        var history: [AuditEntry] = []
        if let role { history = try await Audit.history(entity: "role", module: .admin, id: role.id!, actor: actor, on: req.db) }
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.roles"), href: Paths.adminRoles), Crumb(label: title, href: nil)]) { ctx in
            let header = H.el("tr", [], [H.el("th", [], [H.text(t("role.module"))])]
                + Action.allCases.map { H.el("th", [], [H.text(t($0.labelKey))]) }
                + [H.el("th", [], [H.text(t("role.scope"))])])
            let rows = Module.allCases.map { m -> HNode in
                var cells: [HNode] = [H.el("th", [A("scope", "row")], [H.text(t(m.labelKey))])]
                for a in Action.allCases {
                    if m.actions.contains(a) {
                        cells.append(H.el("td", [.cls("center")], [H.void("input", [
                            .type("checkbox"), .name("perm.\(m.rawValue).\(a.rawValue)"), .value("1"),
                            .flag("checked", policy.actions[m]?.contains(a) ?? false), .flag("disabled", locked),
                            A("aria-label", "\(t(m.labelKey)) · \(t(a.labelKey))"),
                        ])]))
                    } else {
                        cells.append(H.el("td", [.cls("center muted")], [H.text("·")]))
                    }
                }
                if m.isScoped {
                    cells.append(H.el("td", [], [H.el("select", [.name("scope.\(m.rawValue)"), .flag("disabled", locked),
                                                                 A("aria-label", "\(t(m.labelKey)) · \(t("role.scope"))")],
                        DataScope.allCases.map { s in H.el("option", [.value(s.rawValue), .flag("selected", (policy.scopes[m] ?? .own) == s)], [H.text(t(s.labelKey))]) })]))
                } else {
                    cells.append(H.el("td", [.cls("muted")], [H.text("—")]))
                }
                return H.el("tr", [], cells)
            }
            let fieldRows = RoleService.restrictableFields(for: actor).map { f -> HNode in
                let key = f.ruleKey
                return H.el("tr", [], [
                    H.el("th", [A("scope", "row")], [H.text("\(t(f.groupLabelKey)) · \(f.title(t))")]),
                    H.el("td", [], [H.el("select", [.name("rule.\(key)"), .flag("disabled", locked), A("aria-label", f.title(t))],
                        [H.el("option", [.value("")], [H.text(t("fieldRule.none"))])] + FieldRule.allCases.map { r in
                            H.el("option", [.value(r.rawValue), .flag("selected", policy.fieldRules[key] == r)], [H.text(t(r.labelKey))])
                        })]),
                ])
            }
            return H.group([
                H.div("page-head", H.h1(title), locked ? H.span("badge badge-muted", t("role.system")) : H.empty),
                Forms.errorSummary(errors, t: t),
                Forms.form(role.map { Paths.adminRole($0.id!) } ?? Paths.adminNewRole, csrf: ctx.csrf, [
                    H.div("card form-card",
                          Forms.input("name", label: t("role.name"), value: name, error: errors["name"].map { t($0) }, required: true, autofocus: true),
                          Forms.input("summary", label: t("role.summary"), value: summary, error: errors["summary"].map { t($0) })),
                    H.el("section", [.cls("card")], [
                        H.h2(t("role.permissions")),
                        locked ? H.p(t("role.systemHint"), cls: "muted") : H.p(t("role.scopeHint"), cls: "muted"),
                        H.div("table-wrap", H.el("table", [.cls("data matrix")], [H.el("thead", [], [header]), H.el("tbody", [], rows)])),
                    ]),
                    H.el("section", [.cls("card")], [
                        H.h2(t("role.fieldRules")),
                        H.div("table-wrap", H.el("table", [.cls("data")], [H.el("tbody", [], fieldRows)])),
                    ]),
                    actor.can(.edit, .admin) ? Forms.actions(Forms.submit(t("action.save")), H.a(Paths.adminRoles, t("action.cancel"), cls: "btn")) : H.empty,
                ]),
                (role != nil && !locked && actor.can(.edit, .admin))
                    ? Forms.postButton(Paths.adminRole(role!.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger", confirm: t("role.confirmDelete"))
                    : H.empty,
                role == nil ? H.empty : H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in
                        if k.hasPrefix("module."), let m = Module(rawValue: String(k.dropFirst(7))) { return t(m.labelKey) }
                        return k == "name" ? t("role.name") : k == "summary" ? t("role.summary") : k
                    }, display: { _, v in v ?? "" }),
                ]),
            ])
        }
    }
}
