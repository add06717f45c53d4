import Foundation

/// Why a mobile number was rejected.
public enum PhoneProblem: Error, Sendable, Hashable {
    case empty
    /// Starts with 0: an area code, so a landline.
    case landline
    case badFormat

    public var message: String {
        switch self {
        case .empty: PlatformText.phoneEmpty
        case .landline: PlatformText.phoneLandline
        case .badFormat: PlatformText.phoneBadFormat
        }
    }
}

/// A mainland China mobile number, `1[3-9]` and nine more digits. `description` is masked.
public struct Phone: Sendable, Hashable, CustomStringConvertible {
    /// Eleven ASCII digits.
    public let value: String

    init(unchecked value: String) { self.value = value }

    /// Strips spaces (any width), dashes, dots and brackets, full-width digits, and a `+86`,
    /// `0086` or `86` country prefix, then checks `1[3-9]\d{9}`.
    public static func parse(_ raw: String) -> Result<Phone, PhoneProblem> {
        let text = normalized(raw)
        if text.isEmpty { return .failure(.empty) }
        let u = Array(text.utf8)
        guard u.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .failure(.badFormat) }
        if u.count == 11, u[0] == UInt8(ascii: "1"), (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(u[1]) {
            return .success(Phone(unchecked: text))
        }
        if u.first == UInt8(ascii: "0") { return .failure(.landline) }
        return .failure(.badFormat)
    }

    /// The digits left after removing separators and the country prefix (not yet checked).
    public static func normalized(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for s in raw.unicodeScalars {
            let c = CivilDate.halfWidth(s)
            if c.properties.isWhitespace { continue }
            switch c.value {
            case 0x2D, 0x2010...0x2015, 0x2212, 0x2E, 0x28, 0x29, 0x200B...0x200D, 0xFEFF: continue  // - ‐ – — − . ( ) zero-width
            default: out.append(c)
            }
        }
        var text = String(out)
        if text.hasPrefix("+86") {
            text.removeFirst(3)
        } else if text.hasPrefix("0086"), text.utf8.count == 15 {
            text.removeFirst(4)
        } else if text.hasPrefix("86"), text.utf8.count == 13 {
            text.removeFirst(2)
        }
        return text
    }

    /// A number to call back: a mobile, or a landline with or without its area code (7–12
    /// digits), as digits only; nil if it is neither. Work orders take landlines; members do not.
    public static func contactNumber(_ raw: String) -> String? {
        let digits = normalized(raw)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if digits.utf8.count == 11 && digits.hasPrefix("1") { return digits }
        return (7...12).contains(digits.utf8.count) && digits.hasPrefix("0") || (7...8).contains(digits.utf8.count) ? digits : nil
    }

    /// `138****5678`.
    public var masked: String { Self.mask(value) }
    public var description: String { masked }

    /// Masks any stored number: an 11-digit number as `138****5678`; anything else keeps its first
    /// three and last four characters when it has more than eight, and is all stars otherwise.
    public static func mask(_ value: String) -> String {
        let chars = Array(value)
        if chars.count == 11 { return String(chars[0..<3]) + "****" + String(chars[7...]) }
        if chars.count > 8 { return String(chars.prefix(3)) + String(repeating: "*", count: chars.count - 7) + String(chars.suffix(4)) }
        return String(repeating: "*", count: chars.count)
    }

    /// `text` with every ID number (15 or 18 characters) and mobile number (11 digits) in it masked:
    /// for anything shown or kept that may hold them (import error rows, searches in the audit log).
    public static func maskNumbers(in text: String) -> String {
        text.replacing(/\d+[Xx]?/) { match in
            let run = String(match.output)
            switch run.count {
            case 15, 18: return String(run.prefix(6)) + String(repeating: "*", count: run.count - 10) + String(run.suffix(4))
            case 11 where run.hasPrefix("1"): return mask(run)
            default: return run
            }
        }
    }
}
