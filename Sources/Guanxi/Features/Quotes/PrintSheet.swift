import Foundation
import GuanxiCore
import Vapor

/// A line as printed on a quote or a contract.
protocol PrintableLine {
    var position: Int { get }
    var productID: UUID { get }
    var productName: String { get }
    var quantity: Int64 { get }
    var unit: String? { get }
    var price: Int64 { get }
    var discount: Int { get }
    var taxRate: Int { get }
    var net: Int64 { get }
    var tax: Int64 { get }
}

extension QuoteLine: PrintableLine {}
extension ContractLine: PrintableLine {}

/// The print-friendly page of a quote or a contract (PLT-20): the template's title, header and footer
/// with their placeholders filled, the lines and the totals.
enum PrintSheet {
    struct Document {
        var template: QuoteTemplate
        var values: [String: String]
        /// The line under the title: number, version or kind.
        var meta: String
        var back: String
        var lines: [any PrintableLine]
        var subtotal: Int64
        var tax: Int64
        var total: Int64
        var totalLabel: String
    }

    static func response(_ d: Document, actor: Actor) -> Response {
        let t = actor.t
        let money = FinanceViews.money(actor)
        let paragraphs = { (text: String) in QuoteTemplate.fill(text, d.values).split(separator: "\n", omittingEmptySubsequences: false).map { H.p(String($0)) } }
        let html = H.el("html", [A("lang", actor.locale.htmlLang)], [
            H.el("head", [], [
                H.void("meta", [A("charset", "utf-8")]),
                H.el("title", [], [H.text("\(d.template.title) \(d.values["number"] ?? "")")]),
                H.void("link", [A("rel", "stylesheet"), .href("/css/print.css")]),
            ]),
            H.el("body", [.cls("print quote-print")], [
                H.div("no-print print-bar", H.a(d.back, t("action.back"), cls: "btn"), H.span("muted", t("quote.printHint"))),
                H.el("article", [.cls("quote-sheet")], [
                    H.el("h1", [], [H.text(d.template.title)]),
                    H.p(d.meta, cls: "quote-meta"),
                    H.div("quote-header", paragraphs(d.template.header)),
                    H.el("table", [.cls("quote-table")], [
                        H.el("thead", [], [H.el("tr", [], ["#", t("entity.product"), t("opportunity.quantity"), t("product.unit"), t("opportunity.unitPrice"),
                                                           t("quote.discount"), t("quote.taxRate"), t("quote.lineTotal")].map { H.el("th", [], [H.text($0)]) })]),
                        H.el("tbody", [], d.lines.map { l in H.el("tr", [], [
                            H.el("td", [], [H.text(String(l.position))]), H.el("td", [], [H.text(l.productName)]),
                            H.el("td", [.cls("num")], [H.text(String(l.quantity))]), H.el("td", [], [H.text(l.unit ?? "")]),
                            H.el("td", [.cls("num")], [H.text(money(l.price))]), H.el("td", [.cls("num")], [H.text(QuoteMath.percent(l.discount) + "%")]),
                            H.el("td", [.cls("num")], [H.text(QuoteMath.percent(l.taxRate) + "%")]), H.el("td", [.cls("num")], [H.text(money(l.net + l.tax))]),
                        ]) }),
                        H.el("tfoot", [], [
                            H.el("tr", [], [H.el("td", [A("colspan", "7")], [H.text(t("quote.subtotal"))]), H.el("td", [.cls("num")], [H.text(money(d.subtotal))])]),
                            H.el("tr", [], [H.el("td", [A("colspan", "7")], [H.text(t("quote.tax"))]), H.el("td", [.cls("num")], [H.text(money(d.tax))])]),
                            H.el("tr", [.cls("grand")], [H.el("td", [A("colspan", "7")], [H.text(d.totalLabel)]), H.el("td", [.cls("num")], [H.text(money(d.total))])]),
                        ]),
                    ]),
                    H.div("quote-footer", paragraphs(d.template.footer)),
                ]),
            ]),
        ])
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(buffer: H.document(html)))
    }

    /// The administrator's editor of a print template: title, header and footer with their placeholders.
    static func templateForm(_ req: Request, _ form: QuotePages.TemplateForm, errors: [String: String], status: HTTPResponseStatus, action: String,
                             titleKey: String, crumb: Crumb, placeholders: [String], footerRows: Int) -> Response {
        let t = req.pageContext.t
        return req.page(status, title: t(titleKey), crumbs: [crumb, Crumb(label: t(titleKey), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t(titleKey))),
                H.p(t("quote.templateHint", placeholders.map { "{{\($0)}}" }.joined(separator: " ")), cls: "muted"),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card wide",
                          Forms.input("title", label: t("quote.templateTitle"), value: form.title, error: errors["title"].map { t($0) }, required: true, extra: [A("maxlength", "40")]),
                          Forms.textarea("header", label: t("quote.templateHeader"), value: form.header, error: errors["header"].map { t($0) }, rows: 4),
                          Forms.textarea("footer", label: t("quote.templateFooter"), value: form.footer, error: errors["footer"].map { t($0) }, rows: footerRows)),
                    Forms.actions(Forms.submit(t("action.save"))),
                ]),
            ])
        }
    }
}
