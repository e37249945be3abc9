import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// The sales daily report (营销日报, ACT-06), made from what each rep entered on a day: customers
/// created and claimed, follow-ups and the customers they reached, next contacts planned. Nobody
/// writes it; a manager sees one line per person in their follow-up scope.
struct DailyReport {
    let db: Database
    let actor: Actor

    enum Measure: String, CaseIterable, Sendable {
        case newCustomers, claimed, followUps, customersReached, plansMade

        var labelKey: String { "daily.\(rawValue)" }
    }

    struct Line: Sendable {
        let userID: UUID
        let name: String
        var counts: [Measure: Int]
    }

    /// One line per person the actor may see, for one calendar day in the organisation's time zone.
    func lines(day: String) async throws -> [Line] {
        try actor.require(.view, .followUps)
        guard CalendarDate.isValid(day), let from = LocalTime.parse(day + "T00:00", in: actor.org.timeZone) else { throw AppError.badRequest("error.badParameter") }
        let to = from.addingTimeInterval(86_400)
        let users = try await actor.scopeUsers(.followUps, on: db)
        guard !users.isEmpty, let sql = db as? any SQLDatabase else { return [] }
        let ids = users.map { $0.id! }
        let range = Stats.range("happened_at", from: from, to: to)
        func perUser(_ query: SQLQueryString) async throws -> [UUID: Int] {
            var out: [UUID: Int] = [:]
            for r in try await sql.raw(query).all() {
                if let k = try r.decode(column: "k", as: UUID?.self) { out[k] = try r.decode(column: "n", as: Int.self) }
            }
            return out
        }
        // Audit entries carry the organisation's clock and who entered the record (by hand or by import).
        let created = try await perUser("""
            SELECT actor_id AS k, COUNT(DISTINCT record_id) AS n FROM audit_entries WHERE org_id = \(bind: actor.orgID) AND entity = 'customer'
            AND action = 'create' AND \(Stats.range("at", from: from, to: to)) AND actor_id IN (\(binds: ids)) GROUP BY actor_id
            """)
        let claimed = try await perUser("""
            SELECT actor_id AS k, COUNT(*) AS n FROM audit_entries WHERE org_id = \(bind: actor.orgID) AND entity = 'customer' AND action = 'assign'
            AND field = 'owner' AND old_value IS NULL AND \(Stats.range("at", from: from, to: to)) AND actor_id IN (\(binds: ids)) GROUP BY actor_id
            """)
        let followUps = try await perUser("""
            SELECT owner_id AS k, COUNT(*) AS n FROM follow_ups WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL
            AND \(range) AND owner_id IN (\(binds: ids)) GROUP BY owner_id
            """)
        let reached = try await perUser("""
            SELECT owner_id AS k, COUNT(DISTINCT customer_id) AS n FROM follow_ups WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL
            AND \(range) AND owner_id IN (\(binds: ids)) GROUP BY owner_id
            """)
        let plans = try await perUser("""
            SELECT owner_id AS k, COUNT(*) AS n FROM follow_ups WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL
            AND \(range) AND next_contact_on IS NOT NULL AND owner_id IN (\(binds: ids)) GROUP BY owner_id
            """)
        return users.map { u in
            let id = u.id!
            return Line(userID: id, name: u.name, counts: [.newCustomers: created[id] ?? 0, .claimed: claimed[id] ?? 0, .followUps: followUps[id] ?? 0,
                                                           .customersReached: reached[id] ?? 0, .plansMade: plans[id] ?? 0])
        }
    }
}

/// /reports/daily (page) and /api/v1/reports/daily.
struct DailyReportPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("reports", "daily", use: page)
    }

    static func day(_ req: Request, actor: Actor) throws -> String {
        guard let raw = Check.clean(try? req.query.get(String.self, at: "date")) else { return CalendarDate.of(req.now, in: actor.org.timeZone) }
        guard CalendarDate.isValid(raw) else { throw AppError.badRequest("error.badParameter") }
        return raw
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        let day = try Self.day(req, actor: actor)
        let lines = try await DailyReport(db: req.db, actor: actor).lines(day: day)
        let t = actor.t
        let measures = DailyReport.Measure.allCases
        let mine = lines.first { $0.userID == actor.userID }
        let team = lines.filter { $0.userID != actor.userID }
        let active = team.filter { $0.counts.values.contains { $0 > 0 } }.count
        return req.page(title: t("daily.title"), crumbs: [Crumb(label: t("followUp.title"), href: Paths.followUps), Crumb(label: t("daily.title"), href: nil)]) { _ in
            let prev = CalendarDate.adding(-1, to: day) ?? day, next = CalendarDate.adding(1, to: day) ?? day
            return H.group([
                H.div("page-head", H.h1(t("daily.titleFor", day)),
                      H.div("actions", H.a(URLQuery.build(Paths.dailyReport, [("date", prev)]), "← " + t("daily.previous"), cls: "btn"),
                            H.a(URLQuery.build(Paths.dailyReport, [("date", next)]), t("daily.next") + " →", cls: "btn"))),
                H.el("form", [A("method", "get"), .cls("toolbar")], [
                    H.void("input", [.type("date"), .name("date"), .value(day), A("aria-label", t("daily.date"))]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))]),
                ]),
                mine.map { m in
                    H.el("section", [.cls("card")], [
                        H.h2(t("daily.mine")),
                        H.div("kpis", measures.map { ms in
                            H.div("kpi", H.span("kpi-value", String(m.counts[ms] ?? 0)), H.span("kpi-label", t(ms.labelKey)))
                        }),
                        H.a(URLQuery.build(Paths.followUps, [("tab", "mine"), ("from", day), ("to", day)]), t("daily.seeFollowUps"), cls: "small"),
                    ])
                } ?? H.empty,
                team.isEmpty ? H.empty : H.el("section", [.cls("card")], [
                    H.h2(t("daily.team", String(active), String(team.count))),
                    Tables.table(([t("daily.person")] + measures.map { t($0.labelKey) }).map { Tables.Column($0) },
                                 rows: team.map { l in
                                     [H.a(URLQuery.build(Paths.followUps, [("tab", "all"), ("owner", l.userID.uuidString), ("from", day), ("to", day)]), l.name)]
                                     + measures.map { ms in H.el("span", [.cls((l.counts[ms] ?? 0) == 0 ? "muted" : "strong")], [H.text(String(l.counts[ms] ?? 0))]) }
                                 },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ]),
            ])
        }
    }
}

struct DailyReportAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("reports", "daily", use: index)
    }

    struct LineDTO: Content {
        var userID: UUID
        var name: String
        var counts: [String: Int]
    }

    @Sendable func index(req: Request) async throws -> [LineDTO] {
        let actor = try req.actor
        let lines = try await DailyReport(db: req.db, actor: actor).lines(day: try DailyReportPages.day(req, actor: actor))
        return lines.map { l in LineDTO(userID: l.userID, name: l.name, counts: Dictionary(uniqueKeysWithValues: l.counts.map { ($0.key.rawValue, $0.value) })) }
    }
}
