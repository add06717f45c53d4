import Crypto
import Foundation
import HummingbirdOTP
import Platform

/// The second factor: TOTP codes that work once, ten one-time recovery codes, and enrolment that
/// changes nothing on a GET and asks for the current factor before replacing it.
/// The sealed columns of the Accounts domain (see `SealedField`).
public enum AccountFields {
    public static let totpSecret = SealedField("accounts", "totp_secret")
    public static let totpPending = SealedField("accounts", "totp_pending")
    public static let columns = [SealedColumn(totpSecret), SealedColumn(totpPending)]
}

extension AuthService {
    public static let recoveryCodeCount = 10

    /// Checks `code` (a TOTP code, or a recovery code) and uses it up: a TOTP time step is accepted
    /// once, a recovery code once. Wrong codes count toward the lockout, unless the caller `counted`
    /// the attempt already (the API login, which sends password and code together).
    func useSecondFactor(_ account: Account, code: String, at now: Date, actor: Actor, counted: Bool = false) async throws -> Bool {
        let used: Bool
        if let recovery = Self.normalizedRecoveryCode(code) {
            used = try await database.transaction { [store] sql in
                let hash = Self.recoveryHash(recovery, account: account.id)
                guard try await store.useRecoveryCode(accountId: account.id, hash: hash, at: now, on: sql) else { return false }
                try await AuditLog.record(
                    AuditEntry(actor: actor, action: "auth.recovery_code", objectType: "account", objectId: String(account.id),
                               orgPath: account.homeOrgPath), on: sql)
                return true
            }
        } else if let sealed = account.totpSecret, let step = try totpStep(sealed, AccountFields.totpSecret, code: code, at: now) {
            used = try await database.transaction { [store] sql in
                try await store.advanceTOTPStep(accountId: account.id, to: step, on: sql)
            }
        } else {
            used = false
        }
        if !used && !counted { try await recordFailure(account, now: now) }
        return used
    }

    /// The time step `code` was made for (one step either side for clock drift), if it matches.
    func totpStep(_ sealed: String, _ field: SealedField, code: String, at date: Date) throws -> Int64? {
        let totp = TOTP(secret: try cipher.open(sealed, for: field))
        let code = code.filter(\.isNumber)
        guard code.count == 6 else { return nil }
        let now = Int64(date.timeIntervalSince1970) / 30
        for step in [now - 1, now, now + 1] where String(format: "%06d", totp.compute(date: Date(timeIntervalSince1970: Double(step * 30)))) == code {
            return step
        }
        return nil
    }

    /// Completes a password-only session with a TOTP or recovery code.
    public func verifyTOTP(session: SessionInfo, code: String, actor: Actor) async throws {
        let now = clock.now()
        guard session.stage == .needsTOTP, let account = try await account(session) else { throw AppError.unauthenticated }
        if let until = account.lockedUntil, until > now {
            throw AppError(.tooManyRequests, code: "locked", message: AccountText.locked(minutes: Int((until.timeIntervalSince(now) / 60).rounded(.up))))
        }
        guard try await useSecondFactor(account, code: code, at: now, actor: actor) else {
            try await audit.record(
                AuditEntry(actor: actor, action: "auth.totp", objectType: "account", objectId: String(account.id),
                           orgPath: account.homeOrgPath, result: .failed))
            throw AppError.validation(["code": AccountText.badTOTP], message: AccountText.badTOTP)
        }
        try await promote(session: session, account: account, action: "auth.totp", actor: actor)
    }

    /// The secret being enrolled and its otpauth URL, if enrolment has been started. Reads only.
    public func pendingEnrolment(session: SessionInfo) async throws -> (secret: String, url: String)? {
        guard let account = try await account(session), let sealed = account.totpPending else { return nil }
        let secret = try cipher.open(sealed, for: AccountFields.totpPending)
        let url = TOTP(secret: secret).createAuthenticatorURL(label: "网上职工之家:\(account.username)", issuer: "网上职工之家")
        let base32 = URLComponents(string: url)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return (base32, url)
    }

    /// Whether the session's account has a second factor in use (re-enrolment then needs it).
    public func hasSecondFactor(session: SessionInfo) async throws -> Bool {
        try await account(session)?.totpEnabled == true
    }

    /// Starts (or restarts) enrolment with a new secret. An account that already has a second factor
    /// must prove it first: a stolen password alone must not replace the authenticator.
    public func startEnrolment(session: SessionInfo, code: String?, actor: Actor) async throws {
        let now = clock.now()
        guard let account = try await account(session) else { throw AppError.unauthenticated }
        if account.totpEnabled {
            guard let code, !code.isEmpty, try await useSecondFactor(account, code: code, at: now, actor: actor) else {
                try await audit.record(
                    AuditEntry(actor: actor, action: "auth.totp_enrol_start", objectType: "account", objectId: String(account.id),
                               orgPath: account.homeOrgPath, result: .denied))
                throw AppError.validation(["code": AccountText.currentFactorRequired], message: AccountText.currentFactorRequired)
            }
        }
        let sealed = try cipher.seal(randomToken(bytes: 15), for: AccountFields.totpPending)
        try await database.transaction { [store] sql in
            try await store.setPendingTOTP(accountId: account.id, sealed: sealed, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "auth.totp_enrol_start", objectType: "account", objectId: String(account.id),
                           orgPath: account.homeOrgPath, detail: ["replacing": String(account.totpEnabled)]), on: sql)
        }
    }

    /// Puts the pending secret in use once a code from it is right; returns ten new recovery codes,
    /// shown once (only their hashes are kept). Earlier recovery codes stop working.
    public func confirmEnrolment(session: SessionInfo, code: String, actor: Actor) async throws -> [String] {
        let now = clock.now()
        guard let account = try await account(session) else { throw AppError.unauthenticated }
        guard let pending = account.totpPending else {
            throw AppError.validation(["code": AccountText.noPendingEnrolment], message: AccountText.noPendingEnrolment)
        }
        guard let step = try totpStep(pending, AccountFields.totpPending, code: code, at: now) else {
            throw AppError.validation(["code": AccountText.badTOTP], message: AccountText.badTOTP)
        }
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
        let hashes = codes.map { Self.recoveryHash(Self.normalizedRecoveryCode($0) ?? $0, account: account.id) }
        // Sealed again for its new column: a seal names its column.
        let secret = try cipher.seal(try cipher.open(pending, for: AccountFields.totpPending), for: AccountFields.totpSecret)
        try await database.transaction { [store] sql in
            try await store.enableTOTP(accountId: account.id, secret: secret, step: step, recoveryHashes: hashes, at: now, on: sql)
        }
        try await promote(session: session, account: account, action: account.totpEnabled ? "auth.totp_replace" : "auth.totp_enrol", actor: actor)
        return codes
    }

    func account(_ session: SessionInfo) async throws -> Account? {
        try await database.withConnection { [store] in try await store.account(id: session.principal.accountId, on: $0) }
    }

    /// `k7m2p-9xq4t`: ten characters without look-alikes (no 0/o, 1/l/i), grouped for reading aloud.
    static func newRecoveryCode() -> String {
        let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyz")
        var rng = SystemRandomNumberGenerator()
        let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
        return String(chars[0..<5]) + "-" + String(chars[5..<10])
    }

    /// The ten characters of a recovery code as typed (any case, dashes and spaces ignored), or nil if it is not one.
    static func normalizedRecoveryCode(_ text: String) -> String? {
        let t = text.lowercased().filter { $0 != "-" && $0 != " " }
        guard t.count == 10, t.allSatisfy({ "23456789abcdefghjkmnpqrstuvwxyz".contains($0) }) else { return nil }
        return t
    }

    static func recoveryHash(_ normalized: String, account: Int64) -> String { sha256Hex("\(account):\(normalized)") }
}
