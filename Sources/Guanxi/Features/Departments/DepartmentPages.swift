import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /admin/departments: the tree with member counts, a form to add, and an edit page per department.
struct DepartmentPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "departments", use: index)
        routes.post("admin", "departments", use: create)
        routes.get("admin", "departments", ":id", use: edit)
        routes.post("admin", "departments", ":id", use: update)
    }

    struct Form: Content {
        var name: String?
        var parentID: String?
        var isActive: String?
    }

    @Sendable func index(req: Request) async throws -> Response {
        try await renderIndex(req, form: Form(), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode(Form.self)
        do {
            _ = try await DepartmentService(db: req.db, actor: actor, now: req.now)
                .create(.init(name: form.name, parentID: try parseID(form.parentID, "parentID")))
            return req.redirect(Paths.adminDepartments, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderIndex(req, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        guard let id = req.parameters.get("id", as: UUID.self),
              let d = try await actor.inOrg(Department.self, on: req.db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return try await renderEdit(req, dept: d, form: Form(name: d.name, parentID: d.parentID?.uuidString, isActive: d.isActive ? "1" : nil), errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let id = req.parameters.get("id", as: UUID.self),
              let d = try await actor.inOrg(Department.self, on: req.db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        let form = try req.content.decode(Form.self)
        do {
            _ = try await DepartmentService(db: req.db, actor: actor, now: req.now)
                .update(id, .init(name: form.name ?? "", parentID: try parseID(form.parentID, "parentID"), isActive: form.isActive == "1"))
            return req.redirect(Paths.adminDepartments, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderEdit(req, dept: d, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    private func renderIndex(_ req: Request, form: Form, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let svc = DepartmentService(db: req.db, actor: actor, now: req.now)
        let tree = try await svc.tree()
        let counts = try await memberCounts(req, actor: actor)
        return req.page(status, title: t("nav.departments"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.departments"), href: nil)]) { ctx in
            let rows: [[HNode]] = tree.map { item in
                let d = item.node
                return [
                    H.el("span", [.cls("tree-name depth-\(min(item.depth, 8))")], [H.el("a", [.href(Paths.adminDepartment(d.id!))], [H.text(d.name)])]),
                    H.text(String(counts[d.id!] ?? 0)),
                    H.span(d.isActive ? "badge badge-ok" : "badge badge-muted", t(d.isActive ? "status.active" : "status.disabled")),
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.departments"))),
                H.div("grid-2 wide-left",
                    H.el("section", [.cls("card")], [
                        Tables.table([Tables.Column(t("department.name")), Tables.Column(t("department.members")), Tables.Column(t("department.status"))],
                                     rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                                     empty: Tables.emptyState(t("department.empty"), hint: nil)),
                    ]),
                    actor.can(.edit, .admin) ? H.el("section", [.cls("card")], [
                        H.h2(t("department.new")),
                        Forms.errorSummary(errors, t: t),
                        Forms.form(Paths.adminDepartments, csrf: ctx.csrf, [
                            Forms.input("name", label: t("department.name"), value: form.name, error: errors["name"].map { t($0) }, required: true),
                            Forms.select("parentID", label: t("department.parent"), options: options(tree, excluding: nil), selected: form.parentID,
                                         error: errors["parentID"].map { t($0) }, blank: t("department.noParent")),
                            Forms.actions(Forms.submit(t("action.create"))),
                        ]),
                    ]) : H.empty),
            ])
        }
    }

    private func renderEdit(_ req: Request, dept: Department, form: Form, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let tree = try await DepartmentService(db: req.db, actor: actor, now: req.now).tree()
        let history = try await Audit.history(entity: "department", module: .admin, id: dept.id!, actor: actor, on: req.db)
        let lookup = try await NameLookup.load(for: history, orgID: actor.orgID, on: req.db)
        return req.page(status, title: dept.name, crumbs: [Crumb(label: t("nav.departments"), href: Paths.adminDepartments), Crumb(label: dept.name, href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(dept.name)),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.adminDepartment(dept.id!), csrf: ctx.csrf, [
                    H.div("card form-card",
                        Forms.input("name", label: t("department.name"), value: form.name, error: errors["name"].map { t($0) }, required: true, autofocus: true),
                        Forms.select("parentID", label: t("department.parent"), options: options(tree, excluding: dept.id), selected: form.parentID,
                                     error: errors["parentID"].map { t($0) }, blank: t("department.noParent")),
                        Forms.checkbox("isActive", label: t("department.active"), checked: form.isActive == "1"),
                        errors["isActive"].map { H.el("div", [.cls("error"), A("role", "alert")], [H.text(t($0))]) } ?? H.empty),
                    Forms.actions(Forms.submit(t("action.save")), H.a(Paths.adminDepartments, t("action.cancel"), cls: "btn")),
                ]),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in DepartmentService.definition.field(k).map { t($0.labelKey) } ?? k },
                                       display: { k, v in lookup.display(field: DepartmentService.definition.field(k)?.kind, v ?? "") }),
                ]),
            ])
        }
    }

    private func options(_ tree: [(node: Department, depth: Int)], excluding: UUID?) -> [Forms.Option] {
        tree.filter { $0.node.id != excluding }.map {
            Forms.Option(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name)
        }
    }

    private func memberCounts(_ req: Request, actor: Actor) async throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        let users = try await actor.inOrg(User.self, on: req.db).filter(\.$status == .active).field(\.$id).field(\.$departmentID).limit(100_000).rows()
        for u in users { if let d = u.departmentID { counts[d, default: 0] += 1 } }
        return counts
    }
}

/// Parses an optional id from a form; a malformed one is a field error.
func parseID(_ raw: String?, _ field: String) throws -> UUID? {
    guard let raw = Check.clean(raw) else { return nil }
    guard let id = UUID(uuidString: raw) else {
        var e = FieldErrors()
        e.add(field, "error.invalidOption")
        throw AppError.invalid(e)
    }
    return id
}
