import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Contract pages: the list, the form that turns an accepted quote into a contract (and edits a draft),
/// the detail with lines, cost and margin, approval and status actions.
struct ContractPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("contracts", use: index)
        routes.get("contracts", "new", use: newForm)
        routes.post("contracts", use: create)
        routes.get("contracts", ":id", use: show)
        routes.get("contracts", ":id", "edit", use: editForm)
        routes.post("contracts", ":id", "edit", use: update)
        routes.post("contracts", ":id", "submit", use: submit)
        routes.post("contracts", ":id", "status", use: status)
        routes.post("contracts", ":id", "copy", use: copy)
    }

    func service(_ req: Request) throws -> ContractService { ContractService(db: req.db, actor: try req.actor, now: req.now) }

    static func badge(_ c: Contract, t: Translator) -> HNode {
        switch c.status {
        case .active: H.span("badge badge-ok", t(c.status.labelKey))
        case .pendingApproval: H.span("badge badge-hot", t(c.status.labelKey))
        case .terminated, .void: H.span("badge badge-danger", t(c.status.labelKey))
        default: H.span("badge", t(c.status.labelKey))
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let t = actor.t
        var q = ContractService.ListQuery()
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard let st = Contract.Status(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.status = st
        }
        q.cursor = try? req.query.get(UUID.self, at: "cursor")
        let page = try await service(req).list(q)
        let customers = try await OpportunityNames.customers(page.items.map(\.customerID), on: req.db, orgID: actor.orgID)
        let owners = try await OpportunityNames.users(page.items.map(\.ownerID), on: req.db, orgID: actor.orgID)
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        // The administrator's custom fields marked "listed" are columns too.
        let def = actor.definition(Contract.definition)
        let listed = def.fields.filter { $0.listed && def.rule($0, for: actor) != .hidden }
        let lookups = try await Lookups.load(def, records: page.items, actor: actor, on: req.db)
        return req.page(title: t("nav.contracts"), crumbs: [Crumb(label: t("nav.contracts"), href: nil)]) { _ in
            let rows: [[HNode]] = page.items.map { c in [
                H.a(Paths.contract(c.id!), c.number, cls: "strong"), H.text(c.title), H.a(Paths.customer(c.customerID), customers[c.customerID] ?? ""),
                H.text(t(c.kind.labelKey)), Self.badge(c, t: t), H.span("num", money(c.total)), H.text(c.signedOn ?? "—"), H.text(owners[c.ownerID] ?? ""),
            ] + listed.map { f in
                H.text(def.rule(f, for: actor) == .masked ? (f.read(c).map(Masking.mask) ?? "") : FieldCodec.display(f, f.read(c), lookups: lookups, t: t, decimals: actor.org.moneyDecimals))
            } }
            let filter = H.el("form", [A("method", "get"), .cls("search-form")], [
                H.el("select", [.name("status"), A("aria-label", t("contract.status"))],
                     [H.el("option", [.value("")], [H.text(t("contract.anyStatus"))])] + Contract.Status.allCases.map { s in
                         H.el("option", [.value(s.rawValue), .flag("selected", q.status == s)], [H.text(t(s.labelKey))])
                     }),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
            ])
            let newContract = actor.can(.create, .contracts) ? H.a(Paths.contracts + "/new", t("contract.newOwn"), cls: "btn btn-primary") : H.empty
            return H.group([
                H.div("page-head", H.h1(t("nav.contracts")), H.div("actions", newContract)),
                filter,
                Tables.table(([t("contract.number"), t("contract.title"), t("entity.customer"), t("contract.kind"), t("contract.status"), t("contract.total"),
                               t("contract.signedOn"), t("contract.owner")] + listed.map { $0.title(t) }).map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("contract.emptyTitle"), hint: t("contract.emptyHint"),
                                                      action: H.group([newContract, H.a(Paths.quotes, t("nav.quotes"), cls: "btn")]))),
                Tables.pager(first: q.cursor == nil ? nil : Paths.contracts,
                             next: page.next.map { URLQuery.build(Paths.contracts, [("status", q.status?.rawValue), ("cursor", $0.uuidString)]) }, t: t),
            ])
        }
    }

    /// A contract from an accepted quote (`?quote=`), or with lines of its own for a customer (`?customer=`).
    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .contracts)
        if let quoteID = try? req.query.get(UUID.self, at: "quote") {
            let quote = try await actor.find(Quote.self, quoteID, for: .view, on: req.db)
            return try await render(req, contract: nil, quote: quote, values: .init(header: ["title": quote.title, "kind": "contract"]), errors: [:])
        }
        var header = ["kind": "contract", "signedOn": CalendarDate.of(req.now, in: actor.org.timeZone)]
        if let raw = try? req.query.get(String.self, at: "customer"), UUID(uuidString: raw) != nil { header["customerID"] = raw }
        return try await render(req, contract: nil, quote: nil, values: .init(header: header), errors: [:])
    }

    /// The form's fields; line rows only where the contract has lines of its own.
    static func input(_ values: QuotePages.FormValues, withLines: Bool, actor: Actor) -> ContractService.Input {
        let h = values.header
        return .init(title: h["title"], kind: h["kind"], signedOn: h["signedOn"] ?? "", startsOn: h["startsOn"] ?? "", endsOn: h["endsOn"] ?? "",
                     terms: h["terms"] ?? "", settlementCustomerID: h["settlementCustomerID"] ?? "", parentID: h["parentID"] ?? "",
                     customerID: h["customerID"], lines: withLines ? values.lineInputs : nil,
                     custom: actor.definition(Contract.definition).input(form: h, actor: actor))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let values = QuotePages.FormValues(form: try req.content.decode([String: String].self))
        let quote = try await values.header["quoteID"].flatMap(UUID.init(uuidString:)).asyncMap { id in
            try await actor.find(Quote.self, id, for: .view, on: req.db)
        }
        do {
            let input = Self.input(values, withLines: quote == nil, actor: actor)
            let svc = try service(req)
            let c = if let quote { try await svc.createFromQuote(quote.id, input) } else { try await svc.create(input, apiUnits: false) }
            return req.redirect(Paths.contract(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, contract: nil, quote: quote, values: values, errors: e.fields, status: .unprocessableEntity)
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(quote.map { Paths.quote($0.id!) } ?? Paths.contracts, flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        var header = ["title": c.title, "kind": c.kind.rawValue, "signedOn": c.signedOn ?? "", "startsOn": c.startsOn ?? "", "endsOn": c.endsOn ?? "",
                      "terms": c.terms ?? "", "settlementCustomerID": c.settlementCustomerID?.uuidString ?? "", "parentID": c.parentID?.uuidString ?? ""]
        for f in actor.definition(Contract.definition).fields { header[f.key] = FieldCodec.formText(f, f.read(c), decimals: actor.org.moneyDecimals) }
        let lines = c.quoteID == nil ? QuotePages.FormValues.rows(try await svc.lines(c.id!), decimals: actor.org.moneyDecimals) : []
        return try await render(req, contract: c, quote: nil, values: .init(header: header, lines: lines), errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let c = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .edit)
        let values = QuotePages.FormValues(form: try req.content.decode([String: String].self))
        do {
            _ = try await service(req).update(c.id, Self.input(values, withLines: c.quoteID == nil, actor: actor), apiUnits: false)
            return req.redirect(Paths.contract(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, contract: c, quote: nil, values: values, errors: e.fields, status: .unprocessableEntity)
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(Paths.contract(c.id!), flash: Flash(.error, e.messageKey))
        }
    }

    private func render(_ req: Request, contract: Contract?, quote: Quote?, values form: QuotePages.FormValues, errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let values = form.header
        let def = actor.definition(Contract.definition)
        let choices = try await FormChoices.load(def, actor: actor, on: req.db)
        let title = contract.map { "\($0.number) · \(t("action.edit"))" } ?? t(quote == nil ? "contract.newOwn" : "contract.new")
        let action = contract.map { Paths.contract($0.id!) + "/edit" } ?? Paths.contracts
        let customers = try await actor.query(Customer.self, .view, on: req.db).sort(\.$name).limit(500).rows()
        // Lines of its own: a new contract without a quote, or a draft that never had one (a copy, say).
        let ownLines = quote == nil && contract?.quoteID == nil
        let catalogue = ownLines && actor.can(.view, .products)
            ? try await actor.inOrg(Product.self, on: req.db).filter(\.$status == "onSale").sort(\.$name).limit(500).rows() : []
        let customerID = contract?.customerID ?? quote?.customerID ?? values["customerID"].flatMap(UUID.init(uuidString:))
        let customer = try await customerID.asyncMap { id in try await actor.query(Customer.self, .view, on: req.db).filter(\.$id == id).firstRow() } ?? nil
        // Framework contracts of the same customer this one may call off.
        let frameworks = try await customerID.asyncMap { id in
            try await actor.query(Contract.self, .view, on: req.db).filter(\.$customerID == id).filter(\.$parentID == nil).filter(\.$status != .void)
                .sort(\.$id, .descending).limit(100).rows().filter { $0.id != contract?.id }
        } ?? []
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: title, href: nil)]) { ctx in
            let err = { (k: String) in errors[k].map { t($0) } }
            // A new contract without a quote names its customer; otherwise the customer is fixed.
            let customerControl: HNode = contract == nil && quote == nil
                ? (customer.map { c in
                    Forms.fieldWrap("customerID", label: t("entity.customer"), required: true, error: err("customerID"), H.group([
                        H.void("input", [.type("hidden"), .name("customerID"), .value(c.id!.uuidString)]), H.a(Paths.customer(c.id!), c.name, cls: "strong"),
                    ]))
                } ?? Forms.select("customerID", label: t("entity.customer"), options: customers.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                  selected: values["customerID"], error: err("customerID"), required: true, blank: "—"))
                : H.empty
            let customControls = def.customKeys.compactMap { key in def.field(key) }.map { f in
                EntityViews.control(f, in: def, actor: actor, value: values[f.key], error: errors[f.key], choices: choices, t: t)
            }
            return H.group([
                H.div("page-head", H.h1(title)),
                quote.map { q in H.p(t("contract.fromQuote", "\(q.number) v\(q.version)"), cls: "muted") } ?? H.empty,
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    quote.map { H.void("input", [.type("hidden"), .name("quoteID"), .value($0.id!.uuidString)]) } ?? H.empty,
                    H.div("card form-card wide", H.div("grid-form", [
                        Forms.input("title", label: t("contract.title"), value: values["title"], error: err("title"), required: true, autofocus: contract == nil,
                                    extra: [A("maxlength", "100")]),
                        customerControl,
                        Forms.select("kind", label: t("contract.kind"), options: Contract.Kind.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                     selected: values["kind"], error: err("kind")),
                        Forms.input("signedOn", label: t("contract.signedOn"), value: values["signedOn"], error: err("signedOn"), type: "date"),
                        Forms.input("startsOn", label: t("contract.startsOn"), value: values["startsOn"], error: err("startsOn"), type: "date"),
                        Forms.input("endsOn", label: t("contract.endsOn"), value: values["endsOn"], error: err("endsOn"), type: "date"),
                        Forms.select("settlementCustomerID", label: t("customer.settlementCustomer"), options: customers.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                     selected: values["settlementCustomerID"], error: err("settlementCustomerID"), blank: t("contract.sameCustomer")),
                        Forms.select("parentID", label: t("contract.parent"), options: frameworks.map { .init(value: $0.id!.uuidString, label: "\($0.number) · \($0.title)") },
                                     selected: values["parentID"], error: err("parentID"), blank: t("contract.noParent")),
                    ] + customControls)),
                    ownLines ? QuotePages.lineEditor(form.lines, errors: errors, catalogue: catalogue, t: t) : H.empty,
                    H.div("card form-card wide", Forms.textarea("terms", label: t("contract.terms"), value: values["terms"], error: err("terms"), rows: 5)),
                    Forms.actions(Forms.submit(t("action.save")), H.a(contract.map { Paths.contract($0.id!) } ?? quote.map { Paths.quote($0.id!) } ?? Paths.contracts,
                                                                      t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        let lines = try await svc.lines(c.id!)
        let canEdit = (try? await svc.get(c.id, for: .edit)) != nil
        let history = try await Audit.history(entity: Contract.entity, module: .contracts, id: c.id!, actor: actor, on: req.db)
        // Names for the record and for the people, customers and contracts its history mentions.
        let mentioned = { (field: String) in history.filter { $0.field == field }.flatMap { [$0.oldValue, $0.newValue] }.compactMap { $0.flatMap(UUID.init(uuidString:)) } }
        let names = try await OpportunityNames.customers([c.customerID, c.settlementCustomerID].compactMap { $0 } + mentioned("settlementCustomer"), on: req.db, orgID: actor.orgID)
        let owners = try await OpportunityNames.users([c.ownerID] + mentioned("owner"), on: req.db, orgID: actor.orgID)
        let frameworkNumbers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Contract.self, on: req.db).filter(\.$id ~~ mentioned("parent")).rows().map { ($0.id!, $0.number) })
        let approval = try await ApprovalService(db: req.db, actor: actor, now: req.now).latest(.contract, recordID: c.id!)
        let files = try await AttachmentViews.card(Contract.entity, c.id!, back: Paths.contract(c.id!), canEdit: canEdit, req: req, actor: actor)
        let plan = try await ReceivablePages.card(c, canEdit: canEdit, req: req, actor: actor)
        let moneyCard = try await FinanceCards.contract(c, req: req, actor: actor)
        let parent = try await c.parentID.asyncMap { id in try await actor.inOrg(Contract.self, on: req.db).filter(\.$id == id).firstRow() } ?? nil
        var childQuery = ContractService.ListQuery()
        childQuery.parentID = c.id
        childQuery.limit = 100
        let children = c.parentID == nil ? try await service(req).list(childQuery).items : []
        let shares = try await SharePages.panel(.contracts, id: c.id!, owner: c.ownerID, canShare: canEdit, req: req, actor: actor)
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let def = actor.definition(Contract.definition)
        let lookups = try await Lookups.load(def, records: [c], history: history, actor: actor, on: req.db)
        return req.page(title: c.number, crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: c.number, href: nil)]) { ctx in
            var actions: [HNode] = []
            if canEdit, c.status == .draft {
                actions.append(H.a(Paths.contract(c.id!) + "/edit", t("action.edit"), cls: "btn"))
                actions.append(Forms.postButton(Paths.contract(c.id!) + "/submit", label: t("contract.submit"), csrf: ctx.csrf, cls: "btn btn-primary"))
            }
            if actor.can(.print, .contracts) { actions.append(H.a(Paths.contract(c.id!) + "/print", t("quote.print"), cls: "btn")) }
            if actor.can(.create, .contracts) { actions.append(Forms.postButton(Paths.contract(c.id!) + "/copy", label: t("action.copy"), csrf: ctx.csrf)) }
            if canEdit {
                for next in Contract.Status.allCases where c.status.canMove(to: next) {
                    actions.append(Forms.form(Paths.contract(c.id!) + "/status", csrf: ctx.csrf, cls: "inline", [
                        H.void("input", [.type("hidden"), .name("status"), .value(next.rawValue)]),
                        H.el("button", [.type("submit"), .cls(next == .void || next == .terminated ? "btn btn-danger" : "btn"),
                                        A("data-confirm", t("contract.confirmMove", t(next.labelKey)))], [H.text(t("contract.moveTo.\(next.rawValue)"))]),
                    ]))
                }
            }
            let rows: [[HNode]] = lines.map { l in [
                H.text(String(l.position)), H.a(Paths.product(l.productID), l.productName), H.span("num", String(l.quantity)), H.text(l.unit ?? ""),
                H.span("num", money(l.price)), H.span("num", QuoteMath.percent(l.discount) + "%"), H.span("num", money(l.net)),
                H.span("num", money(l.cost)), H.span("num", money(l.net - l.cost)),
            ] }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1("\(c.number) · \(c.title)"), H.div("summary-badges", Self.badge(c, t: t), H.span("badge", t(c.kind.labelKey)))),
                      H.div("actions", actions)),
                approval.map { a in H.el("p", [.cls("muted"), .id("approval")], [H.text(t("contract.approval") + " "), H.a(Paths.approval(a.id!), a.title), H.text(" "),
                                                                                    ApprovalPages.badge(a.approvalStatus, t: t)]) } ?? H.empty,
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], [
                    H.el("dt", [], [H.text(t("entity.customer"))]), H.el("dd", [], [H.a(Paths.customer(c.customerID), names[c.customerID] ?? "")]),
                    H.el("dt", [], [H.text(t("customer.settlementCustomer"))]),
                    H.el("dd", [], [c.settlementCustomerID.map { H.a(Paths.customer($0), names[$0] ?? "") } ?? H.text(t("contract.sameCustomer"))]),
                    H.el("dt", [], [H.text(t("contract.signedOn"))]), H.el("dd", [], [H.text(c.signedOn ?? "—")]),
                    H.el("dt", [], [H.text(t("contract.period"))]), H.el("dd", [], [H.text("\(c.startsOn ?? "—") ~ \(c.endsOn ?? "—")")]),
                    H.el("dt", [], [H.text(t("contract.owner"))]), H.el("dd", [], [H.text(owners[c.ownerID] ?? "")]),
                    H.el("dt", [], [H.text(t("entity.quote"))]), H.el("dd", [], [c.quoteID.map { H.a(Paths.quote($0), t("contract.openQuote")) } ?? H.text("—")]),
                    H.el("dt", [], [H.text(t("contract.parent"))]), H.el("dd", [], [parent.map { H.a(Paths.contract($0.id!), "\($0.number) · \($0.title)") } ?? H.text("—")]),
                    H.el("dt", [], [H.text(t("contract.terms"))]), H.el("dd", [.cls("prewrap")], [H.text(c.terms ?? "—")]),
                ]), def.customKeys.isEmpty ? H.empty : EntityViews.facts(def, keys: def.customKeys, record: c, actor: actor, lookups: lookups, t: t)]),
                H.el("section", [.cls("card")], [
                    H.h2(t("contract.lines")),
                    Tables.table(["#", t("entity.product"), t("opportunity.quantity"), t("product.unit"), t("opportunity.unitPrice"), t("quote.discount"),
                                  t("quote.net"), t("contract.cost"), t("contract.margin")].map { Tables.Column($0) },
                                 rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                    H.el("dl", [.cls("facts totals")], [
                        H.el("dt", [], [H.text(t("quote.subtotal"))]), H.el("dd", [.cls("num")], [H.text(money(c.subtotal))]),
                        H.el("dt", [], [H.text(t("quote.tax"))]), H.el("dd", [.cls("num")], [H.text(money(c.tax))]),
                        H.el("dt", [], [H.text(t("contract.total"))]), H.el("dd", [.cls("num strong")], [H.text(money(c.total))]),
                        H.el("dt", [], [H.text(t("contract.cost"))]), H.el("dd", [.cls("num")], [H.text(money(c.cost))]),
                        H.el("dt", [], [H.text(t("contract.margin"))]),
                        H.el("dd", [.cls("num")], [H.text("\(money(c.margin)) (\(QuoteMath.percent(c.marginBasisPoints))%)")]),
                    ]),
                ]),
                plan(ctx),
                moneyCard(ctx),
                children.isEmpty ? H.empty : H.el("section", [.cls("card"), .id("call-offs")], [
                    H.h2(t("contract.callOffs")),
                    Tables.table([t("contract.number"), t("contract.title"), t("contract.status"), t("contract.total"), t("collections.received")].map { Tables.Column($0) },
                                 rows: children.map { k in [H.a(Paths.contract(k.id!), k.number), H.text(k.title), Self.badge(k, t: t), H.span("num", money(k.total)),
                                                            H.span("num", money(k.received - k.refunded))] }
                                     + [[H.span("strong", t("collections.total")), H.empty, H.empty, H.span("num strong", money(children.filter { $0.status != .void }.reduce(0) { $0 + $1.total })),
                                         H.span("num", money(children.reduce(0) { $0 + $1.received - $1.refunded }))]],
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ]),
                shares(ctx),
                files(ctx),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in
                        k == "attachments" ? t("attachment.title") : def.field(k).map { $0.title(t) } ?? t("contract.\(k)")
                    }, display: { k, v in
                        if let f = def.field(k) { return FieldCodec.display(f, v, lookups: lookups, t: t, decimals: actor.org.moneyDecimals) }
                        let id = v.flatMap(UUID.init(uuidString:))
                        switch k {
                        case "status": return v.flatMap(Contract.Status.init).map { t($0.labelKey) } ?? ""
                        case "kind": return v.flatMap(Contract.Kind.init).map { t($0.labelKey) } ?? ""
                        case "total", "cost": return v.flatMap { Int64($0) }.map(money) ?? ""
                        case "owner": return id.flatMap { owners[$0] } ?? ""
                        case "settlementCustomer": return id.flatMap { names[$0] } ?? ""
                        case "parent": return id.flatMap { frameworkNumbers[$0] } ?? ""
                        case "plan":
                            // The agreed instalments: how many, and their total.
                            guard let v, !v.isEmpty, let plan = try? JSONDecoder().decode([Receivables.Instalment].self, from: Data(v.utf8)) else { return "" }
                            return t("contract.planSummary", String(plan.count), money(plan.reduce(0) { $0 + $1.amount }))
                        default: return v ?? ""
                        }
                    }),
                ]),
            ])
        }
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let c = try await service(req).submit(id)
            return req.redirect(Paths.contract(c.id!), flash: Flash(.success, c.status == .active ? "contract.activated" : "approval.submitted"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(id.map(Paths.contract) ?? Paths.contracts, flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func copy(req: Request) async throws -> Response {
        let c = try await service(req).copy(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.contract(c.id!), flash: Flash(.success, "contract.copied"))
    }

    @Sendable func status(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let c = try await service(req).setStatus(id, try? req.content.get(String.self, at: "status"))
            return req.redirect(Paths.contract(c.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(id.map(Paths.contract) ?? Paths.contracts, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }
}

/// /api/v1/contracts.
struct ContractAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("contracts", use: index)
        routes.post("contracts", use: create)
        routes.get("contracts", ":id", use: show)
        routes.patch("contracts", ":id", use: update)
        routes.post("contracts", ":id", "submit", use: submit)
        routes.post("contracts", ":id", "status", use: status)
        routes.put("contracts", ":id", "plan", use: plan)
        routes.post("contracts", ":id", "copy", use: copyContract)
        routes.get("contracts", ":id", "receivables", use: receivables)
        routes.get("receivables", use: openReceivables)
        routes.get("receivables", "aging", use: aging)
    }

    func service(_ req: Request) throws -> ContractService { ContractService(db: req.db, actor: try req.actor, now: req.now) }

    static func receivableJSON(_ r: Receivable, today: String) -> JSONValue {
        .object([("id", .string(r.id!.uuidString)), ("contractID", .string(r.contractID.uuidString)), ("customerID", .string(r.customerID.uuidString)),
                 ("position", .int(r.position)), ("dueOn", .string(r.dueOn)), ("amount", .int(Int(r.amount))), ("received", .int(Int(r.received))),
                 ("status", .string(r.status(today: today).rawValue))])
    }

    @Sendable func plan(req: Request) async throws -> Response {
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let plan: [Receivables.Instalment]
        do { plan = try JSONDecoder().decode([Receivables.Instalment].self, from: Data(buffer: req.body.data ?? ByteBuffer())) } catch {
            throw AppError.badRequest("error.badRequest")
        }
        return JSONResponse.ok(Self.json(actor: try req.actor, try await svc.setPlan(id, plan)))
    }

    @Sendable func receivables(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        return JSONResponse.ok(.array(try await svc.receivables(c.id!).map { Self.receivableJSON($0, today: today) }))
    }

    @Sendable func openReceivables(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = ReceivableService(db: req.db, actor: actor, now: req.now)
        var after: (String, UUID)?
        if let due = try? req.query.get(String.self, at: "afterDue") {
            guard CalendarDate.isValid(due), let raw = try? req.query.get(String.self, at: "afterID"), let id = UUID(uuidString: raw) else {
                throw AppError.badRequest("error.badParameter")
            }
            after = (due, id)
        }
        let page = try await svc.open(overdue: (try? req.query.get(Bool.self, at: "overdue")) ?? false, after: after, limit: 100)
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { Self.receivableJSON($0, today: svc.today) }))]
        if let n = page.next { pairs.append(("next", .object([("afterDue", .string(n.0)), ("afterID", .string(n.1.uuidString))]))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func aging(req: Request) async throws -> Response {
        let a = try await ReceivableService(db: req.db, actor: try req.actor, now: req.now).aging()
        return JSONResponse.ok(.array(Receivables.AgeBucket.allCases.map { b in
            .object([("bucket", .string(b.rawValue)), ("count", .int(a.count[b] ?? 0)), ("owed", .int(Int(a.owed[b] ?? 0)))])
        }))
    }

    static func json(actor: Actor, _ c: Contract, lines: [ContractLine]? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(c.id!.uuidString)), ("number", .string(c.number)), ("kind", .string(c.kind.rawValue)), ("title", .string(c.title)),
            ("status", .string(c.status.rawValue)), ("customerID", .string(c.customerID.uuidString)), ("ownerID", .string(c.ownerID.uuidString)),
            ("subtotal", .int(Int(c.subtotal))), ("tax", .int(Int(c.tax))), ("total", .int(Int(c.total))), ("cost", .int(Int(c.cost))),
            ("margin", .int(Int(c.margin))),
        ]
        for (k, v) in [("signedOn", c.signedOn), ("startsOn", c.startsOn), ("endsOn", c.endsOn), ("terms", c.terms)] { if let v { pairs.append((k, .string(v))) } }
        pairs.append(("received", .int(Int(c.received))))
        pairs.append(("refunded", .int(Int(c.refunded))))
        pairs.append(("invoiced", .int(Int(c.invoiced))))
        for (k, v) in [("settlementCustomerID", c.settlementCustomerID), ("opportunityID", c.opportunityID), ("quoteID", c.quoteID), ("parentID", c.parentID)] {
            if let v { pairs.append((k, .string(v.uuidString))) }
        }
        // Custom fields as the contract's declaration shows them to this actor (hidden ones absent).
        if case .object(let custom) = actor.definition(Contract.definition).json(c, id: c.id!, actor: actor) { pairs += custom.filter { $0.0 != "id" } }
        if let lines {
            pairs.append(("lines", .array(lines.map { l in .object([
                ("productID", .string(l.productID.uuidString)), ("productName", .string(l.productName)), ("quantity", .int(Int(l.quantity))),
                ("price", .int(Int(l.price))), ("discount", .int(l.discount)), ("taxRate", .int(l.taxRate)), ("net", .int(Int(l.net))),
                ("tax", .int(Int(l.tax))), ("unitCost", .int(Int(l.unitCost))),
            ]) })))
        }
        return .object(pairs)
    }

    struct Body: Content {
        var quoteID: UUID?
        var customerID: String?
        var title: String?
        var kind: String?
        var signedOn: String?
        var startsOn: String?
        var endsOn: String?
        var terms: String?
        var settlementCustomerID: String?
        var parentID: String?
        var lines: [QuoteAPIController.LineBody]?

        static let keys: Set<String> = ["quoteID", "customerID", "title", "kind", "signedOn", "startsOn", "endsOn", "terms", "settlementCustomerID", "parentID", "lines"]

        /// The body's fields, with its custom fields read through the contract's declaration (other keys are errors).
        static func input(_ req: Request, actor: Actor) throws -> (Body, ContractService.Input) {
            let b = try req.content.decode(Body.self)
            guard let object = try req.content.decode(JSONInput.self).object else { throw AppError.badRequest() }
            let custom = actor.definition(Contract.definition).input(json: object, actor: actor, extraKeys: keys)
            return (b, .init(title: b.title, kind: b.kind, signedOn: b.signedOn, startsOn: b.startsOn, endsOn: b.endsOn, terms: b.terms,
                             settlementCustomerID: b.settlementCustomerID, parentID: b.parentID, customerID: b.customerID,
                             lines: b.lines.map { $0.map(\.input) }, custom: custom))
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        var q = ContractService.ListQuery()
        if let s = try? req.query.get(String.self, at: "status") {
            guard let st = Contract.Status(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.status = st
        }
        if let raw = try? req.query.get(String.self, at: "customer") {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q.customerID = id
        }
        if let raw = try? req.query.get(String.self, at: "parent") {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q.parentID = id
        }
        if let raw = try? req.query.get(String.self, at: "cursor") {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q.cursor = id
        }
        let page = try await service(req).list(q)
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { Self.json(actor: actor, $0) }))]
        if let n = page.next { pairs.append(("nextCursor", .string(n.uuidString))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func create(req: Request) async throws -> Response {
        try (try req.actor).require(.create, .contracts)
        let (b, input) = try Body.input(req, actor: try req.actor)
        let svc = try service(req)
        let c = if let quote = b.quoteID { try await svc.createFromQuote(quote, input) } else { try await svc.create(input, apiUnits: true) }
        return JSONResponse.ok(Self.json(actor: try req.actor, c, lines: try await svc.lines(c.id!)), status: .created)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let svc = try service(req)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(Self.json(actor: try req.actor, c, lines: try await svc.lines(c.id!)))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let (_, input) = try Body.input(req, actor: try req.actor)
        return JSONResponse.ok(Self.json(actor: try req.actor, try await svc.update(id, input, apiUnits: true)))
    }

    @Sendable func copyContract(req: Request) async throws -> Response {
        let svc = try service(req)
        let c = try await svc.copy(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(Self.json(actor: try req.actor, c, lines: try await svc.lines(c.id!)), status: .created)
    }

    @Sendable func submit(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(actor: try req.actor, try await service(req).submit(req.parameters.get("id", as: UUID.self))))
    }

    @Sendable func status(req: Request) async throws -> Response {
        struct S: Content { var status: String? }
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        return JSONResponse.ok(Self.json(actor: try req.actor, try await svc.setStatus(id, try req.content.decode(S.self).status)))
    }
}
