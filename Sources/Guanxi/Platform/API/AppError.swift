import Foundation
import GuanxiCore
import Vapor

/// Errors with a clear answer for people (pages) and programs (API): a status, a machine code,
/// a translation key and, for bad input, per-field messages.
struct AppError: Error, AbortError, Sendable {
    var status: HTTPResponseStatus
    var code: String
    var messageKey: String
    var fields: [String: String] = [:]

    var reason: String { Translator(.en)(messageKey) }

    static let unauthorized = AppError(status: .unauthorized, code: "unauthorized", messageKey: "error.unauthorized")
    static let forbidden = AppError(status: .forbidden, code: "forbidden", messageKey: "error.forbidden")
    static let notFound = AppError(status: .notFound, code: "not_found", messageKey: "error.notFound")
    static let unsupportedMediaType = AppError(status: .unsupportedMediaType, code: "unsupported_media_type", messageKey: "error.mediaType")
    static let csrf = AppError(status: .forbidden, code: "csrf", messageKey: "error.csrf")
    static func badRequest(_ key: String = "error.badRequest") -> AppError {
        AppError(status: .badRequest, code: "bad_request", messageKey: key)
    }
    static func conflict(_ key: String) -> AppError { AppError(status: .conflict, code: "conflict", messageKey: key) }

    /// 422 with the field errors (values are translation keys).
    static func invalid(_ errors: FieldErrors) -> AppError {
        AppError(status: .unprocessableEntity, code: "validation_failed", messageKey: "error.validation", fields: errors.messages)
    }
}

/// The JSON body of every API error.
struct ErrorBody: Content {
    var code: String
    var message: String
    var fields: [String: String]?
}
