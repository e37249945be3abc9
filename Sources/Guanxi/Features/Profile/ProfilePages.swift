import Fluent
import Foundation
import GuanxiCore
import Vapor

/// My profile: language, password and personal API tokens.
struct ProfilePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("profile", use: show)
        routes.post("profile", "language", use: language)
        routes.post("profile", "password", use: password)
        routes.post("profile", "mail", use: mail)
        routes.post("profile", "tokens", use: createToken)
        routes.post("profile", "tokens", ":id", "revoke", use: revokeToken)
    }

    struct PasswordForm: Content {
        var current: String?
        var new: String?
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await render(req)
    }

    @Sendable func language(req: Request) async throws -> Response {
        let actor = try req.actor
        let lang = (try? req.content.get(String.self, at: "locale")).flatMap(AppLocale.init(rawValue:))
        guard let lang else { throw AppError.badRequest() }
        try await actor.inOrg(User.self, on: req.db).filter(\.$id == actor.userID).set(\.$locale, to: lang.rawValue).update()
        let res = req.redirect(Paths.profile, flash: Flash(.success, "flash.saved"))
        res.cookies["gx_lang"] = HTTPCookies.Value(string: lang.rawValue, maxAge: 31_536_000, path: "/", isHTTPOnly: true, sameSite: .lax)
        return res
    }

    /// Email copies of notifications on or off.
    @Sendable func mail(req: Request) async throws -> Response {
        struct Body: Content { var notifyByEmail: String? }
        let on = try req.content.decode(Body.self).notifyByEmail == "1"
        try await ProfileService(db: req.db, actor: try req.actor, now: req.now).setNotifyByEmail(on)
        return req.redirect(Paths.profile + "#mail", flash: Flash(.success, "flash.saved"))
    }

    @Sendable func password(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode(PasswordForm.self)
        guard let user = try await User.find(actor.userID, on: req.db) else { throw AppError.notFound }
        var errors = FieldErrors()
        let ok = (try? await req.password.async.verify(form.current ?? "", created: user.passwordHash)) ?? false
        if !ok { errors.add("current", "error.wrongPassword") }
        let new = Check.password(form.new, "new", into: &errors)
        guard errors.isEmpty else { return try await render(req, passwordErrors: errors.messages, status: .unprocessableEntity) }
        user.passwordHash = try await req.password.async.hash(new)
        try await req.db.writeTransaction { tx in
            try await user.save(on: tx)
            // Other browsers signed in as me are signed out.
            try await actor.inOrg(UserSession.self, on: tx).filter(\.$userID == actor.userID).filter(\.$revokedAt == nil)
                .filter(\.$id != actor.sessionID ?? UUID()).set(\.$revokedAt, to: req.now).update()
            try await Audit(actor: actor, db: tx, now: req.now).event("user", actor.userID, .update, field: "password")
        }
        return req.redirect(Paths.profile, flash: Flash(.success, "profile.passwordChanged"))
    }

    @Sendable func createToken(req: Request) async throws -> Response {
        let actor = try req.actor
        var errors = FieldErrors()
        let name = Check.required(try? req.content.get(String.self, at: "name"), "tokenName", max: 60, into: &errors)
        guard errors.isEmpty else { return try await render(req, tokenErrors: errors.messages, status: .unprocessableEntity) }
        let secret = "gx_" + Tokens.random()
        let token = ApiToken(orgID: actor.orgID, userID: actor.userID, name: name, tokenHash: Tokens.hash(secret),
                             prefix: String(secret.prefix(10)), now: req.now)
        try await req.db.writeTransaction { tx in
            try await token.create(on: tx)
            try await Audit(actor: actor, db: tx, now: req.now).event("apiToken", token.id!, .create, field: "name", new: name)
        }
        return try await render(req, newToken: secret)
    }

    @Sendable func revokeToken(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let id = req.parameters.get("id", as: UUID.self),
              let token = try await actor.inOrg(ApiToken.self, on: req.db).filter(\.$id == id).filter(\.$userID == actor.userID).firstRow()
        else { throw AppError.notFound }
        try await req.db.writeTransaction { tx in
            token.revokedAt = req.now
            try await token.save(on: tx)
            try await Audit(actor: actor, db: tx, now: req.now).event("apiToken", id, .delete, field: "name", old: token.name)
        }
        return req.redirect(Paths.profile, flash: Flash(.success, "profile.tokenRevoked"))
    }

    private func render(_ req: Request, newToken: String? = nil, passwordErrors: [String: String] = [:],
                        tokenErrors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let me = try await actor.inOrg(User.self, on: req.db).filter(\.$id == actor.userID).firstRow()
        let mailConfigured = req.application.settings.mail != nil
        let tokens = try await actor.inOrg(ApiToken.self, on: req.db).filter(\.$userID == actor.userID).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).rows()
        return req.page(status, title: t("profile.title"), crumbs: [Crumb(label: t("profile.title"), href: nil)]) { ctx in
            let tokenRows: [[HNode]] = tokens.map { tok in
                [H.text(tok.name), H.el("code", [], [H.text(tok.prefix + "…")]), H.text(ctx.dateTime(tok.createdAt)),
                 H.text(ctx.dateTime(tok.lastUsedAt)),
                 Forms.postButton(Paths.profileToken(tok.id!), label: t("action.revoke"), csrf: ctx.csrf, cls: "btn btn-small btn-danger",
                                  confirm: t("profile.confirmRevoke"))]
            }
            return H.group([
                H.div("page-head", H.h1(t("profile.title"))),
                H.div("grid-2",
                    H.el("section", [.cls("card")], [
                        H.h2(t("profile.language")),
                        Forms.form(Paths.profileLanguage, csrf: ctx.csrf, [
                            Forms.select("locale", label: t("profile.language"),
                                         options: AppLocale.allCases.map { .init(value: $0.rawValue, label: t("lang.\($0.rawValue)")) },
                                         selected: actor.locale.rawValue, error: nil),
                            Forms.actions(Forms.submit(t("action.save"))),
                        ]),
                    ]),
                    H.el("section", [.cls("card")], [
                        H.h2(t("profile.password")),
                        Forms.form(Paths.profilePassword, csrf: ctx.csrf, [
                            Forms.input("current", label: t("profile.currentPassword"), value: nil, error: passwordErrors["current"].map { t($0) },
                                        type: "password", required: true, extra: [A("autocomplete", "current-password")]),
                            Forms.input("new", label: t("profile.newPassword"), value: nil, error: passwordErrors["new"].map { t($0) },
                                        type: "password", required: true, hint: t("hint.password"), extra: [A("autocomplete", "new-password")]),
                            Forms.actions(Forms.submit(t("action.save"))),
                        ]),
                    ])),
                H.el("section", [.cls("card"), .id("mail")], [
                    H.h2(t("profile.mail")),
                    !mailConfigured ? H.p(t("profile.mailNotConfigured"), cls: "muted")
                        : me?.email == nil ? H.p(t("profile.mailNoAddress"), cls: "muted")
                        : Forms.form(Paths.profile + "/mail", csrf: ctx.csrf, [
                            Forms.checkbox("notifyByEmail", label: t("profile.notifyByEmail", me?.email ?? ""), checked: me?.notifyByEmail == true),
                            Forms.actions(Forms.submit(t("action.save"))),
                        ]),
                ]),
                H.el("section", [.cls("card"), .id("tokens")], [
                    H.h2(t("profile.tokens")),
                    H.p(t("profile.tokensHint"), cls: "muted"),
                    newToken.map { secret in
                        H.div("flash flash-success token-reveal", H.p(t("profile.tokenCreated")), H.el("code", [.id("new-token")], [H.text(secret)]))
                    } ?? H.empty,
                    Tables.table([t("profile.tokenName"), t("profile.tokenPrefix"), t("history.at"), t("profile.lastUsed"), ""].map { Tables.Column($0) },
                                 rows: tokenRows, sort: nil, descending: false, link: { _, _ in "" },
                                 empty: H.p(t("profile.noTokens"), cls: "muted")),
                    Forms.form(Paths.profileTokens, csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("name", label: t("profile.tokenName"), value: nil, error: tokenErrors["tokenName"].map { t($0) }, required: true),
                        Forms.actions(Forms.submit(t("profile.createToken"))),
                    ]),
                ]),
            ])
        }
    }
}
