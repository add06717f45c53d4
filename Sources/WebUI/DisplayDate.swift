import Foundation

/// Dates as the pages show them: Beijing time, `2026-11-22 14:05`.
public enum DisplayDate {
    public static func minutes(_ date: Date) -> String { format(date, seconds: false) }
    public static func seconds(_ date: Date) -> String { format(date, seconds: true) }

    static func format(_ date: Date, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        return seconds ? text + String(format: ":%02d", c.second!) : text
    }
}
