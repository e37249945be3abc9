import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Refund pages: the list, the request (of a customer's prepayment, or against a contract) and the
/// refund with its approval.
struct RefundPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("refunds", use: index)
        routes.get("refunds", "new", use: newForm)
        routes.post("refunds", use: create)
        routes.get("refunds", ":id", use: show)
    }

    func service(_ req: Request) throws -> RefundService { RefundService(db: req.db, actor: try req.actor, now: req.now) }

    static func badge(_ s: Refund.Status, t: Translator) -> HNode {
        switch s {
        case .approved: H.span("badge badge-ok", t(s.labelKey))
        case .pendingApproval: H.span("badge badge-hot", t(s.labelKey))
        case .cancelled: H.span("badge", t(s.labelKey))
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let t = actor.t
        let cursor = try? req.query.get(UUID.self, at: "cursor")
        let page = try await service(req).list(cursor: cursor)
        let customers = try await OpportunityNames.customers(page.items.map(\.customerID), on: req.db, orgID: actor.orgID)
        let money = FinanceViews.money(actor)
        return req.page(title: t("nav.refunds"), crumbs: [Crumb(label: t("nav.payments"), href: Paths.payments), Crumb(label: t("nav.refunds"), href: nil)]) { _ in
            H.group([
                H.div("page-head", H.h1(t("nav.refunds"))),
                Tables.table([t("refund.number"), t("entity.customer"), t("refund.kind"), t("refund.amount"), t("refund.refundedOn"), t("refund.status")].map { Tables.Column($0) },
                             rows: page.items.map { r in [
                                 H.a(Paths.refund(r.id!), r.number, cls: "strong"), H.a(Paths.customer(r.customerID), customers[r.customerID] ?? ""),
                                 H.text(t(r.kind.labelKey)), H.span("num", money(r.amount)), H.text(r.refundedOn), Self.badge(r.status, t: t),
                             ] }, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("refund.emptyTitle"), hint: t("refund.emptyHint"))),
                Tables.pager(first: cursor == nil ? nil : Paths.refunds, next: page.next.map { URLQuery.build(Paths.refunds, [("cursor", $0.uuidString)]) }, t: t),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .contracts)
        var values = ["refundedOn": CalendarDate.of(req.now, in: actor.org.timeZone)]
        values["contractID"] = try? req.query.get(String.self, at: "contract")
        values["customerID"] = try? req.query.get(String.self, at: "customer")
        values["kind"] = values["contractID"] == nil ? "prepayment" : "contract"
        return try await render(req, values: values, errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        let input = RefundService.Input(kind: form["kind"], customerID: form["customerID"], contractID: form["contractID"], amount: FinanceViews.fen(form["amount"], actor),
                                        refundedOn: form["refundedOn"], reason: form["reason"])
        do {
            let r = try await service(req).create(input)
            return req.redirect(Paths.refund(r.id!), flash: Flash(.success, r.status == .approved ? "refund.approved" : "approval.submitted"))
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            var errors = e.fields
            if e.status == .conflict { errors["amount"] = e.messageKey }
            return try await render(req, values: form, errors: errors, status: e.status)
        }
    }

    private func render(_ req: Request, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let money = FinanceViews.money(actor)
        let contract = try await Check.clean(values["contractID"]).flatMap(UUID.init(uuidString:)).asyncMap { id in
            try await actor.query(Contract.self, .view, on: req.db).filter(\.$id == id).firstRow()
        } ?? nil
        let customerID = contract.map { $0.settlementCustomerID ?? $0.customerID } ?? Check.clean(values["customerID"]).flatMap(UUID.init(uuidString:))
        let customer = try await customerID.asyncMap { id in try await actor.query(Customer.self, .view, on: req.db).filter(\.$id == id).firstRow() } ?? nil
        let prepayment = try await customer.asyncMap { c in try await PaymentService(db: req.db, actor: actor, now: req.now).prepayment(customerID: c.id!) } ?? 0
        let title = t("refund.new")
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.refunds"), href: Paths.refunds), Crumb(label: title, href: nil)]) { ctx in
            let err = { (k: String) in errors[k].map { t($0) } }
            return H.group([
                H.div("page-head", H.h1(title)),
                H.p(contract.map { t("refund.forContract", $0.number, money($0.received - $0.refunded)) } ?? t("refund.forPrepayment", customer?.name ?? "", money(prepayment)), cls: "muted"),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.refunds, csrf: ctx.csrf, id: "refund-form", [
                    H.void("input", [.type("hidden"), .name("kind"), .value(contract == nil ? "prepayment" : "contract")]),
                    contract.map { H.void("input", [.type("hidden"), .name("contractID"), .value($0.id!.uuidString)]) } ?? H.empty,
                    customer.map { H.void("input", [.type("hidden"), .name("customerID"), .value($0.id!.uuidString)]) } ?? H.empty,
                    H.div("card form-card wide", H.div("grid-form",
                        Forms.input("amount", label: t("refund.amountYuan"), value: values["amount"], error: err("amount") ?? err("customerID") ?? err("contractID"),
                                    required: true, autofocus: true, extra: [A("inputmode", "decimal"), A("maxlength", "20")]),
                        Forms.input("refundedOn", label: t("refund.refundedOn"), value: values["refundedOn"], error: err("refundedOn"), type: "date", required: true))),
                    H.div("card form-card wide", Forms.textarea("reason", label: t("refund.reason"), value: values["reason"], error: err("reason"), rows: 3)),
                    Forms.actions(Forms.submit(t("refund.request")), H.a(contract.map { Paths.contract($0.id!) } ?? customer.map { Paths.customer($0.id!) } ?? Paths.refunds,
                                                                       t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let r = try await service(req).get(req.parameters.get("id", as: UUID.self))
        let contract = try await r.contractID.asyncMap { id in try await actor.inOrg(Contract.self, on: req.db).filter(\.$id == id).firstRow() } ?? nil
        let customer = try await OpportunityNames.customers([r.customerID], on: req.db, orgID: actor.orgID)[r.customerID] ?? ""
        let approval = try await ApprovalService(db: req.db, actor: actor, now: req.now).latest(.refund, recordID: r.id!)
        let history = try await Audit.history(entity: Refund.entity, module: .contracts, id: r.id!, actor: actor, on: req.db)
        let money = FinanceViews.money(actor)
        return req.page(title: r.number, crumbs: [Crumb(label: t("nav.refunds"), href: Paths.refunds), Crumb(label: r.number, href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.div("title-block", H.h1("\(t("entity.refund")) \(r.number)"), H.div("summary-badges", Self.badge(r.status, t: t),
                                                                                                         H.span("badge", t(r.kind.labelKey))))),
                approval.map { a in H.el("p", [.cls("muted"), .id("approval")], [H.text(t("contract.approval") + " "), H.a(Paths.approval(a.id!), a.title), H.text(" "),
                                                                                    ApprovalPages.badge(a.approvalStatus, t: t)]) } ?? H.empty,
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], FinanceViews.facts([
                    (t("entity.customer"), H.a(Paths.customer(r.customerID), customer)),
                    (t("entity.contract"), contract.map { H.a(Paths.contract($0.id!), $0.number) } ?? H.text("—")),
                    (t("refund.amount"), H.span("num strong", money(r.amount))),
                    (t("refund.refundedOn"), H.text(r.refundedOn)),
                    (t("refund.reason"), H.text(r.reason)),
                ]))]),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in t("refund.\(k)") }, display: { k, v in
                        switch k {
                        case "amount": v.flatMap { Int64($0) }.map(money) ?? ""
                        case "status": v.flatMap(Refund.Status.init).map { t($0.labelKey) } ?? v ?? ""
                        case "kind": v.flatMap(Refund.Kind.init).map { t($0.labelKey) } ?? v ?? ""
                        case "customer": customer
                        case "contract": contract?.number ?? v ?? ""
                        default: v ?? ""
                        }
                    }),
                ]),
            ])
        }
    }
}
