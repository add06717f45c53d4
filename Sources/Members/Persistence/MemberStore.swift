import Foundation
import Platform
import SQLKit

/// The SQL of members, memberships and counters.
struct MemberStore: Sendable {
    static let columns = [
        "id", "org_id", "org_path", "name", "gender", "birth_date", "ethnicity", "id_cipher", "id_index", "id_mask",
        "phone_cipher", "phone_index", "phone_mask", "education", "political_status", "job", "migrant_worker", "member_no",
        "join_date", "status", "card_no", "worker_id", "import_job_id", "created_at", "updated_at",
    ]

    func member(_ id: Int64, on sql: any SQLDatabase) async throws -> Member? {
        try await sql.select().column("*").from("members").where("id", .equal, id).first(decoding: Member.self)
    }

    func member(idIndex: String, on sql: any SQLDatabase) async throws -> Member? {
        try await sql.select().column("*").from("members").where("id_index", .equal, idIndex).first(decoding: Member.self)
    }

    func member(workerId: Int64, on sql: any SQLDatabase) async throws -> Member? {
        try await sql.select().column("*").from("members").where("worker_id", .equal, workerId).first(decoding: Member.self)
    }

    /// Which of these blind indexes already belong to a member. On PostgreSQL as a join against the
    /// array, which probes the unique index once per value (a long `IN` list may be planned as a
    /// sequential scan; see bench/README.md).
    func existing(idIndexes: [String], dialect: Dialect, on sql: any SQLDatabase) async throws -> Set<String> {
        guard !idIndexes.isEmpty else { return [] }
        if dialect == .postgres {
            let rows = try await sql.raw(
                "SELECT m.id_index FROM unnest(\(bind: idIndexes)::text[]) AS v(x) JOIN members m ON m.id_index = v.x"
            ).all()
            return Set(try rows.map { try $0.decode(column: "id_index", as: String.self) })
        }
        var found: Set<String> = []
        for start in stride(from: 0, to: idIndexes.count, by: 5000) {
            let chunk = Array(idIndexes[start..<min(start + 5000, idIndexes.count)])
            let rows = try await sql.select().column("id_index").from("members").where("id_index", .in, chunk).all()
            for row in rows { found.insert(try row.decode(column: "id_index", as: String.self)) }
        }
        return found
    }

    /// Reserves `count` member ids: a sequence on PostgreSQL; on SQLite, past the largest id
    /// (safe because SQLite write transactions run one at a time).
    func allocateIds(_ count: Int, dialect: Dialect, on sql: any SQLDatabase) async throws -> [Int64] {
        guard count > 0 else { return [] }
        if dialect == .postgres {
            return try await sql.raw(
                // The sequence looked up once (an InitPlan), not once per row; see bench/README.md.
                "SELECT nextval((SELECT pg_get_serial_sequence('members', 'id')::regclass)) AS id FROM generate_series(1, \(bind: count))"
            ).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        let max = try await sql.raw("SELECT COALESCE(MAX(id), 0) AS id FROM members").first()?.decode(column: "id", as: Int64.self) ?? 0
        return (1...Int64(count)).map { max + $0 }
    }

    func row(_ m: Member, importJob: Int64?) -> [BulkValue] {
        [
            .int(m.id), .int(m.orgId), .text(m.orgPath.rawValue), .text(m.name), .text(m.gender), .text(m.birthDate),
            BulkValue(m.ethnicity), .text(m.idCipher), .text(m.idIndex), .text(m.idMask), BulkValue(m.phoneCipher),
            BulkValue(m.phoneIndex), BulkValue(m.phoneMask), BulkValue(m.education), BulkValue(m.politicalStatus),
            BulkValue(m.job), .bool(m.migrantWorker), .text(m.memberNo), .text(m.joinDate), .text(m.status),
            BulkValue(m.cardNo), m.workerId.map(BulkValue.int) ?? .null, importJob.map(BulkValue.int) ?? .null,
            .date(m.createdAt), .date(m.updatedAt),
        ]
    }

    func insert(_ members: [Member], importJob: Int64?, on sql: any SQLDatabase) async throws {
        try await Database.bulkInsert(into: "members", columns: Self.columns, rows: members.map { row($0, importJob: importJob) }, on: sql)
    }

    func openMemberships(_ members: [Member], orgNames: [Int64: String], reason: String, now: Date, on sql: any SQLDatabase) async throws {
        try await Database.bulkInsert(
            into: "memberships", columns: ["member_id", "org_id", "org_name", "started_on", "reason", "created_at"],
            rows: members.map {
                [.int($0.id), .int($0.orgId), .text(orgNames[$0.orgId] ?? ""), .text($0.joinDate), .text(reason), .date(now)]
            },
            on: sql)
    }

    func closeMembership(memberId: Int64, on date: String, reason: String, on sql: any SQLDatabase) async throws {
        try await sql.update("memberships").set("ended_on", to: date).set("end_reason", to: reason)
            .where("member_id", .equal, memberId).where(SQLColumn("ended_on"), .is, SQLLiteral.null).run()
    }

    func memberships(of memberId: Int64, on sql: any SQLDatabase) async throws -> [Membership] {
        try await sql.select().column("*").from("memberships").where("member_id", .equal, memberId)
            .orderBy("id", .descending).all(decoding: Membership.self)
    }

    /// Adds an import's members to the per-union counters in one statement. Its members are read
    /// once, from the first id it took on (a primary-key range: ids only grow), so neither a scan
    /// of all members nor an index on `import_job_id` is needed.
    static func countImported(importId: Int64, fromMemberId first: Int64, on sql: any SQLDatabase) async throws {
        let counted = "status IN ('active', 'retired_kept')"
        try await sql.raw(
            """
            WITH imported AS MATERIALIZED (
                SELECT org_id, status, migrant_worker, card_no, join_date FROM members
                WHERE id >= \(bind: first) AND import_job_id = \(bind: importId))
            INSERT INTO member_counters (org_id, metric, period, value)
            SELECT org_id, 'active', '', COUNT(*) FROM imported WHERE \(unsafeRaw: counted) GROUP BY org_id
            UNION ALL SELECT org_id, 'retired', '', COUNT(*) FROM imported WHERE status = 'retired_kept' GROUP BY org_id
            UNION ALL SELECT org_id, 'migrant', '', COUNT(*) FROM imported WHERE \(unsafeRaw: counted) AND migrant_worker GROUP BY org_id
            UNION ALL SELECT org_id, 'cards', '', COUNT(*) FROM imported WHERE \(unsafeRaw: counted) AND card_no IS NOT NULL GROUP BY org_id
            UNION ALL SELECT org_id, 'joined', substr(join_date, 1, 7), COUNT(*) FROM imported GROUP BY org_id, substr(join_date, 1, 7)
            ON CONFLICT (org_id, metric, period) DO UPDATE SET value = member_counters.value + excluded.value
            """
        ).run()
    }

    /// Adds to per-union counters: one multi-row `INSERT … ON CONFLICT DO UPDATE` per thousand
    /// counters (both databases), not a statement per union.
    func bump(_ deltas: [CounterKey: Int64], on sql: any SQLDatabase) async throws {
        let changes = deltas.filter { $0.value != 0 }.sorted {
            ($0.key.orgId, $0.key.metric.rawValue, $0.key.period) < ($1.key.orgId, $1.key.metric.rawValue, $1.key.period)
        }
        for start in stride(from: 0, to: changes.count, by: 1000) {
            let insert = sql.insert(into: "member_counters").columns("org_id", "metric", "period", "value")
            for (key, delta) in changes[start..<min(start + 1000, changes.count)] {
                insert.values(SQLBind(key.orgId), SQLBind(key.metric.rawValue), SQLBind(key.period), SQLBind(delta))
            }
            try await insert.onConflict(with: ["org_id", "metric", "period"]) {
                $0.set(
                    SQLColumn("value"),
                    to: SQLBinaryExpression(SQLColumn("value", table: "member_counters"), .add, SQLColumn("value", table: "excluded")))
            }.run()
        }
    }
}

/// One counter of one union: `joined` per month, the others with an empty period.
struct CounterKey: Hashable, Sendable {
    /// `active` counts every member on the rolls (working and retired-kept); `retired` the retired-kept among them.
    enum Metric: String, Sendable { case active, retired, joined, migrant, cards, pending }
    var orgId: Int64
    var metric: Metric
    var period: String = ""
}

extension Member {
    /// What this member adds to its union's counters (negate to take it away).
    func counterDeltas(sign: Int64 = 1) -> [CounterKey: Int64] {
        var deltas: [CounterKey: Int64] = [:]
        guard isCounted else { return deltas }
        deltas[CounterKey(orgId: orgId, metric: .active)] = sign
        if membershipStatus == .retiredKept { deltas[CounterKey(orgId: orgId, metric: .retired)] = sign }
        if migrantWorker { deltas[CounterKey(orgId: orgId, metric: .migrant)] = sign }
        if cardNo != nil { deltas[CounterKey(orgId: orgId, metric: .cards)] = sign }
        return deltas
    }
}

extension Dictionary where Key == CounterKey, Value == Int64 {
    mutating func add(_ other: [CounterKey: Int64]) { merge(other, uniquingKeysWith: +) }
}
