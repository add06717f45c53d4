import Foundation

/// An amount of money in fen (分), the unit it is stored and summed in; yuan only at the edges.
public struct Fen: Sendable, Hashable, Comparable {
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public static func < (a: Fen, b: Fen) -> Bool { a.value < b.value }

    /// Yuan as people type them — `115000`, `115000.5`, `115,000.50` — up to ten billion yuan; nil if it is
    /// not such an amount (negative, more than two decimals, letters).
    public init?(yuan raw: String) {
        let t = raw.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let yuan = Int64(parts[0]),
            yuan < 10_000_000_000
        else { return nil }
        guard parts.count == 2 else {
            value = yuan * 100
            return
        }
        guard (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let f = Int64(parts[1]) else {
            return nil
        }
        value = yuan * 100 + (parts[1].count == 1 ? f * 10 : f)
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
