import Foundation
import Platform
import SQLKit

/// A queue as the store filters it: the service decides which scope each part uses.
struct QueueFilter: Sendable {
    enum Text: Sendable {
        case number(String)
        case phoneIndex(String)
        case title(String)
    }
    var queue: QueueQuery.Queue
    var read: Scope
    var intake: Scope
    var supervise: Scope
    var handle: Scope
    var accountId: Int64
    var handlerOrgs: [Int64]
    var status: WorkOrder.Status?
    var typeCode: String?
    var categoryCode: String?
    var text: Text?
    var today: CivilDate
    var dueSoonThrough: CivilDate
}

extension WorkOrderStore {
    static let openStatuses = [WorkOrder.Status.submitted, .accepted, .waiting].map(\.rawValue)

    /// One page of a queue, newest first, older than `before`.
    func list(_ f: QueueFilter, before: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [WorkOrder] {
        let q = queue(f, sql.select().column("*").from("work_orders"), on: sql)
        if let before { q.where("id", .lessThan, before) }
        return try await q.orderBy("id", .descending).limit(limit).all(decoding: WorkOrder.self)
    }

    func count(_ f: QueueFilter, on sql: any SQLDatabase) async throws -> Int {
        let q = queue(f, sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("work_orders"), on: sql)
        return try await q.first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The conditions of a queue, on a select of `work_orders`.
    private func queue(_ f: QueueFilter, _ q: SQLSelectBuilder, on sql: any SQLDatabase) -> SQLSelectBuilder {
        switch f.queue {
        case .mine:
            q.where("assignee_id", .equal, f.accountId)
            if f.status == nil { q.where("status", .in, Self.openStatuses) }
        case .org:
            q.where("org_id", .in, f.handlerOrgs.isEmpty ? [-1] : f.handlerOrgs)
            if f.status == nil { q.where("status", .in, Self.openStatuses) }
        case .subtree:
            break
        case .dueSoon:
            q.where("org_id", .in, f.handlerOrgs.isEmpty ? [-1] : f.handlerOrgs).where("status", .in, ["submitted", "accepted"])
                .where("due_on", .greaterThanOrEqual, f.today.iso).where("due_on", .lessThanOrEqual, f.dueSoonThrough.iso)
        case .overdue:
            q.where("status", .in, ["submitted", "accepted"]).where("due_on", .lessThan, f.today.iso)
        case .followup:
            q.where("org_path", in: f.intake).where("status", .in, ["resolved", "closed"]).where("followup_at", .is, SQLLiteral.null)
        case .supervision:
            q.where("supervisor_path", in: f.supervise).where("status", .in, Self.openStatuses)
        case .assisting:
            let assists = sql.select().column("order_id").from("work_order_assists").where("org_path", in: f.handle)
                .where("reply", .is, SQLLiteral.null)
            q.where(SQLColumn("id"), .in, SQLGroupExpression(assists.query))
        }
        // An assisting org reads the order without covering it; every other queue stays in the read scope.
        if f.queue != .assisting { q.where("org_path", in: f.read) }
        if let status = f.status { q.where("status", .equal, status.rawValue) }
        if let type = f.typeCode, !type.isEmpty { q.where("type_code", .equal, type) }
        if let category = f.categoryCode, !category.isEmpty { q.where("category_code", .equal, category) }
        switch f.text {
        case .number(let n): q.where("number", .equal, n)
        case .phoneIndex(let index): q.where("caller_phone_index", .equal, index)
        case .title(let t): q.where(SQLQueryString("title LIKE \(bind: "%" + Self.escapeLike(t) + "%") ESCAPE '\\'"))
        case nil: break
        }
        return q
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    func ofWorker(_ workerId: Int64, before: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [WorkOrder] {
        let q = sql.select().column("*").from("work_orders").where("worker_id", .equal, workerId)
        if let before { q.where("id", .lessThan, before) }
        return try await q.orderBy("id", .descending).limit(limit).all(decoding: WorkOrder.self)
    }

    func openCount(ofWorker workerId: Int64, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("work_orders").where("worker_id", .equal, workerId)
            .where("status", .in, Self.openStatuses).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    func byCaller(phoneIndex: String, in scope: Scope, limit: Int, on sql: any SQLDatabase) async throws -> [WorkOrder] {
        try await sql.select().column("*").from("work_orders").where("caller_phone_index", .equal, phoneIndex)
            .where("org_path", in: scope).orderBy("id", .descending).limit(limit).all(decoding: WorkOrder.self)
    }

    func callerPhoneCipher(_ id: Int64, on sql: any SQLDatabase) async throws -> String? {
        try await sql.select().column("caller_phone_cipher").from("work_orders").where("id", .equal, id).first()?
            .decode(column: "caller_phone_cipher", as: String?.self)
    }

    func timeline(of id: Int64, publicOnly: Bool, on sql: any SQLDatabase) async throws -> [WorkOrderEvent] {
        let q = sql.select().column("*").from("work_order_events").where("order_id", .equal, id)
        if publicOnly { q.where("public", .equal, true) }
        return try await q.orderBy("id").all(decoding: WorkOrderEvent.self)
    }

    // MARK: Assists and files

    func assists(of id: Int64, on sql: any SQLDatabase) async throws -> [WorkOrderAssist] {
        try await sql.select().column("*").from("work_order_assists").where("order_id", .equal, id).orderBy("id")
            .all(decoding: WorkOrderAssist.self)
    }

    func assist(_ id: Int64, on sql: any SQLDatabase) async throws -> WorkOrderAssist? {
        try await sql.select().column("*").from("work_order_assists").where("id", .equal, id).first(decoding: WorkOrderAssist.self)
    }

    func insertAssist(order: Int64, org: HandlingOrg, request: String, by: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "work_order_assists")
            .columns("order_id", "org_id", "org_path", "org_name", "request", "requested_by", "created_at")
            .values(SQLBind(order), SQLBind(org.id), SQLBind(org.path.rawValue), SQLBind(org.name), SQLBind(request), SQLBind(by), SQLBind(now))
            .run()
    }

    func replyAssist(_ id: Int64, reply: String, by: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("work_order_assists").set("reply", to: reply).set("replied_by", to: by).set("replied_at", to: now)
            .where("id", .equal, id).run()
    }

    func files(of id: Int64, on sql: any SQLDatabase) async throws -> [WorkOrderFile] {
        try await sql.select().column("*").from("work_order_files").where("order_id", .equal, id).orderBy("id").all(decoding: WorkOrderFile.self)
    }

    struct NewFile: Sendable {
        var orderId: Int64
        var name: String
        var kind: String
        var size: Int64
        var storageKey: String
        var sha256: String
        var uploadedBy: String
    }

    func insertFile(_ f: NewFile, at now: Date, on sql: any SQLDatabase) async throws -> WorkOrderFile {
        let row = try await sql.insert(into: "work_order_files")
            .columns("order_id", "name", "kind", "size", "storage_key", "sha256", "uploaded_by", "created_at")
            .values(
                SQLBind(f.orderId), SQLBind(f.name), SQLBind(f.kind), SQLBind(f.size), SQLBind(f.storageKey), SQLBind(f.sha256),
                SQLBind(f.uploadedBy), SQLBind(now)
            )
            .returning("*").first(decoding: WorkOrderFile.self)
        guard let row else { throw AppError.conflict(PlatformText.concurrentChange) }
        return row
    }

    // MARK: Stats

    /// Counter sums of `root`'s subtree per month, type and category, for months `from`...`to` (`2026-01`).
    func counters(under root: OrgPath, from: String, to: String, on sql: any SQLDatabase)
        async throws -> [(period: String, type: String, category: String, counts: Counters)]
    {
        // SUM of a bigint is numeric on PostgreSQL: cast back so both databases decode Int64.
        let q = sql.select().column("period").column("type_code").column("category_code")
        for c in Counters.columns { q.column(SQLRaw("CAST(SUM(\(c)) AS BIGINT)"), as: c) }
        let rows = try await q.from("work_order_counters").where("org_path", in: Scope([root]))
            .where("period", .greaterThanOrEqual, from).where("period", .lessThanOrEqual, to)
            .groupBy("period").groupBy("type_code").groupBy("category_code").all()
        return try rows.map { row in
            func n(_ c: String) throws -> Int64 { try row.decode(column: c, as: Int64?.self) ?? 0 }
            return (
                try row.decode(column: "period", as: String.self), try row.decode(column: "type_code", as: String.self),
                try row.decode(column: "category_code", as: String.self),
                Counters(
                    created: try n("created"), resolved: try n("resolved"), onTime: try n("on_time"), rated: try n("rated"),
                    satisfied: try n("satisfied"), ratingSum: try n("rating_sum"), handlingDays: try n("handling_days"))
            )
        }
    }
}
