import Foundation
import Platform
import SQLKit

/// The deadline keeper's set-based statements: each reads or changes a batch of orders at once,
/// and each update re-checks its condition so a batch read earlier never changes an order that moved on.
struct SLAStore: Sendable {
    /// What the keeper needs of an order.
    struct Due: Decodable, Sendable {
        var id: Int64
        var number: String
        var org_id: Int64
        var org_path: OrgPath
        var supervisor_path: OrgPath?
        var assignee_id: Int64?
    }

    static let open = ["submitted", "accepted"]

    private func due(_ sql: any SQLDatabase) -> SQLSelectBuilder {
        sql.select().columns("id", "number", "org_id", "org_path", "supervisor_path", "assignee_id").from("work_orders")
    }

    func pastEscalation(_ today: CivilDate, limit: Int, on sql: any SQLDatabase) async throws -> [Due] {
        try await due(sql).where("escalate_on", .lessThan, today.iso).where("status", .in, Self.open)
            .orderBy("escalate_on").limit(limit).all(decoding: Due.self)
    }

    /// Moves supervision of `ids` to `target` (nil: the top of the tree, nowhere further to go); returns the ids changed.
    func escalate(_ ids: [Int64], to target: OrgPath?, next: CivilDate, today: CivilDate, now: Date, on sql: any SQLDatabase)
        async throws -> [Int64]
    {
        let q = sql.update("work_orders").set("was_overdue", to: true).set("version", to: SQLRaw("version + 1")).set("updated_at", to: now)
        if let target {
            q.set("supervisor_org_id", to: target.id).set("supervisor_path", to: target.rawValue)
                .set("escalation_level", to: SQLRaw("escalation_level + 1")).set("escalate_on", to: next.iso)
        } else {
            q.set("escalate_on", to: SQLLiteral.null)
        }
        return try await q.where("id", .in, ids).where("escalate_on", .lessThan, today.iso).where("status", .in, Self.open)
            .returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    func dueSoon(from today: CivilDate, through horizon: CivilDate, limit: Int, on sql: any SQLDatabase) async throws -> [Due] {
        try await due(sql).where("due_on", .lessThanOrEqual, horizon.iso).where("due_on", .greaterThanOrEqual, today.iso)
            .where("status", .in, Self.open).where("warned", .equal, false).limit(limit).all(decoding: Due.self)
    }

    /// Marks `ids` warned; returns each changed id with its deadline.
    func markWarned(_ ids: [Int64], on sql: any SQLDatabase) async throws -> [(id: Int64, dueOn: String)] {
        try await sql.update("work_orders").set("warned", to: true).where("id", .in, ids).where("warned", .equal, false)
            .returning("id", "due_on").all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "due_on", as: String.self)) }
    }

    func ratingWindowPassed(_ today: CivilDate, limit: Int, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.select().column("id").from("work_orders").where("status", .equal, "resolved").where("close_after", .lessThan, today.iso)
            .limit(limit).all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    /// Closes those of `ids` still resolved; returns the ids closed.
    func close(_ ids: [Int64], now: Date, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.update("work_orders").set("status", to: "closed").set("closed_at", to: now)
            .set("version", to: SQLRaw("version + 1")).set("updated_at", to: now)
            .where("id", .in, ids).where("status", .equal, "resolved").returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }
    }
}
