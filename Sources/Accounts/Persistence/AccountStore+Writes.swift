import Foundation
import Platform
import SQLKit

/// The account writes: role assignments, status and passwords, the lockout counters, second-factor
/// state and sessions. Counters change in SQL (`x = x + 1 … RETURNING`) so parallel requests each count.
extension AccountStore {
    // MARK: Roles

    func assignmentExists(accountId: Int64, roleCode: String, orgId: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("role_assignments").where("account_id", .equal, accountId)
            .where("role_code", .equal, roleCode).where("org_id", .equal, orgId).first() != nil
    }

    func insertAssignment(accountId: Int64, roleCode: String, org: OrgPath, grantedBy: String, at now: Date, on sql: any SQLDatabase)
        async throws -> Int64
    {
        return try await sql.insert(into: "role_assignments")
            .columns("account_id", "role_code", "org_id", "org_path", "granted_by", "granted_at")
            .values(SQLBind(accountId), SQLBind(roleCode), SQLBind(org.id), SQLBind(org.rawValue), SQLBind(grantedBy), SQLBind(now))
            .insertedId()
    }

    func deleteAssignment(id: Int64, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "role_assignments").where("id", .equal, id).run()
    }

    func insertRole(_ role: Role, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "roles").columns("code", "name", "permissions", "builtin", "requires_totp")
            .values(
                SQLBind(role.code), SQLBind(role.name), SQLBind(role.permissions.map(\.rawValue).sorted().joined(separator: ",")),
                SQLBind(role.builtin), SQLBind(role.requiresTOTP)
            ).run()
    }

    func setPermissions(of roleCode: String, _ permissions: Set<Permission>, on sql: any SQLDatabase) async throws {
        try await sql.update("roles").set("permissions", to: permissions.map(\.rawValue).sorted().joined(separator: ","))
            .where("code", .equal, roleCode).run()
    }

    // MARK: Status, passwords, lockout

    func setStatus(_ id: Int64, _ status: Account.Status, on sql: any SQLDatabase) async throws {
        try await sql.update("accounts").set("status", to: status.rawValue).where("id", .equal, id).run()
    }

    /// A new password; `unlock` also clears the failure count and any lockout (an admin's reset).
    func setPassword(_ id: Int64, hash: String, at now: Date, unlock: Bool, on sql: any SQLDatabase) async throws {
        let q = sql.update("accounts").set("password_hash", to: hash).set("password_changed_at", to: now)
        if unlock { q.set("failed_logins", to: 0).set("locked_until", to: Optional<Date>.none) }
        try await q.where("id", .equal, id).run()
    }

    func recordLogin(_ id: Int64, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("accounts").set("failed_logins", to: 0).set("locked_until", to: Optional<Date>.none)
            .set("last_login_at", to: now).where("id", .equal, id).run()
    }

    func clearFailures(_ id: Int64, on sql: any SQLDatabase) async throws {
        try await sql.update("accounts").set("failed_logins", to: 0).where("id", .equal, id).run()
    }

    /// Counts an attempt unless the account is locked; returns the attempts so far, nil when locked.
    func countAttempt(_ id: Int64, at now: Date, on sql: any SQLDatabase) async throws -> Int? {
        try await sql.raw(
            """
            UPDATE accounts SET failed_logins = failed_logins + 1
            WHERE id = \(bind: id) AND (locked_until IS NULL OR locked_until <= \(bind: now)) RETURNING failed_logins
            """
        ).first()?.decode(column: "failed_logins", as: Int.self)
    }

    func lock(_ id: Int64, until: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("accounts").set("locked_until", to: until).set("failed_logins", to: 0).where("id", .equal, id).run()
    }

    /// Counts a failure, and locks the account once `limit` failures are reached.
    func recordFailure(_ id: Int64, limit: Int, lockUntil: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = \(bind: id)").run()
        try await sql.raw(
            """
            UPDATE accounts SET locked_until = \(bind: lockUntil), failed_logins = 0
            WHERE id = \(bind: id) AND failed_logins >= \(bind: limit)
            """
        ).run()
    }

    // MARK: Second factor

    /// Uses a recovery code up; false if it is unknown or used.
    func useRecoveryCode(accountId: Int64, hash: String, at now: Date, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE totp_recovery_codes SET used_at = \(bind: now)
            WHERE account_id = \(bind: accountId) AND code_hash = \(bind: hash) AND used_at IS NULL RETURNING id
            """
        ).first() != nil
    }

    /// Compare-and-set: of two logins racing with one code, only one moves the step.
    func advanceTOTPStep(accountId: Int64, to step: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE accounts SET totp_step = \(bind: step)
            WHERE id = \(bind: accountId) AND (totp_step IS NULL OR totp_step < \(bind: step)) RETURNING id
            """
        ).first() != nil
    }

    func setPendingTOTP(accountId: Int64, sealed: String, on sql: any SQLDatabase) async throws {
        try await sql.update("accounts").set("totp_pending", to: sealed).where("id", .equal, accountId).run()
    }

    /// The pending secret becomes the secret; the recovery codes are replaced by `recoveryHashes`.
    func enableTOTP(accountId: Int64, secret: String, step: Int64, recoveryHashes: [String], at now: Date, on sql: any SQLDatabase)
        async throws
    {
        try await sql.update("accounts").set("totp_secret", to: secret).set("totp_pending", to: Optional<String>.none)
            .set("totp_enabled", to: true).set("totp_step", to: step).where("id", .equal, accountId).run()
        try await sql.delete(from: "totp_recovery_codes").where("account_id", .equal, accountId).run()
        guard !recoveryHashes.isEmpty else { return }
        let insert = sql.insert(into: "totp_recovery_codes").columns("account_id", "code_hash", "created_at")
        for hash in recoveryHashes { insert.values(SQLBind(accountId), SQLBind(hash), SQLBind(now)) }
        try await insert.run()
    }

    // MARK: Sessions

    func promoteSession(id: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("sessions").set("stage", to: SessionStage.full.rawValue).set("last_seen_at", to: now).where("id", .equal, id)
            .run()
    }

    func touchSession(id: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("sessions").set("last_seen_at", to: now).where("id", .equal, id).run()
    }

    func purgeSessions(expiredAt now: Date, idleSince: Date, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "sessions").where("expires_at", .lessThan, now).orWhere("last_seen_at", .lessThan, idleSince).run()
    }
}
