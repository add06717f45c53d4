import Foundation
import Platform
import SQLKit

/// SQL shared by the work-order services; every function runs on the caller's connection or transaction.
struct WorkOrderStore: Sendable {
    func order(_ id: Int64, on sql: any SQLDatabase) async throws -> WorkOrder? {
        try await sql.select().column("*").from("work_orders").where("id", .equal, id).first(decoding: WorkOrder.self)
    }

    /// Applies `changes` only if nobody changed the order since `expected` was read; bumps the version.
    func update(_ expected: WorkOrder, _ changes: [String: any Encodable & Sendable], now: Date, on sql: any SQLDatabase) async throws {
        let q = sql.update("work_orders").set("version", to: SQLRaw("version + 1")).set("updated_at", to: now)
        for (column, value) in changes.sorted(by: { $0.key < $1.key }) { q.set(column, to: SQLBind(value)) }
        let rows = try await q.where("id", .equal, expected.id).where("version", .equal, expected.version).returning("id").all()
        if rows.isEmpty { throw AppError.conflict(PlatformText.concurrentChange) }
    }

    /// One timeline row to write.
    struct Entry: Sendable {
        var actor: String
        var action: String
        var note: String? = nil
        var isPublic: Bool
        var orgName: String? = nil
    }

    func event(
        _ orderId: Int64, actor: String, action: String, note: String? = nil, isPublic: Bool, orgName: String? = nil, at: Date,
        on sql: any SQLDatabase
    ) async throws {
        try await events([(orderId, at, Entry(actor: actor, action: action, note: note, isPublic: isPublic, orgName: orgName))], on: sql)
    }

    /// Timeline rows, of one order or several, in one statement.
    func events(_ rows: [(orderId: Int64, at: Date, entry: Entry)], on sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        let q = sql.insert(into: "work_order_events").columns("order_id", "at", "actor_name", "action", "note", "public", "org_name")
        for (orderId, at, e) in rows {
            q.values(
                SQLBind(orderId), SQLBind(at), SQLBind(e.actor), SQLBind(e.action), SQLBind(e.note), SQLBind(e.isPublic), SQLBind(e.orgName)
            )
        }
        try await q.run()
    }

    typealias Recipient = Notice.Recipient

    func notify(_ recipient: Recipient, orderId: Int64, kind: String, text: String, at: Date, on sql: any SQLDatabase) async throws {
        try await Notice.post([Notice(to: recipient, kind: kind, text: text, orderId: orderId, at: at)], on: sql)
    }

    func count(_ order: WorkOrder, org: (id: Int64, path: OrgPath), on day: CivilDate, _ deltas: Counters, on sql: any SQLDatabase)
        async throws
    {
        let period = String(day.iso.prefix(7))
        try await sql.insert(into: "work_order_counters")
            .columns(
                "org_id", "org_path", "period", "type_code", "category_code", "created", "resolved", "on_time", "rated", "satisfied",
                "rating_sum", "handling_days"
            )
            .values(
                SQLBind(org.id), SQLBind(org.path.rawValue), SQLBind(period), SQLBind(order.typeCode), SQLBind(order.categoryCode),
                SQLBind(deltas.created), SQLBind(deltas.resolved), SQLBind(deltas.onTime), SQLBind(deltas.rated),
                SQLBind(deltas.satisfied), SQLBind(deltas.ratingSum), SQLBind(deltas.handlingDays)
            )
            .onConflict(with: ["org_id", "period", "type_code", "category_code"]) { conflict in
                for column in Counters.columns {
                    conflict.set(
                        SQLColumn(column),
                        to: SQLBinaryExpression(
                            SQLColumn(column, table: "work_order_counters"), .add,
                            SQLColumn(column, table: "excluded")))
                }
                return conflict
            }.run()
    }

    /// Moves copies of org paths after a subtree moves in the tree.
    static func rebase(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        for (table, column) in [
            ("work_orders", "org_path"), ("work_orders", "supervisor_path"), ("work_order_assists", "org_path"),
            ("work_order_counters", "org_path"),
        ] {
            try await OrgPath.rebase(table, column, from: old, to: new, on: sql)
        }
    }
}

/// Deltas of one counter row.
struct Counters: Sendable {
    static let columns = ["created", "resolved", "on_time", "rated", "satisfied", "rating_sum", "handling_days"]
    var created: Int64 = 0
    var resolved: Int64 = 0
    var onTime: Int64 = 0
    var rated: Int64 = 0
    var satisfied: Int64 = 0
    var ratingSum: Int64 = 0
    var handlingDays: Int64 = 0
}

/// For the tree's listeners (wired in App): work orders, assists and counters follow a moved subtree.
public enum WorkOrderPaths {
    public static func rebase(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        try await WorkOrderStore.rebase(from: old, to: new, on: sql)
    }

    /// A merged union's orders continue at the union it was merged into.
    public static func merge(_ source: OrgPath, into target: OrgPath, on sql: any SQLDatabase) async throws {
        try await sql.update("work_orders").set("org_id", to: target.id).set("org_path", to: target.rawValue)
            .set("version", to: SQLRaw("version + 1")).where("org_id", .equal, source.id).run()
    }

    /// A union with open orders cannot close: they would have no handler.
    public static func checkCanClose(_ org: OrgPath, on sql: any SQLDatabase) async throws {
        let open = try await sql.select().column("id").from("work_orders").where("org_id", .equal, org.id)
            .where("status", .in, ["submitted", "accepted", "waiting"]).limit(1).first()
        if open != nil { throw AppError.conflict(WorkOrderText.openOrdersRemain) }
    }
}
