import SQLKit

/// Text helpers for SQL built with bound parameters.
public enum SQLText {
    /// A `LIKE` pattern matching `text` anywhere. Wildcards typed by the user are dropped, not
    /// escaped: the two dialects escape differently, and no union name needs `%` or `_`.
    public static func contains(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
    }
}

extension SQLInsertBuilder {
    /// Runs the insert and returns the new row's `id` (both dialects support `RETURNING`).
    public func insertedId() async throws -> Int64 {
        guard let row = try await returning("id").first() else { throw AppError.conflict(PlatformText.concurrentChange) }
        return try row.decode(column: "id", as: Int64.self)
    }
}
