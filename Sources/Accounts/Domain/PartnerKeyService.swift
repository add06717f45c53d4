import Foundation
import Platform

/// A key of a partner app or a city's data platform, as a system administrator sees it. The secret
/// is shown once at creation and stored only as its hash.
public struct PartnerKey: Sendable {
    public var id: Int64
    public var name: String
    /// The key's first characters, to tell keys apart in lists and logs.
    public var prefix: String
    public var permissions: [Permission]
    public var orgId: Int64
    public var orgName: String
    public var ratePerMinute: Int
    public var expiresAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    public var revokedBy: String?
    public var createdBy: String
    public var createdAt: Date

    public func isUsable(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }
}

public struct PartnerKeyInput: Sendable {
    public var name: String
    public var permissions: [String]
    public var orgId: Int64
    public var ratePerMinute: Int
    public var expiresAt: Date

    public init(name: String, permissions: [String], orgId: Int64, ratePerMinute: Int, expiresAt: Date) {
        self.name = name
        self.permissions = permissions
        self.orgId = orgId
        self.ratePerMinute = ratePerMinute
        self.expiresAt = expiresAt
    }
}

/// Partner keys: created and revoked by system administrators; each acts with its permissions at
/// one org (and below) like a role, within its rate; every call it makes is audited under its name.
public struct PartnerKeyService: Sendable {
    public static let tokenPrefix = "pk."
    public static let maxLifetime: TimeInterval = 2 * 365 * 86400
    static let touchInterval: TimeInterval = 60

    let database: Database
    let store = PartnerKeyStore()
    let orgs: any OrgDirectory
    let catalogue: PermissionCatalogue
    let clock: AppClock
    let limiter: RateLimiter
    let audit: AuditLog

    public init(database: Database, orgs: any OrgDirectory, catalogue: PermissionCatalogue, clock: AppClock) {
        self.database = database
        self.orgs = orgs
        self.catalogue = catalogue
        self.clock = clock
        self.limiter = RateLimiter(database: database)
        self.audit = AuditLog(database: database)
    }

    /// Keys are deployment-wide like roles: `role.manage` over every top-level org.
    func requireAdmin(_ actor: Actor) async throws {
        try actor.requireDeploymentWide(.roleManage, roots: try await orgs.roots())
    }

    /// Creates a key and returns it with its secret, which is never shown again.
    public func create(_ input: PartnerKeyInput, actor: Actor) async throws -> (key: PartnerKey, secret: String) {
        try await requireAdmin(actor)
        let now = clock.now()
        var v = Validator()
        let name = input.name.trimmingCharacters(in: .whitespaces)
        v.check((2...50).contains(name.count), "name", AccountText.keyNameLength)
        let permissions = Array(Set(input.permissions)).sorted()
        v.check(!permissions.isEmpty, "permissions", AccountText.keyNeedsPermissions)
        v.check(permissions.allSatisfy(catalogue.contains), "permissions", AccountText.unknownPermission)
        v.check((1...6000).contains(input.ratePerMinute), "ratePerMinute", AccountText.keyRate)
        v.check(input.expiresAt > now && input.expiresAt <= now.addingTimeInterval(Self.maxLifetime), "expiresAt", AccountText.keyExpiry)
        let org = try await orgs.org(input.orgId)
        v.check(org?.active == true, "orgId", AccountText.orgNotFound)
        try v.validate()
        guard let org else { throw AppError.validation(["orgId": AccountText.orgNotFound]) }
        let secret = Self.tokenPrefix + randomToken(bytes: 24)
        let row = PartnerKeyStore.Row(
            id: 0, name: name, keyPrefix: String(secret.prefix(10)), permissions: permissions.joined(separator: ","), orgId: org.id,
            ratePerMinute: input.ratePerMinute, expiresAt: input.expiresAt, createdBy: actor.name, createdAt: now)
        let id = try await database.transaction { [store] sql -> Int64 in
            if try await store.nameTaken(name, on: sql) { throw AppError.validation(["name": AccountText.keyNameTaken]) }
            let id = try await store.insert(row, hash: sha256Hex(secret), on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "partner_key.create", objectType: "partner_key", objectId: String(id), orgPath: org.path,
                           detail: ["name": name, "permissions": row.permissions, "rate": String(input.ratePerMinute)]), on: sql)
            return id
        }
        var key = Self.key(row, orgName: org.name)
        key.id = id
        return (key, secret)
    }

    public func list(actor: Actor) async throws -> [PartnerKey] {
        try await requireAdmin(actor)
        let rows = try await database.withConnection { [store] sql in try await store.all(on: sql) }
        let names = Dictionary(try await orgs.orgs(Array(Set(rows.map(\.orgId)))).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return rows.map { Self.key($0, orgName: names[$0.orgId] ?? "") }
    }

    public func revoke(_ id: Int64, actor: Actor) async throws -> PartnerKey {
        try await requireAdmin(actor)
        let now = clock.now()
        let row = try await database.transaction { [store] sql -> PartnerKeyStore.Row in
            guard try await store.key(id: id, on: sql) != nil else { throw AppError.notFound() }
            guard try await store.revoke(id: id, by: actor.name, at: now, on: sql) else { throw AppError.conflict(AccountText.keyAlreadyRevoked) }
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "partner_key.revoke", objectType: "partner_key", objectId: String(id), orgPath: nil), on: sql)
            guard let row = try await store.key(id: id, on: sql) else { throw AppError.notFound() }
            return row
        }
        return Self.key(row, orgName: try await orgs.org(row.orgId)?.name ?? "")
    }

    /// The session a key's bearer token stands for: nil when unknown, revoked or expired; 429 past its rate.
    func resolve(token: String, ip: String) async throws -> SessionInfo? {
        guard token.hasPrefix(Self.tokenPrefix), token.count <= 100 else { return nil }
        let now = clock.now()
        let id = sha256Hex(token)
        guard let row = try await database.withConnection({ [store] sql in try await store.key(hash: id, on: sql) }),
            row.revokedAt == nil, row.expiresAt > now
        else { return nil }
        do {
            try await limiter.hit([.init("partner_key:\(row.id)", limit: row.ratePerMinute, per: 60)], now: now)
        } catch let error as AppError where error.status == .tooManyRequests {
            // Refused before any route runs, so recorded here: every call of a key is in the audit log.
            try await audit.record(
                AuditEntry(actor: .init(principal: nil, ip: ip, requestId: "key:\(row.name)"), action: "api.rate_limited",
                           objectType: "partner_key", objectId: String(row.id), orgPath: nil, result: .denied, detail: ["name": row.name]))
            throw error
        }
        if now.timeIntervalSince(row.lastUsedAt ?? .distantPast) > Self.touchInterval {
            try await database.transaction { [store] sql in try await store.touch(id: row.id, at: now, on: sql) }
        }
        // A key on a closed or merged org holds nothing, like a role there.
        let org = try await orgs.org(row.orgId)
        let assignments = org.flatMap { org -> [RoleAssignment]? in
            guard org.active else { return nil }
            return [RoleAssignment(id: 0, roleCode: "partner_key", roleName: AccountText.partnerKeyRole, orgId: org.id, orgPath: org.path,
                                   orgName: org.name, permissions: Set(Self.permissions(row.permissions)))]
        }
        let principal = Principal(partnerKeyId: row.id, name: row.name, assignments: assignments ?? [])
        return SessionInfo(id: id, kind: .api, stage: .full, csrfToken: "", principal: principal)
    }

    static func permissions(_ text: String) -> [Permission] { text.split(separator: ",").map { Permission(String($0)) } }

    static func key(_ row: PartnerKeyStore.Row, orgName: String) -> PartnerKey {
        PartnerKey(
            id: row.id, name: row.name, prefix: row.keyPrefix, permissions: permissions(row.permissions), orgId: row.orgId, orgName: orgName,
            ratePerMinute: row.ratePerMinute, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt, revokedAt: row.revokedAt,
            revokedBy: row.revokedBy, createdBy: row.createdBy, createdAt: row.createdAt)
    }
}
