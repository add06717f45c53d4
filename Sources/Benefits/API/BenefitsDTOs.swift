import Foundation
import Platform

/// Amounts in the API are fen (integers), as everywhere else.
struct MerchantDTO: Encodable, Sendable {
    struct OutletDTO: Encodable, Sendable {
        var id: Int64
        var name: String
        var address: String
        var lat: Double?
        var lng: Double?
    }
    var id: Int64
    var name: String
    var creditCode: String
    var category: String
    var unionId: Int64
    var status: String
    var agreementFrom: String?
    var agreementTo: String?
    var appliedAt: Date
    var outlets: [OutletDTO]

    init(_ m: Merchant, outlets: [Outlet]) {
        id = m.id
        name = m.name
        creditCode = m.creditCode
        category = m.category
        unionId = m.orgId
        status = m.status.rawValue
        agreementFrom = m.agreementFrom
        agreementTo = m.agreementTo
        appliedAt = m.appliedAt
        self.outlets = outlets.map {
            OutletDTO(
                id: $0.id, name: $0.name, address: $0.address, lat: $0.latE6.map { Double($0) / 1e6 },
                lng: $0.lngE6.map { Double($0) / 1e6 })
        }
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("name", Schema.string), ("creditCode", Schema.string), ("category", Schema.string),
            ("unionId", Schema.integer), ("status", Schema.enumeration(Merchant.Status.allCases.map(\.rawValue))),
            ("agreementFrom", Schema.nullable("string", format: "date")), ("agreementTo", Schema.nullable("string", format: "date")),
            ("appliedAt", Schema.dateTime),
            (
                "outlets",
                Schema.array(
                    Schema.object(
                        [
                            ("id", Schema.integer), ("name", Schema.string), ("address", Schema.string), ("lat", Schema.nullable("number")),
                            ("lng", Schema.nullable("number")),
                        ], required: ["id", "name", "address"]))
            ),
        ],
        required: ["id", "name", "creditCode", "category", "unionId", "status", "appliedAt", "outlets"])
}

struct ReviewDTO: Decodable, Sendable {
    var approve: Bool
    var agreementFrom: String?
    var agreementTo: String?
    var note: String?

    static let schema = Schema.object(
        [("approve", Schema.boolean), ("agreementFrom", Schema.string), ("agreementTo", Schema.string), ("note", Schema.text(0, 200))],
        required: ["approve"])
}

struct OfferDTO: Encodable, Sendable {
    var id: Int64
    var merchantId: Int64
    var merchantName: String
    var title: String
    var kind: String
    var terms: String
    var percentOff: Int64?
    var memberPrice: Int64?
    var listPrice: Int64?
    var unionId: Int64
    var validFrom: String
    var validTo: String
    var weekdays: String
    var perDay: Int64?
    var perMonth: Int64?
    var dailyQuota: Int64?
    /// Units left today (limited offers, member view).
    var leftToday: Int64?
    /// Metres to the nearest shop (member view with a position).
    var distance: Double?
    var voucherId: Int64?

    init(_ o: Offer, merchantName: String) {
        id = o.id
        merchantId = o.merchantId
        self.merchantName = merchantName
        title = o.title
        kind = o.kind.rawValue
        terms = o.terms
        percentOff = o.percentOff
        memberPrice = o.memberPrice
        listPrice = o.listPrice
        unionId = o.orgId
        validFrom = o.validFrom
        validTo = o.validTo
        weekdays = o.weekdays
        perDay = o.perDay
        perMonth = o.perMonth
        dailyQuota = o.dailyQuota
    }

    init(_ v: OfferView) {
        self.init(v.offer, merchantName: v.merchant.name)
        leftToday = v.left
        distance = v.distance.map { ($0).rounded() }
        voucherId = v.voucher?.id
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("merchantId", Schema.integer), ("merchantName", Schema.string), ("title", Schema.string),
            ("kind", Schema.enumeration(Offer.Kind.allCases.map(\.rawValue))), ("terms", Schema.string),
            ("percentOff", Schema.nullable("integer")), ("memberPrice", Schema.nullable("integer")),
            ("listPrice", Schema.nullable("integer")),
            ("unionId", Schema.integer), ("validFrom", ["type": "string", "format": "date"]),
            ("validTo", ["type": "string", "format": "date"]),
            ("weekdays", Schema.string), ("perDay", Schema.nullable("integer")), ("perMonth", Schema.nullable("integer")),
            ("dailyQuota", Schema.nullable("integer")), ("leftToday", Schema.nullable("integer")), ("distance", Schema.nullable("number")),
            ("voucherId", Schema.nullable("integer")),
        ],
        required: ["id", "merchantId", "merchantName", "title", "kind", "terms", "unionId", "validFrom", "validTo", "weekdays"])
}

enum OfferInputDTO {
    static let schema = Schema.object(
        [
            ("title", Schema.text(1, 60)), ("kind", Schema.enumeration(Offer.Kind.allCases.map(\.rawValue))),
            ("percentOff", Schema.string), ("memberPrice", Schema.string), ("listPrice", Schema.string), ("unionId", Schema.id),
            ("payerId", Schema.id), ("subsidyPercent", Schema.string), ("validFrom", Schema.string), ("validTo", Schema.string),
            ("weekdays", Schema.string), ("perDay", Schema.string), ("perMonth", Schema.string), ("dailyQuota", Schema.string),
            ("voucherMinutes", Schema.string),
        ],
        required: ["title", "kind", "unionId", "validFrom", "validTo", "weekdays"])
}

struct VoucherDTO: Encodable, Sendable {
    var id: Int64
    var offerId: Int64
    var day: String
    var status: String
    var claimedAt: Date
    var expiresAt: Date

    init(_ v: Voucher) {
        id = v.id
        offerId = v.offerId
        day = v.day
        status = v.status.rawValue
        claimedAt = v.claimedAt
        expiresAt = v.expiresAt
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("offerId", Schema.integer), ("day", ["type": "string", "format": "date"]),
            ("status", Schema.enumeration(["claimed", "redeemed"])), ("claimedAt", Schema.dateTime), ("expiresAt", Schema.dateTime),
        ],
        required: ["id", "offerId", "day", "status", "claimedAt", "expiresAt"])
}

struct RedemptionDTO: Encodable, Sendable {
    var id: Int64
    var merchantId: Int64
    var offerId: Int64
    var cardId: Int64
    var memberName: String
    var amountBefore: Int64
    var amountAfter: Int64
    var discount: Int64
    var subsidy: Int64
    var month: String
    var cashier: String
    var redeemedAt: Date
    var statementId: Int64?

    init(_ r: Redemption) {
        id = r.id
        merchantId = r.merchantId
        offerId = r.offerId
        cardId = r.cardId
        memberName = r.memberName
        amountBefore = r.amountBefore
        amountAfter = r.amountAfter
        discount = r.discount
        subsidy = r.subsidy
        month = r.month
        cashier = r.cashier
        redeemedAt = r.redeemedAt
        statementId = r.statementId
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("merchantId", Schema.integer), ("offerId", Schema.integer), ("cardId", Schema.integer),
            ("memberName", Schema.string), ("amountBefore", Schema.integer), ("amountAfter", Schema.integer), ("discount", Schema.integer),
            ("subsidy", Schema.integer), ("month", Schema.string), ("cashier", Schema.string), ("redeemedAt", Schema.dateTime),
            ("statementId", Schema.nullable("integer")),
        ],
        required: [
            "id", "merchantId", "offerId", "cardId", "memberName", "amountBefore", "amountAfter", "discount", "subsidy", "month",
            "cashier", "redeemedAt",
        ])
}

struct StatementDTO: Encodable, Sendable {
    var id: Int64
    var merchantId: Int64
    var month: String
    var seq: Int64
    var redemptions: Int64
    var discount: Int64
    var subsidy: Int64
    var confirmedBy: String
    var confirmedAt: Date
    var lines: [RedemptionDTO]?

    init(_ s: Statement, rows: [Redemption]? = nil) {
        id = s.id
        merchantId = s.merchantId
        month = s.month
        seq = s.seq
        redemptions = s.redemptions
        discount = s.discount
        subsidy = s.subsidy
        confirmedBy = s.confirmedBy
        confirmedAt = s.confirmedAt
        lines = rows?.map(RedemptionDTO.init)
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("merchantId", Schema.integer), ("month", Schema.string), ("seq", Schema.integer),
            ("redemptions", Schema.integer), ("discount", Schema.integer), ("subsidy", Schema.integer), ("confirmedBy", Schema.string),
            ("confirmedAt", Schema.dateTime), ("lines", Schema.array(Schema.ref("Redemption"))),
        ],
        required: ["id", "merchantId", "month", "seq", "redemptions", "discount", "subsidy", "confirmedBy", "confirmedAt"])
}

struct MerchantMonthDTO: Encodable, Sendable {
    var merchantId: Int64
    var name: String
    var redemptions: Int64
    var discount: Int64
    var subsidy: Int64
    var unsettled: Int64

    init(_ m: MerchantMonth) {
        merchantId = m.merchantId
        name = m.name
        redemptions = m.redemptions
        discount = m.discount
        subsidy = m.subsidy
        unsettled = m.unsettled
    }

    static let schema = Schema.object(
        [
            ("merchantId", Schema.integer), ("name", Schema.string), ("redemptions", Schema.integer), ("discount", Schema.integer),
            ("subsidy", Schema.integer), ("unsettled", Schema.integer),
        ],
        required: ["merchantId", "name", "redemptions", "discount", "subsidy", "unsettled"])
}

struct VerificationDTO: Encodable, Sendable {
    struct Applicable: Encodable, Sendable {
        var offer: OfferDTO
        var needsVoucher: Bool
        var voucherId: Int64?
    }
    var cardNo: String
    var memberName: String
    var unionName: String
    var merchantServing: Bool
    var offers: [Applicable]

    init(_ v: Verification) {
        cardNo = v.cardNo
        memberName = v.memberName
        unionName = v.unionName
        merchantServing = v.merchantServing
        offers = v.offers.map {
            Applicable(offer: OfferDTO($0.offer, merchantName: ""), needsVoucher: $0.offer.dailyQuota != nil, voucherId: $0.voucher?.id)
        }
    }

    static let schema = Schema.object(
        [
            ("cardNo", Schema.string), ("memberName", Schema.string), ("unionName", Schema.string), ("merchantServing", Schema.boolean),
            (
                "offers",
                Schema.array(
                    Schema.object(
                        [("offer", Schema.ref("Offer")), ("needsVoucher", Schema.boolean), ("voucherId", Schema.nullable("integer"))],
                        required: ["offer", "needsVoucher"]))
            ),
        ],
        required: ["cardNo", "memberName", "unionName", "merchantServing", "offers"])
}

struct RedeemDTO: Decodable, Sendable {
    var code: String
    var offerId: Int64
    /// Yuan as typed (`58.50`).
    var amountBefore: String

    static let schema = Schema.object(
        [("code", Schema.text(10, 12)), ("offerId", Schema.id), ("amountBefore", Schema.text(1, 12))],
        required: ["code", "offerId", "amountBefore"])
}

struct CodeDTO: Encodable, Sendable {
    var code: String
    var expiresAt: Date
    var cardNo: String
    var refreshSeconds: Int

    static let schema = Schema.object(
        [
            ("code", Schema.text(10, 10, pattern: "^[0-9]{10}$")), ("expiresAt", Schema.dateTime), ("cardNo", Schema.string),
            ("refreshSeconds", Schema.integer),
        ],
        required: ["code", "expiresAt", "cardNo", "refreshSeconds"])
}

struct TokenDTO: Encodable, Sendable {
    var token: String
    var expiresAt: Date
}

struct KeysDTO: Encodable, Sendable {
    var keyId: String
    var algorithm: String
    var publicKey: String
    var tokenLifetimeSeconds: Int

    static let schema = Schema.object(
        [("keyId", Schema.string), ("algorithm", Schema.string), ("publicKey", Schema.string), ("tokenLifetimeSeconds", Schema.integer)],
        required: ["keyId", "algorithm", "publicKey", "tokenLifetimeSeconds"])
}

struct RevocationsDTO: Encodable, Sendable {
    var since: Date
    var cardNos: [String]

    static let schema = Schema.object(
        [("since", Schema.dateTime), ("cardNos", Schema.array(Schema.string))], required: ["since", "cardNos"])
}
