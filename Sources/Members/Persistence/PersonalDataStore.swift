import Foundation
import Platform
import SQLKit

/// The SQL of workers' personal-data requests.
struct PersonalDataStore: Sendable {
    func hasPending(workerId: Int64, kind: PersonalDataRequest.Kind, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("personal_data_requests").where("worker_id", .equal, workerId)
            .where("kind", .equal, kind.rawValue).where("status", .equal, PersonalDataRequest.Status.pending.rawValue).first() != nil
    }

    func insert(workerId: Int64, member: Member?, kind: PersonalDataRequest.Kind, detail: String, now: Date, on sql: any SQLDatabase)
        async throws -> PersonalDataRequest
    {
        let row = try await sql.insert(into: "personal_data_requests")
            .columns("worker_id", "member_id", "org_path", "kind", "detail", "status", "created_at")
            .values(
                SQLBind(workerId), SQLBind(member?.id), SQLBind(member?.orgPath.rawValue), SQLBind(kind.rawValue), SQLBind(detail),
                SQLBind(PersonalDataRequest.Status.pending.rawValue), SQLBind(now)
            )
            .returning("*").first(decoding: PersonalDataRequest.self)
        guard let row else { throw AppError.conflict(PlatformText.concurrentChange) }
        return row
    }

    func request(_ id: Int64, on sql: any SQLDatabase) async throws -> PersonalDataRequest? {
        try await sql.select().column("*").from("personal_data_requests").where("id", .equal, id).first(decoding: PersonalDataRequest.self)
    }

    /// Newest first.
    func requests(ofWorker workerId: Int64, on sql: any SQLDatabase) async throws -> [PersonalDataRequest] {
        try await sql.select().column("*").from("personal_data_requests").where("worker_id", .equal, workerId).orderBy("id", .descending)
            .all(decoding: PersonalDataRequest.self)
    }

    func pending(in scope: Scope, limit: Int, on sql: any SQLDatabase) async throws -> [PersonalDataRequest] {
        try await sql.select().column("*").from("personal_data_requests").where("org_path", in: scope)
            .where("status", .equal, PersonalDataRequest.Status.pending.rawValue).orderBy("id").limit(limit)
            .all(decoding: PersonalDataRequest.self)
    }

    func decide(_ id: Int64, granted: Bool, by who: String, at now: Date, outcome: String, on sql: any SQLDatabase) async throws {
        try await sql.update("personal_data_requests")
            .set("status", to: (granted ? PersonalDataRequest.Status.done : .refused).rawValue)
            .set("decided_by", to: who).set("decided_at", to: now).set("outcome", to: outcome)
            .where("id", .equal, id).run()
    }
}
