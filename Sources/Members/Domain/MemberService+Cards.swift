import Foundation
import Platform
import SQLKit

/// What the card domain (普惠服务) reads and writes of a member, through an adapter in App.
extension MemberService {
    /// The member with this id or this worker account, without a scope check: the card domain checks
    /// its own permissions against the member's union.
    public func cardHolder(memberId: Int64? = nil, workerId: Int64? = nil) async throws -> Member? {
        try await database.withConnection { [store] sql in
            if let memberId { return try await store.member(memberId, on: sql) }
            if let workerId { return try await store.member(workerId: workerId, on: sql) }
            return nil
        }
    }

    /// Writes the member's current card number in the caller's transaction and moves the union's
    /// `cards` counter with it, so card coverage stays exact.
    public func setCardNumber(_ cardNo: String?, memberId: Int64, on sql: any SQLDatabase) async throws {
        guard var member = try await store.member(memberId, on: sql), member.cardNo != cardNo else { return }
        var deltas = member.counterDeltas(sign: -1)
        member.cardNo = cardNo
        deltas.add(member.counterDeltas())
        try await sql.update("members").set("card_no", to: cardNo).where("id", .equal, memberId).run()
        try await store.bump(deltas, on: sql)
    }

    /// Members on the rolls in the subtree at `path` who hold no card number, by id after `after`: what
    /// a batch issue works through. Only ids and unions, so a million rows stay light.
    public func cardless(in path: OrgPath, after: Int64, limit: Int) async throws -> [(memberId: Int64, orgId: Int64, orgPath: OrgPath)] {
        try await database.withConnection { sql in
            try await sql.select().columns("id", "org_id", "org_path").from("members").where("org_path", in: Scope([path]))
                .where("status", .in, [MembershipStatus.active.rawValue, MembershipStatus.retiredKept.rawValue])
                .where("card_no", .is, SQLLiteral.null).where("id", .greaterThan, after).orderBy("id").limit(limit).all()
                .compactMap { row in
                    guard let path = OrgPath(try row.decode(column: "org_path", as: String.self)) else { return nil }
                    return (try row.decode(column: "id", as: Int64.self), try row.decode(column: "org_id", as: Int64.self), path)
                }
        }
    }

    /// How many `cardless(in:)` would list from the start.
    public func cardlessCount(in path: OrgPath) async throws -> Int64 {
        try await database.withConnection { sql in
            try await sql.select().column(SQLRaw("COUNT(*)"), as: "n").from("members").where("org_path", in: Scope([path]))
                .where("status", .in, [MembershipStatus.active.rawValue, MembershipStatus.retiredKept.rawValue])
                .where("card_no", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
    }

    /// Writes card numbers of members who held none, in the caller's transaction, and adds them to the
    /// `cards` counters in one statement per thousand unions. Members who meanwhile got a number or left
    /// the rolls are skipped; returns the ids written.
    public func setNewCardNumbers(_ numbers: [(memberId: Int64, cardNo: String)], on sql: any SQLDatabase) async throws -> Set<Int64> {
        var written: Set<Int64> = []
        var deltas: [CounterKey: Int64] = [:]
        for (memberId, cardNo) in numbers {
            guard
                let row = try await sql.raw(
                    """
                    UPDATE members SET card_no = \(bind: cardNo)
                    WHERE id = \(bind: memberId) AND card_no IS NULL AND status IN ('active', 'retired_kept') RETURNING org_id
                    """
                ).first()
            else { continue }
            written.insert(memberId)
            deltas[CounterKey(orgId: try row.decode(column: "org_id", as: Int64.self), metric: .cards), default: 0] += 1
        }
        try await store.bump(deltas, on: sql)
        return written
    }
}
