import Foundation
import Platform
import SQLKit

/// Whose notices a cadre sees: those addressed to the account, and those to the orgs where it handles orders.
struct StaffInbox: Sendable {
    var accountId: Int64
    var orgIds: [Int64]
}

/// The queries of in-app notices and the cadres' read marks.
struct NotificationStore: Sendable {
    func forWorker(_ workerId: Int64, limit: Int, on sql: any SQLDatabase) async throws -> [Notification] {
        try await sql.select().column("*").from("notifications").where("worker_id", .equal, workerId).orderBy("id", .descending)
            .limit(limit).all(decoding: Notification.self)
    }

    /// Newest first, older than `before`.
    func forStaff(_ inbox: StaffInbox, before: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [Notification] {
        let q = sql.select().column("*").from("notifications").where(condition(inbox))
        if let before { q.where("id", .lessThan, before) }
        return try await q.orderBy("id", .descending).limit(limit).all(decoding: Notification.self)
    }

    func readThrough(_ inbox: StaffInbox, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.select().column("read_through").from("notification_marks").where("account_id", .equal, inbox.accountId)
            .first()?.decode(column: "read_through", as: Int64.self) ?? 0
    }

    func unreadCount(_ inbox: StaffInbox, on sql: any SQLDatabase) async throws -> Int {
        let mark = sql.select().column("read_through").from("notification_marks").where("account_id", .equal, inbox.accountId)
        return try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notifications")
            .where(condition(inbox))
            .where(SQLColumn("id"), .greaterThan, SQLFunction("COALESCE", args: SQLGroupExpression(mark.query), SQLLiteral.numeric("0")))
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Moves the account's mark to the newest notice it sees now.
    func markAllRead(_ inbox: StaffInbox, on sql: any SQLDatabase) async throws {
        let newest = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("id")), as: "id").from("notifications")
            .where(condition(inbox)).first()?.decode(column: "id", as: Int64?.self)
        guard let newest else { return }
        try await sql.insert(into: "notification_marks").columns("account_id", "read_through")
            .values(SQLBind(inbox.accountId), SQLBind(newest))
            .onConflict(with: ["account_id"]) { $0.set(excludedValueOf: "read_through") }.run()
    }

    func unreadCount(ofWorker workerId: Int64, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notifications").where("worker_id", .equal, workerId)
            .where("read_at", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    func markWorkerRead(_ workerId: Int64, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("notifications").set("read_at", to: now).where("worker_id", .equal, workerId)
            .where("read_at", .is, SQLLiteral.null).run()
    }

    private func condition(_ inbox: StaffInbox) -> any SQLExpression {
        SQLGroupExpression(
            SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("account_id"), .equal, SQLBind(inbox.accountId)), .or,
                SQLBinaryExpression(
                    SQLColumn("org_id"), .in, SQLGroupExpression((inbox.orgIds.isEmpty ? [-1] : inbox.orgIds).map { SQLBind($0) }))))
    }
}
