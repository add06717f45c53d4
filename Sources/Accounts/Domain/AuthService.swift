import Crypto
import Foundation
import HummingbirdOTP
import Platform

/// Sign-in, second factor and server-side sessions. Resolves the session of every request.
public struct AuthService: SessionResolver {
    public static let maxFailures = 5
    public static let lockout: TimeInterval = 15 * 60
    public static let idleTimeout: TimeInterval = 30 * 60
    public static let absoluteLifetime: TimeInterval = 12 * 3600
    /// `last_seen_at` is written at most this often, not on every request.
    static let touchInterval: TimeInterval = 60

    let database: Database
    let store: AccountStore
    let passwords: PasswordPolicy
    let cipher: FieldCipher
    let clock: AppClock
    let orgs: any OrgDirectory
    let audit: AuditLog
    let limiter: RateLimiter
    /// Bearer tokens that begin with `PartnerKeyService.tokenPrefix` are partner keys, resolved there.
    let partnerKeys: PartnerKeyService?

    public init(
        database: Database, passwords: PasswordPolicy, cipher: FieldCipher, clock: AppClock, orgs: any OrgDirectory,
        partnerKeys: PartnerKeyService? = nil
    ) {
        self.database = database
        self.partnerKeys = partnerKeys
        self.passwords = passwords
        self.cipher = cipher
        self.clock = clock
        self.orgs = orgs
        self.store = AccountStore(orgLabels: orgs.labelRelation)
        self.audit = AuditLog(database: database)
        self.limiter = RateLimiter(database: database)
    }

    public struct LoginResult: Sendable {
        public var token: String
        public var stage: SessionStage
        public var expiresAt: Date
    }

    /// Checks a password, counts failures toward a lockout, and opens a session at the right stage.
    /// For API sessions the TOTP code must come with the password.
    public func login(username: String, password: String, totpCode: String? = nil, kind: SessionKind, actor: Actor)
        async throws -> LoginResult
    {
        let username = username.trimmingCharacters(in: .whitespaces).lowercased()
        let now = clock.now()
        try await limiter.hit([.init("login.ip:\(actor.ip)", limit: 60, per: 60), .init("login.ip:\(actor.ip)", limit: 600, per: 3600)], now: now)
        guard let account = try await database.withConnection({ try await store.account(username: username, on: $0) }) else {
            _ = try await passwords.verify(password, hash: passwords.decoy)
            try await audit.record(
                AuditEntry(actor: actor, action: "auth.login", objectType: "account", objectId: username, orgPath: nil,
                           result: .failed, detail: ["reason": "unknown user"]))
            throw AppError(.unauthorized, code: "invalid_credentials", message: AccountText.invalidCredentials)
        }
        let actorFor = Actor(principal: nil, ip: actor.ip, requestId: actor.requestId)
        /// A login's entry names the account tried, not the anonymous request.
        @Sendable func loginEntry(result: AuditEntry.Result = .ok, _ detail: [String: String]) -> AuditEntry {
            var entry = AuditEntry(actor: actorFor, action: "auth.login", objectType: "account", objectId: String(account.id),
                                   orgPath: account.homeOrgPath, result: result, detail: detail)
            entry.actorName = username
            return entry
        }
        func fail(_ reason: String, _ error: AppError) async throws -> Never {
            try await audit.record(loginEntry(result: .failed, ["reason": reason, "username": username]))
            throw error
        }
        // The attempt is counted before the password is checked, in one statement: requests racing
        // in parallel get at most `maxFailures` checks between them before the lock.
        guard let attempt = try await reserveAttempt(account, now: now) else {
            let until = try await database.withConnection { try await store.account(id: account.id, on: $0) }?.lockedUntil ?? now
            let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
            try await fail("locked", AppError(.tooManyRequests, code: "locked", message: AccountText.locked(minutes: minutes)))
        }
        guard try await passwords.verify(password, hash: account.passwordHash) else {
            if attempt >= Self.maxFailures { try await lock(account, now: now) }
            try await fail("bad password", AppError(.unauthorized, code: "invalid_credentials", message: AccountText.invalidCredentials))
        }
        guard account.status == .active else {
            try await fail("disabled", AppError(.forbidden, code: "disabled", message: AccountText.disabled))
        }
        var stage: SessionStage = .full
        if account.totpEnabled {
            stage = .needsTOTP
        } else if try await requiresTOTP(account) {
            stage = .needsEnrolment
        }
        if kind == .api {
            switch stage {
            case .needsEnrolment:
                try await fail("totp not enrolled", AppError(.forbidden, code: "totp_enrolment_required", message: AccountText.enrolFirst))
            case .needsTOTP:
                guard let totpCode, !totpCode.isEmpty else {
                    try await fail("totp missing", AppError(.unauthorized, code: "totp_required", message: AccountText.totpRequired))
                }
                guard try await useSecondFactor(account, code: totpCode, at: now, actor: actorFor, counted: true) else {
                    try await fail("bad totp", AppError(.unauthorized, code: "invalid_totp", message: AccountText.badTOTP))
                }
                stage = .full
            case .full: break
            }
        }
        let token = randomToken()
        let expires = now.addingTimeInterval(Self.absoluteLifetime)
        let session = AccountStore.SessionRow(
            id: sha256Hex(token), accountId: account.id, kind: kind, stage: stage, csrfToken: randomToken(bytes: 24),
            createdAt: now, lastSeenAt: now, expiresAt: expires)
        try await database.transaction { [store, stage] sql in
            try await store.insertSession(session, ip: actor.ip, on: sql)
            try await store.recordLogin(account.id, at: now, on: sql)
            try await AuditLog.record(loginEntry(["username": username, "kind": kind.rawValue, "stage": stage.rawValue]), on: sql)
        }
        return LoginResult(token: token, stage: stage, expiresAt: expires)
    }

    /// Counts one more attempt unless the account is locked; returns the attempts so far, or nil when
    /// locked (also when this attempt is one too many: then it locks).
    func reserveAttempt(_ account: Account, now: Date) async throws -> Int? {
        let attempts = try await database.transaction { [store] sql in try await store.countAttempt(account.id, at: now, on: sql) }
        guard let attempts else { return nil }
        if attempts > Self.maxFailures {
            try await lock(account, now: now)
            return nil
        }
        return attempts
    }

    func lock(_ account: Account, now: Date) async throws {
        try await database.transaction { [store] sql in
            try await store.lock(account.id, until: now.addingTimeInterval(Self.lockout), on: sql)
        }
    }

    func recordFailure(_ account: Account, now: Date) async throws {
        try await database.transaction { [store] sql in
            try await store.recordFailure(account.id, limit: Self.maxFailures, lockUntil: now.addingTimeInterval(Self.lockout), on: sql)
        }
    }

    func requiresTOTP(_ account: Account) async throws -> Bool {
        try await database.withConnection { [store] sql in
            try await store.grants(accountId: account.id, on: sql).contains { $0.role.requiresTOTP }
        }
    }

    func promote(session: SessionInfo, account: Account, action: String, actor: Actor) async throws {
        let now = clock.now()
        try await database.transaction { [store] sql in
            try await store.promoteSession(id: session.id, at: now, on: sql)
            try await store.clearFailures(account.id, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: action, objectType: "account", objectId: String(account.id),
                           orgPath: account.homeOrgPath), on: sql)
        }
    }

    public func logout(session: SessionInfo, actor: Actor) async throws {
        try await database.transaction { [store] sql in
            try await store.deleteSession(id: session.id, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "auth.logout", objectType: "account",
                           objectId: String(session.principal.accountId), orgPath: session.principal.assignments.first?.orgPath),
                on: sql)
        }
    }

    // MARK: SessionResolver

    public func resolve(token: String, kind: SessionKind, ip: String) async throws -> SessionInfo? {
        guard token.count >= 20, token.count <= 100 else { return nil }
        if token.hasPrefix(PartnerKeyService.tokenPrefix) {
            return kind == .api ? try await partnerKeys?.resolve(token: token, ip: ip) : nil
        }
        let now = clock.now()
        let id = sha256Hex(token)
        let found = try await database.withConnection { [store] sql in try await store.sessionWithGrants(id: id, on: sql) }
        guard let (session, account, grants) = found, session.kind == kind else { return nil }
        // Writes and the org lookup run after the read's connection is back in the pool (see `Database`).
        if session.expiresAt < now || session.lastSeenAt.addingTimeInterval(Self.idleTimeout) < now {
            try await database.transaction { [store] sql in try await store.deleteSession(id: id, on: sql) }
            return nil
        }
        guard account.status == .active else { return nil }
        if now.timeIntervalSince(session.lastSeenAt) > Self.touchInterval {
            try await database.transaction { [store] sql in try await store.touchSession(id: id, at: now, on: sql) }
        }
        let principal = Self.principal(account, grants: grants)
        return SessionInfo(id: id, kind: kind, stage: session.stage, csrfToken: session.csrfToken, principal: principal)
    }

    static func principal(_ account: Account, grants: [AccountStore.Grant]) -> Principal {
        let assignments = grants.compactMap { grant -> RoleAssignment? in
            // An assignment on a closed or merged org grants nothing.
            guard grant.orgActive else { return nil }
            return RoleAssignment(
                id: grant.assignmentId, roleCode: grant.role.code, roleName: grant.role.name, orgId: grant.orgId, orgPath: grant.orgPath,
                orgName: grant.orgName, permissions: grant.role.permissions)
        }
        return Principal(
            accountId: account.id, username: account.username, displayName: account.displayName, assignments: assignments)
    }
}

extension AuthService {
    /// The principal of an account by name, without a session: for the CLI and demo data acting as that cadre.
    public func principal(username: String) async throws -> Principal {
        let (account, grants) = try await database.withConnection { [store] sql in
            guard let account = try await store.account(username: username, on: sql) else { throw AppError.notFound() }
            return (account, try await store.grants(accountId: account.id, on: sql))
        }
        return Self.principal(account, grants: grants)
    }

    /// Deletes sessions past their absolute or idle lifetime (a periodic job).
    public func purgeExpiredSessions() async throws {
        let now = clock.now()
        try await database.transaction { [store] sql in
            try await store.purgeSessions(expiredAt: now, idleSince: now.addingTimeInterval(-Self.idleTimeout), on: sql)
        }
    }
}
