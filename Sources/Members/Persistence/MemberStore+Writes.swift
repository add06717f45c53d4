import Foundation
import Platform
import SQLKit

extension MemberStore {
    /// Writes the fields a cadre may edit (the number, birth date and union change by other paths).
    func updateEditable(_ m: Member, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("members").set("name", to: m.name).set("ethnicity", to: m.ethnicity)
            .set("education", to: m.education).set("political_status", to: m.politicalStatus)
            .set("job", to: m.job).set("migrant_worker", to: m.migrantWorker)
            .set("phone_cipher", to: m.phoneCipher).set("phone_index", to: m.phoneIndex)
            .set("phone_mask", to: m.phoneMask).set("updated_at", to: now).where("id", .equal, m.id).run()
    }

    /// Writes the fields a member may keep up to date themselves.
    func updateSelfKept(_ memberId: Int64, education: String?, politicalStatus: String?, job: String?, now: Date, on sql: any SQLDatabase)
        async throws
    {
        try await sql.update("members").set("education", to: education).set("political_status", to: politicalStatus).set("job", to: job)
            .set("updated_at", to: now).where("id", .equal, memberId).run()
    }

    func setStatus(_ memberId: Int64, to status: MembershipStatus, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("members").set("status", to: status.rawValue).set("updated_at", to: now).where("id", .equal, memberId).run()
    }

    /// A former member joins again: union, status, join date and worker account as given.
    func rejoin(_ m: Member, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("members").set("org_id", to: m.orgId).set("org_path", to: m.orgPath.rawValue)
            .set("status", to: m.status).set("join_date", to: m.joinDate).set("worker_id", to: m.workerId)
            .set("updated_at", to: now).where("id", .equal, m.id).run()
    }

    /// Erases who the person was (a granted deletion request); the membership history and number stay.
    func erasePerson(_ memberId: Int64, name: String, sealedBlankId: String, erasedIndex: String, status: String, now: Date,
                     on sql: any SQLDatabase) async throws
    {
        try await sql.update("members").set("name", to: name)
            .set("id_cipher", to: sealedBlankId).set("id_index", to: erasedIndex).set("id_mask", to: "******")
            .set("phone_cipher", to: Optional<String>.none).set("phone_index", to: Optional<String>.none)
            .set("phone_mask", to: Optional<String>.none).set("ethnicity", to: Optional<String>.none)
            .set("education", to: Optional<String>.none).set("political_status", to: Optional<String>.none)
            .set("job", to: Optional<String>.none).set("worker_id", to: Optional<Int64>.none)
            .set("status", to: status).set("updated_at", to: now).where("id", .equal, memberId).run()
    }

    /// Moves members to `union`: their open memberships end with `reason` and new ones start today.
    func move(_ ids: [Int64], to union: UnionRef, reason: String, today: String, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("members").set("org_id", to: union.id).set("org_path", to: union.path.rawValue)
            .set("updated_at", to: now).where("id", .in, ids).run()
        try await sql.update("memberships").set("ended_on", to: today).set("end_reason", to: reason)
            .where("member_id", .in, ids).where(SQLColumn("ended_on"), .is, SQLLiteral.null).run()
        try await Database.bulkInsert(
            into: "memberships", columns: ["member_id", "org_id", "org_name", "started_on", "reason", "created_at"],
            rows: ids.map { [.int($0), .int(union.id), .text(union.name), .text(today), .text(reason), .date(now)] }, on: sql)
    }

    /// Ids of the union's counted members.
    func countedMemberIds(_ org: OrgPath, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.select().column("id").from("members").where("org_path", .equal, org.rawValue)
            .where("status", .in, [MembershipStatus.active.rawValue, MembershipStatus.retiredKept.rawValue])
            .all().map { try $0.decode(column: "id", as: Int64.self) }
    }
}
