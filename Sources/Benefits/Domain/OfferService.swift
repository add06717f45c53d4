import Foundation
import Platform
import SQLKit
import Synchronization

/// 优惠 and 限量抢购: offers a union opens at its merchants, what a member finds, and claims on a
/// daily quota that never oversell.
public struct OfferService: Sendable {
    let database: Database
    let merchants: MerchantService
    let holders: any CardHolders
    let unions: any BenefitsUnions
    let clock: AppClock
    let store = MerchantStore()
    let claims = RedemptionStore()
    /// Offer-days known to be sold out: later claims are answered without touching the database.
    let soldOut = SoldOutMemo()

    public init(database: Database, merchants: MerchantService, holders: any CardHolders, unions: any BenefitsUnions, clock: AppClock) {
        self.database = database
        self.merchants = merchants
        self.holders = holders
        self.unions = unions
        self.clock = clock
    }

    /// Opens an offer at a merchant the actor reviews, for the members of a union in the actor's scope,
    /// paid by a union in the actor's scope (nobody makes a higher level pay).
    public func create(merchantId: Int64, _ input: OfferInput, actor: Actor) async throws -> Offer {
        let merchant = try await merchants.managed(merchantId, actor: actor)
        guard merchant.status == .approved else { throw AppError.conflict(BenefitsText.notApproved) }
        let scope = try actor.requireScope(.merchantManage)
        var v = Validator()
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        v.check(!title.isEmpty && title.count <= 60, "title", BenefitsText.offerTitleRequired)
        let kind = Offer.Kind(rawValue: input.kind)
        v.check(kind != nil, "kind", BenefitsText.kindRequired)
        let percent = Int64(input.percentOff?.trimmingCharacters(in: .whitespaces) ?? "")
        let price = input.memberPrice.flatMap { Fen(yuan: $0) }?.value
        let list = input.listPrice.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let listPrice = list.flatMap { Fen(yuan: $0) }?.value
        if kind == .percent { v.check(percent.map { (1...99).contains($0) } ?? false, "percentOff", BenefitsText.percentInvalid) }
        if kind == .price { v.check(price.map { $0 > 0 } ?? false, "memberPrice", BenefitsText.priceInvalid) }
        v.check(list == nil || listPrice != nil, "listPrice", BenefitsText.priceInvalid)
        let union = try await input.unionId.asyncMap { try await unions.union($0) } ?? nil
        v.check(union.map { scope.covers($0.path) } ?? false, "unionId", BenefitsText.offerUnionInvalid)
        let payer = try await unions.union(input.payerId ?? merchant.orgId)
        v.check(payer.map { scope.covers($0.path) } ?? false, "payerId", BenefitsText.payerInvalid)
        let subsidy = Int64(input.subsidyPercent?.trimmingCharacters(in: .whitespaces) ?? "0")
        v.check(subsidy.map { (0...100).contains($0) } ?? false, "subsidyPercent", BenefitsText.subsidyInvalid)
        let from = CivilDate(text: input.validFrom), to = CivilDate(text: input.validTo)
        v.check(from != nil && to != nil && from! <= to!, "validTo", BenefitsText.validityInvalid)
        let weekdays = String(Set(input.weekdays.filter { "1234567".contains($0) }).sorted())
        v.check(!weekdays.isEmpty, "weekdays", BenefitsText.weekdaysRequired)
        func limit(_ raw: String?, _ field: String) -> Int64? {
            let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
            if text.isEmpty { return nil }
            guard let n = Int64(text), (1...100_000).contains(n) else {
                v.fail(field, BenefitsText.limitInvalid)
                return nil
            }
            return n
        }
        let perDay = limit(input.perDay, "perDay"), perMonth = limit(input.perMonth, "perMonth")
        let quota = limit(input.dailyQuota, "dailyQuota")
        let minutes = limit(input.voucherMinutes, "voucherMinutes") ?? 24 * 60
        try v.validate()
        guard let kind, let union, let payer, let from, let to else {
            throw AppError.validation(["title": BenefitsText.offerTitleRequired])
        }
        let now = clock.now()
        var offer = Offer(
            id: 0, merchantId: merchantId, title: title, kind: kind, percentOff: kind == .percent ? percent : nil,
            memberPrice: kind == .price ? price : nil, listPrice: listPrice, orgId: union.id, orgPath: union.path, payerOrgId: payer.id,
            payerPath: payer.path, subsidyPercent: subsidy ?? 0, validFrom: from.iso, validTo: to.iso, weekdays: weekdays, perDay: perDay,
            perMonth: perMonth, dailyQuota: quota, voucherMinutes: minutes, status: .active, createdBy: actor.displayName, createdAt: now)
        offer.id = try await database.transaction { [store, offer] sql in
            let id = try await store.insert(offer, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "offer.create", objectType: "offer", objectId: String(id), orgPath: merchant.orgPath,
                    detail: ["merchant": String(merchantId), "title": title, "quota": quota.map(String.init) ?? "-"], at: now), on: sql)
            return id
        }
        return offer
    }

    public func offers(merchantId: Int64) async throws -> [Offer] {
        try await database.withConnection { [store] in try await store.offers(of: merchantId, on: $0) }
    }

    /// What a member may use today, nearest first when a position is given.
    public func available(workerId: Int64, lat: Double? = nil, lng: Double? = nil, region: Int64? = nil) async throws -> [OfferView] {
        guard let holder = try await holders.holder(workerId: workerId), holder.counted else {
            throw AppError.conflict(BenefitsText.notAMember)
        }
        let now = clock.now()
        let today = CivilDate(date: now)
        let (offers, merchantsById, outlets, open, taken) = try await database.withConnection { [store, claims] sql in
            let offers = try await store.offers(forMemberAt: holder.orgPath, on: sql).filter { $0.isValid(on: today) }
            var merchantsById: [Int64: Merchant] = [:]
            for id in Set(offers.map(\.merchantId)) { merchantsById[id] = try await store.merchant(id, on: sql) }
            let outlets = try await store.outlets(of: Array(merchantsById.keys), on: sql)
            let open = try await claims.openVouchers(memberId: holder.memberId, offerIds: offers.map(\.id), now: now, on: sql)
            var taken: [Int64: Int64] = [:]
            for o in offers where o.dailyQuota != nil { taken[o.id] = try await claims.quotaTaken(offerId: o.id, day: today.iso, on: sql) }
            return (offers, merchantsById, outlets, open, taken)
        }
        let regionPath = try await region.asyncMap { try await unions.union($0) }??.path
        var views: [OfferView] = []
        for offer in offers {
            guard let merchant = merchantsById[offer.merchantId], merchant.isServing(on: today) else { continue }
            if let regionPath, !regionPath.contains(merchant.orgPath) && !merchant.orgPath.contains(regionPath) { continue }
            let shops = outlets.filter { $0.merchantId == merchant.id }
            let distance = lat.flatMap { la in lng.flatMap { lo in shops.compactMap { $0.metres(toLat: la, lng: lo) }.min() } }
            views.append(
                OfferView(
                    offer: offer, merchant: merchant, outlets: shops, distance: distance,
                    left: offer.dailyQuota.map { max(0, $0 - (taken[offer.id] ?? 0)) }, voucher: open.first { $0.offerId == offer.id }))
        }
        return views.sorted { ($0.distance ?? .infinity, $0.offer.id) < ($1.distance ?? .infinity, $1.offer.id) }
    }

    /// 抢券: one unit of today's quota for the member, within the per-member limits. Exactly `dailyQuota`
    /// claims succeed however many arrive at once; the rest hear 已抢完 (and, once known, without a query).
    public func claim(offerId: Int64, workerId: Int64, actor: Actor) async throws -> Voucher {
        guard let holder = try await holders.holder(workerId: workerId), holder.counted else {
            throw AppError.conflict(BenefitsText.notAMember)
        }
        let now = clock.now()
        let today = CivilDate(date: now)
        guard
            let offer = try await database.withConnection({ [store] in try await store.offer(offerId, on: $0) }),
            offer.orgPath.contains(holder.orgPath)
        else { throw AppError.notFound(BenefitsText.offerNotFound) }
        guard let quota = offer.dailyQuota else { throw AppError.conflict(BenefitsText.noClaimNeeded) }
        guard offer.isValid(on: today) else { throw AppError.conflict(BenefitsText.offerNotToday) }
        let key = "\(offer.id)/\(today.iso)"
        if soldOut.contains(key) { throw AppError.conflict(BenefitsText.soldOut) }
        do {
            return try await database.transaction { [claims] sql in
                if let perDay = offer.perDay,
                    !(try await claims.use(offerId: offer.id, memberId: holder.memberId, period: "D" + today.iso, limit: perDay, on: sql))
                {
                    throw AppError.conflict(BenefitsText.perDayReached(perDay))
                }
                if let perMonth = offer.perMonth,
                    !(try await claims.use(
                        offerId: offer.id, memberId: holder.memberId, period: "M" + CivilMonth(today).iso, limit: perMonth, on: sql))
                {
                    throw AppError.conflict(BenefitsText.perMonthReached(perMonth))
                }
                var voucher = Voucher(
                    id: 0, offerId: offer.id, memberId: holder.memberId, day: today.iso, status: .claimed, claimedAt: now,
                    expiresAt: now.addingTimeInterval(Double(offer.voucherMinutes) * 60))
                voucher.id = try await claims.insert(voucher, on: sql)
                // Last, so the hot quota row is locked for the shortest time.
                guard try await claims.takeQuota(offerId: offer.id, day: today.iso, total: quota, on: sql) else {
                    throw AppError.conflict(BenefitsText.soldOut)
                }
                return voucher
            }
        } catch let error as AppError where error.message == BenefitsText.soldOut {
            soldOut.insert(key)
            try? await database.transaction { [claims] in try await claims.countRefusal("sold_out", day: today.iso, on: $0) }
            throw error
        } catch let error as AppError where error.status == .conflict {
            try? await database.transaction { [claims] in try await claims.countRefusal("claim_limit", day: today.iso, on: $0) }
            throw error
        }
    }

    /// The worker's vouchers of the last 31 days.
    public func vouchers(workerId: Int64) async throws -> [Voucher] {
        guard let holder = try await holders.holder(workerId: workerId) else { return [] }
        let since = clock.now().addingTimeInterval(-31 * 86400)
        return try await database.withConnection { [claims] in try await claims.vouchers(memberId: holder.memberId, since: since, on: $0) }
    }
}

/// An offer as a member sees it: the merchant, its shops, how far, how many left today, their voucher.
public struct OfferView: Sendable {
    public var offer: Offer
    public var merchant: Merchant
    public var outlets: [Outlet]
    public var distance: Double?
    public var left: Int64?
    public var voucher: Voucher?
}

/// What a cadre types to open an offer (form and API body); numbers as text so a bad one is shown again.
public struct OfferInput: Sendable, Codable {
    public var title: String
    public var kind: String
    public var percentOff: String?
    public var memberPrice: String?
    public var listPrice: String?
    public var unionId: Int64?
    public var payerId: Int64?
    public var subsidyPercent: String?
    public var validFrom: String
    public var validTo: String
    public var weekdays: String
    public var perDay: String?
    public var perMonth: String?
    public var dailyQuota: String?
    public var voucherMinutes: String?

    public init(
        title: String, kind: String, percentOff: String? = nil, memberPrice: String? = nil, listPrice: String? = nil,
        unionId: Int64?, payerId: Int64? = nil, subsidyPercent: String? = nil, validFrom: String, validTo: String,
        weekdays: String = "1234567", perDay: String? = nil, perMonth: String? = nil, dailyQuota: String? = nil,
        voucherMinutes: String? = nil
    ) {
        self.title = title
        self.kind = kind
        self.percentOff = percentOff
        self.memberPrice = memberPrice
        self.listPrice = listPrice
        self.unionId = unionId
        self.payerId = payerId
        self.subsidyPercent = subsidyPercent
        self.validFrom = validFrom
        self.validTo = validTo
        self.weekdays = weekdays
        self.perDay = perDay
        self.perMonth = perMonth
        self.dailyQuota = dailyQuota
        self.voucherMinutes = voucherMinutes
    }
}

/// Offer-days that have sold out, kept in memory (a restart only costs one query per offer-day).
final class SoldOutMemo: Sendable {
    private let keys = Mutex<Set<String>>([])
    func contains(_ key: String) -> Bool { keys.withLock { $0.contains(key) } }
    func insert(_ key: String) { keys.withLock { _ = $0.insert(key) } }
}
