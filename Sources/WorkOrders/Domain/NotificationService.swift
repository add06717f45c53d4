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

    public func forStaff(_ actor: Actor, page: PageRequest) async throws -> Page<Notification> {
        let before = try page.keyID()
        let rows = try await database.withConnection { sql in
            let q = sql.select().column("*").from("notifications").where(Self.staffCondition(actor))
            if let before { q.where("id", .lessThan, before) }
            return try await q.orderBy("id", .descending).limit(page.limit + 1).all(decoding: Notification.self)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    public func unreadCount(_ actor: Actor) async throws -> Int {
        try await database.withConnection { sql in
            try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notifications")
                .where(Self.staffCondition(actor)).where("read_at", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func markAllRead(_ actor: Actor, now: Date) async throws {
        try await database.withConnection { sql in
            try await sql.update("notifications").set("read_at", to: now).where(Self.staffCondition(actor)).where(
                "read_at", .is, SQLLiteral.null
            ).run()
        }
    }

    public func markWorkerRead(_ workerId: Int64, now: Date) async throws {
        try await database.withConnection { sql in
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
