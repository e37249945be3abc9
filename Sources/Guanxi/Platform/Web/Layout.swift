import Foundation
import GuanxiCore
import NIOCore


/// The one layout of every signed-in page: side navigation by module, top bar, breadcrumbs, flash.
enum Layout {
    struct NavItem {
        let key: String
        let href: String
        let icon: String
        let visible: (Actor) -> Bool
    }

    static let nav: [NavItem] = [
        NavItem(key: "nav.home", href: Paths.home, icon: "⌂", visible: { _ in true }),
        NavItem(key: "nav.customers", href: Paths.customers, icon: "◎", visible: { $0.can(.view, .customers) }),
        NavItem(key: "contact.title", href: "/contacts", icon: "☏", visible: { $0.can(.view, .customers) }),
        NavItem(key: "nav.pools", href: Paths.pools, icon: "◌", visible: { $0.can(.view, .customers) }),
        NavItem(key: "followUp.title", href: Paths.followUps, icon: "✎", visible: { $0.can(.view, .followUps) }),
        NavItem(key: "nav.approvals", href: Paths.approvals, icon: "✓", visible: { _ in true }),
        NavItem(key: "nav.targetLists", href: Paths.targetLists, icon: "◎", visible: { $0.can(.view, .customers) }),
        NavItem(key: "nav.leads", href: Paths.leads, icon: "✦", visible: { $0.can(.view, .leads) }),
        NavItem(key: "nav.opportunities", href: Paths.opportunities, icon: "◈", visible: { $0.can(.view, .opportunities) }),
        NavItem(key: "nav.contracts", href: Paths.contracts, icon: "▤", visible: { $0.can(.view, .contracts) }),
        NavItem(key: "nav.receivables", href: Paths.receivables, icon: "¤", visible: { $0.can(.view, .contracts) }),
        NavItem(key: "nav.payments", href: Paths.payments, icon: "↧", visible: { $0.can(.view, .contracts) }),
        NavItem(key: "nav.invoices", href: Paths.invoices, icon: "▭", visible: { $0.can(.view, .contracts) }),
        NavItem(key: "nav.collections", href: Paths.collections, icon: "▮", visible: { $0.can(.view, .contracts) }),
        NavItem(key: "nav.quotes", href: Paths.quotes, icon: "¥", visible: { $0.can(.view, .quotes) }),
        NavItem(key: "nav.calendar", href: Paths.calendar, icon: "▣", visible: { $0.can(.view, .followUps) }),
        NavItem(key: "nav.tasks", href: Paths.tasks, icon: "☑", visible: { $0.can(.view, .tasks) }),
        NavItem(key: "nav.products", href: Paths.products, icon: "▥", visible: { $0.can(.view, .products) }),
        NavItem(key: "nav.plans", href: Paths.plans, icon: "▤", visible: { $0.can(.view, .tasks) }),
        NavItem(key: "daily.title", href: Paths.dailyReport, icon: "▦", visible: { $0.can(.view, .followUps) }),
        NavItem(key: "nav.announcements", href: Paths.announcements, icon: "✉", visible: { _ in true }),
        NavItem(key: "nav.directory", href: "/directory", icon: "☎", visible: { _ in true }),
    ]

    static let adminNav: [NavItem] = [
        NavItem(key: "nav.organization", href: Paths.adminOrganization, icon: "▣", visible: { $0.isAdmin }),
        NavItem(key: "nav.departments", href: Paths.adminDepartments, icon: "▤", visible: { $0.isAdmin }),
        NavItem(key: "nav.employees", href: Paths.adminEmployees, icon: "☺", visible: { $0.isAdmin }),
        NavItem(key: "nav.roles", href: Paths.adminRoles, icon: "◆", visible: { $0.isAdmin }),
        NavItem(key: "nav.poolRules", href: Paths.adminPools, icon: "↺", visible: { $0.isAdmin }),
        NavItem(key: "nav.dictionary", href: Paths.adminDictionaryBase, icon: "≡", visible: { $0.isAdmin }),
        NavItem(key: "nav.followUpTemplates", href: Paths.adminFollowUpTemplates, icon: "✎", visible: { $0.isAdmin }),
        NavItem(key: "nav.customFields", href: Paths.adminCustomFieldsBase, icon: "✚", visible: { $0.isAdmin }),
        NavItem(key: "nav.regions", href: Paths.adminRegions, icon: "▧", visible: { $0.isAdmin }),
        NavItem(key: "nav.stages", href: Paths.adminStages, icon: "⇶", visible: { $0.isAdmin }),
        NavItem(key: "nav.leadRules", href: Paths.adminLeadRules, icon: "⇄", visible: { $0.isAdmin }),
        NavItem(key: "nav.webForms", href: Paths.adminWebForms, icon: "✉", visible: { $0.isAdmin }),
        NavItem(key: "nav.approvalFlows", href: Paths.adminApprovalFlows, icon: "✓", visible: { $0.isAdmin }),
        NavItem(key: "contract.settings", href: Paths.contracts + "/settings", icon: "¥", visible: { $0.isAdmin }),
        NavItem(key: "contract.template", href: Paths.contracts + "/template", icon: "⎙", visible: { $0.isAdmin }),
        NavItem(key: "nav.numbering", href: Paths.adminNumbering, icon: "#", visible: { $0.isAdmin }),
        NavItem(key: "nav.loginRecords", href: Paths.adminLoginRecords, icon: "☰", visible: { $0.isAdmin }),
        NavItem(key: "nav.online", href: Paths.adminOnline, icon: "◉", visible: { $0.isAdmin }),
        NavItem(key: "nav.recycleBin", href: Paths.adminRecycleBin, icon: "◇", visible: { $0.isAdmin }),
    ]

    /// `refresh` reloads the page every so many seconds (progress of long work, without JavaScript).
    static func render(_ ctx: PageContext, title: String, crumbs: [Crumb], body: HNode, refresh: Int? = nil) -> ByteBuffer {
        let t = ctx.t
        let siteTitle = ctx.actor?.org.title ?? "Guanxi 关系"
        let head = H.el("head", [], [
            H.void("meta", [A("charset", "utf-8")]),
            H.void("meta", [A("name", "viewport"), A("content", "width=device-width, initial-scale=1")]),
            refresh.map { H.void("meta", [A("http-equiv", "refresh"), A("content", String($0))]) } ?? H.empty,
            H.el("title", [], [H.text("\(title) · \(siteTitle)")]),
            H.void("link", [A("rel", "stylesheet"), .href("/css/app.css")]),
            H.void("link", [A("rel", "icon"), .href("/favicon.svg"), A("type", "image/svg+xml")]),
            H.el("script", [A("src", "/js/app.js"), A("defer", "defer")], []),
        ])
        let main = H.el("main", [.cls("content"), .id("main")], [
            breadcrumbs(crumbs, t: t),
            flash(ctx),
            body,
        ])
        let bodyNode: HNode
        if let actor = ctx.actor {
            bodyNode = H.el("body", [.cls("app")], [
                H.el("a", [.href("#main"), .cls("skip")], [H.text(t("a11y.skip"))]),
                topBar(ctx, actor: actor, siteTitle: siteTitle),
                H.div("shell", sideNav(ctx, actor: actor), main),
            ])
        } else {
            bodyNode = H.el("body", [.cls("bare")], [main])
        }
        let html = H.el("html", [A("lang", ctx.locale.htmlLang)], [head, bodyNode])
        return H.document(html)
    }

    private static func topBar(_ ctx: PageContext, actor: Actor, siteTitle: String) -> HNode {
        let t = ctx.t
        return H.el("header", [.cls("topbar")], [
            H.el("label", [A("for", "nav-toggle"), .cls("nav-toggle-label"), A("aria-label", t("nav.menu"))], [H.text("☰")]),
            H.el("a", [.href(Paths.home), .cls("brand")], [
                actor.org.logoURL.map { H.void("img", [A("src", $0), A("alt", ""), .cls("brand-logo")]) } ?? H.span("brand-mark", "关"),
                H.text(siteTitle),
            ]),
            actor.can(.view, .customers) ? H.el("form", [A("method", "get"), A("action", Paths.search), .cls("topsearch"), A("role", "search")], [
                H.void("input", [.type("search"), .name("q"), A("placeholder", t("search.placeholder")), A("aria-label", t("search.title")), A("accesskey", "k")]),
            ]) : H.empty,
            H.div("topbar-right",
                  H.el("a", [.href(Paths.notifications), .cls("bell"), A("aria-label", t("nav.notifications"))], [
                      H.text(t("nav.notifications")), ctx.unread > 0 ? H.span("bell-count", ctx.unread > 99 ? "99+" : String(ctx.unread)) : H.empty,
                  ]),
                  H.el("a", [.href(Paths.profile), .cls("me")], [H.span("avatar", String(actor.name.prefix(1))), H.span("me-name", actor.name)]),
                  Forms.postButton(Paths.logout, label: t("action.signOut"), csrf: ctx.csrf, cls: "link")),
        ])
    }

    private static func sideNav(_ ctx: PageContext, actor: Actor) -> HNode {
        let t = ctx.t
        func link(_ item: NavItem) -> HNode {
            let active = item.href == Paths.home ? ctx.path == Paths.home : ctx.path.hasPrefix(item.href)
            return H.el("a", [.href(item.href), .cls(active ? "nav-item active" : "nav-item"), A("aria-current", active ? "page" : nil)],
                        [H.span("nav-icon", item.icon), H.text(t(item.key))])
        }
        let main = nav.filter { $0.visible(actor) }.map(link)
        let admin = adminNav.filter { $0.visible(actor) }.map(link)
        var items: [HNode] = main
        if !admin.isEmpty {
            items.append(H.el("div", [.cls("nav-section")], [H.text(t("nav.admin"))]))
            items += admin
        }
        return H.group([
            H.void("input", [.type("checkbox"), .id("nav-toggle"), .cls("nav-toggle")]),
            H.el("nav", [.cls("sidenav"), A("aria-label", t("nav.menu"))], items),
        ])
    }

    private static func breadcrumbs(_ crumbs: [Crumb], t: Translator) -> HNode {
        guard !crumbs.isEmpty else { return H.empty }
        var nodes: [HNode] = []
        for (i, c) in crumbs.enumerated() {
            if i > 0 { nodes.append(H.span("sep", "/")) }
            if let href = c.href, i < crumbs.count - 1 { nodes.append(H.a(href, c.label)) } else { nodes.append(H.span("current", c.label)) }
        }
        return H.el("nav", [.cls("crumbs"), A("aria-label", t("nav.breadcrumbs"))], nodes)
    }

    private static func flash(_ ctx: PageContext) -> HNode {
        guard let f = ctx.flash else { return H.empty }
        return H.el("div", [.cls("flash flash-\(f.kind.rawValue)"), A("role", "status")], [H.text(ctx.t(f.key))])
    }
}
