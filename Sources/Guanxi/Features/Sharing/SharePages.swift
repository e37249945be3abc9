import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The sharing panel on a customer, the "shared by me / with me" screen, and the sharing API.
struct SharePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("shares", use: overview)
        for target in ShareTarget.allCases {
            routes.post(.constant(target.rawValue), ":id", "shares") { req in try await share(req, target) }
            routes.post(.constant(target.rawValue), ":id", "shares", ":user", "revoke") { req in try await revoke(req, target) }
        }
    }

    func service(_ req: Request, _ target: ShareTarget = .customers) throws -> ShareService {
        ShareService(db: req.db, actor: try req.actor, now: req.now, target: target)
    }

    /// The card on the customer 360 view.
    static func panel(customer c: Customer, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        try await panel(.customers, id: c.id!, owner: c.ownerID, canShare: c.ownerID == actor.userID || actor.can(.assign, .customers), req: req, actor: actor)
    }

    /// The sharing card of a customer or a contract.
    static func panel(_ target: ShareTarget, id: UUID, owner: UUID?, canShare: Bool, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let shares = try await ShareService(db: req.db, actor: actor, now: req.now, target: target).shares(of: id)
        let users = canShare ? try await actor.colleagueOptions(on: req.db) : PeopleOptions([])
        let base = target.path(id) + "/shares"
        return { ctx in
            let t = ctx.t
            if shares.isEmpty && !canShare { return H.empty }
            let rows: [[HNode]] = shares.map { s in
                [H.text(s.userName), H.text(t("share.level.\(s.record.level.rawValue)")), H.text(ctx.dateTime(s.record.createdAt)),
                 canShare ? Forms.postButton(base + "/\(s.record.userID.uuidString)/revoke", label: t("action.revoke"), csrf: ctx.csrf,
                                             cls: "btn btn-small btn-danger") : H.empty]
            }
            return H.el("section", [.cls("card"), .id("shares")], [
                H.h2(t("share.title")),
                Tables.table([t("share.user"), t("share.levelLabel"), t("history.at"), ""].map { Tables.Column($0) }, rows: rows, sort: nil,
                             descending: false, link: { _, _ in "" }, empty: H.p(t("share.none"), cls: "muted")),
                canShare ? Forms.form(base, csrf: ctx.csrf, cls: "form inline-form", [
                    Forms.select("userID", label: t("share.with"), people: users, except: owner, required: true, blank: "—"),
                    Forms.select("level", label: t("share.levelLabel"), options: [RecordShare.Level.read, .edit].map { .init(value: $0.rawValue, label: t("share.level.\($0.rawValue)")) },
                                 selected: "read", error: nil),
                    Forms.actions(Forms.submit(t("share.add"))),
                ]) : H.empty,
            ])
        }
    }

    func share(_ req: Request, _ target: ShareTarget) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        guard let user = try parseID(try? req.content.get(String.self, at: "userID"), "userID"),
              let level = (try? req.content.get(String.self, at: "level")).flatMap(RecordShare.Level.init(rawValue:)) else {
            throw AppError.badRequest("error.badParameter")
        }
        do {
            try await service(req, target).share(id, with: [user], level: level)
            return req.redirect(target.path(id) + "#shares", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(target.path(id) + "#shares", flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    func revoke(_ req: Request, _ target: ShareTarget) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        guard let user = req.parameters.get("user", as: UUID.self) else { throw AppError.notFound }
        try await service(req, target).revoke(id, userID: user)
        return req.redirect(target.path(id) + "#shares", flash: Flash(.success, "flash.saved"))
    }

    @Sendable func overview(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        let (mine, withMe) = try await service(req).overview()
        let t = actor.t
        return req.page(title: t("share.overview"), crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("share.overview"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("share.overview"))),
                H.el("section", [.cls("card")], [
                    H.h2(t("share.withMe")),
                    Tables.table([t("customer.name"), t("share.levelLabel")].map { Tables.Column($0) },
                                 rows: withMe.map { c, level in [H.a(Paths.customer(c.id!), c.name), H.text(t("share.level.\(level.rawValue)"))] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("share.noneWithMe"), cls: "muted")),
                ]),
                H.el("section", [.cls("card")], [
                    H.h2(t("share.byMe")),
                    Tables.table([t("customer.name"), t("share.user"), t("share.levelLabel"), ""].map { Tables.Column($0) },
                                 rows: mine.map { c, s in
                                     [H.a(Paths.customer(c.id!), c.name), H.text(s.userName), H.text(t("share.level.\(s.record.level.rawValue)")),
                                      Forms.postButton(Paths.customerShareRevoke(c.id!, s.record.userID), label: t("action.revoke"), csrf: ctx.csrf, cls: "btn btn-small btn-danger")]
                                 },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("share.noneByMe"), cls: "muted")),
                ]),
            ])
        }
    }
}

/// /api/v1/customers/{id}/shares
struct ShareAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        for target in ShareTarget.allCases {
            routes.get(.constant(target.rawValue), ":id", "shares") { req in try await index(req, target) }
            routes.post(.constant(target.rawValue), ":id", "shares") { req in try await create(req, target) }
            routes.delete(.constant(target.rawValue), ":id", "shares", ":user") { req in try await delete(req, target) }
        }
    }

    struct ShareDTO: Content { var userID: UUID; var userName: String; var level: String; var createdAt: Date }
    struct NewShare: Content { var userIDs: [UUID]; var level: String }

    func service(_ req: Request, _ target: ShareTarget) throws -> ShareService { ShareService(db: req.db, actor: try req.actor, now: req.now, target: target) }

    func index(_ req: Request, _ target: ShareTarget) async throws -> [ShareDTO] {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        return try await service(req, target).shares(of: id)
            .map { ShareDTO(userID: $0.record.userID, userName: $0.userName, level: $0.record.level.rawValue, createdAt: $0.record.createdAt) }
    }

    func create(_ req: Request, _ target: ShareTarget) async throws -> [ShareDTO] {
        let body = try req.content.decode(NewShare.self)
        guard let level = RecordShare.Level(rawValue: body.level) else {
            var e = FieldErrors()
            e.add("level", "error.invalidOption")
            throw AppError.invalid(e)
        }
        try await service(req, target).share(req.parameters.get("id", as: UUID.self), with: body.userIDs, level: level)
        return try await index(req, target)
    }

    func delete(_ req: Request, _ target: ShareTarget) async throws -> HTTPStatus {
        guard let user = req.parameters.get("user", as: UUID.self) else { throw AppError.notFound }
        try await service(req, target).revoke(req.parameters.get("id", as: UUID.self), userID: user)
        return .noContent
    }
}
