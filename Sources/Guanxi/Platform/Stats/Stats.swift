import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// What every statistics page shares: the period buckets as SQL for both databases, the date range
/// from the query string, and a chart card with its table and CSV link.
enum Stats {
    enum Granularity: String, CaseIterable, Sendable { case day, week, month, year }

    struct Row: Equatable, Sendable { let key: String; let count: Int }

    /// The period bucket of a timestamp column in the organisation's time zone.
    static func period(_ column: String, _ g: Granularity, db: Database, timeZone: TimeZone) -> SQLQueryString {
        if db.isSQLite {
            let offset = timeZone.secondsFromGMT()
            let pattern = switch g { case .day: "%Y-%m-%d"; case .week: "%Y-W%W"; case .month: "%Y-%m"; case .year: "%Y" }
            return "strftime(\(literal: pattern), \(ident: column) + \(literal: offset), 'unixepoch')"
        }
        let pattern = switch g { case .day: "YYYY-MM-DD"; case .week: "IYYY-\"W\"IW"; case .month: "YYYY-MM"; case .year: "YYYY" }
        return "to_char(\(ident: column) AT TIME ZONE \(bind: timeZone.identifier), \(literal: pattern))"
    }

    /// The period bucket of a local-date column (yyyy-MM-dd), the same keys as `period` gives a timestamp.
    static func period(day column: String, _ g: Granularity, db: Database) -> SQLQueryString {
        if db.isSQLite {
            let pattern = switch g { case .day: "%Y-%m-%d"; case .week: "%Y-W%W"; case .month: "%Y-%m"; case .year: "%Y" }
            return "strftime(\(literal: pattern), \(ident: column))"
        }
        let pattern = switch g { case .day: "YYYY-MM-DD"; case .week: "IYYY-\"W\"IW"; case .month: "YYYY-MM"; case .year: "YYYY" }
        return "to_char(CAST(\(ident: column) AS date), \(literal: pattern))"
    }

    /// The hour of day (00–23) of a timestamp column in the organisation's time zone.
    static func hour(_ column: String, db: Database, timeZone: TimeZone) -> SQLQueryString {
        if db.isSQLite {
            return "strftime('%H', \(ident: column) + \(literal: timeZone.secondsFromGMT()), 'unixepoch')"
        }
        return "to_char(\(ident: column) AT TIME ZONE \(bind: timeZone.identifier), 'HH24')"
    }

    static func range(_ column: String, from: Date, to: Date) -> SQLQueryString {
        "\(ident: column) >= \(bind: from) AND \(ident: column) < \(bind: to)"
    }

    static func rows(_ rows: [SQLRow]) throws -> [Row] {
        try rows.map { Row(key: try $0.decode(column: "k", as: String?.self) ?? "", count: try $0.decode(column: "n", as: Int.self)) }
    }

    /// Rows keyed by an id column (owner, department, region).
    static func idRows(_ rows: [SQLRow]) throws -> [Row] {
        try rows.map { Row(key: try $0.decode(column: "k", as: UUID?.self)?.uuidString ?? "", count: try $0.decode(column: "n", as: Int.self)) }
    }

    /// The period and the days a statistics page covers: `period`, `from`, `to` (dates, `to` included).
    struct Range: Sendable {
        var granularity: Granularity
        var from: Date
        var to: Date
        var fromText: String
        var toText: String

        var queryItems: [(String, String?)] { [("period", granularity.rawValue), ("from", fromText), ("to", toText)] }

        /// The days from one to another (both included) in the organisation's time zone; the times
        /// follow from the days, so the two cannot disagree.
        static func days(_ granularity: Granularity, from: String, to: String, in tz: TimeZone) -> Range? {
            guard let start = LocalTime.parse(from + "T00:00", in: tz), let next = CalendarDate.adding(1, to: to),
                  let end = LocalTime.parse(next + "T00:00", in: tz) else { return nil }
            return Range(granularity: granularity, from: start, to: end, fromText: from, toText: to)
        }

        /// Defaults to the last twelve months by month.
        static func parse(_ req: Request, actor: Actor, defaultMonths: Int = 12) throws -> Range {
            let g = try (try? req.query.get(String.self, at: "period")).map { raw -> Granularity in
                guard let g = Granularity(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
                return g
            } ?? .month
            let tz = actor.org.timeZone
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = tz
            let todayText = CalendarDate.of(req.now, in: tz)
            let monthStart = String(todayText.prefix(8)) + "01"
            let defaultFrom = cal.date(byAdding: .month, value: -(defaultMonths - 1), to: LocalTime.parse(monthStart + "T00:00", in: tz)!)!
            func day(_ key: String) throws -> Date? {
                guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { return nil }
                guard CalendarDate.isValid(raw), let d = LocalTime.parse(raw + "T00:00", in: tz) else { throw AppError.badRequest("error.badParameter") }
                return d
            }
            let from = try day("from") ?? defaultFrom
            let toDay = try day("to") ?? LocalTime.parse(todayText + "T00:00", in: tz)!
            let to = cal.date(byAdding: .day, value: 1, to: toDay)!
            guard from < to, to.timeIntervalSince(from) < 20 * 366 * 86_400 else { throw AppError.badRequest("error.badParameter") }
            return Range(granularity: g, from: from, to: to, fromText: CalendarDate.of(from, in: tz), toText: CalendarDate.of(toDay, in: tz))
        }
    }

    /// A chart with its numbers folded underneath and a CSV link.
    static func card(_ title: String, chart: HNode, rows: [(String, Int)], csv: String?, t: Translator) -> HNode {
        H.el("section", [.cls("card chart-card")], [
            H.div("section-head", H.h2(title), csv.map { H.a($0, t("stats.csv"), cls: "btn btn-small") } ?? H.empty),
            chart,
            H.el("details", [], [
                H.el("summary", [], [H.text(t("stats.table"))]),
                Tables.table([t("stats.key"), t("stats.count")].map { Tables.Column($0) },
                             rows: rows.map { [H.text($0.0), H.text(String($0.1))] }, sort: nil, descending: false,
                             link: { _, _ in "" }, empty: H.p(t("search.noMatch"), cls: "muted")),
            ]),
        ])
    }

    /// The period and date pickers of a statistics page.
    static func toolbar(_ range: Range, action: String, extra: [HNode] = [], t: Translator) -> HNode {
        H.el("form", [A("method", "get"), A("action", action), .cls("toolbar")], extra + [
            H.el("select", [.name("period"), A("aria-label", t("stats.period"))], Granularity.allCases.map { g in
                H.el("option", [.value(g.rawValue), .flag("selected", g == range.granularity)], [H.text(t("stats.period.\(g.rawValue)"))])
            }),
            H.void("input", [.type("date"), .name("from"), .value(range.fromText), A("aria-label", t("filter.from"))]),
            H.void("input", [.type("date"), .name("to"), .value(range.toText), A("aria-label", t("filter.to"))]),
            H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))]),
        ])
    }

    /// A CSV download of one table, audited as an export of the entity.
    static func csv(_ req: Request, actor: Actor, entity: String, dataset: String, rows: [(String, Int)], title: String) async throws -> Response {
        let t = actor.t
        let sink = try TableExport.Sink(.csv)
        sink.add([t("stats.key"), t("stats.count")])
        for r in rows { sink.add([r.0, String(r.1)]) }
        let file = try sink.finish()
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(entity, actor.orgID, .export, field: "stats", new: dataset)
        }
        return try await TableExport.download(req, file: file, name: title, format: .csv)
    }
}
