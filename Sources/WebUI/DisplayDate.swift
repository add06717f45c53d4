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

    static func format(_ date: Date, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        return seconds ? text + String(format: ":%02d", c.second!) : text
    }
}
