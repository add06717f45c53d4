import Foundation
import Platform

/// An offer (优惠) of a merchant to the members of a subtree: a percentage off or a member price.
/// With a daily quota (限量) members claim a voucher first; without one the card alone is enough.
public struct Offer: Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// `percentOff` percent off the amount.
        case percent
        /// A fixed member price (`memberPrice`) instead of the list price.
        case price
        public var label: String { self == .percent ? BenefitsText.kindPercent : BenefitsText.kindPrice }
    }

    public enum Status: String, Sendable, Codable { case active, ended }

    public var id: Int64
    public var merchantId: Int64
    public var title: String
    public var kind: Kind
    public var percentOff: Int64?
    /// Fen.
    public var memberPrice: Int64?
    public var listPrice: Int64?
    /// Whose members may use it: the subtree of this union.
    public var orgId: Int64
    public var orgPath: OrgPath
    /// The union that pays `subsidyPercent` percent of each discount to the merchant at settlement.
    public var payerOrgId: Int64
    public var payerPath: OrgPath
    public var subsidyPercent: Int64
    public var validFrom: String
    public var validTo: String
    /// ISO weekdays it is valid on, `1234567` (Monday = 1).
    public var weekdays: String
    public var perDay: Int64?
    public var perMonth: Int64?
    public var dailyQuota: Int64?
    /// How long a claimed voucher stays valid.
    public var voucherMinutes: Int64
    public var status: Status
    public var createdBy: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, title, kind, weekdays, status
        case merchantId = "merchant_id", percentOff = "percent_off", memberPrice = "member_price", listPrice = "list_price"
        case orgId = "org_id", orgPath = "org_path", payerOrgId = "payer_org_id", payerPath = "payer_path"
        case subsidyPercent = "subsidy_percent", validFrom = "valid_from", validTo = "valid_to", perDay = "per_day"
        case perMonth = "per_month", dailyQuota = "daily_quota", voucherMinutes = "voucher_minutes"
        case createdBy = "created_by", createdAt = "created_at"
    }

    /// Valid on this day (dates and weekday) and not ended.
    public func isValid(on day: CivilDate) -> Bool {
        guard status == .active, let from = CivilDate(iso: validFrom), let to = CivilDate(iso: validTo) else { return false }
        return from <= day && day <= to && weekdays.contains(String(day.isoWeekday))
    }

    /// The amount to pay for `before` fen.
    public func price(before: Int64) -> Int64 {
        switch kind {
        case .percent: max(0, before - before * (percentOff ?? 0) / 100)
        case .price: min(before, memberPrice ?? before)
        }
    }

    /// The union's share of a discount, rounded down to the fen.
    public func subsidy(discount: Int64) -> Int64 { discount * subsidyPercent / 100 }

    /// In words: `8折`, `会员价 10.00 元`.
    public var terms: String {
        switch kind {
        case .percent: BenefitsText.percentTerms(percentOff ?? 0)
        case .price: BenefitsText.priceTerms(Fen(memberPrice ?? 0).yuanText, listPrice.map { Fen($0).yuanText })
        }
    }
}

/// A claimed unit of a limited offer (抢到的券), valid until `expiresAt`, redeemed once.
public struct Voucher: Sendable, Codable {
    public enum Status: String, Sendable, Codable { case claimed, redeemed }
    public var id: Int64
    public var offerId: Int64
    public var memberId: Int64
    public var day: String
    public var status: Status
    public var claimedAt: Date
    public var expiresAt: Date
    public var redemptionId: Int64?

    enum CodingKeys: String, CodingKey {
        case id, day, status
        case offerId = "offer_id", memberId = "member_id", claimedAt = "claimed_at", expiresAt = "expires_at"
        case redemptionId = "redemption_id"
    }
}

/// One use of an offer at a merchant (核销), in fen.
public struct Redemption: Sendable, Codable {
    public var id: Int64
    public var merchantId: Int64
    public var offerId: Int64
    public var cardId: Int64
    public var memberId: Int64
    /// Masked (`王*`): the merchant sees no more.
    public var memberName: String
    public var voucherId: Int64?
    public var amountBefore: Int64
    public var amountAfter: Int64
    public var discount: Int64
    public var subsidy: Int64
    public var payerPath: OrgPath
    public var month: String
    public var cashier: String
    public var redeemedAt: Date
    public var statementId: Int64?

    enum CodingKeys: String, CodingKey {
        case id, discount, subsidy, month, cashier
        case merchantId = "merchant_id", offerId = "offer_id", cardId = "card_id", memberId = "member_id"
        case memberName = "member_name", voucherId = "voucher_id", amountBefore = "amount_before", amountAfter = "amount_after"
        case payerPath = "payer_path", redeemedAt = "redeemed_at", statementId = "statement_id"
    }
}

/// A confirmed monthly statement (结算单): the merchant's redemptions of the month not on an earlier
/// statement. Never changed once written; a later redemption of the same month goes on the next `seq`.
public struct Statement: Sendable, Codable {
    public var id: Int64
    public var merchantId: Int64
    public var month: String
    public var seq: Int64
    public var redemptions: Int64
    public var discount: Int64
    public var subsidy: Int64
    public var confirmedBy: String
    public var confirmedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, month, seq, redemptions, discount, subsidy
        case merchantId = "merchant_id", confirmedBy = "confirmed_by", confirmedAt = "confirmed_at"
    }
}

extension CivilDate {
    /// ISO weekday, Monday = 1 … Sunday = 7.
    public var isoWeekday: Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? Date(timeIntervalSince1970: 0)
        let w = calendar.component(.weekday, from: date)  // Sunday = 1
        return w == 1 ? 7 : w - 1
    }
}
