import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password rules (≥ 8 characters, 3 of 4 classes) and bcrypt hashing off the request threads.
public struct PasswordPolicy: Sendable {
    public let cost: UInt8
    /// A hash to verify against when the username is unknown, so both cases take as long.
    public let decoy: String

    public init(cost: UInt8 = 12) {
        self.cost = cost
        self.decoy = Bcrypt.hash("decoy password", cost: cost)
    }

    /// Field errors for a proposed password, or nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < 8 { return PlatformText.passwordTooShort }
        if password.utf8.count > 72 { return PlatformText.passwordTooLong }
        var classes = 0
        if password.contains(where: { $0.isASCII && $0.isUppercase }) { classes += 1 }
        if password.contains(where: { $0.isASCII && $0.isLowercase }) { classes += 1 }
        if password.contains(where: { $0.isASCII && $0.isNumber }) { classes += 1 }
        if password.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }) { classes += 1 }
        return classes >= 3 ? nil : PlatformText.passwordClasses
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
