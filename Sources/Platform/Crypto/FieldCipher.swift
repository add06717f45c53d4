import Crypto
import Foundation

/// Encrypts sensitive fields (ID numbers, phone numbers, TOTP secrets) with AES-GCM under a key
/// derived from the deployment's data key, and makes keyed blind indexes for exact lookup.
///
/// The data key never touches either use directly: HKDF derives one subkey per purpose, so a leaked
/// blind index key does not decrypt anything.
public struct FieldCipher: Sendable {
    private let encryptionKey: SymmetricKey
    /// Keyed once: each index copies it (the hash states are copy-on-write) instead of keying HMAC again.
    private let indexMAC: HMAC<SHA256>
    static let version: UInt8 = 1

    public init(dataKey: SymmetricKey) {
        self.encryptionKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey, info: Data("workershome field encryption v1".utf8), outputByteCount: 32)
        self.indexMAC = HMAC<SHA256>(
            key: HKDF<SHA256>.deriveKey(inputKeyMaterial: dataKey, info: Data("workershome blind index v1".utf8), outputByteCount: 32))
    }

    /// Version byte + AES-GCM combined box (nonce, ciphertext, tag), base64.
    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: encryptionKey)
        guard let combined = box.combined else { throw CipherError.sealFailed }
        return (Data([Self.version]) + combined).base64EncodedString()
    }

    public func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed), data.first == Self.version else { throw CipherError.malformed }
        let box = try AES.GCM.SealedBox(combined: data.dropFirst())
        let plain = try AES.GCM.open(box, using: encryptionKey)
        guard let text = String(data: plain, encoding: .utf8) else { throw CipherError.malformed }
        return text
    }

    /// A keyed HMAC of a normalised value: equal inputs give equal indexes, nothing else leaks.
    public func blindIndex(_ value: String) -> String {
        var mac = indexMAC
        mac.update(data: Data(value.utf8))
        return hex(mac.finalize().prefix(16))
    }
}

public enum CipherError: Error {
    case sealFailed
    case malformed
}

extension SymmetricKey {
    /// Reads a 32-byte key from base64 text.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)),
            data.count == 32
        else { return nil }
        self.init(data: data)
    }

    public var base64: String { withUnsafeBytes { Data($0).base64EncodedString() } }
}

/// SHA-256 as lowercase hex, for session tokens and the audit chain.
public func sha256Hex(_ text: String) -> String {
    hex(SHA256.hash(data: Data(text.utf8)))
}

/// Lowercase hex of bytes (without `String(format:)`, which is slow on hot paths like imports).
public func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// A random URL-safe token of `bytes` random bytes.
public func randomToken(bytes: Int = 32) -> String {
    var generator = SystemRandomNumberGenerator()
    let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    return data.base64URLEncodedString()
}
