import Foundation
import Hummingbird

/// Resolves a session token to a session. Implemented by the Accounts domain, wired in App.
public protocol SessionResolver: Sendable {
    func resolve(token: String, kind: SessionKind, ip: String) async throws -> SessionInfo?
}

/// Resolves a member-site session token. Implemented by the Members domain, wired in App.
public protocol WorkerSessionResolver: Sendable {
    func resolve(token: String, kind: SessionKind) async throws -> WorkerSessionInfo?
}

/// Tokens of worker apps begin with this; every other bearer token is a staff session or a partner key.
/// (A dot is outside the base64url alphabet of `randomToken`, so no staff token begins with it.)
public let workerTokenPrefix = "w."

/// Attaches the session of the bearer token (API) or the cookie (web pages) to the context, if valid.
/// The API never reads the cookie, so a page on another site cannot ride a staff member's browser session.
public struct SessionMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public enum Source: Sendable { case bearer, cookie }
    let resolver: any SessionResolver
    let workerResolver: (any WorkerSessionResolver)?
    let source: Source
    let secureCookies: Bool

    public init(resolver: any SessionResolver, workerResolver: (any WorkerSessionResolver)? = nil, source: Source, secureCookies: Bool) {
        self.resolver = resolver
        self.workerResolver = workerResolver
        self.source = source
        self.secureCookies = secureCookies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if source == .bearer {
            if let auth = request.headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
                let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
                if token.hasPrefix(workerTokenPrefix) {
                    context.workerSession = try await workerResolver?.resolve(token: token, kind: .api)
                    context.who.account = context.workerSession.map { "worker:\($0.workerId)" }
                } else {
                    context.session = try await resolver.resolve(token: token, kind: .api, ip: context.remoteIP)
                    context.who.account = context.session?.principal.username
                }
            }
            return try await next(request, context)
        }
        if let token = request.cookies[CookieName.session]?.value {
            context.session = try await resolver.resolve(token: token, kind: .web, ip: context.remoteIP)
        }
        if let workerResolver, context.session == nil, let token = request.cookies[CookieName.member]?.value {
            context.workerSession = try await workerResolver.resolve(token: token, kind: .web)
        }
        context.who.account = context.session?.principal.username ?? context.workerSession.map { "worker:\($0.workerId)" }
        // Forms shown before login (the login form itself) carry a token bound to a cookie.
        var setCookie: Cookie?
        if context.session == nil && context.workerSession == nil {
            if let existing = request.cookies[CookieName.csrf]?.value, existing.count >= 20 {
                context.anonymousCSRF = existing
            } else {
                let token = randomToken(bytes: 24)
                context.anonymousCSRF = token
                setCookie = .secure(name: CookieName.csrf, value: token, maxAge: nil, secure: secureCookies)
            }
        }
        var response = try await next(request, context)
        if let setCookie { response.setCookie(setCookie) }
        return response
    }
}

/// Rejects state-changing requests whose CSRF token does not match the session's (or the anonymous cookie's).
/// Bearer-token API requests are exempt: browsers never attach those on their own.
public struct CSRFMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method), context.session?.kind != .api else {
            return try await next(request, context)
        }
        var request = request
        var presented = request.headers[.init("X-CSRF-Token")!]
        // File uploads carry the token in the query: the multipart body is streamed to disk, not read here.
        if presented == nil, request.headers[.contentType]?.hasPrefix("multipart/form-data") == true {
            presented = request.uri.queryParameters["_csrf"].map(String.init)
        }
        if presented == nil,
            request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
        {
            let body = try await request.collectBody(upTo: 1 << 20)
            presented = Self.field("_csrf", in: String(buffer: body))
        }
        let expected = context.csrfToken
        guard let presented, !expected.isEmpty, constantTimeEqual(presented, expected) else {
            throw AppError.badCSRF
        }
        return try await next(request, context)
    }

    static func field(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name {
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        return nil
    }
}

public func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
