import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The contacts section of the customer 360 view, and the contact pages.
enum ContactViews {
    static let formKeys = ["name", "gender", "title", "dept", "role", "mobile", "officePhone", "email", "wechat", "qq", "homePhone", "fax",
                           "birthday", "boss", "hobbies", "notes"]
    static let quickKeys = ["name", "title", "mobile", "email"]

    static func section(customer c: Customer, contacts: [Contact], actor: Actor, ctx: PageContext, lookups: Lookups = Lookups()) -> HNode {
        let t = ctx.t
        let canEdit = actor.can(.edit, .customers)
        let rows: [[HNode]] = contacts.map { p in
            [
                H.el("a", [.href(Paths.contact(p.id!)), .cls("strong")], [H.text(p.name)]),
                p.isPrimary ? H.span("badge badge-ok", t("contact.primary")) : (canEdit
                    ? Forms.postButton(Paths.contactPrimary(p.id!), label: t("contact.makePrimary"), csrf: ctx.csrf, cls: "btn btn-small") : H.empty),
                H.text(p.title ?? ""),
                H.text(actor.visible("contacts", "mobile", p.mobile) ?? ""),
                H.text(actor.visible("contacts", "email", p.email) ?? ""),
            ]
        }
        let quickAdd: HNode = canEdit ? H.el("details", [.cls("quick-add"), A("open", contacts.isEmpty ? "open" : nil)], [
            H.el("summary", [.cls("btn")], [H.text(t("contact.add"))]),
            Forms.form(Paths.customerContacts(c.id!), csrf: ctx.csrf, cls: "form inline-form", [
                Forms.input("name", label: t("contact.name"), value: nil, error: nil, required: true, extra: [A("maxlength", "50")]),
                Forms.input("title", label: t("contact.jobTitle"), value: nil, error: nil, extra: [A("maxlength", "50")]),
                actor.canWrite("contacts", "mobile") ? Forms.input("mobile", label: t("contact.mobile"), value: nil, error: nil, type: "tel") : H.empty,
                actor.canWrite("contacts", "email") ? Forms.input("email", label: t("contact.email"), value: nil, error: nil, type: "email") : H.empty,
                Forms.actions(Forms.submit(t("action.create"))),
            ]),
        ]) : H.empty
        return H.el("section", [.cls("card"), .id("contacts")], [
            H.div("section-head", H.h2(t("contact.title")), quickAdd),
            Tables.table([t("contact.name"), "", t("contact.jobTitle"), t("contact.mobile"), t("contact.email")].map { Tables.Column($0) },
                         rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                         empty: H.p(t("contact.empty"), cls: "muted")),
        ])
    }
}

struct ContactPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.post("customers", ":id", "contacts", use: create)
        routes.get("contacts", ":id", use: edit)
        routes.post("contacts", ":id", use: update)
        routes.post("contacts", ":id", "primary", use: primary)
        routes.post("contacts", ":id", "delete", use: delete)
    }

    func service(_ req: Request) throws -> ContactService { ContactService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let customerID = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode([String: String].self)
        do {
            let input = actor.definition(Contact.definition).input(form: form, actor: actor)
            _ = try await service(req).create(customerID: customerID, input, primary: form["primary"] == "1")
            return req.redirect(Paths.customer(customerID!) + "#contacts", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let customer = try await actor.find(Customer.self, customerID, for: .edit, on: req.db)
            return try await render(req, contact: nil, customer: customer, values: actor.definition(Contact.definition).folded(form), errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let actor = try req.actor
        let (contact, customer) = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .view)
        var values: [String: String] = [:]
        for f in actor.definition(Contact.definition).fields { values[f.key] = FieldCodec.formText(f, f.read(contact), decimals: actor.org.moneyDecimals) }
        return try await render(req, contact: contact, customer: customer, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let (contact, customer) = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let form = try req.content.decode([String: String].self)
        do {
            let input = actor.definition(Contact.definition).input(form: form, actor: actor)
            _ = try await svc.update(contact.id, input)
            return req.redirect(Paths.customer(customer.id!) + "#contacts", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, contact: contact, customer: customer, values: actor.definition(Contact.definition).folded(form), errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func primary(req: Request) async throws -> Response {
        let svc = try service(req)
        let (contact, customer) = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        try await svc.makePrimary(contact.id)
        return req.redirect(Paths.customer(customer.id!) + "#contacts", flash: Flash(.success, "flash.saved"))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let svc = try service(req)
        let (contact, customer) = try await svc.get(req.parameters.get("id", as: UUID.self), for: .delete)
        try await svc.delete(contact.id)
        return req.redirect(Paths.customer(customer.id!) + "#contacts", flash: Flash(.success, "flash.deleted"))
    }

    private func render(_ req: Request, contact: Contact?, customer: Customer, values: [String: String], errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let def = actor.definition(Contact.definition)
        let choices = try await FormChoices.load(def, actor: actor, on: req.db)
        var history: [AuditEntry] = []
        if let contact { history = try await Audit.history(entity: Contact.entity, module: .customers, id: contact.id!, actor: actor, on: req.db) }
        let lookups = try await Lookups.load(def, records: contact.map { [$0] } ?? [], history: history, actor: actor, on: req.db)
        var followUps: [FollowUp] = []
        var followUpNames = FollowUpNames()
        if let contact, actor.can(.view, .followUps) {
            followUps = try await FollowUpService(db: req.db, actor: actor, now: req.now).list(.init(contactID: contact.id, limit: 10)).items
            followUpNames = try await FollowUpNames.load(followUps, actor: actor, on: req.db, now: req.now)
        }
        let title = contact?.name ?? t("contact.add")
        let canEdit = actor.can(.edit, .customers)
        let action = contact.map { Paths.contact($0.id!) } ?? Paths.customerContacts(customer.id!)
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers),
                                                       Crumb(label: customer.name, href: Paths.customer(customer.id!)), Crumb(label: title, href: nil)]) { ctx in
            let controls = (ContactViews.formKeys + def.customKeys).compactMap { key -> HNode? in
                guard let f = def.field(key) else { return nil }
                if !canEdit {
                    return nil
                }
                return EntityViews.control(f, in: def, actor: actor, value: values[key], error: errors[key], choices: choices, t: t)
            }
            return H.group([
                H.div("page-head", H.h1(title), contact.map { $0.isPrimary ? H.span("badge badge-ok", t("contact.primary")) : H.empty } ?? H.empty,
                      (contact != nil && actor.can(.delete, .customers))
                        ? Forms.postButton(Paths.contact(contact!.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger",
                                           confirm: t("contact.confirmDelete")) : H.empty),
                Forms.errorSummary(errors, t: t),
                canEdit ? Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card wide", H.div("grid-form", controls)),
                    Forms.actions(Forms.submit(t("action.save")), H.a(Paths.customer(customer.id!) + "#contacts", t("action.cancel"), cls: "btn")),
                ]) : H.el("section", [.cls("card")], [
                    contact.map { EntityViews.facts(def, keys: ContactViews.formKeys + def.customKeys, record: $0, actor: actor, lookups: lookups, t: t) } ?? H.empty,
                ]),
                contact.map { c in actor.can(.view, .followUps) ? H.el("section", [.cls("card"), .id("follow-ups")], [
                    H.div("section-head", H.h2(t("followUp.title")), H.div("actions",
                        actor.can(.create, .followUps)
                            ? H.a(Paths.newFollowUp(customer.id!, contact: c.id, returnTo: Paths.contact(c.id!) + "#follow-ups"), t("followUp.add"), cls: "btn btn-small btn-primary")
                            : H.empty,
                        H.a(URLQuery.build(Paths.followUps, [("contact", c.id!.uuidString)]), t("followUp.all"), cls: "btn btn-small"))),
                    followUps.isEmpty ? H.p(t("followUp.emptyContact"), cls: "muted")
                        : H.el("ul", [.cls("timeline")], followUps.map { FollowUpViews.entry($0, names: followUpNames, actor: actor, ctx: ctx, showCustomer: false) }),
                ]) : H.empty } ?? H.empty,
                contact == nil ? H.empty : H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in def.field(k).map { $0.title(t) } ?? k },
                                       display: { k, v in def.field(k).map { FieldCodec.display($0, v, lookups: lookups, t: t, decimals: 2) } ?? (v ?? "") }),
                ]),
            ])
        }
    }
}

/// /api/v1/customers/{id}/contacts and /api/v1/contacts/{id}.
struct ContactAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", ":id", "contacts", use: index)
        routes.post("customers", ":id", "contacts", use: create)
        routes.get("contacts", ":id", use: show)
        routes.patch("contacts", ":id", use: update)
        routes.delete("contacts", ":id", use: delete)
    }

    func service(_ req: Request) throws -> ContactService { ContactService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ c: Contact, actor: Actor) -> JSONValue {
        actor.definition(Contact.definition).json(c, id: c.id!, actor: actor, extra: [("customerID", .string(c.customerID.uuidString))])
    }

    static func input(_ req: Request, actor: Actor) throws -> (EntityInput, Bool) {
        guard let body = try req.content.decode(JSONInput.self).object else { throw AppError.badRequest() }
        var input = actor.definition(Contact.definition).input(json: body, actor: actor, extraKeys: ["primary"])
        if let p = body["primary"], p != .null, !(p == .bool(true) || p == .bool(false)) { input.errors.add("primary", "error.badValue") }
        return (input, body["primary"] == .bool(true))
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let list = try await service(req).list(customerID: req.parameters.get("id", as: UUID.self) ?? UUID())
        return JSONResponse.ok(.array(list.map { Self.json($0, actor: actor) }))
    }

    @Sendable func show(req: Request) async throws -> Response {
        let (c, _) = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .view)
        return JSONResponse.ok(Self.json(c, actor: try req.actor))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let (input, primary) = try Self.input(req, actor: actor)
        let c = try await service(req).create(customerID: req.parameters.get("id", as: UUID.self), input, primary: primary)
        return JSONResponse.ok(Self.json(c, actor: actor), status: .created)
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let (input, primary) = try Self.input(req, actor: actor)
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        var c = try await svc.update(id, input)
        if primary {
            try await svc.makePrimary(id)
            c = try await svc.get(id, for: .view).0
        }
        return JSONResponse.ok(Self.json(c, actor: actor))
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }
}
