import Foundation
import Platform
import SQLKit

/// The SQL of the member dashboard: counters in, rollups per union out.
struct RollupStore: Sendable {
    struct Counter: Sendable {
        let orgId: Int64
        let metric: String
        let period: String
        let value: Int64
    }

    static let columns = [
        "org_id", "org_path", "parent_id", "period", "active", "retired", "joined", "migrant", "cards", "pending", "computed_at", "founding",
        "joined_months",
    ]

    /// Each union's member count at the last run, to see which crossed 25 since.
    func previousActive(on sql: any SQLDatabase) async throws -> [Int64: Int64] {
        try await sql.select().columns("org_id", "active").from("member_rollups").all().reduce(into: [:]) {
            $0[try $1.decode(column: "org_id", as: Int64.self)] = try $1.decode(column: "active", as: Int64.self)
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

    /// Standing counters (no period), those of `period` (`2026-12`), and joins of the months from `first` on.
    func counters(period: String, joinedSince first: String, on sql: any SQLDatabase) async throws -> [Counter] {
        try await sql.raw(
            """
            SELECT org_id, metric, period, value FROM member_counters
            WHERE period = '' OR period = \(bind: period) OR (metric = 'joined' AND period >= \(bind: first))
            """
        ).all().map {
            Counter(
                orgId: try $0.decode(column: "org_id", as: Int64.self), metric: try $0.decode(column: "metric", as: String.self),
                period: try $0.decode(column: "period", as: String.self), value: try $0.decode(column: "value", as: Int64.self))
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
