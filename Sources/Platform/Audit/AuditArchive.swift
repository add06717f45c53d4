import Crypto
import Foundation
import SQLKit

/// Keeping the audit log bounded without losing it: entries older than the retention (at least six
/// months, 等保 level 3) can move to a file, one JSON line each with its chain links, closed by a
/// seal line; the database then keeps where the chain continues (`audit_archives`). Nothing is
/// ever dropped otherwise: the append-only guards allow deleting only entries an archive holds.
public struct AuditArchive: Sendable {
    public static let minimumRetention: TimeInterval = 183 * 86400

    public static let migrations: [Migration] = [
        Migration(
            domain: "platform", number: 5, name: "audit_archives",
            statements: [
                """
                CREATE TABLE audit_archives (
                    id {id}, through_seq {bigint} NOT NULL, through_hash TEXT NOT NULL, entries {bigint} NOT NULL,
                    file_name TEXT NOT NULL, file_sha256 TEXT NOT NULL, archived_at {ts} NOT NULL)
                """,
                // The guards again, now letting through the deletion of archived, old-enough entries only.
                """
                -- postgres
                CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'TRUNCATE' THEN
                        RAISE EXCEPTION 'audit_log is append-only';
                    END IF;
                    IF TG_OP = 'DELETE' THEN
                        IF OLD.seq IS NOT NULL AND OLD.seq <= (SELECT COALESCE(MAX(through_seq), 0) FROM audit_archives)
                            AND OLD.at < now() - interval '183 days' THEN
                            RETURN OLD;
                        END IF;
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
                "-- sqlite\nDROP TRIGGER audit_log_no_delete",
                """
                -- sqlite
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                WHEN OLD.seq IS NULL OR OLD.seq > (SELECT COALESCE(MAX(through_seq), 0) FROM audit_archives)
                    OR OLD.at >= CAST(strftime('%s', 'now') AS REAL) - 183 * 86400
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
                """,
            ])
    ]

    let database: Database
    let clock: AppClock

    public init(database: Database, clock: AppClock) {
        self.database = database
        self.clock = clock
    }

    public struct Result: Sendable {
        public var entries: Int
        public var throughSeq: Int64
        public var fileSHA256: String
    }

    /// Writes the sealed entries older than `before` to `file` (which must not exist), records the
    /// archive and deletes them. `before` must be at least `minimumRetention` ago.
    public func archive(before: Date, to file: URL) async throws -> Result {
        guard clock.now().timeIntervalSince(before) >= Self.minimumRetention else {
            throw AppError.validation(["before": PlatformText.auditRetention])
        }
        guard !FileManager.default.fileExists(atPath: file.path) else { throw AppError.conflict(PlatformText.fileExists) }
        let start = try await resumePoint()
        // The last sealed entry before the cut: archives end on a whole prefix of the chain.
        let through = try await database.withConnection { sql in
            try await sql.raw("SELECT MAX(seq) AS s FROM audit_log WHERE seq IS NOT NULL AND at < \(bind: before)").first()?
                .decode(column: "s", as: Int64?.self)
        }
        guard let through, through > start.seq else { return Result(entries: 0, throughSeq: start.seq, fileSHA256: "") }
        _ = FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let handle = try FileHandle(forWritingTo: file)
        var hasher = SHA256()
        func write(_ line: String) throws {
            let data = Data((line + "\n").utf8)
            hasher.update(data: data)
            try handle.write(contentsOf: data)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        var seq = start.seq
        var lastHash = start.hash
        var count = 0
        do {
            try write(#"{"archive":"workershome audit log","fromSeq":\#(start.seq + 1),"prevHash":"\#(start.hash)"}"#)
            while seq < through {
                let rows = try await database.withConnection { [seq] sql in
                    try await sql.select().column("*").from("audit_log").where("seq", .greaterThan, seq)
                        .where("seq", .lessThanOrEqual, through).orderBy("seq").limit(5000).all(decoding: AuditEntry.self)
                }
                for entry in rows {
                    guard let entrySeq = entry.seq, entrySeq == seq + 1, entry.prevHash == lastHash,
                        entry.hash == entry.chainHash(seq: entrySeq, prev: lastHash)
                    else { throw AppError.conflict(PlatformText.auditChainBroken(seq + 1)) }
                    try write(String(decoding: try encoder.encode(entry), as: UTF8.self))
                    seq = entrySeq
                    lastHash = entry.hash ?? ""
                    count += 1
                }
            }
            try write(#"{"seal":{"throughSeq":\#(seq),"throughHash":"\#(lastHash)","entries":\#(count)}}"#)
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        let digest = hex(hasher.finalize())
        let now = clock.now()
        try await database.transaction { [seq, lastHash, count] sql in
            try await sql.insert(into: "audit_archives")
                .columns("through_seq", "through_hash", "entries", "file_name", "file_sha256", "archived_at")
                .values(SQLBind(seq), SQLBind(lastHash), SQLBind(Int64(count)), SQLBind(file.lastPathComponent), SQLBind(digest), SQLBind(now))
                .run()
            try await sql.delete(from: "audit_log").where("seq", .lessThanOrEqual, seq).where("seq", .greaterThan, start.seq).run()
            try await AuditLog.record(
                AuditEntry(actor: .system("audit"), action: "audit.archive", objectType: "audit_log", objectId: String(seq), orgPath: nil,
                           detail: ["entries": String(count), "file": file.lastPathComponent, "sha256": digest]), on: sql)
        }
        return Result(entries: count, throughSeq: seq, fileSHA256: digest)
    }

    /// Where the chain in the database continues: after the last archive, or from the start.
    public func resumePoint() async throws -> (seq: Int64, hash: String) {
        try await Self.resumePoint(database)
    }

    static func resumePoint(_ database: Database) async throws -> (seq: Int64, hash: String) {
        try await database.withConnection { sql in
            guard let row = try await sql.raw("SELECT through_seq, through_hash FROM audit_archives ORDER BY through_seq DESC LIMIT 1").first()
            else { return (0, AuditLog.genesis) }
            return (try row.decode(column: "through_seq", as: Int64.self), try row.decode(column: "through_hash", as: String.self))
        }
    }
}
