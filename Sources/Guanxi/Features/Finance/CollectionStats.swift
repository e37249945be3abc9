import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// Contract and collection statistics (CTR-06, CTR-09, FIN-09): per person or department over a
/// period — new contracts (count, amount, margin), what fell due, what came in, what went back,
/// what was invoiced — and what is still to invoice today. The figures come from tallies kept with
/// each write (`MoneyTally` per day, `InvoiceBalance` now), summed over the actor's people and departments.
struct CollectionStats {
    let db: Database
    let actor: Actor

    enum Grouping: String, CaseIterable, Sendable {
        case owner, department
        var column: String { rawValue == "owner" ? "owner_id" : "department_id" }
    }

    struct Row: Equatable, Sendable {
        var key: UUID?
        var newCount = 0
        var newAmount: Int64 = 0
        var margin: Int64 = 0
        var due: Int64 = 0
        var received: Int64 = 0
        var refunded: Int64 = 0
        var invoiced: Int64 = 0
        var toInvoice: Int64 = 0

        static let figures = ["newCount", "newAmount", "margin", "due", "received", "refunded", "invoiced", "toInvoice"]

        func value(_ figure: String) -> Int64 {
            switch figure {
            case "newCount": Int64(newCount)
            case "newAmount": newAmount
            case "margin": margin
            case "due": due
            case "received": received
            case "refunded": refunded
            case "invoiced": invoiced
            default: toInvoice
            }
        }
    }

    /// Figures per person or department for the days `from`…`to` (yyyy-MM-dd, both included), largest collections first.
    func run(from: String, to: String, by g: Grouping) async throws -> (rows: [Row], total: Row) {
        guard let sql = db as? any SQLDatabase else { return ([], Row()) }
        struct R: Decodable { let k: UUID?; let a: Int64? }
        let col = g.column
        var out: [UUID?: Row] = [:]
        struct T: Decodable { let k: UUID?; let new_n: Int64?; let new_amount: Int64?; let margin: Int64?; let due: Int64?; let received: Int64?; let refunded: Int64?; let invoiced: Int64? }
        let sums = SQLQueryString(MoneyTally.measures.map { "CAST(SUM(\($0)) AS BIGINT) AS \($0)" }.joined(separator: ", "))
        for r in try await sql.raw("""
            SELECT \(ident: col) AS k, \(sums) FROM money_days
            WHERE \(try actor.scopeSQL(Contract.self, alias: "money_days", shares: false)) AND day >= \(bind: from) AND day <= \(bind: to)
            GROUP BY \(ident: col)
            """).all(decoding: T.self) {
            // "No department" is a key of zeros in the tallies.
            let key = r.k == FollowUpTally.noDepartment ? nil : r.k
            var row = out[key, default: Row(key: key)]
            row.newCount += Int(r.new_n ?? 0); row.newAmount += r.new_amount ?? 0; row.margin += r.margin ?? 0; row.due += r.due ?? 0
            row.received += r.received ?? 0; row.refunded += r.refunded ?? 0; row.invoiced += r.invoiced ?? 0
            out[key] = row
        }
        for r in try await sql.raw("""
            SELECT \(ident: col) AS k, CAST(SUM(to_invoice) AS BIGINT) AS a FROM invoice_balances
            WHERE \(try actor.scopeSQL(Contract.self, alias: "invoice_balances", shares: false)) GROUP BY \(ident: col)
            """).all(decoding: R.self) {
            let key = r.k == FollowUpTally.noDepartment ? nil : r.k
            out[key, default: Row(key: key)].toInvoice += r.a ?? 0
        }
        let rows = out.values.sorted { ($0.received, $0.newAmount, $0.key?.uuidString ?? "") > ($1.received, $1.newAmount, $1.key?.uuidString ?? "") }
        var total = Row()
        for r in rows {
            total.newCount += r.newCount; total.newAmount += r.newAmount; total.margin += r.margin; total.due += r.due
            total.received += r.received; total.refunded += r.refunded; total.invoiced += r.invoiced; total.toInvoice += r.toInvoice
        }
        return (rows, total)
    }

    /// Money received per period bucket (day, week, month, year) between the dates.
    func receivedTrend(_ g: Stats.Granularity, from: String, to: String) async throws -> [(String, Int64)] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct R: Decodable { let k: String?; let a: Int64? }
        return try await sql.raw("""
            SELECT \(Stats.period(day: "day", g, db: db)) AS k, CAST(SUM(received) AS BIGINT) AS a FROM money_days
            WHERE \(try actor.scopeSQL(Contract.self, alias: "money_days", shares: false)) AND day >= \(bind: from) AND day <= \(bind: to) AND received <> 0
            GROUP BY 1 ORDER BY 1
            """).all(decoding: R.self).map { ($0.k ?? "", $0.a ?? 0) }
    }

    func labels(_ rows: [Row], by g: Grouping) async throws -> [UUID: String] {
        let ids = rows.compactMap(\.key)
        return g == .owner ? try await OpportunityNames.users(ids, on: db, orgID: actor.orgID)
            : try await OpportunityNames.departments(ids, on: db, orgID: actor.orgID)
    }
}

/// /collections: the statistics page with its charts, its CSV, and the same figures for the API.
struct CollectionPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("collections", use: page)
        routes.get("collections.csv", use: csv)
    }

    static func params(_ req: Request, actor: Actor) throws -> (Stats.Range, CollectionStats.Grouping) {
        let range = try Stats.Range.parse(req, actor: actor)
        let by = try Check.clean(try? req.query.get(String.self, at: "by")).map { raw -> CollectionStats.Grouping in
            guard let g = CollectionStats.Grouping(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            return g
        } ?? .owner
        return (range, by)
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let t = actor.t
        let (range, by) = try Self.params(req, actor: actor)
        let stats = CollectionStats(db: req.db, actor: actor)
        let result = try await stats.run(from: range.fromText, to: range.toText, by: by)
        let trend = try await stats.receivedTrend(range.granularity, from: range.fromText, to: range.toText)
        let labels = try await stats.labels(result.rows, by: by)
        let money = FinanceViews.money(actor)
        let yuan = { (v: Int64) in Double(v) / pow(10, Double(actor.org.moneyDecimals)) }
        let name = { (r: CollectionStats.Row) in r.key.flatMap { labels[$0] } ?? t("stats.none") }
        let base = range.queryItems + [("by", by.rawValue)]
        return req.page(title: t("nav.collections"), crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: t("nav.collections"), href: nil)]) { _ in
            let cells = { (r: CollectionStats.Row) -> [HNode] in
                CollectionStats.Row.figures.map { f in H.span("num", f == "newCount" ? String(r.newCount) : money(r.value(f))) }
            }
            let table = Tables.table(([by == .owner ? t("contract.owner") : t("entity.department")] + CollectionStats.Row.figures.map { t("collections.\($0)") })
                .map { Tables.Column($0) },
                rows: result.rows.map { [H.text(name($0))] + cells($0) } + (result.rows.isEmpty ? [] : [[H.span("strong", t("collections.total"))] + cells(result.total)]),
                sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("collections.empty"), hint: nil))
            let received = Array(result.rows.prefix(15)).map { Charts.Point(label: name($0), value: yuan($0.received)) }
            let signed = Array(result.rows.sorted { $0.newAmount > $1.newAmount }.prefix(15)).map { Charts.Point(label: name($0), value: yuan($0.newAmount)) }
            return H.group([
                H.div("page-head", H.h1(t("nav.collections")), H.div("actions", H.a(URLQuery.build(Paths.collections + ".csv", base), t("stats.csv"), cls: "btn"))),
                Stats.toolbar(range, action: Paths.collections, extra: [
                    H.el("select", [.name("by"), A("aria-label", t("collections.by"))], CollectionStats.Grouping.allCases.map { g in
                        H.el("option", [.value(g.rawValue), .flag("selected", g == by)], [H.text(t("collections.by.\(g.rawValue)"))])
                    }),
                ], t: t),
                H.el("section", [.cls("card"), .id("collections")], [table]),
                H.div("chart-grid", [
                    H.el("section", [.cls("card chart-card")], [H.h2(t("collections.receivedTrend")),
                                                                Charts.bar(trend.map { Charts.Point(label: $0.0, value: yuan($0.1)) }, title: t("collections.receivedTrend"))]),
                    H.el("section", [.cls("card chart-card")], [H.h2(t("collections.receivedBy")), Charts.bar(received, title: t("collections.receivedBy"))]),
                    H.el("section", [.cls("card chart-card")], [H.h2(t("collections.signedBy")), Charts.bar(signed, title: t("collections.signedBy"))]),
                ]),
            ])
        }
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .contracts)
        let t = actor.t
        let (range, by) = try Self.params(req, actor: actor)
        let stats = CollectionStats(db: req.db, actor: actor)
        let result = try await stats.run(from: range.fromText, to: range.toText, by: by)
        let labels = try await stats.labels(result.rows, by: by)
        let sink = try TableExport.Sink(.csv)
        sink.add([by == .owner ? t("contract.owner") : t("entity.department")] + CollectionStats.Row.figures.map { t("collections.\($0)") })
        let plain = { (v: Int64) in Money.plain(v, decimals: actor.org.moneyDecimals) }
        let lines = result.rows.map { ($0.key.flatMap { labels[$0] } ?? t("stats.none"), $0) } + [(t("collections.total"), result.total)]
        for (label, r) in lines {
            sink.add([label] + CollectionStats.Row.figures.map { $0 == "newCount" ? String(r.newCount) : plain(r.value($0)) })
        }
        let file = try sink.finish()
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Contract.entity, actor.orgID, .export, field: "collections", new: "\(range.fromText)…\(range.toText) \(by.rawValue)")
        }
        return try await TableExport.download(req, file: file, name: t("nav.collections"), format: .csv)
    }
}
