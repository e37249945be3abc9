import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /customers/stats: charts and tables, each exportable as CSV; /api/v1/customers/stats for programs.
struct StatsPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", "stats", use: page)
        routes.get("customers", "stats.csv", use: csv)
    }

    struct Params {
        var granularity: CustomerStats.Granularity
        var from: Date
        var to: Date
        var fromText: String
        var toText: String
    }

    static func params(_ req: Request, actor: Actor) throws -> Params {
        let g = try (try? req.query.get(String.self, at: "period")).map { raw -> CustomerStats.Granularity in
            guard let g = CustomerStats.Granularity(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            return g
        } ?? .month
        let tz = actor.org.timeZone
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = tz
        f.dateFormat = "yyyy-MM-dd"
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let today = cal.startOfDay(for: req.now)
        let defaultFrom = cal.date(byAdding: .month, value: -11, to: cal.date(from: cal.dateComponents([.year, .month], from: today))!)!
        func day(_ key: String, _ fallback: Date) throws -> Date {
            guard let raw = try? req.query.get(String.self, at: key), !raw.isEmpty else { return fallback }
            guard CalendarDate.isValid(raw), let d = f.date(from: raw) else { throw AppError.badRequest("error.badParameter") }
            return d
        }
        let from = try day("from", defaultFrom)
        let toDay = try day("to", today)
        let to = cal.date(byAdding: .day, value: 1, to: toDay)!
        guard from < to, to.timeIntervalSince(from) < 20 * 366 * 86_400 else { throw AppError.badRequest("error.badParameter") }
        return Params(granularity: g, from: from, to: to, fromText: f.string(from: from), toText: f.string(from: toDay))
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        let p = try Self.params(req, actor: actor)
        let stats = CustomerStats(db: req.db, actor: actor)
        let t = actor.t
        let trend = try await stats.newCustomers(p.granularity, from: p.from, to: p.to)
        let moves = try await stats.poolMovements(p.granularity, from: p.from, to: p.to)
        var dims: [(CustomerStats.Dimension, [CustomerStats.Row], [String: String])] = []
        for d in CustomerStats.Dimension.allCases {
            let rows = try await stats.distribution(d)
            dims.append((d, rows, try await stats.labels(d, keys: rows.map(\.key), t: t)))
        }
        let base: [(String, String?)] = [("period", p.granularity.rawValue), ("from", p.fromText), ("to", p.toText)]
        return req.page(title: t("stats.title"), crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("stats.title"), href: nil)]) { _ in
            func block(_ title: String, chart: HNode, rows: [(String, Int)], csv: String) -> HNode {
                H.el("section", [.cls("card chart-card")], [
                    H.div("section-head", H.h2(title), H.a(csv, t("stats.csv"), cls: "btn btn-small")),
                    chart,
                    H.el("details", [], [
                        H.el("summary", [], [H.text(t("stats.table"))]),
                        Tables.table([t("stats.key"), t("stats.count")].map { Tables.Column($0) },
                                     rows: rows.map { [H.text($0.0), H.text(String($0.1))] }, sort: nil, descending: false,
                                     link: { _, _ in "" }, empty: H.p(t("search.noMatch"), cls: "muted")),
                    ]),
                ])
            }
            let trendPoints = trend.map { Charts.Point(label: $0.key, value: Double($0.count)) }
            var blocks: [HNode] = [
                block(t("stats.newCustomers"), chart: Charts.line(trendPoints, title: t("stats.newCustomers")),
                      rows: trend.map { ($0.key, $0.count) }, csv: URLQuery.build(Paths.customers + "/stats.csv", base + [("dataset", "new")])),
                block(t("stats.claims"), chart: Charts.bar(moves.claims.map { Charts.Point(label: $0.key, value: Double($0.count)) }, title: t("stats.claims")),
                      rows: moves.claims.map { ($0.key, $0.count) }, csv: URLQuery.build(Paths.customers + "/stats.csv", base + [("dataset", "claims")])),
                block(t("stats.releases"), chart: Charts.bar(moves.releases.map { Charts.Point(label: $0.key, value: Double($0.count)) }, title: t("stats.releases")),
                      rows: moves.releases.map { ($0.key, $0.count) }, csv: URLQuery.build(Paths.customers + "/stats.csv", base + [("dataset", "releases")])),
            ]
            for (d, rows, labels) in dims {
                let points = rows.map { Charts.Point(label: labels[$0.key] ?? $0.key, value: Double($0.count)) }
                let title = t("stats.by", t(d.labelKey))
                let chart = [.owner, .department, .region].contains(d) ? Charts.bar(Array(points.prefix(15)), title: title)
                    : Charts.pie(points, title: title, other: t("stats.other"))
                blocks.append(block(title, chart: chart, rows: rows.map { (labels[$0.key] ?? $0.key, $0.count) },
                                    csv: URLQuery.build(Paths.customers + "/stats.csv", base + [("dataset", d.rawValue)])))
            }
            return H.group([
                H.div("page-head", H.h1(t("stats.title"))),
                H.el("form", [A("method", "get"), A("action", Paths.customers + "/stats"), .cls("toolbar")], [
                    H.el("select", [.name("period"), A("aria-label", t("stats.period"))], CustomerStats.Granularity.allCases.map { g in
                        H.el("option", [.value(g.rawValue), .flag("selected", g == p.granularity)], [H.text(t("stats.period.\(g.rawValue)"))])
                    }),
                    H.void("input", [.type("date"), .name("from"), .value(p.fromText), A("aria-label", t("filter.from"))]),
                    H.void("input", [.type("date"), .name("to"), .value(p.toText), A("aria-label", t("filter.to"))]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))]),
                ]),
                H.div("chart-grid", blocks),
            ])
        }
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .customers)
        let p = try Self.params(req, actor: actor)
        let stats = CustomerStats(db: req.db, actor: actor)
        let t = actor.t
        let dataset = (try? req.query.get(String.self, at: "dataset")) ?? "new"
        var rows: [(String, Int)]
        switch dataset {
        case "new": rows = try await stats.newCustomers(p.granularity, from: p.from, to: p.to).map { ($0.key, $0.count) }
        case "claims": rows = try await stats.poolMovements(p.granularity, from: p.from, to: p.to).claims.map { ($0.key, $0.count) }
        case "releases": rows = try await stats.poolMovements(p.granularity, from: p.from, to: p.to).releases.map { ($0.key, $0.count) }
        default:
            guard let d = CustomerStats.Dimension(rawValue: dataset) else { throw AppError.badRequest("error.badParameter") }
            let raw = try await stats.distribution(d)
            let labels = try await stats.labels(d, keys: raw.map(\.key), t: t)
            rows = raw.map { (labels[$0.key] ?? $0.key, $0.count) }
        }
        let sink = try TableExport.Sink(.csv)
        sink.add([t("stats.key"), t("stats.count")])
        for r in rows { sink.add([r.0, String(r.1)]) }
        let file = try sink.finish()
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Customer.entity, actor.orgID, .export, field: "stats", new: dataset)
        }
        return try await TableExport.download(req, file: file, name: t("stats.title"), format: .csv)
    }
}
