import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Names a list of follow-ups shows: methods, recorders, contacts and customers, loaded once.
struct FollowUpNames {
    var methods: [String: DictionaryOption] = [:]
    var users: [UUID: String] = [:]
    var contacts: [UUID: String] = [:]
    var customers: [UUID: String] = [:]
    var comments: [UUID: [FollowUpComment]] = [:]

    /// `customers`: names already at hand (the 360 view's customer and its children), not read again.
    static func load(_ items: [FollowUp], actor: Actor, on db: Database, now: Date, customers: [UUID: String] = [:]) async throws -> FollowUpNames {
        var n = FollowUpNames()
        n.customers = customers
        n.methods = try await DictionaryService(db: db, actor: actor, now: now).labels([.followUpMethod])[DictionaryKind.followUpMethod.rawValue] ?? [:]
        guard !items.isEmpty else { return n }
        let everyone = try await actor.names(of: User.self, on: db)
        for id in Set(items.map(\.ownerID)) { n.users[id] = everyone[id] }
        let contactIDs = Array(Set(items.compactMap(\.contactID)))
        if !contactIDs.isEmpty {
            for c in try await actor.inOrgWithDeleted(Contact.self, on: db).filter(\.$id ~~ contactIDs).field(\.$id).field(\.$name).rows() {
                n.contacts[c.id!] = c.name
            }
        }
        // Names only: whole customers and contacts were read for one word each.
        let unnamed = Set(items.map(\.customerID)).subtracting(customers.keys)
        if !unnamed.isEmpty {
            for c in try await actor.inOrgWithDeleted(Customer.self, on: db).filter(\.$id ~~ Array(unnamed)).field(\.$id).field(\.$name).rows() {
                n.customers[c.id!] = c.name
            }
        }
        n.comments = try await FollowUpService(db: db, actor: actor, now: now).comments(items.map { $0.id! })
        return n
    }
}

/// The follow-up section of the customer 360 view and the follow-up pages (ACT-01/02/03).
enum FollowUpViews {
    /// One entry of a timeline: when, how, who, what, what next, and the comments under it.
    static func entry(_ f: FollowUp, names: FollowUpNames, actor: Actor, ctx: PageContext, showCustomer: Bool, currentCustomer: UUID? = nil) -> HNode {
        let t = ctx.t
        let method = names.methods[f.method]
        let canEdit = actor.can(.edit, .followUps) && (f.ownerID == actor.userID || actor.policy.scope(for: .followUps) != .own)
        let comments = names.comments[f.id!] ?? []
        return H.el("li", [.cls("timeline-item"), .id("f-\(f.id!.uuidString)")], [
            H.div("timeline-head",
                  H.el("span", [.cls("swatch"), A("data-color", method?.color)], [H.text(method?.label(t.locale) ?? f.method)]),
                  H.span("strong", t.locale.dateTime(f.happenedAt, timeZone: actor.org.timeZone)),
                  H.span("muted", names.users[f.ownerID] ?? ""),
                  f.contactID.flatMap { names.contacts[$0] }.map { H.span("muted", "· \($0)") } ?? H.empty,
                  showCustomer || (currentCustomer != nil && currentCustomer != f.customerID)
                    ? H.a(Paths.customer(f.customerID), names.customers[f.customerID] ?? "", cls: "small") : H.empty,
                  canEdit ? H.a(Paths.followUpEdit(f.id!), t("action.edit"), cls: "small") : H.empty),
            H.p(f.content, cls: "timeline-content"),
            f.result.map { H.p(t("followUp.resultIs", $0), cls: "small") } ?? H.empty,
            f.nextContactOn.map { H.p(t("followUp.nextIs", $0, f.nextPlan ?? ""), cls: "small next-contact") } ?? H.empty,
            comments.isEmpty ? H.empty : H.el("ul", [.cls("comments")], comments.map { c in
                H.el("li", [], [H.span("strong", c.authorName), H.span("muted", t.locale.dateTime(c.createdAt, timeZone: actor.org.timeZone)), H.text(c.content)])
            }),
            H.el("details", [.cls("comment-form")], [
                H.el("summary", [.cls("small")], [H.text(t("followUp.comment"))]),
                Forms.form(Paths.followUpComments(f.id!), csrf: ctx.csrf, cls: "inline-form", [
                    H.void("input", [.type("text"), .name("content"), A("maxlength", "2000"), A("required", "required"), A("aria-label", t("followUp.comment"))]),
                    H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("action.send"))]),
                ]),
            ]),
        ])
    }

    /// The add form: method, when, with whom, what, result, next date and plan; templates fill the text.
    static func form(action: String, values: [String: String], errors: [String: String], methods: [DictionaryOption], contacts: [Contact],
                     templates: [FollowUpTemplate], actor: Actor, ctx: PageContext, submit: String, returnTo: String? = nil) -> HNode {
        let t = ctx.t
        let err = { (k: String) in errors[k].map { t($0) } }
        return Forms.form(action, csrf: ctx.csrf, cls: "form follow-up-form", [
            H.div("grid-form",
                  Forms.select("method", label: t("followUp.method"), options: methods.map { .init(value: $0.value, label: $0.label(t.locale)) },
                               selected: values["method"] ?? methods.first?.value, error: err("method"), required: true),
                  Forms.input("happenedAt", label: t("followUp.happenedAt"), value: values["happenedAt"], error: err("happenedAt"),
                              type: "datetime-local", hint: t("followUp.happenedAtHint")),
                  contacts.isEmpty ? H.empty : Forms.select("contactID", label: t("followUp.contact"),
                                                            options: contacts.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                                            selected: values["contactID"], error: err("contactID"), blank: "—"),
                  templates.isEmpty ? H.empty : Forms.select("templateID", label: t("followUp.template"),
                                                             options: templates.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                                             selected: values["templateID"], error: nil, blank: "—")),
            H.el("div", [.cls(errors["content"] == nil ? "field" : "field has-error")], [
                H.el("label", [A("for", "f-content")], [H.text(t("followUp.content")), H.span("req", "*")]),
                H.el("textarea", [.name("content"), .id("f-content"), A("rows", "3"), A("maxlength", "4000"), A("data-templates", "templateID"), A("data-replace", t("followUp.replaceText")),
                                  A("aria-invalid", errors["content"] == nil ? nil : "true")], [H.text(values["content"] ?? "")]),
                err("content").map { H.el("div", [.cls("error"), .id("e-content"), A("role", "alert")], [H.text($0)]) } ?? H.empty,
            ]),
            templates.isEmpty ? H.empty : H.el("script", [A("type", "application/json"), .id("follow-up-templates")],
                                               [.raw(JSONValue.object(templates.map { ($0.id!.uuidString, .string($0.content)) }).render().replacingOccurrences(of: "<", with: "\\u003c"))]),
            H.div("grid-form",
                  Forms.input("result", label: t("followUp.result"), value: values["result"], error: err("result"), extra: [A("maxlength", "500")]),
                  Forms.input("nextContactOn", label: t("followUp.nextContactOn"), value: values["nextContactOn"], error: err("nextContactOn"), type: "date"),
                  Forms.input("nextPlan", label: t("followUp.nextPlan"), value: values["nextPlan"], error: err("nextPlan"), extra: [A("maxlength", "500")])),
            returnTo.map { H.void("input", [.type("hidden"), .name("return"), .value($0)]) } ?? H.empty,
            Forms.actions(Forms.submit(submit)),
        ])
    }

    /// The 360 view's section: the add form and the timeline (children's follow-ups roll up here).
    static func section(customer: Customer, items: [FollowUp], next: PageCursor?, names: FollowUpNames, methods: [DictionaryOption],
                        contacts: [Contact], templates: [FollowUpTemplate], actor: Actor, ctx: PageContext) -> HNode {
        let t = ctx.t
        let canAdd = actor.can(.create, .followUps)
        return H.el("section", [.cls("card"), .id("follow-ups")], [
            H.div("section-head", H.h2(t("followUp.title")),
                  actor.can(.view, .followUps) ? H.a(URLQuery.build(Paths.followUps, [("customer", customer.id!.uuidString)]), t("followUp.all"), cls: "btn btn-small") : H.empty),
            canAdd ? H.el("details", [.cls("quick-add"), A("open", items.isEmpty ? "open" : nil)], [
                H.el("summary", [.cls("btn btn-primary")], [H.text(t("followUp.add"))]),
                form(action: Paths.customerFollowUps(customer.id!), values: [:], errors: [:], methods: methods, contacts: contacts,
                     templates: templates, actor: actor, ctx: ctx, submit: t("action.save")),
            ]) : H.empty,
            items.isEmpty ? H.p(t("followUp.empty"), cls: "muted")
                : H.el("ul", [.cls("timeline")], items.map { entry($0, names: names, actor: actor, ctx: ctx, showCustomer: false, currentCustomer: customer.id) }),
            next == nil ? H.empty : H.a(URLQuery.build(Paths.followUps, [("customer", customer.id!.uuidString)]), t("followUp.more"), cls: "btn btn-small"),
        ])
    }
}

struct FollowUpPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("follow-ups", use: index)
        routes.get("customers", ":id", "follow-ups", "new", use: newForm)
        routes.post("customers", ":id", "follow-ups", use: create)
        routes.get("follow-ups", ":id", "edit", use: editForm)
        routes.post("follow-ups", ":id", "edit", use: update)
        routes.post("follow-ups", ":id", "delete", use: delete)
        routes.post("follow-ups", ":id", "comments", use: comment)
        routes.get("admin", "follow-up-templates", use: templates)
        routes.post("admin", "follow-up-templates", use: addTemplate)
        routes.post("admin", "follow-up-templates", ":id", "delete", use: deleteTemplate)
    }

    // MARK: list

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .followUps)
        let t = actor.t
        var q = try FollowUpListParams.parse(req, actor: actor)
        let tab = (try? req.query.get(String.self, at: "tab")) ?? "mine"
        if tab == "mine", q.customerID == nil { q.ownerID = actor.userID }
        if tab == "team" { q.team = true }
        let svc = FollowUpService(db: req.db, actor: actor, now: req.now)
        let page = try await svc.list(q)
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        let due = try await svc.due(on: today)
        let names = try await FollowUpNames.load(page.items + due, actor: actor, on: req.db, now: req.now)
        let base: [(String, String?)] = [("tab", tab), ("customer", q.customerID?.uuidString), ("method", q.method),
                                         ("from", try? req.query.get(String.self, at: "from")), ("to", try? req.query.get(String.self, at: "to"))]
        return req.page(title: t("followUp.title"), crumbs: [Crumb(label: t("followUp.title"), href: nil)]) { ctx in
            let tabs = H.el("nav", [.cls("tabs"), A("aria-label", t("followUp.title"))], [("mine", "followUp.mine"), ("team", "followUp.team"), ("all", "followUp.scope")].map { key, label in
                H.el("a", [.href(URLQuery.build(Paths.followUps, [("tab", key)])), .cls(key == tab ? "tab active" : "tab"), A("aria-current", key == tab ? "page" : nil)], [H.text(t(label))])
            })
            let filter = H.el("form", [A("method", "get"), .cls("search-form")], [
                H.void("input", [.type("hidden"), .name("tab"), .value(tab)]),
                q.customerID.map { H.void("input", [.type("hidden"), .name("customer"), .value($0.uuidString)]) } ?? H.empty,
                H.el("select", [.name("method"), A("aria-label", t("followUp.method"))],
                     [H.el("option", [.value("")], [H.text(t("followUp.anyMethod"))])] + names.methods.values.sorted { $0.sortOrder < $1.sortOrder }.map { o in
                         H.el("option", [.value(o.value), .flag("selected", o.value == q.method)], [H.text(o.label(t.locale))])
                     }),
                H.void("input", [.type("date"), .name("from"), .value(try? req.query.get(String.self, at: "from")), A("aria-label", t("followUp.from"))]),
                H.void("input", [.type("date"), .name("to"), .value(try? req.query.get(String.self, at: "to")), A("aria-label", t("followUp.to"))]),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))]),
            ])
            return H.group([
                H.div("page-head", H.h1(t("followUp.title")), H.a(Paths.followUps + "/stats", t("followUpStats.title"), cls: "btn")),
                due.isEmpty ? H.empty : H.el("section", [.cls("card due-card")], [
                    H.h2(t("followUp.dueTitle", String(due.count))),
                    H.el("ul", [.cls("plain-list")], due.map { f in
                        H.el("li", [], [H.a(Paths.customer(f.customerID) + "#follow-ups", names.customers[f.customerID] ?? ""),
                                        H.span("muted", "\(f.nextContactOn ?? "") \(f.nextPlan ?? "")")])
                    }),
                ]),
                tabs,
                filter,
                page.items.isEmpty
                    ? Tables.emptyState(t("followUp.emptyList"), hint: t("followUp.emptyHint"))
                    : H.el("ul", [.cls("timeline card")], page.items.map { FollowUpViews.entry($0, names: names, actor: actor, ctx: ctx, showCustomer: true) }),
                Tables.pager(first: q.cursor == nil ? nil : URLQuery.build(Paths.followUps, base),
                             next: page.next.map { URLQuery.build(Paths.followUps, base + [("cursor", $0.token)]) }, t: t),
            ])
        }
    }

    // MARK: recording

    /// The add form on its own page, reached from a contact or a list row; saving returns there.
    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .followUps)
        let customer = try await actor.find(Customer.self, req.parameters.get("id", as: UUID.self), for: .view, on: req.db)
        let contact = Check.clean(try? req.query.get(String.self, at: "contact"))
        return try await renderForm(req, followUp: nil, customer: customer, values: ["contactID": contact].compactMapValues { $0 }, errors: [:],
                                    returnTo: Paths.local(try? req.query.get(String.self, at: "return")))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode(FollowUpService.Input.self)
        let returnTo = Paths.local(try? req.content.get(String.self, at: "return"))
        do {
            _ = try await FollowUpService(db: req.db, actor: actor, now: req.now, writer: req.application.followUpWriter).create(customerID: id, form)
            return req.redirect(returnTo ?? (Paths.customer(id!) + "#follow-ups"), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let customer = try await actor.find(Customer.self, id, for: .view, on: req.db)
            return try await renderForm(req, followUp: nil, customer: customer, values: form.values, errors: e.fields, status: .unprocessableEntity, returnTo: returnTo)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let f = try await actor.find(FollowUp.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        let customer = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == f.customerID).firstRow()
        guard let customer else { throw AppError.notFound }
        let values = ["method": f.method, "content": f.content, "result": f.result, "happenedAt": LocalTime.format(f.happenedAt, in: actor.org.timeZone),
                      "nextContactOn": f.nextContactOn, "nextPlan": f.nextPlan, "contactID": f.contactID?.uuidString].compactMapValues { $0 }
        return try await renderForm(req, followUp: f, customer: customer, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let f = try await actor.find(FollowUp.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        let form = try req.content.decode(FollowUpService.Input.self)
        do {
            _ = try await FollowUpService(db: req.db, actor: actor, now: req.now).update(f.id, form)
            return req.redirect(Paths.customer(f.customerID) + "#follow-ups", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            guard let customer = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == f.customerID).firstRow() else { throw AppError.notFound }
            return try await renderForm(req, followUp: f, customer: customer, values: form.values, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let actor = try req.actor
        let f = try await actor.find(FollowUp.self, req.parameters.get("id", as: UUID.self), for: .delete, on: req.db)
        try await FollowUpService(db: req.db, actor: actor, now: req.now).delete(f.id)
        return req.redirect(Paths.customer(f.customerID) + "#follow-ups", flash: Flash(.success, "flash.deleted"))
    }

    @Sendable func comment(req: Request) async throws -> Response {
        let svc = FollowUpService(db: req.db, actor: try req.actor, now: req.now)
        let f = try await svc.visible(req.parameters.get("id", as: UUID.self))
        struct Body: Content { var content: String? }
        let back = Paths.customer(f.customerID) + "#f-\(f.id!.uuidString)"
        do {
            _ = try await svc.comment(f.id, content: try req.content.decode(Body.self).content)
            return req.redirect(back, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(back, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    private func renderForm(_ req: Request, followUp: FollowUp?, customer: Customer, values: [String: String], errors: [String: String],
                            status: HTTPResponseStatus = .ok, returnTo: String? = nil) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let methods = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.followUpMethod)
        let contacts = try await ContactService(db: req.db, actor: actor, now: req.now).list(customerID: customer.id!)
        let templates = try await FollowUpTemplateService(db: req.db, actor: actor, now: req.now).list()
        let title = followUp == nil ? t("followUp.add") : t("followUp.edit")
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers),
                                                       Crumb(label: customer.name, href: Paths.customer(customer.id!)), Crumb(label: title, href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                H.div("card form-card", FollowUpViews.form(action: followUp.map { Paths.followUpEdit($0.id!) } ?? Paths.customerFollowUps(customer.id!),
                                                            values: values, errors: errors, methods: methods, contacts: contacts, templates: templates,
                                                            actor: actor, ctx: ctx, submit: t("action.save"), returnTo: returnTo)),
                followUp.flatMap { f in actor.can(.delete, .followUps)
                    ? Forms.postButton(Paths.followUpDelete(f.id!), label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger", confirm: t("followUp.confirmDelete"))
                    : nil } ?? H.empty,
            ])
        }
    }

    // MARK: templates

    @Sendable func templates(req: Request) async throws -> Response {
        try await renderTemplates(req, values: [:], errors: [:])
    }

    @Sendable func addTemplate(req: Request) async throws -> Response {
        struct Body: Content { var name: String?; var method: String?; var content: String? }
        let b = try req.content.decode(Body.self)
        do {
            _ = try await FollowUpTemplateService(db: req.db, actor: try req.actor, now: req.now).create(name: b.name, method: b.method, content: b.content)
            return req.redirect(Paths.adminFollowUpTemplates, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderTemplates(req, values: ["name": b.name, "method": b.method, "content": b.content].compactMapValues { $0 }, errors: e.fields,
                                             status: .unprocessableEntity)
        }
    }

    @Sendable func deleteTemplate(req: Request) async throws -> Response {
        try await FollowUpTemplateService(db: req.db, actor: try req.actor, now: req.now).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.adminFollowUpTemplates, flash: Flash(.success, "flash.deleted"))
    }

    private func renderTemplates(_ req: Request, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let list = try await FollowUpTemplateService(db: req.db, actor: actor, now: req.now).list()
        let methods = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.followUpMethod)
        let labels = Dictionary(uniqueKeysWithValues: methods.map { ($0.value, $0.label(t.locale)) })
        let canEdit = actor.can(.edit, .admin)
        return req.page(status, title: t("nav.followUpTemplates"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.followUpTemplates"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("nav.followUpTemplates"))),
                Forms.errorSummary(errors, t: t),
                Tables.table([t("followUpTemplate.name"), t("followUp.method"), t("followUp.content"), ""].map { Tables.Column($0) },
                             rows: list.map { tpl in [H.span("strong", tpl.name), H.text(tpl.method.flatMap { labels[$0] } ?? "—"), H.text(tpl.content),
                                                      canEdit ? Forms.postButton(Paths.adminFollowUpTemplate(tpl.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-small")
                                                              : H.empty] },
                             sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("followUpTemplate.empty"), hint: nil)),
                canEdit ? H.el("section", [.cls("card")], [
                    H.h2(t("followUpTemplate.add")),
                    Forms.form(Paths.adminFollowUpTemplates, csrf: ctx.csrf, cls: "form", [
                        H.div("grid-form",
                              Forms.input("name", label: t("followUpTemplate.name"), value: values["name"], error: errors["name"].map { t($0) }, required: true, extra: [A("maxlength", "50")]),
                              Forms.select("method", label: t("followUp.method"), options: methods.map { .init(value: $0.value, label: $0.label(t.locale)) },
                                           selected: values["method"], error: errors["method"].map { t($0) }, blank: "—")),
                        Forms.textarea("content", label: t("followUp.content"), value: values["content"], error: errors["content"].map { t($0) }),
                        Forms.actions(Forms.submit(t("action.create"))),
                    ]),
                ]) : H.empty,
            ])
        }
    }
}

extension FollowUpService.Input {
    /// What the form shows again after a failed post.
    var values: [String: String] {
        ["method": method, "content": content, "result": result, "happenedAt": happenedAt, "nextContactOn": nextContactOn,
         "nextPlan": nextPlan, "contactID": contactID, "templateID": templateID].compactMapValues { $0 }
    }
}

/// List parameters shared by the follow-up page and API: customer, contact, owner, method, from, to (dates), cursor, limit.
enum FollowUpListParams {
    static func parse(_ req: Request, actor: Actor) throws -> FollowUpService.ListQuery {
        var q = FollowUpService.ListQuery()
        func uuid(_ key: String) throws -> UUID? {
            guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { return nil }
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            return id
        }
        q.customerID = try uuid("customer")
        q.contactID = try uuid("contact")
        q.ownerID = try uuid("owner")
        q.method = Check.clean(try? req.query.get(String.self, at: "method"))
        q.team = (try? req.query.get(String.self, at: "team")) == "1"
        // Dates are whole days in the organisation's time zone; "to" includes its day.
        for key in ["from", "to"] {
            guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { continue }
            guard CalendarDate.isValid(raw), let start = LocalTime.parse(raw + "T00:00", in: actor.org.timeZone) else { throw AppError.badRequest("error.badParameter") }
            if key == "from" { q.from = start } else { q.to = start.addingTimeInterval(86_400) }
        }
        if let cursor = Check.clean(try? req.query.get(String.self, at: "cursor")) {
            guard let c = PageCursor(token: cursor) else { throw AppError.badRequest("error.badParameter") }
            q.cursor = c
        }
        if let raw = try? req.query.get(String.self, at: "limit") {
            guard let n = Int(raw), (1...200).contains(n) else { throw AppError.badRequest("error.badParameter") }
            q.limit = n
        }
        return q
    }
}
