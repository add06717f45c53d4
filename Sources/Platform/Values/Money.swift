import Foundation

/// An amount of money in fen (分), the unit it is stored and summed in; yuan only at the edges.
public struct Fen: Sendable, Hashable, Comparable {
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public static func < (a: Fen, b: Fen) -> Bool { a.value < b.value }

    /// Yuan as cadres type them — `115000`, `115,000.50`, `11.5万`, `12万元`, `￥3,600`, full-width
    /// digits from a Chinese keyboard — up to ten billion yuan; nil if it is not such an amount
    /// (negative, finer than a fen, letters).
    public init?(yuan raw: String) {
        var t = String(String.UnicodeScalarView(raw.unicodeScalars.map { c in
            // Full-width digits, point and comma (U+FF10… and U+FF0E, U+FF0C) as their ASCII forms.
            (0xFF10...0xFF19).contains(c.value) || c.value == 0xFF0E || c.value == 0xFF0C
                ? Unicode.Scalar(c.value - 0xFEE0) ?? c : c
        }))
        t = t.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("¥") || t.hasPrefix("￥") { t.removeFirst() }
        for suffix in ["元整", "元"] where t.hasSuffix(suffix) {
            t.removeLast(suffix.count)
            break
        }
        let wan = t.hasSuffix("万")
        if wan { t.removeLast() }
        // In 万 a fen is the sixth decimal; in yuan, the second.
        let places = wan ? 6 : 2
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), !parts[0].isEmpty,
            parts[0].count <= 11, let whole = Int64(parts[0])
        else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard parts.count == 1 || (1...places).contains(fraction.count) else { return nil }
        let padded = fraction + String(repeating: "0", count: places - fraction.count)
        guard let part = Int64(padded.isEmpty ? "0" : padded) else { return nil }
        let fen = whole * (wan ? 1_000_000 : 100) + part
        guard fen < 1_000_000_000_000 else { return nil }
        value = fen
    }

    /// `115,000.00`: grouped by thousands, two decimals, as amounts are written in reports.
    public var yuanText: String {
        let yuan = value / 100, cents = abs(value % 100)
        let digits = String(abs(yuan))
        var grouped = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return (value < 0 ? "-" : "") + grouped + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}
