import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Requests for pool customers: ask from the customer page, decide on /pools/requests.
struct ClaimRequestPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("pools", "requests", use: index)
        routes.post("customers", ":id", "claim-request", use: request)
        routes.post("pools", "requests", ":id", "approve", use: approve)
        routes.post("pools", "requests", ":id", "reject", use: reject)
        routes.post("pools", "requests", ":id", "withdraw", use: withdraw)
    }

    func service(_ req: Request) throws -> ClaimRequestService { ClaimRequestService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        let svc = try service(req)
        let pending = try await svc.toDecide()
        let mine = try await svc.mine()
        let customerIDs = Array(Set((pending + mine).map(\.customerID)))
        let customers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: req.db).filter(\.$id ~~ customerIDs).rows().map { ($0.id!, $0.name) })
        let users = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: pending.map(\.requesterID), on: req.db)
        let t = actor.t
        return req.page(title: t("claim.title"), crumbs: [Crumb(label: t("nav.pools"), href: Paths.pools), Crumb(label: t("claim.title"), href: nil)]) { ctx in
            let pendingRows: [[HNode]] = pending.map { r in
                [H.a(Paths.customer(r.customerID), customers[r.customerID] ?? "?"), H.text(users.users[r.requesterID] ?? "?"), H.text(r.reason),
                 H.text(ctx.dateTime(r.createdAt)),
                 Forms.form(Paths.claimRequests + "/\(r.id!.uuidString)/approve", csrf: ctx.csrf, cls: "inline-save", [
                     H.void("input", [.type("text"), .name("comment"), A("placeholder", t("claim.comment")), A("aria-label", t("claim.comment")), A("maxlength", "200")]),
                     H.el("button", [.type("submit"), .cls("btn btn-small btn-primary")], [H.text(t("claim.approve"))]),
                     H.el("button", [.type("submit"), .cls("btn btn-small btn-danger"), A("formaction", Paths.claimRequests + "/\(r.id!.uuidString)/reject")], [H.text(t("claim.reject"))]),
                 ])]
            }
            let mineRows: [[HNode]] = mine.map { r in
                [H.a(Paths.customer(r.customerID), customers[r.customerID] ?? "?"), H.text(r.reason), H.span("badge badge-\(r.status.rawValue)", t("claim.status.\(r.status.rawValue)")),
                 H.text(r.comment ?? ""),
                 r.status == .pending ? Forms.postButton(Paths.claimRequests + "/\(r.id!.uuidString)/withdraw", label: t("claim.withdraw"), csrf: ctx.csrf, cls: "btn btn-small") : H.empty]
            }
            return H.group([
                H.div("page-head", H.h1(t("claim.title"))),
                H.el("section", [.cls("card")], [
                    H.h2(t("claim.toDecide")),
                    Tables.table([t("entity.customer"), t("claim.requester"), t("claim.reason"), t("history.at"), ""].map { Tables.Column($0) }, rows: pendingRows,
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("claim.noneToDecide"), cls: "muted")),
                ]),
                H.el("section", [.cls("card")], [
                    H.h2(t("claim.mine")),
                    Tables.table([t("entity.customer"), t("claim.reason"), t("claim.statusLabel"), t("claim.comment"), ""].map { Tables.Column($0) }, rows: mineRows,
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("claim.noneMine"), cls: "muted")),
                ]),
            ])
        }
    }

    @Sendable func request(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        do {
            _ = try await service(req).request(id, reason: try? req.content.get(String.self, at: "reason"))
            return req.redirect(Paths.customer(id), flash: Flash(.success, "claim.sent"))
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            return req.redirect(Paths.customer(id), flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func approve(req: Request) async throws -> Response { try await decide(req, approve: true) }
    @Sendable func reject(req: Request) async throws -> Response { try await decide(req, approve: false) }

    private func decide(_ req: Request, approve: Bool) async throws -> Response {
        do {
            _ = try await service(req).decide(req.parameters.get("id", as: UUID.self), approve: approve, comment: try? req.content.get(String.self, at: "comment"))
            return req.redirect(Paths.claimRequests, flash: Flash(.success, approve ? "claim.approved" : "claim.rejected"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(Paths.claimRequests, flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func withdraw(req: Request) async throws -> Response {
        try await service(req).withdraw(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.claimRequests, flash: Flash(.success, "flash.saved"))
    }
}

/// /api/v1/claim-requests
struct ClaimRequestAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.post("customers", ":id", "claim-requests", use: create)
        routes.get("claim-requests", use: index)
        routes.post("claim-requests", ":id", "approve", use: approve)
        routes.post("claim-requests", ":id", "reject", use: reject)
        routes.post("claim-requests", ":id", "withdraw", use: withdraw)
    }

    struct DTO: Content {
        var id: UUID
        var customerID: UUID
        var requesterID: UUID
        var reason: String
        var status: String
        var comment: String?
        var createdAt: Date
        init(_ r: ClaimRequest) {
            id = r.id!; customerID = r.customerID; requesterID = r.requesterID; reason = r.reason; status = r.status.rawValue; comment = r.comment; createdAt = r.createdAt
        }
    }

    struct Lists: Content { var toDecide: [DTO]; var mine: [DTO] }
    struct Body: Content { var reason: String?; var comment: String? }

    func service(_ req: Request) throws -> ClaimRequestService { ClaimRequestService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func create(req: Request) async throws -> Response {
        let r = try await service(req).request(req.parameters.get("id", as: UUID.self), reason: try req.content.decode(Body.self).reason)
        let res = Response(status: .created)
        try res.content.encode(DTO(r))
        return res
    }

    @Sendable func index(req: Request) async throws -> Lists {
        let svc = try service(req)
        return Lists(toDecide: try await svc.toDecide().map(DTO.init), mine: try await svc.mine().map(DTO.init))
    }

    @Sendable func approve(req: Request) async throws -> DTO {
        DTO(try await service(req).decide(req.parameters.get("id", as: UUID.self), approve: true, comment: (try? req.content.decode(Body.self))?.comment))
    }

    @Sendable func reject(req: Request) async throws -> DTO {
        DTO(try await service(req).decide(req.parameters.get("id", as: UUID.self), approve: false, comment: (try? req.content.decode(Body.self))?.comment))
    }

    @Sendable func withdraw(req: Request) async throws -> HTTPStatus {
        try await service(req).withdraw(req.parameters.get("id", as: UUID.self))
        return .noContent
    }
}
