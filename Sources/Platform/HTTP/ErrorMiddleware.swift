import Foundation
import Hummingbird
import Logging

/// Turns every error into a response: `application/problem+json` under `/api`, an HTML page elsewhere.
/// Unknown errors are logged with the request id and shown as a generic message, never their text.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public typealias HTMLRenderer = @Sendable (AppError, Request, Context) -> Response
    let renderHTML: HTMLRenderer

    public init(renderHTML: @escaping HTMLRenderer) { self.renderHTML = renderHTML }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AppError {
            return respond(error, request, context)
        } catch DatabaseError.busy {
            context.logger.warning("no database connection free in time")
            return respond(.databaseBusy, request, context)
        } catch let error as HTTPError {
            let appError = AppError(
                error.status, code: error.status == .notFound ? "not_found" : "http_\(error.status.code)",
                message: error.status == .notFound ? PlatformText.notFound : (error.body ?? PlatformText.title(error.status)))
            return respond(appError, request, context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // A body past the limit (NIO's too-many-bytes) is the client's mistake, not a server error.
            return respond(AppError(.contentTooLarge, code: "too_large", message: PlatformText.bodyTooLarge), request, context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            let appError = AppError(.internalServerError, code: "internal", message: PlatformText.internalError)
            return respond(appError, request, context)
        }
    }

    func respond(_ error: AppError, _ request: Request, _ context: Context) -> Response {
        if request.uri.path.hasPrefix("/api/") || request.headers[.accept]?.contains("application/json") == true {
            return Problem(error, instance: request.uri.path, requestId: context.requestId).response()
        }
        if error.status == .unauthorized {
            // Back to the page asked for after signing in: the member site's login for its pages.
            let next = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/admin"
            // Staff pages (the console, and the merchant desk whose cashiers sign in as staff) use the console's.
            let staff = request.uri.path.hasPrefix("/admin") || request.uri.path.hasPrefix("/merchant")
            let login = staff ? "/admin/login" : "/me/login"
            return .redirect(to: "\(login)?next=\(next)", type: .normal)
        }
        return renderHTML(error, request, context)
    }
}

/// RFC 9457 problem details.
public struct Problem: Encodable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var instance: String
    public var code: String
    public var requestId: String
    public var errors: [String: String]?

    public init(_ error: AppError, instance: String, requestId: String) {
        self.type = "https://workershome.example/problems/\(error.code)"
        self.title = PlatformText.title(error.status)
        self.status = error.status.code
        self.detail = error.message
        self.instance = instance
        self.code = error.code
        self.requestId = requestId
        self.errors = error.fieldErrors.isEmpty ? nil : error.fieldErrors
    }

    public func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json; charset=utf-8"
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if status == 503 { headers[.retryAfter] = "1" }
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
