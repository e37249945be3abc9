import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /search from the top bar, and /api/v1/search.
struct SearchPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("search", use: page)
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        let q = (try? req.query.get(String.self, at: "q")) ?? ""
        let results = try await SearchService(db: req.db, actor: actor).search(q)
        let t = actor.t
        // One match straight away: open it.
        if results.customers.count == 1 && results.contacts.isEmpty, let c = results.customers.first {
            return req.redirect(to: Paths.customer(c.id!))
        }
        return req.page(title: t("search.title"), crumbs: [Crumb(label: t("search.title"), href: nil)]) { _ in
            let customerRows: [[HNode]] = results.customers.map { c in
                [H.el("a", [.href(Paths.customer(c.id!)), .cls("strong")], [H.text(c.name)]), H.text(c.number ?? ""),
                 H.text(actor.visible(.customers, "phone", c.phone) ?? ""), c.ownerID == nil ? H.span("badge", t("nav.pools")) : H.empty]
            }
            let contactRows: [[HNode]] = results.contacts.map { p, c in
                [H.el("a", [.href(Paths.contact(p.id!)), .cls("strong")], [H.text(p.name)]), H.text(p.title ?? ""),
                 H.text(actor.visible("contacts", "mobile", p.mobile) ?? ""), H.a(Paths.customer(c.id!), c.name)]
            }
            return H.group([
                H.div("page-head", H.h1(t("search.title"))),
                H.el("form", [A("method", "get"), A("action", Paths.search), .cls("toolbar search-form"), A("role", "search")], [
                    H.void("input", [.type("search"), .name("q"), .value(q), A("placeholder", t("search.placeholder")), A("aria-label", t("action.search")), .flag("autofocus")]),
                    H.el("button", [.type("submit"), .cls("btn btn-primary")], [H.text(t("action.search"))]),
                ]),
                q.isEmpty ? H.p(t("search.hint"), cls: "muted") : H.group([
                    H.el("section", [.cls("card")], [
                        H.h2(t("nav.customers") + " (\(results.customers.count))"),
                        Tables.table([t("customer.name"), t("customer.number"), t("customer.phone"), ""].map { Tables.Column($0) }, rows: customerRows,
                                     sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("search.noMatch"), cls: "muted")),
                    ]),
                    H.el("section", [.cls("card")], [
                        H.h2(t("contact.title") + " (\(results.contacts.count))"),
                        Tables.table([t("contact.name"), t("contact.jobTitle"), t("contact.mobile"), t("entity.customer")].map { Tables.Column($0) }, rows: contactRows,
                                     sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("search.noMatch"), cls: "muted")),
                    ]),
                ]),
            ])
        }
    }
}

struct SearchAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("search", use: search)
    }

    @Sendable func search(req: Request) async throws -> Response {
        let actor = try req.actor
        let q = (try? req.query.get(String.self, at: "q")) ?? ""
        guard q.count <= 100 else { throw AppError.badRequest("error.badParameter") }
        let r = try await SearchService(db: req.db, actor: actor).search(q)
        return JSONResponse.ok(.object([
            ("customers", .array(r.customers.map { actor.definition(Customer.definition).json($0, id: $0.id!, actor: actor) })),
            ("contacts", .array(r.contacts.map { ContactAPIController.json($0.0, actor: actor) })),
        ]))
    }
}
