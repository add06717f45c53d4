import Foundation
import Platform

// MARK: - Region codes

/// The 6-digit GB/T 2260 codes an ID number may start with. `IDRegions` is the bundled list.
public protocol RegionCodeSet: Sendable {
    func contains(_ code: String) -> Bool
}

/// Accepts any 6 ASCII digits: for numbers that were checked before (stored data) and for tests.
public struct AnyRegionCode: RegionCodeSet {
    public init() {}
    public func contains(_ code: String) -> Bool { code.utf8.count == 6 && code.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
}

// MARK: - ID number

/// Why a resident ID number was rejected, or does not match the rest of a record.
public enum IDNumberProblem: Error, Sendable, Hashable {
    case empty
    /// Excel turned the number into `1.30102E+17`; the last digits are gone.
    case scientificNotation
    /// Excel kept 15 significant digits and wrote the last three as `000`.
    case excelTruncated
    /// A first-generation 15-digit number.
    case fifteenDigits
    case wrongLength(Int)
    case badCharacters
    case misplacedX
    case unknownRegion(String)
    case impossibleBirthDate
    case birthDateInFuture
    case birthDateTooEarly
    case badCheckDigit
    case birthDateMismatch
    case genderMismatch

    public var message: String {
        switch self {
        case .empty: ValueText.idEmpty
        case .scientificNotation: ValueText.idScientificNotation
        case .excelTruncated: ValueText.idExcelTruncated
        case .fifteenDigits: ValueText.idFifteenDigits
        case .wrongLength(let n): ValueText.idWrongLength(n)
        case .badCharacters: ValueText.idBadCharacters
        case .misplacedX: ValueText.idMisplacedX
        case .unknownRegion(let code): ValueText.idUnknownRegion(code)
        case .impossibleBirthDate: ValueText.idImpossibleBirthDate
        case .birthDateInFuture: ValueText.idBirthDateInFuture
        case .birthDateTooEarly: ValueText.idBirthDateTooEarly
        case .badCheckDigit: ValueText.idBadCheckDigit
        case .birthDateMismatch: ValueText.idBirthDateMismatch
        case .genderMismatch: ValueText.idGenderMismatch
        }
    }
}

/// A resident ID number (公民身份号码, GB 11643-1999): 6-digit region code, 8-digit birth date,
/// 3-digit sequence (odd for men), ISO 7064 MOD 11-2 check character (`0`-`9` or `X`).
///
/// Values exist only through `parse` (fully checked) or `make` (generated), so `value` is always
/// 18 characters with a correct check character. `description` is the masked form, so an ID number
/// interpolated into a log line does not leak.
public struct IDNumber: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The normalised number: 17 ASCII digits and a digit or upper-case `X`.
    public let value: String

    init(unchecked value: String) { self.value = value }

    /// The earliest birth date accepted.
    public static let earliestBirthDate = CivilDate(unchecked: 1900, 1, 1)

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters = Array("10X98765432".utf8)

    /// Checks a number as typed or imported. Normalises first (see `normalized`), then reports the
    /// first problem in this order: empty, Excel scientific notation, characters/length, region code,
    /// birth date (real date, from 1900 up to `today`), check character.
    public static func parse(_ raw: String, regions: some RegionCodeSet, today: CivilDate = .today()) -> Result<IDNumber, IDNumberProblem> {
        let text = normalized(raw)
        if text.isEmpty { return .failure(.empty) }
        if looksScientific(text) { return .failure(.scientificNotation) }
        let u = Array(text.utf8)
        guard u.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "X") }) else { return .failure(.badCharacters) }
        if u.count == 15, u.allSatisfy(isDigit) { return .failure(.fifteenDigits) }
        guard u.count == 18 else { return .failure(.wrongLength(u.count)) }
        guard u[0..<17].allSatisfy(isDigit) else { return .failure(.misplacedX) }
        let region = String(text.prefix(6))
        guard regions.contains(region) else { return .failure(.unknownRegion(region)) }
        guard let birth = CivilDate(yyyymmdd: String(decoding: u[6..<14], as: UTF8.self)) else {
            return .failure(.impossibleBirthDate)
        }
        if birth < earliestBirthDate { return .failure(.birthDateTooEarly) }
        if birth > today { return .failure(.birthDateInFuture) }
        guard checkCharacter(u[0..<17]) == u[17] else {
            // 18 digits ending in 000 with a wrong check digit: Excel stored the number with 15 significant digits.
            return .failure(text.hasSuffix("000") ? .excelTruncated : .badCheckDigit)
        }
        return .success(IDNumber(unchecked: text))
    }

    /// Throwing form of `parse`.
    public init(_ raw: String, regions: some RegionCodeSet, today: CivilDate = .today()) throws(IDNumberProblem) {
        self = try IDNumber.parse(raw, regions: regions, today: today).get()
    }

    /// Trims, drops every space inside (including full-width and no-break spaces) and invisible
    /// marks, turns full-width digits into ASCII, and `x`, `Ｘ`, `ｘ`, `×` into `X`. A leading
    /// apostrophe (Excel's "text" marker) is dropped too.
    public static func normalized(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for s in raw.unicodeScalars {
            let c = CivilDate.halfWidth(s)
            switch c.value {
            case 0x78, 0xD7: out.append("X")  // x, ×
            case 0x200B...0x200D, 0x2060, 0xFEFF: continue  // zero-width characters, BOM
            default:
                if c.properties.isWhitespace { continue }
                out.append(c)
            }
        }
        var text = String(out)
        if text.hasPrefix("'") { text.removeFirst() }
        return text
    }

    /// `1.30102E+17`, `1.30102e17`, `1,30102E+17`: what Excel shows for a long number in a General cell.
    static func looksScientific(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard let e = u.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) else { return false }
        let mantissa = u[..<e]
        var exponent = u[(e + 1)...]
        if exponent.first == UInt8(ascii: "+") { exponent = exponent.dropFirst() }
        guard !exponent.isEmpty, exponent.count <= 3, exponent.allSatisfy(isDigit) else { return false }
        guard let first = mantissa.first, isDigit(first) else { return false }
        let rest = mantissa.dropFirst()
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: ".") || rest.first == UInt8(ascii: ",") else { return false }
        let fraction = rest.dropFirst()
        return !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// ISO 7064 MOD 11-2 over the first 17 digits.
    static func checkCharacter(_ digits: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (i, c) in digits.enumerated() { sum += Int(c - 48) * weights[i] }
        return checkCharacters[sum % 11]
    }

    // MARK: Fields

    /// The 6-digit region code of the place the number was first issued.
    public var regionCode: String { String(value.prefix(6)) }

    public var birthDate: CivilDate {
        CivilDate(yyyymmdd: value.dropFirst(6).prefix(8))!
    }

    /// Male when the 17th digit (the last of the sequence) is odd.
    public var gender: Gender {
        let c = value.utf8[value.utf8.index(value.utf8.startIndex, offsetBy: 16)]
        return (c - 48) % 2 == 1 ? .male : .female
    }

    /// `130102********1234`: region code, eight stars, last four characters.
    public var masked: String { String(value.prefix(6)) + String(repeating: "*", count: 8) + String(value.suffix(4)) }

    public var description: String { masked }
    public var debugDescription: String { "IDNumber(\(masked))" }

    /// Whether the number agrees with the record's own birth date and gender (nil: not given, not checked).
    public func check(birthDate: CivilDate?, gender: Gender?) -> [IDNumberProblem] {
        var problems: [IDNumberProblem] = []
        if let birthDate, birthDate != self.birthDate { problems.append(.birthDateMismatch) }
        if let gender, gender != self.gender { problems.append(.genderMismatch) }
        return problems
    }

    // MARK: Generator

    /// A valid number for demo data and tests. `sequence` (0...999) is the 3-digit sequence code;
    /// its parity sets the gender (odd: male). The check character is computed.
    public static func make(region: String, birth: CivilDate, sequence: Int) -> IDNumber {
        precondition(region.utf8.count == 6 && region.utf8.allSatisfy(isDigit), "region must be 6 digits")
        precondition((0...999).contains(sequence), "sequence must be 0...999")
        precondition((1000...9999).contains(birth.year), "birth year must have 4 digits")
        let body = region + birth.yyyymmdd + CivilDate.pad(sequence, 3)
        let check = checkCharacter(ArraySlice(Array(body.utf8)))
        return IDNumber(unchecked: body + String(UnicodeScalar(check)))
    }

    /// A valid number of the given gender; `serial` (0...499) picks one of the 500 sequences for it.
    public static func make(region: String, birth: CivilDate, gender: Gender, serial: Int) -> IDNumber {
        precondition((0...499).contains(serial), "serial must be 0...499")
        return make(region: region, birth: birth, sequence: serial * 2 + (gender == .male ? 1 : 0))
    }
}

/// A person named by ID number and name, as a worker claiming a membership or a union receiving a
/// member gives them: both checked, each problem beside its field.
struct NamedPerson {
    var id: IDNumber?
    var name: String

    init(idNumber: String, name: String, regions: some RegionCodeSet, problems v: inout Validator) {
        switch IDNumber.parse(idNumber, regions: regions) {
        case .success(let parsed): id = parsed
        case .failure(let problem): v.fail("idNumber", problem.message)
        }
        self.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        v.check(!self.name.isEmpty, "name", MemberText.nameRequired)
    }
}
