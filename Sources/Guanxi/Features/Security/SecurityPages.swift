import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Login log (登录日志) and online monitor (在线监控) with force sign-out, for admins.
struct SecurityPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "login-records", use: loginRecords)
        routes.get("admin", "online", use: online)
        routes.post("admin", "online", ":id", "revoke", use: revoke)
    }

    @Sendable func loginRecords(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let account = Check.clean(try? req.query.get(String.self, at: "account"))?.lowercased()
        let from = (try? req.query.get(String.self, at: "from")).flatMap { Self.day($0, actor.org.timeZone) }
        let to = (try? req.query.get(String.self, at: "to")).flatMap { Self.day($0, actor.org.timeZone) }
        let cursor = (try? req.query.get(String.self, at: "cursor")).flatMap(PageCursor.init(token:))
        let q = LoginRecord.inOrg(of: actor, on: req.db)
        if let account { q.filter(\.$account == account) }
        if let from { q.filter(\.$at >= from) }
        if let to { q.filter(\.$at < to.addingTimeInterval(86_400)) }
        // Record ids are time-ordered (UUIDv7 of the attempt's time), so newest-first is id order.
        if let c = cursor, let cid = UUID(uuidString: c.id) { q.filter(\.$id < cid) }
        let limit = 50
        let rows = try await q.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { PageCursor(value: "", id: $0.id!.uuidString) } : nil
        let raw: (String) -> String? = { try? req.query.get(String.self, at: $0) }
        return req.page(title: t("nav.loginRecords"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.loginRecords"), href: nil)]) { ctx in
            let tableRows: [[HNode]] = page.map { r in
                [H.text(ctx.dateTime(r.at)), H.text(r.account),
                 H.span(r.success ? "badge badge-ok" : "badge badge-danger", t(r.success ? "login.success" : "login.failure")),
                 H.text(r.reason.map { t("login.reason.\($0)") } ?? ""), H.text(r.ip ?? ""), H.span("ua", r.userAgent ?? "")]
            }
            let base: [(String, String?)] = [("account", raw("account")), ("from", raw("from")), ("to", raw("to"))]
            return H.group([
                H.div("page-head", H.h1(t("nav.loginRecords"))),
                H.el("form", [A("method", "get"), A("action", Paths.adminLoginRecords), .cls("toolbar")], [
                    H.void("input", [.type("search"), .name("account"), .value(raw("account")), A("placeholder", t("employee.account")), A("aria-label", t("employee.account"))]),
                    H.void("input", [.type("date"), .name("from"), .value(raw("from")), A("aria-label", t("filter.from"))]),
                    H.void("input", [.type("date"), .name("to"), .value(raw("to")), A("aria-label", t("filter.to"))]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.filter"))]),
                ]),
                Tables.table([t("history.at"), t("employee.account"), t("login.result"), t("login.reason"), "IP", t("login.userAgent")].map { Tables.Column($0) },
                             rows: tableRows, sort: nil, descending: true, link: { _, _ in "" }, empty: Tables.emptyState(t("search.noMatch"), hint: nil)),
                Tables.pager(first: cursor == nil ? nil : URLQuery.build(Paths.adminLoginRecords, base),
                             next: next.map { URLQuery.build(Paths.adminLoginRecords, base + [("cursor", $0.token)]) }, t: t),
            ])
        }
    }

    @Sendable func online(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let now = req.now
        let sessions = try await actor.inOrg(UserSession.self, on: req.db)
            .filter(\.$revokedAt == nil).filter(\.$expiresAt > now).filter(\.$lastSeenAt > now.addingTimeInterval(-Self.onlineWindow))
            .sort(\.$lastSeenAt, .descending).limit(1000).rows()
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: sessions.map(\.userID), on: req.db)
        return req.page(title: t("nav.online"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.online"), href: nil)]) { ctx in
            let rows: [[HNode]] = sessions.map { s in
                [H.text(names.users[s.userID] ?? "?"), H.text(s.ip ?? ""), H.text(ctx.dateTime(s.createdAt)),
                 H.text(Self.duration(now.timeIntervalSince(s.createdAt), t: t)), H.text(ctx.dateTime(s.lastSeenAt)),
                 s.id == actor.sessionID ? H.span("badge badge-ok", t("online.you"))
                    : (actor.can(.edit, .admin) ? Forms.postButton(Paths.adminOnlineRevoke(s.id!), label: t("online.forceSignOut"), csrf: ctx.csrf,
                                                                  cls: "btn btn-small btn-danger", confirm: t("online.confirm")) : H.empty)]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.online")), H.span("muted", t("online.count", String(sessions.count)))),
                Tables.table([t("employee.name"), "IP", t("online.since"), t("online.duration"), t("online.lastSeen"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("online.empty"), hint: nil)),
            ])
        }
    }

    @Sendable func revoke(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        guard let id = req.parameters.get("id", as: UUID.self),
              let s = try await actor.inOrg(UserSession.self, on: req.db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        try await req.db.writeTransaction { tx in
            s.revokedAt = req.now
            try await s.save(on: tx)
            try await Audit(actor: actor, db: tx, now: req.now).event("user", s.userID, .update, field: "session", old: s.ip, new: "signed out")
        }
        return req.redirect(Paths.adminOnline, flash: Flash(.success, "online.revoked"))
    }

    /// A session counts as online when it was seen within the last 30 minutes.
    static let onlineWindow: TimeInterval = 30 * 60

    static func day(_ raw: String, _ tz: TimeZone) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = tz
        f.dateFormat = "yyyy-MM-dd"
        return f.date(from: raw)
    }

    static func duration(_ seconds: TimeInterval, t: Translator) -> String {
        let m = Int(seconds / 60)
        return m < 60 ? t("duration.minutes", String(m)) : t("duration.hours", String(m / 60), String(m % 60))
    }
}
