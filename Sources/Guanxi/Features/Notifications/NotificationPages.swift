import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The notification centre: newest first, open one (marks it read), mark all read.
struct NotificationPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("notifications", use: index)
        routes.post("notifications", ":id", "open", use: open)
        routes.post("notifications", "read-all", use: readAll)
    }

    static func page(_ req: Request, actor: Actor, unreadOnly: Bool, before: UUID?) async throws -> (items: [UserNotification], next: UUID?) {
        let q = actor.inOrg(UserNotification.self, on: req.db).filter(\.$userID == actor.userID)
        if unreadOnly { q.filter(\.$readAt == nil) }
        if let before { q.filter(\.$id < before) }
        let rows = try await q.sort(\.$id, .descending).limit(51).rows()
        let items = Array(rows.prefix(50))
        return (items, rows.count > 50 ? items.last?.id : nil)
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let unreadOnly = (try? req.query.get(String.self, at: "unread")) == "1"
        let before = (try? req.query.get(String.self, at: "before")).flatMap(UUID.init(uuidString:))
        let page = try await Self.page(req, actor: actor, unreadOnly: unreadOnly, before: before)
        let t = actor.t
        return req.page(title: t("nav.notifications"), crumbs: [Crumb(label: t("nav.notifications"), href: nil)]) { ctx in
            let items = page.items.map { n in
                H.el("li", [.cls(n.readAt == nil ? "note unread" : "note")], [
                    H.div("note-body", H.div("", H.text(n.text(t))), H.span("muted", ctx.dateTime(n.createdAt))),
                    n.link == nil ? H.empty : Forms.postButton(Paths.notificationOpen(n.id!), label: t("notify.open"), csrf: ctx.csrf, cls: "btn btn-small"),
                ])
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.notifications")),
                      Forms.postButton(Paths.notificationsReadAll, label: t("notify.readAll"), csrf: ctx.csrf, cls: "btn")),
                H.el("nav", [.cls("tabs")], [
                    H.el("a", [.href(Paths.notifications), .cls(unreadOnly ? "tab" : "tab active")], [H.text(t("notify.all"))]),
                    H.el("a", [.href(Paths.notifications + "?unread=1"), .cls(unreadOnly ? "tab active" : "tab")], [H.text(t("notify.unread"))]),
                ]),
                items.isEmpty ? Tables.emptyState(t("notify.empty"), hint: nil) : H.el("ul", [.cls("notes card")], items),
                Tables.pager(first: before == nil ? nil : Paths.notifications,
                             next: page.next.map { URLQuery.build(Paths.notifications, [("unread", unreadOnly ? "1" : nil), ("before", $0.uuidString)]) }, t: t),
            ])
        }
    }

    /// Marks one of the actor's notifications read; someone else's is not found.
    static func markRead(_ req: Request) async throws -> UserNotification {
        let actor = try req.actor
        guard let id = req.parameters.get("id", as: UUID.self),
              let n = try await actor.inOrg(UserNotification.self, on: req.db).filter(\.$id == id).filter(\.$userID == actor.userID).firstRow()
        else { throw AppError.notFound }
        if n.readAt == nil {
            n.readAt = req.now
            try await req.db.writeTransaction { tx in try await n.save(on: tx) }
        }
        return n
    }

    static func markAllRead(_ req: Request) async throws {
        let actor = try req.actor
        try await actor.inOrg(UserNotification.self, on: req.db).filter(\.$userID == actor.userID).filter(\.$readAt == nil)
            .set(\.$readAt, to: req.now).update()
    }

    @Sendable func open(req: Request) async throws -> Response {
        let n = try await Self.markRead(req)
        return req.redirect(to: n.link.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? Paths.notifications)
    }

    @Sendable func readAll(req: Request) async throws -> Response {
        try await Self.markAllRead(req)
        return req.redirect(Paths.notifications, flash: Flash(.success, "notify.allRead"))
    }
}

/// /api/v1/notifications
struct NotificationAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("notifications", use: index)
        routes.post("notifications", ":id", "read", use: read)
        routes.post("notifications", "read-all", use: readAll)
    }

    struct NotificationDTO: Content {
        var id: UUID
        var kind: String
        var text: String
        var link: String?
        var createdAt: Date
        var readAt: Date?
    }

    struct Page: Content {
        var items: [NotificationDTO]
        var unread: Int
        var nextCursor: String?
    }

    @Sendable func index(req: Request) async throws -> Page {
        let actor = try req.actor
        var before: UUID?
        if let raw = try? req.query.get(String.self, at: "cursor"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            before = id
        }
        let page = try await NotificationPages.page(req, actor: actor, unreadOnly: (try? req.query.get(Bool.self, at: "unread")) ?? false, before: before)
        return Page(items: page.items.map { NotificationDTO(id: $0.id!, kind: $0.kind, text: $0.text(actor.t), link: $0.link, createdAt: $0.createdAt, readAt: $0.readAt) },
                    unread: try await Notifier.unreadCount(userID: actor.userID, on: req.db), nextCursor: page.next?.uuidString)
    }

    @Sendable func read(req: Request) async throws -> HTTPStatus {
        _ = try await NotificationPages.markRead(req)
        return .noContent
    }

    @Sendable func readAll(req: Request) async throws -> HTTPStatus {
        try await NotificationPages.markAllRead(req)
        return .noContent
    }
}
