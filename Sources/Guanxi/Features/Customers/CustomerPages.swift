import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The customer pages: list with chosen columns, the 360 view with history, create, edit, delete.
struct CustomerPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", use: index)
        routes.get("customers", "new", use: newForm)
        routes.get("customers", "export", use: export)
        routes.post("customers", "bulk", use: bulk)
        routes.post("customers", ":id", "hot", use: hot)
        routes.post("customers", "new", use: create)
        routes.get("customers", ":id", use: show)
        routes.get("customers", ":id", "edit", use: editForm)
        routes.get("customers", ":id", "copy", use: copyForm)
        routes.post("customers", ":id", "edit", use: update)
        routes.post("customers", ":id", "delete", use: delete)
    }

    /// How the form and the detail page group the fields.
    static let sections: [(String, [String])] = [
        ("customer.section.basic", ["number", "name", "shortName", "mnemonic", "kind", "industry", "level", "category", "source", "status"]),
        ("customer.section.contact", ["phone", "financePhone", "fax", "email", "website", "region", "address", "postcode"]),
        ("customer.section.credit", ["creditCode", "registeredOn", "creditRating", "creditLimit"]),
        ("customer.section.relations", ["owner", "secondaryOwner", "department", "parent", "settlementCustomer", "notes"]),
    ]

    /// The profile sections, with the organisation's custom fields as a last one.
    static func sections(_ def: EntityDefinition<Customer>) -> [(String, [String])] {
        def.customKeys.isEmpty ? sections : sections + [("customField.section", def.customKeys)]
    }

    static let columnsCookie = "gx_cols_customers"

    // MARK: list

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let params = try CustomerListParams.parse(req)
        let svc = CustomerService(db: req.db, actor: actor, now: req.now)
        let def = actor.definition(Customer.definition)
        let t = actor.t
        let visibleFields = def.fields.filter { !($0.restrictable && actor.fieldRule(.customers, $0.key) == .hidden) }
        let chosen = chosenColumns(req, available: visibleFields.map(\.key), listed: def.fields.filter(\.listed).map(\.key))
        let page = try await svc.listed(params, keys: visibleFields.map(\.key).filter(chosen.contains))
        let lookups = try await Lookups.load(def, listed: page.items, actor: actor, on: req.db)
        let bulkUsers = actor.can(.edit, .customers) ? try await actor.activeColleagues(on: req.db) : []
        let bulkOptions = try await DictionaryService(db: req.db, actor: actor, now: req.now).labels([.level, .customerStatus])
        let saved = try await SavedFilterPages.list(actor, on: req.db)
        let groupField = Check.clean(try? req.query.get(String.self, at: "group"))
        var groups: [(value: String?, count: Int)] = []
        if let groupField { groups = try await svc.groupCounts(params, field: groupField) }
        let groupKinds = def.fields.compactMap { f -> DictionaryKind? in if case .option(let k) = f.kind { k } else { nil } }
        let groupLabels = try await DictionaryService(db: req.db, actor: actor, now: req.now).labels(groupKinds)
        let currentQuery = req.url.query ?? ""
        let columns = visibleFields.filter { chosen.contains($0.key) }
        let res = req.page(title: t("nav.customers"), crumbs: [Crumb(label: t("nav.customers"), href: nil)]) { ctx in
            let base: [(String, String?)] = [("q", params.q), ("owner", params.ownerID?.uuidString), ("hot", params.hot ? "1" : nil),
                                             ("team", params.team ? "1" : nil), ("recent", params.recent ? "1" : nil)] + params.filters.queryItems
            let canBulk = actor.can(.edit, .customers)
            let canFollowUp = actor.can(.create, .followUps)
            let sortItems: [(String, String?)] = [("sort", params.sort.rawValue), ("order", params.descending ? "desc" : nil)]
            let link: (String, Bool) -> String = { sort, desc in URLQuery.build(Paths.customers, base + [("sort", sort), ("order", desc ? "desc" : nil)]) }
            let returnTo = URLQuery.build(Paths.customers, base + sortItems)
            let rows: [[HNode]] = page.items.map { c in
                let name = c["name"] ?? ""
                return (canBulk ? [H.void("input", [.type("checkbox"), .name("ids[]"), .value(c.id.uuidString), A("form", "bulk"), A("aria-label", name)])] : [])
                + columns.map { f -> HNode in
                    let raw = c[f.key]
                    let rule = f.restrictable ? actor.fieldRule(.customers, f.key) : nil
                    let shown = rule == .masked ? (raw.map(Masking.mask) ?? "")
                        : FieldCodec.display(f, raw, lookups: lookups, t: t, decimals: actor.org.moneyDecimals)
                    if f.key == "name" { return H.el("a", [.href(Paths.customer(c.id)), .cls("strong")], [H.text(name)]) }
                    if f.key == "owner", raw == nil { return H.span("muted", t("customer.noOwner")) }
                    return H.text(shown)
                }
                // A follow-up from the row, coming back to this page after saving.
                + (canFollowUp ? [H.el("a", [.href(Paths.newFollowUp(c.id, returnTo: returnTo)), .cls("btn btn-small"),
                                            A("title", t("followUp.add")), A("aria-label", "\(t("followUp.add")) · \(name)")], [H.text("✎")])] : [])
            }
            let cols = (canBulk ? [Tables.Column("")] : []) + columns.map { f in Tables.Column(f.title(t), sort: f.key == "name" ? "name" : f.key == "number" ? "created" : nil) }
                + (canFollowUp ? [Tables.Column("")] : [])
            let newButton = actor.can(.create, .customers) ? H.a(Paths.newCustomer, t("customer.new"), cls: "btn btn-primary") : H.empty
            let empty = params.q == nil && params.ownerID == nil && !params.hot && !params.team && !params.recent && params.filters.isEmpty
                ? Tables.emptyState(t("customer.emptyTitle"), hint: t("customer.emptyHint"), action: newButton)
                : Tables.emptyState(t("search.noMatch"), hint: nil)
            let next = page.next.map { URLQuery.build(Paths.customers, base + sortItems + [("cursor", $0.token)]) }
            let first = params.cursor == nil ? nil : URLQuery.build(Paths.customers, base + sortItems)
            let plain = params.ownerID == nil && !params.hot && !params.team && !params.recent
            let scopes = H.el("nav", [.cls("tabs")], [
                H.el("a", [.href(Paths.customers), .cls(plain ? "tab active" : "tab")], [H.text(t("customer.scope.all"))]),
                H.el("a", [.href(URLQuery.build(Paths.customers, [("owner", actor.userID.uuidString)])),
                           .cls(params.ownerID == actor.userID ? "tab active" : "tab")], [H.text(t("customer.scope.mine"))]),
                H.el("a", [.href(Paths.customers + "?team=1"), .cls(params.team ? "tab active" : "tab")], [H.text(t("customer.scope.team"))]),
                H.el("a", [.href(Paths.customers + "?hot=1"), .cls(params.hot ? "tab active" : "tab")], [H.text(t("customer.scope.hot"))]),
                H.el("a", [.href(Paths.customers + "?recent=1"), .cls(params.recent ? "tab active" : "tab")], [H.text(t("customer.scope.recent"))]),
                H.el("a", [.href(Paths.shares), .cls("tab")], [H.text(t("share.overview"))]),
                H.el("a", [.href(Paths.customers + "/stats"), .cls("tab")], [H.text(t("stats.title"))]),
                H.el("a", [.href(Paths.customers + "/duplicates"), .cls("tab")], [H.text(t("merge.duplicates"))]),
                H.el("a", [.href(Paths.pools), .cls("tab")], [H.text(t("nav.pools"))]),
            ])
            let chooser = H.el("details", [.cls("column-chooser")], [
                H.el("summary", [.cls("btn")], [H.text(t("list.columns"))]),
                H.el("form", [A("method", "get"), A("action", Paths.customers), .cls("chooser-panel")],
                     visibleFields.map { f in Forms.checkbox("cols[]", label: f.title(t), checked: chosen.contains(f.key), value: f.key) }
                     + [H.void("input", [.type("hidden"), .name("q"), .value(params.q)]),
                        H.el("button", [.type("submit"), .cls("btn btn-primary btn-small")], [H.text(t("action.apply"))])]),
            ])
            return H.group([
                H.div("page-head", H.h1(t("nav.customers")), H.div("actions",
                    actor.can(.import, .customers) ? H.a(Paths.customers + "/import", t("import.title"), cls: "btn") : H.empty, newButton)),
                scopes,
                saved.isEmpty && params.filters.isEmpty ? H.empty : H.div("saved-filters",
                    H.span("muted", t("filter.saved")),
                    H.group(saved.map { f in
                        H.el("span", [.cls("saved-filter")], [
                            H.a(Paths.customers + "?" + f.query, f.name, cls: currentQuery == f.query ? "strong" : nil),
                            H.el("a", [.href(URLQuery.build(Paths.targetLists, [("filter", f.id!.uuidString)]) + "#new-list"), .cls("link small"),
                                       A("title", t("targetList.new"))], [H.text("⇢")]),
                            Forms.postButton(Paths.customers + "/filters/\(f.id!.uuidString)/delete", label: "×", csrf: ctx.csrf, cls: "link", confirm: t("filter.confirmDelete")),
                        ])
                    }),
                    params.filters.isEmpty ? H.empty : Forms.form(Paths.customers + "/filters", csrf: ctx.csrf, cls: "inline-save", [
                        H.void("input", [.type("hidden"), .name("query"), .value(currentQuery)]),
                        H.void("input", [.type("text"), .name("name"), A("placeholder", t("filter.name")), A("aria-label", t("filter.name")), A("maxlength", "30"), .flag("required")]),
                        H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("filter.save"))]),
                    ])),
                H.div("toolbar",
                    H.el("form", [A("method", "get"), A("action", Paths.customers), .cls("search-form"), A("role", "search")], [
                        H.void("input", [.type("search"), .name("q"), .value(params.q), A("placeholder", t("customer.searchPlaceholder")),
                                         A("aria-label", t("action.search"))]),
                        H.void("input", [.type("hidden"), .name("owner"), .value(params.ownerID?.uuidString)]),
                        H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
                    ]),
                    FilterViews.panel(params.filters, fields: visibleFields, carry: [("q", params.q), ("owner", params.ownerID?.uuidString)], t: t),
                    Self.groupForm(groupField, fields: visibleFields, base: base, t: t),
                    chooser,
                    actor.can(.export, .customers) ? H.el("details", [.cls("column-chooser")], [
                        H.el("summary", [.cls("btn")], [H.text(t("action.export"))]),
                        H.div("chooser-panel",
                              H.a(URLQuery.build(Paths.customers + "/export", base + [("format", "xlsx")]), "Excel (.xlsx)", cls: "btn btn-small"),
                              H.a(URLQuery.build(Paths.customers + "/export", base + [("format", "csv")]), "CSV", cls: "btn btn-small")),
                    ]) : H.empty),
                canBulk && !page.items.isEmpty ? Forms.form(Paths.customers + "/bulk", csrf: ctx.csrf, cls: "bulk-bar", id: "bulk", [
                    H.void("input", [.type("hidden"), .name("back"), .value(URLQuery.build(Paths.customers, base))]),
                    H.span("muted", t("bulk.title")),
                    H.el("select", [.name("action"), A("aria-label", t("bulk.action"))], [
                        ("transfer", "bulk.transfer"), ("share", "bulk.share"), ("level", "bulk.level"), ("status", "bulk.status"), ("delete", "bulk.delete"),
                    ].compactMap { v, k in
                        if v == "delete", !actor.can(.delete, .customers) { return nil }
                        if v == "transfer", !actor.can(.assign, .customers) { return nil }
                        return H.el("option", [.value(v)], [H.text(t(k))])
                    }),
                    H.el("select", [.name("userID"), A("aria-label", t("bulk.target"))],
                         [H.el("option", [.value("")], [H.text(t("bulk.target"))])]
                         + bulkUsers.map { u in H.el("option", [.value(u.id.uuidString)], [H.text(u.name)]) }),
                    H.el("select", [.name("value"), A("aria-label", t("bulk.value"))],
                         [H.el("option", [.value("read")], [H.text(t("share.level.read"))]), H.el("option", [.value("edit")], [H.text(t("share.level.edit"))])]
                         + (bulkOptions["level"] ?? [:]).values.sorted { $0.sortOrder < $1.sortOrder }.map { o in
                             H.el("option", [.value(o.value)], [H.text(t("dict.level") + "：" + o.label(t.locale))]) }
                         + (bulkOptions["customerStatus"] ?? [:]).values.sorted { $0.sortOrder < $1.sortOrder }.map { o in
                             H.el("option", [.value(o.value)], [H.text(t("dict.customerStatus") + "：" + o.label(t.locale))]) }),
                    H.el("button", [.type("submit"), .cls("btn"), A("data-confirm", t("bulk.confirm"))], [H.text(t("action.apply"))]),
                    actor.can(.print, .customers) ? H.el("button", [.type("submit"), .cls("btn"), A("formaction", Paths.customers + "/envelopes"),
                                                                    A("formmethod", "get"), A("formtarget", "_blank")], [H.text(t("envelope.print"))]) : H.empty,
                ]) : H.empty,
                Self.groupBar(groupField.flatMap { def.field($0) }, groups: groups, labels: groupLabels, base: base, t: t),
                Tables.table(cols, rows: rows, sort: params.sort == .name ? "name" : "created", descending: params.descending, link: link, empty: empty),
                Tables.pager(first: first, next: next, t: t),
            ])
        }
        if let raw = Self.queryColumns(req) {
            res.cookies[Self.columnsCookie] = HTTPCookies.Value(string: raw.joined(separator: ","), maxAge: 31_536_000, path: "/", isHTTPOnly: true, sameSite: .lax)
        }
        return res
    }

    /// Chips with the count of each option of the grouped field, each a filter link.
    static func groupBar(_ field: EntityField<Customer>?, groups: [(value: String?, count: Int)], labels: [String: [String: DictionaryOption]],
                         base: [(String, String?)], t: Translator) -> HNode {
        guard let f = field, case .option(let kind) = f.kind else { return H.empty }
        let key = f.key
        var chips: [HNode] = [H.span("muted", t("list.groupedBy", f.title(t)))]
        for g in groups {
            let label = g.value.flatMap { labels[kind.rawValue]?[$0]?.label(t.locale) } ?? t("stats.unset")
            let filter: [(String, String?)] = g.value.map { [("ff[]", key), ("fo[]", "eq"), ("fv[]", $0)] } ?? [("ff[]", key), ("fo[]", "empty"), ("fv[]", "")]
            chips.append(H.el("a", [.href(URLQuery.build(Paths.customers, base + filter)), .cls("group-chip")],
                              [H.text(label), H.span("group-count", String(g.count))]))
        }
        return H.div("group-bar", chips)
    }

    static func groupForm(_ selected: String?, fields: [EntityField<Customer>], base: [(String, String?)], t: Translator) -> HNode {
        var options: [HNode] = [H.el("option", [.value("")], [H.text(t("list.groupBy"))])]
        for f in fields {
            guard case .option = f.kind else { continue }
            options.append(H.el("option", [.value(f.key), .flag("selected", f.key == selected)], [H.text(f.title(t))]))
        }
        var nodes: [HNode] = base.compactMap { k, v in v.map { H.void("input", [.type("hidden"), .name(k), .value($0)]) } }
        nodes.append(H.el("select", [.name("group"), A("aria-label", t("list.groupBy"))], options))
        nodes.append(H.el("button", [.type("submit"), .cls("btn")], [H.text(t("list.group"))]))
        return H.el("form", [A("method", "get"), A("action", Paths.customers), .cls("search-form")], nodes)
    }

    /// The chooser's choice when this request carries one.
    static func queryColumns(_ req: Request) -> [String]? {
        guard req.url.query?.contains("cols") == true else { return nil }
        return try? req.query.get([String].self, at: "cols")
    }

    /// Columns from the chooser (query), else the last choice (cookie), else the declared defaults.
    private func chosenColumns(_ req: Request, available: [String], listed: [String]) -> Set<String> {
        let saved: [String]? = req.cookies[Self.columnsCookie].map { cookie in cookie.string.split(separator: ",").map(String.init) }
        let raw = Self.queryColumns(req) ?? saved
        var chosen = Set(raw ?? listed).intersection(available)
        chosen.insert("name")
        return chosen
    }

    @Sendable func export(req: Request) async throws -> Response { try await CustomerExport(req: req).run() }

    @Sendable func hot(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        try await CustomerService(db: req.db, actor: try req.actor, now: req.now).setHot(id, (try? req.content.get(String.self, at: "hot")) == "1")
        return req.redirect(Paths.customer(id), flash: Flash(.success, "flash.saved"))
    }

    @Sendable func bulk(req: Request) async throws -> Response {
        struct Form: Content { var ids: [String]?; var action: String?; var userID: String?; var value: String?; var back: String? }
        let form = try req.content.decode(Form.self)
        let back = LoginPages.safeNext(form.back ?? Paths.customers)
        let ids = (form.ids ?? []).compactMap(UUID.init(uuidString:))
        guard !ids.isEmpty else { return req.redirect(back, flash: Flash(.error, "bulk.noneSelected")) }
        let value = form.action == "share" ? (form.value ?? "read") : form.value
        do {
            _ = try await CustomerBulk(db: req.db, actor: try req.actor, now: req.now).run(.init(
                customerIDs: ids, action: form.action ?? "", userID: ["transfer", "share"].contains(form.action ?? "") ? form.userID.flatMap(UUID.init(uuidString:)) : nil,
                value: value))
            return req.redirect(back, flash: Flash(.success, "bulk.done"))
        } catch let e as AppError where [.unprocessableEntity, .conflict, .forbidden, .notFound].contains(e.status) {
            return req.redirect(back, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    // MARK: 360 view

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = CustomerService(db: req.db, actor: actor, now: req.now)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        async let noted: Void = req.application.customerViewLog.note(.init(orgID: actor.orgID, userID: actor.userID, customerID: c.id!, at: req.now), on: req.db)
        let history = try await Audit.history(entity: Customer.entity, module: .customers, id: c.id!, actor: actor, on: req.db)
        let def = actor.definition(Customer.definition)
        let lookups = try await Lookups.load(def, records: [c], history: history, actor: actor, on: req.db)
        let children = try await actor.query(Customer.self, .view, on: req.db).filter(\.$parentID == c.id!).sort(\.$name).limit(100).rows()
        let contacts = actor.can(.view, .customers) ? try await ContactService(db: req.db, actor: actor, now: req.now).list(customerID: c.id!) : []
        let childContacts = try await ContactService(db: req.db, actor: actor, now: req.now).counts(customerIDs: children.map { $0.id! })
        let childOwners = try await svc.ownerNames(children)
        let followUps = FollowUpService(db: req.db, actor: actor, now: req.now)
        // The page shows up to 100 children; with more, the timeline reads its own (up to 200).
        let timeline = !actor.can(.view, .followUps) ? (items: [], next: nil)
            : children.count < 100 ? try await followUps.timeline(customerIDs: [c.id!] + children.map { $0.id! })
            : try await followUps.timeline(customerID: c.id)
        let known = Dictionary(children.map { ($0.id!, $0.name) } + [(c.id!, c.name)], uniquingKeysWith: { a, _ in a })
        let followUpNames = try await FollowUpNames.load(timeline.items, actor: actor, on: req.db, now: req.now, customers: known)
        let methods = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.followUpMethod)
        let templates = actor.can(.create, .followUps) ? try await FollowUpTemplateService(db: req.db, actor: actor, now: req.now).list() : []
        let relations = try await ContactRelationService(db: req.db, actor: actor, now: req.now).list(customerID: c.id)
        let roles = try await DictionaryService(db: req.db, actor: actor, now: req.now).labels([.contactRole])[DictionaryKind.contactRole.rawValue] ?? [:]
        let poolPanel = try await PoolViews.panel(for: c, actor: actor, req: req)
        let sharePanel = try await SharePages.panel(customer: c, req: req, actor: actor)
        let mergePanel = try await MergePages.panel(customer: c, req: req, actor: actor)
        let teamPanel = try await TeamPages.panel(customer: c, req: req, actor: actor)
        let opportunityPanel = try await OpportunityViews.panel(customer: c, req: req, actor: actor)
        let quotePanel = try await QuoteViews.card(customerID: c.id, req: req, actor: actor)
        let moneyPanel = try await FinanceCards.customer(c, req: req, actor: actor)
        let editable = try await svc.canEdit(c)
        let files = try await AttachmentViews.card(Customer.entity, c.id!, back: Paths.customer(c.id!), canEdit: editable, req: req, actor: actor)
        try await noted
        let t = actor.t
        return req.page(title: c.name, crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: c.name, href: nil)]) { ctx in
            var actions: [HNode] = []
            if actor.can(.edit, .customers), c.ownerID != nil {
                actions.append(Forms.form(Paths.customer(c.id!) + "/hot", csrf: ctx.csrf, cls: "inline", [
                    H.void("input", [.type("hidden"), .name("hot"), .value(c.isHot == true ? "0" : "1")]),
                    H.el("button", [.type("submit"), .cls(c.isHot == true ? "btn btn-hot" : "btn")], [H.text(t(c.isHot == true ? "customer.unpinHot" : "customer.pinHot"))]),
                ]))
            }
            if actor.can(.edit, .customers) { actions.append(H.a(Paths.editCustomer(c.id!), t("action.edit"), cls: "btn")) }
            if actor.can(.create, .customers) { actions.append(H.a(Paths.copyCustomer(c.id!), t("action.copy"), cls: "btn")) }
            if actor.can(.delete, .customers) {
                actions.append(Forms.postButton(Paths.deleteCustomer(c.id!), label: t("action.delete"), csrf: ctx.csrf,
                                                cls: "btn btn-danger", confirm: t("customer.confirmDelete")))
            }
            let link: (EntityField<Customer>, String) -> String? = { f, raw in
                f.kind == .customer ? UUID(uuidString: raw).map(Paths.customer) : nil
            }
            let profile = Self.sections(def).map { section, keys in
                H.div("fact-group", H.el("h3", [], [H.text(t(section))]),
                      EntityViews.facts(def, keys: keys, record: c, actor: actor, lookups: lookups, t: t, link: link))
            }
            let summary = H.div("summary-badges",
                c.number.map { H.span("badge badge-muted", $0) } ?? H.empty,
                c.level.flatMap { lookups.dictionary["level"]?[$0] }.map { H.el("span", [.cls("swatch"), A("data-color", $0.color)], [H.text($0.label(t.locale))]) } ?? H.empty,
                H.span("muted", t("customer.ownedBy", c.ownerID.flatMap { lookups.users[$0] } ?? t("customer.noOwner"))))
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(c.name), summary), H.div("actions", actions)),
                H.el("nav", [.cls("tabs"), A("aria-label", t("customer.sections"))], [
                    H.a("#follow-ups", t("followUp.title"), cls: "tab active"),
                    actor.can(.view, .opportunities) ? H.a("#opportunities", t("opportunity.customerSection"), cls: "tab") : H.empty,
                    H.a("#profile", t("customer.profile"), cls: "tab"),
                    H.a("#contacts", t("contact.title") + " (\(contacts.count))", cls: "tab"),
                    H.a("#relations", t("relation.title"), cls: "tab"),
                    H.a("#history", t("history.title"), cls: "tab"),
                ]),
                poolPanel(ctx),
                actor.can(.view, .followUps) ? FollowUpViews.section(customer: c, items: timeline.items, next: timeline.next, names: followUpNames,
                                                                     methods: methods, contacts: contacts, templates: templates, actor: actor, ctx: ctx) : H.empty,
                opportunityPanel(ctx),
                quotePanel(ctx),
                moneyPanel(ctx),
                files(ctx),
                H.el("section", [.cls("card"), .id("profile")], [H.div("fact-grid", profile)]),
                ContactViews.section(customer: c, contacts: contacts, actor: actor, ctx: ctx),
                ContactRelationPages.card(customer: c, contacts: contacts, relations: relations, roles: roles, actor: actor, ctx: ctx),
                teamPanel(ctx),
                sharePanel(ctx),
                mergePanel(ctx),
                children.isEmpty ? H.empty : H.el("section", [.cls("card"), .id("children")], [
                    H.h2(t("customer.children")),
                    H.p(t("customer.childrenRollUp", String(children.count), String(childContacts.values.reduce(0, +))), cls: "muted"),
                    Tables.table([t("customer.name"), t("customer.number"), t("customer.owner"), t("contact.title")].map { Tables.Column($0) },
                                 rows: children.map { ch in [H.a(Paths.customer(ch.id!), ch.name), H.text(ch.number ?? ""),
                                                             H.text(ch.ownerID.flatMap { childOwners[$0] } ?? t("customer.noOwner")),
                                                             H.text(String(childContacts[ch.id!] ?? 0))] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ]),
                H.el("section", [.cls("card"), .id("history")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx,
                                       label: { key in def.field(key).map { $0.title(t) } ?? key },
                                       display: { key, value in
                                           guard let f = def.field(key) else { return value ?? "" }
                                           return FieldCodec.display(f, value, lookups: lookups, t: t, decimals: actor.org.moneyDecimals)
                                       }),
                ]),
            ])
        }
    }

    // MARK: forms

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .customers)
        return try await renderForm(req, customer: nil, values: ["kind": "company", "owner": actor.userID.uuidString], errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .customers)
        let form = try req.content.decode([String: String].self)
        do {
            var input = actor.definition(Customer.definition).input(form: try await resolveCustomerRefs(form, actor: actor, on: req.db), actor: actor)
            let owner = parseOwner(form["ownerID"], into: &input.errors)
            let c = try await CustomerService(db: req.db, actor: actor, now: req.now).create(input, ownerID: owner, allowDuplicates: form["confirmDuplicate"] == "1")
            return req.redirect(Paths.customer(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            var values = actor.definition(Customer.definition).folded(form)
            values["owner"] = form["ownerID"]
            return try await renderForm(req, customer: nil, values: values, errors: e.fields, status: .unprocessableEntity)
        } catch let found as CollisionFound {
            var values = actor.definition(Customer.definition).folded(form)
            values["owner"] = form["ownerID"]
            return try await renderForm(req, customer: nil, values: values, errors: [:], collisions: found.matches, status: .conflict)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let c = try await actor.find(Customer.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        var values: [String: String] = [:]
        for f in actor.definition(Customer.definition).fields { values[f.key] = FieldCodec.formText(f, f.read(c), decimals: actor.org.moneyDecimals) }
        // Related customers are shown by number, which people know.
        for key in ["parent", "settlementCustomer"] {
            if let id = values[key].flatMap(UUID.init(uuidString:)),
               let related = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == id).firstRow() {
                values[key] = related.number ?? id.uuidString
            }
        }
        return try await renderForm(req, customer: c, values: values, errors: [:])
    }

    /// CUS-15: a new customer's form filled from an existing one; the collision check still runs on save.
    @Sendable func copyForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .customers)
        let c = try await actor.find(Customer.self, req.parameters.get("id", as: UUID.self), for: .view, on: req.db)
        let def = actor.definition(Customer.definition)
        var values: [String: String] = [:]
        for f in def.writableFields(for: actor) where f.key != "mnemonic" {
            values[f.key] = FieldCodec.formText(f, f.read(c), decimals: actor.org.moneyDecimals)
        }
        values["name"] = actor.t("customer.copyName", c.name)
        values["owner"] = actor.userID.uuidString
        if let id = c.parentID, let parent = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == id).firstRow() { values["parent"] = parent.number ?? id.uuidString }
        if let id = c.settlementCustomerID, let s = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == id).firstRow() { values["settlementCustomer"] = s.number ?? id.uuidString }
        return try await renderForm(req, customer: nil, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let c = try await actor.find(Customer.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        let form = try req.content.decode([String: String].self)
        do {
            var input = actor.definition(Customer.definition).input(form: try await resolveCustomerRefs(form, actor: actor, on: req.db), actor: actor)
            let owner = parseOwner(form["ownerID"], into: &input.errors)
            _ = try await CustomerService(db: req.db, actor: actor, now: req.now).update(c.id, input, ownerID: owner, allowDuplicates: form["confirmDuplicate"] == "1")
            return req.redirect(Paths.customer(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            var values = actor.definition(Customer.definition).folded(form)
            values["owner"] = form["ownerID"] ?? c.ownerID?.uuidString
            values["number"] = c.number
            return try await renderForm(req, customer: c, values: values, errors: e.fields, status: .unprocessableEntity)
        } catch let found as CollisionFound {
            var values = actor.definition(Customer.definition).folded(form)
            values["owner"] = form["ownerID"] ?? c.ownerID?.uuidString
            values["number"] = c.number
            return try await renderForm(req, customer: c, values: values, errors: [:], collisions: found.matches, status: .conflict)
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let actor = try req.actor
        try await CustomerService(db: req.db, actor: actor, now: req.now).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.customers, flash: Flash(.success, "flash.deleted"))
    }

    /// Forms name related customers by number; the declaration stores ids.
    private func resolveCustomerRefs(_ form: [String: String], actor: Actor, on db: Database) async throws -> [String: String] {
        var out = form
        for key in ["parent", "settlementCustomer"] {
            guard let raw = Check.clean(form[key]), UUID(uuidString: raw) == nil else { continue }
            let found = try await actor.query(Customer.self, .view, on: db).filter(\.$number == raw.uppercased()).firstRow()
            out[key] = found?.id?.uuidString ?? raw
        }
        return out
    }

    private func parseOwner(_ raw: String?, into errors: inout FieldErrors) -> UUID? {
        guard let raw = Check.clean(raw) else { return nil }
        guard let id = UUID(uuidString: raw) else {
            errors.add("ownerID", "error.unknownUser")
            return nil
        }
        return id
    }

    private func renderForm(_ req: Request, customer: Customer?, values: [String: String], errors: [String: String],
                            collisions: [CollisionCheck.Match] = [], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let def = actor.definition(Customer.definition)
        let choices = try await FormChoices.load(def, actor: actor, on: req.db)
        let owners: [Colleague] = actor.can(.assign, .customers)
            ? try await actor.activeColleagues(on: req.db)
            : []
        let title = customer == nil ? t("customer.new") : t("customer.edit")
        var crumbs = [Crumb(label: t("nav.customers"), href: Paths.customers)]
        if let c = customer { crumbs.append(Crumb(label: c.name, href: Paths.customer(c.id!))) }
        crumbs.append(Crumb(label: title, href: nil))
        let action = customer.map { Paths.editCustomer($0.id!) } ?? Paths.newCustomer
        let cancel = customer.map { Paths.customer($0.id!) } ?? Paths.customers
        return req.page(status, title: title, crumbs: crumbs) { ctx in
            let groups = Self.sections(def).map { section, keys -> HNode in
                let controls = keys.compactMap { key -> HNode? in
                    if key == "owner" {
                        guard !owners.isEmpty else { return nil }
                        return Forms.select("ownerID", label: t("customer.owner"), options: owners.map { .init(value: $0.id.uuidString, label: $0.name) },
                                            selected: values["owner"], error: errors["ownerID"].map { t($0) })
                    }
                    guard let f = def.field(key), key != "department", key != "number" || customer != nil else { return nil }
                    if key == "name" {
                        return Forms.input("name", label: f.title(t), value: values["name"], error: errors["name"].map { t($0) },
                                           required: true, autofocus: true, extra: [A("maxlength", "200")])
                    }
                    return EntityViews.control(f, in: def, actor: actor, value: values[key], error: errors[key], choices: choices, t: t)
                }
                return H.el("fieldset", [.cls("grid-form")], [H.el("legend", [], [H.text(t(section))])] + controls)
            }
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    collisions.isEmpty ? H.empty : H.el("div", [.cls("flash flash-warn"), A("role", "alert"), .id("collisions")], [
                        H.p(t("collision.found"), cls: "strong"),
                        H.el("ul", [], collisions.map { m in
                            H.el("li", [], [H.text(t("collision.match", m.name, m.ownerName ?? t("customer.noOwner"), t("collision.reason.\(m.reason.rawValue)")))])
                        }),
                        Forms.checkbox("confirmDuplicate", label: t("collision.confirm"), checked: false),
                    ]),
                    H.div("card form-card wide", groups),
                    Forms.actions(Forms.submit(t("action.save")), H.a(cancel, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }
}
