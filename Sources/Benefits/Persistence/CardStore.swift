import Foundation
import Platform
import SQLKit

/// The SQL of member cards.
struct CardStore: Sendable {
    func card(_ id: Int64, on sql: any SQLDatabase) async throws -> MemberCard? {
        try await sql.select().column("*").from("member_cards").where("id", .equal, id).first(decoding: MemberCard.self)
    }

    /// The member's card that is not cancelled, if any.
    func current(memberId: Int64, on sql: any SQLDatabase) async throws -> MemberCard? {
        try await sql.select().column("*").from("member_cards").where("member_id", .equal, memberId)
            .where("status", .notEqual, MemberCard.Status.cancelled.rawValue).first(decoding: MemberCard.self)
    }

    /// Every card the member has held, newest first.
    func cards(memberId: Int64, on sql: any SQLDatabase) async throws -> [MemberCard] {
        try await sql.select().column("*").from("member_cards").where("member_id", .equal, memberId).orderBy("id", .descending)
            .all(decoding: MemberCard.self)
    }

    /// Takes the next sequence number in the caller's transaction (the row lock orders concurrent issues).
    func nextSequence(on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw("UPDATE card_sequence SET last = last + 1 WHERE id = 1 RETURNING last").first()?
            .decode(column: "last", as: Int64.self) ?? 1
    }

    func insert(_ card: MemberCard, on sql: any SQLDatabase) async throws -> Int64 {
        let row = try await sql.raw(
            """
            INSERT INTO member_cards (card_no, member_id, org_id, org_path, status, issued_by, issued_at)
            VALUES (\(bind: card.cardNo), \(bind: card.memberId), \(bind: card.orgId), \(bind: card.orgPath.rawValue),
                    \(bind: card.status.rawValue), \(bind: card.issuedBy), \(bind: card.issuedAt))
            RETURNING id
            """
        ).first()
        return try row?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// Moves a card from `from` to `to`; false if it was no longer in `from` (a concurrent change).
    func setStatus(_ id: Int64, from: MemberCard.Status, to: MemberCard.Status, reason: String?, now: Date, on sql: any SQLDatabase)
        async throws -> Bool
    {
        let ended: Date? = to == .cancelled ? now : nil
        return try await sql.raw(
            """
            UPDATE member_cards SET status = \(bind: to.rawValue), ended_at = \(bind: ended), end_reason = \(bind: reason),
                status_at = \(bind: now)
            WHERE id = \(bind: id) AND status = \(bind: from.rawValue) RETURNING id
            """
        ).first() != nil
    }

    /// Cards the member rolls already hold a number for (issued before 普惠服务, kept in `members.card_no`
    /// by imports and the demo) become card records as they are, in one statement. Returns how many.
    func adoptRecorded(issuedBy: String, now: Date, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw(
            """
            INSERT INTO member_cards (card_no, member_id, org_id, org_path, status, issued_by, issued_at)
            SELECT m.card_no, m.id, m.org_id, m.org_path, 'active', \(bind: issuedBy), \(bind: now) FROM members m
            WHERE m.card_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM member_cards c WHERE c.member_id = m.id AND c.status <> 'cancelled')
              AND NOT EXISTS (SELECT 1 FROM member_cards c WHERE c.card_no = m.card_no)
            RETURNING id
            """
        ).all().count
    }

    func markReplaced(_ id: Int64, by newId: Int64, on sql: any SQLDatabase) async throws {
        try await sql.update("member_cards").set("replaced_by", to: newId).where("id", .equal, id).run()
    }

    /// Numbers of cards that stopped being accepted at or after `since`.
    func revoked(since: Date, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.select().column("card_no").from("member_cards").where("status", .notEqual, MemberCard.Status.active.rawValue)
            .where("status_at", .greaterThanOrEqual, since).orderBy("card_no").limit(100_000).all()
            .map { try $0.decode(column: "card_no", as: String.self) }
    }

    /// Cancels every card of the member not cancelled yet; returns them.
    func cancelAll(memberId: Int64, reason: String, now: Date, on sql: any SQLDatabase) async throws -> [MemberCard] {
        let cards = try await sql.select().column("*").from("member_cards").where("member_id", .equal, memberId)
            .where("status", .notEqual, MemberCard.Status.cancelled.rawValue).all(decoding: MemberCard.self)
        for card in cards {
            _ = try await setStatus(card.id, from: card.status, to: .cancelled, reason: reason, now: now, on: sql)
        }
        return cards
    }

    // MARK: Batches

    func openBatch(orgId: Int64, on sql: any SQLDatabase) async throws -> CardBatch? {
        try await sql.select().column("*").from("card_batches").where("org_id", .equal, orgId)
            .where("status", .in, [CardBatch.Status.queued.rawValue, CardBatch.Status.running.rawValue]).first(decoding: CardBatch.self)
    }

    func insert(_ b: CardBatch, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw(
            """
            INSERT INTO card_batches (org_id, org_path, org_name, status, total, done, last_member, requested_by, created_at)
            VALUES (\(bind: b.orgId), \(bind: b.orgPath.rawValue), \(bind: b.orgName), \(bind: b.status.rawValue), \(bind: b.total), 0, 0,
                    \(bind: b.requestedBy), \(bind: b.createdAt))
            RETURNING id
            """
        ).first()?.decode(column: "id", as: Int64.self) ?? 0
    }

    func batch(_ id: Int64, on sql: any SQLDatabase) async throws -> CardBatch? {
        try await sql.select().column("*").from("card_batches").where("id", .equal, id).first(decoding: CardBatch.self)
    }

    func batches(in scope: Scope, on sql: any SQLDatabase) async throws -> [CardBatch] {
        try await sql.select().column("*").from("card_batches").where("org_path", in: scope).orderBy("id", .descending).limit(50)
            .all(decoding: CardBatch.self)
    }

    /// Which of these members hold a card that is not cancelled.
    func holdingCards(_ memberIds: [Int64], on sql: any SQLDatabase) async throws -> Set<Int64> {
        guard !memberIds.isEmpty else { return [] }
        return Set(
            try await sql.select().column("member_id").from("member_cards").where("member_id", .in, memberIds)
                .where("status", .notEqual, MemberCard.Status.cancelled.rawValue).all().map { try $0.decode(column: "member_id", as: Int64.self) })
    }

    /// Takes `count` sequence numbers at once; returns the first.
    func takeSequences(_ count: Int, on sql: any SQLDatabase) async throws -> Int64 {
        let last = try await sql.raw("UPDATE card_sequence SET last = last + \(bind: Int64(count)) WHERE id = 1 RETURNING last").first()?
            .decode(column: "last", as: Int64.self) ?? Int64(count)
        return last - Int64(count) + 1
    }

    /// Inserts cards in multi-row statements of 500.
    func insertMany(_ cards: [MemberCard], on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: cards.count, by: 500) {
            let insert = sql.insert(into: "member_cards").columns("card_no", "member_id", "org_id", "org_path", "status", "issued_by", "issued_at")
            for c in cards[start..<min(start + 500, cards.count)] {
                insert.values(
                    SQLBind(c.cardNo), SQLBind(c.memberId), SQLBind(c.orgId), SQLBind(c.orgPath.rawValue), SQLBind(c.status.rawValue),
                    SQLBind(c.issuedBy), SQLBind(c.issuedAt))
            }
            try await insert.run()
        }
    }

    func progress(_ id: Int64, done: Int, lastMember: Int64, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE card_batches SET status = 'running', done = done + \(bind: Int64(done)), last_member = \(bind: lastMember)
            WHERE id = \(bind: id)
            """
        ).run()
    }

    func finish(_ id: Int64, at: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("card_batches").set("status", to: CardBatch.Status.done.rawValue).set("finished_at", to: at)
            .where("id", .equal, id).run()
    }
}
