import Foundation
import Platform

/// Dates as the pages show them, in Beijing time: `2026-11-22 14:05` for a moment in a list of
/// events, `2026年12月1日` for a day on the member site, `12月1日` for a day in a list this year.
public enum DisplayDate {
    public static func minutes(_ date: Date) -> String { format(date, seconds: false) }
    public static func seconds(_ date: Date) -> String { format(date, seconds: true) }

    /// `2026年12月1日`; the text itself when it is not an ISO date.
    public static func long(_ iso: String) -> String {
        guard let d = CivilDate(iso: iso) else { return iso }
        return "\(d.year)年\(d.month)月\(d.day)日"
    }

    /// `12月1日` in the year of `today`, `2025年12月1日` in another; the text itself when not an ISO date.
    public static func short(_ iso: String, today: CivilDate) -> String {
        guard let d = CivilDate(iso: iso) else { return iso }
        return d.year == today.year ? "\(d.month)月\(d.day)日" : long(iso)
    }

    /// The `count` months up to the month of `today`, newest first, as choices `2026-12` / `2026年12月`:
    /// a select instead of `<input type=month>`, whose picker speaks the browser's language, not the page's.
    /// A `selected` month outside the list is added so a period typed in the address stays shown.
    public static func monthOptions(through today: CivilDate, count: Int = 36, selected: String) -> [Option] {
        var months: [(String, String)] = (0..<count).map { back in
            let index = today.year * 12 + (today.month - 1) - back
            let (year, month) = (index / 12, index % 12 + 1)
            return (String(format: "%04d-%02d", year, month), "\(year)年\(month)月")
        }
        if !months.contains(where: { $0.0 == selected }) { months.append((selected, selected)) }
        return Option.list(months, selected: selected)
    }

    static func format(_ date: Date, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        return seconds ? text + String(format: ":%02d", c.second!) : text
    }
}
