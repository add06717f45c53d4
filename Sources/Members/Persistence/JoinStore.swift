import Foundation
import Platform
import SQLKit

/// The SQL of join applications.
struct JoinStore: Sendable {
    /// An application as filed: the person's numbers sealed for the `join_applications` columns.
    struct NewApplication: Sendable {
        let workerId: Int64
        let union: UnionRef
        let workplace: String
        let workplaceHasUnion: Bool
        let member: ValidMember
        let idCipher: String
        let idIndex: String
        let phoneCipher: String
        let phoneIndex: String
        let phoneMask: String
    }

    /// The sealed and coded fields an approval copies into the member record.
    struct Sealed: Decodable, Sendable {
        let idIndex: String
        let idCipher: String
        let phoneCipher: String
        let phoneIndex: String
        let ethnicity: String?
        let education: String?
        let politicalStatus: String?
        let job: String?

        enum CodingKeys: String, CodingKey {
            case idIndex = "id_index", idCipher = "id_cipher", phoneCipher = "phone_cipher", phoneIndex = "phone_index", ethnicity
            case education, politicalStatus = "political_status", job
        }
    }

    func hasPending(workerId: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("join_applications").where("worker_id", .equal, workerId)
            .where("status", .equal, JoinApplication.Status.pending.rawValue).first() != nil
    }

    func hasPending(idIndex: String, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("join_applications").where("id_index", .equal, idIndex)
            .where("status", .equal, JoinApplication.Status.pending.rawValue).first() != nil
    }

    func insert(_ a: NewApplication, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        let m = a.member
        return try await sql.insert(into: "join_applications")
            .columns("worker_id", "org_id", "org_path", "workplace", "workplace_has_union", "name", "gender", "birth_date",
                     "ethnicity", "id_cipher", "id_index", "id_mask", "phone_cipher", "phone_index", "phone_mask", "education",
                     "political_status", "job", "migrant_worker", "status", "created_at")
            .values(SQLBind(a.workerId), SQLBind(a.union.id), SQLBind(a.union.path.rawValue), SQLBind(a.workplace), SQLBind(a.workplaceHasUnion),
                    SQLBind(m.name), SQLBind(m.gender.rawValue), SQLBind(m.birthDate.iso), SQLBind(m.ethnicity), SQLBind(a.idCipher),
                    SQLBind(a.idIndex), SQLBind(m.idNumber.masked), SQLBind(a.phoneCipher), SQLBind(a.phoneIndex), SQLBind(a.phoneMask),
                    SQLBind(m.education), SQLBind(m.politicalStatus), SQLBind(m.job), SQLBind(m.migrantWorker),
                    SQLBind(JoinApplication.Status.pending.rawValue), SQLBind(now))
            .insertedId()
    }

    func application(_ id: Int64, on sql: any SQLDatabase) async throws -> JoinApplication? {
        try await sql.select().column("*").from("join_applications").where("id", .equal, id).first(decoding: JoinApplication.self)
    }

    /// Newest first.
    func applications(ofWorker workerId: Int64, limit: Int, on sql: any SQLDatabase) async throws -> [JoinApplication] {
        try await sql.select().column("*").from("join_applications").where("worker_id", .equal, workerId)
            .orderBy("id", .descending).limit(limit).all(decoding: JoinApplication.self)
    }

    /// Applications to unions in `scope`, by id after the page key.
    func applications(in scope: Scope, status: JoinApplication.Status?, after: Int64?, limit: Int, on sql: any SQLDatabase) async throws
        -> [JoinApplication]
    {
        let q = sql.select().column("*").from("join_applications").where("org_path", in: scope)
        if let status { q.where("status", .equal, status.rawValue) }
        if let after { q.where("id", .greaterThan, after) }
        return try await q.orderBy("id").limit(limit).all(decoding: JoinApplication.self)
    }

    func pendingCount(in scope: Scope, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("join_applications")
            .where("org_path", in: scope).where("status", .equal, JoinApplication.Status.pending.rawValue)
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The sealed fields of an application still pending; nil once it is decided.
    func pendingSealed(_ id: Int64, on sql: any SQLDatabase) async throws -> Sealed? {
        try await sql.select().column("*").from("join_applications").where("id", .equal, id)
            .where("status", .equal, JoinApplication.Status.pending.rawValue).first(decoding: Sealed.self)
    }

    func markApproved(_ id: Int64, by who: String, at now: Date, memberId: Int64, on sql: any SQLDatabase) async throws {
        try await sql.update("join_applications").set("status", to: JoinApplication.Status.approved.rawValue)
            .set("decided_by", to: who).set("decided_at", to: now).set("member_id", to: memberId).where("id", .equal, id).run()
    }

    /// Rejects a pending application in one statement; false if it was decided meanwhile.
    func reject(_ id: Int64, reason: String, by who: String, at now: Date, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE join_applications SET status = 'rejected', reason = \(bind: reason), decided_by = \(bind: who),
            decided_at = \(bind: now) WHERE id = \(bind: id) AND status = 'pending' RETURNING id
            """
        ).first() != nil
    }
}
