import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The customer pages: list, detail with history, create, edit, delete.
struct CustomerPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", use: index)
        routes.get("customers", "new", use: newForm)
        routes.post("customers", "new", use: create)
        routes.get("customers", ":id", use: show)
        routes.get("customers", ":id", "edit", use: editForm)
        routes.post("customers", ":id", "edit", use: update)
        routes.post("customers", ":id", "delete", use: delete)
    }

    /// What the form posts; kept as typed so a failed save shows it again.
    struct Form: Content {
        var name: String?
        var phone: String?
        var ownerID: String?
        var notes: String?
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let params = try CustomerListParams.parse(req)
        let svc = CustomerService(db: req.db, actor: actor, now: req.now)
        let page = try await svc.list(params)
        let names = try await svc.ownerNames(page.items)
        let t = actor.t
        return req.page(title: t("nav.customers"), crumbs: [Crumb(label: t("nav.customers"), href: nil)]) { ctx in
            let link: (String, Bool) -> String = { sort, desc in
                URLQuery.build(Paths.customers, [("q", params.q), ("sort", sort), ("order", desc ? "desc" : nil)])
            }
            let rows: [[HNode]] = page.items.map { c in
                [
                    H.el("a", [.href(Paths.customer(c.id!)), .cls("strong")], [H.text(c.name)]),
                    H.text(actor.visible(.customers, "phone", c.phone) ?? ""),
                    H.text(c.ownerID.flatMap { names[$0] } ?? t("customer.noOwner")),
                    H.text(ctx.dateTime(c.createdAt)),
                ]
            }
            let cols = [Tables.Column(t("customer.name"), sort: "name"), Tables.Column(t("customer.phone")),
                        Tables.Column(t("customer.owner")), Tables.Column(t("customer.createdAt"), sort: "created")]
            let newButton = actor.can(.create, .customers) ? H.a(Paths.newCustomer, t("customer.new"), cls: "btn btn-primary") : H.empty
            let empty = params.q == nil
                ? Tables.emptyState(t("customer.emptyTitle"), hint: t("customer.emptyHint"), action: newButton)
                : Tables.emptyState(t("search.noMatch"), hint: nil)
            let next = page.next.map {
                URLQuery.build(Paths.customers, [("q", params.q), ("sort", params.sort.rawValue),
                                                 ("order", params.descending ? "desc" : nil), ("cursor", $0.token)])
            }
            let first = params.cursor == nil ? nil : URLQuery.build(Paths.customers, [("q", params.q), ("sort", params.sort.rawValue),
                                                                                       ("order", params.descending ? "desc" : nil)])
            return H.group([
                H.div("page-head", H.h1(t("nav.customers")), newButton),
                H.el("form", [A("method", "get"), A("action", Paths.customers), .cls("toolbar"), A("role", "search")], [
                    H.void("input", [.type("search"), .name("q"), .value(params.q), A("placeholder", t("customer.searchPlaceholder")),
                                     A("aria-label", t("action.search"))]),
                    H.void("input", [.type("hidden"), .name("sort"), .value(params.sort.rawValue)]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
                ]),
                Tables.table(cols, rows: rows, sort: params.sort.rawValue, descending: params.descending, link: link, empty: empty),
                Tables.pager(first: first, next: next, t: t),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = CustomerService(db: req.db, actor: actor, now: req.now)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        let history = try await Audit.history(entity: Customer.entity, module: .customers, id: c.id!, actor: actor, on: req.db)
        let lookup = try await NameLookup.load(for: history, orgID: actor.orgID, extraUsers: [c.ownerID].compactMap { $0 },
                                               extraDepartments: [c.departmentID].compactMap { $0 }, on: req.db)
        let t = actor.t
        return req.page(title: c.name, crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: c.name, href: nil)]) { ctx in
            var actions: [HNode] = []
            if actor.can(.edit, .customers) { actions.append(H.a(Paths.editCustomer(c.id!), t("action.edit"), cls: "btn")) }
            if actor.can(.delete, .customers) {
                actions.append(Forms.postButton(Paths.deleteCustomer(c.id!), label: t("action.delete"), csrf: ctx.csrf,
                                                cls: "btn btn-danger", confirm: t("customer.confirmDelete")))
            }
            var facts: [(String, String)] = [(t("customer.name"), c.name)]
            if let phone = actor.visible(.customers, "phone", c.phone) ?? (actor.fieldRule(.customers, "phone") == .hidden ? nil : "—") {
                facts.append((t("customer.phone"), phone))
            }
            facts.append((t("customer.owner"), c.ownerID.flatMap { lookup.users[$0] } ?? t("customer.noOwner")))
            facts.append((t("customer.department"), c.departmentID.flatMap { lookup.departments[$0] } ?? "—"))
            if actor.fieldRule(.customers, "notes") != .hidden { facts.append((t("customer.notes"), actor.visible(.customers, "notes", c.notes) ?? "—")) }
            facts.append((t("customer.createdAt"), ctx.dateTime(c.createdAt)))
            facts.append((t("customer.updatedAt"), ctx.dateTime(c.updatedAt)))
            return H.group([
                H.div("page-head", H.h1(c.name), H.div("actions", actions)),
                H.el("section", [.cls("card")], [
                    H.h2(t("customer.profile")),
                    H.el("dl", [.cls("facts")], facts.flatMap { [H.el("dt", [], [H.text($0.0)]), H.el("dd", [], [H.text($0.1)])] }),
                ]),
                H.el("section", [.cls("card"), .id("history")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx,
                                       label: { key in Customer.definition.field(key).map { t($0.labelKey) } ?? key },
                                       display: { key, value in lookup.display(field: Customer.definition.field(key)?.kind, value ?? "") }),
                ]),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .customers)
        return try await renderForm(req, customer: nil, form: Form(ownerID: actor.userID.uuidString), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        let owner = parseOwner(form.ownerID, into: &errors)
        do {
            guard errors.isEmpty else { throw AppError.invalid(errors) }
            let c = try await CustomerService(db: req.db, actor: actor, now: req.now)
                .create(.init(name: form.name, phone: form.phone, ownerID: owner, notes: form.notes))
            return req.redirect(Paths.customer(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderForm(req, customer: nil, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let c = try await actor.find(Customer.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        let form = Form(name: c.name, phone: c.phone, ownerID: c.ownerID?.uuidString, notes: c.notes)
        return try await renderForm(req, customer: c, form: form, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let c = try await actor.find(Customer.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        let owner = parseOwner(form.ownerID, into: &errors)
        do {
            guard errors.isEmpty else { throw AppError.invalid(errors) }
            // Fields a role may not change are not in the form, so they arrive as nil and stay as they are.
            _ = try await CustomerService(db: req.db, actor: actor, now: req.now)
                .update(c.id, .init(name: form.name ?? "", phone: actor.canWrite(.customers, "phone") ? (form.phone ?? "") : nil,
                                    ownerID: owner, notes: actor.canWrite(.customers, "notes") ? (form.notes ?? "") : nil))
            return req.redirect(Paths.customer(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderForm(req, customer: c, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let actor = try req.actor
        try await CustomerService(db: req.db, actor: actor, now: req.now).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.customers, flash: Flash(.success, "flash.deleted"))
    }

    private func parseOwner(_ raw: String?, into errors: inout FieldErrors) -> UUID? {
        guard let raw = Check.clean(raw) else { return nil }
        guard let id = UUID(uuidString: raw) else {
            errors.add("ownerID", "error.unknownUser")
            return nil
        }
        return id
    }

    private func renderForm(_ req: Request, customer: Customer?, form: Form, errors: [String: String],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let owners: [User] = actor.can(.assign, .customers)
            ? try await actor.inOrg(User.self, on: req.db).filter(\.$status == .active).sort(\.$name).limit(1000).all()
            : []
        let title = customer == nil ? t("customer.new") : t("customer.edit")
        var crumbs = [Crumb(label: t("nav.customers"), href: Paths.customers)]
        if let c = customer { crumbs.append(Crumb(label: c.name, href: Paths.customer(c.id!))) }
        crumbs.append(Crumb(label: title, href: nil))
        let action = customer.map { Paths.editCustomer($0.id!) } ?? Paths.newCustomer
        let cancel = customer.map { Paths.customer($0.id!) } ?? Paths.customers
        return req.page(status, title: title, crumbs: crumbs) { ctx in
            var fields: [HNode] = [
                Forms.input("name", label: t("customer.name"), value: form.name, error: errors["name"].map { t($0) },
                            required: true, autofocus: true, extra: [A("maxlength", "200")]),
            ]
            switch actor.fieldRule(.customers, "phone") {
            case nil:
                fields.append(Forms.input("phone", label: t("customer.phone"), value: form.phone, error: errors["phone"].map { t($0) },
                                          type: "tel", extra: [A("maxlength", "32")]))
            case .readOnly, .masked:
                fields.append(Forms.input("phone_ro", label: t("customer.phone"), value: actor.visible(.customers, "phone", form.phone),
                                          error: nil, extra: [.flag("disabled")]))
            case .hidden:
                break
            }
            if !owners.isEmpty {
                fields.append(Forms.select("ownerID", label: t("customer.owner"),
                                           options: owners.map { Forms.Option(value: $0.id!.uuidString, label: $0.name) },
                                           selected: form.ownerID, error: errors["ownerID"].map { t($0) }))
            }
            if actor.canWrite(.customers, "notes") {
                fields.append(Forms.textarea("notes", label: t("customer.notes"), value: form.notes, error: errors["notes"].map { t($0) }))
            }
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card", fields),
                    Forms.actions(Forms.submit(t("action.save")), H.a(cancel, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }
}

