import Foundation
import Platform

/// Demo partner merchants in a county, as its union would set them up: the cinema's 10-yuan ticket
/// (200 a day, paid by the county union) and a restaurant's 12% off (the merchant's own discount),
/// each approved with a year's agreement and a cashier account.
public struct BenefitsDemo: Sendable {
    public static let cashier = "yingcheng"
    let merchants: MerchantService
    let offers: OfferService

    public init(merchants: MerchantService, offers: OfferService) {
        self.merchants = merchants
        self.offers = offers
    }

    public func stories(countyId: Int64, cadre: Actor, password: String, today: CivilDate, scratch: URL, licences: URL) async throws {
        let agreementEnd = CivilDate(unchecked: today.year + 1, today.month, min(today.day, 28)).iso
        let cinema = try await merchant(
            MerchantApplication(
                name: "正定影城", creditCode: "91130123MA0C1NEMA", category: "观影娱乐", contactName: "郭影", contactPhone: "13903110101",
                unionId: countyId, outletName: "正定影城（常山路店）", outletAddress: "河北省石家庄市正定县常山西路 88 号", lat: "38.146412", lng: "114.570512"),
            cadre: cadre, until: agreementEnd, today: today, scratch: scratch, licences: licences)
        _ = try await merchants.addStaff(cinema.id, username: Self.cashier, displayName: "影城收银员", password: password, actor: cadre)
        _ = try await offers.create(
            merchantId: cinema.id,
            OfferInput(
                title: "会员10元观影", kind: Offer.Kind.price.rawValue, memberPrice: "10", listPrice: "40", unionId: countyId,
                subsidyPercent: "100",
                validFrom: today.iso, validTo: agreementEnd, perDay: "1", perMonth: "4", dailyQuota: "200", voucherMinutes: "720"),
            actor: cadre)
        let restaurant = try await merchant(
            MerchantApplication(
                name: "正定古城饺子馆", creditCode: "92130123MA0DUMPLG", category: "餐饮美食", contactName: "马掌柜", contactPhone: "13903110102",
                unionId: countyId, outletName: "正定古城饺子馆", outletAddress: "河北省石家庄市正定县燕赵南大街 16 号", lat: "38.142230", lng: "114.574890"),
            cadre: cadre, until: agreementEnd, today: today, scratch: scratch, licences: licences)
        _ = try await offers.create(
            merchantId: restaurant.id,
            OfferInput(
                title: "会员堂食88折", kind: Offer.Kind.percent.rawValue, percentOff: "12", unionId: countyId, subsidyPercent: "0",
                validFrom: today.iso, validTo: agreementEnd),
            actor: cadre)
    }

    /// Applies with a placeholder licence image and approves. The 17 characters given are completed
    /// with their GB 32100 check character.
    func merchant(_ application: MerchantApplication, cadre: Actor, until: String, today: CivilDate, scratch: URL, licences: URL)
        async throws -> Merchant
    {
        var application = application
        let body = String(application.creditCode.prefix(17))
        application.creditCode = body + String(CreditCode.checkCharacter(body) ?? "0")
        let licence = scratch.appendingPathComponent("licence-\(randomToken(bytes: 4)).png")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try Self.placeholderPNG.write(to: licence)
        let m = try await merchants.apply(application, licence: licence, directory: licences, actor: cadre)
        return try await merchants.review(m.id, approve: true, from: today.iso, to: until, note: "演示数据", actor: cadre)
    }

    /// A 1×1 white PNG.
    static let placeholderPNG =
        Data(
            base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC") ?? Data()
}
