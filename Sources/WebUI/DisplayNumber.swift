import Foundation

/// Counts and amounts as the pages show them. Tables keep every digit (`15,010,715`); figures read at
/// a glance use 万 and 亿 as a cadre says them (`1,501.1万`, `2.44万`, `11.5万元`).
public enum DisplayNumber {
    public static func grouped<N: BinaryInteger>(_ n: N) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Below 10,000 as it is; then in 万 (or 亿 from 100 million), two decimals under 10 and one
    /// above, trailing zeros dropped: `9,999`, `2.44万`, `1,234.5万`, `1.2亿`.
    public static func compact<N: BinaryInteger>(_ n: N) -> String {
        let value = Double(Int64(n))
        let (scaled, unit): (Double, String) =
            abs(value) >= 100_000_000 ? (value / 100_000_000, "亿") : abs(value) >= 10_000 ? (value / 10_000, "万") : (value, "")
        if unit.isEmpty { return grouped(n) }
        let decimals = abs(scaled) < 10 ? 2 : 1
        let factor = decimals == 2 ? 100.0 : 10.0
        let rounded = (scaled * factor).rounded() / factor
        let whole = Int64(rounded.rounded(.towardZero))
        var fraction = String(format: "%.\(decimals)f", abs(rounded - Double(whole))).dropFirst(2)
        while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        return grouped(whole) + (fraction.isEmpty ? "" : "." + fraction) + unit
    }

    /// An amount in fen as yuan: `3,600元`, `11.5万元`.
    public static func yuan(fen: Int64) -> String { compact(fen / 100) + "元" }

    /// A share as a percentage with one decimal, or `—` when there is nothing to divide by.
    public static func percent(_ part: Int64, of whole: Int64) -> String {
        whole == 0 ? "—" : String(format: "%.1f%%", Double(part) / Double(whole) * 100)
    }
}
