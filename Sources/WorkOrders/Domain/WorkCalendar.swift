import Foundation
import Platform

/// A day that differs from the normal Monday–Friday week.
public struct CalendarException: Sendable, Hashable, Codable {
    public var day: CivilDate
    /// True for an adjusted working day on a weekend (调休上班); false for a holiday (day off).
    public var working: Bool
    /// As people say it, e.g. "国庆节" or "国庆节调休上班".
    public var name: String

    public init(day: CivilDate, working: Bool, name: String) {
        self.day = day
        self.working = working
        self.name = name
    }
}

/// China's working days: Monday–Friday, except public holidays, plus the weekend days the
/// State Council moves work to (调休). Deadlines such as 限时办结 count these days, not calendar days.
public struct WorkCalendar: Sendable {
    /// A line of the holidays file that cannot be read; `line` is 1-based so an admin can find it.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var reason: String
        public var description: String { "holidays line \(line): \(reason)" }
    }

    /// A run of days off longer than this means broken data: stop scanning rather than loop (a year can't be all holidays).
    static let maxDaysOff = 3660

    /// Working or not, by `dayNumber`, for the days that differ from the normal week: O(1) lookups.
    private let overrides: [Int: Bool]

    /// A later exception for the same day replaces an earlier one.
    public init(exceptions: [CalendarException]) {
        var overrides: [Int: Bool] = [:]
        for e in exceptions { overrides[e.day.dayNumber] = e.working }
        self.overrides = overrides
    }

    /// The exceptions shipped with the app (Data/holidays.tsv), loaded from Bundle.module.
    /// A missing or malformed file is a packaging error (the tests load it), so it stops the process.
    public static let bundled: [CalendarException] = {
        do {
            guard let url = Bundle.module.url(forResource: "holidays", withExtension: "tsv", subdirectory: "Data") else {
                throw CocoaError(.fileNoSuchFile)
            }
            return try parse(String(contentsOf: url, encoding: .utf8))
        } catch {
            fatalError("WorkOrders: cannot load Data/holidays.tsv: \(error)")
        }
    }()

    /// Parses `YYYY-MM-DD<TAB>off|work<TAB>name` lines; blank lines and lines starting with `#` are skipped.
    /// Throws `ParseError` naming the first bad line, so a typo is never silently dropped.
    public static func parse(_ text: String) throws -> [CalendarException] {
        var result: [CalendarException] = []
        var seen: [Int: Int] = [:]  // dayNumber → line it was first given on
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = index + 1
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = raw.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3 else {
                throw ParseError(line: line, reason: "expected 3 tab-separated fields (date, off|work, name), found \(fields.count)")
            }
            guard let day = CivilDate(iso: fields[0]) else {
                throw ParseError(line: line, reason: "not a YYYY-MM-DD date: \(fields[0])")
            }
            let working: Bool
            switch fields[1] {
            case "off": working = false
            case "work": working = true
            default: throw ParseError(line: line, reason: "expected off or work, found \(fields[1])")
            }
            guard !fields[2].isEmpty else { throw ParseError(line: line, reason: "missing name") }
            if let first = seen[day.dayNumber] {
                throw ParseError(line: line, reason: "\(day.iso) is already given on line \(first)")
            }
            seen[day.dayNumber] = line
            result.append(CalendarException(day: day, working: working, name: fields[2]))
        }
        return result
    }

    public func isWorkingDay(_ day: CivilDate) -> Bool { isWorking(day.dayNumber) }

    /// Monday = 1 ... Sunday = 7 (ISO weekday). 1970-01-01 was a Thursday.
    public static func weekday(_ day: CivilDate) -> Int { weekday(dayNumber: day.dayNumber) }

    /// The working day `n` working days after `start` (start itself does not count), as a deadline
    /// "N working days from acceptance". n = 0 (or negative) → start if it is a working day, else the next working day.
    public func adding(workingDays n: Int, to start: CivilDate) -> CivilDate {
        guard n > 0 else { return nextWorkingDay(onOrAfter: start) }
        var d = start.dayNumber
        for _ in 0..<n { d = firstWorking(from: d + 1) }
        return Self.date(d)
    }

    /// Working days in (from, to]: 0 when to <= from. The inverse of `adding`: counting from `s` to
    /// `adding(workingDays: n, to: s)` gives n for n ≥ 1.
    public func workingDays(after from: CivilDate, through to: CivilDate) -> Int {
        let (a, b) = (from.dayNumber, to.dayNumber)
        guard b > a else { return 0 }
        return (a + 1...b).count(where: isWorking)
    }

    /// The first working day on or after `day`.
    public func nextWorkingDay(onOrAfter day: CivilDate) -> CivilDate { Self.date(firstWorking(from: day.dayNumber)) }

    // MARK: - Day numbers

    private func isWorking(_ dayNumber: Int) -> Bool {
        overrides[dayNumber] ?? (Self.weekday(dayNumber: dayNumber) <= 5)
    }

    /// The first working day number on or after `d`; gives up after `maxDaysOff` days off so bad data cannot hang a request.
    private func firstWorking(from d: Int) -> Int {
        var (d, daysOff) = (d, 0)
        while daysOff < Self.maxDaysOff, !isWorking(d) { (d, daysOff) = (d + 1, daysOff + 1) }
        return d
    }

    private static func weekday(dayNumber: Int) -> Int { ((dayNumber + 3) % 7 + 7) % 7 + 1 }

    /// Clamped to the last date `CivilDate` can hold, so absurd `n` cannot crash.
    private static func date(_ dayNumber: Int) -> CivilDate {
        CivilDate(dayNumber: dayNumber) ?? CivilDate(unchecked: 9999, 12, 31)
    }
}
