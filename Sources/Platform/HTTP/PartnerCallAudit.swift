import Hummingbird

/// Writes an audit entry for every API call a partner key makes, reads included, under the key's
/// name, with the answer's status: a partner's use of the data is accountable call by call.
public struct PartnerCallAuditMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let audit: AuditLog

    public init(audit: AuditLog) { self.audit = audit }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = context.session?.principal, let keyId = principal.partnerKeyId else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            try await record(request, context, principal, keyId, status: response.status)
            return response
        } catch {
            try? await record(request, context, principal, keyId, status: (error as? AppError)?.status ?? .internalServerError)
            throw error
        }
    }

    func record(_ request: Request, _ context: Context, _ principal: Principal, _ keyId: Int64, status: HTTPResponse.Status) async throws {
        let result: AuditEntry.Result = status.code < 400 ? .ok : (status == .forbidden || status == .notFound ? .denied : .failed)
        try await audit.record(
            AuditEntry(
                actor: Actor(principal: principal, ip: context.remoteIP, requestId: context.requestId), action: "api.call",
                objectType: "partner_key", objectId: String(keyId), orgPath: principal.assignments.first?.orgPath,
                result: result, detail: ["method": request.method.rawValue, "path": request.uri.path, "status": String(status.code)]))
    }
}
