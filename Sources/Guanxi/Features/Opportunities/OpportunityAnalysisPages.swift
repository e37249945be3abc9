import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The pipeline's analyses (OPP-03): funnel, forecast by month, trend and composition, each as an
/// SVG chart above the same figures as a table, exportable as CSV or Excel.
struct OpportunityAnalysisPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("opportunities", "analysis", use: analysis)
    }

    enum Tab: String, CaseIterable {
        case funnel, forecast, trend, composition
        var labelKey: String { "opportunity.analysis.\(rawValue)" }
    }

    /// One analysis: its chart, and the table the chart is drawn from (also what an export writes).
    struct Report {
        var chart: HNode
        var headers: [String]
        var rows: [[String]]
        var controls: [HNode] = []
    }

    @Sendable func analysis(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        let t = actor.t
        let svc = OpportunityService(db: req.db, actor: actor, now: req.now)
        let view = try OpportunityParams.view(req, views: svc.views)
        let tab = try Check.clean(try? req.query.get(String.self, at: "tab")).map { raw -> Tab in
            guard let tab = Tab(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            return tab
        } ?? .funnel
        let report = try await build(tab, req: req, svc: svc, view: view)
        let params: [(String, String?)] = ["status", "period", "from", "to", "product", "by", "month"].map { ($0, try? req.query.get(String.self, at: $0)) }
        if let raw = try? req.query.get(String.self, at: "format") {
            try actor.require(.export, .opportunities)
            guard let format = TableExport.Format(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            let sink = try TableExport.Sink(format)
            sink.add(report.headers)
            for r in report.rows { sink.add(r) }
            let file = try sink.finish()
            try await req.db.writeTransaction { tx in
                try await Audit(actor: actor, db: tx, now: req.now).event(Opportunity.entity, actor.orgID, .export, field: format.rawValue,
                                                                          new: "\(tab.rawValue) · \(view.rawValue) · \(report.rows.count)")
            }
            return try await TableExport.download(req, file: file, name: t(tab.labelKey), format: format)
        }
        return req.page(title: t("opportunity.analysis"), crumbs: [Crumb(label: t("nav.opportunities"), href: Paths.opportunities),
                                                                    Crumb(label: t("opportunity.analysis"), href: nil)]) { _ in
            let path = Paths.opportunities + "/analysis"
            let tabs = H.el("nav", [.cls("tabs"), A("aria-label", t("opportunity.analysis"))], Tab.allCases.map { tb in
                H.el("a", [.href(URLQuery.build(path, [("view", view.rawValue), ("tab", tb.rawValue)])), .cls(tb == tab ? "tab active" : "tab"),
                           A("aria-current", tb == tab ? "page" : nil)], [H.text(t(tb.labelKey))])
            })
            let form = report.controls.isEmpty ? H.empty : H.el("form", [A("method", "get"), .cls("search-form")], [
                H.void("input", [.type("hidden"), .name("view"), .value(view.rawValue)]),
                H.void("input", [.type("hidden"), .name("tab"), .value(tab.rawValue)]),
            ] + report.controls + [H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.apply"))])])
            let exportLinks = actor.can(.export, .opportunities) ? H.div("actions", TableExport.Format.allCases.map { f in
                H.a(URLQuery.build(path, [("view", view.rawValue), ("tab", tab.rawValue)] + params + [("format", f.rawValue)]),
                    t("action.exportAs", f.rawValue.uppercased()), cls: "btn btn-small")
            }) : H.empty
            return H.group([
                OpportunityPages.head(t("opportunity.analysis"), actor: actor, current: "analysis", view: view, t: t),
                OpportunityPages.viewTabs(path, views: svc.views, current: view, t: t, extra: [("tab", tab.rawValue)]),
                tabs,
                form,
                H.el("section", [.cls("card chart-card")], [report.chart]),
                H.el("section", [.cls("card")], [
                    exportLinks,
                    Tables.table(report.headers.map { Tables.Column($0) }, rows: report.rows.map { $0.map { H.text($0) } }, sort: nil, descending: false,
                                 link: { _, _ in "" }, empty: Tables.emptyState(t("opportunity.noData"), hint: nil)),
                ]),
            ])
        }
    }

    private func build(_ tab: Tab, req: Request, svc: OpportunityService, view: OpportunityService.View) async throws -> Report {
        let actor = svc.actor
        let t = actor.t
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let yuan = { (v: Int64) in Double(v) / pow(10, Double(actor.org.moneyDecimals)) }
        let today = CalendarDate.of(req.now, in: actor.org.timeZone)
        func param(_ key: String) -> String? { Check.clean(try? req.query.get(String.self, at: key)) }
        func date(_ key: String) throws -> String? {
            guard let raw = param(key) else { return nil }
            guard CalendarDate.isValid(raw) else { throw AppError.badRequest("error.badParameter") }
            return raw
        }
        func status(default d: OpportunityStatus) throws -> OpportunityStatus {
            guard let raw = param("status") else { return d }
            guard let s = OpportunityStatus(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            return s
        }
        func statusSelect(_ s: OpportunityStatus) -> HNode {
            H.el("select", [.name("status"), A("aria-label", t("opportunity.status"))], OpportunityStatus.allCases.map { o in
                H.el("option", [.value(o.rawValue), .flag("selected", o == s)], [H.text(t("opportunity.data.\(o.rawValue)"))])
            })
        }
        func dateInput(_ key: String, _ value: String?, _ label: String) -> HNode {
            H.el("label", [.cls("inline-label")], [H.text(label), H.void("input", [.type("date"), .name(key), .value(value)])])
        }
        switch tab {
        case .funnel:
            let from = try date("from"), to = try date("to")
            let f = try await svc.funnel(view, closedFrom: from.flatMap { _ in from }, closedTo: to)
            var rows = f.rows.map { s, r in
                [s.label(t.locale), "\(s.probability)%", String(r.count), money(r.amount), money(r.weighted), String(r.reached),
                 String(format: "%.1f%%", Double(r.conversionPermille) / 10)]
            }
            rows.append([t(OpportunityStatus.won.labelKey), "100%", String(f.won.count), money(f.won.amount), money(f.won.amount), String(f.won.count), ""])
            rows.append([t(OpportunityStatus.lost.labelKey), "0%", String(f.lost.count), money(f.lost.amount), money(0), "", ""])
            let points = f.rows.map { Charts.Point(label: $0.stage.label(t.locale), value: Double($0.row.reached)) }
                + [Charts.Point(label: t(OpportunityStatus.won.labelKey), value: Double(f.won.count))]
            return Report(chart: Charts.funnel(points, title: t("opportunity.analysis.funnel")),
                          headers: [t("opportunity.stage"), t("opportunity.probability"), t("opportunity.count"), t("opportunity.amount"),
                                    t("opportunity.weighted"), t("opportunity.reached"), t("opportunity.conversion")],
                          rows: rows,
                          controls: [dateInput("from", from, t("opportunity.closedFrom")), dateInput("to", to, t("opportunity.closedTo"))])
        case .forecast:
            let month = param("month").flatMap { $0.count == 7 && CalendarDate.isValid($0 + "-01") ? $0 : nil } ?? String(today.prefix(7))
            let months = try await svc.forecast(view, fromMonth: month, months: 6)
            return Report(chart: Charts.bar(months.map { Charts.Point(label: $0.month, value: yuan($0.weighted)) }, title: t("opportunity.analysis.forecast")),
                          headers: [t("opportunity.month"), t("opportunity.count"), t("opportunity.amount"), t("opportunity.weighted"), t("opportunity.wonAmount")],
                          rows: months.map { [$0.month, String($0.count), money($0.amount), money($0.weighted), money($0.won)] },
                          controls: [H.el("label", [.cls("inline-label")], [H.text(t("opportunity.fromMonth")),
                                                                            H.void("input", [.type("month"), .name("month"), .value(month)])])])
        case .trend:
            let s = try status(default: .won)
            let period = try param("period").map { raw -> PlanPeriod in
                guard let p = PlanPeriod(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
                return p
            } ?? .month
            let to = try date("to") ?? today
            let from = try date("from") ?? period.moving(period == .month ? -11 : period == .week ? -11 : -29, from: to) ?? to
            let product = try param("product").map { raw -> UUID in
                guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
                return id
            }
            let buckets = try await svc.trend(view, .init(status: s, period: period, from: from, to: to, productID: product))
            let catalogue = actor.can(.view, .products)
                ? try await actor.inOrg(Product.self, on: req.db).sort(\.$name).limit(500).rows() : []
            return Report(chart: Charts.line(buckets.map { Charts.Point(label: $0.start, value: yuan($0.amount)) }, title: t("opportunity.analysis.trend")),
                          headers: [t("opportunity.periodStart"), t("opportunity.count"), t("opportunity.amount")],
                          rows: buckets.map { [$0.start, String($0.count), money($0.amount)] },
                          controls: [
                              statusSelect(s),
                              H.el("select", [.name("period"), A("aria-label", t("opportunity.period"))], PlanPeriod.allCases.map { p in
                                  H.el("option", [.value(p.rawValue), .flag("selected", p == period)], [H.text(t("opportunity.period.\(p.rawValue)"))])
                              }),
                              dateInput("from", from, t("opportunity.from")), dateInput("to", to, t("opportunity.to")),
                              catalogue.isEmpty ? H.empty : H.el("select", [.name("product"), A("aria-label", t("entity.product"))],
                                  [H.el("option", [.value("")], [H.text(t("opportunity.anyProduct"))])] + catalogue.map { p in
                                      H.el("option", [.value(p.id!.uuidString), .flag("selected", p.id == product)], [H.text(p.name)])
                                  }),
                          ])
        case .composition:
            let s = try status(default: .open)
            let by = try param("by").map { raw -> OpportunityService.Dimension in
                guard let d = OpportunityService.Dimension(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
                return d
            } ?? .source
            let slices = try await svc.composition(view, status: s, by: by)
            let labels: [String: String]
            switch by {
            case .source:
                let opts = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.source, includeInactive: true)
                labels = Dictionary(opts.map { ($0.value, $0.label(t.locale)) }, uniquingKeysWith: { a, _ in a })
            case .stage:
                labels = Dictionary(try await svc.stages(includeInactive: true).map { ($0.id!.uuidString, $0.label(t.locale)) }, uniquingKeysWith: { a, _ in a })
            case .owner:
                let names = try await OpportunityNames.users(slices.compactMap { UUID(uuidString: $0.key) }, on: req.db, orgID: actor.orgID)
                labels = Dictionary(names.map { ($0.key.uuidString, $0.value) }, uniquingKeysWith: { a, _ in a })
            case .product:
                let names = try await OpportunityNames.products(slices.compactMap { UUID(uuidString: $0.key) }, on: req.db, orgID: actor.orgID)
                labels = Dictionary(names.map { ($0.key.uuidString, $0.value) }, uniquingKeysWith: { a, _ in a })
            }
            let label = { (key: String) in key.isEmpty ? t("opportunity.unspecified") : labels[key] ?? labels[key.uppercased()] ?? key }
            let total = slices.reduce(Int64(0)) { $0 + $1.amount }
            return Report(chart: Charts.pie(slices.map { Charts.Point(label: label($0.key), value: yuan($0.amount)) }, title: t("opportunity.analysis.composition"),
                                            other: t("stats.other")),
                          headers: [t(by.labelKey), t("opportunity.count"), t("opportunity.amount"), t("opportunity.share")],
                          rows: slices.map { [label($0.key), String($0.count), money($0.amount),
                                              total == 0 ? "" : String(format: "%.1f%%", Double($0.amount) * 100 / Double(total))] },
                          controls: [
                              statusSelect(s),
                              H.el("select", [.name("by"), A("aria-label", t("opportunity.by"))], OpportunityService.Dimension.allCases.map { d in
                                  H.el("option", [.value(d.rawValue), .flag("selected", d == by)], [H.text(t(d.labelKey))])
                              }),
                          ])
        }
    }
}
