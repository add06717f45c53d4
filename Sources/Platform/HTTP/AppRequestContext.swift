import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// What handlers and the page chrome use, whatever the context: the root one, a staff route's or
/// a worker route's.
public protocol AppContext: RequestContext where Decoder == AppRequestDecoder {
    var requestId: String { get }
    var remoteIP: String { get }
    /// The token forms must carry back.
    var csrfToken: String { get }
    var actor: Actor { get }
    /// The signed-in staff member, if any (the console chrome shows them).
    var staff: Principal? { get }
    /// The signed-in worker, if any (the member site's header offers 我的 instead of 登录).
    var signedInWorker: WorkerSessionInfo? { get }
    /// Who the request turned out to be, for the request log.
    var who: RequestIdentity { get }
}

extension AppContext {
    /// A numeric path parameter, or 404.
    public func id(_ name: String = "id") throws -> Int64 {
        guard let text = parameters.get(name), let id = Int64(text), id > 0 else { throw AppError.notFound() }
        return id
    }
}

/// The root request context: request id, client address, and the session if any. Staff and
/// worker routes run with their own contexts made from it (`StaffRequestContext`, `WorkerRequestContext`).
public struct AppRequestContext: AppContext {
    public var coreContext: CoreRequestContextStorage
    public var requestId: String
    public var remoteIP: String
    public var session: SessionInfo?
    /// The worker signed in on the member site, if any.
    public var workerSession: WorkerSessionInfo?
    public var signedInWorker: WorkerSessionInfo? { workerSession }
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
    public var staff: Principal? { principal }

    /// The token forms must carry back.
    public var csrfToken: String { session?.csrfToken ?? workerSession?.csrfToken ?? anonymousCSRF ?? "" }
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
