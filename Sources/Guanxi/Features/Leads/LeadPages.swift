import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Lead pages: mine / team / pool lists with hand-out, the form with the collision check, the detail
/// with follow-ups and pool actions, and conversion into customer, contact and opportunity.
struct LeadPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("leads", use: index)
        routes.get("leads", "new", use: newForm)
        routes.post("leads", use: create)
        routes.post("leads", "assign", use: assign)
        routes.get("leads", ":id", use: show)
        routes.get("leads", ":id", "edit", use: editForm)
        routes.post("leads", ":id", "edit", use: update)
        routes.post("leads", ":id", "claim", use: claim)
        routes.post("leads", ":id", "release", use: release)
        routes.post("leads", ":id", "delete", use: delete)
        routes.post("leads", ":id", "follow-ups", use: addFollowUp)
        routes.get("leads", ":id", "convert", use: convertForm)
        routes.post("leads", ":id", "convert", use: convert)
    }

    func service(_ req: Request) throws -> LeadService { LeadService(db: req.db, actor: try req.actor, now: req.now) }

    static let formKeys = ["company", "person", "title", "phone", "email", "source", "region", "address", "need"]

    // MARK: list

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .leads)
        let t = actor.t
        let svc = try service(req)
        let query = try LeadParams.list(req, views: svc.views)
        let page = try await svc.list(query)
        let owners = try await svc.userNames(page.items.compactMap(\.ownerID))
        let sources = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.source)
        let sourceLabel = Dictionary(sources.map { ($0.value, $0.label(t.locale)) }, uniquingKeysWith: { a, _ in a })
        let canAssign = actor.can(.assign, .leads)
        let people = canAssign ? try await actor.activeColleagues(on: req.db) : []
        let base: [(String, String?)] = [("view", query.view.rawValue), ("status", query.status?.rawValue), ("q", query.q)]
        return req.page(title: t("nav.leads"), crumbs: [Crumb(label: t("nav.leads"), href: nil)]) { ctx in
            let rows: [[HNode]] = page.items.map { l in
                (canAssign ? [H.void("input", [.type("checkbox"), .name("ids"), .value(l.id!.uuidString), A("form", "bulk"), A("aria-label", l.displayName)])] : []) + [
                    H.a(Paths.lead(l.id!), l.displayName, cls: "strong"),
                    H.text(l.company == nil ? "" : (l.person ?? "")),
                    H.text(l.phone ?? ""),
                    H.text(l.source.map { sourceLabel[$0] ?? $0 } ?? ""),
                    Self.statusBadge(l, t: t),
                    H.text(l.ownerID.flatMap { owners[$0] } ?? t("lead.inPool")),
                    H.text(ctx.dateTime(l.createdAt)),
                ]
            }
            let filter = H.el("form", [A("method", "get"), .cls("search-form"), A("role", "search")], [
                H.void("input", [.type("hidden"), .name("view"), .value(query.view.rawValue)]),
                H.void("input", [.type("search"), .name("q"), .value(query.q), A("placeholder", t("lead.searchHint")), A("aria-label", t("action.search"))]),
                H.el("select", [.name("status"), A("aria-label", t("lead.status"))],
                     [H.el("option", [.value("")], [H.text(t("lead.anyStatus"))])] + LeadStatus.allCases.map { s in
                         H.el("option", [.value(s.rawValue), .flag("selected", query.status == s)], [H.text(t(s.labelKey))])
                     }),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
            ])
            let newButton = actor.can(.create, .leads) ? H.a(Paths.leads + "/new", t("lead.new"), cls: "btn btn-primary") : H.empty
            let filtered = query.q != nil || query.status != nil
            let empty = filtered ? Tables.emptyState(t("search.noMatch"), hint: nil)
                : Tables.emptyState(t(query.view == .pool ? "lead.poolEmpty" : "lead.emptyTitle"), hint: t("lead.emptyHint"), action: newButton)
            let next = page.next.map { URLQuery.build(Paths.leads, base + [("cursor", $0.token)]) }
            let first = query.cursor == nil ? nil : URLQuery.build(Paths.leads, base)
            let bulk: HNode = canAssign && !page.items.isEmpty ? Forms.form(Paths.leads + "/assign", csrf: ctx.csrf, cls: "form inline-form", id: "bulk", [
                H.void("input", [.type("hidden"), .name("back"), .value(URLQuery.build(Paths.leads, base))]),
                H.el("label", [A("for", "f-ownerID")], [H.text(t("lead.assignSelected"))]),
                H.el("select", [.name("ownerID"), .id("f-ownerID")],
                     [H.el("option", [.value("rules")], [H.text(t("lead.byRules"))])] + people.map { p in H.el("option", [.value(p.id.uuidString)], [H.text(p.name)]) }),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.assign"))]),
            ]) : H.empty
            var columns = [t("lead.name"), t("lead.person"), t("lead.phone"), t("dict.source"), t("lead.status"), t("lead.owner"), t("lead.createdAt")].map { Tables.Column($0) }
            if canAssign { columns.insert(Tables.Column(""), at: 0) }
            return H.group([
                H.div("page-head", H.h1(t("nav.leads")), H.div("actions",
                    actor.isAdmin ? H.a(Paths.adminLeadRules, t("nav.leadRules"), cls: "btn") : H.empty,
                    actor.isAdmin ? H.a(Paths.adminWebForms, t("nav.webForms"), cls: "btn") : H.empty,
                    newButton)),
                H.el("nav", [.cls("tabs"), A("aria-label", t("lead.views"))], svc.views.map { v in
                    H.el("a", [.href(URLQuery.build(Paths.leads, [("view", v.rawValue)])), .cls(v == query.view ? "tab active" : "tab"),
                               A("aria-current", v == query.view ? "page" : nil)], [H.text(t(v.labelKey))])
                }),
                filter,
                bulk,
                Tables.table(columns, rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: empty),
                Tables.pager(first: first, next: next, t: t),
            ])
        }
    }

    static func statusBadge(_ l: Lead, t: Translator) -> HNode {
        switch l.state {
        case .converted: H.span("badge badge-ok", t(l.state.labelKey))
        case .invalid: H.span("badge badge-danger", t(l.state.labelKey))
        default: H.span("badge", t(l.state.labelKey))
        }
    }

    @Sendable func assign(req: Request) async throws -> Response {
        struct Form: Content { var ids: [String]?; var ownerID: String?; var back: String? }
        let form = try req.content.decode(Form.self)
        let ids = (form.ids ?? []).compactMap(UUID.init(uuidString:))
        let back = Paths.local(form.back) ?? Paths.leads
        guard !ids.isEmpty else { return req.redirect(back, flash: Flash(.error, "lead.noneSelected")) }
        do {
            _ = try await service(req).assign(ids, to: form.ownerID)
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            return req.redirect(back, flash: Flash(.error, e.status == .conflict ? "error.leadConverted" : "error.unknownUser"))
        }
        return req.redirect(back, flash: Flash(.success, "lead.assigned"))
    }

    // MARK: form

    @Sendable func newForm(req: Request) async throws -> Response {
        try (try req.actor).require(.create, .leads)
        return try await render(req, record: nil, values: [:], errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        let def = actor.definition(Lead.definition)
        do {
            let l = try await service(req).create(def.input(form: form, actor: actor), assignment: form["assignment"], allowDuplicates: form["confirmDuplicate"] == "1")
            return req.redirect(Paths.lead(l.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, record: nil, values: def.folded(form), errors: e.fields, status: .unprocessableEntity)
        } catch let found as LeadCollisionFound {
            return try await render(req, record: nil, values: def.folded(form), errors: [:], matches: found.matches, status: .conflict)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let l = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .edit)
        guard l.state != .converted else { throw AppError.conflict("error.leadConverted") }
        var values: [String: String] = [:]
        for f in actor.definition(Lead.definition).fields { values[f.key] = FieldCodec.formText(f, f.read(l), decimals: actor.org.moneyDecimals) }
        return try await render(req, record: l, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let l = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let form = try req.content.decode([String: String].self)
        let def = actor.definition(Lead.definition)
        do {
            _ = try await svc.update(l.id, def.input(form: form, actor: actor), allowDuplicates: form["confirmDuplicate"] == "1")
            return req.redirect(Paths.lead(l.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, record: l, values: def.folded(form), errors: e.fields, status: .unprocessableEntity)
        } catch let found as LeadCollisionFound {
            return try await render(req, record: l, values: def.folded(form), errors: [:], matches: found.matches, status: .conflict)
        }
    }

    private func render(_ req: Request, record: Lead?, values: [String: String], errors: [String: String],
                        matches: LeadService.Matches = .init(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let def = actor.definition(Lead.definition)
        let choices = try await FormChoices.load(def, actor: actor, on: req.db)
        let people = actor.can(.assign, .leads) ? try await actor.activeColleagues(on: req.db) : []
        let title = record?.displayName ?? t("lead.new")
        let action = record.map { Paths.lead($0.id!) + "/edit" } ?? Paths.leads
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.leads"), href: Paths.leads), Crumb(label: title, href: nil)]) { ctx in
            var controls: [HNode] = (Self.formKeys + (record == nil ? [] : ["status"])).compactMap { key in
                def.field(key).map { EntityViews.control($0, in: def, actor: actor, value: values[key], error: errors[key], choices: choices, t: t) }
            }
            if record == nil {
                let options: [Forms.Option] = [.init(value: "", label: t("lead.assignMe")), .init(value: "rules", label: t("lead.byRules")),
                                               .init(value: "pool", label: t("lead.toPool"))]
                    + people.filter { $0.id != actor.userID }.map { .init(value: $0.id.uuidString, label: $0.name) }
                controls.append(Forms.select("assignment", label: t("lead.owner"), options: options, selected: values["assignment"],
                                             error: errors["ownerID"].map { t($0) }))
            }
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Self.matchesNotice(matches, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    matches.isEmpty ? H.empty : Forms.checkbox("confirmDuplicate", label: t("collision.confirm"), checked: false),
                    H.div("card form-card wide", H.div("grid-form", controls)),
                    Forms.actions(Forms.submit(t("action.save")), H.a(record.map { Paths.lead($0.id!) } ?? Paths.leads, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    /// Likely duplicates among customers and leads, as the customers' collision check words them.
    static func matchesNotice(_ m: LeadService.Matches, t: Translator) -> HNode {
        guard !m.isEmpty else { return H.empty }
        return H.el("div", [.cls("flash flash-warn"), A("role", "alert"), .id("collisions")], [
            H.p(t("collision.found"), cls: "strong"),
            H.el("ul", [], m.customers.map { c in
                H.el("li", [], [H.text(t("collision.match", c.name, c.ownerName ?? t("customer.noOwner"), t("collision.reason.\(c.reason.rawValue)")))])
            } + m.leads.map { l in
                H.el("li", [], [H.a(Paths.lead(l.id), t("lead.matchLead", l.name, l.ownerName ?? t("lead.inPool")))])
            }),
        ])
    }

    // MARK: detail

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let l = try await svc.get(req.parameters.get("id", as: UUID.self))
        let def = actor.definition(Lead.definition)
        let followUps = try await svc.followUps(l.id!)
        let history = try await Audit.history(entity: Lead.entity, module: .leads, id: l.id!, actor: actor, on: req.db)
        let lookups = try await Lookups.load(def, records: [l], history: history, actor: actor, on: req.db, extraUsers: followUps.map(\.ownerID))
        let editable = (try? await svc.get(l.id, for: .edit)) != nil
        let canEdit = l.state != .converted && editable
        let matches = l.state == .converted ? LeadService.Matches() : try await svc.matches(company: l.company, person: l.person, phone: l.phone, excluding: l.id)
        let methods = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.followUpMethod)
        let methodLabel = Dictionary(methods.map { ($0.value, $0.label(t.locale)) }, uniquingKeysWith: { a, _ in a })
        let customer = try await l.customerID.asyncMap { id in try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == id).firstRow() }
        let opportunity = try await l.opportunityID.asyncMap { id in try await actor.inOrg(Opportunity.self, on: req.db).filter(\.$id == id).firstRow() }
        let deletable = (try? await svc.get(l.id, for: .delete)) != nil
        let canDelete = actor.can(.delete, .leads) && deletable
        let files = try await AttachmentViews.card(Lead.entity, l.id!, back: Paths.lead(l.id!), canEdit: canEdit, req: req, actor: actor)
        return req.page(title: l.displayName, crumbs: [Crumb(label: t("nav.leads"), href: Paths.leads), Crumb(label: l.displayName, href: nil)]) { ctx in
            var actions: [HNode] = []
            if l.ownerID == nil, actor.can(.edit, .leads) {
                actions.append(Forms.postButton(Paths.lead(l.id!) + "/claim", label: t("lead.claim"), csrf: ctx.csrf, cls: "btn btn-primary"))
            }
            if canEdit, l.ownerID != nil {
                actions.append(H.a(Paths.lead(l.id!) + "/convert", t("lead.convert"), cls: "btn btn-primary"))
                actions.append(Forms.postButton(Paths.lead(l.id!) + "/release", label: t("lead.release"), csrf: ctx.csrf, confirm: t("lead.confirmRelease")))
            }
            if canEdit { actions.append(H.a(Paths.lead(l.id!) + "/edit", t("action.edit"), cls: "btn")) }
            if canDelete {
                actions.append(Forms.postButton(Paths.lead(l.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger",
                                                confirm: t("lead.confirmDelete")))
            }
            let converted: HNode = l.state != .converted ? H.empty : H.el("section", [.cls("card"), .id("converted")], [
                H.h2(t("lead.convertedTitle")),
                H.el("dl", [.cls("facts")], [
                    H.el("dt", [], [H.text(t("lead.convertedAt"))]), H.el("dd", [], [H.text(ctx.dateTime(l.convertedAt))]),
                    H.el("dt", [], [H.text(t("entity.customer"))]), H.el("dd", [], [customer.map { H.a(Paths.customer($0.id!), $0.name) } ?? H.text("—")]),
                    H.el("dt", [], [H.text(t("entity.opportunity"))]), H.el("dd", [], [opportunity.map { H.a(Paths.opportunity($0.id!), $0.name) } ?? H.text("—")]),
                ]),
            ])
            let followUpRows: [[HNode]] = followUps.map { f in [
                H.text(ctx.dateTime(f.happenedAt)), H.text(methodLabel[f.method] ?? f.method), H.text(f.content),
                H.text(f.nextContactOn ?? ""), H.text(lookups.users[f.ownerID] ?? ""),
            ] }
            let addFollowUp: HNode = !canEdit ? H.empty : Forms.form(Paths.lead(l.id!) + "/follow-ups", csrf: ctx.csrf, cls: "form", [
                H.div("grid-form",
                      Forms.select("method", label: t("followUp.method"), options: methods.map { .init(value: $0.value, label: $0.label(t.locale)) },
                                   selected: "phone", error: nil, required: true),
                      Forms.input("nextContactOn", label: t("followUp.nextContactOn"), value: nil, error: nil, type: "date")),
                Forms.textarea("content", label: t("followUp.content"), value: nil, error: nil),
                Forms.actions(Forms.submit(t("followUp.add"))),
            ])
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(l.displayName), H.div("summary-badges", Self.statusBadge(l, t: t),
                      l.ownerID == nil ? H.span("badge", t("lead.inPool")) : H.empty)), H.div("actions", actions)),
                Self.matchesNotice(matches, t: t),
                converted,
                H.el("section", [.cls("card")], [
                    EntityViews.facts(def, keys: Self.formKeys + ["status", "owner"], record: l, actor: actor, lookups: lookups, t: t, link: { _, _ in nil }),
                ]),
                H.el("section", [.cls("card"), .id("follow-ups")], [
                    H.h2(t("followUp.title")),
                    addFollowUp,
                    Tables.table([t("followUp.happenedAt"), t("followUp.method"), t("followUp.content"), t("followUp.nextContactOn"), t("lead.recordedBy")].map { Tables.Column($0) },
                                 rows: followUpRows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("lead.noFollowUps"), cls: "muted")),
                ]),
                files(ctx),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in
                        switch k {
                        case "attachments": t("attachment.title")
                        case "followUp": t("followUp.title")
                        case "customer": t("entity.customer")
                        case "opportunity": t("entity.opportunity")
                        default: def.field(k).map { $0.title(t) } ?? k
                        }
                    }, display: { k, v in
                        def.field(k).map { FieldCodec.display($0, v, lookups: lookups, t: t, decimals: actor.org.moneyDecimals) } ?? (v ?? "")
                    }),
                ]),
            ])
        }
    }

    // MARK: actions

    @Sendable func claim(req: Request) async throws -> Response {
        let l = try await service(req).claim(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.lead(l.id!), flash: Flash(.success, "lead.claimed"))
    }

    @Sendable func release(req: Request) async throws -> Response {
        _ = try await service(req).release(req.parameters.get("id", as: UUID.self))
        return req.redirect(URLQuery.build(Paths.leads, [("view", "pool")]), flash: Flash(.success, "lead.released"))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.leads, flash: Flash(.success, "flash.deleted"))
    }

    @Sendable func addFollowUp(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        let input = try req.content.decode(LeadService.FollowUpInput.self)
        do {
            _ = try await service(req).addFollowUp(id, input)
            return req.redirect(Paths.lead(id!) + "#follow-ups", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.lead(id!) + "#follow-ups", flash: Flash(.error, e.fields.values.first ?? "error.required"))
        }
    }

    // MARK: conversion

    @Sendable func convertForm(req: Request) async throws -> Response {
        let l = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .edit)
        guard l.state != .converted else { return req.redirect(Paths.lead(l.id!)) }
        let values = ["customerName": l.company ?? l.person ?? "", "contactName": l.company == nil ? "" : (l.person ?? ""),
                      "opportunityName": l.need.map { String($0.prefix(50)) } ?? ""]
        return try await renderConvert(req, lead: l, values: values, errors: [:])
    }

    @Sendable func convert(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let l = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let form = try req.content.decode([String: String].self)
        var c = LeadService.Conversion(customerID: form["customerID"], customerName: form["customerName"], contactName: form["contactName"],
                                       opportunityName: form["opportunityName"], amount: nil, stageID: form["stageID"],
                                       expectedCloseOn: form["expectedCloseOn"], allowDuplicates: form["confirmDuplicate"] == "1")
        var errors: [String: String] = [:]
        if let raw = Check.clean(form["amount"]) {
            if let fen = Money.parse(raw, decimals: actor.org.moneyDecimals) { c.amount = String(fen) } else { errors["amount"] = "error.money" }
        }
        guard errors.isEmpty else { return try await renderConvert(req, lead: l, values: form, errors: errors, status: .unprocessableEntity) }
        do {
            let done = try await svc.convert(l.id, c)
            return req.redirect(Paths.customer(done.customer.id!), flash: Flash(.success, "lead.convertedFlash"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderConvert(req, lead: l, values: form, errors: e.fields, status: .unprocessableEntity)
        } catch let found as CollisionFound {
            return try await renderConvert(req, lead: l, values: form, errors: [:], collisions: found.matches, status: .conflict)
        }
    }

    private func renderConvert(_ req: Request, lead l: Lead, values: [String: String], errors: [String: String],
                               collisions: [CollisionCheck.Match] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let stages = try await OpportunityService(db: req.db, actor: actor, now: req.now).stages()
        let visible = collisions.isEmpty ? [] : try await actor.query(Customer.self, .edit, on: req.db).filter(\.$id ~~ collisions.map(\.customerID)).rows()
        let title = t("lead.convertTitle", l.displayName)
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.leads"), href: Paths.leads), Crumb(label: l.displayName, href: Paths.lead(l.id!)),
                                                       Crumb(label: t("lead.convert"), href: nil)]) { ctx in
            let err = { (k: String) in errors[k].map { t($0) } }
            let existing: [HNode] = visible.isEmpty ? [] : [
                H.el("fieldset", [.cls("card")], [
                    H.el("legend", [], [H.text(t("lead.attachTo"))]),
                    H.el("label", [.cls("check")], [H.void("input", [.type("radio"), .name("customerID"), .value(""), .flag("checked", true)]), H.text(t("lead.newCustomer"))]),
                ] + visible.map { c in
                    H.el("label", [.cls("check")], [H.void("input", [.type("radio"), .name("customerID"), .value(c.id!.uuidString)]), H.text(c.name)])
                }),
            ]
            return H.group([
                H.div("page-head", H.h1(title)),
                H.p(t("lead.convertHint"), cls: "muted"),
                Forms.errorSummary(errors, t: t),
                collisions.isEmpty ? H.empty : H.el("div", [.cls("flash flash-warn"), A("role", "alert"), .id("collisions")], [
                    H.p(t("collision.found"), cls: "strong"),
                    H.el("ul", [], collisions.map { m in
                        H.el("li", [], [H.text(t("collision.match", m.name, m.ownerName ?? t("customer.noOwner"), t("collision.reason.\(m.reason.rawValue)")))])
                    }),
                ]),
                Forms.form(Paths.lead(l.id!) + "/convert", csrf: ctx.csrf, [
                    H.group(existing),
                    collisions.isEmpty ? H.empty : Forms.checkbox("confirmDuplicate", label: t("collision.confirm"), checked: false),
                    H.div("card form-card wide", H.div("grid-form",
                        Forms.input("customerName", label: t("customer.name"), value: values["customerName"], error: err("customerName"), required: true,
                                    extra: [A("maxlength", "200")]),
                        Forms.input("contactName", label: t("contact.name"), value: values["contactName"], error: err("contactName"),
                                    hint: t("lead.contactHint"), extra: [A("maxlength", "50")]),
                        Forms.input("opportunityName", label: t("opportunity.name"), value: values["opportunityName"], error: err("opportunityName"),
                                    hint: t("lead.opportunityHint"), extra: [A("maxlength", "100")]),
                        Forms.input("amount", label: t("opportunity.amount"), value: values["amount"], error: err("amount"), extra: [A("inputmode", "decimal"), A("maxlength", "20")]),
                        Forms.select("stageID", label: t("opportunity.stage"), options: stages.map { .init(value: $0.id!.uuidString, label: "\($0.label(t.locale)) · \($0.probability)%") },
                                     selected: values["stageID"], error: err("stageID")),
                        Forms.input("expectedCloseOn", label: t("opportunity.expectedCloseOn"), value: values["expectedCloseOn"], error: err("expectedCloseOn"), type: "date"))),
                    Forms.actions(Forms.submit(t("lead.convert")), H.a(Paths.lead(l.id!), t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }
}

enum LeadParams {
    static func list(_ req: Request, views: [LeadService.View]) throws -> LeadService.ListQuery {
        var q = LeadService.ListQuery()
        if let raw = Check.clean(try? req.query.get(String.self, at: "view")) {
            guard let v = LeadService.View(rawValue: raw), views.contains(v) else { throw AppError.badRequest("error.badParameter") }
            q.view = v
        }
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard let st = LeadStatus(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.status = st
        }
        q.source = Check.clean(try? req.query.get(String.self, at: "source"))
        q.q = Check.clean(try? req.query.get(String.self, at: "q")).map { String($0.prefix(100)) }
        if let raw = Check.clean(try? req.query.get(String.self, at: "cursor")) {
            guard let c = PageCursor(token: raw) else { throw AppError.badRequest("error.badParameter") }
            q.cursor = c
        }
        if let raw = try? req.query.get(String.self, at: "limit") {
            guard let n = Int(raw), (1...200).contains(n) else { throw AppError.badRequest("error.badParameter") }
            q.limit = n
        }
        return q
    }
}
