import Foundation
import Platform
import SQLKit

/// The SQL of membership transfers (转会).
struct TransferStore: Sendable {
    func hasPending(memberId: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("membership_transfers").where("member_id", .equal, memberId)
            .where("status", .equal, MembershipTransfer.Status.pending.rawValue).first() != nil
    }

    func insert(member: Member, to union: UnionRef, requestedBy: String, note: String?, now: Date, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.insert(into: "membership_transfers")
            .columns("member_id", "from_org_id", "from_org_path", "to_org_id", "to_org_path", "status", "requested_by", "note", "created_at")
            .values(SQLBind(member.id), SQLBind(member.orgId), SQLBind(member.orgPath.rawValue), SQLBind(union.id), SQLBind(union.path.rawValue),
                    SQLBind(MembershipTransfer.Status.pending.rawValue), SQLBind(requestedBy), SQLBind(note), SQLBind(now))
            .insertedId()
    }

    func transfer(_ id: Int64, on sql: any SQLDatabase) async throws -> MembershipTransfer? {
        try await sql.select().column("*").from("membership_transfers").where("id", .equal, id).first(decoding: MembershipTransfer.self)
    }

    /// Newest first.
    func transfers(ofMember memberId: Int64, on sql: any SQLDatabase) async throws -> [MembershipTransfer] {
        try await sql.select().column("*").from("membership_transfers").where("member_id", .equal, memberId)
            .orderBy("id", .descending).all(decoding: MembershipTransfer.self)
    }

    /// Transfers out of or into `scope` with `status`.
    func list(touching scope: Scope, status: MembershipTransfer.Status, after: Int64?, limit: Int, on sql: any SQLDatabase) async throws
        -> [MembershipTransfer]
    {
        let q = sql.select().column("*").from("membership_transfers").where("status", .equal, status.rawValue)
            .where(SQLGroupExpression(SQLList([scope.condition("from_org_path"), scope.condition("to_org_path")], separator: SQLRaw(" OR "))))
        if let after { q.where("id", .greaterThan, after) }
        return try await q.orderBy("id").limit(limit).all(decoding: MembershipTransfer.self)
    }

    /// Pending transfers waiting for a side in `scope`: a release out of it or an acceptance into it.
    func awaitingCount(in scope: Scope, on sql: any SQLDatabase) async throws -> Int {
        let release = SQLGroupExpression(SQLList([scope.condition("from_org_path"), SQLRaw("released_at IS NULL")], separator: SQLRaw(" AND ")))
        let accept = SQLGroupExpression(SQLList([scope.condition("to_org_path"), SQLRaw("accepted_at IS NULL")], separator: SQLRaw(" AND ")))
        return try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("membership_transfers")
            .where("status", .equal, MembershipTransfer.Status.pending.rawValue)
            .where(SQLGroupExpression(SQLList([release, accept], separator: SQLRaw(" OR "))))
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Records one side's consent on a pending transfer in one statement; nil if it was decided meanwhile.
    func consent(_ id: Int64, side: TransferService.Side, by who: String, at now: Date, on sql: any SQLDatabase) async throws
        -> MembershipTransfer?
    {
        let column = side == .release ? "released" : "accepted"
        return try await sql.raw(
            """
            UPDATE membership_transfers SET \(ident: column + "_by") = \(bind: who), \(ident: column + "_at") = \(bind: now)
            WHERE id = \(bind: id) AND status = 'pending' RETURNING *
            """
        ).first(decoding: MembershipTransfer.self)
    }

    func complete(_ id: Int64, on sql: any SQLDatabase) async throws {
        try await sql.update("membership_transfers").set("status", to: MembershipTransfer.Status.completed.rawValue).where("id", .equal, id).run()
    }

    func refuse(_ id: Int64, by who: String, at now: Date, reason: String, on sql: any SQLDatabase) async throws {
        try await sql.update("membership_transfers").set("status", to: MembershipTransfer.Status.refused.rawValue)
            .set("refused_by", to: who).set("refused_at", to: now).set("reason", to: reason).where("id", .equal, id).run()
    }
}
