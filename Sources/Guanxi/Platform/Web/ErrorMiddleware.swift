import Foundation
import GuanxiCore
import Vapor

/// Turns every error into a clear answer: JSON `{code, message, fields}` under /api, a page elsewhere.
/// Anything unexpected is logged and shown as a 500, which is always a bug.
struct AppErrorMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            return Self.response(for: error, req: req)
        }
    }

    static func response(for error: Error, req: Request) -> Response {
        let appError: AppError
        switch error {
        case let e as AppError:
            appError = e
        case let e as any AbortError:
            appError = AppError(status: e.status, code: code(for: e.status), messageKey: key(for: e.status))
        case is DecodingError:
            appError = .badRequest("error.badRequest")
        case is ConnectionPoolTimeoutError:
            // Every database connection stayed busy for the whole wait: an overload, not a bug.
            req.logger.warning("no database connection within the pool timeout: \(req.method) \(req.url.path)")
            appError = AppError(status: .serviceUnavailable, code: "busy", messageKey: "error.busy")
        default:
            req.logger.report(error: error)
            appError = AppError(status: .internalServerError, code: "internal", messageKey: "error.internal")
        }
        if req.url.path.hasPrefix("/api/") || req.headers.accept.mediaTypes.first == .json {
            let t = Translator(req.optionalActor?.locale ?? .en)
            let body = ErrorBody(code: appError.code, message: t(appError.messageKey),
                                 fields: appError.fields.isEmpty ? nil : appError.fields.mapValues { t($0) })
            let res = Response(status: appError.status)
            try? res.content.encode(body, as: .json)
            if appError.status == .unauthorized { res.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
            if appError.status == .serviceUnavailable { res.headers.replaceOrAdd(name: .retryAfter, value: "5") }
            return res
        }
        return req.page(appError.status, title: req.pageContext.t("error.title.\(titleKey(appError.status))")) { ctx in
            H.div("error-page",
                  H.div("error-code", H.text(String(appError.status.code))),
                  H.h1(ctx.t("error.title.\(titleKey(appError.status))")),
                  H.p(ctx.t(appError.messageKey), cls: "muted"),
                  H.a(Paths.home, ctx.t("error.backHome"), cls: "btn btn-primary"))
        }
    }

    private static func titleKey(_ status: HTTPResponseStatus) -> String {
        switch status.code {
        case 401: "401"
        case 403: "403"
        case 404: "404"
        case 500...: "500"
        default: "400"
        }
    }

    private static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "validation_failed"
        case 429: "too_many_requests"
        case 503: "busy"
        case 500...: "internal"
        default: "bad_request"
        }
    }

    private static func key(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 401: "error.unauthorized"
        case 403: "error.forbidden"
        case 404: "error.notFound"
        case 413: "error.tooLarge"
        case 500...: "error.internal"
        default: "error.badRequest"
        }
    }
}
