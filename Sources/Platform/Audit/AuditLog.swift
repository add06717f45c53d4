import Foundation
import Logging
import SQLKit

/// The append-only, hash-chained audit log.
///
/// Writers insert entries inside their own transaction (so a rolled-back write leaves no entry, and
/// a committed one always has its entry) without touching the chain. The sealer then chains the
/// committed entries in commit order: it gives each the next `seq` and `hash = H(entry, prev hash)`.
/// So writers never queue on one lock, and the chain only ever holds committed entries.
public struct AuditLog: Sendable {
    public static let genesis = String(repeating: "0", count: 64)
    let database: Database

    public init(database: Database) { self.database = database }

    public static let migrations: [Migration] = [
        Migration(
            domain: "platform", number: 1, name: "audit_log",
            statements: [
                """
                CREATE TABLE audit_log (
                    id {id}, at {ts} NOT NULL, actor_id {bigint}, actor_name TEXT NOT NULL,
                    action TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL,
                    org_path {path}, result TEXT NOT NULL, ip TEXT NOT NULL, request_id TEXT NOT NULL,
                    detail TEXT NOT NULL, seq {bigint} UNIQUE, prev_hash TEXT, hash TEXT)
                """,
                "CREATE INDEX audit_log_org_path ON audit_log (org_path, id)",
                "CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL",
                "CREATE INDEX audit_log_actor ON audit_log (actor_id, id)",
                """
                -- postgres
                CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
                        RAISE EXCEPTION 'audit_log is append-only';
                    END IF;
                    IF OLD.seq IS NOT NULL OR (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.action,
                        NEW.object_type, NEW.object_id, NEW.org_path, NEW.result, NEW.ip, NEW.request_id, NEW.detail)
                        IS DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.action,
                        OLD.object_type, OLD.object_id, OLD.org_path, OLD.result, OLD.ip, OLD.request_id, OLD.detail)
                    THEN
                        RAISE EXCEPTION 'audit_log is append-only';
                    END IF;
                    RETURN NEW;
                END $$
                """,
                "-- postgres\nCREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
                "-- postgres\nCREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log EXECUTE FUNCTION audit_log_guard()",
                """
                -- sqlite
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
                """,
                """
                -- sqlite
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                WHEN OLD.seq IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
                    OR NEW.actor_id IS NOT OLD.actor_id OR NEW.actor_name IS NOT OLD.actor_name
                    OR NEW.action IS NOT OLD.action OR NEW.object_type IS NOT OLD.object_type
                    OR NEW.object_id IS NOT OLD.object_id OR NEW.org_path IS NOT OLD.org_path
                    OR NEW.result IS NOT OLD.result OR NEW.ip IS NOT OLD.ip
                    OR NEW.request_id IS NOT OLD.request_id OR NEW.detail IS NOT OLD.detail
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
                """,
            ])
    ]

    /// Appends an entry on `sql`, which is normally the use case's own transaction.
    public static func record(_ entry: AuditEntry, on sql: any SQLDatabase) async throws {
        try await record([entry], on: sql)
    }

    /// Appends several entries in one statement (a use case that writes many objects at once).
    public static func record(_ entries: [AuditEntry], on sql: any SQLDatabase) async throws {
        guard !entries.isEmpty else { return }
        let insert = sql.insert(into: "audit_log").columns(
            "at", "actor_id", "actor_name", "action", "object_type", "object_id", "org_path", "result", "ip", "request_id", "detail")
        for entry in entries {
            // Round to milliseconds so the stored time hashes the same after a round trip.
            let at = Date(timeIntervalSince1970: Double(entry.atMillis) / 1000)
            insert.values(
                SQLBind(at), SQLBind(entry.actorId), SQLBind(entry.actorName), SQLBind(entry.action),
                SQLBind(entry.objectType), SQLBind(entry.objectId), SQLBind(entry.orgPath?.rawValue),
                SQLBind(entry.result.rawValue), SQLBind(entry.ip), SQLBind(entry.requestId), SQLBind(entry.detail))
        }
        try await insert.run()
    }

    /// Appends an entry in its own transaction (failed logins, denials: there is no use case to join).
    public func record(_ entry: AuditEntry) async throws {
        try await database.transaction { try await Self.record(entry, on: $0) }
    }

    /// Chains every committed, unsealed entry. Returns how many were sealed.
    @discardableResult
    public func seal(batch: Int = 1000) async throws -> Int {
        var total = 0
        let dialect = database.dialect
        while true {
            let sealed = try await database.transaction { sql in
                if dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7271002)").run() }
                let last = try await sql.raw("SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
                    .first()
                var seq = try last?.decode(column: "seq", as: Int64.self) ?? 0
                var prev = try last?.decode(column: "hash", as: String.self) ?? Self.genesis
                let rows = try await sql.raw("SELECT * FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT \(unsafeRaw: String(batch))")
                    .all(decoding: AuditEntry.self)
                guard !rows.isEmpty else { return 0 }
                var links: [SQLQueryString] = []
                for entry in rows {
                    seq += 1
                    let hash = entry.chainHash(seq: seq, prev: prev)
                    links.append("(\(bind: entry.id!), \(bind: seq), \(bind: prev), \(bind: hash))")
                    prev = hash
                }
                // One statement a batch (a VALUES list names its columns column1…column4 on both databases).
                try await sql.raw(
                    """
                    UPDATE audit_log SET seq = v.column2, prev_hash = v.column3, hash = v.column4
                    FROM (VALUES \(links.joined(separator: ", "))) AS v WHERE audit_log.id = v.column1
                    """
                ).run()
                return rows.count
            }
            total += sealed
            if sealed < batch { return total }
        }
    }

    public struct Verification: Sendable {
        public var checked: Int64
        public var unsealed: Int64
        /// The first entry whose link does not hold, and why.
        public var firstBroken: (seq: Int64, id: Int64?, reason: String)?
    }

    /// Walks the chain from the start (or from where the last archive ends) and reports the first broken link.
    public func verify(batch: Int = 5000) async throws -> Verification {
        let start = try await AuditArchive.resumePoint(database)
        return try await database.withConnection { sql in
            var expectedSeq: Int64 = start.seq + 1
            var prev = start.hash
            while true {
                let rows = try await sql.select().column("*").from("audit_log")
                    .where("seq", .greaterThanOrEqual, expectedSeq).orderBy("seq").limit(batch)
                    .all(decoding: AuditEntry.self)
                for entry in rows {
                    let seq = entry.seq!
                    if seq != expectedSeq {
                        return try await Self.result(sql, checked: expectedSeq - 1, broken: (expectedSeq, nil, "missing entry"))
                    }
                    if entry.prevHash != prev {
                        return try await Self.result(sql, checked: seq - 1, broken: (seq, entry.id, "previous hash does not match"))
                    }
                    if entry.hash != entry.chainHash(seq: seq, prev: prev) {
                        return try await Self.result(sql, checked: seq - 1, broken: (seq, entry.id, "entry was altered"))
                    }
                    prev = entry.hash!
                    expectedSeq += 1
                }
                if rows.count < batch { return try await Self.result(sql, checked: expectedSeq - 1, broken: nil) }
            }
        }
    }

    private static func result(
        _ sql: any SQLDatabase, checked: Int64, broken: (seq: Int64, id: Int64?, reason: String)?
    ) async throws -> Verification {
        let unsealed =
            try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE seq IS NULL").first()?
            .decode(column: "n", as: Int64.self) ?? 0
        return Verification(checked: checked, unsealed: unsealed, firstBroken: broken)
    }
}
