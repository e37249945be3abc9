import Fluent
import Foundation
import GuanxiCore
import NIOConcurrencyHelpers
import Vapor

/// Headers every response carries.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: request)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Web-to-lead forms are made to be framed by the organisation's own website.
        let framable = request.url.path.hasPrefix("/f/")
        if !framable { res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY") }
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        res.headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()")
        res.headers.replaceOrAdd(name: "Content-Security-Policy",
                                 value: "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors \(framable ? "*" : "'none'"); form-action 'self'; base-uri 'self'")
        if request.application.settings.secureCookies {
            res.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        return res
    }
}

struct CSRFKey: StorageKey { typealias Value = String }

extension Request {
    /// The token this browser's forms carry (double-submit: it must match the `gx_csrf` cookie).
    var csrfToken: String { storage[CSRFKey.self] ?? "" }
}

/// For pages: the browser session, the CSRF token, the flash message, and the signed-in actor.
struct WebSessionMiddleware: AsyncMiddleware {
    static let csrfCookie = "gx_csrf"

    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let existingCSRF = req.cookies[Self.csrfCookie]?.string
        let csrf = existingCSRF.flatMap { $0.count >= 32 && $0.count <= 64 ? $0 : nil } ?? Tokens.random()
        req.storage[CSRFKey.self] = csrf

        if let raw = req.cookies["gx_flash"]?.string, let flash = Flash(cookie: raw) {
            req.storage[FlashKey.self] = flash
        }

        if req.method == .POST {
            // The token is in the body, so the body is read here; uploads may be larger than forms.
            if req.body.data == nil {
                let max = req.headers.contentType?.type == "multipart" ? 25 * 1024 * 1024 : 1024 * 1024
                do { _ = try await req.body.collect(max: max).get() } catch { throw Abort(.payloadTooLarge) }
            }
            let sent = (try? req.content.get(String.self, at: "_csrf")) ?? req.headers.first(name: "X-CSRF-Token")
            guard let existingCSRF, let sent, Tokens.equal(sent, existingCSRF) else { throw AppError.csrf }
        }

        if let token = req.cookies[AuthService.sessionCookie]?.string, token.count < 128 {
            try await Self.attachActor(token: token, req: req)
        }

        let res = try await next.respond(to: req)
        if existingCSRF != csrf {
            res.cookies[Self.csrfCookie] = HTTPCookies.Value(string: csrf, path: "/", isSecure: req.application.settings.secureCookies,
                                                             isHTTPOnly: true, sameSite: .strict)
        }
        if req.storage[FlashKey.self] != nil, res.cookies["gx_flash"] == nil {
            res.cookies["gx_flash"] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: "/")
        }
        return res
    }

    static func attachActor(token: String, req: Request) async throws {
        let now = req.now
        // The organisation's stamp and the unread count come with the session: one statement, not three.
        let schema = UserSession.schema
        guard let (session, more) = try await UserSession.query(on: req.db).filter(\.$tokenHash == Tokens.hash(token))
                .firstRow(adding: [ActorCache.stampColumn(of: schema), Notifier.unreadColumn(of: schema)]),
              session.revokedAt == nil, session.expiresAt > now else { return }
        guard let actor = try await req.application.actorCache.actor(userID: session.userID, orgID: session.orgID, sessionID: session.id,
                                                                     fallbackLocale: req.requestLocale, stamp: try more?.integer("access_version"),
                                                                     on: req.db) else { return }
        // Write "last seen" at most once a minute so page views do not each cost a write, and never
        // wait for it: while an import holds SQLite's writer, the page is served without it.
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await req.db.writeIfIdle { [session] db in try await session.save(on: db) }
        }
        req.storage[ActorKey.self] = actor.serving(req.method, shelf: req.application.actorCache.shelf)
        if let unread = try more?.integer("unread") {
            req.storage[UnreadKey.self] = Int(unread)
        } else {
            req.storage[UnreadKey.self] = try await Notifier.unreadCount(userID: actor.userID, on: req.db)
        }
    }
}

struct UnreadKey: StorageKey { typealias Value = Int }

/// Pages behind sign-in: anonymous visitors go to the sign-in page and come back afterwards.
struct RequireSignInMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        guard req.optionalActor != nil else {
            if req.method == .GET {
                return req.redirect(to: URLQuery.build(Paths.login, [("next", req.url.path)]))
            }
            throw AppError.unauthorized
        }
        return try await next.respond(to: req)
    }
}

/// Until the first organisation exists, every page leads to the set-up page.
struct SetupGateMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if !req.application.setupDone.load() {
            if try await Installation.isSetUp(on: req.db) {
                req.application.setupDone.store(true)
            } else if req.url.path != Paths.setup {
                return req.redirect(to: Paths.setup)
            }
        }
        return try await next.respond(to: req)
    }
}

/// For the API: a personal token in `Authorization: Bearer …`.
struct BearerAuthMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        guard let bearer = req.headers.bearerAuthorization?.token, bearer.count < 128 else { throw AppError.unauthorized }
        let now = req.now
        guard let (token, more) = try await ApiToken.query(on: req.db).filter(\.$tokenHash == Tokens.hash(bearer))
                .firstRow(adding: [ActorCache.stampColumn(of: ApiToken.schema)]),
              token.revokedAt == nil,
              let actor = try await req.application.actorCache.actor(userID: token.userID, orgID: token.orgID, sessionID: nil,
                                                                     fallbackLocale: .en, stamp: try more?.integer("access_version"), on: req.db)
        else { throw AppError.unauthorized }
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            token.lastUsedAt = now
            try await req.db.writeIfIdle { [token] db in try await token.save(on: db) }
        }
        req.storage[ActorKey.self] = actor.serving(req.method, shelf: req.application.actorCache.shelf)
        return try await next.respond(to: req)
    }
}

/// The API reads JSON only: any other body on a write gets 415 rather than a guess.
struct JSONBodyMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        // The media type is parsed once, and only for a body (parsing was a fiftieth of a follow-up POST).
        guard [.POST, .PUT, .PATCH].contains(req.method), req.body.data?.readableBytes ?? 1 > 0,
              let type = req.headers.contentType, type != .json else { return try await next.respond(to: req) }
        // Files are the one thing sent as multipart: attachments and product imports.
        guard type.type == "multipart", ["/api/v1/attachments", "/api/v1/products/import"].contains(req.url.path) else {
            throw AppError.unsupportedMediaType
        }
        return try await next.respond(to: req)
    }
}

/// Refuses multipart bodies whose parts are not shaped like parts (headers, a blank line, content)
/// before anything parses them: the multipart parser crashes the process on some malformed bodies,
/// and the CSRF check reads form fields from every posted body, signed in or not.
struct MultipartGuardMiddleware: AsyncMiddleware {
    /// The largest upload any route takes (the customer import's 25 MB).
    static let maxSize = 26 * 1024 * 1024

    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        guard req.method == .POST || req.method == .PUT || req.method == .PATCH,
              req.headers.first(name: .contentType)?.prefix(9).lowercased() == "multipart",
              let type = req.headers.contentType, type.type == "multipart" else {
            return try await next.respond(to: req)
        }
        guard let boundary = type.parameters["boundary"], !boundary.isEmpty else { throw AppError.badRequest() }
        let body = try await req.body.collect(max: Self.maxSize).get() ?? ByteBuffer()
        guard Self.wellFormed(Data(buffer: body), boundary: boundary) else { throw AppError.badRequest() }
        return try await next.respond(to: req)
    }

    /// Every part between the first delimiter and the closing one starts on a new line and has its
    /// headers ended by an empty line.
    static func wellFormed(_ data: Data, boundary: String) -> Bool {
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Data] = []
        var rest = data[...]
        guard let first = rest.range(of: delimiter) else { return false }
        rest = rest[first.upperBound...]
        while let r = rest.range(of: delimiter) {
            parts.append(Data(rest[rest.startIndex..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        // What follows the last delimiter must close the body.
        guard rest.starts(with: Data("--".utf8)) else { return false }
        let crlf = Data("\r\n".utf8), blank = Data("\r\n\r\n".utf8)
        return parts.allSatisfy { p in
            guard p.starts(with: crlf), let end = p.range(of: blank) else { return false }
            return String(decoding: p[p.startIndex..<end.lowerBound], as: UTF8.self).lowercased().contains("content-disposition")
        }
    }
}

/// Requests still being answered. Shutting down waits for them (at most ten seconds) before the
/// databases close: a handler still running then crashed the server (`Request.db` found no database),
/// as when a load test stopped just before the server was told to stop.
final class InFlightRequests: AsyncMiddleware, LifecycleHandler, Sendable {
    private let running = NIOLockedValueBox(0)

    var count: Int { running.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        running.withLockedValue { $0 += 1 }
        defer { running.withLockedValue { $0 -= 1 } }
        return try await next.respond(to: request)
    }

    func shutdownAsync(_ application: Application) async {
        let deadline = ContinuousClock.now + .seconds(10)
        while count > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
