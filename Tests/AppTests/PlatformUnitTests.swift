import Crypto
import Foundation
import Testing

@testable import Accounts
@testable import Platform
import WebUI

@Suite struct OrgPathTests {
    @Test(arguments: [
        ("115000", Int64?(11_500_000)), ("115,000.50", 11_500_050), ("0.5", 50), ("12.05", 1205), (" 7 ", 700), ("9999999999.99", 999_999_999_999),
        ("12万", 12_000_000), ("11.5万元", 11_500_000), ("115,000元", 11_500_000), ("￥3,600.5", 360_050), ("１２万", 12_000_000),
        ("1.234567万", 1_234_567), ("1.2345678万", nil), ("1.23456万", 1_234_560), ("3600元整", 360_000), ("１２．５", 1250),
        ("-5", nil), ("+5", nil), ("1.234", nil), (".5", nil), ("5.", nil), ("abc", nil), ("万", nil), ("5万万", nil), ("", nil),
        ("10000000000", nil), ("100万万", nil),
    ])
    func yuanAsTypedBecomeFen(text: String, fen: Int64?) {
        #expect(Fen(yuan: text)?.value == fen, "\(text)")
    }

    @Test(arguments: [
        ("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("０１０－８８８８６６６６", "01088886666"),
        ("(0531) 8888 6666", "053188886666"), ("88886666", "88886666"), ("12345", nil), ("1381234567a", nil), ("", nil),
        ("0123456789012", nil),
    ] as [(String, String?)])
    func contactNumbersAcceptMobilesAndLandlines(text: String, digits: String?) {
        #expect(Phone.contactNumber(text) == digits, "\(text)")
    }

    @Test(arguments: [
        ("xiaoli2026", true), ("qiche-2026", true), ("gongren888", true), ("Worker!2026", true),
        ("short1", false), ("12345678", false), ("87654321", false), ("aaaaaaaa", false), ("abababab", false), ("password1", false),
        ("woaini1314", false), ("x13912340010", false), ("abcdefgh", false),
    ])
    func workerPasswordsNeedLengthAndNoObviousGuess(password: String, ok: Bool) {
        #expect((PasswordPolicy.workerProblem(with: password, phone: "13912340010") == nil) == ok, "\(password)")
    }

    @Test func phoneMasksHideTheMiddleAndShortNumbersEntirely() {
        #expect(Phone.mask("13812345678") == "138****5678")
        #expect(Phone.mask("053188886666") == "053*****6666")
        #expect(Phone.mask("88886666") == "********")
    }

    @Test func fenAreShownAsGroupedYuan() {
        #expect(Fen(11_500_000).yuanText == "115,000.00")
        #expect(Fen(1205).yuanText == "12.05")
        #expect(Fen(5).yuanText == "0.05")
        #expect(Fen(123_456_789).yuanText == "1,234,567.89")
        #expect(Fen(-150).yuanText == "-1.50")
    }

    @Test func parsesAndRejects() {
        #expect(OrgPath("/1/23/456/")?.ids == [1, 23, 456])
        #expect(OrgPath("/1/23/456/")?.depth == 2)
        #expect(OrgPath("/1/23/456/")?.parent == OrgPath("/1/23/"))
        for bad in ["", "/", "1/2/", "/1/2", "/1//2/", "/a/", "/1/ 2/", "/１/"] { #expect(OrgPath(bad) == nil, "\(bad)") }
    }

    @Test func containmentIsPrefixOnWholeIds() {
        let p = OrgPath("/1/2/")!
        #expect(p.contains(OrgPath("/1/2/")!))
        #expect(p.contains(OrgPath("/1/2/3/")!))
        #expect(!p.contains(OrgPath("/1/20/")!), "/1/20/ is not inside /1/2/")
        #expect(!p.contains(OrgPath("/1/")!))
    }

    @Test func upperBoundHoldsExactlyTheSubtree() {
        let p = OrgPath("/1/2/")!
        for inside in ["/1/2/", "/1/2/3/", "/1/2/99999/1/"] {
            #expect(inside >= p.rawValue && inside < p.upperBound, "\(inside)")
        }
        for outside in ["/1/20/", "/1/3/", "/1/", "/1/19/"] {
            #expect(!(outside >= p.rawValue && outside < p.upperBound), "\(outside)")
        }
    }

    @Test func rebase() {
        let old = OrgPath("/1/2/5/")!
        #expect(old.rebase(OrgPath("/1/2/5/9/")!, onto: OrgPath("/1/3/5/")!) == OrgPath("/1/3/5/9/"))
    }
}

@Suite struct ScopeTests {
    @Test func minimisesAndCovers() {
        let s = Scope([OrgPath("/1/2/")!, OrgPath("/1/2/3/")!, OrgPath("/1/4/")!])
        #expect(s.roots == [OrgPath("/1/2/")!, OrgPath("/1/4/")!])
        #expect(s.covers(OrgPath("/1/2/3/7/")!))
        #expect(!s.covers(OrgPath("/1/")!))
        #expect(!s.covers(OrgPath("/1/5/")!))
        #expect(Scope.none.isEmpty && !Scope.none.covers(OrgPath("/1/")!))
        #expect(Scope.all.covers(OrgPath("/9/")!) && Scope.all.covers(s) && !s.covers(Scope.all))
    }

    @Test func principalScopeIsPerPermission() {
        let a = RoleAssignment(id: 1, roleCode: "org_admin", roleName: "", orgId: 2, orgPath: OrgPath("/1/2/")!, orgName: "",
                               permissions: [.orgRead, .orgWrite])
        let b = RoleAssignment(id: 2, roleCode: "viewer", roleName: "", orgId: 3, orgPath: OrgPath("/1/3/")!, orgName: "",
                               permissions: [.orgRead])
        let p = Principal(accountId: 1, username: "u", displayName: "u", assignments: [a, b])
        #expect(p.scope(.orgRead).roots.count == 2)
        #expect(p.scope(.orgWrite).roots == [OrgPath("/1/2/")!])
        #expect(p.scope(.auditRead).isEmpty)
    }
}

@Suite struct CryptoTests {
    static let idField = SealedField("members", "id_cipher")
    static let phoneField = SealedField("members", "phone_cipher")

    @Test func sealOpenAndBlindIndex() throws {
        let cipher = FieldCipher(dataKey: SymmetricKey(size: .bits256))
        let sealed = try cipher.seal("130102199003071234", for: Self.idField)
        #expect(!sealed.contains("1301"))
        #expect(try cipher.open(sealed, for: Self.idField) == "130102199003071234")
        #expect(try cipher.seal("x", for: Self.idField) != cipher.seal("x", for: Self.idField), "a fresh nonce every time")
        #expect(cipher.blindIndex("a") == cipher.blindIndex("a"))
        #expect(cipher.blindIndex("a") != cipher.blindIndex("b"))
        let other = FieldCipher(dataKey: SymmetricKey(size: .bits256))
        #expect(throws: (any Error).self) { try other.open(sealed, for: Self.idField) }
        #expect(other.blindIndex("a") != cipher.blindIndex("a"))
    }

    /// A seal names its column: copied into another column it does not open.
    @Test func aSealIsBoundToItsColumn() throws {
        let cipher = FieldCipher(dataKey: SymmetricKey(size: .bits256))
        let sealed = try cipher.seal("130102199003071234", for: Self.idField)
        #expect(throws: (any Error).self) { try cipher.open(sealed, for: Self.phoneField) }
    }

    /// After a new data key: old seals still open (by their key id), new ones use the new key, the
    /// blind indexes stay the same while the index key does, and values sealed before key ids open too.
    @Test func rotationKeepsOldSealsReadable() throws {
        let old = SymmetricKey(size: .bits256)
        let new = SymmetricKey(size: .bits256)
        let before = FieldCipher(dataKey: old)
        let sealed = try before.seal("13800138000", for: Self.phoneField)
        let after = FieldCipher(dataKey: new, previousKeys: [old], indexKey: old)
        #expect(try after.open(sealed, for: Self.phoneField) == "13800138000")
        #expect(!sealed.hasPrefix(after.currentPrefix) && sealed.hasPrefix(before.currentPrefix))
        #expect(try after.seal("x", for: Self.phoneField).hasPrefix(after.currentPrefix))
        #expect(after.blindIndex("phone:13800138000") == before.blindIndex("phone:13800138000"))
        #expect(throws: CipherError.unknownKey) { try FieldCipher(dataKey: new).open(sealed, for: Self.phoneField) }
        // Version 1 (no key id, no associated data), as sealed before this change.
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: old, info: Data("workershome field encryption v1".utf8), outputByteCount: 32)
        let legacy = (Data([1]) + (try AES.GCM.seal(Data("13900139000".utf8), using: derived).combined!)).base64EncodedString()
        #expect(try after.open(legacy, for: Self.phoneField) == "13900139000")
    }

    /// Stored indexes must stay findable: HMAC-SHA256 under the HKDF subkey, first 16 bytes, hex
    /// (expected values computed independently with Python's hmac and hashlib).
    @Test func blindIndexKnownAnswers() {
        let cipher = FieldCipher(dataKey: SymmetricKey(data: Data(repeating: 1, count: 32)))
        #expect(cipher.blindIndex("130102199003071234") == "e79fe710740b645994298a01007574c6")
        #expect(cipher.blindIndex("phone:13800138000") == "0165cc4c46d740f900b5bad3efa999e2")
        #expect(cipher.blindIndex("130102199003071234") == "e79fe710740b645994298a01007574c6", "no state carried between calls")
    }
}

@Suite struct PasswordPolicyTests {
    @Test(arguments: [
        ("short1A!", true), ("abcdefgh", false), ("abcdefg1", false), ("Abcdefg1", true), ("abcdef1!", true),
        ("ABCDEFG1", false), ("Ab1!", false), ("密码密码Ab12", true),
    ])
    func rules(password: String, ok: Bool) {
        #expect((PasswordPolicy.problem(with: password) == nil) == ok, "\(password)")
    }
}

@Suite struct PagingTests {
    @Test func cursorRoundTripAndBadInput() throws {
        let page = Page(fetched: [1, 2, 3], limit: 2) { [String($0)] }
        #expect(page.items == [1, 2])
        let request = try PageRequest(after: page.nextCursor, limit: "2")
        #expect(try request.keyID() == 2)
        #expect(throws: AppError.self) { try PageRequest(after: nil, limit: "0") }
        #expect(throws: AppError.self) { try PageRequest(after: nil, limit: "abc") }
        #expect(throws: AppError.self) { try PageRequest(after: "!!!", limit: nil).keyID() }
        #expect(Page(fetched: [1], limit: 2) { [String($0)] }.nextCursor == nil)
    }

    @Test func dialectSpecificStatements() {
        #expect(Dialect.sqlite.runs("-- sqlite\nX") && !Dialect.sqlite.runs("-- postgres\nX") && Dialect.sqlite.runs("X"))
        #expect(Dialect.postgres.expand("a {ts}") == "a TIMESTAMPTZ")
    }
}

@Suite struct BulkValueTests {
    @Test func copyTimestampMatchesFoundation() {
        for t in [0.0, 1_790_000_000.123456, 951_782_400.5, 4_102_444_799.999999, 1_709_164_800] {
            let date = Date(timeIntervalSince1970: t)
            let expected = date.formatted(
                Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: true))
            let ours = BulkValue.copyTimestamp(date)
            // Foundation gives milliseconds; ours microseconds with an explicit zone.
            #expect(ours.hasPrefix(String(expected.prefix(19))), "\(t): \(ours) vs \(expected)")
            #expect(ours.hasSuffix("+00"))
        }
        #expect(hex([0x00, 0xAB, 0xFF]) == "00abff")
    }
}

@Suite struct TrimmedTests {
    @Test func trimsUnicodeWhiteSpaceAtBothEndsOnly() {
        #expect("  张三\u{3000}\n".trimmed == "张三")
        #expect("\t\r\n \u{3000}".trimmed == "")
        #expect("".trimmed == "")
        #expect(" 王 小明 ".trimmed == "王 小明")
        #expect("13800138000".trimmed == "13800138000")
    }
}

@Suite struct DisplayNumberTests {
    @Test func countsAreGroupedByThousands() {
        #expect(DisplayNumber.grouped(0) == "0")
        #expect(DisplayNumber.grouped(999) == "999")
        #expect(DisplayNumber.grouped(1000) == "1,000")
        #expect(DisplayNumber.grouped(Int64(15_010_715)) == "15,010,715")
        #expect(DisplayNumber.grouped(-1234) == "-1,234")
    }
}
