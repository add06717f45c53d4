import Foundation
import Platform
import SQLKit

/// The SQL of member imports: the import rows, their bad rows and progress.
struct ImportStore: Sendable {
    struct StoredError: Sendable {
        let row: Int
        let reason: String
        /// The row as uploaded, sealed; empty when there was nothing to keep.
        let sealedRaw: String
    }

    func insert(union: UnionRef, actor: Actor, fileName: String, filePath: String, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.insert(into: "member_imports")
            .columns("org_id", "org_path", "actor_id", "actor_name", "file_name", "file_path", "status", "last_row", "good_rows", "bad_rows", "created_at")
            .values(
                SQLBind(union.id), SQLBind(union.path.rawValue), SQLBind(actor.accountId), SQLBind(actor.displayName), SQLBind(fileName),
                SQLBind(filePath), SQLBind(MemberImport.Status.queued.rawValue), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(now)
            )
            .insertedId()
    }

    func setJob(_ id: Int64, job: Int64, on sql: any SQLDatabase) async throws {
        try await sql.update("member_imports").set("job_id", to: job).where("id", .equal, id).run()
    }

    func load(_ id: Int64, on sql: any SQLDatabase) async throws -> MemberImport? {
        try await sql.select().column("*").from("member_imports").where("id", .equal, id).first(decoding: MemberImport.self)
    }

    /// Newest first, before the page key.
    func imports(in scope: Scope, before: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [MemberImport] {
        let q = sql.select().column("*").from("member_imports").where("org_path", in: scope)
        if let before { q.where("id", .lessThan, before) }
        return try await q.orderBy("id", .descending).limit(limit).all(decoding: MemberImport.self)
    }

    /// Uploaded files of imports still queued or running.
    func pendingFiles(on sql: any SQLDatabase) async throws -> Set<String> {
        Set(
            try await sql.select().column("file_path").from("member_imports")
                .where("status", .in, [MemberImport.Status.queued.rawValue, MemberImport.Status.running.rawValue]).all()
                .map { try $0.decode(column: "file_path", as: String.self) })
    }

    func errors(of id: Int64, on sql: any SQLDatabase) async throws -> [StoredError] {
        try await sql.select().columns("row_number", "reason", "raw").from("member_import_errors").where("import_id", .equal, id)
            .orderBy("row_number").all().map {
                StoredError(
                    row: try $0.decode(column: "row_number", as: Int.self), reason: try $0.decode(column: "reason", as: String.self),
                    sealedRaw: try $0.decode(column: "raw", as: String.self))
            }
    }

    func badRowNumbers(of id: Int64, on sql: any SQLDatabase) async throws -> Set<Int> {
        Set(
            try await sql.select().column("row_number").from("member_import_errors").where("import_id", .equal, id).all()
                .map { try $0.decode(column: "row_number", as: Int.self) })
    }

    func markRunning(_ id: Int64, startedAt: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("member_imports").set("status", to: MemberImport.Status.running.rawValue).set("started_at", to: startedAt)
            .where("id", .equal, id).run()
    }

    func markDone(_ id: Int64, totalRows: Int, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("member_imports").set("status", to: MemberImport.Status.done.rawValue)
            .set("total_rows", to: totalRows).set("finished_at", to: now).where("id", .equal, id).run()
    }

    func markFailed(_ id: Int64, message: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("member_imports").set("status", to: MemberImport.Status.failed.rawValue).set("message", to: message)
            .set("finished_at", to: now).where("id", .equal, id).run()
    }

    func firstMemberId(of id: Int64, on sql: any SQLDatabase) async throws -> Int64? {
        try await sql.select().column("first_member_id").from("member_imports").where("id", .equal, id).first()?
            .decode(column: "first_member_id", as: Int64?.self)
    }

    /// A committed batch's bad rows (sealed) and progress, in the batch's transaction.
    func recordBatch(_ id: Int64, lastRow: Int, goodRows: Int, firstMemberId: Int64?, errors: [StoredError], on sql: any SQLDatabase)
        async throws
    {
        try await Database.bulkInsert(
            into: "member_import_errors", columns: ["import_id", "row_number", "reason", "raw"],
            rows: errors.map { [.int(id), .int(Int64($0.row)), .text($0.reason), .text($0.sealedRaw)] }, on: sql)
        try await sql.raw(
            """
            UPDATE member_imports SET last_row = \(bind: lastRow), good_rows = good_rows + \(bind: goodRows),
            bad_rows = bad_rows + \(bind: errors.count),
            first_member_id = COALESCE(first_member_id, \(bind: firstMemberId)) WHERE id = \(bind: id)
            """
        ).run()
    }
}
