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

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        let p = try Stats.Range.parse(req, actor: actor)
        let stats = CustomerStats(db: req.db, actor: actor)
        let t = actor.t
        let trend = try await stats.newCustomers(p.granularity, from: p.from, to: p.to)
        let moves = try await stats.poolMovements(p.granularity, from: p.from, to: p.to)
        var dims: [(CustomerStats.Dimension, [CustomerStats.Row], [String: String])] = []
        for d in CustomerStats.Dimension.allCases {
            let rows = try await stats.distribution(d)
            dims.append((d, rows, try await stats.labels(d, keys: rows.map(\.key), t: t)))
        }
        let base = p.queryItems
        return req.page(title: t("stats.title"), crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("stats.title"), href: nil)]) { _ in
            func block(_ title: String, chart: HNode, rows: [(String, Int)], csv: String) -> HNode { Stats.card(title, chart: chart, rows: rows, csv: csv, t: t) }
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
                Stats.toolbar(p, action: Paths.customers + "/stats", t: t),
                H.div("chart-grid", blocks),
            ])
        }
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .customers)
        let p = try Stats.Range.parse(req, actor: actor)
        let stats = CustomerStats(db: req.db, actor: actor)
        let t = actor.t
        let dataset = (try? req.query.get(String.self, at: "dataset")) ?? "new"
        let rows: [(String, Int)]
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
        return try await Stats.csv(req, actor: actor, entity: Customer.entity, dataset: dataset, rows: rows, title: t("stats.title"))
    }
}
