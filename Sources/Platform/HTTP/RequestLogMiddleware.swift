import Hummingbird
import Logging

/// Gives each request an id (taken from `X-Request-Id` when a balancer set one), logs it
/// as structured metadata, and echoes it in the response.
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let given = request.headers[.init("X-Request-Id")!], given.count <= 64,
            given.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        {
            context.requestId = given
        }
        context.logger[metadataKey: "request_id"] = .string(context.requestId)
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        response.headers[.init("X-Request-Id")!] = context.requestId
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                "ip": "\(context.remoteIP)", "account": "\(context.who.account ?? "-")",
            ])
        return response
    }
}

/// Headers every response carries: no framing, no sniffing, scripts and styles only from this origin.
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    /// Served over HTTPS (production): browsers are told to keep to it.
    let strictTransport: Bool

    public init(strictTransport: Bool) { self.strictTransport = strictTransport }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        // No page here uses the camera, microphone, location or payment APIs (meetings will ask for theirs).
        response.headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        if strictTransport { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        if request.uri.path.hasPrefix("/admin") || request.uri.path.hasPrefix("/api/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

/// Lets through only fully signed-in staff; others get 401 (API) or the login page (web).
public struct RequireStaffMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.principal != nil else {
            if let session = context.session, session.kind == .web {
                // Password accepted but second factor pending.
                let target = session.stage == .needsEnrolment ? "/admin/totp/enrol" : "/admin/login/totp"
                if request.uri.path != target { return .redirect(to: target) }
            }
            throw AppError.unauthenticated
        }
        return try await next(request, context)
    }
}
