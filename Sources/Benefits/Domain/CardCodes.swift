import Crypto
import Foundation

/// The e-card's changing codes. Both keys are derived from the deployment's key, so nothing new is
/// kept on disk and every node of a deployment computes the same codes and signatures.
///
/// - Online: each card has a secret (HMAC of its id under the code key); the code of a 30-second
///   step is a 10-digit truncation of HMAC(secret, step), like TOTP. The server remembers the codes it
///   shows (`card_codes`), so a cashier's 10 digits find the card; a code works once and only until
///   the end of the next step.
/// - Offline: a token signed with the deployment's Ed25519 key, `WHB1.<payload>.<signature>` in
///   base64url, which a merchant app checks with the published public key and a revocation list.
public struct CardCodes: Sendable {
    public static let step: TimeInterval = 30
    public static let digits = 10
    /// An offline token is accepted for this long after it is made.
    public static let tokenLifetime: TimeInterval = 300
    static let tokenPrefix = "WHB1"

    let codeKey: SymmetricKey
    let signingKey: Curve25519.Signing.PrivateKey

    public init(deploymentKey: SymmetricKey) {
        codeKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: deploymentKey, info: Data("workershome.benefits.card-code".utf8), outputByteCount: 32)
        let seed = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: deploymentKey, info: Data("workershome.benefits.offline-token".utf8), outputByteCount: 32)
        // 32 bytes are always a valid Ed25519 seed.
        signingKey =
            seed.withUnsafeBytes { (try? Curve25519.Signing.PrivateKey(rawRepresentation: Data($0))) }
            ?? Curve25519.Signing.PrivateKey()
    }

    public static func step(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / step).rounded(.down)) }

    /// The code of `cardId` in `step`; `attempt` > 0 only when the first code was already taken by another card.
    public func code(cardId: Int64, step: Int64, attempt: Int = 0) -> String {
        let secret = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data("card:\(cardId)".utf8), using: codeKey)))
        var counter = (UInt64(bitPattern: step) << 3 | UInt64(attempt & 7)).bigEndian
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(bytes: &counter, count: 8), using: secret))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value = mac[offset..<offset + 5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 10_000_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// When a code shown in `step` stops working: the end of the next step.
    public static func expiry(of step: Int64) -> Date { Date(timeIntervalSince1970: Double(step + 2) * Self.step) }

    // MARK: Offline tokens

    public struct TokenClaims: Sendable, Codable, Equatable {
        /// Card number.
        public var c: String
        /// Member status when signed: `active`.
        public var s: String
        /// Expiry, Unix seconds.
        public var e: Int64
    }

    public var publicKey: Data { signingKey.publicKey.rawRepresentation }
    /// Names the key, so a merchant app knows when to fetch a new one.
    public var keyId: String { SHA256.hash(data: publicKey).prefix(4).map { String(format: "%02x", $0) }.joined() }

    public func token(cardNo: String, now: Date) -> String {
        let claims = TokenClaims(c: cardNo, s: "active", e: Int64(now.timeIntervalSince1970 + Self.tokenLifetime))
        let payload = Self.base64url((try? JSONEncoder().encode(claims)) ?? Data())
        let signed = Data("\(Self.tokenPrefix).\(payload)".utf8)
        let signature = (try? signingKey.signature(for: signed)) ?? Data()
        return "\(Self.tokenPrefix).\(payload).\(Self.base64url(signature))"
    }

    /// What a merchant app does offline: the claims if the signature holds under `publicKey`, the
    /// token has not expired and its card is not on the revocation list.
    public static func verify(_ token: String, publicKey: Data, revoked: Set<String>, now: Date) -> Result<TokenClaims, TokenProblem> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.tokenPrefix, let payload = data(base64url: parts[1]),
            let signature = data(base64url: parts[2]), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return .failure(.malformed) }
        guard key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)) else { return .failure(.badSignature) }
        guard let claims = try? JSONDecoder().decode(TokenClaims.self, from: payload) else { return .failure(.malformed) }
        guard Double(claims.e) > now.timeIntervalSince1970 else { return .failure(.expired) }
        guard claims.s == "active", !revoked.contains(claims.c) else { return .failure(.revoked) }
        return .success(claims)
    }

    public enum TokenProblem: Error, Equatable { case malformed, badSignature, expired, revoked }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}
