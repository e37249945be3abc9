import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Quote pages: the list, the form with its line table, the detail with versions and history, the
/// print view from the organisation's template, and the template itself.
struct QuotePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("quotes", use: index)
        routes.get("quotes", "new", use: newForm)
        routes.post("quotes", use: create)
        routes.get("quotes", "template", use: templateForm)
        routes.post("quotes", "template", use: saveTemplate)
        routes.get("quotes", ":id", use: show)
        routes.get("quotes", ":id", "edit", use: editForm)
        routes.post("quotes", ":id", "edit", use: update)
        routes.post("quotes", ":id", "status", use: status)
        routes.post("quotes", ":id", "approval", use: submitForApproval)
        routes.post("quotes", ":id", "versions", use: newVersion)
        routes.post("quotes", ":id", "delete", use: delete)
        routes.get("quotes", ":id", "print", use: printView)
    }

    func service(_ req: Request) throws -> QuoteService { QuoteService(db: req.db, actor: try req.actor, now: req.now) }

    static func badge(_ q: Quote, t: Translator) -> HNode {
        H.group([
            H.span(q.status == .accepted ? "badge badge-ok" : q.status == .rejected ? "badge badge-danger" : "badge", t(q.status.labelKey)),
            q.belowFloor ? H.span("badge badge-hot", t("quote.belowFloor")) : H.empty,
            q.isCurrent ? H.empty : H.span("badge badge-muted", t("quote.superseded")),
        ])
    }

    // MARK: list

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .quotes)
        let t = actor.t
        let views = OpportunityService.View.available(to: actor, in: .quotes)
        var query = QuoteService.ListQuery()
        query.view = try OpportunityParams.view(req, views: views)
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard let st = Quote.Status(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            query.status = st
        }
        query.q = Check.clean(try? req.query.get(String.self, at: "q"))
        if let raw = Check.clean(try? req.query.get(String.self, at: "cursor")) {
            guard let c = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            query.cursor = c
        }
        let page = try await service(req).list(query)
        let customers = try await OpportunityNames.customers(page.items.map(\.customerID), on: req.db, orgID: actor.orgID)
        let owners = try await OpportunityNames.users(page.items.map(\.ownerID), on: req.db, orgID: actor.orgID)
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let base: [(String, String?)] = [("view", query.view.rawValue), ("status", query.status?.rawValue), ("q", query.q)]
        return req.page(title: t("nav.quotes"), crumbs: [Crumb(label: t("nav.quotes"), href: nil)]) { _ in
            let rows: [[HNode]] = page.items.map { q in [
                H.a(Paths.quote(q.id!), "\(q.number) v\(q.version)", cls: "strong"),
                H.text(q.title),
                H.a(Paths.customer(q.customerID), customers[q.customerID] ?? ""),
                Self.badge(q, t: t),
                H.span("num", money(q.total)),
                H.text(q.validUntil ?? "—"),
                H.text(owners[q.ownerID] ?? ""),
            ] }
            return H.group([
                H.div("page-head", H.h1(t("nav.quotes")), H.div("actions",
                    actor.isAdmin ? H.a(Paths.quotes + "/template", t("quote.template"), cls: "btn") : H.empty,
                    actor.can(.create, .quotes) ? H.a(Paths.quotes + "/new", t("quote.new"), cls: "btn btn-primary") : H.empty)),
                OpportunityPages.viewTabs(Paths.quotes, views: views, current: query.view, t: t),
                H.el("form", [A("method", "get"), .cls("search-form"), A("role", "search")], [
                    H.void("input", [.type("hidden"), .name("view"), .value(query.view.rawValue)]),
                    H.void("input", [.type("search"), .name("q"), .value(query.q), A("placeholder", t("quote.searchHint")), A("aria-label", t("action.search"))]),
                    H.el("select", [.name("status"), A("aria-label", t("quote.status"))], [H.el("option", [.value("")], [H.text(t("quote.anyStatus"))])]
                         + Quote.Status.allCases.map { s in H.el("option", [.value(s.rawValue), .flag("selected", query.status == s)], [H.text(t(s.labelKey))]) }),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
                ]),
                Tables.table([t("quote.number"), t("quote.title"), t("entity.customer"), t("quote.status"), t("quote.total"), t("quote.validUntil"),
                              t("quote.owner")].map { Tables.Column($0) }, rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("quote.emptyTitle"), hint: t("quote.emptyHint"))),
                Tables.pager(first: query.cursor == nil ? nil : URLQuery.build(Paths.quotes, base),
                             next: page.next.map { URLQuery.build(Paths.quotes, base + [("cursor", $0.uuidString)]) }, t: t),
            ])
        }
    }

    // MARK: form

    /// The form's fields, as typed; line rows are `lines.<n>.<field>` from 1.
    struct FormValues {
        var header: [String: String] = [:]
        var lines: [[String: String]] = []

        static let lineFields = ["productID", "quantity", "unit", "price", "discount", "taxRate"]

        init(header: [String: String] = [:], lines: [[String: String]] = []) {
            self.header = header
            self.lines = lines
        }

        /// Reads a posted form; rows without a product are dropped, so numbering matches the errors.
        init(form: [String: String]) {
            header = form.filter { !$0.key.hasPrefix("lines.") }
            var rows: [Int: [String: String]] = [:]
            for (k, v) in form where k.hasPrefix("lines.") {
                let parts = k.split(separator: ".")
                guard parts.count == 3, let n = Int(parts[1]), (1...500).contains(n) else { continue }
                rows[n, default: [:]][String(parts[2])] = v
            }
            lines = rows.keys.sorted().compactMap { rows[$0] }.filter { !($0["productID"] ?? "").isEmpty }
        }

        var input: QuoteService.Input {
            .init(customerID: header["customerID"], opportunityID: header["opportunityID"], title: header["title"], quotedOn: header["quotedOn"],
                  validUntil: header["validUntil"], terms: header["terms"], ownerID: header["ownerID"], lines: lineInputs)
        }

        var lineInputs: [QuoteService.LineInput] {
            lines.map { .init(productID: $0["productID"], quantity: $0["quantity"], unit: $0["unit"], price: $0["price"], discount: $0["discount"], taxRate: $0["taxRate"]) }
        }

        /// Rows of saved lines as the form shows them (prices in yuan, rates in percent).
        static func rows(_ lines: [any PrintableLine], decimals: Int) -> [[String: String]] {
            lines.map {
                ["productID": $0.productID.uuidString, "quantity": String($0.quantity), "unit": $0.unit ?? "",
                 "price": Money.plain($0.price, decimals: decimals), "discount": QuoteMath.percent($0.discount), "taxRate": QuoteMath.percent($0.taxRate)]
            }
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .quotes)
        var header: [String: String] = ["ownerID": actor.userID.uuidString, "quotedOn": CalendarDate.of(req.now, in: actor.org.timeZone),
                                         "validUntil": CalendarDate.adding(30, to: CalendarDate.of(req.now, in: actor.org.timeZone)) ?? ""]
        if let raw = try? req.query.get(String.self, at: "opportunity"), let id = UUID(uuidString: raw), actor.can(.view, .opportunities),
           let o = try await actor.query(Opportunity.self, .view, on: req.db).filter(\.$id == id).firstRow() {
            header["opportunityID"] = o.id!.uuidString
            header["customerID"] = o.customerID.uuidString
            header["title"] = o.name
            let lines = try await OpportunityService(db: req.db, actor: actor, now: req.now).lines(o.id!)
            return try await render(req, record: nil, values: FormValues(header: header, lines: lines.map {
                ["productID": $0.productID.uuidString, "quantity": String($0.quantity), "unit": $0.unit ?? "",
                 "price": Money.plain($0.price, decimals: actor.org.moneyDecimals)]
            }), errors: [:])
        }
        if let raw = try? req.query.get(String.self, at: "customer"), UUID(uuidString: raw) != nil { header["customerID"] = raw }
        return try await render(req, record: nil, values: FormValues(header: header), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let values = FormValues(form: try req.content.decode([String: String].self))
        do {
            let q = try await service(req).create(values.input, apiUnits: false).quote
            return req.redirect(Paths.quote(q.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, record: nil, values: values, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let q = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        guard q.status == .draft, q.isCurrent else { return req.redirect(Paths.quote(q.id!), flash: Flash(.error, "error.quoteNotDraft")) }
        let lines = try await svc.lines(q.id!)
        let header = ["customerID": q.customerID.uuidString, "opportunityID": q.opportunityID?.uuidString ?? "", "title": q.title, "quotedOn": q.quotedOn,
                      "validUntil": q.validUntil ?? "", "terms": q.terms ?? "", "ownerID": q.ownerID.uuidString]
        return try await render(req, record: q, values: FormValues(header: header, lines: FormValues.rows(lines, decimals: actor.org.moneyDecimals)), errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let svc = try service(req)
        let q = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let values = FormValues(form: try req.content.decode([String: String].self))
        do {
            _ = try await svc.update(q.id, values.input, apiUnits: false)
            return req.redirect(Paths.quote(q.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, record: q, values: values, errors: e.fields, status: .unprocessableEntity)
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(Paths.quote(q.id!), flash: Flash(.error, e.messageKey))
        }
    }

    private func render(_ req: Request, record: Quote?, values: FormValues, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let people = try await actor.scopeUsers(.quotes, on: req.db)
        let catalogue = actor.can(.view, .products)
            ? try await actor.inOrg(Product.self, on: req.db).filter(\.$status == "onSale").sort(\.$name).limit(500).rows() : []
        let customerID = values.header["customerID"].flatMap(UUID.init(uuidString:))
        let customer = try await customerID.asyncMap { id in try await actor.query(Customer.self, .view, on: req.db).filter(\.$id == id).firstRow() }
        let opportunities = try await customerID.asyncMap { id in
            actor.can(.view, .opportunities) ? try await actor.query(Opportunity.self, .view, on: req.db).filter(\.$customerID == id).sort(\.$id, .descending).limit(50).rows() : []
        } ?? []
        let title = record.map { "\($0.number) v\($0.version)" } ?? t("quote.new")
        let action = record.map { Paths.quote($0.id!) + "/edit" } ?? Paths.quotes
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.quotes"), href: Paths.quotes), Crumb(label: title, href: nil)]) { ctx in
            let v = { (k: String) in values.header[k] }
            let e = { (k: String) in errors[k].map { t($0) } }
            let customerControl: HNode = customer.map { c in
                Forms.fieldWrap("customerID", label: t("entity.customer"), required: true, error: e("customerID"), H.group([
                    H.void("input", [.type("hidden"), .name("customerID"), .value(c.id!.uuidString)]),
                    H.a(Paths.customer(c.id!), c.name, cls: "strong"),
                ]))
            } ?? Forms.input("customerID", label: t("entity.customer"), value: v("customerID"), error: e("customerID") ?? (customerID == nil && v("customerID") != nil ? t("error.invalidOption") : nil),
                             required: true, hint: t("quote.customerHint"))
            let header = H.div("grid-form",
                Forms.input("title", label: t("quote.title"), value: v("title"), error: e("title"), required: true, autofocus: record == nil, extra: [A("maxlength", "100")]),
                customerControl,
                opportunities.isEmpty ? H.empty : Forms.select("opportunityID", label: t("entity.opportunity"),
                    options: opportunities.map { .init(value: $0.id!.uuidString, label: $0.name) }, selected: v("opportunityID"), error: e("opportunityID"), blank: "—"),
                Forms.input("quotedOn", label: t("quote.quotedOn"), value: v("quotedOn"), error: e("quotedOn"), type: "date"),
                Forms.input("validUntil", label: t("quote.validUntil"), value: v("validUntil"), error: e("validUntil"), type: "date"),
                Forms.select("ownerID", label: t("quote.owner"), options: people.map { .init(value: $0.id!.uuidString, label: $0.name) },
                             selected: v("ownerID") ?? actor.userID.uuidString, error: e("ownerID")))
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card wide", header),
                    Self.lineEditor(values.lines, errors: errors, catalogue: catalogue, t: t),
                    H.div("card form-card wide", Forms.textarea("terms", label: t("quote.terms"), value: v("terms"), error: e("terms"), rows: 4)),
                    Forms.actions(Forms.submit(t("action.save")), H.a(record.map { Paths.quote($0.id!) } ?? Paths.quotes, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    /// The line rows of a quote form, and of a contract made without a quote: product, quantity, unit,
    /// price, discount and tax rate per row, with empty rows to add more.
    static func lineEditor(_ lines: [[String: String]], errors: [String: String], catalogue: [Product], t: Translator) -> HNode {
        let rows = lines + Array(repeating: [:], count: max(3, 8 - lines.count))
        let lineRows: [HNode] = rows.enumerated().map { i, row in
            let n = i + 1
            func cell(_ field: String, _ label: String, size: Int, inputmode: String? = nil) -> HNode {
                let key = "lines.\(n).\(field)"
                return H.el("td", [], [H.void("input", [.name(key), .id("f-\(key)"), .value(row[field]), A("aria-label", "\(label) \(n)"), A("size", String(size)),
                                                        A("inputmode", inputmode), A("aria-invalid", errors[key] == nil ? nil : "true")]),
                                       errors[key].map { H.p(t($0), cls: "error") } ?? H.empty])
            }
            let productKey = "lines.\(n).productID"
            return H.el("tr", [], [
                H.el("td", [.cls("num")], [H.text(String(n))]),
                H.el("td", [], [H.el("select", [.name(productKey), .id("f-\(productKey)"), A("aria-label", "\(t("entity.product")) \(n)"),
                                                A("aria-invalid", errors[productKey] == nil ? nil : "true")],
                                     [H.el("option", [.value("")], [H.text("—")])] + catalogue.map { p in
                                         H.el("option", [.value(p.id!.uuidString), .flag("selected", row["productID"]?.uppercased() == p.id!.uuidString)],
                                              [H.text("\(p.code) \(p.name)")])
                                     }),
                                errors[productKey].map { H.p(t($0), cls: "error") } ?? H.empty]),
                cell("quantity", t("opportunity.quantity"), size: 5, inputmode: "numeric"),
                cell("unit", t("product.unit"), size: 4),
                cell("price", t("opportunity.unitPrice"), size: 10, inputmode: "decimal"),
                cell("discount", t("quote.discount"), size: 4, inputmode: "decimal"),
                cell("taxRate", t("quote.taxRate"), size: 4, inputmode: "decimal"),
            ])
        }
        return H.el("section", [.cls("card")], [
            H.h2(t("quote.lines")),
            H.p(t("quote.linesHint"), cls: "muted small"),
            errors["lines"].map { H.p(t($0), cls: "error") } ?? H.empty,
            H.div("table-wrap", H.el("table", [.cls("data quote-lines")], [
                H.el("thead", [], [H.el("tr", [], ["#", t("entity.product"), t("opportunity.quantity"), t("product.unit"), t("opportunity.unitPrice"),
                                                   t("quote.discount") + " %", t("quote.taxRate") + " %"].map { H.el("th", [], [H.text($0)]) })]),
                H.el("tbody", [], lineRows),
            ])),
        ])
    }

    // MARK: detail

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let q = try await svc.get(req.parameters.get("id", as: UUID.self))
        let lines = try await svc.lines(q.id!)
        let versions = try await svc.versions(of: q)
        let names = try await OpportunityNames.customers([q.customerID], on: req.db, orgID: actor.orgID)
        let owners = try await OpportunityNames.users([q.ownerID], on: req.db, orgID: actor.orgID)
        let opportunity = try await q.opportunityID.asyncMap { id in try await actor.inOrg(Opportunity.self, on: req.db).filter(\.$id == id).firstRow() }
        let history = try await Audit.history(entity: Quote.entity, module: .quotes, id: q.id!, actor: actor, on: req.db)
        let canEdit = (try? await svc.get(q.id, for: .edit)) != nil
        let needsApproval = try await svc.needsApproval(q)
        let approval = needsApproval ? try await ApprovalService(db: req.db, actor: actor, now: req.now).latest(.quote, recordID: q.id!) : nil
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let title = "\(q.number) v\(q.version)"
        return req.page(title: title, crumbs: [Crumb(label: t("nav.quotes"), href: Paths.quotes), Crumb(label: title, href: nil)]) { ctx in
            var actions: [HNode] = []
            if actor.can(.print, .quotes) { actions.append(H.a(Paths.quote(q.id!) + "/print", t("quote.print"), cls: "btn")) }
            if q.status == .accepted, q.isCurrent, actor.can(.create, .contracts) {
                actions.append(H.a(URLQuery.build(Paths.contracts + "/new", [("quote", q.id!.uuidString)]), t("contract.new"), cls: "btn btn-primary"))
            }
            if canEdit, q.isCurrent {
                if q.status == .draft { actions.append(H.a(Paths.quote(q.id!) + "/edit", t("action.edit"), cls: "btn")) }
                for next in Quote.Status.allCases where q.status.canMove(to: next) {
                    actions.append(Forms.form(Paths.quote(q.id!) + "/status", csrf: ctx.csrf, cls: "inline", [
                        H.void("input", [.type("hidden"), .name("status"), .value(next.rawValue)]),
                        H.el("button", [.type("submit"), .cls(next == .accepted ? "btn btn-primary" : "btn")], [H.text(t("quote.moveTo.\(next.rawValue)"))]),
                    ]))
                }
                if actor.can(.create, .quotes) { actions.append(Forms.postButton(Paths.quote(q.id!) + "/versions", label: t("quote.newVersion"), csrf: ctx.csrf)) }
            }
            if canEdit, actor.can(.delete, .quotes) {
                actions.append(Forms.postButton(Paths.quote(q.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger", confirm: t("quote.confirmDelete")))
            }
            let rows: [[HNode]] = lines.map { l in [
                H.text(String(l.position)),
                H.group([H.a(Paths.product(l.productID), l.productName), l.belowFloor ? H.span("badge badge-hot", t("quote.belowFloor")) : H.empty]),
                H.span("num", String(l.quantity)), H.text(l.unit ?? ""), H.span("num", money(l.price)),
                H.span("num", QuoteMath.percent(l.discount) + "%"), H.span("num", QuoteMath.percent(l.taxRate) + "%"),
                H.span("num", money(l.net)), H.span("num", money(l.tax)), H.span("num", money(l.net + l.tax)),
            ] }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(title), H.div("summary-badges", Self.badge(q, t: t))), H.div("actions", actions)),
                !needsApproval ? H.empty : H.el("section", [.cls("card"), .id("approval")], [
                    H.h2(t("quote.approvalTitle")),
                    H.p(t("quote.approvalHint"), cls: "muted"),
                    approval.map { a in H.el("p", [], [H.a(Paths.approval(a.id!), a.title), H.text(" "), ApprovalPages.badge(a.approvalStatus, t: t)]) } ?? H.empty,
                    canEdit && q.isCurrent && q.status == .draft && (approval == nil || [.rejected, .withdrawn].contains(approval!.approvalStatus))
                        ? Forms.postButton(Paths.quote(q.id!) + "/approval", label: t("quote.submitApproval"), csrf: ctx.csrf, cls: "btn btn-primary") : H.empty,
                ]),
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], [
                    H.el("dt", [], [H.text(t("quote.title"))]), H.el("dd", [], [H.text(q.title)]),
                    H.el("dt", [], [H.text(t("entity.customer"))]), H.el("dd", [], [H.a(Paths.customer(q.customerID), names[q.customerID] ?? "")]),
                    H.el("dt", [], [H.text(t("entity.opportunity"))]), H.el("dd", [], [opportunity.map { H.a(Paths.opportunity($0.id!), $0.name) } ?? H.text("—")]),
                    H.el("dt", [], [H.text(t("quote.quotedOn"))]), H.el("dd", [], [H.text(q.quotedOn)]),
                    H.el("dt", [], [H.text(t("quote.validUntil"))]), H.el("dd", [], [H.text(q.validUntil ?? "—")]),
                    H.el("dt", [], [H.text(t("quote.owner"))]), H.el("dd", [], [H.text(owners[q.ownerID] ?? "")]),
                    H.el("dt", [], [H.text(t("quote.terms"))]), H.el("dd", [.cls("timeline-content")], [H.text(q.terms ?? "—")]),
                ])]),
                H.el("section", [.cls("card")], [
                    H.h2(t("quote.lines")),
                    Tables.table(["#", t("entity.product"), t("opportunity.quantity"), t("product.unit"), t("opportunity.unitPrice"), t("quote.discount"),
                                  t("quote.taxRate"), t("quote.net"), t("quote.tax"), t("quote.lineTotal")].map { Tables.Column($0) },
                                 rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                    H.el("dl", [.cls("facts totals")], [
                        H.el("dt", [], [H.text(t("quote.subtotal"))]), H.el("dd", [.cls("num")], [H.text(money(q.subtotal))]),
                        H.el("dt", [], [H.text(t("quote.tax"))]), H.el("dd", [.cls("num")], [H.text(money(q.tax))]),
                        H.el("dt", [], [H.text(t("quote.total"))]), H.el("dd", [.cls("num strong")], [H.text(money(q.total))]),
                    ]),
                ]),
                versions.count > 1 ? H.el("section", [.cls("card")], [
                    H.h2(t("quote.versions")),
                    Tables.table([t("quote.number"), t("quote.quotedOn"), t("quote.status"), t("quote.total")].map { Tables.Column($0) },
                                 rows: versions.map { v in [H.a(Paths.quote(v.id!), "\(v.number) v\(v.version)", cls: v.id == q.id ? "strong" : nil),
                                                            H.text(v.quotedOn), Self.badge(v, t: t), H.span("num", money(v.total))] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ]) : H.empty,
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { t("quote.\($0)") }, display: { k, v in
                        k == "status" ? (v.flatMap(Quote.Status.init).map { t($0.labelKey) } ?? "") : k == "total" ? (v.flatMap { Int64($0) }.map(money) ?? "") : (v ?? "")
                    }),
                ]),
            ])
        }
    }

    // MARK: actions

    @Sendable func status(req: Request) async throws -> Response {
        struct Body: Content { var status: String? }
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let q = try await service(req).setStatus(id, try req.content.decode(Body.self).status)
            return req.redirect(Paths.quote(q.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            return req.redirect(id.map(Paths.quote) ?? Paths.quotes, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func submitForApproval(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let r = try await service(req).submitForApproval(id)
            return req.redirect(Paths.approval(r.id!), flash: Flash(.success, "approval.submitted"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(id.map(Paths.quote) ?? Paths.quotes, flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func newVersion(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let q = try await service(req).newVersion(id)
            return req.redirect(Paths.quote(q.id!) + "/edit", flash: Flash(.success, "quote.versionMade"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(id.map(Paths.quote) ?? Paths.quotes, flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.quotes, flash: Flash(.success, "flash.deleted"))
    }

    // MARK: print

    @Sendable func printView(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.print, .quotes)
        let t = actor.t
        let svc = try service(req)
        let q = try await svc.get(req.parameters.get("id", as: UUID.self))
        let lines = try await svc.lines(q.id!)
        let template = try await svc.template()
        let customer = try await OpportunityNames.customers([q.customerID], on: req.db, orgID: actor.orgID)[q.customerID] ?? ""
        let owner = try await OpportunityNames.users([q.ownerID], on: req.db, orgID: actor.orgID)[q.ownerID] ?? ""
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let values = ["company": actor.org.name, "customer": customer, "number": q.number, "version": String(q.version), "date": q.quotedOn,
                      "validUntil": q.validUntil ?? "—", "total": money(q.total), "owner": owner, "terms": q.terms ?? ""]
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Quote.entity, q.id!, .export, field: "print", new: "\(q.number) v\(q.version)")
        }
        return PrintSheet.response(.init(template: template, values: values, meta: "\(t("quote.number")) \(q.number) v\(q.version) · \(t("quote.quotedOn")) \(q.quotedOn)",
                                         back: Paths.quote(q.id!), lines: lines, subtotal: q.subtotal, tax: q.tax, total: q.total, totalLabel: t("quote.total")), actor: actor)
    }

    // MARK: template

    struct TemplateForm: Content {
        var title: String?
        var header: String?
        var footer: String?
    }

    @Sendable func templateForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let tpl = try await service(req).template()
        return renderTemplate(req, TemplateForm(title: tpl.title, header: tpl.header, footer: tpl.footer), errors: [:])
    }

    @Sendable func saveTemplate(req: Request) async throws -> Response {
        let form = try req.content.decode(TemplateForm.self)
        do {
            try await service(req).saveTemplate(QuoteTemplate(title: Check.clean(form.title) ?? "", header: form.header ?? "", footer: form.footer ?? ""))
            return req.redirect(Paths.quotes + "/template", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return renderTemplate(req, form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    private func renderTemplate(_ req: Request, _ form: TemplateForm, errors: [String: String], status: HTTPResponseStatus = .ok) -> Response {
        PrintSheet.templateForm(req, form, errors: errors, status: status, action: Paths.quotes + "/template", titleKey: "quote.template",
                                crumb: Crumb(label: req.pageContext.t("nav.quotes"), href: Paths.quotes), placeholders: QuoteTemplate.placeholders, footerRows: 5)
    }
}

/// Quote cards on other pages: a customer's or an opportunity's quotes, and what was quoted for a product.
enum QuoteViews {
    static func card(customerID: UUID? = nil, opportunity: Opportunity? = nil, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        guard actor.can(.view, .quotes) else { return { _ in H.empty } }
        var query = QuoteService.ListQuery()
        query.customerID = customerID
        query.opportunityID = opportunity?.id
        query.limit = 20
        let items = try await QuoteService(db: req.db, actor: actor, now: req.now).list(query).items
        let t = actor.t
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let newLink = opportunity.map { URLQuery.build(Paths.quotes + "/new", [("opportunity", $0.id!.uuidString)]) }
            ?? customerID.map { URLQuery.build(Paths.quotes + "/new", [("customer", $0.uuidString)]) } ?? Paths.quotes + "/new"
        return { _ in
            H.el("section", [.cls("card"), .id("quotes")], [
                H.div("card-head", H.h2(t("nav.quotes")), actor.can(.create, .quotes) ? H.a(newLink, t("quote.new"), cls: "btn btn-small") : H.empty),
                Tables.table([t("quote.number"), t("quote.title"), t("quote.status"), t("quote.total"), t("quote.validUntil")].map { Tables.Column($0) },
                             rows: items.map { q in [H.a(Paths.quote(q.id!), "\(q.number) v\(q.version)", cls: "strong"), H.text(q.title),
                                                     QuotePages.badge(q, t: t), H.span("num", money(q.total)), H.text(q.validUntil ?? "—")] },
                             sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("quote.emptyTitle"), cls: "muted")),
            ])
        }
    }

    /// 报价明细 of a product: who was offered it, when, at what price.
    static func productHistory(_ productID: UUID, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        guard actor.can(.view, .quotes) else { return { _ in H.empty } }
        let rows = try await QuoteService(db: req.db, actor: actor, now: req.now).history(productID: productID)
        let customers = try await OpportunityNames.customers(rows.map(\.quote.customerID), on: req.db, orgID: actor.orgID)
        let t = actor.t
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return { _ in
            H.el("section", [.cls("card"), .id("quote-history")], [
                H.h2(t("quote.history")),
                Tables.table([t("quote.number"), t("quote.quotedOn"), t("entity.customer"), t("opportunity.quantity"), t("opportunity.unitPrice"),
                              t("quote.discount"), t("quote.status")].map { Tables.Column($0) },
                             rows: rows.map { r in [
                                 H.a(Paths.quote(r.quote.id!), "\(r.quote.number) v\(r.quote.version)"), H.text(r.quote.quotedOn),
                                 H.a(Paths.customer(r.quote.customerID), customers[r.quote.customerID] ?? ""), H.span("num", String(r.line.quantity)),
                                 H.group([H.span("num", money(r.line.price)), r.line.belowFloor ? H.span("badge badge-hot", t("quote.belowFloor")) : H.empty]),
                                 H.span("num", QuoteMath.percent(r.line.discount) + "%"), QuotePages.badge(r.quote, t: t),
                             ] },
                             sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("quote.noHistory"), cls: "muted")),
            ])
        }
    }
}
