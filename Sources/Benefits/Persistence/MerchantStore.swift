import Foundation
import Platform
import SQLKit

/// The SQL of merchants, their outlets and staff, and offers.
struct MerchantStore: Sendable {
    func merchant(_ id: Int64, on sql: any SQLDatabase) async throws -> Merchant? {
        try await sql.select().column("*").from("merchants").where("id", .equal, id).first(decoding: Merchant.self)
    }

    func merchants(in scope: Scope, status: Merchant.Status?, on sql: any SQLDatabase) async throws -> [Merchant] {
        var q = sql.select().column("*").from("merchants").where("org_path", in: scope)
        if let status { q = q.where("status", .equal, status.rawValue) }
        return try await q.orderBy("id", .descending).limit(500).all(decoding: Merchant.self)
    }

    func merchant(creditCode: String, on sql: any SQLDatabase) async throws -> Merchant? {
        try await sql.select().column("*").from("merchants").where("credit_code", .equal, creditCode).first(decoding: Merchant.self)
    }

    func insert(_ m: Merchant, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw(
            """
            INSERT INTO merchants (name, credit_code, category, org_id, org_path, contact_name, contact_phone, licence_key,
                                   licence_kind, status, applied_at)
            VALUES (\(bind: m.name), \(bind: m.creditCode), \(bind: m.category), \(bind: m.orgId), \(bind: m.orgPath.rawValue),
                    \(bind: m.contactName), \(bind: m.contactPhone), \(bind: m.licenceKey), \(bind: m.licenceKind),
                    \(bind: m.status.rawValue), \(bind: m.appliedAt))
            RETURNING id
            """
        ).first()?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// Records a review; false if the merchant was no longer pending (a concurrent review).
    func review(
        _ id: Int64, to status: Merchant.Status, from: String?, to until: String?, note: String?, by: String, at: Date,
        on sql: any SQLDatabase
    )
        async throws -> Bool
    {
        try await sql.raw(
            """
            UPDATE merchants SET status = \(bind: status.rawValue), agreement_from = \(bind: from), agreement_to = \(bind: until),
                review_note = \(bind: note), reviewed_by = \(bind: by), reviewed_at = \(bind: at)
            WHERE id = \(bind: id) AND status = 'pending' RETURNING id
            """
        ).first() != nil
    }

    func insertOutlet(_ o: Outlet, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO merchant_outlets (merchant_id, name, address, lat_e6, lng_e6)
            VALUES (\(bind: o.merchantId), \(bind: o.name), \(bind: o.address), \(bind: o.latE6), \(bind: o.lngE6))
            """
        ).run()
    }

    func outlets(of merchantIds: [Int64], on sql: any SQLDatabase) async throws -> [Outlet] {
        guard !merchantIds.isEmpty else { return [] }
        return try await sql.select().column("*").from("merchant_outlets").where("merchant_id", .in, merchantIds).orderBy("id")
            .all(decoding: Outlet.self)
    }

    func staff(accountId: Int64, on sql: any SQLDatabase) async throws -> MerchantStaff? {
        try await sql.select().column("*").from("merchant_staff").where("account_id", .equal, accountId).first(decoding: MerchantStaff.self)
    }

    func staff(of merchantId: Int64, on sql: any SQLDatabase) async throws -> [MerchantStaff] {
        try await sql.select().column("*").from("merchant_staff").where("merchant_id", .equal, merchantId).orderBy("added_at")
            .all(decoding: MerchantStaff.self)
    }

    func insertStaff(_ s: MerchantStaff, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO merchant_staff (account_id, merchant_id, name, added_by, added_at)
            VALUES (\(bind: s.accountId), \(bind: s.merchantId), \(bind: s.name), \(bind: s.addedBy), \(bind: s.addedAt))
            """
        ).run()
    }

    // MARK: Offers

    func offer(_ id: Int64, on sql: any SQLDatabase) async throws -> Offer? {
        try await sql.select().column("*").from("offers").where("id", .equal, id).first(decoding: Offer.self)
    }

    func offers(of merchantId: Int64, on sql: any SQLDatabase) async throws -> [Offer] {
        try await sql.select().column("*").from("offers").where("merchant_id", .equal, merchantId).orderBy("id")
            .all(decoding: Offer.self)
    }

    /// Active offers whose unions include a member at `memberPath` (the offer's union is the member's or above it).
    func offers(forMemberAt memberPath: OrgPath, on sql: any SQLDatabase) async throws -> [Offer] {
        try await sql.select().column("*").from("offers").where("org_path", .in, Self.selfAndAncestors(memberPath))
            .where("status", .equal, Offer.Status.active.rawValue).orderBy("id").limit(500).all(decoding: Offer.self)
    }

    static func selfAndAncestors(_ path: OrgPath) -> [String] {
        var paths: [String] = []
        var p = "/"
        for id in path.ids {
            p += "\(id)/"
            paths.append(p)
        }
        return paths
    }

    func insert(_ o: Offer, on sql: any SQLDatabase) async throws -> Int64 {
        try await sql.raw(
            """
            INSERT INTO offers (merchant_id, title, kind, percent_off, member_price, list_price, org_id, org_path, payer_org_id,
                                payer_path, subsidy_percent, valid_from, valid_to, weekdays, per_day, per_month, daily_quota,
                                voucher_minutes, status, created_by, created_at)
            VALUES (\(bind: o.merchantId), \(bind: o.title), \(bind: o.kind.rawValue), \(bind: o.percentOff), \(bind: o.memberPrice),
                    \(bind: o.listPrice), \(bind: o.orgId), \(bind: o.orgPath.rawValue), \(bind: o.payerOrgId),
                    \(bind: o.payerPath.rawValue), \(bind: o.subsidyPercent), \(bind: o.validFrom), \(bind: o.validTo),
                    \(bind: o.weekdays), \(bind: o.perDay), \(bind: o.perMonth), \(bind: o.dailyQuota), \(bind: o.voucherMinutes),
                    \(bind: o.status.rawValue), \(bind: o.createdBy), \(bind: o.createdAt))
            RETURNING id
            """
        ).first()?.decode(column: "id", as: Int64.self) ?? 0
    }
}
