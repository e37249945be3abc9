import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// The money cards on other pages: a contract's collections and invoices, and a customer's contracts,
/// receivables, payments, prepayment and invoices in the 360 view.
enum FinanceCards {
    /// On the contract: received, refunded, invoiced and still to invoice; its payments, invoices and refunds; the actions.
    static func contract(_ c: Contract, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        guard [.active, .completed, .terminated].contains(c.status) else { return { _ in H.empty } }
        var pq = PaymentService.ListQuery()
        pq.contractID = c.id
        pq.limit = 20
        let payments = try await PaymentService(db: req.db, actor: actor, now: req.now).list(pq).items
        let invoices = try await InvoiceService(db: req.db, actor: actor, now: req.now).list(contractID: c.id, limit: 20).items
        let refunds = try await RefundService(db: req.db, actor: actor, now: req.now).list(contractID: c.id, limit: 20).items
        let canEdit = (try? await actor.find(Contract.self, c.id, for: .edit, on: req.db)) != nil
        let t = actor.t
        let money = FinanceViews.money(actor)
        return { _ in
            var actions: [HNode] = []
            if canEdit, c.status != .terminated {
                actions.append(H.a(URLQuery.build(Paths.payments + "/new", [("contract", c.id!.uuidString)]), t("payment.new"), cls: "btn btn-small btn-primary"))
                if c.invoiced < c.total { actions.append(H.a(URLQuery.build(Paths.invoices + "/new", [("contract", c.id!.uuidString)]), t("invoice.new"), cls: "btn btn-small")) }
            }
            if canEdit, c.received > c.refunded {
                actions.append(H.a(URLQuery.build(Paths.refunds + "/new", [("contract", c.id!.uuidString)]), t("refund.contractRefund"), cls: "btn btn-small"))
            }
            let figures: [(String, Int64)] = [("collections.received", c.received), ("collections.refunded", c.refunded), ("contract.owed", c.total - c.received + c.refunded),
                                              ("collections.invoiced", c.invoiced), ("collections.toInvoice", c.total - c.invoiced)]
            return H.el("section", [.cls("card"), .id("money")], [
                H.div("card-head", H.h2(t("contract.money")), H.div("actions", actions)),
                H.el("dl", [.cls("facts totals"), .id("money-figures")], figures.flatMap { k, v in
                    [H.el("dt", [], [H.text(t(k))]), H.el("dd", [.cls("num")], [H.text(money(v))])]
                }),
                H.el("h3", [], [H.text(t("nav.payments"))]),
                Tables.table([t("payment.number"), t("payment.receivedOn"), t("payment.amount"), t("payment.method")].map { Tables.Column($0) },
                             rows: payments.map { p in [H.a(Paths.payment(p.id!), p.number), H.text(p.receivedOn), H.span("num", money(p.amount)), H.text(t(p.method.labelKey))] },
                             sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("payment.emptyTitle"), cls: "muted")),
                H.el("h3", [], [H.text(t("nav.invoices"))]),
                Tables.table([t("invoice.number"), t("invoice.kind"), t("invoice.amount"), t("invoice.issuedOn"), t("invoice.status")].map { Tables.Column($0) },
                             rows: invoices.map { i in [H.a(Paths.invoice(i.id!), i.number), H.text(t(i.kind.labelKey)), H.span("num", money(i.amount)), H.text(i.issuedOn),
                                                        InvoicePages.badge(i.status, t: t)] },
                             sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("invoice.emptyTitle"), cls: "muted")),
                refunds.isEmpty ? H.empty : H.group([
                    H.el("h3", [], [H.text(t("nav.refunds"))]),
                    Tables.table([t("refund.number"), t("refund.amount"), t("refund.refundedOn"), t("refund.status")].map { Tables.Column($0) },
                                 rows: refunds.map { r in [H.a(Paths.refund(r.id!), r.number), H.span("num", money(r.amount)), H.text(r.refundedOn), RefundPages.badge(r.status, t: t)] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ]),
            ])
        }
    }

    struct CustomerFigures: Decodable, Sendable {
        var contracts: Int = 0
        var amount: Int64 = 0
        var owed: Int64 = 0
        var overdue: Int64 = 0
        var received: Int64 = 0
        var invoiced: Int64 = 0
        var prepayment: Int64 = 0
    }

    /// A customer's money in the actor's scope: contracts signed (as customer or payer), what is owed and
    /// overdue, received, invoiced, and the prepayment left.
    static func figures(customerID: UUID, actor: Actor, today: String, on db: Database) async throws -> CustomerFigures {
        try await read(customerID: customerID, actor: actor, today: today, visible: false, on: db)?.figures ?? CustomerFigures()
    }

    /// The figures of a customer the actor sees, and its credit limit, read with the customer in one
    /// statement (the API reads nothing else of it); nil when the actor does not see it.
    static func figures(ofVisible customerID: UUID, actor: Actor, today: String, on db: Database) async throws -> (figures: CustomerFigures, creditLimit: Int64?)? {
        try await read(customerID: customerID, actor: actor, today: today, visible: true, on: db)
    }

    private static func read(customerID: UUID, actor: Actor, today: String, visible: Bool, on db: Database) async throws -> (figures: CustomerFigures, creditLimit: Int64?)? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct R: Decodable { let n: Int?; let amount, received, invoiced, owed, overdue, prepayment, credit_limit: Int64? }
        // One statement over the tables: on PostgreSQL each statement is a round trip and a plan.
        let prepayment = try PaymentService(db: db, actor: actor, now: Date()).prepaymentSQL(customerID: customerID)
        var query: SQLQueryString = """
            SELECT * FROM
              (SELECT COUNT(*) AS n, CAST(SUM(total) AS BIGINT) AS amount, CAST(SUM(received - refunded) AS BIGINT) AS received,
                      CAST(SUM(invoiced) AS BIGINT) AS invoiced FROM contracts
               WHERE \(try actor.scopeSQL(Contract.self)) AND deleted_at IS NULL AND status IN ('active', 'completed', 'terminated')
                 AND id IN (SELECT id FROM contracts WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL AND customer_id = \(bind: customerID)
                            UNION SELECT id FROM contracts WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL AND settlement_customer_id = \(bind: customerID))) k,
              (SELECT CAST(SUM(amount - received) AS BIGINT) AS owed,
                      CAST(SUM(CASE WHEN due_on < \(bind: today) THEN amount - received ELSE 0 END) AS BIGINT) AS overdue FROM receivables
               WHERE \(try actor.scopeSQL(Receivable.self)) AND customer_id = \(bind: customerID) AND is_void = false AND received < amount) r,
              (\(prepayment)) p
            """
        if visible {
            // No row when the customer is out of scope: the same rule as `Actor.query(Customer.self, .view)`.
            let customer: SQLQueryString = """
                , (SELECT credit_limit FROM customers WHERE \(try actor.scopeSQL(Customer.self)) AND deleted_at IS NULL AND id = \(bind: customerID)) c
                """
            query.appendInterpolation(customer)
        }
        guard let r = try await sql.keptRows(query).first?.decode(model: R.self) else { return visible ? nil : (CustomerFigures(), nil) }
        return (CustomerFigures(contracts: r.n ?? 0, amount: r.amount ?? 0, owed: r.owed ?? 0, overdue: r.overdue ?? 0,
                                received: r.received ?? 0, invoiced: r.invoiced ?? 0, prepayment: r.prepayment ?? 0), r.credit_limit)
    }

    /// The customer 360 card: figures, then the latest contracts, payments and invoices.
    static func customer(_ customer: Customer, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        guard actor.can(.view, .contracts) else { return { _ in H.empty } }
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        let f = try await figures(customerID: customer.id!, actor: actor, today: today, on: req.db)
        var cq = ContractService.ListQuery()
        cq.customerID = customer.id
        cq.limit = 10
        let contracts = try await ContractService(db: req.db, actor: actor, now: req.now).list(cq).items
        var pq = PaymentService.ListQuery()
        pq.customerID = customer.id
        pq.limit = 10
        let payments = try await PaymentService(db: req.db, actor: actor, now: req.now).list(pq).items
        let invoices = try await InvoiceService(db: req.db, actor: actor, now: req.now).list(customerID: customer.id, limit: 10).items
        let t = actor.t
        let money = FinanceViews.money(actor)
        let canEdit = actor.can(.edit, .contracts)
        return { _ in
            let figures: [(String, String, String?)] = [
                ("customer.contracts", String(f.contracts), nil), ("collections.newAmount", money(f.amount), nil), ("receivable.owed", money(f.owed), nil),
                ("receivableStatus.overdue", money(f.overdue), f.overdue > 0 ? "danger" : nil), ("collections.received", money(f.received), nil),
                ("collections.invoiced", money(f.invoiced), nil), ("payment.prepayment", money(f.prepayment), nil),
            ]
            let limit = customer.creditLimit.flatMap { $0 > 0 ? $0 : nil }
            return H.el("section", [.cls("card"), .id("customer-money")], [
                H.div("card-head", H.h2(t("customer.money")), canEdit ? H.div("actions",
                    actor.can(.create, .contracts) ? H.a(URLQuery.build(Paths.contracts + "/new", [("customer", customer.id!.uuidString)]), t("contract.newOwn"), cls: "btn btn-small") : H.empty,
                    H.a(URLQuery.build(Paths.payments + "/new", [("customer", customer.id!.uuidString)]), t("payment.new"), cls: "btn btn-small"),
                    f.prepayment > 0 ? H.a(URLQuery.build(Paths.refunds + "/new", [("kind", "prepayment"), ("customer", customer.id!.uuidString)]), t("refund.new"), cls: "btn btn-small") : H.empty)
                    : H.empty),
                H.div("kpis", figures.map { key, value, tone in
                    H.div(tone == "danger" ? "kpi kpi-danger" : "kpi", H.span("kpi-label", t(key)), H.span("kpi-value", value))
                }),
                limit.map { l in H.p(t("customer.creditUse", money(l), money(f.owed)), cls: f.owed > l ? "error" : "muted") } ?? H.empty,
                contracts.isEmpty ? H.empty : Tables.table([t("contract.number"), t("contract.title"), t("contract.status"), t("contract.total")].map { Tables.Column($0) },
                    rows: contracts.map { c in [H.a(Paths.contract(c.id!), c.number), H.text(c.title), ContractPages.badge(c, t: t), H.span("num", money(c.total))] },
                    sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                payments.isEmpty ? H.empty : H.group([H.el("h3", [], [H.text(t("nav.payments"))]),
                    Tables.table([t("payment.number"), t("payment.receivedOn"), t("payment.amount"), t("payment.unapplied")].map { Tables.Column($0) },
                                 rows: payments.map { p in [H.a(Paths.payment(p.id!), p.number), H.text(p.receivedOn), H.span("num", money(p.amount)), H.span("num", money(p.unapplied))] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty)]),
                invoices.isEmpty ? H.empty : H.group([H.el("h3", [], [H.text(t("nav.invoices"))]),
                    Tables.table([t("invoice.number"), t("invoice.amount"), t("invoice.issuedOn"), t("invoice.status")].map { Tables.Column($0) },
                                 rows: invoices.map { i in [H.a(Paths.invoice(i.id!), i.number), H.span("num", money(i.amount)), H.text(i.issuedOn), InvoicePages.badge(i.status, t: t)] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty)]),
            ])
        }
    }
}
