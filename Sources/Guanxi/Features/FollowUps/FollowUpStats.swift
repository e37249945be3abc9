import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// Follow-up statistics (ACT-05): counts per period, person, department, method and hour of day,
/// counted in the database over the follow-up scope, optionally for one department and those below it.
struct FollowUpStats {
    let db: Database
    let actor: Actor
    let range: Stats.Range
    /// The department whose tree is counted; nil for everything in scope.
    var departmentIDs: [UUID]?

    enum Dimension: String, CaseIterable, Sendable {
        case period, owner, department, method, hour

        var labelKey: String { "followUpStats.\(rawValue)" }
    }

    private var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Counted from the tallies (`FollowUpTally`), so a month of a large department reads a few
    /// thousand rows. The scope is that of the people and departments the actor may see; follow-ups
    /// shared one by one are not part of anyone's figures.
    func counts(_ d: Dimension, ownerID: UUID? = nil) async throws -> [Stats.Row] {
        let table = d == .hour ? "follow_up_hour_days" : "follow_up_method_days"
        let key: SQLQueryString = switch d {
        case .period: Stats.period(day: "day", range.granularity, db: db)
        case .owner: "owner_id"
        case .department: "department_id"
        case .method: "method"
        case .hour: "hour"
        }
        var filter: SQLQueryString = "1 = 1"
        if let ids = departmentIDs { filter = ids.isEmpty ? "1 = 0" : "department_id IN (\(binds: ids))" }
        if let ownerID { filter = "\(filter) AND owner_id = \(bind: ownerID)" }
        let order: SQLQueryString = d == .owner || d == .department || d == .method ? "2 DESC" : "1"
        let tallies: SQLQueryString = "\(ident: table) WHERE \(try actor.scopeSQL(FollowUp.self, alias: table, shares: false)) AND day >= \(bind: range.fromText) AND day <= \(bind: range.toText) AND \(filter)"
        // Periods are first summed per department and day, the order the department index reads them in:
        // the period's key is then worked out once per day, not per tally (every tally of a department's
        // month went through strftime and a sort, a third of the statistics page).
        let from: SQLQueryString = d == .period ? "(SELECT department_id, day, SUM(n) AS n FROM \(tallies) GROUP BY department_id, day) AS days" : tallies
        let rows = try await sql.raw("""
            SELECT \(key) AS k, CAST(SUM(n) AS BIGINT) AS n FROM \(from)
            GROUP BY 1 HAVING SUM(n) > 0 ORDER BY \(order) LIMIT 400
            """).all()
        var out = d == .owner || d == .department ? try Stats.idRows(rows).map { $0.key == FollowUpTally.noDepartment.uuidString ? Stats.Row(key: "", count: $0.count) : $0 }
            : try Stats.rows(rows)
        if d == .hour {
            // Every hour shows, the quiet ones as zero.
            let byHour = Dictionary(out.map { ($0.key, $0.count) }) { a, _ in a }
            out = (0..<24).map { h in let k = String(format: "%02d", h); return Stats.Row(key: k, count: byHour[k] ?? 0) }
        }
        return out
    }

    func labels(_ d: Dimension, keys: [String], t: Translator) async throws -> [String: String] {
        var out: [String: String] = [:]
        let ids = keys.compactMap(UUID.init(uuidString:))
        switch d {
        case .owner:
            for u in try await actor.inOrg(User.self, on: db).filter(\.$id ~~ ids).rows() { out[u.id!.uuidString] = u.name }
        case .department:
            for x in try await actor.inOrg(Department.self, on: db).filter(\.$id ~~ ids).rows() { out[x.id!.uuidString] = x.name }
        case .method:
            for o in try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == DictionaryKind.followUpMethod.rawValue).rows() { out[o.value] = o.label(t.locale) }
        case .hour:
            for k in keys { out[k] = "\(k):00" }
        case .period:
            break
        }
        out[""] = out[""] ?? t("stats.unset")
        return out
    }

    /// The chosen department and every department below it.
    static func departmentTree(_ id: UUID?, actor: Actor, on db: Database) async throws -> [UUID]? {
        guard let id else { return nil }
        guard try await actor.inOrg(Department.self, on: db).filter(\.$id == id).exists() else { throw AppError.badRequest("error.badParameter") }
        return [id] + (try await Hierarchy.descendants(of: id, table: "departments", parentColumn: "parent_id", orgID: actor.orgID, on: db))
    }
}

/// /follow-ups/stats and its CSV; /api/v1/follow-ups/stats for programs.
struct FollowUpStatsPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("follow-ups", "stats", use: page)
        routes.get("follow-ups", "stats.csv", use: csv)
    }

    static func stats(_ req: Request, actor: Actor) async throws -> FollowUpStats {
        try actor.require(.view, .followUps)
        let range = try Stats.Range.parse(req, actor: actor, defaultMonths: 1)
        let dept = try Check.clean(try? req.query.get(String.self, at: "department")).map { raw -> UUID in
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            return id
        }
        return FollowUpStats(db: req.db, actor: actor, range: range, departmentIDs: try await FollowUpStats.departmentTree(dept, actor: actor, on: req.db))
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        let stats = try await Self.stats(req, actor: actor)
        let t = actor.t
        var results: [(FollowUpStats.Dimension, [Stats.Row], [String: String])] = []
        for d in FollowUpStats.Dimension.allCases {
            let rows = try await stats.counts(d)
            results.append((d, rows, try await stats.labels(d, keys: rows.map(\.key), t: t)))
        }
        let departments = try await DepartmentService(db: req.db, actor: actor, now: req.now).tree()
        let dept = try? req.query.get(String.self, at: "department")
        let base = stats.range.queryItems + [("department", dept)]
        let total = results.first { $0.0 == .method }?.1.reduce(0) { $0 + $1.count } ?? 0
        return req.page(title: t("followUpStats.title"), crumbs: [Crumb(label: t("followUp.title"), href: Paths.followUps), Crumb(label: t("followUpStats.title"), href: nil)]) { _ in
            let cards = results.map { d, rows, labels -> HNode in
                let points = rows.map { Charts.Point(label: labels[$0.key] ?? $0.key, value: Double($0.count)) }
                let title = t(d.labelKey)
                let chart: HNode = switch d {
                case .period: Charts.line(points, title: title)
                case .method: Charts.pie(points, title: title, other: t("stats.other"))
                case .owner, .department: Charts.bar(Array(points.prefix(15)), title: title)
                case .hour: Charts.bar(points, title: title)
                }
                return Stats.card(title, chart: chart, rows: rows.map { (labels[$0.key] ?? $0.key, $0.count) },
                                  csv: actor.can(.export, .followUps) ? URLQuery.build(Paths.followUps + "/stats.csv", base + [("dataset", d.rawValue)]) : nil, t: t)
            }
            let deptSelect = H.el("select", [.name("department"), A("aria-label", t("customer.department"))],
                                  [H.el("option", [.value("")], [H.text(t("followUpStats.allDepartments"))])] + departments.map { d in
                                      H.el("option", [.value(d.node.id!.uuidString), .flag("selected", d.node.id!.uuidString == dept)],
                                           [H.text(String(repeating: "　", count: d.depth) + d.node.name)])
                                  })
            return H.group([
                H.div("page-head", H.h1(t("followUpStats.title")), H.span("badge", t("followUpStats.total", String(total)))),
                Stats.toolbar(stats.range, action: Paths.followUps + "/stats", extra: [deptSelect], t: t),
                H.div("chart-grid", cards),
            ])
        }
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .followUps)
        let stats = try await Self.stats(req, actor: actor)
        guard let d = FollowUpStats.Dimension(rawValue: (try? req.query.get(String.self, at: "dataset")) ?? "period") else { throw AppError.badRequest("error.badParameter") }
        let rows = try await stats.counts(d)
        let labels = try await stats.labels(d, keys: rows.map(\.key), t: actor.t)
        return try await Stats.csv(req, actor: actor, entity: FollowUp.entity, dataset: d.rawValue, rows: rows.map { (labels[$0.key] ?? $0.key, $0.count) },
                                   title: actor.t("followUpStats.title"))
    }
}
