import Foundation

/// A calendar date without time or time zone (birth dates, join dates). Codable as `"2026-11-22"`.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// China Standard Time (UTC+8, no daylight saving since 1991): the zone "today" is taken in.
    public static let chinaTimeZone = TimeZone(secondsFromGMT: 8 * 3600)!

    /// Nil unless the date exists in the Gregorian calendar (years 1...9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Eight ASCII digits, `YYYYMMDD` (as in an ID number).
    public init?(yyyymmdd: some StringProtocol) {
        let u = Array(yyyymmdd.utf8)
        guard u.count == 8, u.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        func num(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(u[$1] - 48) } }
        self.init(year: num(0..<4), month: num(4..<6), day: num(6..<8))
    }

    /// Strict ISO 8601 calendar date, `2026-11-22`.
    public init?(iso: some StringProtocol) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// A date as people type it or spreadsheets export it: `2026-01-31`, `2026/1/31`, `2026.1.31`,
    /// `2026年1月31日`, `20260131`, with full-width digits allowed and a trailing time (`2026-01-31 00:00:00`) ignored.
    public init?(text: String) {
        var t = String(String.UnicodeScalarView(text.unicodeScalars.map(Self.halfWidth)))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let cut = t.firstIndex(where: { $0 == " " || $0 == "T" }) { t = String(t[..<cut]) }
        if t.hasSuffix("日") { t.removeLast() }
        if t.count == 8, let d = CivilDate(yyyymmdd: t) {
            self = d
            return
        }
        let parts = t.split(omittingEmptySubsequences: false) { "-/.年月".contains($0) }
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The calendar date of an instant in `timeZone` (China time by default).
    public init(date: Date, timeZone: TimeZone = CivilDate.chinaTimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(unchecked: c.year!, c.month!, c.day!)
    }

    /// Today in China.
    public static func today() -> CivilDate { CivilDate(date: Date()) }

    public init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `2026-11-22`.
    public var iso: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }
    /// `20261122`.
    public var yyyymmdd: String { "\(Self.pad(year, 4))\(Self.pad(month, 2))\(Self.pad(day, 2))" }
    public var description: String { iso }

    /// Days since 1970-01-01 (negative before), proleptic Gregorian.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date `dayNumber` days after 1970-01-01; nil outside years 1...9999.
    public init?(dayNumber: Int) {
        let z = dayNumber + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(year: y, month: m, day: d)
    }

    public func adding(days: Int) -> CivilDate? { CivilDate(dayNumber: dayNumber + days) }

    /// Age in whole years on `date` (someone born on 29 February turns a year older on 1 March in common years).
    public func age(on date: CivilDate) -> Int {
        var age = date.year - year
        if (date.month, date.day) < (month, day) { age -= 1 }
        return age
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CivilDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    public static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Full-width ASCII (U+FF01...U+FF5E) to ASCII, ideographic space to space.
    public static func halfWidth(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.value == 0x3000 { return " " }
        if (0xFF01...0xFF5E).contains(s.value) { return Unicode.Scalar(s.value - 0xFEE0)! }
        return s
    }
}

/// A calendar month, `2026-01`, for report ranges. Years 2000–2100 only: a report never needs
/// more, and a range a request can name stays small enough to build month by month.
public struct CivilMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let years = 2000...2100
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard Self.years.contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Strict `YYYY-MM`.
    public init?(iso: some StringProtocol) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
            let y = Int(parts[0]), let m = Int(parts[1])
        else { return nil }
        self.init(year: y, month: m)
    }

    public init(_ date: CivilDate) {
        self.year = date.year
        self.month = date.month
    }

    /// The month after this one; nil past the last year.
    public var next: CivilMonth? { month == 12 ? CivilMonth(year: year + 1, month: 1) : CivilMonth(year: year, month: month + 1) }

    /// The month before this one; nil before the first year.
    public var previous: CivilMonth? { month == 1 ? CivilMonth(year: year - 1, month: 12) : CivilMonth(year: year, month: month - 1) }

    /// `count` months ending with this one, oldest first (fewer at the start of the range).
    public func trailing(_ count: Int) -> [CivilMonth] {
        var months = [self]
        while months.count < count, let previous = months[0].previous { months.insert(previous, at: 0) }
        return months
    }

    /// Months from `self` to `other`, both counted (0 when `other` is earlier).
    public func count(through other: CivilMonth) -> Int { max(0, (other.year - year) * 12 + other.month - month + 1) }

    public var iso: String { CivilDate.pad(year, 4) + "-" + CivilDate.pad(month, 2) }
    public var description: String { iso }
    public static func < (a: CivilMonth, b: CivilMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
