import Foundation
import Platform
import SQLKit

/// The SQL of claims, codes, redemptions and statements. Limits are kept by conditional updates
/// (`… SET n = n + 1 WHERE n < limit RETURNING`), which both databases run atomically per row, so
/// no read-then-write can let a claim through twice.
struct RedemptionStore: Sendable {
    /// Takes one unit of the day's quota; false when none is left.
    func takeQuota(offerId: Int64, day: String, total: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            "INSERT INTO offer_quota (offer_id, day, total, taken) VALUES (\(bind: offerId), \(bind: day), \(bind: total), 0) ON CONFLICT DO NOTHING"
        ).run()
        return try await sql.raw(
            """
            UPDATE offer_quota SET taken = taken + 1 WHERE offer_id = \(bind: offerId) AND day = \(bind: day) AND taken < total
            RETURNING taken
            """
        ).first() != nil
    }

    func quotaTaken(offerId: Int64, day: String, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.select().column("taken").from("offer_quota").where("offer_id", .equal, offerId).where("day", .equal, day)
            .first()?.decode(column: "taken", as: Int64.self) ?? 0
    }

    /// Counts one use of the offer by the member in `period`; false if `limit` is reached.
    func use(offerId: Int64, memberId: Int64, period: String, limit: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            INSERT INTO offer_uses (offer_id, member_id, period, used) VALUES (\(bind: offerId), \(bind: memberId), \(bind: period), 0)
            ON CONFLICT DO NOTHING
            """
        ).run()
        return try await sql.raw(
            """
            UPDATE offer_uses SET used = used + 1
            WHERE offer_id = \(bind: offerId) AND member_id = \(bind: memberId) AND period = \(bind: period) AND used < \(bind: limit)
            RETURNING used
            """
        ).first() != nil
    }

    func insert(_ v: Voucher, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw(
            """
            INSERT INTO vouchers (offer_id, member_id, day, status, claimed_at, expires_at)
            VALUES (\(bind: v.offerId), \(bind: v.memberId), \(bind: v.day), \(bind: v.status.rawValue), \(bind: v.claimedAt),
                    \(bind: v.expiresAt))
            RETURNING id
            """
        ).first()?.decode(column: "id", as: Int64.self) ?? 0
    }

    func vouchers(memberId: Int64, since: Date, on sql: any SQLDatabase) async throws -> [Voucher] {
        try await sql.select().column("*").from("vouchers").where("member_id", .equal, memberId).where(
            "claimed_at", .greaterThanOrEqual, since
        )
        .orderBy("id", .descending).limit(100).all(decoding: Voucher.self)
    }

    /// The member's claimed, unexpired voucher for one of `offerIds`, oldest first.
    func openVouchers(memberId: Int64, offerIds: [Int64], now: Date, on sql: any SQLDatabase) async throws -> [Voucher] {
        guard !offerIds.isEmpty else { return [] }
        return try await sql.select().column("*").from("vouchers").where("member_id", .equal, memberId)
            .where("offer_id", .in, offerIds).where("status", .equal, Voucher.Status.claimed.rawValue)
            .where("expires_at", .greaterThan, now).orderBy("id").all(decoding: Voucher.self)
    }

    /// Marks a voucher redeemed; false if it was redeemed already or expired.
    func redeem(voucherId: Int64, redemptionId: Int64, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE vouchers SET status = 'redeemed', redemption_id = \(bind: redemptionId)
            WHERE id = \(bind: voucherId) AND status = 'claimed' AND expires_at > \(bind: now) RETURNING id
            """
        ).first() != nil
    }

    // MARK: Codes

    /// Remembers a shown code; false if the code is held by another card or was used already (then the
    /// next attempt of the step is tried, so a member shows a fresh code right after a redemption).
    func remember(code: String, cardId: Int64, expiresAt: Date, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            INSERT INTO card_codes (code, card_id, expires_at) VALUES (\(bind: code), \(bind: cardId), \(bind: expiresAt))
            ON CONFLICT DO NOTHING
            """
        ).run()
        guard let row = try await sql.select().columns("card_id", "used_at").from("card_codes").where("code", .equal, code).first() else {
            return false
        }
        return try row.decode(column: "card_id", as: Int64.self) == cardId && row.decodeNil(column: "used_at")
    }

    /// The card a live, unused code belongs to.
    func card(ofCode code: String, now: Date, on sql: any SQLDatabase) async throws -> (cardId: Int64, used: Bool)? {
        guard
            let row = try await sql.select().columns("card_id", "used_at").from("card_codes").where("code", .equal, code)
                .where("expires_at", .greaterThan, now).first()
        else { return nil }
        return (try row.decode(column: "card_id", as: Int64.self), try row.decodeNil(column: "used_at") == false)
    }

    /// Uses a code once; false if it was used (or expired) meanwhile.
    func consume(code: String, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw(
            """
            UPDATE card_codes SET used_at = \(bind: now) WHERE code = \(bind: code) AND used_at IS NULL AND expires_at > \(bind: now)
            RETURNING code
            """
        ).first() != nil
    }

    /// Forgets codes that expired before `before`.
    func sweepCodes(before: Date, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "card_codes").where("expires_at", .lessThan, before).run()
    }

    // MARK: Redemptions and statements

    func insert(_ r: Redemption, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw(
            """
            INSERT INTO redemptions (merchant_id, offer_id, card_id, member_id, member_name, voucher_id, amount_before, amount_after,
                                     discount, subsidy, payer_path, month, cashier, redeemed_at)
            VALUES (\(bind: r.merchantId), \(bind: r.offerId), \(bind: r.cardId), \(bind: r.memberId), \(bind: r.memberName),
                    \(bind: r.voucherId), \(bind: r.amountBefore), \(bind: r.amountAfter), \(bind: r.discount), \(bind: r.subsidy),
                    \(bind: r.payerPath.rawValue), \(bind: r.month), \(bind: r.cashier), \(bind: r.redeemedAt))
            RETURNING id
            """
        ).first()?.decode(column: "id", as: Int64.self) ?? 0
    }

    func redemptions(merchantId: Int64, month: String, on sql: any SQLDatabase) async throws -> [Redemption] {
        try await sql.select().column("*").from("redemptions").where("merchant_id", .equal, merchantId).where("month", .equal, month)
            .orderBy("id", .descending).all(decoding: Redemption.self)
    }

    /// The month's redemptions of each merchant reviewed in `scope`: count, discount and subsidy, with what is still unsettled.
    func monthTotals(in scope: Scope, month: String, on sql: any SQLDatabase) async throws -> [MonthTotal] {
        try await sql.select().column(SQLColumn("id", table: "m"), as: "merchant_id").column(SQLColumn("name", table: "m"), as: "name")
            .column(SQLRaw("CAST(COUNT(r.id) AS BIGINT)"), as: "redemptions").column(
                SQLRaw("CAST(COALESCE(SUM(r.discount), 0) AS BIGINT)"), as: "discount"
            )
            .column(SQLRaw("CAST(COALESCE(SUM(r.subsidy), 0) AS BIGINT)"), as: "subsidy")
            .column(SQLRaw("CAST(COALESCE(SUM(CASE WHEN r.id IS NOT NULL AND r.statement_id IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT)"), as: "unsettled")
            .from(SQLAlias(SQLIdentifier("merchants"), as: SQLIdentifier("m")))
            .join(
                SQLAlias(SQLIdentifier("redemptions"), as: SQLIdentifier("r")), method: SQLJoinMethod.left,
                on: SQLBinaryExpression(
                    SQLBinaryExpression(SQLColumn("merchant_id", table: "r"), .equal, SQLColumn("id", table: "m")), .and,
                    SQLBinaryExpression(SQLColumn("month", table: "r"), .equal, SQLBind(month)))
            )
            .where("m.org_path", in: scope)
            .groupBy(SQLColumn("id", table: "m")).groupBy(SQLColumn("name", table: "m")).orderBy(SQLColumn("id", table: "m"))
            .all(decoding: MonthTotal.self)
    }

    /// Redemptions, discount and subsidy per month at the merchants reviewed in `scope`.
    func months(in scope: Scope, _ months: [String], on sql: any SQLDatabase) async throws -> [String: (count: Int64, subsidy: Int64)] {
        guard !months.isEmpty else { return [:] }
        let rows = try await sql.raw(
            """
            SELECT r.month AS month, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(r.subsidy) AS BIGINT) AS subsidy
            FROM redemptions r JOIN merchants m ON m.id = r.merchant_id
            WHERE \(scope.condition("m.org_path")) AND r.month IN (\(binds: months)) GROUP BY r.month
            """
        ).all()
        return try rows.reduce(into: [:]) {
            $0[try $1.decode(column: "month", as: String.self)] = (
                try $1.decode(column: "n", as: Int64.self), try $1.decode(column: "subsidy", as: Int64.self)
            )
        }
    }

    /// The month's redemptions per offer at the merchants reviewed in `scope`, most used first.
    func offerTotals(in scope: Scope, month: String, on sql: any SQLDatabase) async throws -> [OfferTotal] {
        try await sql.raw(
            """
            SELECT o.id AS offer_id, o.title AS title, m.name AS merchant, CAST(COUNT(*) AS BIGINT) AS redemptions,
                   CAST(SUM(r.discount) AS BIGINT) AS discount, CAST(SUM(r.subsidy) AS BIGINT) AS subsidy
            FROM redemptions r JOIN offers o ON o.id = r.offer_id JOIN merchants m ON m.id = r.merchant_id
            WHERE \(scope.condition("m.org_path")) AND r.month = \(bind: month)
            GROUP BY o.id, o.title, m.name ORDER BY redemptions DESC, o.id LIMIT 100
            """
        ).all(decoding: OfferTotal.self)
    }

    struct OfferTotal: Decodable, Sendable {
        var offerId: Int64
        var title: String
        var merchant: String
        var redemptions: Int64
        var discount: Int64
        var subsidy: Int64

        enum CodingKeys: String, CodingKey {
            case title, merchant, redemptions, discount, subsidy
            case offerId = "offer_id"
        }
    }

    struct MonthTotal: Decodable, Sendable {
        var merchantId: Int64
        var name: String
        var redemptions: Int64
        var discount: Int64
        var subsidy: Int64
        var unsettled: Int64

        enum CodingKeys: String, CodingKey {
            case name, redemptions, discount, subsidy, unsettled
            case merchantId = "merchant_id"
        }
    }

    func statements(merchantId: Int64, on sql: any SQLDatabase) async throws -> [Statement] {
        try await sql.select().column("*").from("statements").where("merchant_id", .equal, merchantId)
            .orderBy("month", .descending).orderBy("seq", .descending).all(decoding: Statement.self)
    }

    func statement(_ id: Int64, on sql: any SQLDatabase) async throws -> Statement? {
        try await sql.select().column("*").from("statements").where("id", .equal, id).first(decoding: Statement.self)
    }

    func redemptions(statementId: Int64, on sql: any SQLDatabase) async throws -> [Redemption] {
        try await sql.select().column("*").from("redemptions").where("statement_id", .equal, statementId).orderBy("id")
            .all(decoding: Redemption.self)
    }

    /// Writes the statement of the month's unsettled redemptions and ties them to it; nil when there are none.
    func settle(merchantId: Int64, month: String, by: String, at: Date, on sql: any SQLDatabase) async throws -> Statement? {
        let totals = try await sql.raw(
            """
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(discount), 0) AS BIGINT) AS discount, CAST(COALESCE(SUM(subsidy), 0) AS BIGINT) AS subsidy
            FROM redemptions
            WHERE merchant_id = \(bind: merchantId) AND month = \(bind: month) AND statement_id IS NULL
            """
        ).first()
        let count = try totals?.decode(column: "n", as: Int64.self) ?? 0
        guard count > 0 else { return nil }
        let seq =
            try await sql.raw(
                "SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM statements WHERE merchant_id = \(bind: merchantId) AND month = \(bind: month)"
            ).first()?.decode(column: "seq", as: Int64.self) ?? 1
        let discount = try totals?.decode(column: "discount", as: Int64.self) ?? 0
        let subsidy = try totals?.decode(column: "subsidy", as: Int64.self) ?? 0
        let id =
            try await sql.raw(
                """
                INSERT INTO statements (merchant_id, month, seq, redemptions, discount, subsidy, confirmed_by, confirmed_at)
                VALUES (\(bind: merchantId), \(bind: month), \(bind: seq), \(bind: count), \(bind: discount), \(bind: subsidy), \(bind: by), \(bind: at))
                RETURNING id
                """
            ).first()?.decode(column: "id", as: Int64.self) ?? 0
        // Exactly the rows counted above: a redemption landing meanwhile waits for the next statement.
        let tied = try await sql.raw(
            """
            UPDATE redemptions SET statement_id = \(bind: id)
            WHERE merchant_id = \(bind: merchantId) AND month = \(bind: month) AND statement_id IS NULL RETURNING id
            """
        ).all().count
        guard tied == count else { throw AppError.conflict(BenefitsText.settleRace) }
        return Statement(
            id: id, merchantId: merchantId, month: month, seq: seq, redemptions: count, discount: discount, subsidy: subsidy,
            confirmedBy: by, confirmedAt: at)
    }

    // MARK: Refusals

    func countRefusal(_ reason: String, day: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO benefit_refusals (day, reason, count) VALUES (\(bind: day), \(bind: reason), 1)
            ON CONFLICT (day, reason) DO UPDATE SET count = benefit_refusals.count + 1
            """
        ).run()
    }

    func refusals(since day: String, on sql: any SQLDatabase) async throws -> [String: Int64] {
        let rows = try await sql.raw(
            "SELECT reason, CAST(SUM(count) AS BIGINT) AS n FROM benefit_refusals WHERE day >= \(bind: day) GROUP BY reason"
        ).all()
        return try rows.reduce(into: [:]) {
            $0[try $1.decode(column: "reason", as: String.self)] = try $1.decode(column: "n", as: Int64.self)
        }
    }
}
