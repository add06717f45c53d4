import Foundation
import Platform
import SQLKit

/// The SQL of accounts, roles, assignments and sessions.
struct AccountStore: Sendable {
    /// The directory's org relation (`id`, `name`, `active`), joined onto grants.
    let orgLabels: any SQLExpression
    private let sessionQuery: QueryText

    init(orgLabels: any SQLExpression) {
        self.orgLabels = orgLabels
        self.sessionQuery = QueryText { sql in
            let sessionColumns = SessionRow.CodingKeys.allCases.map { key in
                SQLAlias(SQLColumn(key.rawValue, table: "sessions"), as: SQLIdentifier("s_" + key.rawValue))
            }
            let query = sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("accounts")))
                .columns(sessionColumns).columns(Self.grantColumns).from("sessions")
                .join("accounts", on: SQLColumn("id", table: "accounts"), .equal, SQLColumn("account_id", table: "sessions"))
                .join(
                    "role_assignments", method: SQLJoinMethod.left,
                    on: SQLColumn("account_id", table: "role_assignments"), .equal, SQLColumn("id", table: "accounts")
                )
            return Self.joinRolesAndOrgs(query, orgLabels)
                .where(SQLColumn("id", table: "sessions"), .equal, SQLBind("")).orderBy(SQLColumn("id", table: "role_assignments"))
                .query
        }
    }

    func account(id: Int64, on sql: any SQLDatabase) async throws -> Account? {
        try await sql.select().column("*").from("accounts").where("id", .equal, id).first(decoding: Account.self)
    }

    func account(username: String, on sql: any SQLDatabase) async throws -> Account? {
        try await sql.select().column("*").from("accounts").where("username", .equal, username)
            .first(decoding: Account.self)
    }

    func accounts(scope: Scope, text: String, after: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [Account] {
        let query = sql.select().column("*").from("accounts").where("home_org_path", in: scope)
        if !text.isEmpty {
            let like = SQLText.contains(text)
            query.where { $0.where("username", .like, like).orWhere("display_name", .like, like) }
        }
        if let after { query.where("id", .greaterThan, after) }
        return try await query.orderBy("id").limit(limit).all(decoding: Account.self)
    }

    func insert(_ new: NewAccount, hash: String, homePath: OrgPath, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        return try await sql.insert(into: "accounts")
            .columns("username", "display_name", "password_hash", "status", "home_org_id", "home_org_path",
                     "failed_logins", "totp_enabled", "password_changed_at", "created_at")
            .values(SQLBind(new.username), SQLBind(new.displayName), SQLBind(hash), SQLBind(Account.Status.active.rawValue),
                    SQLBind(new.homeOrgId), SQLBind(homePath.rawValue), SQLBind(0), SQLBind(false), SQLBind(now), SQLBind(now))
            .insertedId()
    }

    func roles(on sql: any SQLDatabase) async throws -> [Role] {
        try await sql.select().column("*").from("roles").orderBy("builtin", .descending).orderBy("code")
            .all().map { try Self.role($0) }
    }

    func role(_ code: String, on sql: any SQLDatabase) async throws -> Role? {
        try await sql.select().column("*").from("roles").where("code", .equal, code).first().map { try Self.role($0) }
    }

    static func role(_ row: any SQLRow, prefix: String = "") throws -> Role {
        let perms = try row.decode(column: prefix + "permissions", as: String.self).split(separator: ",")
            .map { Permission(String($0)) }
        return Role(
            code: try row.decode(column: prefix + "code", as: String.self), name: try row.decode(column: prefix + "name", as: String.self),
            permissions: Set(perms), builtin: try row.decode(column: prefix + "builtin", as: Bool.self),
            requiresTOTP: try row.decode(column: prefix + "requires_totp", as: Bool.self))
    }

    /// A role held at an org, with the role's permissions and the org's name and state: what a principal is built from.
    struct Grant {
        var assignmentId: Int64
        var orgId: Int64
        var orgPath: OrgPath
        var orgName: String
        var orgActive: Bool
        var role: Role
    }

    /// The columns a grant is read from, prefixed so they can join onto other rows.
    private static let grantColumns: [any SQLExpression] =
        ["id", "org_id", "org_path"].map { SQLAlias(SQLColumn($0, table: "role_assignments"), as: SQLIdentifier("g_" + $0)) }
        + ["code", "name", "permissions", "builtin", "requires_totp"].map {
            SQLAlias(SQLColumn($0, table: "roles"), as: SQLIdentifier("r_" + $0))
        }
        + ["name", "active"].map { SQLAlias(SQLColumn($0, table: "o"), as: SQLIdentifier("o_" + $0)) }

    /// Joins each assignment's role, and its org as `o` (an org missing from the directory reads as inactive).
    private static func joinRolesAndOrgs(_ query: SQLSelectBuilder, _ orgLabels: any SQLExpression) -> SQLSelectBuilder {
        query
            .join(
                "roles", method: SQLJoinMethod.left,
                on: SQLColumn("code", table: "roles"), .equal, SQLColumn("role_code", table: "role_assignments")
            )
            .join(
                SQLAlias(SQLGroupExpression(orgLabels), as: SQLIdentifier("o")), method: SQLJoinMethod.left,
                on: SQLColumn("id", table: "o"), .equal, SQLColumn("org_id", table: "role_assignments"))
    }

    private static func grant(_ row: any SQLRow) throws -> Grant? {
        guard let id = try row.decode(column: "g_id", as: Int64?.self) else { return nil }
        let orgId = try row.decode(column: "g_org_id", as: Int64.self)
        return Grant(
            assignmentId: id, orgId: orgId, orgPath: try row.decode(column: "g_org_path", as: OrgPath.self),
            orgName: try row.decode(column: "o_name", as: String?.self) ?? "#\(orgId)",
            orgActive: try row.decode(column: "o_active", as: Bool?.self) ?? false, role: try role(row, prefix: "r_"))
    }

    func grants(accountId: Int64, on sql: any SQLDatabase) async throws -> [Grant] {
        try await Self.joinRolesAndOrgs(sql.select().columns(Self.grantColumns).from("role_assignments"), orgLabels)
            .where(SQLColumn("account_id", table: "role_assignments"), .equal, SQLBind(accountId))
            .orderBy(SQLColumn("id", table: "role_assignments"))
            .all().compactMap(Self.grant)
    }

    /// A session, its account and the account's grants in one query: every signed-in request starts here.
    func sessionWithGrants(id: String, on sql: any SQLDatabase) async throws -> (SessionRow, Account, [Grant])? {
        let rows = try await sessionQuery.all([id], on: sql)
        guard let first = rows.first else { return nil }
        let session = try first.decode(model: SessionRow.self, prefix: "s_")
        return (session, try first.decode(model: Account.self), try rows.compactMap(Self.grant))
    }

    struct AssignmentRow: Codable {
        var id: Int64
        var accountId: Int64
        var roleCode: String
        var orgId: Int64
        var orgPath: OrgPath
        var grantedBy: String
        var grantedAt: Date

        enum CodingKeys: String, CodingKey {
            case id, accountId = "account_id", roleCode = "role_code", orgId = "org_id", orgPath = "org_path"
            case grantedBy = "granted_by", grantedAt = "granted_at"
        }
    }

    func assignments(accountId: Int64, on sql: any SQLDatabase) async throws -> [AssignmentRow] {
        try await sql.select().column("*").from("role_assignments").where("account_id", .equal, accountId)
            .orderBy("id").all(decoding: AssignmentRow.self)
    }

    func assignment(id: Int64, on sql: any SQLDatabase) async throws -> AssignmentRow? {
        try await sql.select().column("*").from("role_assignments").where("id", .equal, id).first(decoding: AssignmentRow.self)
    }

    /// Moves the stored copies of org paths along with a reorganised subtree.
    static func rebasePaths(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        for (table, column) in [("role_assignments", "org_path"), ("accounts", "home_org_path")] {
            try await OrgPath.rebase(table, column, from: old, to: new, on: sql)
        }
    }

    // MARK: Sessions

    struct SessionRow: Codable {
        var id: String
        var accountId: Int64
        var kind: SessionKind
        var stage: SessionStage
        var csrfToken: String
        var createdAt: Date
        var lastSeenAt: Date
        var expiresAt: Date

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, accountId = "account_id", kind, stage, csrfToken = "csrf_token", createdAt = "created_at"
            case lastSeenAt = "last_seen_at", expiresAt = "expires_at"
        }
    }

    func insertSession(_ s: SessionRow, ip: String, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "sessions")
            .columns("id", "account_id", "kind", "stage", "csrf_token", "created_at", "last_seen_at", "expires_at", "ip")
            .values(SQLBind(s.id), SQLBind(s.accountId), SQLBind(s.kind.rawValue), SQLBind(s.stage.rawValue),
                    SQLBind(s.csrfToken), SQLBind(s.createdAt), SQLBind(s.lastSeenAt), SQLBind(s.expiresAt), SQLBind(ip))
            .run()
    }

    func deleteSession(id: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "sessions").where("id", .equal, id).run()
    }

    func deleteSessions(accountId: Int64, except keep: String?, on sql: any SQLDatabase) async throws {
        let query = sql.delete(from: "sessions").where("account_id", .equal, accountId)
        if let keep { query.where("id", .notEqual, keep) }
        try await query.run()
    }
}
