import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Pages of payments received: the list, the form (from a contract, a customer, or blank), the
/// payment with what it paid and its prepayment, and applying that prepayment later.
struct PaymentPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("payments", use: index)
        routes.get("payments", "new", use: newForm)
        routes.post("payments", use: create)
        routes.get("payments", ":id", use: show)
        routes.post("payments", ":id", "apply", use: apply)
    }

    func service(_ req: Request) throws -> PaymentService { PaymentService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let t = actor.t
        var q = PaymentService.ListQuery()
        q.withPrepayment = (try? req.query.get(String.self, at: "prepayment")) == "1"
        q.cursor = try? req.query.get(UUID.self, at: "cursor")
        let page = try await service(req).list(q)
        let customers = try await OpportunityNames.customers(page.items.map(\.customerID), on: req.db, orgID: actor.orgID)
        let money = FinanceViews.money(actor)
        return req.page(title: t("nav.payments"), crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: t("nav.payments"), href: nil)]) { _ in
            let rows: [[HNode]] = page.items.map { p in [
                H.a(Paths.payment(p.id!), p.number, cls: "strong"), H.a(Paths.customer(p.customerID), customers[p.customerID] ?? ""), H.text(p.receivedOn),
                H.span("num", money(p.amount)), H.span("num", money(p.allocated)), H.span("num", money(p.unapplied)), H.text(t(p.method.labelKey)),
            ] }
            return H.group([
                H.div("page-head", H.h1(t("nav.payments")), H.div("actions",
                    actor.can(.edit, .contracts) ? H.a(Paths.payments + "/new", t("payment.new"), cls: "btn btn-primary") : H.empty,
                    H.a(Paths.refunds, t("nav.refunds"), cls: "btn"), H.a(Paths.collections, t("nav.collections"), cls: "btn"))),
                H.el("nav", [.cls("tabs")], [
                    H.el("a", [.href(Paths.payments), .cls(q.withPrepayment ? "tab" : "tab active")], [H.text(t("payment.all"))]),
                    H.el("a", [.href(Paths.payments + "?prepayment=1"), .cls(q.withPrepayment ? "tab active" : "tab")], [H.text(t("payment.withPrepayment"))]),
                ]),
                Tables.table([t("payment.number"), t("entity.customer"), t("payment.receivedOn"), t("payment.amount"), t("payment.allocated"),
                              t("payment.unapplied"), t("payment.method")].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("payment.emptyTitle"), hint: t("payment.emptyHint"))),
                Tables.pager(first: q.cursor == nil ? nil : Paths.payments,
                             next: page.next.map { URLQuery.build(Paths.payments, [("prepayment", q.withPrepayment ? "1" : nil), ("cursor", $0.uuidString)]) }, t: t),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .contracts)
        var values = ["receivedOn": CalendarDate.of(req.now, in: actor.org.timeZone), "method": "transfer", "apply": "auto"]
        values["contractID"] = try? req.query.get(String.self, at: "contract")
        values["customerID"] = try? req.query.get(String.self, at: "customer")
        return try await render(req, values: values, errors: [:])
    }

    /// Form fields to the service's input: amounts typed in yuan, manual allocations as `alloc.<instalment id>`.
    static func input(_ form: [String: String], decimals: Int) -> PaymentService.Input {
        let fen = { (raw: String?) -> Int64? in Check.clean(raw).map { Money.parse($0, decimals: decimals) ?? -1 } }
        var i = PaymentService.Input(customerID: form["customerID"], contractID: form["contractID"], amount: fen(form["amount"]), receivedOn: form["receivedOn"],
                                     method: form["method"], account: form["account"], reference: form["reference"], note: form["note"])
        switch form["apply"] {
        case "none": i.apply = .none
        case "manual":
            i.apply = .to(form.keys.sorted().compactMap { k in
                guard k.hasPrefix("alloc."), let id = UUID(uuidString: String(k.dropFirst(6))), let amount = fen(form[k]) else { return nil }
                return Collections.Allocation(receivableID: id, amount: amount)
            })
        default: i.apply = .auto
        }
        return i
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        do {
            let p = try await service(req).record(Self.input(form, decimals: actor.org.moneyDecimals))
            return req.redirect(Paths.payment(p.id!), flash: Flash(.success, "payment.recorded"))
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            var errors = e.fields
            if e.status == .conflict { errors["allocations"] = e.messageKey }
            return try await render(req, values: form, errors: errors, status: e.status)
        }
    }

    private func render(_ req: Request, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let money = FinanceViews.money(actor)
        let contract = try await Check.clean(values["contractID"]).flatMap(UUID.init(uuidString:)).asyncMap { id in
            try await actor.query(Contract.self, .view, on: req.db).filter(\.$id == id).firstRow()
        } ?? nil
        let customerID = contract.map { $0.settlementCustomerID ?? $0.customerID } ?? Check.clean(values["customerID"]).flatMap(UUID.init(uuidString:))
        let customer = try await customerID.asyncMap { id in try await actor.query(Customer.self, .view, on: req.db).filter(\.$id == id).firstRow() } ?? nil
        let open = try await customer.asyncMap { c in try await svc.open(customerID: c.id!, contractID: contract?.id) } ?? []
        let numbers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Contract.self, on: req.db).filter(\.$id ~~ Array(Set(open.map(\.contractID)))).rows()
            .map { ($0.id!, $0.number) })
        let customers = customer == nil ? try await actor.query(Customer.self, .view, on: req.db).sort(\.$name).limit(500).rows() : []
        let title = t("payment.new")
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.payments"), href: Paths.payments), Crumb(label: title, href: nil)]) { ctx in
            let err = { (k: String) in errors[k].map { t($0) } }
            let allocError = errors.first { $0.key.hasPrefix("allocations") }.map { t($0.value) }
            let today = CalendarDate.of(req.now, in: actor.org.timeZone)
            return H.group([
                H.div("page-head", H.h1(title)),
                contract.map { c in H.p(t("payment.forContract", c.number), cls: "muted") } ?? H.empty,
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.payments, csrf: ctx.csrf, id: "payment-form", [
                    contract.map { H.void("input", [.type("hidden"), .name("contractID"), .value($0.id!.uuidString)]) } ?? H.empty,
                    H.div("card form-card wide", H.div("grid-form",
                        customer.map { c in
                            H.group([H.void("input", [.type("hidden"), .name("customerID"), .value(c.id!.uuidString)]),
                                     Forms.fieldWrap("customer", label: t("payment.payer"), required: true, error: err("customerID"), H.a(Paths.customer(c.id!), c.name))])
                        } ?? Forms.select("customerID", label: t("payment.payer"), options: customers.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                          selected: values["customerID"], error: err("customerID"), required: true, blank: "—"),
                        Forms.input("amount", label: t("payment.amountYuan"), value: values["amount"], error: err("amount"), required: true, autofocus: true,
                                    extra: [A("inputmode", "decimal"), A("maxlength", "20")]),
                        Forms.input("receivedOn", label: t("payment.receivedOn"), value: values["receivedOn"], error: err("receivedOn"), type: "date", required: true),
                        Forms.select("method", label: t("payment.method"), options: Payment.Method.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                     selected: values["method"], error: err("method")),
                        Forms.input("account", label: t("payment.account"), value: values["account"], error: err("account"), extra: [A("maxlength", "60")]),
                        Forms.input("reference", label: t("payment.reference"), value: values["reference"], error: err("reference"), extra: [A("maxlength", "60")]))),
                    H.div("card form-card wide", [
                        H.h2(t("payment.applyTo")),
                        Forms.select("apply", label: t("payment.applyHow"), options: ["auto", "manual", "none"].map { .init(value: $0, label: t("payment.apply.\($0)")) },
                                     selected: values["apply"], error: allocError),
                        open.isEmpty ? H.p(t("payment.nothingOpen"), cls: "muted") :
                            Tables.table([t("contract.number"), t("receivable.instalment"), t("receivable.dueOn"), t("receivable.owed"), t("payment.applyAmount")].map { Tables.Column($0) },
                                         rows: open.map { r in [
                                             H.text(numbers[r.contractID] ?? ""), H.text("#\(r.position)"),
                                             H.group([H.text(r.dueOn), r.status(today: today) == .overdue ? H.span("badge badge-danger", t("receivableStatus.overdue")) : H.empty]),
                                             H.span("num", money(r.amount - r.received)),
                                             H.void("input", [.type("text"), .name("alloc.\(r.id!.uuidString)"), .value(values["alloc.\(r.id!.uuidString)"]),
                                                              A("inputmode", "decimal"), A("aria-label", t("payment.applyAmount") + " #\(r.position)"), .cls("num-input")]),
                                         ] }, sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                        H.p(t("payment.applyHint"), cls: "muted"),
                    ]),
                    H.div("card form-card wide", Forms.textarea("note", label: t("payment.note"), value: values["note"], error: err("note"), rows: 2)),
                    Forms.actions(Forms.submit(t("payment.save")), H.a(contract.map { Paths.contract($0.id!) } ?? Paths.payments, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let p = try await svc.get(req.parameters.get("id", as: UUID.self))
        let allocations = try await svc.allocations(p.id!)
        let receivables = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Receivable.self, on: req.db).filter(\.$id ~~ allocations.map(\.receivableID)).rows().map { ($0.id!, $0) })
        let numbers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Contract.self, on: req.db)
            .filter(\.$id ~~ Array(Set(allocations.map(\.contractID) + [p.contractID].compactMap { $0 }))).rows().map { ($0.id!, $0.number) })
        let customer = try await OpportunityNames.customers([p.customerID], on: req.db, orgID: actor.orgID)[p.customerID] ?? ""
        let canEdit = actor.can(.edit, .contracts)
        let openCount = p.unapplied > 0 && canEdit ? try await svc.open(customerID: p.customerID, contractID: nil).count : 0
        let history = try await Audit.history(entity: Payment.entity, module: .contracts, id: p.id!, actor: actor, on: req.db)
        let money = FinanceViews.money(actor)
        return req.page(title: p.number, crumbs: [Crumb(label: t("nav.payments"), href: Paths.payments), Crumb(label: p.number, href: nil)]) { ctx in
            var actions: [HNode] = []
            if openCount > 0 {
                actions.append(Forms.postButton(Paths.payment(p.id!) + "/apply", label: t("payment.applyPrepayment"), csrf: ctx.csrf, cls: "btn btn-primary"))
            }
            if p.unapplied > 0, canEdit {
                actions.append(H.a(URLQuery.build(Paths.refunds + "/new", [("kind", "prepayment"), ("customer", p.customerID.uuidString)]), t("refund.new"), cls: "btn"))
            }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1("\(t("entity.payment")) \(p.number)")), H.div("actions", actions)),
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], FinanceViews.facts([
                    (t("payment.payer"), H.a(Paths.customer(p.customerID), customer)),
                    (t("entity.contract"), p.contractID.map { H.a(Paths.contract($0), numbers[$0] ?? "") } ?? H.text("—")),
                    (t("payment.receivedOn"), H.text(p.receivedOn)),
                    (t("payment.amount"), H.span("num strong", money(p.amount))),
                    (t("payment.allocated"), H.span("num", money(p.allocated))),
                    (t("payment.refunded"), H.span("num", money(p.refunded))),
                    (t("payment.unapplied"), H.span("num", money(p.unapplied))),
                    (t("payment.method"), H.text(t(p.method.labelKey))),
                    (t("payment.account"), H.text(p.account ?? "—")),
                    (t("payment.reference"), H.text(p.reference ?? "—")),
                    (t("payment.note"), H.text(p.note ?? "—")),
                ]))]),
                H.el("section", [.cls("card"), .id("allocations")], [
                    H.h2(t("payment.applied")),
                    Tables.table([t("contract.number"), t("receivable.instalment"), t("receivable.dueOn"), t("payment.applyAmount")].map { Tables.Column($0) },
                                 rows: allocations.map { a in [
                                     H.a(Paths.contract(a.contractID), numbers[a.contractID] ?? ""), H.text(receivables[a.receivableID].map { "#\($0.position)" } ?? ""),
                                     H.text(receivables[a.receivableID]?.dueOn ?? ""), H.span("num", money(a.amount)),
                                 ] }, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("payment.noneApplied"), cls: "muted")),
                ]),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in t("payment.\(k)") }, display: { k, v in
                        switch k {
                        case "amount", "allocated": v.flatMap { Int64($0) }.map(money) ?? ""
                        case "customer": customer
                        case "contract": v.flatMap(UUID.init(uuidString:)).flatMap { numbers[$0] } ?? (v ?? "")
                        case "method": v.flatMap(Payment.Method.init).map { t($0.labelKey) } ?? (v ?? "")
                        default: v ?? ""
                        }
                    }),
                ]),
            ])
        }
    }

    @Sendable func apply(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            let p = try await service(req).apply(id, .auto)
            return req.redirect(Paths.payment(p.id!), flash: Flash(.success, "payment.prepaymentApplied"))
        } catch let e as AppError where e.status == .conflict || e.status == .unprocessableEntity {
            return req.redirect(id.map(Paths.payment) ?? Paths.payments, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }
}

/// Pieces the finance pages share.
enum FinanceViews {
    static func money(_ actor: Actor) -> (Int64) -> String {
        let t = actor.t, d = actor.org.moneyDecimals
        return { t.locale.money($0, decimals: d) }
    }

    static func facts(_ pairs: [(String, HNode)]) -> [HNode] {
        pairs.flatMap { [H.el("dt", [], [H.text($0.0)]), H.el("dd", [], [$0.1])] }
    }

    /// The form value of a money field typed in yuan: nil when empty, -1 when not a number.
    static func fen(_ raw: String?, _ actor: Actor) -> Int64? {
        Check.clean(raw).map { Money.parse($0, decimals: actor.org.moneyDecimals) ?? -1 }
    }
}
