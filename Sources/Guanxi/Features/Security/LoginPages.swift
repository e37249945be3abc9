import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Sign in and sign out.
struct LoginPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.post("login", use: submit)
        routes.post("logout", use: logout)
        routes.post("language", use: language)
    }

    struct Form: Content {
        var account: String?
        var password: String?
        var next: String?
    }

    @Sendable func form(req: Request) async throws -> Response {
        if req.optionalActor != nil { return req.redirect(to: Paths.home) }
        return render(req, account: nil, next: try? req.query.get(String.self, at: "next"), error: nil)
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let outcome = try await AuthService(req: req).signIn(account: form.account ?? "", password: form.password ?? "")
        switch outcome {
        case .failed(let key):
            return render(req, account: form.account, next: form.next, error: key, status: .unauthorized)
        case .signedIn(let token, let user):
            let res = req.redirect(to: Self.safeNext(form.next))
            res.cookies[AuthService.sessionCookie] = AuthService(req: req).sessionCookie(token)
            if let l = user.locale { res.cookies["gx_lang"] = HTTPCookies.Value(string: l, maxAge: 31_536_000, path: "/", isHTTPOnly: true, sameSite: .lax) }
            return res
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        try await AuthService(req: req).signOut()
        let res = req.redirect(Paths.login, flash: Flash(.info, "login.signedOut"))
        res.cookies[AuthService.sessionCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: "/")
        return res
    }

    /// Switches the language before sign-in (remembered in a cookie).
    @Sendable func language(req: Request) async throws -> Response {
        let lang = (try? req.content.get(String.self, at: "lang")).flatMap(AppLocale.init(rawValue:)) ?? .zhHans
        let res = req.redirect(to: Paths.login)
        res.cookies["gx_lang"] = HTTPCookies.Value(string: lang.rawValue, maxAge: 31_536_000, path: "/", isHTTPOnly: true, sameSite: .lax)
        return res
    }

    /// Only local paths, so the sign-in page cannot be used to send people elsewhere.
    static func safeNext(_ next: String?) -> String { Paths.local(next) ?? Paths.home }

    private func render(_ req: Request, account: String?, next: String?, error: String?, status: HTTPResponseStatus = .ok) -> Response {
        let t = Translator(req.requestLocale)
        return req.page(status, title: t("login.title")) { ctx in
            H.div("auth-card",
                H.div("auth-brand", H.span("brand-mark big", "关"), H.h1("Guanxi 关系")),
                H.p(t("login.tagline"), cls: "muted center"),
                error.map { H.el("div", [.cls("flash flash-error"), A("role", "alert")], [H.text(t($0))]) } ?? H.empty,
                Forms.form(Paths.login, csrf: ctx.csrf, [
                    H.void("input", [.type("hidden"), .name("next"), .value(next)]),
                    Forms.input("account", label: t("employee.account"), value: account, error: nil, required: true, autofocus: true,
                                extra: [A("autocomplete", "username")]),
                    Forms.input("password", label: t("employee.password"), value: nil, error: nil, type: "password", required: true,
                                extra: [A("autocomplete", "current-password")]),
                    Forms.actions(H.el("button", [.type("submit"), .cls("btn btn-primary btn-block")], [H.text(t("action.signIn"))])),
                ]),
                Forms.form("/language", csrf: ctx.csrf, cls: "lang-switch", [
                    H.el("button", [.type("submit"), .name("lang"), .value(AppLocale.zhHans.rawValue), .cls("link")], [H.text("简体中文")]),
                    H.el("button", [.type("submit"), .name("lang"), .value(AppLocale.en.rawValue), .cls("link")], [H.text("English")]),
                ]))
        }
    }
}
