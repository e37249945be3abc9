import Foundation
import GuanxiCore
import Vapor

/// What every page view needs besides its own model: who is looking, in which language, the CSRF
/// token for its forms and a flash message from the previous step.
struct PageContext {
    let actor: Actor?
    let t: Translator
    let csrf: String
    let flash: Flash?
    let path: String
    /// Unread notifications, for the bell in the top bar.
    var unread: Int = 0

    var locale: AppLocale { t.locale }
    var timeZone: TimeZone { actor?.org.timeZone ?? TimeZone(identifier: "Asia/Shanghai")! }

    func dateTime(_ date: Date?) -> String {
        guard let date else { return "—" }
        return locale.dateTime(date, timeZone: timeZone)
    }
}

/// A one-shot message shown after a redirect (saved, deleted, …). Holds a translation key only.
struct Flash: Sendable {
    enum Kind: String, Sendable { case success, error, info }
    let kind: Kind
    let key: String

    var cookieValue: String { "\(kind.rawValue):\(key)" }

    init(_ kind: Kind, _ key: String) {
        self.kind = kind
        self.key = key
    }

    init?(cookie: String) {
        let parts = cookie.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = Kind(rawValue: parts[0]), Strings.table[parts[1]] != nil else { return nil }
        self.init(kind, parts[1])
    }
}

struct Crumb {
    let label: String
    let href: String?
}

extension Request {
    var pageContext: PageContext {
        let actor = optionalActor
        let locale = actor?.locale ?? requestLocale
        return PageContext(actor: actor, t: Translator(locale), csrf: csrfToken, flash: storage[FlashKey.self],
                           path: url.path, unread: storage[UnreadKey.self] ?? 0)
    }

    /// The browser's language when nobody is signed in.
    var requestLocale: AppLocale {
        if let chosen = cookies["gx_lang"]?.string, let l = AppLocale(rawValue: chosen) { return l }
        return AppLocale.from(acceptLanguage: headers.first(name: .acceptLanguage))
    }

    /// Renders a page as an HTML response.
    func page(_ status: HTTPResponseStatus = .ok, title: String, crumbs: [Crumb] = [], refresh: Int? = nil, _ body: (PageContext) -> HNode) -> Response {
        let ctx = pageContext
        let html = Layout.render(ctx, title: title, crumbs: crumbs, body: body(ctx), refresh: refresh)
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(buffer: html))
    }

    /// Redirects after a successful post, with a flash message for the next page.
    func redirect(_ to: String, flash: Flash? = nil) -> Response {
        let res = redirect(to: to, redirectType: .normal)
        if let flash {
            res.cookies["gx_flash"] = HTTPCookies.Value(string: flash.cookieValue, maxAge: 60, path: "/", isHTTPOnly: true, sameSite: .lax)
        }
        return res
    }
}

struct FlashKey: StorageKey { typealias Value = Flash }
