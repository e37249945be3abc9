import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Invoice pages: the list by status, the request form on a contract, the invoice with its approval,
/// the number from the tax system, and voiding (红冲).
struct InvoicePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("invoices", use: index)
        routes.get("invoices", "new", use: newForm)
        routes.post("invoices", use: create)
        routes.get("invoices", ":id", use: show)
        routes.post("invoices", ":id", "number", use: setNumber)
        routes.post("invoices", ":id", "void", use: void)
    }

    func service(_ req: Request) throws -> InvoiceService { InvoiceService(db: req.db, actor: try req.actor, now: req.now) }

    static func badge(_ s: Invoice.Status, t: Translator) -> HNode {
        switch s {
        case .issued: H.span("badge badge-ok", t(s.labelKey))
        case .pendingApproval: H.span("badge badge-hot", t(s.labelKey))
        case .void: H.span("badge badge-danger", t(s.labelKey))
        case .cancelled: H.span("badge", t(s.labelKey))
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let t = actor.t
        var status: Invoice.Status?
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard let st = Invoice.Status(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            status = st
        }
        let cursor = try? req.query.get(UUID.self, at: "cursor")
        let page = try await service(req).list(status: status, cursor: cursor)
        let numbers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Contract.self, on: req.db).filter(\.$id ~~ Array(Set(page.items.map(\.contractID)))).rows()
            .map { ($0.id!, $0.number) })
        let money = FinanceViews.money(actor)
        return req.page(title: t("nav.invoices"), crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: t("nav.invoices"), href: nil)]) { _ in
            let rows: [[HNode]] = page.items.map { i in [
                H.a(Paths.invoice(i.id!), i.number, cls: "strong"), H.a(Paths.contract(i.contractID), numbers[i.contractID] ?? ""), H.text(i.buyer),
                H.text(t(i.kind.labelKey)), H.span("num", money(i.amount)), H.text(i.issuedOn), H.text(i.invoiceNo ?? "—"), Self.badge(i.status, t: t),
            ] }
            let tabs: [HNode] = [H.el("a", [.href(Paths.invoices), .cls(status == nil ? "tab active" : "tab")], [H.text(t("invoice.all"))])]
                + Invoice.Status.allCases.map { s in
                    H.el("a", [.href(Paths.invoices + "?status=\(s.rawValue)"), .cls(status == s ? "tab active" : "tab")], [H.text(t(s.labelKey))])
                }
            return H.group([
                H.div("page-head", H.h1(t("nav.invoices")), H.div("actions", H.a(Paths.collections, t("nav.collections"), cls: "btn"))),
                H.el("nav", [.cls("tabs")], tabs),
                Tables.table([t("invoice.number"), t("entity.contract"), t("invoice.buyer"), t("invoice.kind"), t("invoice.amount"), t("invoice.issuedOn"),
                              t("invoice.invoiceNo"), t("invoice.status")].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("invoice.emptyTitle"), hint: t("invoice.emptyHint"))),
                Tables.pager(first: cursor == nil ? nil : Paths.invoices,
                             next: page.next.map { URLQuery.build(Paths.invoices, [("status", status?.rawValue), ("cursor", $0.uuidString)]) }, t: t),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let c = try await actor.find(Contract.self, try? req.query.get(UUID.self, at: "contract"), for: .edit, on: req.db)
        let payer = c.settlementCustomerID ?? c.customerID
        let customer = try await actor.inOrg(Customer.self, on: req.db).filter(\.$id == payer).firstRow()
        let left = c.total - c.invoiced
        let values = ["kind": "ordinary", "buyer": customer?.name ?? "", "taxNumber": customer?.creditCode ?? "",
                      "amount": left > 0 ? Money.plain(left, decimals: actor.org.moneyDecimals) : "",
                      "issuedOn": CalendarDate.of(req.now, in: actor.org.timeZone)]
        return render(req, contract: c, values: values, errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        let c = try await actor.find(Contract.self, form["contractID"].flatMap(UUID.init(uuidString:)), for: .edit, on: req.db)
        let input = InvoiceService.Input(contractID: form["contractID"], kind: form["kind"], buyer: form["buyer"], taxNumber: form["taxNumber"],
                                         amount: FinanceViews.fen(form["amount"], actor), issuedOn: form["issuedOn"], invoiceNo: form["invoiceNo"], note: form["note"])
        do {
            let inv = try await service(req).create(input)
            return req.redirect(Paths.invoice(inv.id!), flash: Flash(.success, inv.status == .issued ? "invoice.issued" : "approval.submitted"))
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            var errors = e.fields
            if e.status == .conflict { errors["amount"] = e.messageKey }
            return render(req, contract: c, values: form, errors: errors, status: e.status)
        }
    }

    private func render(_ req: Request, contract c: Contract, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) -> Response {
        let t = req.pageContext.t
        let money = { (v: Int64) in t.locale.money(v, decimals: req.pageContext.actor?.org.moneyDecimals ?? 2) }
        let title = t("invoice.new")
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: c.number, href: Paths.contract(c.id!)),
                                                       Crumb(label: title, href: nil)]) { ctx in
            let err = { (k: String) in errors[k].map { t($0) } }
            return H.group([
                H.div("page-head", H.h1(title)),
                H.p(t("invoice.left", c.number, money(c.total), money(c.invoiced)), cls: "muted"),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.invoices, csrf: ctx.csrf, id: "invoice-form", [
                    H.void("input", [.type("hidden"), .name("contractID"), .value(c.id!.uuidString)]),
                    H.div("card form-card wide", H.div("grid-form",
                        Forms.select("kind", label: t("invoice.kind"), options: Invoice.Kind.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                     selected: values["kind"], error: err("kind")),
                        Forms.input("amount", label: t("invoice.amountYuan"), value: values["amount"], error: err("amount"), required: true,
                                    extra: [A("inputmode", "decimal"), A("maxlength", "20")]),
                        Forms.input("buyer", label: t("invoice.buyer"), value: values["buyer"], error: err("buyer"), required: true, extra: [A("maxlength", "100")]),
                        Forms.input("taxNumber", label: t("invoice.taxNumber"), value: values["taxNumber"], error: err("taxNumber"),
                                    hint: t("invoice.taxNumberHint"), extra: [A("maxlength", "20"), A("autocapitalize", "characters")]),
                        Forms.input("issuedOn", label: t("invoice.issuedOn"), value: values["issuedOn"], error: err("issuedOn"), type: "date", required: true),
                        Forms.input("invoiceNo", label: t("invoice.invoiceNo"), value: values["invoiceNo"], error: err("invoiceNo"), extra: [A("maxlength", "30")]))),
                    H.div("card form-card wide", Forms.textarea("note", label: t("invoice.note"), value: values["note"], error: err("note"), rows: 2)),
                    Forms.actions(Forms.submit(t("invoice.request")), H.a(Paths.contract(c.id!), t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let inv = try await service(req).get(req.parameters.get("id", as: UUID.self))
        let contract = try await actor.inOrg(Contract.self, on: req.db).filter(\.$id == inv.contractID).firstRow()
        let approval = try await ApprovalService(db: req.db, actor: actor, now: req.now).latest(.invoice, recordID: inv.id!)
        let history = try await Audit.history(entity: Invoice.entity, module: .contracts, id: inv.id!, actor: actor, on: req.db)
        let canEdit = actor.can(.edit, .contracts)
        let money = FinanceViews.money(actor)
        return req.page(title: inv.number, crumbs: [Crumb(label: t("nav.invoices"), href: Paths.invoices), Crumb(label: inv.number, href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.div("title-block", H.h1("\(t("entity.invoice")) \(inv.number)"), H.div("summary-badges", Self.badge(inv.status, t: t),
                                                                                                             H.span("badge", t(inv.kind.labelKey))))),
                approval.map { a in H.el("p", [.cls("muted"), .id("approval")], [H.text(t("contract.approval") + " "), H.a(Paths.approval(a.id!), a.title), H.text(" "),
                                                                                    ApprovalPages.badge(a.approvalStatus, t: t)]) } ?? H.empty,
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], FinanceViews.facts([
                    (t("entity.contract"), contract.map { H.a(Paths.contract($0.id!), "\($0.number) · \($0.title)") } ?? H.text("—")),
                    (t("invoice.buyer"), H.text(inv.buyer)),
                    (t("invoice.taxNumber"), H.text(inv.taxNumber ?? "—")),
                    (t("invoice.amount"), H.span("num strong", money(inv.amount))),
                    (t("invoice.issuedOn"), H.text(inv.issuedOn)),
                    (t("invoice.invoiceNo"), H.text(inv.invoiceNo ?? "—")),
                    (t("invoice.note"), H.text(inv.note ?? "—")),
                ]))]),
                canEdit && [.issued, .pendingApproval].contains(inv.status) ? H.el("section", [.cls("card")], [
                    H.h2(t("invoice.invoiceNo")),
                    Forms.form(Paths.invoice(inv.id!) + "/number", csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("invoiceNo", label: t("invoice.invoiceNo"), value: inv.invoiceNo, error: nil, required: true, extra: [A("maxlength", "30")]),
                        Forms.actions(Forms.submit(t("action.save"))),
                    ]),
                ]) : H.empty,
                canEdit && inv.status == .issued ? H.el("section", [.cls("card")], [
                    H.h2(t("invoice.void")),
                    Forms.form(Paths.invoice(inv.id!) + "/void", csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("reason", label: t("invoice.voidReason"), value: nil, error: nil, required: true, extra: [A("maxlength", "200")]),
                        Forms.actions(H.el("button", [.type("submit"), .cls("btn btn-danger"), A("data-confirm", t("invoice.voidConfirm"))], [H.text(t("invoice.void"))])),
                    ]),
                ]) : H.empty,
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in t("invoice.\(k)") }, display: { k, v in
                        switch k {
                        case "amount": v.flatMap { Int64($0) }.map(money) ?? ""
                        case "status": v.flatMap(Invoice.Status.init).map { t($0.labelKey) } ?? v ?? ""
                        case "kind": v.flatMap(Invoice.Kind.init).map { t($0.labelKey) } ?? v ?? ""
                        case "contract": contract?.number ?? v ?? ""
                        default: v ?? ""
                        }
                    }),
                ]),
            ])
        }
    }

    @Sendable func setNumber(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            _ = try await service(req).setInvoiceNo(id, try? req.content.get(String.self, at: "invoiceNo"))
            return req.redirect(id.map(Paths.invoice) ?? Paths.invoices, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .conflict || e.status == .unprocessableEntity {
            return req.redirect(id.map(Paths.invoice) ?? Paths.invoices, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func void(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            _ = try await service(req).void(id, reason: try? req.content.get(String.self, at: "reason"))
            return req.redirect(id.map(Paths.invoice) ?? Paths.invoices, flash: Flash(.success, "invoice.voided"))
        } catch let e as AppError where e.status == .conflict || e.status == .unprocessableEntity {
            return req.redirect(id.map(Paths.invoice) ?? Paths.invoices, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }
}
