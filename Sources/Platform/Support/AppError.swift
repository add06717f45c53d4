import HTTPTypes

/// A failure a user can understand: an HTTP status, a stable code for API clients,
/// a message in Chinese, and per-field messages for forms.
public struct AppError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var fieldErrors: [String: String]

    public init(_ status: HTTPResponse.Status, code: String, message: String, fieldErrors: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    public static func validation(_ fieldErrors: [String: String], message: String = PlatformText.validationFailed)
        -> AppError
    {
        AppError(.unprocessableContent, code: "validation", message: message, fieldErrors: fieldErrors)
    }

    public static func notFound(_ message: String = PlatformText.notFound) -> AppError {
        AppError(.notFound, code: "not_found", message: message)
    }

    public static func conflict(_ message: String) -> AppError {
        AppError(.conflict, code: "conflict", message: message)
    }

    /// 429: too many attempts; `message` says what to do.
    public static func rateLimited(_ message: String = PlatformText.rateLimited) -> AppError {
        AppError(.tooManyRequests, code: "rate_limited", message: message)
    }

    public static let forbidden = AppError(.forbidden, code: "forbidden", message: PlatformText.forbidden)
    public static let unauthenticated = AppError(
        .unauthorized, code: "unauthenticated", message: PlatformText.unauthenticated)
    public static let badCSRF = AppError(.forbidden, code: "csrf", message: PlatformText.badCSRF)
    /// Every database connection stayed busy for longer than a request may wait.
    public static let databaseBusy = AppError(.serviceUnavailable, code: "database_busy", message: PlatformText.databaseBusy)

    public static func badRequest(_ message: String) -> AppError {
        AppError(.badRequest, code: "bad_request", message: message)
    }

    public var description: String { "\(status.code) \(code): \(message) \(fieldErrors)" }
}

/// Collects field errors while validating a form or a JSON body.
public struct Validator: Sendable {
    public private(set) var errors: [String: String] = [:]
    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition && errors[field] == nil { errors[field] = message }
    }

    public mutating func fail(_ field: String, _ message: String) { check(false, field, message) }

    public func validate() throws {
        if !errors.isEmpty { throw AppError.validation(errors) }
    }
}
