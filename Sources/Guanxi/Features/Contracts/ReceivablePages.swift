import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// Receivables across contracts (应收): open instalments by due date and the aging (账龄) of what is owed.
struct ReceivableService {
    let db: Database
    let actor: Actor
    let now: Date

    var today: String { CalendarDate.of(now, in: actor.org.timeZone) }

    /// Open instalments (not void, not fully received) in the actor's scope, earliest due first;
    /// `overdue` keeps those already past due.
    func open(overdue: Bool, after: (String, UUID)?, limit: Int = 50) async throws -> (items: [Receivable], next: (String, UUID)?) {
        let b = try actor.query(Receivable.self, .view, on: db).filter(Receivable.open)
        if overdue { b.filter(\.$dueOn < today) }
        if let (due, id) = after {
            b.group(.or) { or in
                or.filter(\.$dueOn > due)
                or.group(.and) { $0.filter(\.$dueOn == due).filter(\.$id > id) }
            }
        }
        let rows = try await b.sort(\.$dueOn).sort(\.$id).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last.map { ($0.dueOn, $0.id!) } : nil)
    }

    struct Aging: Sendable, Equatable {
        var owed: [Receivables.AgeBucket: Int64] = [:]
        var count: [Receivables.AgeBucket: Int] = [:]
    }

    /// What is still owed per age bucket over the actor's scope, from the daily tallies (`ReceivableTally`).
    func aging() async throws -> Aging {
        guard let sql = db as? any SQLDatabase else { return Aging() }
        let t = today
        func minus(_ days: Int) -> String { CalendarDate.adding(-days, to: t) ?? t }
        struct Row: Decodable { let bucket: String; let n: Int; let owed: Int64 }
        let rows = try await sql.raw("""
            SELECT CASE WHEN due_on >= \(bind: t) THEN 'notDue'
                        WHEN due_on >= \(bind: minus(30)) THEN 'days1to30'
                        WHEN due_on >= \(bind: minus(60)) THEN 'days31to60'
                        WHEN due_on >= \(bind: minus(90)) THEN 'days61to90'
                        ELSE 'over90' END AS bucket,
                   CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(owed) AS BIGINT) AS owed
            FROM receivable_days
            WHERE \(try actor.scopeSQL(Receivable.self, alias: "receivable_days", shares: false))
            GROUP BY 1
            """).all(decoding: Row.self)
        var out = Aging()
        for r in rows {
            guard let b = Receivables.AgeBucket(rawValue: r.bucket) else { continue }
            out.owed[b] = r.owed
            out.count[b] = r.n
        }
        return out
    }
}

struct ReceivablePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("receivables", use: index)
        routes.post("contracts", ":id", "plan", use: savePlan)
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let t = actor.t
        let svc = ReceivableService(db: req.db, actor: actor, now: req.now)
        let overdue = (try? req.query.get(String.self, at: "overdue")) == "1"
        var after: (String, UUID)?
        if let due = try? req.query.get(String.self, at: "afterDue"), let id = try? req.query.get(UUID.self, at: "afterID") { after = (due, id) }
        let page = try await svc.open(overdue: overdue, after: after)
        let aging = try await svc.aging()
        let contracts = try await actor.inOrg(Contract.self, on: req.db).filter(\.$id ~~ page.items.map(\.contractID)).rows()
        let numbers = Dictionary(uniqueKeysWithValues: contracts.map { ($0.id!, $0.number) })
        let customers = try await OpportunityNames.customers(page.items.map(\.customerID), on: req.db, orgID: actor.orgID)
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let today = svc.today
        return req.page(title: t("nav.receivables"), crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: t("nav.receivables"), href: nil)]) { _ in
            let buckets = Receivables.AgeBucket.allCases
            let agingTable = H.div("table-wrap", H.el("table", [.cls("data"), .id("aging")], [
                H.el("thead", [], [H.el("tr", [], [H.el("th", [], [H.text(t("receivable.aging"))])] + buckets.map { H.el("th", [], [H.text(t($0.labelKey))]) })]),
                H.el("tbody", [], [
                    H.el("tr", [], [H.el("td", [], [H.text(t("receivable.owed"))])] + buckets.map { H.el("td", [.cls("num")], [H.text(money(aging.owed[$0] ?? 0))]) }),
                    H.el("tr", [], [H.el("td", [], [H.text(t("receivable.count"))])] + buckets.map { H.el("td", [.cls("num")], [H.text(String(aging.count[$0] ?? 0))]) }),
                ]),
            ]))
            let rows: [[HNode]] = page.items.map { r in [
                H.a(Paths.contract(r.contractID), numbers[r.contractID] ?? "", cls: "strong"), H.a(Paths.customer(r.customerID), customers[r.customerID] ?? ""),
                H.text("#\(r.position)"), H.text(r.dueOn), H.span("num", money(r.amount)), H.span("num", money(r.amount - r.received)),
                ReceivablePages.badge(r.status(today: today), t: t),
            ] }
            return H.group([
                H.div("page-head", H.h1(t("nav.receivables"))),
                H.el("section", [.cls("card")], [H.h2(t("receivable.aging")), agingTable]),
                H.el("nav", [.cls("tabs")], [
                    H.el("a", [.href(Paths.receivables), .cls(overdue ? "tab" : "tab active")], [H.text(t("receivable.allOpen"))]),
                    H.el("a", [.href(Paths.receivables + "?overdue=1"), .cls(overdue ? "tab active" : "tab")], [H.text(t("receivableStatus.overdue"))]),
                ]),
                Tables.table([t("contract.number"), t("entity.customer"), t("receivable.instalment"), t("receivable.dueOn"), t("receivable.amount"),
                              t("receivable.owed"), t("receivable.status")].map { Tables.Column($0) }, rows: rows, sort: nil, descending: false,
                             link: { _, _ in "" }, empty: Tables.emptyState(t("receivable.none"), hint: nil)),
                Tables.pager(first: after == nil ? nil : Paths.receivables + (overdue ? "?overdue=1" : ""),
                             next: page.next.map { URLQuery.build(Paths.receivables, [("overdue", overdue ? "1" : nil), ("afterDue", $0.0), ("afterID", $0.1.uuidString)]) }, t: t),
            ])
        }
    }

    static func badge(_ s: Receivables.Status, t: Translator) -> HNode {
        switch s {
        case .paid: H.span("badge badge-ok", t(s.labelKey))
        case .overdue: H.span("badge badge-danger", t(s.labelKey))
        case .partlyPaid: H.span("badge badge-hot", t(s.labelKey))
        default: H.span("badge", t(s.labelKey))
        }
    }

    /// The plan form posts rows `plan.N.dueOn` / `plan.N.amount` (yuan as typed), or asks for an even split.
    @Sendable func savePlan(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = ContractService(db: req.db, actor: actor, now: req.now)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let form = try req.content.decode([String: String].self)
        var plan: [Receivables.Instalment] = []
        if let n = Check.clean(form["split"]).flatMap(Int.init), let first = Check.clean(form["firstDue"]) {
            plan = (1...120).contains(n) && CalendarDate.isValid(first) ? Receivables.split(c.total, count: n, firstDue: first) : []
        } else {
            for i in 1...120 {
                guard let due = Check.clean(form["plan.\(i).dueOn"]) else { continue }
                plan.append(.init(dueOn: due, amount: Check.clean(form["plan.\(i).amount"]).flatMap { Money.parse($0, decimals: actor.org.moneyDecimals) } ?? -1))
            }
        }
        do {
            _ = try await svc.setPlan(c.id, plan)
            return req.redirect(Paths.contract(c.id!) + "#plan", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.contract(c.id!) + "#plan", flash: Flash(.error, e.fields.values.first ?? "error.validation"))
        }
    }

    /// The plan card on the contract: the instalments once active, the plan and its form while a draft.
    static func card(_ c: Contract, canEdit: Bool, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let receivables = try await ContractService(db: req.db, actor: actor, now: req.now).receivables(c.id!)
        let t = actor.t
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        return { ctx in
            if !receivables.isEmpty {
                return H.el("section", [.cls("card"), .id("plan")], [
                    H.h2(t("receivable.plan")),
                    Tables.table([t("receivable.instalment"), t("receivable.dueOn"), t("receivable.amount"), t("receivable.received"), t("receivable.status")].map { Tables.Column($0) },
                                 rows: receivables.map { r in [H.text("#\(r.position)"), H.text(r.dueOn), H.span("num", money(r.amount)), H.span("num", money(r.received)),
                                                               Self.badge(r.status(today: today), t: t)] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ])
            }
            let plan = c.plan ?? []
            let editable = canEdit && c.status == .draft
            return H.el("section", [.cls("card"), .id("plan")], [
                H.h2(t("receivable.plan")),
                H.p(plan.isEmpty ? t("receivable.defaultPlan") : t("receivable.planHint"), cls: "muted"),
                plan.isEmpty ? H.empty : Tables.table([t("receivable.instalment"), t("receivable.dueOn"), t("receivable.amount")].map { Tables.Column($0) },
                                                      rows: plan.enumerated().map { i, p in [H.text("#\(i + 1)"), H.text(p.dueOn), H.span("num", money(p.amount))] },
                                                      sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                !editable ? H.empty : Forms.form(Paths.contract(c.id!) + "/plan", csrf: ctx.csrf, cls: "form inline-form", [
                    H.div("grid-form",
                          Forms.input("split", label: t("receivable.split"), value: "1", error: nil, extra: [A("inputmode", "numeric"), A("maxlength", "3")]),
                          Forms.input("firstDue", label: t("receivable.firstDue"), value: c.startsOn ?? c.signedOn, error: nil, type: "date", required: true)),
                    Forms.actions(Forms.submit(t("receivable.makePlan"))),
                ]),
            ])
        }
    }
}
