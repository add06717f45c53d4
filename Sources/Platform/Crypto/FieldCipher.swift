import Crypto
import Foundation

/// Where a sealed value lives. Its name is the associated data of the seal: a ciphertext copied
/// into another column does not open there (an ID number cannot be passed off as a phone number).
public struct SealedField: Sendable, Hashable, CustomStringConvertible {
    public let table: String
    public let column: String

    public init(_ table: String, _ column: String) {
        self.table = table
        self.column = column
    }

    public var description: String { "\(table).\(column)" }
}

/// Encrypts sensitive fields (ID numbers, phone numbers, TOTP secrets) with AES-GCM, and makes
/// keyed blind indexes for exact lookup.
///
/// - Every sealed value names the key that sealed it (four bytes of the key's hash), so a new data
///   key can take over while the old ones still open what they sealed (`workershome keys rotate`
///   re-seals in the background).
/// - The blind-index key is separate: indexes cannot be re-made without the values, so changing it
///   needs `workershome keys reindex`. It comes from `WH_INDEX_KEY`, or else from the data key.
/// - Neither key is used directly: HKDF derives one subkey per purpose.
public struct FieldCipher: Sendable {
    struct Key: Sendable {
        let id: [UInt8]
        let key: SymmetricKey
    }

    private let current: Key
    private let keys: [Key]
    /// Keyed once: each index copies it (the hash states are copy-on-write) instead of keying HMAC again.
    private let indexMAC: HMAC<SHA256>
    /// The value sealed before key ids: version 1, no associated data.
    static let legacyVersion: UInt8 = 1
    static let version: UInt8 = 2

    /// `dataKey` seals; `previousKeys` still open; `indexKey` (default: the data key) makes blind indexes.
    public init(dataKey: SymmetricKey, previousKeys: [SymmetricKey] = [], indexKey: SymmetricKey? = nil) {
        func derive(_ key: SymmetricKey) -> Key {
            let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("workershome field encryption v1".utf8), outputByteCount: 32)
            return Key(id: Array(SHA256.hash(data: derived.withUnsafeBytes { Data($0) }).prefix(4)), key: derived)
        }
        self.current = derive(dataKey)
        self.keys = [current] + previousKeys.map(derive)
        self.indexMAC = HMAC<SHA256>(
            key: HKDF<SHA256>.deriveKey(
                inputKeyMaterial: indexKey ?? dataKey, info: Data("workershome blind index v1".utf8), outputByteCount: 32))
    }

    /// Version byte, key id, AES-GCM combined box (nonce, ciphertext, tag), base64; `field` is the associated data.
    public func seal(_ plaintext: String, for field: SealedField) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: Data(field.description.utf8))
        guard let combined = box.combined else { throw CipherError.sealFailed }
        return (Data([Self.version] + current.id) + combined).base64EncodedString()
    }

    public func open(_ sealed: String, for field: SealedField) throws -> String {
        guard let data = Data(base64Encoded: sealed), let version = data.first else { throw CipherError.malformed }
        let plain: Data
        switch version {
        case Self.version:
            guard data.count > 5, let key = keys.first(where: { $0.id.elementsEqual(data.dropFirst().prefix(4)) }) else {
                throw CipherError.unknownKey
            }
            plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data.dropFirst(5)), using: key.key, authenticating: Data(field.description.utf8))
        case Self.legacyVersion:
            let box = try AES.GCM.SealedBox(combined: data.dropFirst())
            guard let opened = keys.lazy.compactMap({ try? AES.GCM.open(box, using: $0.key) }).first else { throw CipherError.unknownKey }
            plain = opened
        default:
            throw CipherError.malformed
        }
        guard let text = String(data: plain, encoding: .utf8) else { throw CipherError.malformed }
        return text
    }

    /// The start of every value the current key seals (its base64 covers the version and key id):
    /// a value not starting with it still needs re-sealing.
    public var currentPrefix: String { String(Data([Self.version] + current.id + [0]).base64EncodedString().prefix(6)) }

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
    /// Sealed by a key this deployment no longer has (or not at all for this field).
    case unknownKey
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
