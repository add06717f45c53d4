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

    /// The rule for workers' member-site accounts: long enough and not an obvious guess (a common
    /// password, one repeated character, a run like 12345678, the phone number), rather than the
    /// staff rule's character classes, which a worker on a phone keyboard struggles to meet.
    public static func workerProblem(with password: String, phone: String) -> String? {
        if password.count < 8 { return PlatformText.passwordTooShort }
        if password.utf8.count > 72 { return PlatformText.passwordTooLong }
        let lower = password.lowercased()
        let runs = "0123456789012345678909876543210abcdefghijklmnopqrstuvwxyz"
        if Set(lower).count <= 2 || runs.contains(lower) || common.contains(lower) || lower.contains(phone.suffix(8)) && !phone.isEmpty {
            return PlatformText.passwordTooCommon
        }
        return nil
    }

    /// Passwords that lists of leaked passwords show at the top, and their Chinese favourites.
    static let common: Set<String> = [
        "password", "password1", "password123", "passw0rd", "iloveyou", "qwertyui", "qwertyuiop", "qwerty123", "asdfghjk", "zxcvbnm1",
        "1qaz2wsx", "1q2w3e4r", "abc12345", "abcd1234", "a1234567", "a12345678", "aa123456", "123456789a", "qq123456", "woaini1314",
        "5201314520", "woaini520", "iloveyou1", "admin123", "admin888", "88888888", "66666666", "11223344", "12341234", "11111111",
        "147258369", "123123123", "12344321", "1234qwer", "qwer1234", "woaini123", "zhang123", "wang1234", "li123456",
    ]

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
