import Foundation
import SQLKit

/// Filters for browsing the audit log.
public struct AuditFilter: Sendable {
    public var action: String?
    public var actorName: String?
    public var objectType: String?
    public var objectId: String?
    public var result: AuditEntry.Result?

    public init(
        action: String? = nil, actorName: String? = nil, objectType: String? = nil, objectId: String? = nil,
        result: AuditEntry.Result? = nil
    ) {
        self.action = action
        self.actorName = actorName
        self.objectType = objectType
        self.objectId = objectId
        self.result = result
    }
}

extension AuditLog {
    /// Entries in the actor's audit scope, newest first, keyset-paged by id.
    /// Entries tied to no org (failed logins of unknown names) are seen only by auditors of a whole tree.
    /// Entries in the actor's scope; entries tied to no org (failed logins of unknown names) only for
    /// auditors of the whole deployment (every top-level org in `roots`).
    public func list(actor: Actor, filter: AuditFilter, page: PageRequest, roots: [OrgPath]) async throws -> Page<AuditEntry> {
        let scope = try actor.requireScope(.auditRead)
        let after = try page.keyID()
        let rows = try await database.withConnection { sql in
            let query = sql.select().column("*").from("audit_log")
            let seesUnowned = actor.isDeploymentWide(.auditRead, roots: roots)
            if seesUnowned {
                query.where(SQLGroupExpression(SQLList([scope.condition("org_path"), SQLRaw("org_path IS NULL")], separator: SQLRaw(" OR "))))
            } else {
                query.where("org_path", in: scope)
            }
            if let after { query.where("id", .lessThan, after) }
            if let v = filter.action, !v.isEmpty { query.where("action", .equal, v) }
            if let v = filter.actorName, !v.isEmpty { query.where("actor_name", .equal, v) }
            if let v = filter.objectType, !v.isEmpty { query.where("object_type", .equal, v) }
            if let v = filter.objectId, !v.isEmpty { query.where("object_id", .equal, v) }
            if let v = filter.result { query.where("result", .equal, v.rawValue) }
            return try await query.orderBy("id", .descending).limit(page.limit + 1).all(decoding: AuditEntry.self)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id!)] }
    }
}
