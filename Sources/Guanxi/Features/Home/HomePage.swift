import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The landing page after sign-in: my numbers and the customers I touched last.
struct HomePage: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get(use: show)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        var mine = 0, visible = 0
        var recent: [Customer] = []
        if actor.can(.view, .customers) {
            mine = try await actor.query(Customer.self, .view, on: req.db).filter(\.$ownerID == actor.userID).count()
            visible = try await actor.query(Customer.self, .view, on: req.db).count()
            recent = try await actor.query(Customer.self, .view, on: req.db).sort(\.$updatedAt, .descending).limit(8).all()
        }
        return req.page(title: t("nav.home"), crumbs: []) { ctx in
            let stats = H.div("stats",
                H.el("a", [.href(URLQuery.build(Paths.customers, [("owner", actor.userID.uuidString)])), .cls("stat")],
                     [H.div("stat-value", H.text(String(mine))), H.div("stat-label", H.text(t("home.myCustomers")))]),
                H.el("a", [.href(Paths.customers), .cls("stat")],
                     [H.div("stat-value", H.text(String(visible))), H.div("stat-label", H.text(t("home.visibleCustomers")))]))
            let list: HNode = recent.isEmpty
                ? Tables.emptyState(t("customer.emptyTitle"), hint: t("customer.emptyHint"),
                                    action: actor.can(.create, .customers) ? H.a(Paths.newCustomer, t("customer.new"), cls: "btn btn-primary") : H.empty)
                : H.el("ul", [.cls("plain-list")], recent.map { c in
                    H.el("li", [], [H.a(Paths.customer(c.id!), c.name), H.span("muted", ctx.dateTime(c.updatedAt))])
                })
            return H.group([
                H.div("page-head", H.h1(t("home.hello", actor.name))),
                actor.can(.view, .customers) ? stats : H.empty,
                actor.can(.view, .customers) ? H.el("section", [.cls("card")], [H.h2(t("home.recent")), list]) : H.empty,
            ])
        }
    }
}
