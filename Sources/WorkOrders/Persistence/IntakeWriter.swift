import Foundation
import Platform
import SQLKit

/// Writes new orders in groups (group commit). While one transaction runs, the intakes that
/// arrive queue up and go into the next one together: a busy hotline then costs a handful of
/// statements per group rather than per order. An order that arrives alone is written at once.
actor IntakeWriter {
    /// An order ready to insert; everything was validated and routed before it got here.
    struct NewOrder: Sendable {
        var row: Row
        var day: CivilDate
        var now: Date
        var timeline: [WorkOrderStore.Entry]
        var actor: Actor
        var auditDetail: [String: String]
    }

    /// The columns of a new `work_orders` row that vary per order.
    struct Row: Sendable {
        var typeCode: String
        var categoryCode: String
        var complexity: WorkOrder.Complexity
        var channel: WorkOrder.Channel
        var title: String
        var description: String
        var workerId: Int64?
        var memberId: Int64?
        var callerName: String
        var phoneCipher: String?
        var phoneIndex: String?
        var phoneMask: String?
        var originOrgId: Int64
        var org: (id: Int64, path: OrgPath)
        var dueOn: String
        var createdBy: String

        /// In `columns` order; a new order is submitted, and its first escalation check is its deadline.
        func values(number: String, now: Date) -> [SQLBind] {
            [
                SQLBind(number), SQLBind(typeCode), SQLBind(categoryCode), SQLBind(complexity.rawValue), SQLBind(channel.rawValue),
                SQLBind(title), SQLBind(description), SQLBind(WorkOrder.Status.submitted.rawValue), SQLBind(workerId), SQLBind(memberId),
                SQLBind(callerName), SQLBind(phoneCipher), SQLBind(phoneIndex), SQLBind(phoneMask), SQLBind(originOrgId), SQLBind(org.id),
                SQLBind(org.path.rawValue), SQLBind(dueOn), SQLBind(dueOn), SQLBind(createdBy), SQLBind(now), SQLBind(now),
            ]
        }
    }

    static let columns = [
        "number", "type_code", "category_code", "complexity", "channel", "title", "description", "status", "worker_id", "member_id",
        "caller_name", "caller_phone_cipher", "caller_phone_index", "caller_phone_mask", "origin_org_id", "org_id", "org_path", "due_on",
        "escalate_on", "created_by", "created_at", "updated_at",
    ]
    /// Orders in one transaction at most.
    static let maxGroup = 64

    let database: Database
    let store = WorkOrderStore()
    private var waiting: [(order: NewOrder, reply: CheckedContinuation<WorkOrder, any Error>)] = []
    private var draining = false
    /// Placeholder numbers, unique across processes, until the ids are known: `pending-<nonce>-<serial>`.
    private let nonce = randomToken(bytes: 9)
    private var serial = 0

    init(database: Database) { self.database = database }

    func write(_ order: NewOrder) async throws -> WorkOrder {
        try await withCheckedThrowingContinuation { reply in
            waiting.append((order, reply))
            if !draining {
                draining = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let group = Array(waiting.prefix(Self.maxGroup))
            waiting.removeFirst(group.count)
            await commit(group)
        }
        draining = false
    }

    private func commit(_ group: [(order: NewOrder, reply: CheckedContinuation<WorkOrder, any Error>)]) async {
        let placeholders = group.map { _ in
            serial += 1
            return "pending-\(nonce)-\(serial)"
        }
        do {
            let orders = try await database.transaction { [store] sql in
                try await Self.insert(group.map(\.order), placeholders: placeholders, store: store, on: sql)
            }
            for (item, order) in zip(group, orders) { item.reply.resume(returning: order) }
        } catch  where group.count > 1 {
            // One order's failure must not cost the others theirs: write each alone.
            for item in group { await commit([item]) }
        } catch {
            group[0].reply.resume(throwing: error)
        }
    }

    /// Inserts the orders, numbers them, and writes their timelines, notices, audit entries and counters.
    /// The placeholder numbers tie each returned row to its order.
    static func insert(_ new: [NewOrder], placeholders: [String], store: WorkOrderStore, on sql: any SQLDatabase) async throws
        -> [WorkOrder]
    {
        let insert = sql.insert(into: "work_orders").columns(columns)
        for (order, placeholder) in zip(new, placeholders) { insert.values(order.row.values(number: placeholder, now: order.now)) }
        let rows = Dictionary(uniqueKeysWithValues: try await insert.returning("*").all(decoding: WorkOrder.self).map { ($0.number, $0) })
        let orders = try zip(new, placeholders).map { new, placeholder in
            guard var order = rows[placeholder] else { throw AppError.conflict(PlatformText.concurrentChange) }
            order.number = WorkOrderService.number(id: order.id, day: new.day)
            return order
        }
        try await sql.update("work_orders").set("number", to: NumberByID(orders.map { ($0.id, $0.number) }))
            .where("id", .in, orders.map(\.id)).run()
        try await store.events(zip(new, orders).flatMap { new, order in new.timeline.map { (order.id, new.now, $0) } }, on: sql)
        try await Notice.post(
            zip(new, orders).map { new, order in
                Notice(to: .org(new.row.org.id), kind: "new", text: WorkOrderText.newOrder(order.number, new.row.title), orderId: order.id, at: new.now)
            }, on: sql)
        try await AuditLog.record(
            zip(new, orders).map { new, order in
                WorkOrderService.auditEntry(new.actor, "file", order, detail: new.auditDetail)
            }, on: sql)
        // Last: concurrent intakes at one union share a counter row, locked until commit.
        let byCounter = Dictionary(grouping: zip(new, orders)) { new, order in
            "\(new.row.org.id)|\(new.day.iso.prefix(7))|\(order.typeCode)|\(order.categoryCode)"
        }
        for (_, members) in byCounter.sorted(by: { $0.key < $1.key }) {
            let (first, order) = members[0]
            try await store.count(order, org: first.row.org, on: first.day, Counters(created: Int64(members.count)), on: sql)
        }
        return orders
    }
}

/// `CASE id WHEN … THEN … END`: each order's number in one UPDATE.
private struct NumberByID: SQLExpression {
    let numbers: [(Int64, String)]
    init(_ numbers: [(Int64, String)]) { self.numbers = numbers }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("CASE ")
        SQLIdentifier("id").serialize(to: &serializer)
        for (id, number) in numbers {
            serializer.write(" WHEN ")
            serializer.write(bind: id)
            serializer.write(" THEN ")
            serializer.write(bind: number)
        }
        serializer.write(" END")
    }
}
