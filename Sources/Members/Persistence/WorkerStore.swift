import Foundation
import Platform
import SQLKit

/// The SQL of member-site accounts: workers, their SMS codes, sessions and the development outbox.
struct WorkerStore: Sendable {
    struct Credentials: Sendable {
        let id: Int64
        let passwordHash: String
    }

    struct Session: Sendable {
        let workerId: Int64
        let kind: SessionKind
        let csrfToken: String
        let lastSeenAt: Date
        let expiresAt: Date
    }

    // MARK: SMS codes

    func codeSentAt(phoneIndex: String, purpose: String, on sql: any SQLDatabase) async throws -> Date? {
        try await sql.select().column("sent_at").from("sms_codes").where("phone_index", .equal, phoneIndex)
            .where("purpose", .equal, purpose).first()?.decode(column: "sent_at", as: Date.self)
    }

    /// Replaces any earlier code for the number and purpose.
    func storeCode(phoneIndex: String, purpose: String, codeHash: String, expiresAt: Date, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "sms_codes").where("phone_index", .equal, phoneIndex).where("purpose", .equal, purpose).run()
        try await sql.insert(into: "sms_codes").columns("phone_index", "purpose", "code_hash", "expires_at", "attempts", "sent_at")
            .values(SQLBind(phoneIndex), SQLBind(purpose), SQLBind(codeHash), SQLBind(expiresAt), SQLBind(0), SQLBind(now)).run()
    }

    /// Counts one attempt at a live code (at most five) in one statement and returns its hash; nil
    /// when there is no live code or its attempts are used up.
    func attemptCode(phoneIndex: String, purpose: String, now: Date, on sql: any SQLDatabase) async throws -> String? {
        try await sql.raw(
            """
            UPDATE sms_codes SET attempts = attempts + 1
            WHERE phone_index = \(bind: phoneIndex) AND purpose = \(bind: purpose) AND attempts < 5 AND expires_at > \(bind: now)
            RETURNING code_hash
            """
        ).first()?.decode(column: "code_hash", as: String.self)
    }

    func deleteCodes(phoneIndex: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "sms_codes").where("phone_index", .equal, phoneIndex).run()
    }

    // MARK: Workers

    func exists(phoneIndex: String, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("workers").where("phone_index", .equal, phoneIndex).first() != nil
    }

    func insertWorker(phoneCipher: String, phoneIndex: String, phoneMask: String, passwordHash: String, now: Date, on sql: any SQLDatabase)
        async throws -> Int64
    {
        return try await sql.insert(into: "workers")
            .columns("phone_cipher", "phone_index", "phone_mask", "password_hash", "failed_logins", "created_at")
            .values(SQLBind(phoneCipher), SQLBind(phoneIndex), SQLBind(phoneMask), SQLBind(passwordHash), SQLBind(0), SQLBind(now))
            .insertedId()
    }

    func credentials(phoneIndex: String, on sql: any SQLDatabase) async throws -> Credentials? {
        guard let row = try await sql.select().columns("id", "password_hash").from("workers").where("phone_index", .equal, phoneIndex).first()
        else { return nil }
        return Credentials(id: try row.decode(column: "id", as: Int64.self), passwordHash: try row.decode(column: "password_hash", as: String.self))
    }

    /// Counts a failed sign-in before the password is checked, in one statement, so parallel guesses
    /// get five checks in all; nil while the account is locked.
    func countLoginAttempt(workerId: Int64, now: Date, on sql: any SQLDatabase) async throws -> Int? {
        try await sql.raw(
            """
            UPDATE workers SET failed_logins = failed_logins + 1
            WHERE id = \(bind: workerId) AND (locked_until IS NULL OR locked_until <= \(bind: now)) RETURNING failed_logins
            """
        ).first()?.decode(column: "failed_logins", as: Int.self)
    }

    func lock(workerId: Int64, until: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("workers").set("locked_until", to: until).set("failed_logins", to: 0).where("id", .equal, workerId).run()
    }

    /// A new password: failed attempts and any lock cleared.
    func setPassword(workerId: Int64, hash: String, on sql: any SQLDatabase) async throws {
        try await sql.update("workers").set("password_hash", to: hash).set("failed_logins", to: 0).set("locked_until", to: SQLLiteral.null)
            .where("id", .equal, workerId).run()
    }

    func passwordHash(workerId: Int64, on sql: any SQLDatabase) async throws -> String? {
        try await sql.select().column("password_hash").from("workers").where("id", .equal, workerId).first()?
            .decode(column: "password_hash", as: String.self)
    }

    func clearFailedLogins(workerId: Int64, on sql: any SQLDatabase) async throws {
        try await sql.update("workers").set("failed_logins", to: 0).where("id", .equal, workerId).run()
    }

    func phoneMask(workerId: Int64, on sql: any SQLDatabase) async throws -> String? {
        try await sql.select().column("phone_mask").from("workers").where("id", .equal, workerId).first()?
            .decode(column: "phone_mask", as: String.self)
    }

    func phoneCipher(workerId: Int64, on sql: any SQLDatabase) async throws -> String? {
        try await sql.select().column("phone_cipher").from("workers").where("id", .equal, workerId).first()?
            .decode(column: "phone_cipher", as: String.self)
    }

    func createdAt(workerId: Int64, on sql: any SQLDatabase) async throws -> Date? {
        try await sql.select().column("created_at").from("workers").where("id", .equal, workerId).first()?
            .decode(column: "created_at", as: Date.self)
    }

    /// Erases the account (a granted deletion request): the number and password go, the row stays
    /// for the records that point at it; `erasedIndex` is unique so the number can register anew.
    func erase(workerId: Int64, sealedBlank: String, erasedIndex: String, on sql: any SQLDatabase) async throws {
        try await sql.update("workers").set("phone_cipher", to: sealedBlank).set("phone_index", to: erasedIndex).set("phone_mask", to: "******")
            .set("password_hash", to: "!").where("id", .equal, workerId).run()
        try await deleteSessions(workerId: workerId, on: sql)
    }

    // MARK: Sessions

    func insertSession(
        id: String, workerId: Int64, kind: SessionKind, csrfToken: String, now: Date, expiresAt: Date, on sql: any SQLDatabase
    ) async throws {
        try await sql.insert(into: "worker_sessions")
            .columns("id", "worker_id", "kind", "csrf_token", "created_at", "last_seen_at", "expires_at")
            .values(SQLBind(id), SQLBind(workerId), SQLBind(kind.rawValue), SQLBind(csrfToken), SQLBind(now), SQLBind(now), SQLBind(expiresAt))
            .run()
    }

    func session(_ id: String, on sql: any SQLDatabase) async throws -> Session? {
        guard let row = try await sql.select().columns("worker_id", "kind", "csrf_token", "last_seen_at", "expires_at").from("worker_sessions")
            .where("id", .equal, id).first()
        else { return nil }
        return Session(
            workerId: try row.decode(column: "worker_id", as: Int64.self),
            kind: SessionKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .web, csrfToken: try row.decode(column: "csrf_token", as: String.self),
            lastSeenAt: try row.decode(column: "last_seen_at", as: Date.self), expiresAt: try row.decode(column: "expires_at", as: Date.self))
    }

    func touchSession(_ id: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("worker_sessions").set("last_seen_at", to: now).where("id", .equal, id).run()
    }

    func deleteSession(_ id: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "worker_sessions").where("id", .equal, id).run()
    }

    func deleteSessions(workerId: Int64, except kept: String? = nil, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "worker_sessions").where("worker_id", .equal, workerId).where("id", .notEqual, kept ?? "").run()
    }

    // MARK: Outbox

    func queueSMS(phoneCipher: String, phoneMask: String, body: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "sms_outbox").columns("phone_cipher", "phone_mask", "body", "created_at")
            .values(SQLBind(phoneCipher), SQLBind(phoneMask), SQLBind(body), SQLBind(now)).run()
    }
}
