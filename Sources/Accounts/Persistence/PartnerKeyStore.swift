import Foundation
import Platform
import SQLKit

/// The SQL of partner keys.
struct PartnerKeyStore: Sendable {
    struct Row: Codable, Sendable {
        var id: Int64
        var name: String
        var keyPrefix: String
        var permissions: String
        var orgId: Int64
        var ratePerMinute: Int
        var expiresAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?
        var revokedBy: String?
        var createdBy: String
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, name, keyPrefix = "key_prefix", permissions, orgId = "org_id", ratePerMinute = "rate_per_minute"
            case expiresAt = "expires_at", lastUsedAt = "last_used_at", revokedAt = "revoked_at", revokedBy = "revoked_by"
            case createdBy = "created_by", createdAt = "created_at"
        }
    }

    static let columns = [
        "id", "name", "key_prefix", "permissions", "org_id", "rate_per_minute", "expires_at", "last_used_at", "revoked_at", "revoked_by",
        "created_by", "created_at",
    ]

    func key(hash: String, on sql: any SQLDatabase) async throws -> Row? {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("partner_keys").where("key_hash", .equal, hash)
            .first(decoding: Row.self)
    }

    func key(id: Int64, on sql: any SQLDatabase) async throws -> Row? {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("partner_keys").where("id", .equal, id)
            .first(decoding: Row.self)
    }

    func all(on sql: any SQLDatabase) async throws -> [Row] {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("partner_keys").orderBy("id").all(decoding: Row.self)
    }

    func nameTaken(_ name: String, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("partner_keys").where("name", .equal, name).first() != nil
    }

    func insert(_ row: Row, hash: String, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.insert(into: "partner_keys")
            .columns("name", "key_prefix", "key_hash", "permissions", "org_id", "rate_per_minute", "expires_at", "created_by", "created_at")
            .values(
                SQLBind(row.name), SQLBind(row.keyPrefix), SQLBind(hash), SQLBind(row.permissions), SQLBind(row.orgId),
                SQLBind(row.ratePerMinute), SQLBind(row.expiresAt), SQLBind(row.createdBy), SQLBind(row.createdAt)
            )
            .insertedId()
    }

    /// Revokes once: a second revocation changes nothing and says so.
    func revoke(id: Int64, by: String, at now: Date, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.update("partner_keys").set("revoked_at", to: now).set("revoked_by", to: by).where("id", .equal, id)
            .where("revoked_at", .is, SQLLiteral.null).returning("id").first() != nil
    }

    func touch(id: Int64, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("partner_keys").set("last_used_at", to: now).where("id", .equal, id).run()
    }
}
