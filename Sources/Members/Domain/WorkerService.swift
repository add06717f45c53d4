import Foundation
import Logging
import Platform
import SQLKit

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
        try await database.transaction { sql in
            if let row = try await sql.select().column("sent_at").from("sms_codes").where("phone_index", .equal, index)
                .where("purpose", .equal, "register").first(),
                try row.decode(column: "sent_at", as: Date.self).addingTimeInterval(Self.resendAfter) > now
            {
                throw AppError(.tooManyRequests, code: "too_soon", message: MemberText.codeTooSoon)
            }
            try await sql.delete(from: "sms_codes").where("phone_index", .equal, index).where("purpose", .equal, "register").run()
            try await sql.insert(into: "sms_codes").columns("phone_index", "purpose", "code_hash", "expires_at", "attempts", "sent_at")
                .values(SQLBind(index), SQLBind("register"), SQLBind(sha256Hex(index + code)),
                        SQLBind(now.addingTimeInterval(Self.codeLifetime)), SQLBind(0), SQLBind(now)).run()
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
        let stored = try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE sms_codes SET attempts = attempts + 1
                WHERE phone_index = \(bind: index) AND purpose = 'register' AND attempts < 5 AND expires_at > \(bind: now)
                RETURNING code_hash
                """
            ).first()?.decode(column: "code_hash", as: String.self)
        }
        guard let stored, constantTimeEqual(stored, sha256Hex(index + code.trimmingCharacters(in: .whitespaces))) else {
            throw AppError.validation(["code": MemberText.badCode])
        }
        let hash = try await passwords.hash(password)
        let workerId = try await database.transaction { [records] sql -> Int64 in
            if try await sql.select().column("id").from("workers").where("phone_index", .equal, index).first() != nil {
                throw AppError.validation(["phone": MemberText.phoneTaken])
            }
            try await sql.delete(from: "sms_codes").where("phone_index", .equal, index).run()
            let id = try await sql.insert(into: "workers")
                .columns("phone_cipher", "phone_index", "phone_mask", "password_hash", "failed_logins", "created_at")
                .values(SQLBind(try records.seal(phone, MemberFields.workerPhone)), SQLBind(index), SQLBind(Phone.mask(phone)), SQLBind(hash),
                        SQLBind(0), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int64.self)
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
        let row = try await database.withConnection { sql in
            try await sql.select().columns("id", "password_hash", "failed_logins", "locked_until").from("workers")
                .where("phone_index", .equal, index).first()
        }
        guard let row else {
            _ = try await passwords.verify(password, hash: passwords.decoy)
            throw AppError(.unauthorized, code: "invalid_credentials", message: MemberText.loginFailed)
        }
        let id = try row.decode(column: "id", as: Int64.self)
        // Counted before the check, in one statement, so parallel guesses get five checks in all.
        let attempts = try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE workers SET failed_logins = failed_logins + 1
                WHERE id = \(bind: id) AND (locked_until IS NULL OR locked_until <= \(bind: now)) RETURNING failed_logins
                """
            ).first()?.decode(column: "failed_logins", as: Int.self)
        }
        func lock() async throws {
            try await database.transaction { sql in
                try await sql.update("workers").set("locked_until", to: now.addingTimeInterval(900)).set("failed_logins", to: 0)
                    .where("id", .equal, id).run()
            }
        }
        guard let attempts, attempts <= 5 else {
            if attempts != nil { try await lock() }
            throw AppError(.tooManyRequests, code: "locked", message: MemberText.locked(minutes: 15))
        }
        guard try await passwords.verify(password, hash: row.decode(column: "password_hash", as: String.self)) else {
            if attempts == 5 { try await lock() }
            throw AppError(.unauthorized, code: "invalid_credentials", message: MemberText.loginFailed)
        }
        try await database.transaction { sql in
            try await sql.update("workers").set("failed_logins", to: 0).where("id", .equal, id).run()
        }
        return try await openSession(workerId: id, now: now)
    }

    func openSession(workerId: Int64, now: Date) async throws -> String {
        let token = randomToken()
        try await database.transaction { sql in
            try await sql.insert(into: "worker_sessions").columns("id", "worker_id", "csrf_token", "created_at", "last_seen_at", "expires_at")
                .values(SQLBind(sha256Hex(token)), SQLBind(workerId), SQLBind(randomToken(bytes: 24)), SQLBind(now), SQLBind(now),
                        SQLBind(now.addingTimeInterval(Self.absoluteLifetime))).run()
        }
        return token
    }

    public func logout(_ session: WorkerSessionInfo) async throws {
        try await database.transaction { try await $0.delete(from: "worker_sessions").where("id", .equal, session.id).run() }
    }

    public func resolve(token: String) async throws -> WorkerSessionInfo? {
        guard token.count >= 20, token.count <= 100 else { return nil }
        let id = sha256Hex(token)
        let now = clock.now()
        let found = try await database.withConnection { sql -> (session: any SQLRow, phoneMask: String)? in
            guard let row = try await sql.select().columns("worker_id", "csrf_token", "last_seen_at", "expires_at").from("worker_sessions")
                .where("id", .equal, id).first()
            else { return nil }
            let workerId = try row.decode(column: "worker_id", as: Int64.self)
            let phoneMask = try await sql.select().column("phone_mask").from("workers").where("id", .equal, workerId).first()?
                .decode(column: "phone_mask", as: String.self) ?? ""
            return (row, phoneMask)
        }
        guard let (row, phoneMask) = found else { return nil }
        // Writes run after the read's connection is back (see `Database`), and only when needed.
        let lastSeen = try row.decode(column: "last_seen_at", as: Date.self)
        if try row.decode(column: "expires_at", as: Date.self) < now || lastSeen.addingTimeInterval(Self.idleTimeout) < now {
            try await database.transaction { try await $0.delete(from: "worker_sessions").where("id", .equal, id).run() }
            return nil
        }
        if now.timeIntervalSince(lastSeen) > 60 {
            try await database.transaction {
                try await $0.update("worker_sessions").set("last_seen_at", to: now).where("id", .equal, id).run()
            }
        }
        return WorkerSessionInfo(
            id: id, workerId: try row.decode(column: "worker_id", as: Int64.self), csrfToken: try row.decode(column: "csrf_token", as: String.self),
            phoneMask: phoneMask)
    }

    /// The worker's own phone number (to prefill the joining form).
    public func phone(of workerId: Int64) async throws -> String {
        let sealed = try await database.withConnection { sql in
            try await sql.select().column("phone_cipher").from("workers").where("id", .equal, workerId).first()!
                .decode(column: "phone_cipher", as: String.self)
        }
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
            try await sql.insert(into: "sms_outbox").columns("phone_cipher", "phone_mask", "body", "created_at")
                .values(SQLBind(sealed), SQLBind(Phone.mask(phone)), SQLBind(body), SQLBind(Date())).run()
        }
    }
}
