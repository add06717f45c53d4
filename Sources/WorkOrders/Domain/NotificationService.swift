import Foundation
import Platform
import SQLKit

/// In-app notifications: a worker's, and a cadre's (addressed to them or to an org where they handle orders).
public struct NotificationService: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func forWorker(_ workerId: Int64, limit: Int = 20) async throws -> [Notification] {
        try await database.withConnection { sql in
            try await sql.select().column("*").from("notifications").where("worker_id", .equal, workerId).orderBy("id", .descending).limit(
                limit
            )
            .all(decoding: Notification.self)
        }
    }

    /// A cadre's notices, newest first, and the id up to which this cadre has read them.
    public func forStaff(_ actor: Actor, page: PageRequest) async throws -> (page: Page<Notification>, readThrough: Int64) {
        let before = try page.keyID()
        let (rows, readThrough) = try await database.withConnection { sql in
            let q = sql.select().column("*").from("notifications").where(Self.staffCondition(actor))
            if let before { q.where("id", .lessThan, before) }
            let rows = try await q.orderBy("id", .descending).limit(page.limit + 1).all(decoding: Notification.self)
            let mark = try await sql.select().column("read_through").from("notification_marks")
                .where("account_id", .equal, actor.accountId ?? -1).first()?.decode(column: "read_through", as: Int64.self)
            return (rows, mark ?? 0)
        }
        return (Page(fetched: rows, limit: page.limit) { [String($0.id)] }, readThrough)
    }

    public func unreadCount(_ actor: Actor) async throws -> Int {
        try await database.withConnection { sql in
            let mark = sql.select().column("read_through").from("notification_marks").where("account_id", .equal, actor.accountId ?? -1)
            return try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notifications")
                .where(Self.staffCondition(actor))
                .where(
                    SQLColumn("id"), .greaterThan, SQLFunction("COALESCE", args: SQLGroupExpression(mark.query), SQLLiteral.numeric("0"))
                )
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Moves this cadre's mark past every notice they can see now; other handlers' marks stay.
    public func markAllRead(_ actor: Actor) async throws {
        guard let accountId = actor.accountId else { return }
        try await database.transaction { sql in
            let newest = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("id")), as: "id").from("notifications")
                .where(Self.staffCondition(actor)).first()?.decode(column: "id", as: Int64?.self)
            guard let newest else { return }
            try await sql.insert(into: "notification_marks").columns("account_id", "read_through").values(
                SQLBind(accountId), SQLBind(newest)
            )
            .onConflict(with: ["account_id"]) { $0.set(excludedValueOf: "read_through") }.run()
        }
    }

    public func markWorkerRead(_ workerId: Int64, now: Date) async throws {
        try await database.transaction { sql in
            try await sql.update("notifications").set("read_at", to: now).where("worker_id", .equal, workerId).where(
                "read_at", .is, SQLLiteral.null
            ).run()
        }
    }

    /// Mine, or my handler orgs'.
    static func staffCondition(_ actor: Actor) -> any SQLExpression {
        let orgs = (actor.principal?.assignments ?? []).filter { $0.permissions.contains(.workOrderHandle) }.map(\.orgId)
        return SQLGroupExpression(
            SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("account_id"), .equal, SQLBind(actor.accountId ?? -1)), .or,
                SQLBinaryExpression(SQLColumn("org_id"), .in, SQLGroupExpression((orgs.isEmpty ? [-1] : orgs).map { SQLBind($0) }))))
    }
}
