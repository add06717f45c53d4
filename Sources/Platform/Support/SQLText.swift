/// Text helpers for SQL built with bound parameters.
public enum SQLText {
    /// A `LIKE` pattern matching `text` anywhere. Wildcards typed by the user are dropped, not
    /// escaped: the two dialects escape differently, and no union name needs `%` or `_`.
    public static func contains(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
    }
}
