import Foundation
import Platform

/// A partner merchant (合作商户). Applies online, is reviewed by a county or city union (the union at
/// `orgPath`, which then sees it, its offers and statements), and works under an agreement period.
public struct Merchant: Sendable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending, approved, rejected, suspended
        public var label: String { BenefitsText.merchantStatusLabels[self] ?? rawValue }
    }

    public var id: Int64
    public var name: String
    public var creditCode: String
    public var category: String
    public var orgId: Int64
    public var orgPath: OrgPath
    public var contactName: String
    public var contactPhone: String
    public var licenceKey: String?
    public var licenceKind: String?
    public var status: Status
    public var agreementFrom: String?
    public var agreementTo: String?
    public var appliedAt: Date
    public var reviewedBy: String?
    public var reviewedAt: Date?
    public var reviewNote: String?

    /// Approved and today inside the agreement period: only then are its offers shown and redeemed.
    public func isServing(on day: CivilDate) -> Bool {
        guard status == .approved, let from = agreementFrom.flatMap(CivilDate.init(iso:)),
            let to = agreementTo.flatMap(CivilDate.init(iso:))
        else { return false }
        return from <= day && day <= to
    }

    enum CodingKeys: String, CodingKey {
        case id, name, category, status
        case creditCode = "credit_code", orgId = "org_id", orgPath = "org_path", contactName = "contact_name"
        case contactPhone = "contact_phone", licenceKey = "licence_key", licenceKind = "licence_kind"
        case agreementFrom = "agreement_from", agreementTo = "agreement_to", appliedAt = "applied_at"
        case reviewedBy = "reviewed_by", reviewedAt = "reviewed_at", reviewNote = "review_note"
    }

    /// The categories a merchant is filed under.
    public static let categories = ["观影娱乐", "餐饮美食", "商超购物", "医疗健康", "交通出行", "文体休闲", "生活服务", "教育培训"]
}

/// A merchant's shop (门店) with an address and, when known, coordinates (millionths of a degree).
public struct Outlet: Sendable, Codable {
    public var id: Int64
    public var merchantId: Int64
    public var name: String
    public var address: String
    public var latE6: Int64?
    public var lngE6: Int64?

    enum CodingKeys: String, CodingKey {
        case id, name, address
        case merchantId = "merchant_id", latE6 = "lat_e6", lngE6 = "lng_e6"
    }

    /// Great-circle distance in metres.
    public func metres(toLat lat: Double, lng: Double) -> Double? {
        guard let latE6, let lngE6 else { return nil }
        let (φ1, φ2) = (Double(latE6) / 1e6 * .pi / 180, lat * .pi / 180)
        let Δφ = φ2 - φ1
        let Δλ = (lng - Double(lngE6) / 1e6) * .pi / 180
        let a = sin(Δφ / 2) * sin(Δφ / 2) + cos(φ1) * cos(φ2) * sin(Δλ / 2) * sin(Δλ / 2)
        return 6_371_000 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }
}

/// A merchant's cashier account: a staff account whose only standing is this merchant.
public struct MerchantStaff: Sendable, Codable {
    public var accountId: Int64
    public var merchantId: Int64
    public var name: String
    public var addedBy: String
    public var addedAt: Date

    enum CodingKeys: String, CodingKey {
        case name
        case accountId = "account_id", merchantId = "merchant_id", addedBy = "added_by", addedAt = "added_at"
    }
}

/// The staff accounts of merchants are made by the accounts domain (an adapter in App).
public protocol MerchantAccounts: Sendable {
    /// Creates a sign-in account homed at the reviewing union, with no union role; returns its id.
    func create(username: String, displayName: String, password: String, homeOrgId: Int64, actor: Actor) async throws -> Int64
}
