import Foundation
import Platform

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
    let sla = SLAStore()
    let store = WorkOrderStore()

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

    /// Orders past `escalate_on` go to the parent of their current supervisor (or of their org).
    func escalate(today: CivilDate, calendar: WorkCalendar) async throws -> Int {
        let next = calendar.adding(workingDays: WorkOrderService.escalationStepDays, to: today)
        var total = 0
        while true {
            let batch = try await database.withConnection { sql in try await sla.pastEscalation(today, limit: Self.batchSize, on: sql) }
            if batch.isEmpty { return total }
            let byTarget = Dictionary(grouping: batch) { ($0.supervisor_path ?? $0.org_path).parent }
            let names = Dictionary(
                try await orgs.orgs(byTarget.keys.compactMap { $0?.id }).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let now = clock.now()
            total += try await database.transaction { sql in
                var done = 0
                for (target, orders) in byTarget {
                    let updated = try await sla.escalate(orders.map(\.id), to: target, next: next, today: today, now: now, on: sql)
                    guard let target, !updated.isEmpty else { continue }
                    let name = names[target.id] ?? ""
                    let byId = Dictionary(uniqueKeysWithValues: orders.map { ($0.id, $0) })
                    let changed = updated.compactMap { byId[$0] }
                    let text = { (o: SLAStore.Due) in WorkOrderText.escalatedTo(o.number, name) }
                    try await store.events(
                        changed.map {
                            ($0.id, now, .init(actor: WorkOrderText.systemActor, action: "escalated", note: text($0), isPublic: false, orgName: name))
                        }, on: sql)
                    try await Notice.post(
                        changed.flatMap { o in
                            [target.id, o.org_id].map { Notice(to: .org($0), kind: "escalated", text: text(o), orderId: o.id, at: now) }
                        }, on: sql)
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
        let horizon = calendar.adding(workingDays: 1, to: today)
        var total = 0
        while true {
            let batch = try await database.withConnection { sql in
                try await sla.dueSoon(from: today, through: horizon, limit: Self.batchSize, on: sql)
            }
            if batch.isEmpty { return total }
            let now = clock.now()
            try await database.transaction { sql in
                let byId = Dictionary(uniqueKeysWithValues: batch.map { ($0.id, $0) })
                var notices: [Notice] = []
                for (id, dueOn) in try await sla.markWarned(batch.map(\.id), on: sql) {
                    guard let o = byId[id] else { continue }
                    let text = WorkOrderText.dueSoon(o.number, dueOn)
                    notices.append(Notice(to: .org(o.org_id), kind: "due_soon", text: text, orderId: o.id, at: now))
                    if let a = o.assignee_id { notices.append(Notice(to: .account(a), kind: "due_soon", text: text, orderId: o.id, at: now)) }
                }
                try await Notice.post(notices, on: sql)
            }
            total += batch.count
        }
    }

    /// Resolved orders nobody rated within the window close by themselves (unrated).
    func autoClose(today: CivilDate) async throws -> Int {
        var total = 0
        while true {
            let ids = try await database.withConnection { sql in try await sla.ratingWindowPassed(today, limit: Self.batchSize, on: sql) }
            if ids.isEmpty { return total }
            let now = clock.now()
            try await database.transaction { sql in
                let closed = try await sla.close(ids, now: now, on: sql)
                guard !closed.isEmpty else { return }
                try await store.events(
                    closed.map {
                        ($0, now, .init(actor: WorkOrderText.systemActor, action: "auto_closed", note: WorkOrderText.autoClosed, isPublic: true))
                    }, on: sql)
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
