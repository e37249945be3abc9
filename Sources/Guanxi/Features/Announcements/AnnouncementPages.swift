import Fluent
import Foundation
import GuanxiCore
import Vapor

struct AnnouncementPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("announcements", use: index)
        routes.post("announcements", use: publish)
        routes.get("announcements", ":id", use: show)
    }

    func service(_ req: Request) throws -> AnnouncementService { AnnouncementService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response { try await render(req, values: [:], errors: [:]) }

    /// The form posts `everyone`, and one checkbox per department (`dept.<id>`) and person (`user.<id>`).
    @Sendable func publish(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        func ids(_ prefix: String) -> [UUID] { form.keys.filter { $0.hasPrefix(prefix) }.compactMap { UUID(uuidString: String($0.dropFirst(prefix.count))) } }
        let input = AnnouncementService.Input(title: form["title"], body: form["body"], everyone: form["everyone"] == "1",
                                              userIDs: ids("user."), departmentIDs: ids("dept."))
        do {
            let a = try await service(req).publish(input)
            return req.redirect(Paths.announcement(a.id!), flash: Flash(.success, "announcement.published"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, values: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    private func render(_ req: Request, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let items = try await service(req).mine()
        let canPublish = actor.can(.edit, .admin)
        let departments = canPublish ? try await DepartmentService(db: req.db, actor: actor, now: req.now).tree() : []
        let users = canPublish ? try await actor.inOrg(User.self, on: req.db).filter(\.$status == .active).sort(\.$name).limit(2000).rows() : []
        return req.page(status, title: t("nav.announcements"), crumbs: [Crumb(label: t("nav.announcements"), href: nil)]) { ctx in
            let list: HNode = items.isEmpty ? Tables.emptyState(t("announcement.empty"), hint: nil)
                : H.el("ul", [.cls("plain-list card")], items.map { a, read in
                    H.el("li", [], [H.div("", H.a(Paths.announcement(a.id!), a.title, cls: read ? nil : "strong"),
                                          read ? H.empty : H.span("badge badge-ok", t("announcement.new"))),
                                    H.span("muted", "\(a.authorName) · \(ctx.dateTime(a.publishedAt))")])
                })
            let publishForm: HNode = canPublish ? H.el("details", [.cls("card"), A("open", errors.isEmpty ? nil : "open")], [
                H.el("summary", [.cls("btn btn-primary")], [H.text(t("announcement.publish"))]),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.announcements, csrf: ctx.csrf, cls: "form", [
                    Forms.input("title", label: t("announcement.title"), value: values["title"], error: errors["title"].map { t($0) }, required: true, extra: [A("maxlength", "100")]),
                    Forms.textarea("body", label: t("announcement.body"), value: values["body"], error: errors["body"].map { t($0) }, rows: 6),
                    Forms.checkbox("everyone", label: t("announcement.everyone"), checked: values.isEmpty || values["everyone"] == "1"),
                    H.el("fieldset", [.cls("check-group"), A("aria-label", t("announcement.departments"))],
                         [H.el("legend", [], [H.text(t("announcement.departments"))])] + departments.map { d in
                             Forms.checkbox("dept.\(d.node.id!.uuidString)", label: String(repeating: "　", count: d.depth) + d.node.name,
                                            checked: values["dept.\(d.node.id!.uuidString)"] == "1")
                         }),
                    H.el("fieldset", [.cls("check-group"), A("aria-label", t("announcement.people"))],
                         [H.el("legend", [], [H.text(t("announcement.people"))])] + users.map { u in
                             Forms.checkbox("user.\(u.id!.uuidString)", label: u.name, checked: values["user.\(u.id!.uuidString)"] == "1")
                         }),
                    errors["audience"].map { H.p(t($0), cls: "error") } ?? H.empty,
                    Forms.actions(Forms.submit(t("announcement.send"))),
                ]),
            ]) : H.empty
            return H.group([H.div("page-head", H.h1(t("nav.announcements"))), publishForm, list])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let a = try await svc.open(req.parameters.get("id", as: UUID.self))
        let receipts = a.authorID == actor.userID || actor.isAdmin ? try await svc.receipts(a.id) : nil
        let t = actor.t
        return req.page(title: a.title, crumbs: [Crumb(label: t("nav.announcements"), href: Paths.announcements), Crumb(label: a.title, href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.div("title-block", H.h1(a.title), H.span("muted", "\(a.authorName) · \(ctx.dateTime(a.publishedAt))"))),
                H.el("article", [.cls("card announcement-body")], [H.p(a.body, cls: "timeline-content")]),
                receipts.map { r in
                    H.el("section", [.cls("card"), .id("receipts")], [
                        H.h2(t("announcement.receipts", String(r.read.count), String(r.read.count + r.unread.count))),
                        H.div("receipts",
                              H.div("", H.el("h3", [], [H.text(t("announcement.read"))]), H.el("ul", [.cls("plain-list")], r.read.map { name, at in
                                  H.el("li", [], [H.text(name), H.span("muted", ctx.dateTime(at))]) })),
                              H.div("", H.el("h3", [], [H.text(t("announcement.unread"))]), r.unread.isEmpty ? H.p("—", cls: "muted")
                                    : H.el("ul", [.cls("plain-list")], r.unread.map { H.el("li", [], [H.text($0)]) }))),
                    ])
                } ?? H.empty,
            ])
        }
    }
}

/// /api/v1/announcements: mine, publish (administrators), open with a read receipt, receipts.
struct AnnouncementAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("announcements", use: index)
        routes.post("announcements", use: publish)
        routes.get("announcements", ":id", use: show)
        routes.get("announcements", ":id", "receipts", use: receipts)
    }

    struct AnnouncementDTO: Content {
        var id: UUID
        var title: String
        var body: String
        var authorName: String
        var publishedAt: Date
        var read: Bool?
    }

    struct Body: Content {
        var title: String?
        var body: String?
        var everyone: Bool?
        var userIDs: [UUID]?
        var departmentIDs: [UUID]?
    }

    struct ReceiptsDTO: Content {
        struct Reader: Content { var name: String; var readAt: Date }
        var read: [Reader]
        var unread: [String]
    }

    func service(_ req: Request) throws -> AnnouncementService { AnnouncementService(db: req.db, actor: try req.actor, now: req.now) }

    static func dto(_ a: Announcement, read: Bool?) -> AnnouncementDTO {
        AnnouncementDTO(id: a.id!, title: a.title, body: a.body, authorName: a.authorName, publishedAt: a.publishedAt, read: read)
    }

    @Sendable func index(req: Request) async throws -> [AnnouncementDTO] {
        try await service(req).mine().map { Self.dto($0.0, read: $0.read) }
    }

    @Sendable func publish(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let a = try await service(req).publish(.init(title: b.title, body: b.body, everyone: b.everyone ?? (b.userIDs == nil && b.departmentIDs == nil),
                                                     userIDs: b.userIDs ?? [], departmentIDs: b.departmentIDs ?? []))
        return try await Self.dto(a, read: nil).encodeResponse(status: .created, for: req)
    }

    @Sendable func show(req: Request) async throws -> AnnouncementDTO {
        Self.dto(try await service(req).open(req.parameters.get("id", as: UUID.self)), read: true)
    }

    @Sendable func receipts(req: Request) async throws -> ReceiptsDTO {
        let r = try await service(req).receipts(req.parameters.get("id", as: UUID.self))
        return ReceiptsDTO(read: r.read.map { .init(name: $0.0, readAt: $0.1) }, unread: r.unread)
    }
}
