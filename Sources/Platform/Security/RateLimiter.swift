import Foundation
import SQLKit

/// Counts events per key in fixed windows (a minute, an hour, a day) in the database, so every
/// node of a cluster shares the count: SMS codes per phone, per address and per session; logins
/// per address. A refused event still counts, so hammering does not reopen the window.
public struct RateLimiter: Sendable {
    public struct Rule: Sendable {
        public var key: String
        public var limit: Int
        public var window: TimeInterval

        public init(_ key: String, limit: Int, per window: TimeInterval) {
            self.key = key
            self.limit = limit
            self.window = window
        }
    }

    public static let migrations: [Migration] = [
        Migration(
            domain: "platform", number: 3, name: "rate_counters",
            statements: [
                """
                CREATE TABLE rate_counters (
                    key TEXT NOT NULL, window_start {bigint} NOT NULL, ends_at {bigint} NOT NULL, count INTEGER NOT NULL,
                    PRIMARY KEY (key, window_start))
                """,
                "CREATE INDEX rate_counters_ends ON rate_counters (ends_at)",
            ])
    ]

    let database: Database

    public init(database: Database) { self.database = database }

    /// Counts one event under every rule; throws `limited` (429) if any rule's window is now over its limit.
    public func hit(_ rules: [Rule], now: Date) async throws {
        let over = try await database.transaction { sql in
            var over = false
            for rule in rules {
                let start = Int64(now.timeIntervalSince1970 / rule.window)
                let key = "\(rule.key)/\(Int(rule.window))"
                let ends = Int64(Double(start + 1) * rule.window)
                let count = try await sql.raw(
                    """
                    INSERT INTO rate_counters (key, window_start, ends_at, count) VALUES (\(bind: key), \(bind: start), \(bind: ends), 1)
                    ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1 RETURNING count
                    """
                ).first()?.decode(column: "count", as: Int.self) ?? 0
                if count > rule.limit { over = true }
            }
            return over
        }
        if over { throw AppError(.tooManyRequests, code: "rate_limited", message: PlatformText.rateLimited) }
    }

    /// Drops windows that have ended (a periodic job).
    public func purge(now: Date) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM rate_counters WHERE ends_at < \(bind: Int64(now.timeIntervalSince1970))").run()
        }
    }
}
