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

    /// Sends a 6-digit code for registration: at most one a minute, five an hour and ten a day per
    /// number; five an hour per browser session (`session`) and thirty an hour per address.
    public func sendCode(to rawPhone: String, session: String, actor: Actor) async throws {
        let phone = try Self.phone(rawPhone)
        let index = records.phoneIndex(phone)
        let now = clock.now()
        try await limiter.hit(
            [
                .init("sms.phone:\(index)", limit: 5, per: 3600), .init("sms.phone:\(index)", limit: 10, per: 86400),
                .init("sms.session:\(sha256Hex(session))", limit: 5, per: 3600), .init("sms.ip:\(actor.ip)", limit: 30, per: 3600),
            ], now: now)
        let code = String(format: "%06d", Int.random(in: 0...999_999))
        try await database.transaction { [store] sql in
            if let sent = try await store.codeSentAt(phoneIndex: index, purpose: "register", on: sql), sent.addingTimeInterval(Self.resendAfter) > now {
                throw AppError(.tooManyRequests, code: "too_soon", message: MemberText.codeTooSoon)
            }
            try await store.storeCode(phoneIndex: index, purpose: "register", codeHash: sha256Hex(index + code),
                                      expiresAt: now.addingTimeInterval(Self.codeLifetime), now: now, on: sql)
        }
        try await sms.send(to: phone, body: MemberText.smsBody(code))
    }

    /// Creates the worker's account once the code checks out, and signs them in.
    public func register(phone rawPhone: String, code: String, password: String, actor: Actor) async throws -> (token: String, workerId: Int64) {
        let phone = try Self.phone(rawPhone)
        var v = Validator()
        if let problem = PasswordPolicy.problem(with: password) { v.fail("password", problem) }
        try v.validate()
        let index = records.phoneIndex(phone)
        let now = clock.now()
        // The attempt is counted in a transaction of its own before the code is compared: a wrong
        // code's error must not roll its count back (it once did, and codes could be tried for ever).
        let stored = try await database.transaction { [store] sql in
            try await store.attemptCode(phoneIndex: index, purpose: "register", now: now, on: sql)
        }
        guard let stored, constantTimeEqual(stored, sha256Hex(index + code.trimmingCharacters(in: .whitespaces))) else {
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
        return (try await openSession(workerId: workerId, now: now), workerId)
    }

    public func login(phone rawPhone: String, password: String, actor: Actor) async throws -> String {
        let now = clock.now()
        try await limiter.hit([.init("login.ip:\(actor.ip)", limit: 60, per: 60), .init("login.ip:\(actor.ip)", limit: 600, per: 3600)], now: now)
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
        return try await openSession(workerId: id, now: now)
    }

    func openSession(workerId: Int64, now: Date) async throws -> String {
        let token = randomToken()
        try await database.transaction { [store] sql in
            try await store.insertSession(id: sha256Hex(token), workerId: workerId, csrfToken: randomToken(bytes: 24), now: now,
                                          expiresAt: now.addingTimeInterval(Self.absoluteLifetime), on: sql)
        }
        return token
    }

    public func logout(_ session: WorkerSessionInfo) async throws {
        try await database.transaction { [store] sql in try await store.deleteSession(session.id, on: sql) }
    }

    public func resolve(token: String) async throws -> WorkerSessionInfo? {
        guard token.count >= 20, token.count <= 100 else { return nil }
        let id = sha256Hex(token)
        let now = clock.now()
        let found = try await database.withConnection { [store] sql -> (session: WorkerStore.Session, phoneMask: String)? in
            guard let session = try await store.session(id, on: sql) else { return nil }
            return (session, try await store.phoneMask(workerId: session.workerId, on: sql) ?? "")
        }
        guard let (session, phoneMask) = found else { return nil }
        // Writes run after the read's connection is back (see `Database`), and only when needed.
        if session.expiresAt < now || session.lastSeenAt.addingTimeInterval(Self.idleTimeout) < now {
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
