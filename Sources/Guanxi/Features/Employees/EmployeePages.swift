import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /admin/employees: list, create, edit with roles, disable with hand-over, enable, reset password.
struct EmployeePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "employees", use: index)
        routes.get("admin", "employees", "new", use: newForm)
        routes.post("admin", "employees", "new", use: create)
        routes.get("admin", "employees", ":id", use: edit)
        routes.post("admin", "employees", ":id", use: update)
        routes.post("admin", "employees", ":id", "disable", use: disable)
        routes.post("admin", "employees", ":id", "enable", use: enable)
        routes.post("admin", "employees", ":id", "password", use: password)
    }

    struct Form: Content {
        var account: String?
        var name: String?
        var email: String?
        var mobile: String?
        var password: String?
        var departmentID: String?
        var supervisorID: String?
        var roleIDs: [String]?
    }

    struct DisableForm: Content {
        var handOverTo: String?
        var status: String?
    }

    func service(_ req: Request) throws -> EmployeeService {
        EmployeeService(db: req.db, actor: try req.actor, now: req.now, hasher: { [password = req.password] in try await password.async.hash($0) })
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let q = try? req.query.get(String.self, at: "q")
        let status = (try? req.query.get(String.self, at: "status")).flatMap(User.Status.init(rawValue:))
        let dept = (try? req.query.get(String.self, at: "department")).flatMap(UUID.init(uuidString:))
        let users = try await service(req).list(.init(q: q, departmentID: dept, status: status))
        let tree = try await DepartmentService(db: req.db, actor: actor, now: req.now).tree()
        let deptNames = Dictionary(uniqueKeysWithValues: tree.map { ($0.node.id!, $0.node.name) })
        let userNames = Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: req.db).field(\.$id).field(\.$name).limit(100_000).rows().map { ($0.id!, $0.name) })
        return req.page(title: t("nav.employees"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.employees"), href: nil)]) { ctx in
            let rows: [[HNode]] = users.map { u in
                [
                    H.el("a", [.href(Paths.adminEmployee(u.id!)), .cls("strong")], [H.text(u.name)]),
                    H.text(u.account),
                    H.text(u.departmentID.flatMap { deptNames[$0] } ?? "—"),
                    H.text(u.supervisorID.flatMap { userNames[$0] } ?? "—"),
                    H.text(u.mobile ?? ""),
                    H.span(u.status == .active ? "badge badge-ok" : "badge badge-muted", t(u.status.labelKey)),
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.employees")),
                      actor.can(.edit, .admin) ? H.a(Paths.adminNewEmployee, t("employee.new"), cls: "btn btn-primary") : H.empty),
                H.el("form", [A("method", "get"), A("action", Paths.adminEmployees), .cls("toolbar")], [
                    H.void("input", [.type("search"), .name("q"), .value(q), A("placeholder", t("employee.searchPlaceholder")), A("aria-label", t("action.search"))]),
                    H.el("select", [.name("department"), A("aria-label", t("employee.department"))],
                         [H.el("option", [.value("")], [H.text(t("filter.allDepartments"))])] + tree.map { item in
                            H.el("option", [.value(item.node.id!.uuidString), .flag("selected", item.node.id == dept)],
                                 [H.text(String(repeating: "　", count: item.depth) + item.node.name)])
                         }),
                    H.el("select", [.name("status"), A("aria-label", t("employee.status"))],
                         [H.el("option", [.value("")], [H.text(t("filter.allStatuses"))])] + User.Status.allCases.map { s in
                            H.el("option", [.value(s.rawValue), .flag("selected", s == status)], [H.text(t(s.labelKey))])
                         }),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.filter"))]),
                ]),
                Tables.table(["employee.name", "employee.account", "employee.department", "employee.supervisor", "employee.mobile", "employee.status"]
                                .map { Tables.Column(t($0)) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("search.noMatch"), hint: nil)),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try (try req.actor).require(.edit, .admin)
        return try await render(req, user: nil, form: Form(), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        do {
            let u = try await service(req).create(try input(form))
            return req.redirect(Paths.adminEmployee(u.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, user: nil, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let svc = try service(req)
        let u = try await svc.get(req.parameters.get("id", as: UUID.self))
        let roles = try await svc.roleIDs(of: u.id!)
        return try await render(req, user: u, form: Form(account: u.account, name: u.name, email: u.email, mobile: u.mobile,
                                                          departmentID: u.departmentID?.uuidString, supervisorID: u.supervisorID?.uuidString,
                                                          roleIDs: roles.map(\.uuidString)), errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let svc = try service(req)
        let u = try await svc.get(req.parameters.get("id", as: UUID.self))
        let form = try req.content.decode(Form.self)
        do {
            _ = try await svc.update(u.id, try input(form))
            return req.redirect(Paths.adminEmployee(u.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            var f = form
            f.account = u.account
            return try await render(req, user: u, form: f, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func disable(req: Request) async throws -> Response {
        let svc = try service(req)
        let u = try await svc.get(req.parameters.get("id", as: UUID.self))
        let form = try req.content.decode(DisableForm.self)
        do {
            let status = form.status.flatMap(User.Status.init(rawValue:)).flatMap { $0 == .active ? nil : $0 } ?? .disabled
            _ = try await svc.disable(u.id, handOverTo: try parseID(form.handOverTo, "handOverTo"), status: status)
            return req.redirect(Paths.adminEmployee(u.id!), flash: Flash(.success, "employee.disabled"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let roles = try await svc.roleIDs(of: u.id!)
            return try await render(req, user: u, form: Form(account: u.account, name: u.name, email: u.email, mobile: u.mobile,
                                                              departmentID: u.departmentID?.uuidString, supervisorID: u.supervisorID?.uuidString,
                                                              roleIDs: roles.map(\.uuidString)),
                                    errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func enable(req: Request) async throws -> Response {
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        try await svc.enable(id)
        return req.redirect(Paths.adminEmployee(id!), flash: Flash(.success, "flash.saved"))
    }

    @Sendable func password(req: Request) async throws -> Response {
        let svc = try service(req)
        let u = try await svc.get(req.parameters.get("id", as: UUID.self))
        do {
            try await svc.resetPassword(u.id, try? req.content.get(String.self, at: "newPassword"))
            return req.redirect(Paths.adminEmployee(u.id!), flash: Flash(.success, "employee.passwordReset"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let roles = try await svc.roleIDs(of: u.id!)
            var errors = e.fields
            if let m = errors.removeValue(forKey: "password") { errors["newPassword"] = m }
            return try await render(req, user: u, form: Form(account: u.account, name: u.name, email: u.email, mobile: u.mobile,
                                                              departmentID: u.departmentID?.uuidString, supervisorID: u.supervisorID?.uuidString,
                                                              roleIDs: roles.map(\.uuidString)),
                                    errors: errors, status: .unprocessableEntity)
        }
    }

    private func input(_ form: Form) throws -> EmployeeService.Input {
        var roleIDs: [UUID] = []
        for raw in form.roleIDs ?? [] {
            guard let id = UUID(uuidString: raw) else {
                var e = FieldErrors()
                e.add("roleIDs", "error.invalidOption")
                throw AppError.invalid(e)
            }
            roleIDs.append(id)
        }
        return EmployeeService.Input(account: form.account, name: form.name, email: form.email, mobile: form.mobile, password: form.password,
                                     departmentID: try parseID(form.departmentID, "departmentID"),
                                     supervisorID: try parseID(form.supervisorID, "supervisorID"), roleIDs: roleIDs)
    }

    private func render(_ req: Request, user: User?, form: Form, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let tree = try await DepartmentService(db: req.db, actor: actor, now: req.now).tree()
        let people = try await actor.inOrg(User.self, on: req.db).filter(\.$status == .active).sort(\.$name).limit(5000).rows()
        let roles = try await actor.inOrg(Role.self, on: req.db).sort(\.$name).rows()
        var history: [AuditEntry] = []
        var owned = 0
        if let user {
            history = try await Audit.history(entity: "user", module: .admin, id: user.id!, actor: actor, on: req.db)
            owned = try await actor.inOrg(Customer.self, on: req.db).filter(\.$ownerID == user.id!).countRows()
        }
        let lookup = try await NameLookup.load(for: history, orgID: actor.orgID, on: req.db)
        let title = user?.name ?? t("employee.new")
        let err: (String) -> String? = { errors[$0].map { t($0) } }
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.employees"), href: Paths.adminEmployees), Crumb(label: title, href: nil)]) { ctx in
            let canEdit = actor.can(.edit, .admin)
            var fields: [HNode] = []
            if user == nil {
                fields.append(Forms.input("account", label: t("employee.account"), value: form.account, error: err("account"), required: true,
                                          autofocus: true, hint: t("hint.account"), extra: [A("autocomplete", "off")]))
            } else {
                fields.append(Forms.input("account_ro", label: t("employee.account"), value: form.account, error: nil, extra: [.flag("disabled")]))
            }
            fields += [
                Forms.input("name", label: t("employee.name"), value: form.name, error: err("name"), required: true),
                Forms.input("email", label: t("employee.email"), value: form.email, error: err("email"), type: "email"),
                Forms.input("mobile", label: t("employee.mobile"), value: form.mobile, error: err("mobile"), type: "tel"),
            ]
            if user == nil {
                fields.append(Forms.input("password", label: t("employee.password"), value: nil, error: err("password"), type: "password",
                                          required: true, hint: t("hint.password"), extra: [A("autocomplete", "new-password")]))
            }
            fields += [
                Forms.select("departmentID", label: t("employee.department"),
                             options: tree.map { .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name) },
                             selected: form.departmentID, error: err("departmentID"), blank: "—"),
                Forms.select("supervisorID", label: t("employee.supervisor"),
                             options: people.filter { $0.id != user?.id }.map { .init(value: $0.id!.uuidString, label: "\($0.name) (\($0.account))") },
                             selected: form.supervisorID, error: err("supervisorID"), blank: "—"),
                Forms.fieldWrap("roleIDs", label: t("employee.roles"), required: false, error: err("roleIDs"),
                                H.div("checks", roles.map { r in
                                    Forms.checkbox("roleIDs[]", label: r.name, checked: (form.roleIDs ?? []).contains(r.id!.uuidString), value: r.id!.uuidString)
                                })),
            ]
            var sections: [HNode] = [
                H.div("page-head", H.h1(title), user.map { H.span($0.status == .active ? "badge badge-ok" : "badge badge-muted", t($0.status.labelKey)) } ?? H.empty),
                Forms.errorSummary(errors, t: t),
                Forms.form(user.map { Paths.adminEmployee($0.id!) } ?? Paths.adminNewEmployee, csrf: ctx.csrf, [
                    H.div("card form-card", fields),
                    canEdit ? Forms.actions(Forms.submit(t("action.save")), H.a(Paths.adminEmployees, t("action.cancel"), cls: "btn")) : H.empty,
                ]),
            ]
            if let user, canEdit {
                if user.status == .active {
                    sections.append(H.el("section", [.cls("card")], [
                        H.h2(t("employee.disableTitle")),
                        H.p(t("employee.disableHint", String(owned)), cls: "muted"),
                        Forms.form(Paths.adminEmployeeDisable(user.id!), csrf: ctx.csrf, [
                            Forms.select("handOverTo", label: t("employee.handOverTo"),
                                         options: people.filter { $0.id != user.id }.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                         selected: nil, error: err("handOverTo"), blank: "—"),
                            Forms.select("status", label: t("employee.status"),
                                         options: [User.Status.disabled, .left].map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                         selected: User.Status.disabled.rawValue, error: nil),
                            Forms.actions(H.el("button", [.type("submit"), .cls("btn btn-danger")], [H.text(t("employee.disable"))])),
                        ]),
                    ]))
                } else {
                    sections.append(H.el("section", [.cls("card")], [
                        Forms.postButton(Paths.adminEmployeeEnable(user.id!), label: t("employee.enable"), csrf: ctx.csrf, cls: "btn"),
                    ]))
                }
                sections.append(H.el("section", [.cls("card")], [
                    H.h2(t("employee.resetPassword")),
                    Forms.form(Paths.adminEmployeePassword(user.id!), csrf: ctx.csrf, [
                        Forms.input("newPassword", label: t("profile.newPassword"), value: nil, error: err("newPassword"), type: "password",
                                    required: true, hint: t("hint.password"), extra: [A("autocomplete", "new-password")]),
                        Forms.actions(Forms.submit(t("employee.resetPassword"))),
                    ]),
                ]))
                sections.append(H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in EmployeeService.definition.field(k).map { t($0.labelKey) } ?? k },
                                       display: { k, v in
                                           let kind = EmployeeService.definition.field(k)?.kind
                                           if k == "status", let s = v.flatMap(User.Status.init(rawValue:)) { return t(s.labelKey) }
                                           return lookup.display(field: kind, v ?? "")
                                       }),
                ]))
            }
            return H.group(sections)
        }
    }
}
