import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Envelope and label printing (信封打印, CUS-16) for selected customers: postcode, address, name and the
/// primary contact, with the company as sender; a print-ready page with nothing else on it.
struct EnvelopePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", "envelopes", use: envelopes)
    }

    enum Layout: String { case envelope, label }

    @Sendable func envelopes(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.print, .customers)
        let ids = ((try? req.query.get([String].self, at: "ids")) ?? []).compactMap(UUID.init(uuidString:))
        guard !ids.isEmpty, ids.count <= 500 else { throw AppError.badRequest("bulk.noneSelected") }
        let layout = Layout(rawValue: (try? req.query.get(String.self, at: "layout")) ?? "envelope") ?? .envelope
        let customers = try await actor.query(Customer.self, .view, on: req.db).filter(\.$id ~~ ids).sort(\.$name).rows()
        let contacts = try await actor.inOrg(Contact.self, on: req.db).filter(\.$customerID ~~ customers.map { $0.id! }).filter(\.$isPrimary == true).rows()
        let primary = Dictionary(contacts.map { ($0.customerID, $0) }, uniquingKeysWith: { a, _ in a })
        let regions = try await RegionService(db: req.db, actor: actor, now: req.now).paths()
        let t = actor.t
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Customer.entity, actor.orgID, .export, field: "envelopes", new: "\(customers.count) · \(layout.rawValue)")
        }
        let items = customers.map { c -> HNode in
            let contact = primary[c.id!]
            let region = c.regionID.flatMap { regions[$0] }?.replacingOccurrences(of: "中国 / ", with: "").replacingOccurrences(of: " / ", with: "")
            let address = [region, c.address].compactMap { $0 }.joined(separator: " ")
            let recipient = contact.map { t("envelope.to", [$0.name, $0.title].compactMap { $0 }.joined(separator: " ")) } ?? ""
            return H.div("\(layout.rawValue)-item",
                layout == .envelope ? H.div("postcode-boxes", (c.postcode ?? "").prefix(6).map { H.span("digit", String($0)) }) : H.span("postcode", c.postcode ?? ""),
                H.div("addr", H.text(address.isEmpty ? "—" : address)),
                H.div("recipient", H.div("company", H.text(c.name)), H.div("person", H.text(recipient))),
                layout == .envelope ? H.div("sender", H.text(t("envelope.from", actor.org.name))) : H.empty)
        }
        let html = H.el("html", [A("lang", actor.locale.htmlLang)], [
            H.el("head", [], [
                H.void("meta", [A("charset", "utf-8")]),
                H.el("title", [], [H.text(t("envelope.title"))]),
                H.void("link", [A("rel", "stylesheet"), .href("/css/print.css")]),
            ]),
            H.el("body", [.cls("print \(layout.rawValue)s")], [
                H.div("no-print print-bar", H.span("", t("envelope.count", String(customers.count))),
                      H.a(URLQuery.build(Paths.customers + "/envelopes", ids.map { ("ids[]", $0.uuidString) } + [("layout", "envelope")]), t("envelope.envelope"), cls: "btn"),
                      H.a(URLQuery.build(Paths.customers + "/envelopes", ids.map { ("ids[]", $0.uuidString) } + [("layout", "label")]), t("envelope.label"), cls: "btn"),
                      H.span("muted", t("envelope.hint"))),
                H.div("sheet", items),
            ]),
        ])
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(buffer: H.document(html)))
    }
}
