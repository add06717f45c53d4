import Foundation
import Platform
import SQLKit

/// Claims to memberships (认领会籍) and the link of a member to a worker's account.
struct ClaimStore: Sendable {
    func insert(workerId: Int64, member: Member, phoneMask: String, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.insert(into: "membership_claims")
            .columns("worker_id", "member_id", "org_id", "org_path", "member_name", "phone_mask", "status", "created_at")
            .values(
                SQLBind(workerId), SQLBind(member.id), SQLBind(member.orgId), SQLBind(member.orgPath.rawValue), SQLBind(member.name),
                SQLBind(phoneMask), SQLBind(MembershipClaim.Status.pending.rawValue), SQLBind(now)
            )
            .insertedId()
    }

    func claim(_ id: Int64, on sql: any SQLDatabase) async throws -> MembershipClaim? {
        try await sql.select().column("*").from("membership_claims").where("id", .equal, id).first(decoding: MembershipClaim.self)
    }

    func pending(memberId: Int64, on sql: any SQLDatabase) async throws -> MembershipClaim? {
        try await sql.select().column("*").from("membership_claims").where("member_id", .equal, memberId)
            .where("status", .equal, MembershipClaim.Status.pending.rawValue).first(decoding: MembershipClaim.self)
    }

    func pending(workerId: Int64, on sql: any SQLDatabase) async throws -> MembershipClaim? {
        try await sql.select().column("*").from("membership_claims").where("worker_id", .equal, workerId)
            .where("status", .equal, MembershipClaim.Status.pending.rawValue).orderBy("id", .descending).first(
                decoding: MembershipClaim.self)
    }

    func pending(in scope: Scope, after: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [MembershipClaim] {
        let q = sql.select().column("*").from("membership_claims").where("org_path", in: scope)
            .where("status", .equal, MembershipClaim.Status.pending.rawValue)
        if let after { q.where("id", .greaterThan, after) }
        return try await q.orderBy("id").limit(limit).all(decoding: MembershipClaim.self)
    }

    func pendingCount(in scope: Scope, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("membership_claims").where(
            "org_path", in: scope
        )
        .where("status", .equal, MembershipClaim.Status.pending.rawValue).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Decides a pending claim in one statement; false if it was decided meanwhile.
    func decide(_ id: Int64, _ status: MembershipClaim.Status, by who: String, reason: String?, at now: Date, on sql: any SQLDatabase)
        async throws -> Bool
    {
        try await sql.raw(
            """
            UPDATE membership_claims SET status = \(bind: status.rawValue), decided_by = \(bind: who), reason = \(bind: reason),
                decided_at = \(bind: now)
            WHERE id = \(bind: id) AND status = 'pending' RETURNING id
            """
        ).first() != nil
    }

    /// Links the member to the account unless another account holds it or the account already holds
    /// a membership record (it may have joined online meanwhile); false if either. The unique index
    /// `members_worker` refuses what two concurrent links would otherwise both write.
    func link(memberId: Int64, workerId: Int64, on sql: any SQLDatabase) async throws -> Bool {
        do {
            return try await sql.raw(
                """
                UPDATE members SET worker_id = \(bind: workerId) WHERE id = \(bind: memberId) AND worker_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM members m WHERE m.worker_id = \(bind: workerId))
                RETURNING id
                """
            )
            .first() != nil
        } catch where Database.isUniqueViolation(error) {
            return false
        }
    }
}
