import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// Contact statistics (CON-03): by gender, by the customer's industry and region, and the contacts
/// reached most often — over the contacts of customers in the actor's scope.
struct ContactStats {
    let db: Database
    let actor: Actor

    enum Dimension: String, CaseIterable, Sendable {
        case gender, industry, region, frequency

        var labelKey: String { "contactStats.\(rawValue)" }
    }

    private var sql: any SQLDatabase { db as! any SQLDatabase }

    func counts(_ d: Dimension, range: Stats.Range) async throws -> [Stats.Row] {
        let scope = try actor.scopeSQL(Customer.self, alias: "cu")
        switch d {
        case .gender, .industry, .region:
            let key: SQLQueryString = d == .gender ? "c.gender" : d == .industry ? "cu.industry" : "cu.region_id"
            let rows = try await sql.raw("""
                SELECT \(key) AS k, COUNT(*) AS n FROM contacts c JOIN customers cu ON cu.id = c.customer_id
                WHERE c.deleted_at IS NULL AND cu.deleted_at IS NULL AND \(scope)
                GROUP BY \(key) ORDER BY n DESC LIMIT 50
                """).all()
            return d == .region ? try Stats.idRows(rows) : try Stats.rows(rows)
        case .frequency:
            // Contacts named on the most follow-ups in the period.
            let rows = try await sql.raw("""
                SELECT f.contact_id AS k, COUNT(*) AS n FROM follow_ups f JOIN customers cu ON cu.id = f.customer_id
                WHERE f.deleted_at IS NULL AND f.contact_id IS NOT NULL AND cu.deleted_at IS NULL AND \(scope)
                  AND f.happened_at >= \(bind: range.from) AND f.happened_at < \(bind: range.to)
                GROUP BY f.contact_id ORDER BY n DESC LIMIT 20
                """).all()
            return try Stats.idRows(rows)
        }
    }

    func labels(_ d: Dimension, keys: [String], t: Translator) async throws -> [String: String] {
        var out: [String: String] = [:]
        let ids = keys.compactMap(UUID.init(uuidString:))
        switch d {
        case .gender:
            for k in keys where !k.isEmpty { out[k] = t("gender.\(k)") }
        case .industry:
            for o in try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == DictionaryKind.industry.rawValue).rows() { out[o.value] = o.label(t.locale) }
        case .region:
            let paths = try await RegionService(db: db, actor: actor, now: Date()).paths()
            for id in ids { out[id.uuidString] = paths[id] }
        case .frequency:
            let contacts = try await actor.inOrg(Contact.self, on: db).filter(\.$id ~~ ids).rows()
            let customers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: db).filter(\.$id ~~ contacts.map(\.customerID)).rows().map { ($0.id!, $0.name) })
            for c in contacts { out[c.id!.uuidString] = "\(c.name)（\(customers[c.customerID] ?? "")）" }
        }
        out[""] = out[""] ?? t("stats.unset")
        return out
    }
}

/// /contacts/stats.
struct ContactStatsPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("contacts", "stats", use: page)
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        let range = try Stats.Range.parse(req, actor: actor, defaultMonths: 3)
        let stats = ContactStats(db: req.db, actor: actor)
        let t = actor.t
        var cards: [(ContactStats.Dimension, [Stats.Row], [String: String])] = []
        for d in ContactStats.Dimension.allCases where d != .frequency || actor.can(.view, .followUps) {
            let rows = try await stats.counts(d, range: range)
            cards.append((d, rows, try await stats.labels(d, keys: rows.map(\.key), t: t)))
        }
        return req.page(title: t("contactStats.title"), crumbs: [Crumb(label: t("contact.title"), href: "/contacts"), Crumb(label: t("contactStats.title"), href: nil)]) { _ in
            H.group([
                H.div("page-head", H.h1(t("contactStats.title"))),
                Stats.toolbar(range, action: "/contacts/stats", t: t),
                H.div("chart-grid", cards.map { d, rows, labels in
                    let points = rows.map { Charts.Point(label: labels[$0.key] ?? $0.key, value: Double($0.count)) }
                    let title = t(d.labelKey)
                    let chart = d == .gender || d == .industry ? Charts.pie(points, title: title, other: t("stats.other")) : Charts.bar(Array(points.prefix(15)), title: title)
                    return Stats.card(title, chart: chart, rows: rows.map { (labels[$0.key] ?? $0.key, $0.count) }, csv: nil, t: t)
                }),
            ])
        }
    }
}
