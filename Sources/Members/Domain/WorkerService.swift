import Foundation
import Logging
import Platform

/// Sends text messages. The development sender writes them to the log and the `sms_outbox` table;
/// a deployment plugs in its SMS gateway.
public protocol SMSSender: Sendable {
    func send(to phone: String, body: String) async throws
}

/// Member-site accounts of workers: register with a phone number, an SMS code and a password;
/// sign in; server-side sessions like the console's, in their own table.
public struct WorkerService: WorkerSessionResolver {
    public static let codeLifetime: TimeInterval = 600
    public static let resendAfter: TimeInterval = 60
    public static let idleTimeout: TimeInterval = 30 * 60
    public static let absoluteLifetime: TimeInterval = 7 * 24 * 3600

    let database: Database
    let records: MemberRecords
    let passwords: PasswordPolicy
    let sms: any SMSSender
    let clock: AppClock
    let audit: AuditLog
    let limiter: RateLimiter
    let store = WorkerStore()

    public init(database: Database, records: MemberRecords, passwords: PasswordPolicy, sms: any SMSSender, clock: AppClock) {
        self.database = database
        self.records = records
        self.passwords = passwords
        self.sms = sms
        self.clock = clock
        self.audit = AuditLog(database: database)
        self.limiter = RateLimiter(database: database)
    }

    /// What an SMS code is for: registering a new account, or signing in without the password.
    public enum CodePurpose: String, Sendable {
        case register, login, reset
    }

    /// Sends a 6-digit code: at most one a minute, five an hour and ten a day per number; five an
    /// hour per browser session or app (`session`) and thirty an hour per address. A sign-in or reset code
    /// goes only to a registered number, but the answer is the same either way (no enumeration).
    public func sendCode(to rawPhone: String, for purpose: CodePurpose = .register, session: String, actor: Actor) async throws {
        let phone = try Self.phone(rawPhone)
        let index = records.phoneIndex(phone)
        let now = clock.now()
        try await limiter.hit(
            [
                .init("sms.phone:\(index)", limit: 5, per: 3600), .init("sms.phone:\(index)", limit: 10, per: 86400),
                .init("sms.session:\(sha256Hex(session))", limit: 5, per: 3600), .init("sms.ip:\(actor.ip)", limit: 30, per: 3600),
            ], now: now)
        if purpose != .register {
            let known = try await database.withConnection { [store] sql in try await store.exists(phoneIndex: index, on: sql) }
            guard known else { return }
        }
        let code = String(format: "%06d", Int.random(in: 0...999_999))
        try await database.transaction { [store] sql in
            if let sent = try await store.codeSentAt(phoneIndex: index, purpose: purpose.rawValue, on: sql),
                sent.addingTimeInterval(Self.resendAfter) > now
            {
                throw AppError(.tooManyRequests, code: "too_soon", message: MemberText.codeTooSoon)
            }
            try await store.storeCode(phoneIndex: index, purpose: purpose.rawValue, codeHash: sha256Hex(index + code),
                                      expiresAt: now.addingTimeInterval(Self.codeLifetime), now: now, on: sql)
        }
        try await sms.send(to: phone, body: MemberText.smsBody(code))
    }

    /// Counts an attempt at a live code in a transaction of its own before comparing: a wrong
    /// code's error must not roll its count back (it once did, and codes could be tried for ever).
    func checkCode(_ code: String, phoneIndex index: String, purpose: CodePurpose, now: Date) async throws -> Bool {
        let stored = try await database.transaction { [store] sql in
            try await store.attemptCode(phoneIndex: index, purpose: purpose.rawValue, now: now, on: sql)
        }
        guard let stored else { return false }
        return constantTimeEqual(stored, sha256Hex(index + code.trimmingCharacters(in: .whitespaces)))
    }

    /// Creates the worker's account once the code checks out, and signs them in.
    public func register(phone rawPhone: String, code: String, password: String, kind: SessionKind = .web, actor: Actor) async throws
        -> WorkerToken
    {
        let phone = try Self.phone(rawPhone)
        var v = Validator()
        if let problem = PasswordPolicy.workerProblem(with: password, phone: phone) { v.fail("password", problem) }
        try v.validate()
        let index = records.phoneIndex(phone)
        let now = clock.now()
        guard try await checkCode(code, phoneIndex: index, purpose: .register, now: now) else {
            throw AppError.validation(["code": MemberText.badCode])
        }
        let hash = try await passwords.hash(password)
        let workerId = try await database.transaction { [records, store] sql -> Int64 in
            if try await store.exists(phoneIndex: index, on: sql) {
                throw AppError.validation(["phone": MemberText.phoneTaken])
            }
            try await store.deleteCodes(phoneIndex: index, on: sql)
            let id = try await store.insertWorker(
                phoneCipher: try records.seal(phone, MemberFields.workerPhone), phoneIndex: index, phoneMask: Phone.mask(phone),
                passwordHash: hash, now: now, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "worker.register", objectType: "worker", objectId: String(id),
                                                 orgPath: nil, detail: ["phone": Phone.mask(phone)]), on: sql)
            return id
        }
        return try await openSession(workerId: workerId, kind: kind, now: now)
    }

    func limitLogins(_ actor: Actor, now: Date) async throws {
        try await limiter.hit([.init("login.ip:\(actor.ip)", limit: 60, per: 60), .init("login.ip:\(actor.ip)", limit: 600, per: 3600)], now: now)
    }

    public func login(phone rawPhone: String, password: String, kind: SessionKind = .web, actor: Actor) async throws -> WorkerToken {
        let now = clock.now()
        try await limitLogins(actor, now: now)
        let phone = (try? Self.phone(rawPhone)) ?? rawPhone
        let index = records.phoneIndex(phone)
        let found = try await database.withConnection { [store] sql in try await store.credentials(phoneIndex: index, on: sql) }
        guard let found else {
            _ = try await passwords.verify(password, hash: passwords.decoy)
            throw AppError(.unauthorized, code: "invalid_credentials", message: MemberText.loginFailed)
        }
        let id = found.id
        // Counted before the check, in a transaction of its own, so a wrong password cannot roll it back.
        let attempts = try await database.transaction { [store] sql in try await store.countLoginAttempt(workerId: id, now: now, on: sql) }
        func lock() async throws {
            try await database.transaction { [store] sql in try await store.lock(workerId: id, until: now.addingTimeInterval(900), on: sql) }
        }
        guard let attempts, attempts <= 5 else {
            if attempts != nil { try await lock() }
            throw AppError(.tooManyRequests, code: "locked", message: MemberText.locked(minutes: 15))
        }
        guard try await passwords.verify(password, hash: found.passwordHash) else {
            if attempts == 5 { try await lock() }
            throw AppError(.unauthorized, code: "invalid_credentials", message: MemberText.loginFailed)
        }
        try await database.transaction { [store] sql in try await store.clearFailedLogins(workerId: id, on: sql) }
        return try await openSession(workerId: id, kind: kind, now: now)
    }

    /// Signs in with a code sent by `sendCode(for: .login)` instead of the password (an app's usual way).
    public func login(phone rawPhone: String, code: String, kind: SessionKind = .web, actor: Actor) async throws -> WorkerToken {
        let now = clock.now()
        try await limitLogins(actor, now: now)
        let index = records.phoneIndex((try? Self.phone(rawPhone)) ?? rawPhone)
        let failed = AppError(.unauthorized, code: "invalid_code", message: MemberText.badCode)
        guard try await checkCode(code, phoneIndex: index, purpose: .login, now: now) else { throw failed }
        let found = try await database.transaction { [store] sql in
            try await store.deleteCodes(phoneIndex: index, on: sql)
            return try await store.credentials(phoneIndex: index, on: sql)
        }
        guard let found else { throw failed }
        return try await openSession(workerId: found.id, kind: kind, now: now)
    }

    /// 忘记密码: a code sent by `sendCode(for: .reset)` sets a new password; every session ends.
    public func resetPassword(phone rawPhone: String, code: String, password: String, actor: Actor) async throws {
        let phone = try Self.phone(rawPhone)
        if let problem = PasswordPolicy.workerProblem(with: password, phone: phone) { throw AppError.validation(["password": problem]) }
        let index = records.phoneIndex(phone)
        let now = clock.now()
        guard try await checkCode(code, phoneIndex: index, purpose: .reset, now: now) else { throw AppError.validation(["code": MemberText.badCode]) }
        let hash = try await passwords.hash(password)
        try await database.transaction { [store] sql in
            guard let found = try await store.credentials(phoneIndex: index, on: sql) else { throw AppError.validation(["code": MemberText.badCode]) }
            try await store.deleteCodes(phoneIndex: index, on: sql)
            try await store.setPassword(workerId: found.id, hash: hash, on: sql)
            try await store.deleteSessions(workerId: found.id, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "worker.password_reset", objectType: "worker", objectId: String(found.id), orgPath: nil), on: sql)
        }
    }

    /// 修改密码 while signed in: the current password, then the new one; the worker's other sessions end.
    public func changePassword(_ session: WorkerSessionInfo, current: String, new: String, actor: Actor) async throws {
        let phone = try await self.phone(of: session.workerId)
        var v = Validator()
        if let problem = PasswordPolicy.workerProblem(with: new, phone: phone) { v.fail("new", problem) }
        try v.validate()
        let stored = try await database.withConnection { [store] sql in try await store.passwordHash(workerId: session.workerId, on: sql) }
        guard let stored, try await passwords.verify(current, hash: stored) else {
            throw AppError.validation(["current": MemberText.currentPasswordWrong])
        }
        let hash = try await passwords.hash(new)
        try await database.transaction { [store] sql in
            try await store.setPassword(workerId: session.workerId, hash: hash, on: sql)
            try await store.deleteSessions(workerId: session.workerId, except: session.id, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "worker.password_change", objectType: "worker", objectId: String(session.workerId), orgPath: nil),
                on: sql)
        }
    }

    func openSession(workerId: Int64, kind: SessionKind, now: Date) async throws -> WorkerToken {
        // App tokens carry a prefix so the API can tell them from staff tokens without a lookup.
        let token = (kind == .api ? WorkerToken.apiPrefix : "") + randomToken()
        let expiresAt = now.addingTimeInterval(Self.lifetime(kind).absolute)
        try await database.transaction { [store] sql in
            try await store.insertSession(
                id: sha256Hex(token), workerId: workerId, kind: kind, csrfToken: randomToken(bytes: 24), now: now, expiresAt: expiresAt, on: sql)
        }
        return WorkerToken(token: token, workerId: workerId, expiresAt: expiresAt)
    }

    /// A browser session idles out after half an hour; an app keeps its token for a week unused, a month at most.
    static func lifetime(_ kind: SessionKind) -> (idle: TimeInterval, absolute: TimeInterval) {
        kind == .api ? (7 * 86400, 30 * 86400) : (Self.idleTimeout, Self.absoluteLifetime)
    }

    public func logout(_ session: WorkerSessionInfo) async throws {
        try await database.transaction { [store] sql in try await store.deleteSession(session.id, on: sql) }
    }

    public func resolve(token: String, kind: SessionKind) async throws -> WorkerSessionInfo? {
        guard token.count >= 20, token.count <= 100, token.hasPrefix(WorkerToken.apiPrefix) == (kind == .api) else { return nil }
        let id = sha256Hex(token)
        let now = clock.now()
        let found = try await database.withConnection { [store] sql -> (session: WorkerStore.Session, phoneMask: String)? in
            guard let session = try await store.session(id, on: sql) else { return nil }
            return (session, try await store.phoneMask(workerId: session.workerId, on: sql) ?? "")
        }
        guard let (session, phoneMask) = found, session.kind == kind else { return nil }
        // Writes run after the read's connection is back (see `Database`), and only when needed.
        if session.expiresAt < now || session.lastSeenAt.addingTimeInterval(Self.lifetime(kind).idle) < now {
            try await database.transaction { [store] sql in try await store.deleteSession(id, on: sql) }
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            try await database.transaction { [store] sql in try await store.touchSession(id, at: now, on: sql) }
        }
        return WorkerSessionInfo(id: id, workerId: session.workerId, csrfToken: session.csrfToken, phoneMask: phoneMask)
    }

    /// The worker's own phone number (to prefill the joining form).
    public func phone(of workerId: Int64) async throws -> String {
        let sealed = try await database.withConnection { [store] sql in try await store.phoneCipher(workerId: workerId, on: sql) }
        guard let sealed else { throw AppError.unauthenticated }
        return try records.open(sealed, MemberFields.workerPhone)
    }

    static func phone(_ raw: String) throws -> String {
        switch Phone.parse(raw) {
        case .success(let p): return p.value
        case .failure(let problem): throw AppError.validation(["phone": problem.message])
        }
    }
}

/// A worker's session token as issued: the cookie's value on the member site, a bearer token in apps.
public struct WorkerToken: Sendable {
    public static let apiPrefix = workerTokenPrefix
    public let token: String
    public let workerId: Int64
    public let expiresAt: Date
}

/// The development SMS sender: the message goes to the log and the outbox table, nowhere else.
public struct OutboxSMSSender: SMSSender {
    let database: Database
    let cipher: FieldCipher
    let logger: Logger

    public init(database: Database, cipher: FieldCipher, logger: Logger) {
        self.database = database
        self.cipher = cipher
        self.logger = logger
    }

    public func send(to phone: String, body: String) async throws {
        logger.notice("SMS (development sender, not sent)", metadata: ["to": "\(Phone.mask(phone))", "body": "\(body)"])
        let sealed = try cipher.seal(phone, for: MemberFields.outboxPhone)
        try await database.transaction { sql in
            try await WorkerStore().queueSMS(phoneCipher: sealed, phoneMask: Phone.mask(phone), body: body, at: Date(), on: sql)
        }
    }
}
