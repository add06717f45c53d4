/// A member card's number (会员卡号): prefix, the union's 6-digit region code, an 8-digit
/// sequence and a Luhn check digit, so a mistyped digit or two swapped neighbours are caught
/// before any lookup (`13` + `130123` + `00000042` + `7`).
public struct CardNumberRule: Sendable {
    /// Digits only, 1–6 of them (`WH_CARD_PREFIX`).
    public let prefix: String

    public init(prefix: String = "13") {
        self.prefix = prefix
    }

    public func number(region: String, sequence: Int64) -> String {
        let body =
            prefix + String(region.filter(\.isNumber).prefix(6)).padding(toLength: 6, withPad: "0", startingAt: 0)
            + String(String(sequence).suffix(8)).leftPadded(to: 8)
        return body + String(Self.luhnDigit(body))
    }

    /// Whether `text` is a number this rule made: its prefix, length and check digit.
    public func isValid(_ text: String) -> Bool {
        guard text.count == prefix.count + 15, text.hasPrefix(prefix), text.allSatisfy(\.isASCIIDigitChar),
            let last = text.last?.wholeNumberValue
        else { return false }
        return Self.luhnDigit(String(text.dropLast())) == last
    }

    /// The digit that makes `body` + digit pass the Luhn check (ISO/IEC 7812).
    static func luhnDigit(_ body: String) -> Int {
        var sum = 0
        for (i, c) in body.reversed().enumerated() {
            var d = c.wholeNumberValue ?? 0
            if i % 2 == 0 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
        }
        return (10 - sum % 10) % 10
    }
}

extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
