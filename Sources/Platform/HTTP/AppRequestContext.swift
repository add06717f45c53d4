import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// What a staff session has reached: a password alone is not a full login for TOTP users.
public enum SessionStage: String, Sendable, Codable {
    case full
    case needsTOTP = "needs_totp"
    case needsEnrolment = "needs_enrolment"
}

public enum SessionKind: String, Sendable, Codable {
    case web
    case api
}

/// The session a request arrived with, as the Accounts domain resolved it.
public struct SessionInfo: Sendable {
    public var id: String
    public var kind: SessionKind
    public var stage: SessionStage
    public var csrfToken: String
    public var principal: Principal

    public init(id: String, kind: SessionKind, stage: SessionStage, csrfToken: String, principal: Principal) {
        self.id = id
        self.kind = kind
        self.stage = stage
        self.csrfToken = csrfToken
        self.principal = principal
    }
}

/// A worker signed in on the member site (not a staff account).
public struct MemberSessionInfo: Sendable {
    public var id: String
    public var workerId: Int64
    public var csrfToken: String
    public var phoneMask: String

    public init(id: String, workerId: Int64, csrfToken: String, phoneMask: String) {
        self.id = id
        self.workerId = workerId
        self.csrfToken = csrfToken
        self.phoneMask = phoneMask
    }
}

/// The one request context of the app: request id, client address, and the session if any.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestId: String
    public var remoteIP: String
    public var session: SessionInfo?
    /// The worker signed in on the member site, if any.
    public var memberSession: MemberSessionInfo?
    /// The anonymous CSRF token (cookie) for forms shown before login.
    public var anonymousCSRF: String?
    /// Who the request turned out to be, for the request log line written by an outer middleware
    /// (a context is passed down by value; this box is shared by all its copies).
    public let who = RequestIdentity()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestId = randomToken(bytes: 9)
        self.remoteIP = Self.ip(source.channel.remoteAddress)
    }

    static func ip(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        return address.ipAddress ?? "unknown"
    }

    public var requestDecoder: AppRequestDecoder { AppRequestDecoder() }

    /// The principal of a fully signed-in session.
    public var principal: Principal? {
        guard let session, session.stage == .full else { return nil }
        return session.principal
    }

    public var actor: Actor { Actor(principal: principal, ip: remoteIP, requestId: requestId) }

    /// The token forms must carry back.
    public var csrfToken: String { session?.csrfToken ?? memberSession?.csrfToken ?? anonymousCSRF ?? "" }
}

/// Filled in by the session middleware, read by the request log after the response.
public final class RequestIdentity: Sendable {
    private let name = Mutex<String?>(nil)
    public var account: String? {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }
}

/// Decodes JSON bodies and HTML form bodies alike, chosen by content type.
public struct AppRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let contentType = request.headers[.contentType] ?? ""
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        // A NUL (or another C0 control) in a text field: SQLite cut the value at it and PostgreSQL
        // refuses it. Refused here, for every form and JSON body alike.
        if Self.hasControlCharacter(String(buffer: body), form: contentType.hasPrefix("application/x-www-form-urlencoded")) {
            throw AppError.badRequest(PlatformText.controlCharacters)
        }
        do {
            if contentType.hasPrefix("application/x-www-form-urlencoded") {
                return try await URLEncodedFormDecoder().decode(type, from: request, context: context)
            }
            return try await JSONDecoder().decode(type, from: request, context: context)
        } catch let error as AppError {
            throw error
        } catch let error as DecodingError {
            throw Self.fieldError(error) ?? AppError.badRequest(PlatformText.malformedBody)
        } catch {
            throw AppError.badRequest(PlatformText.malformedBody)
        }
    }

    /// NUL, or any C0 control but tab and line breaks: raw in a body, `%00`–`%1F` in a form, `\u0000`–`\u001F` in JSON.
    static func hasControlCharacter(_ body: String, form: Bool) -> Bool {
        if body.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" }) { return true }
        let allowed: Set<String> = form ? ["09", "0a", "0d"] : ["0009", "000a", "000d"]
        let pattern = form ? /%([01][0-9a-fA-F])/ : /\\u(00[01][0-9a-fA-F])/
        return body.matches(of: pattern).contains { !allowed.contains($0.output.1.lowercased()) }
    }

    /// A missing or mistyped field as a 422 that names it (`unionId`, `items.0.name`).
    static func fieldError(_ error: DecodingError) -> AppError? {
        func name(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .validation([name(context.codingPath + [key]): PlatformText.required])
        case .valueNotFound(_, let context) where !context.codingPath.isEmpty:
            return .validation([name(context.codingPath): PlatformText.required])
        case .typeMismatch(_, let context) where !context.codingPath.isEmpty,
            .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .validation([name(context.codingPath): PlatformText.badValue])
        default:
            return nil
        }
    }
}
