import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Approving from the email copy (PLT-15). Each waiting approver's task holds the hash of a random
/// token and when it stops working (seven days); the plain token travels only in the email's link
/// and is dropped from the outgoing copy once sent. Nobody signs in: opening the link shows the
/// request, and only the posted form decides (mail scanners open links too). A decision rewrites
/// the tasks, so a link serves once.
struct ApprovalMailPages: RouteCollection {
    static let lifetime: TimeInterval = 7 * 86_400

    static func path(_ taskID: UUID, token: String) -> String { "/approvals/mail/\(taskID.uuidString)?t=\(token)" }

    func boot(routes: RoutesBuilder) throws {
        routes.get("approvals", "mail", ":task", use: show)
        routes.post("approvals", "mail", ":task", use: act)
    }

    /// The approver as an actor and the request, when the token is the task's and still good.
    private func resolve(_ req: Request, token: String?) async throws -> (ApprovalRequest, Actor) {
        guard let id = req.parameters.get("task", as: UUID.self), let token = Check.clean(token),
              let task = try await SystemAccess.approvalTask(id, on: req.db),
              let hash = task.tokenHash, Tokens.equal(hash, Tokens.hash(token)),
              let expires = task.tokenExpiresAt, expires > req.now,
              let actor = try await Actor.resolve(userID: task.userID, sessionID: nil, fallbackLocale: req.requestLocale, on: req.db),
              actor.orgID == task.orgID,
              let r = try await actor.inOrg(ApprovalRequest.self, on: req.db).filter(\.$id == task.requestID).firstRow()
        else { throw AppError.notFound }
        return (r, actor)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let token = try? req.query.get(String.self, at: "t")
        let (r, actor) = try await resolve(req, token: token)
        return try await render(req, r, actor: actor, token: token ?? "", comment: nil, error: nil)
    }

    @Sendable func act(req: Request) async throws -> Response {
        struct Form: Content { var t: String?; var decision: String?; var comment: String? }
        let form = try req.content.decode(Form.self)
        let (r, actor) = try await resolve(req, token: form.t)
        guard let action = form.decision.flatMap(ApprovalService.Action.init(rawValue:)), action == .approve || action == .reject else {
            throw AppError.badRequest("error.badRequest")
        }
        let t = actor.t
        do {
            _ = try await ApprovalService(db: req.db, actor: actor, now: req.now).act(r.id, action, comment: form.comment, link: ApprovalPages.link(r))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, r, actor: actor, token: form.t ?? "", comment: form.comment, error: e.fields["comment"], status: .unprocessableEntity)
        } catch let e as AppError where e.status == .conflict || e.status == .forbidden {
            return req.page(.conflict, title: r.title) { _ in
                H.div("card form-card public-form", H.h1(r.title), H.p(t(e.status == .forbidden ? "error.forbidden" : e.messageKey), cls: "error"))
            }
        }
        return req.page(.ok, title: r.title) { _ in
            H.div("card form-card public-form", H.h1(r.title), H.p(t("approval.done.\(action.rawValue)"), cls: "strong"),
                  H.p(t("approval.mailSignIn"), cls: "muted"), H.a(Paths.approval(r.id!), t("approval.open"), cls: "btn"))
        }
    }

    private func render(_ req: Request, _ r: ApprovalRequest, actor: Actor, token: String, comment: String?, error: String?,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let t = actor.t
        let submitter = try await actor.inOrg(User.self, on: req.db).filter(\.$id == r.submitterID).firstRow()?.name ?? ""
        let waiting = r.state?.waitingFor.contains(actor.userID.uuidString) ?? false
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        let action = req.url.path
        return req.page(status, title: r.title) { _ in
            H.div("card form-card public-form", [
                H.h1(r.title),
                H.el("dl", [.cls("facts")], [
                    H.el("dt", [], [H.text(t("approval.document"))]), H.el("dd", [], [H.text(t("approvalDocument.\(r.documentType)"))]),
                    H.el("dt", [], [H.text(t("approval.submitter"))]), H.el("dd", [], [H.text(submitter)]),
                    H.el("dt", [], [H.text(t("approval.amount"))]), H.el("dd", [.cls("num")], [H.text(money(r.amount))]),
                    H.el("dt", [], [H.text(t("approval.status"))]), H.el("dd", [], [ApprovalPages.badge(r.approvalStatus, t: t)]),
                ]),
                waiting
                    ? H.el("form", [A("method", "post"), A("action", action), .cls("form")], [
                        H.void("input", [.type("hidden"), .name("t"), .value(token)]),
                        Forms.textarea("comment", label: t("approval.comment"), value: comment, error: error.map { t($0) }, rows: 3),
                        Forms.actions(H.el("button", [.type("submit"), .name("decision"), .value("approve"), .cls("btn btn-primary")], [H.text(t("approval.approve"))]),
                                      H.el("button", [.type("submit"), .name("decision"), .value("reject"), .cls("btn btn-danger")], [H.text(t("approval.reject"))])),
                    ])
                    : H.p(t("error.approvalDecided"), cls: "muted"),
                H.p(t("approval.mailHint"), cls: "muted small"),
            ])
        }
    }
}
