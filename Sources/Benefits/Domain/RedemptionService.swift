import Foundation
import Platform
import SQLKit
import Synchronization

/// The cashier's side: the e-card's codes, 核验 (is this member valid, which offers apply) and 核销
/// (record the redemption, using the code in the same transaction), and the merchant's redemptions.
public struct RedemptionService: Sendable {
    let database: Database
    let merchants: MerchantService
    let holders: any CardHolders
    let unions: any BenefitsUnions
    public let codes: CardCodes
    let clock: AppClock
    let cards = CardStore()
    let store = MerchantStore()
    let redemptions = RedemptionStore()
    let limiter: RateLimiter
    /// Merchants whose wrong codes went over a limit, until when: checked in memory, so a right code
    /// costs no extra query (each node learns it at the next wrong code it sees).
    let throttled = ThrottleMemo()

    /// Wrong codes a merchant may type before its desk stops answering for the window: a 10-digit code
    /// cannot be guessed at the rate a desk may try.
    static func missRules(merchantId: Int64) -> [RateLimiter.Rule] {
        [
            // The 20th wrong code in ten minutes (or the 100th in a day) is over the limit: the desk pauses.
            RateLimiter.Rule("benefits.miss/\(merchantId)", limit: 19, per: 600),
            RateLimiter.Rule("benefits.miss/\(merchantId)", limit: 99, per: 86400),
        ]
    }

    public init(
        database: Database, merchants: MerchantService, holders: any CardHolders, unions: any BenefitsUnions, codes: CardCodes,
        clock: AppClock
    ) {
        self.database = database
        self.merchants = merchants
        self.holders = holders
        self.unions = unions
        self.codes = codes
        self.clock = clock
        self.limiter = RateLimiter(database: database)
    }

    // MARK: The member's codes

    /// The code the e-card shows now. The same card in the same step always gets the same code, so
    /// showing the page again writes nothing new.
    public func currentCode(workerId: Int64) async throws -> (code: String, expiresAt: Date, card: MemberCard) {
        let card = try await activeCard(workerId: workerId)
        let now = clock.now()
        let step = CardCodes.step(at: now)
        let expiry = CardCodes.expiry(of: step)
        // A write (SQLite answers plain reads on query-only connections), but an idempotent one.
        let code = try await database.transaction { [codes, redemptions] sql -> String? in
            for attempt in 0..<8 {
                let code = codes.code(cardId: card.id, step: step, attempt: attempt)
                if try await redemptions.remember(code: code, cardId: card.id, expiresAt: expiry, on: sql) { return code }
            }
            return nil
        }
        guard let code else { throw AppError.conflict(BenefitsText.codeBusy) }
        return (code, expiry, card)
    }

    /// A signed token for merchants that check cards offline.
    public func offlineToken(workerId: Int64) async throws -> (token: String, expiresAt: Date) {
        let card = try await activeCard(workerId: workerId)
        let now = clock.now()
        return (codes.token(cardNo: card.cardNo, now: now), now.addingTimeInterval(CardCodes.tokenLifetime))
    }

    func activeCard(workerId: Int64) async throws -> MemberCard {
        guard let holder = try await holders.holder(workerId: workerId), holder.counted,
            let card = try await database.withConnection({ [cards] in try await cards.current(memberId: holder.memberId, on: $0) })
        else { throw AppError.notFound(BenefitsText.cardNotFound) }
        guard card.status == .active else { throw AppError.conflict(BenefitsText.cardLost) }
        return card
    }

    /// Card numbers no longer accepted (lost or cancelled) since `since`: what an offline merchant app refuses.
    public func revocations(since: Date) async throws -> [String] {
        try await database.withConnection { [cards] in try await cards.revoked(since: since, on: $0) }
    }

    // MARK: The cashier

    /// 核验: the member behind a code and the merchant's offers that apply to them now. Nothing is written
    /// but the count of a refused code.
    public func verify(code: String, actor: Actor) async throws -> Verification {
        let merchant = try await merchants.employer(of: actor)
        let (card, holder) = try await cardBehind(code: code, merchantId: merchant.id)
        let now = clock.now()
        let today = CivilDate(date: now)
        let (offers, vouchers) = try await database.withConnection { [store, redemptions] sql in
            let offers = try await store.offers(of: merchant.id, on: sql).filter {
                $0.isValid(on: today) && $0.orgPath.contains(holder.orgPath)
            }
            let vouchers = try await redemptions.openVouchers(
                memberId: holder.memberId, offerIds: offers.filter { $0.dailyQuota != nil }.map(\.id), now: now, on: sql)
            return (offers, vouchers)
        }
        let union = try await unions.names([holder.orgId])[holder.orgId] ?? ""
        let usable = merchant.isServing(on: today)
        return Verification(
            cardNo: card.cardNo, memberName: Self.mask(holder.name), unionName: union, merchantServing: usable,
            offers: usable
                ? offers.map { o in
                    (o, o.dailyQuota == nil ? nil : vouchers.first { $0.offerId == o.id })
                } : [])
    }

    /// 核销: records the redemption and uses the code in one transaction; a code works once.
    public func redeem(code typed: String, offerId: Int64, amountBefore raw: String, actor: Actor) async throws -> Redemption {
        // As the card prints it (`12345 67890`) or as typed: the digits are the code.
        let code = typed.filter(\.isNumber)
        let merchant = try await merchants.employer(of: actor)
        let now = clock.now()
        let today = CivilDate(date: now)
        guard let before = Fen(yuan: raw)?.value, before > 0, before <= 10_000_000 else {
            throw AppError.validation(["amountBefore": BenefitsText.amountInvalid])
        }
        let (card, holder) = try await cardBehind(code: code, merchantId: merchant.id)
        guard merchant.isServing(on: today) else { throw await refuse("merchant_not_serving", BenefitsText.merchantNotServing) }
        guard let offer = try await database.withConnection({ [store] in try await store.offer(offerId, on: $0) }),
            offer.merchantId == merchant.id
        else { throw await refuse("offer_not_own", BenefitsText.offerNotOwn) }
        guard offer.orgPath.contains(holder.orgPath) else { throw await refuse("member_outside_offer", BenefitsText.memberOutsideOffer) }
        guard offer.isValid(on: today) else { throw await refuse("offer_not_today", BenefitsText.offerNotToday) }
        let after = offer.price(before: before)
        var redemption = Redemption(
            id: 0, merchantId: merchant.id, offerId: offer.id, cardId: card.id, memberId: holder.memberId,
            memberName: Self.mask(holder.name),
            voucherId: nil, amountBefore: before, amountAfter: after, discount: before - after,
            subsidy: offer.subsidy(discount: before - after),
            payerPath: offer.payerPath, month: CivilMonth(today).iso, cashier: actor.displayName, redeemedAt: now)
        do {
            redemption = try await database.transaction { [redemptions, redemption] sql in
                var r = redemption
                guard try await redemptions.consume(code: code, now: now, on: sql) else { throw AppError.conflict(BenefitsText.codeUsed) }
                if offer.dailyQuota != nil {
                    // A limited offer needs a claimed voucher; the oldest open one is used.
                    guard
                        let voucher = try await redemptions.openVouchers(memberId: holder.memberId, offerIds: [offer.id], now: now, on: sql)
                            .first
                    else { throw AppError.conflict(BenefitsText.noVoucher) }
                    r.voucherId = voucher.id
                    r.id = try await redemptions.insert(r, on: sql)
                    guard try await redemptions.redeem(voucherId: voucher.id, redemptionId: r.id, now: now, on: sql) else {
                        throw AppError.conflict(BenefitsText.noVoucher)
                    }
                } else {
                    if let perDay = offer.perDay,
                        !(try await redemptions.use(
                            offerId: offer.id, memberId: holder.memberId, period: "D" + today.iso, limit: perDay, on: sql))
                    {
                        throw AppError.conflict(BenefitsText.perDayReached(perDay))
                    }
                    if let perMonth = offer.perMonth,
                        !(try await redemptions.use(
                            offerId: offer.id, memberId: holder.memberId, period: "M" + CivilMonth(today).iso, limit: perMonth, on: sql))
                    {
                        throw AppError.conflict(BenefitsText.perMonthReached(perMonth))
                    }
                    r.id = try await redemptions.insert(r, on: sql)
                }
                try await AuditLog.record(
                    AuditEntry(
                        actor: actor, action: "benefit.redeem", objectType: "redemption", objectId: String(r.id), orgPath: merchant.orgPath,
                        detail: [
                            "merchant": String(merchant.id), "offer": String(offer.id), "card": card.cardNo,
                            "before": String(before), "after": String(after),
                        ], at: now), on: sql)
                return r
            }
        } catch let error as AppError where error.status == .conflict {
            throw await refuse(error.message == BenefitsText.codeUsed ? "code_replayed" : "redeem_limit", error.message)
        }
        return redemption
    }

    /// The card and member behind a live code, refusing (and counting) an unknown, expired or used code
    /// and a card that is not active or a member no longer on the rolls.
    func cardBehind(code raw: String, merchantId: Int64) async throws -> (MemberCard, CardHolder) {
        let code = raw.filter(\.isNumber)
        let now = clock.now()
        if throttled.isThrottled(merchantId, now: now) {
            throw await refuse("merchant_throttled", BenefitsText.tooManyMisses, throttled: true)
        }
        guard code.count == CardCodes.digits,
            let found = try await database.withConnection({ [redemptions] in try await redemptions.card(ofCode: code, now: now, on: $0) })
        else {
            do {
                try await limiter.hit(Self.missRules(merchantId: merchantId), now: now)
            } catch let error as AppError where error.status == .tooManyRequests {
                throttled.throttle(merchantId, until: now.addingTimeInterval(600))
            }
            throw await refuse("code_unknown", BenefitsText.codeInvalid)
        }
        guard !found.used else { throw await refuse("code_replayed", BenefitsText.codeUsed) }
        guard let card = try await database.withConnection({ [cards] in try await cards.card(found.cardId, on: $0) }),
            card.status == .active
        else { throw await refuse("card_inactive", BenefitsText.cardNotActive) }
        guard let holder = try await holders.holder(memberId: card.memberId), holder.counted else {
            throw await refuse("member_not_counted", BenefitsText.cardNotActive)
        }
        return (card, holder)
    }

    /// Counts a refusal by reason and returns the error to throw.
    func refuse(_ reason: String, _ message: String, throttled: Bool = false) async -> AppError {
        let day = CivilDate(date: clock.now()).iso
        try? await database.transaction { [redemptions] in try await redemptions.countRefusal(reason, day: day, on: $0) }
        return throttled ? AppError.rateLimited(message) : AppError.conflict(message)
    }

    /// Refusals by reason over the last `days` days.
    public func refusals(days: Int = 30) async throws -> [String: Int64] {
        let since = CivilDate(date: clock.now().addingTimeInterval(Double(-days) * 86400)).iso
        return try await database.withConnection { [redemptions] in try await redemptions.refusals(since: since, on: $0) }
    }

    /// The cashier's merchant's redemptions of a month.
    public func redemptions(month: CivilMonth, actor: Actor) async throws -> (Merchant, [Redemption]) {
        let merchant = try await merchants.employer(of: actor)
        return (
            merchant,
            try await database.withConnection { [redemptions] in
                try await redemptions.redemptions(merchantId: merchant.id, month: month.iso, on: $0)
            }
        )
    }

    /// `王*梅`: the first and last character, the rest starred.
    static func mask(_ name: String) -> String {
        let chars = Array(name)
        switch chars.count {
        case 0, 1: return name
        case 2: return String(chars[0]) + "*"
        default: return String(chars[0]) + String(repeating: "*", count: chars.count - 2) + String(chars[chars.count - 1])
        }
    }
}

/// What the cashier sees after 核验.
public struct Verification: Sendable {
    public var cardNo: String
    public var memberName: String
    public var unionName: String
    public var merchantServing: Bool
    /// Each applicable offer with the member's open voucher (limited offers need one).
    public var offers: [(offer: Offer, voucher: Voucher?)]
}

/// Merchants refused for a while, in memory.
final class ThrottleMemo: Sendable {
    private let until = Mutex<[Int64: Date]>([:])
    func isThrottled(_ id: Int64, now: Date) -> Bool { until.withLock { ($0[id] ?? .distantPast) > now } }
    func throttle(_ id: Int64, until date: Date) { until.withLock { $0[id] = date } }
}
