import Foundation
import Platform
import SQLKit

/// The deadline keeper, run as a job: escalates overdue orders one level up the tree (and further
/// while they stay overdue), warns handlers the working day before a deadline, and closes resolved
/// orders whose rating window has passed. Set-based: a batch of orders per statement.
public struct SLAService: Sendable {
    public static let jobKind = "workorders.sla"
    static let batchSize = 2000

    public struct Summary: Sendable, Equatable {
        public var escalated = 0
        public var warned = 0
        public var closed = 0
    }

    let database: Database
    let catalog: WorkOrderCatalog
    let orgs: any HandlingOrgDirectory
    let clock: AppClock

    public init(database: Database, catalog: WorkOrderCatalog, orgs: any HandlingOrgDirectory, clock: AppClock) {
        self.database = database
        self.catalog = catalog
        self.orgs = orgs
        self.clock = clock
    }

    public func run() async throws -> Summary {
        let today = CivilDate(date: clock.now())
        let calendar = try await catalog.snapshot().calendar
        var summary = Summary()
        summary.escalated = try await escalate(today: today, calendar: calendar)
        summary.warned = try await warn(today: today, calendar: calendar)
        summary.closed = try await autoClose(today: today)
        return summary
    }

    struct Due: Decodable {
        var id: Int64
        var number: String
        var org_id: Int64
        var org_path: OrgPath
        var supervisor_path: OrgPath?
        var assignee_id: Int64?
    }

    /// Orders past `escalate_on` go to the parent of their current supervisor (or of their org).
    func escalate(today: CivilDate, calendar: WorkCalendar) async throws -> Int {
        let next = calendar.adding(workingDays: WorkOrderService.escalationStepDays, to: today).iso
        var total = 0
        while true {
            let batch = try await database.withConnection { sql in
                try await sql.select().columns("id", "number", "org_id", "org_path", "supervisor_path", "assignee_id").from("work_orders")
                    .where("escalate_on", .lessThan, today.iso).where("status", .in, ["submitted", "accepted"])
                    .orderBy("escalate_on").limit(Self.batchSize).all(decoding: Due.self)
            }
            if batch.isEmpty { return total }
            let byTarget = Dictionary(grouping: batch) { ($0.supervisor_path ?? $0.org_path).parent }
            let names = Dictionary(
                try await orgs.orgs(byTarget.keys.compactMap { $0?.id }).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let now = clock.now()
            total += try await database.transaction { sql in
                var done = 0
                for (target, orders) in byTarget {
                    let ids = orders.map(\.id)
                    let q = sql.update("work_orders").set("was_overdue", to: true).set("version", to: SQLRaw("version + 1")).set(
                        "updated_at", to: now)
                    if let target {
                        q.set("supervisor_org_id", to: target.id).set("supervisor_path", to: target.rawValue)
                            .set("escalation_level", to: SQLRaw("escalation_level + 1")).set("escalate_on", to: next)
                    } else {
                        q.set("escalate_on", to: SQLLiteral.null)  // the top of the tree: nowhere further to go
                    }
                    let updated = try await q.where("id", .in, ids).where("escalate_on", .lessThan, today.iso)
                        .where("status", .in, ["submitted", "accepted"]).returning("id").all().map {
                            try $0.decode(column: "id", as: Int64.self)
                        }
                    guard let target, !updated.isEmpty else { continue }
                    let name = names[target.id] ?? ""
                    let events = sql.insert(into: "work_order_events").columns(
                        "order_id", "at", "actor_name", "action", "note", "public", "org_name")
                    let notes = sql.insert(into: "notifications").columns("account_id", "org_id", "order_id", "kind", "text", "created_at")
                    let byId = Dictionary(uniqueKeysWithValues: orders.map { ($0.id, $0) })
                    for id in updated {
                        let o = byId[id]!
                        let text = WorkOrderText.escalatedTo(o.number, name)
                        events.values(
                            SQLBind(id), SQLBind(now), SQLBind(WorkOrderText.systemActor), SQLBind("escalated"), SQLBind(text),
                            SQLBind(false), SQLBind(name))
                        notes.values(
                            SQLBind(Int64?.none), SQLBind(target.id), SQLBind(id), SQLBind("escalated"), SQLBind(text), SQLBind(now))
                        notes.values(
                            SQLBind(Int64?.none), SQLBind(o.org_id), SQLBind(id), SQLBind("escalated"), SQLBind(text), SQLBind(now))
                    }
                    try await events.run()
                    try await notes.run()
                    try await AuditLog.record(
                        AuditEntry(
                            actor: .system(Self.jobKind), action: "workorder.escalate", objectType: "work_order",
                            objectId: updated.map(String.init).joined(separator: ","), orgPath: target,
                            detail: ["count": String(updated.count)]), on: sql)
                    done += updated.count
                }
                return done
            }
        }
    }

    /// Handlers hear about a deadline on the working day before it.
    func warn(today: CivilDate, calendar: WorkCalendar) async throws -> Int {
        let horizon = calendar.adding(workingDays: 1, to: today).iso
        var total = 0
        while true {
            let batch = try await database.withConnection { sql in
                try await sql.select().columns("id", "number", "org_id", "org_path", "supervisor_path", "assignee_id").from("work_orders")
                    .where("due_on", .lessThanOrEqual, horizon).where("due_on", .greaterThanOrEqual, today.iso)
                    .where("status", .in, ["submitted", "accepted"]).where("warned", .equal, false)
                    .limit(Self.batchSize).all(decoding: Due.self)
            }
            if batch.isEmpty { return total }
            let now = clock.now()
            try await database.transaction { sql in
                let updated = try await sql.update("work_orders").set("warned", to: true).where("id", .in, batch.map(\.id))
                    .where("warned", .equal, false).returning("id", "due_on").all()
                let byId = Dictionary(uniqueKeysWithValues: batch.map { ($0.id, $0) })
                let notes = sql.insert(into: "notifications").columns("account_id", "org_id", "order_id", "kind", "text", "created_at")
                for row in updated {
                    let o = byId[try row.decode(column: "id", as: Int64.self)]!
                    let text = WorkOrderText.dueSoon(o.number, try row.decode(column: "due_on", as: String.self))
                    notes.values(SQLBind(Int64?.none), SQLBind(o.org_id), SQLBind(o.id), SQLBind("due_soon"), SQLBind(text), SQLBind(now))
                    if let a = o.assignee_id {
                        notes.values(SQLBind(a), SQLBind(Int64?.none), SQLBind(o.id), SQLBind("due_soon"), SQLBind(text), SQLBind(now))
                    }
                }
                if !updated.isEmpty { try await notes.run() }
            }
            total += batch.count
        }
    }

    /// Resolved orders nobody rated within the window close by themselves (unrated).
    func autoClose(today: CivilDate) async throws -> Int {
        var total = 0
        while true {
            let ids = try await database.withConnection { sql in
                try await sql.select().column("id").from("work_orders").where("status", .equal, "resolved")
                    .where("close_after", .lessThan, today.iso).limit(Self.batchSize).all().map {
                        try $0.decode(column: "id", as: Int64.self)
                    }
            }
            if ids.isEmpty { return total }
            let now = clock.now()
            try await database.transaction { sql in
                let closed = try await sql.update("work_orders").set("status", to: "closed").set("closed_at", to: now)
                    .set("version", to: SQLRaw("version + 1")).set("updated_at", to: now)
                    .where("id", .in, ids).where("status", .equal, "resolved").returning("id").all().map {
                        try $0.decode(column: "id", as: Int64.self)
                    }
                guard !closed.isEmpty else { return }
                let events = sql.insert(into: "work_order_events").columns(
                    "order_id", "at", "actor_name", "action", "note", "public", "org_name")
                for id in closed {
                    events.values(
                        SQLBind(id), SQLBind(now), SQLBind(WorkOrderText.systemActor), SQLBind("auto_closed"),
                        SQLBind(WorkOrderText.autoClosed), SQLBind(true),
                        SQLBind(String?.none))
                }
                try await events.run()
                try await AuditLog.record(
                    AuditEntry(
                        actor: .system(Self.jobKind), action: "workorder.auto_close", objectType: "work_order",
                        objectId: closed.map(String.init).joined(separator: ","), orgPath: nil,
                        detail: ["count": String(closed.count)]), on: sql)
            }
            total += ids.count
        }
    }
}
