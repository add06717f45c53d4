import Foundation
import Platform
import SQLKit

/// The SQL of the member dashboard: counters in, rollups per union out.
struct RollupStore: Sendable {
    struct Counter: Sendable {
        let orgId: Int64
        let metric: String
        let value: Int64
    }

    static let columns = [
        "org_id", "org_path", "parent_id", "period", "active", "retired", "joined", "migrant", "cards", "pending", "computed_at", "founding",
    ]

    /// Each union's member count at the last run, to see which crossed 25 since.
    func previousActive(on sql: any SQLDatabase) async throws -> [Int64: Int64] {
        try await sql.select().columns("org_id", "active").from("member_rollups").all().reduce(into: [:]) {
            $0[try $1.decode(column: "org_id", as: Int64.self)] = try $1.decode(column: "active", as: Int64.self)
        }
    }

    /// Members who joined in each month from `first` on, summed over the unions under `root` (the
    /// counters keep every month; the rollups give each union's path).
    func joinedByMonth(under root: OrgPath, from first: String, on sql: any SQLDatabase) async throws -> [String: Int64] {
        try await sql.raw(
            """
            SELECT c.period AS period, CAST(SUM(c.value) AS BIGINT) AS joined FROM member_counters c
            JOIN member_rollups r ON r.org_id = c.org_id
            WHERE c.metric = 'joined' AND c.period >= \(bind: first) AND \(Scope([root]).condition("r.org_path"))
            GROUP BY c.period
            """
        ).all().reduce(into: [:]) {
            $0[try $1.decode(column: "period", as: String.self)] = try $1.decode(column: "joined", as: Int64.self)
        }
    }

    /// Unions in `scope` whose form the rule flags, fullest first.
    func flagged(in scope: Scope, limit: Int, on sql: any SQLDatabase) async throws -> [MemberRollup] {
        try await sql.select().column("*").from("member_rollups").where("org_path", in: scope).where("founding", .isNot, SQLLiteral.null)
            .orderBy("active", .descending).limit(limit).all(decoding: MemberRollup.self)
    }

    func flaggedCount(in scope: Scope, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("member_rollups").where("org_path", in: scope)
            .where("founding", .isNot, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Standing counters (no period) and those of `period` (`2026-12`).
    func counters(period: String, on sql: any SQLDatabase) async throws -> [Counter] {
        try await sql.raw("SELECT org_id, metric, value FROM member_counters WHERE period = '' OR period = \(bind: period)").all().map {
            Counter(
                orgId: try $0.decode(column: "org_id", as: Int64.self), metric: try $0.decode(column: "metric", as: String.self),
                value: try $0.decode(column: "value", as: Int64.self))
        }
    }

    /// Replaces every rollup (rows in `columns` order).
    func replaceAll(_ rows: [[BulkValue]], on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "member_rollups").run()
        try await Database.bulkInsert(into: "member_rollups", columns: Self.columns, rows: rows, on: sql)
    }

    /// The union's rollup and its children's, in one statement.
    func rollups(ofAndUnder orgId: Int64, on sql: any SQLDatabase) async throws -> [MemberRollup] {
        try await sql.select().column("*").from("member_rollups").where("org_id", .equal, orgId).orWhere("parent_id", .equal, orgId)
            .all(decoding: MemberRollup.self)
    }
}
