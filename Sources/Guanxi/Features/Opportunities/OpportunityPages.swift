import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// Opportunity pages: the list, the kanban board, the form, the detail with its stage path, lines,
/// stage history and audit trail, and the actions that move an opportunity along.
struct OpportunityPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("opportunities", use: index)
        routes.get("opportunities", "board", use: board)
        routes.get("opportunities", "new", use: newForm)
        routes.post("opportunities", use: create)
        routes.get("opportunities", ":id", use: show)
        routes.get("opportunities", ":id", "edit", use: editForm)
        routes.post("opportunities", ":id", "edit", use: update)
        routes.post("opportunities", ":id", "stage", use: move)
        routes.post("opportunities", ":id", "close", use: close)
        routes.post("opportunities", ":id", "delete", use: delete)
        routes.post("opportunities", ":id", "lines", use: addLine)
        routes.post("opportunities", ":id", "lines", ":line", "delete", use: removeLine)
        routes.post("opportunities", ":id", "contacts", use: addContact)
        routes.post("opportunities", ":id", "contacts", ":contact", "delete", use: removeContact)
    }

    func service(_ req: Request) throws -> OpportunityService { OpportunityService(db: req.db, actor: try req.actor, now: req.now) }

    static let formKeys = ["name", "amount", "expectedCloseOn", "source", "competitors", "nextStep", "description"]

    // MARK: list

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        let t = actor.t
        let svc = try service(req)
        let query = try OpportunityParams.list(req, views: svc.views)
        let page = try await svc.list(query)
        let stages = try await svc.stages(includeInactive: true)
        let names = try await OpportunityNames.load(page.items, on: req.db, orgID: actor.orgID)
        let base: [(String, String?)] = [("view", query.view.rawValue), ("status", query.status?.rawValue), ("stage", query.stageID?.uuidString), ("q", query.q)]
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return req.page(title: t("nav.opportunities"), crumbs: [Crumb(label: t("nav.opportunities"), href: nil)]) { ctx in
            let rows: [[HNode]] = page.items.map { o in [
                H.a(Paths.opportunity(o.id!), o.name, cls: "strong"),
                H.a(Paths.customer(o.customerID), names.customers[o.customerID] ?? ""),
                H.text(stages.first { $0.id == o.stageID }?.label(t.locale) ?? ""),
                Self.statusBadge(o, t: t),
                H.span("num", money(o.amount)),
                H.text(o.expectedCloseOn ?? "—"),
                H.text(names.users[o.ownerID] ?? ""),
            ] }
            let filter = H.el("form", [A("method", "get"), .cls("search-form"), A("role", "search")], [
                H.void("input", [.type("hidden"), .name("view"), .value(query.view.rawValue)]),
                H.void("input", [.type("search"), .name("q"), .value(query.q), A("placeholder", t("opportunity.searchHint")), A("aria-label", t("action.search"))]),
                H.el("select", [.name("status"), A("aria-label", t("opportunity.status"))],
                     [H.el("option", [.value("")], [H.text(t("opportunity.anyStatus"))])] + OpportunityStatus.allCases.map { s in
                         H.el("option", [.value(s.rawValue), .flag("selected", query.status == s)], [H.text(t(s.labelKey))])
                     }),
                H.el("select", [.name("stage"), A("aria-label", t("opportunity.stage"))],
                     [H.el("option", [.value("")], [H.text(t("opportunity.anyStage"))])] + stages.map { s in
                         H.el("option", [.value(s.id!.uuidString), .flag("selected", query.stageID == s.id)], [H.text(s.label(t.locale))])
                     }),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
            ])
            let filtered = query.q != nil || query.status != nil || query.stageID != nil
            let newButton = actor.can(.create, .opportunities) ? H.a(Paths.opportunities + "/new", t("opportunity.new"), cls: "btn btn-primary") : H.empty
            let empty = filtered ? Tables.emptyState(t("search.noMatch"), hint: nil)
                : Tables.emptyState(t("opportunity.emptyTitle"), hint: t("opportunity.emptyHint"), action: newButton)
            let next = page.next.map { URLQuery.build(Paths.opportunities, base + [("sort", query.sort.rawValue), ("cursor", $0.token)]) }
            let first = query.cursor == nil ? nil : URLQuery.build(Paths.opportunities, base + [("sort", query.sort.rawValue)])
            return H.group([
                Self.head(t("nav.opportunities"), actor: actor, current: "list", view: query.view, t: t),
                Self.viewTabs(Paths.opportunities, views: svc.views, current: query.view, t: t),
                filter,
                Tables.table([Tables.Column(t("opportunity.name")), Tables.Column(t("entity.customer")), Tables.Column(t("opportunity.stage")),
                              Tables.Column(t("opportunity.status")), Tables.Column(t("opportunity.amount"), sort: "amount"),
                              Tables.Column(t("opportunity.expectedCloseOn")), Tables.Column(t("opportunity.owner"))],
                             rows: rows, sort: query.sort == .amount ? "amount" : nil, descending: true,
                             link: { _, _ in URLQuery.build(Paths.opportunities, base + [("sort", query.sort == .amount ? nil : "amount")]) }, empty: empty),
                Tables.pager(first: first, next: next, t: t),
            ])
        }
    }

    static func head(_ title: String, actor: Actor, current: String, view: OpportunityService.View, t: Translator) -> HNode {
        let links: [(String, String, String)] = [("list", Paths.opportunities, "opportunity.list"), ("board", Paths.opportunities + "/board", "opportunity.board"),
                                                 ("analysis", Paths.opportunities + "/analysis", "opportunity.analysis")]
        return H.div("page-head", H.h1(title), H.div("actions",
            H.el("nav", [.cls("segmented"), A("aria-label", title)], links.map { key, path, label in
                H.el("a", [.href(URLQuery.build(path, [("view", view.rawValue)])), .cls(key == current ? "btn active" : "btn"), A("aria-current", key == current ? "page" : nil)],
                     [H.text(t(label))])
            }),
            actor.isAdmin ? H.a(Paths.adminStages, t("nav.stages"), cls: "btn") : H.empty,
            actor.can(.create, .opportunities) ? H.a(Paths.opportunities + "/new", t("opportunity.new"), cls: "btn btn-primary") : H.empty))
    }

    static func viewTabs(_ path: String, views: [OpportunityService.View], current: OpportunityService.View, t: Translator, extra: [(String, String?)] = []) -> HNode {
        H.el("nav", [.cls("tabs"), A("aria-label", t("opportunity.views"))], views.map { v in
            H.el("a", [.href(URLQuery.build(path, [("view", v.rawValue)] + extra)), .cls(v == current ? "tab active" : "tab"), A("aria-current", v == current ? "page" : nil)],
                 [H.text(t(v.labelKey))])
        })
    }

    static func statusBadge(_ o: Opportunity, t: Translator) -> HNode {
        switch o.state {
        case .open: H.span("badge", t(OpportunityStatus.open.labelKey))
        case .won: H.span("badge badge-ok", t(OpportunityStatus.won.labelKey))
        case .lost: H.span("badge badge-danger", t(OpportunityStatus.lost.labelKey))
        }
    }

    // MARK: board

    @Sendable func board(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        let t = actor.t
        let svc = try service(req)
        let view = try OpportunityParams.view(req, views: svc.views)
        let columns = try await svc.board(view)
        let names = try await OpportunityNames.load(columns.flatMap(\.cards), on: req.db, orgID: actor.orgID)
        let canMove = actor.can(.edit, .opportunities)
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let total = columns.reduce((0, Int64(0), Int64(0))) { ($0.0 + $1.count, $0.1 + $1.amount, $0.2 + $1.weighted) }
        return req.page(title: t("opportunity.board"), crumbs: [Crumb(label: t("nav.opportunities"), href: Paths.opportunities), Crumb(label: t("opportunity.board"), href: nil)]) { ctx in
            let stageOptions = columns.map { Forms.Option(value: $0.stage.id!.uuidString, label: $0.stage.label(t.locale)) }
            let cols = columns.map { col in
                H.el("section", [.cls("kanban-col"), A("data-stage", col.stage.id!.uuidString), A("aria-label", col.stage.label(t.locale))], [
                    H.el("header", [.cls("kanban-head")], [
                        H.el("h2", [], [H.text(col.stage.label(t.locale)), H.span("muted small", " \(col.stage.probability)%")]),
                        H.p(t("opportunity.columnSummary", String(col.count), money(col.amount), money(col.weighted)), cls: "muted small"),
                    ]),
                    H.el("ol", [.cls("kanban-cards")], col.cards.map { o in
                        H.el("li", [.cls("kanban-card"), .id("opp-\(o.id!.uuidString)"), A("draggable", canMove ? "true" : nil),
                                    A("data-stage-move", canMove ? Paths.opportunity(o.id!) + "/stage" : nil)], [
                            H.a(Paths.opportunity(o.id!), o.name, cls: "strong"),
                            H.p(names.customers[o.customerID] ?? "", cls: "small"),
                            H.div("kanban-meta", H.span("num", money(o.amount)), H.span("muted", o.expectedCloseOn ?? ""), H.span("muted", names.users[o.ownerID] ?? "")),
                            canMove ? Forms.form(Paths.opportunity(o.id!) + "/stage", csrf: ctx.csrf, cls: "kanban-move", [
                                H.void("input", [.type("hidden"), .name("back"), .value("board:\(view.rawValue)")]),
                                H.el("select", [.name("stageID"), A("aria-label", t("opportunity.moveTo"))], stageOptions.map { opt in
                                    H.el("option", [.value(opt.value), .flag("selected", opt.value == col.stage.id!.uuidString)], [H.text(opt.label)])
                                }),
                                H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("opportunity.move"))]),
                            ]) : H.empty,
                        ])
                    } + (col.count > col.cards.count ? [H.el("li", [.cls("kanban-more")], [
                        H.a(URLQuery.build(Paths.opportunities, [("view", view.rawValue), ("status", "open"), ("stage", col.stage.id!.uuidString), ("sort", "amount")]),
                            t("opportunity.moreInStage", String(col.count - col.cards.count))),
                    ])] : [])),
                ])
            }
            return H.group([
                Self.head(t("opportunity.board"), actor: actor, current: "board", view: view, t: t),
                Self.viewTabs(Paths.opportunities + "/board", views: svc.views, current: view, t: t),
                H.p(t("opportunity.boardSummary", String(total.0), money(total.1), money(total.2)), cls: "muted"),
                columns.isEmpty ? Tables.emptyState(t("opportunity.noStages"), hint: nil)
                    : H.el("div", [.cls("kanban"), A("data-csrf", ctx.csrf)], cols),
            ])
        }
    }

    // MARK: form

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .opportunities)
        var values: [String: String] = ["ownerID": actor.userID.uuidString]
        if let raw = try? req.query.get(String.self, at: "customer"), let id = UUID(uuidString: raw),
           let c = try await actor.query(Customer.self, .view, on: req.db).filter(\.$id == id).firstRow() {
            values["customer"] = c.number ?? c.id!.uuidString
            values["customerID"] = c.id!.uuidString
        }
        return try await render(req, record: nil, values: values, errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        let def = actor.definition(Opportunity.definition)
        do {
            let o = try await service(req).create(def.input(form: try await resolved(form, actor: actor, on: req.db), actor: actor), Self.extra(form))
            return req.redirect(Paths.opportunity(o.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, record: nil, values: def.folded(form), errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let o = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .edit)
        var values: [String: String] = ["ownerID": o.ownerID.uuidString, "contactID": o.contactID?.uuidString ?? "", "customerID": o.customerID.uuidString]
        for f in actor.definition(Opportunity.definition).fields { values[f.key] = FieldCodec.formText(f, f.read(o), decimals: actor.org.moneyDecimals) }
        let c = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == o.customerID).firstRow()
        values["customer"] = c?.number ?? o.customerID.uuidString
        return try await render(req, record: o, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let o = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let form = try req.content.decode([String: String].self)
        let def = actor.definition(Opportunity.definition)
        do {
            _ = try await svc.update(o.id, def.input(form: try await resolved(form, actor: actor, on: req.db), actor: actor), Self.extra(form))
            return req.redirect(Paths.opportunity(o.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            var values = def.folded(form)
            values["customerID"] = o.customerID.uuidString
            return try await render(req, record: o, values: values, errors: e.fields, status: .unprocessableEntity)
        }
    }

    static func extra(_ form: [String: String]) -> OpportunityService.Extra {
        .init(stageID: form["stageID"], ownerID: form["ownerID"], contactID: form["contactID"])
    }

    /// The form names the customer by number or full name; the declaration stores its id.
    private func resolved(_ form: [String: String], actor: Actor, on db: Database) async throws -> [String: String] {
        var out = form
        guard let raw = Check.clean(form["customer"]), UUID(uuidString: raw) == nil else { return out }
        var found = try await actor.query(Customer.self, .view, on: db).filter(\.$number == raw.uppercased()).firstRow()
        if found == nil { found = try await actor.query(Customer.self, .view, on: db).filter(\.$name == raw).firstRow() }
        out["customer"] = found?.id?.uuidString ?? raw
        return out
    }

    private func render(_ req: Request, record: Opportunity?, values: [String: String], errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let def = actor.definition(Opportunity.definition)
        let stages = try await svc.stages()
        let people = try await actor.scopeUsers(.opportunities, on: req.db)
        let choices = try await FormChoices.load(def, actor: actor, on: req.db)
        let customerID = values["customerID"].flatMap(UUID.init(uuidString:))
        let contacts = try await customerID.asyncMap { id in
            try await actor.inOrg(Contact.self, on: req.db).filter(\.$customerID == id).sort(\.$name).limit(200).rows()
        } ?? []
        let title = record?.name ?? t("opportunity.new")
        let action = record.map { Paths.opportunity($0.id!) + "/edit" } ?? Paths.opportunities
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.opportunities"), href: Paths.opportunities), Crumb(label: title, href: nil)]) { ctx in
            var controls: [HNode] = (Self.formKeys + def.customKeys).compactMap { key in
                def.field(key).map { EntityViews.control($0, in: def, actor: actor, value: values[key], error: errors[key], choices: choices, t: t) }
            }
            controls.insert(Forms.input("customer", label: t("entity.customer"), value: values["customer"], error: errors["customer"].map { t($0) },
                                        required: true, hint: t("opportunity.customerHint"), extra: [A("maxlength", "200")]), at: 1)
            if !contacts.isEmpty {
                controls.insert(Forms.select("contactID", label: t("opportunity.contact"), options: contacts.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                             selected: values["contactID"], error: errors["contactID"].map { t($0) }, blank: "—"), at: 2)
            }
            if record == nil {
                controls.insert(Forms.select("stageID", label: t("opportunity.stage"), options: stages.map { .init(value: $0.id!.uuidString, label: "\($0.label(t.locale)) · \($0.probability)%") },
                                             selected: values["stageID"], error: errors["stageID"].map { t($0) }), at: 2)
            }
            controls.append(Forms.select("ownerID", label: t("opportunity.owner"), options: people.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                         selected: values["ownerID"] ?? actor.userID.uuidString, error: errors["ownerID"].map { t($0) }))
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card wide", H.div("grid-form", controls)),
                    Forms.actions(Forms.submit(t("action.save")), H.a(record.map { Paths.opportunity($0.id!) } ?? Paths.opportunities, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    // MARK: detail

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let o = try await svc.get(req.parameters.get("id", as: UUID.self))
        let def = actor.definition(Opportunity.definition)
        let stages = try await svc.stages(includeInactive: true)
        let changes = try await svc.stageHistory(o.id!)
        let lines = try await svc.lines(o.id!)
        let history = try await Audit.history(entity: Opportunity.entity, module: .opportunities, id: o.id!, actor: actor, on: req.db)
        let lookups = try await Lookups.load(def, records: [o], history: history, actor: actor, on: req.db, extraUsers: changes.map(\.changedBy))
        let contact = try await o.contactID.asyncMap { id in try await actor.inOrg(Contact.self, on: req.db).filter(\.$id == id).firstRow() }
        let products = try await OpportunityNames.products(lines.map(\.productID), on: req.db, orgID: actor.orgID)
        let reasons = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.lostReason)
        let reasonLabels = Dictionary(reasons.map { ($0.value, $0.label(t.locale)) }, uniquingKeysWith: { a, _ in a })
        let canEdit = (try? await svc.get(o.id, for: .edit)) != nil
        let quotes = try await QuoteViews.card(opportunity: o, req: req, actor: actor)
        let demandPlans = try await DemandPlanPages.card(o, canEdit: canEdit, req: req, actor: actor)
        let contactsCard = try await OpportunityContactViews.card(o, canEdit: canEdit, req: req, actor: actor)
        let files = try await AttachmentViews.card(Opportunity.entity, o.id!, back: Paths.opportunity(o.id!), canEdit: canEdit, req: req, actor: actor)
        let catalogue: [Product] = canEdit && actor.can(.view, .products) && o.state == .open
            ? try await actor.inOrg(Product.self, on: req.db).filter(\.$status == "onSale").sort(\.$name).limit(500).rows() : []
        let stageName = { (id: UUID?) in id.flatMap { id in stages.first { $0.id == id }?.label(t.locale) } ?? "" }
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return req.page(title: o.name, crumbs: [Crumb(label: t("nav.opportunities"), href: Paths.opportunities), Crumb(label: o.name, href: nil)]) { ctx in
            let live = stages.filter { $0.isActive || $0.id == o.stageID }
            let position = live.firstIndex { $0.id == o.stageID } ?? 0
            let path = H.el("ol", [.cls("stage-path"), A("aria-label", t("opportunity.stage"))], live.enumerated().map { i, s in
                let state = o.state == .won ? "done" : i < position ? "done" : i == position ? (o.state == .lost ? "lost" : "current") : "todo"
                return H.el("li", [.cls("stage-step \(state)"), A("aria-current", i == position ? "step" : nil)],
                            [H.text(s.label(t.locale)), H.span("muted small", " \(s.probability)%")])
            })
            var actions: [HNode] = []
            if canEdit, o.state == .open {
                actions.append(Forms.form(Paths.opportunity(o.id!) + "/stage", csrf: ctx.csrf, cls: "inline", [
                    H.el("select", [.name("stageID"), A("aria-label", t("opportunity.moveTo"))], stages.filter(\.isActive).map { s in
                        H.el("option", [.value(s.id!.uuidString), .flag("selected", s.id == o.stageID)], [H.text(s.label(t.locale))])
                    }),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("opportunity.move"))]),
                ]))
                actions.append(Forms.form(Paths.opportunity(o.id!) + "/close", csrf: ctx.csrf, cls: "inline", [
                    H.void("input", [.type("hidden"), .name("status"), .value("won")]),
                    H.el("button", [.type("submit"), .cls("btn btn-primary")], [H.text(t("opportunity.markWon"))]),
                ]))
            }
            if canEdit, o.state != .open {
                actions.append(Forms.form(Paths.opportunity(o.id!) + "/close", csrf: ctx.csrf, cls: "inline", [
                    H.void("input", [.type("hidden"), .name("status"), .value("open")]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("opportunity.reopen"))]),
                ]))
            }
            if canEdit { actions.append(H.a(Paths.opportunity(o.id!) + "/edit", t("action.edit"), cls: "btn")) }
            if actor.can(.delete, .opportunities), canEdit {
                actions.append(Forms.postButton(Paths.opportunity(o.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger",
                                                confirm: t("opportunity.confirmDelete")))
            }
            let lost = canEdit && o.state == .open ? H.el("details", [.cls("card"), .id("lose")], [
                H.el("summary", [], [H.text(t("opportunity.markLost"))]),
                Forms.form(Paths.opportunity(o.id!) + "/close", csrf: ctx.csrf, cls: "form", [
                    H.void("input", [.type("hidden"), .name("status"), .value("lost")]),
                    H.div("grid-form",
                          Forms.select("lostReason", label: t("dict.lostReason"), options: reasons.map { .init(value: $0.value, label: $0.label(t.locale)) },
                                       selected: nil, error: nil, required: true, blank: "—"),
                          Forms.input("note", label: t("opportunity.closeNote"), value: nil, error: nil, extra: [A("maxlength", "500")])),
                    Forms.actions(Forms.submit(t("opportunity.markLost"))),
                ]),
            ]) : H.empty
            let result: HNode = o.state == .open ? H.empty : H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], [
                H.el("dt", [], [H.text(t("opportunity.status"))]), H.el("dd", [], [Self.statusBadge(o, t: t)]),
                H.el("dt", [], [H.text(t("opportunity.closedOn"))]), H.el("dd", [], [H.text(o.closedOn ?? "—")]),
                o.lostReason.map { r in H.group([H.el("dt", [], [H.text(t("dict.lostReason"))]), H.el("dd", [], [H.text(reasonLabels[r] ?? r)])]) } ?? H.empty,
                o.closeNote.map { n in H.group([H.el("dt", [], [H.text(t("opportunity.closeNote"))]), H.el("dd", [], [H.text(n)])]) } ?? H.empty,
            ])])
            let lineRows: [[HNode]] = lines.map { l in [
                H.a(Paths.product(l.productID), products[l.productID] ?? ""),
                H.span("num", String(l.quantity)), H.text(l.unit ?? ""), H.span("num", money(l.price)), H.span("num", money(l.total)),
                canEdit ? Forms.postButton(Paths.opportunity(o.id!) + "/lines/\(l.id!.uuidString)/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-small") : H.empty,
            ] }
            let addLine: HNode = catalogue.isEmpty ? H.empty : Forms.form(Paths.opportunity(o.id!) + "/lines", csrf: ctx.csrf, cls: "form inline-form", [
                H.div("grid-form",
                      Forms.select("productID", label: t("entity.product"), options: catalogue.map { .init(value: $0.id!.uuidString, label: "\($0.code) \($0.name)") },
                                   selected: nil, error: nil, required: true, blank: "—"),
                      Forms.input("quantity", label: t("opportunity.quantity"), value: "1", error: nil, extra: [A("inputmode", "numeric"), A("maxlength", "8")]),
                      Forms.input("unit", label: t("product.unit"), value: nil, error: nil, extra: [A("maxlength", "10")]),
                      Forms.input("price", label: t("opportunity.unitPrice"), value: nil, error: nil, hint: t("opportunity.priceHint"),
                                  extra: [A("inputmode", "decimal"), A("maxlength", "20")])),
                Forms.actions(Forms.submit(t("opportunity.addLine"))),
            ])
            let changeRows: [[HNode]] = changes.map { c in [
                H.text(ctx.dateTime(c.changedAt)),
                H.text(c.fromStageID == nil ? t("opportunity.created") : "\(stageName(c.fromStageID)) \(c.fromStatus.flatMap(OpportunityStatus.init).map { $0 == .open ? "" : t($0.labelKey) } ?? "")"),
                H.text("\(stageName(c.toStageID)) \(OpportunityStatus(rawValue: c.toStatus).map { $0 == .open ? "" : t($0.labelKey) } ?? "")"),
                H.span("num", money(c.amount)),
                H.text(lookups.users[c.changedBy] ?? ""),
            ] }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(o.name), H.div("summary-badges", Self.statusBadge(o, t: t),
                                                                           H.span("badge", "\(t("opportunity.probability")) \(o.probability)%"))),
                      H.div("actions", actions)),
                path,
                result,
                lost,
                H.el("section", [.cls("card")], [
                    EntityViews.facts(def, keys: ["customer", "amount", "expectedCloseOn", "owner", "source", "competitors", "nextStep", "description"] + def.customKeys,
                                      record: o, actor: actor, lookups: lookups, t: t, link: { f, raw in f.key == "customer" ? UUID(uuidString: raw).map(Paths.customer) : nil }),
                    H.el("dl", [.cls("facts")], [
                        H.el("dt", [], [H.text(t("opportunity.contact"))]), H.el("dd", [], [contact.map { H.a(Paths.contact($0.id!), $0.name) } ?? H.text("—")]),
                        H.el("dt", [], [H.text(t("opportunity.weighted"))]), H.el("dd", [], [H.span("num", money(o.weighted))]),
                    ]),
                ]),
                H.el("section", [.cls("card"), .id("lines")], [
                    H.h2(t("opportunity.lines")),
                    Tables.table([t("entity.product"), t("opportunity.quantity"), t("product.unit"), t("opportunity.unitPrice"), t("opportunity.lineTotal"), ""].map { Tables.Column($0) },
                                 rows: lineRows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("opportunity.noLines"), cls: "muted")),
                    addLine,
                ]),
                contactsCard(ctx),
                demandPlans(ctx),
                quotes(ctx),
                files(ctx),
                H.el("section", [.cls("card")], [
                    H.h2(t("opportunity.stageHistory")),
                    Tables.table([t("opportunity.changedAt"), t("opportunity.from"), t("opportunity.to"), t("opportunity.amount"), t("opportunity.changedBy")].map { Tables.Column($0) },
                                 rows: changeRows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p("—", cls: "muted")),
                ]),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in
                        switch k {
                        case "stage": t("opportunity.stage")
                        case "status": t("opportunity.status")
                        case "probability": t("opportunity.probability")
                        case "lostReason": t("dict.lostReason")
                        case "closeNote": t("opportunity.closeNote")
                        case "contact": t("opportunity.contact")
                        case "lines": t("opportunity.lines")
                        case "demandPlan", "demandPlan.title", "demandPlan.content": t("demandPlan.title")
                        case "contacts": t("opportunity.contacts")
                        case "attachments": t("attachment.title")
                        default: def.field(k).map { $0.title(t) } ?? k
                        }
                    }, display: { k, v in
                        switch k {
                        case "stage": stageName(v.flatMap(UUID.init(uuidString:)))
                        case "status": v.flatMap(OpportunityStatus.init).map { t($0.labelKey) } ?? ""
                        case "lostReason": v.flatMap { reasonLabels[$0] } ?? (v ?? "")
                        default: def.field(k).map { FieldCodec.display($0, v, lookups: lookups, t: t, decimals: actor.org.moneyDecimals) } ?? (v ?? "")
                        }
                    }),
                ]),
            ])
        }
    }

    // MARK: actions

    /// A drag on the board posts with `X-Requested-With: fetch` and gets 204; a form post is redirected
    /// back to where it came from.
    @Sendable func move(req: Request) async throws -> Response {
        struct Body: Content { var stageID: String?; var back: String? }
        let body = try req.content.decode(Body.self)
        let id = req.parameters.get("id", as: UUID.self)
        let fetch = req.headers.first(name: "X-Requested-With") == "fetch"
        let back = body.back.flatMap { b -> String? in
            guard b.hasPrefix("board:"), let v = OpportunityService.View(rawValue: String(b.dropFirst(6))) else { return nil }
            return URLQuery.build(Paths.opportunities + "/board", [("view", v.rawValue)])
        }
        do {
            let o = try await service(req).move(id, stage: body.stageID)
            if fetch { return Response(status: .noContent) }
            return req.redirect(back ?? Paths.opportunity(o.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            if fetch { throw e }
            return req.redirect(back ?? id.map(Paths.opportunity) ?? Paths.opportunities, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func close(req: Request) async throws -> Response {
        struct Body: Content { var status: String?; var lostReason: String?; var note: String?; var stageID: String? }
        let b = try req.content.decode(Body.self)
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let o = try await service(req).close(id, .init(status: b.status, lostReason: b.lostReason, note: b.note, stageID: b.stageID))
            return req.redirect(Paths.opportunity(o.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect((id.map(Paths.opportunity) ?? Paths.opportunities) + (b.status == "lost" ? "#lose" : ""),
                                flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.opportunities, flash: Flash(.success, "flash.deleted"))
    }

    @Sendable func addLine(req: Request) async throws -> Response {
        struct Body: Content { var productID: String?; var quantity: String?; var unit: String?; var price: String? }
        let b = try req.content.decode(Body.self)
        let id = req.parameters.get("id", as: UUID.self)
        do {
            _ = try await service(req).addLine(id, .init(productID: b.productID, quantity: b.quantity, unit: b.unit, price: b.price), priceInFen: false)
            return req.redirect((id.map(Paths.opportunity) ?? Paths.opportunities) + "#lines", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect((id.map(Paths.opportunity) ?? Paths.opportunities) + "#lines", flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func removeLine(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        try await service(req).removeLine(id, line: req.parameters.get("line", as: UUID.self))
        return req.redirect((id.map(Paths.opportunity) ?? Paths.opportunities) + "#lines", flash: Flash(.success, "flash.deleted"))
    }

    @Sendable func addContact(req: Request) async throws -> Response {
        struct Form: Content { var contactID: String?; var role: String? }
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode(Form.self)
        do {
            _ = try await service(req).addContact(id, contactID: form.contactID, role: form.role)
            return req.redirect(Paths.opportunity(id!) + "#contacts", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.opportunity(id!) + "#contacts", flash: Flash(.error, e.fields.values.first ?? "error.invalidOption"))
        }
    }

    @Sendable func removeContact(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        try await service(req).removeContact(id, contactID: req.parameters.get("contact", as: UUID.self))
        return req.redirect(Paths.opportunity(id!) + "#contacts", flash: Flash(.success, "flash.saved"))
    }
}

/// Names of the customers, owners and products opportunities refer to, two columns at a time.
struct OpportunityNames {
    var customers: [UUID: String] = [:]
    var users: [UUID: String] = [:]

    private struct Row: Decodable {
        let id: UUID
        let name: String
    }

    private static func names(_ table: String, _ ids: [UUID], on db: Database, orgID: UUID) async throws -> [UUID: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.raw("SELECT id, name FROM \(ident: table) WHERE org_id = \(bind: orgID) AND id IN (\(binds: unique))").all(decoding: Row.self)
        return Dictionary(rows.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func load(_ items: [Opportunity], on db: Database, orgID: UUID) async throws -> OpportunityNames {
        OpportunityNames(customers: try await names("customers", items.map(\.customerID), on: db, orgID: orgID),
                         users: try await names("users", items.map(\.ownerID), on: db, orgID: orgID))
    }

    static func users(_ ids: [UUID], on db: Database, orgID: UUID) async throws -> [UUID: String] { try await names("users", ids, on: db, orgID: orgID) }
    static func customers(_ ids: [UUID], on db: Database, orgID: UUID) async throws -> [UUID: String] { try await names("customers", ids, on: db, orgID: orgID) }
    static func departments(_ ids: [UUID], on db: Database, orgID: UUID) async throws -> [UUID: String] { try await names("departments", ids, on: db, orgID: orgID) }
    static func products(_ ids: [UUID], on db: Database, orgID: UUID) async throws -> [UUID: String] { try await names("products", ids, on: db, orgID: orgID) }
}

/// Query parameters of the opportunity pages and API, checked once.
enum OpportunityParams {
    static func view(_ req: Request, views: [OpportunityService.View]) throws -> OpportunityService.View {
        guard let raw = Check.clean(try? req.query.get(String.self, at: "view")) else { return .mine }
        guard let v = OpportunityService.View(rawValue: raw), views.contains(v) else { throw AppError.badRequest("error.badParameter") }
        return v
    }

    static func list(_ req: Request, views: [OpportunityService.View]) throws -> OpportunityService.ListQuery {
        var q = OpportunityService.ListQuery()
        q.view = try view(req, views: views)
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard let st = OpportunityStatus(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.status = st
        }
        if let raw = Check.clean(try? req.query.get(String.self, at: "stage")) {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q.stageID = id
        }
        if let raw = Check.clean(try? req.query.get(String.self, at: "customer")) {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q.customerID = id
        }
        q.q = Check.clean(try? req.query.get(String.self, at: "q"))
        if let s = Check.clean(try? req.query.get(String.self, at: "sort")) {
            guard let sort = OpportunityService.ListQuery.Sort(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.sort = sort
        }
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

/// The opportunities card of a customer's 360 view.
enum OpportunityViews {
    static func panel(customer c: Customer, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        guard actor.can(.view, .opportunities) else { return { _ in H.empty } }
        let svc = OpportunityService(db: req.db, actor: actor, now: req.now)
        var query = OpportunityService.ListQuery()
        query.customerID = c.id
        query.limit = 20
        let items = try await svc.list(query).items
        let stages = try await svc.stages(includeInactive: true)
        let owners = try await OpportunityNames.users(items.map(\.ownerID), on: req.db, orgID: actor.orgID)
        let t = actor.t
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return { _ in
            H.el("section", [.cls("card"), .id("opportunities")], [
                H.div("card-head", H.h2(t("opportunity.customerSection")),
                      actor.can(.create, .opportunities) && c.ownerID != nil
                        ? H.a(URLQuery.build(Paths.opportunities + "/new", [("customer", c.id!.uuidString)]), t("opportunity.new"), cls: "btn btn-small") : H.empty),
                Tables.table([t("opportunity.name"), t("opportunity.stage"), t("opportunity.status"), t("opportunity.amount"), t("opportunity.expectedCloseOn"),
                              t("opportunity.owner")].map { Tables.Column($0) },
                             rows: items.map { o in [
                                 H.a(Paths.opportunity(o.id!), o.name, cls: "strong"),
                                 H.text(stages.first { $0.id == o.stageID }?.label(t.locale) ?? ""),
                                 OpportunityPages.statusBadge(o, t: t),
                                 H.span("num", money(o.amount)),
                                 H.text(o.expectedCloseOn ?? "—"),
                                 H.text(owners[o.ownerID] ?? ""),
                             ] },
                             sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("opportunity.emptyTitle"), cls: "muted")),
            ])
        }
    }
}
