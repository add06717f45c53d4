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
}
