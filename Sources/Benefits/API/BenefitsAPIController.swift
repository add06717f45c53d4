import Foundation
import Hummingbird
import Platform

/// 普惠服务 as JSON: the union's merchants, offers and settlement; the cashier's 核验 and 核销 (a
/// cashier signs in like staff); the worker's codes, offers and claims; and, open to anyone, the
/// offline-token key and revocation list a merchant app needs.
public struct BenefitsAPIController: Sendable {
    let merchants: MerchantService
    let offers: OfferService
    let redemptions: RedemptionService
    let settlement: SettlementService
    let clock: AppClock

    public init(
        merchants: MerchantService, offers: OfferService, redemptions: RedemptionService, settlement: SettlementService, clock: AppClock
    ) {
        self.merchants = merchants
        self.offers = offers
        self.redemptions = redemptions
        self.settlement = settlement
        self.clock = clock
    }

    public func register(open api: APIRoutes<AppRequestContext>, document: OpenAPIDocument) {
        let (redemptions, clock) = (self.redemptions, self.clock)
        let tag = "普惠服务"
        api.add(.get, "/benefits/keys", summary: "离线核验公钥（Ed25519，商户应用据此验证电子会员卡离线码）", tag: tag, response: KeysDTO.schema) { _, _ in
            JSONBody(
                KeysDTO(
                    keyId: redemptions.codes.keyId, algorithm: "Ed25519", publicKey: redemptions.codes.publicKey.base64EncodedString(),
                    tokenLifetimeSeconds: Int(CardCodes.tokenLifetime)))
        }
        api.add(
            .get, "/benefits/revocations", summary: "吊销名单：since 之后挂失或注销的卡号（默认最近一天）", tag: tag,
            query: [.query("since", "起始时间（ISO 8601）", Schema.dateTime)], response: RevocationsDTO.schema
        ) { request, _ in
            let since =
                try request.query("since").map { raw in
                    guard let d = ISO8601DateFormatter().date(from: raw) else { throw AppError.badRequest(BenefitsText.sinceInvalid) }
                    return d
                } ?? clock.now().addingTimeInterval(-86400)
            return JSONBody(RevocationsDTO(since: since, cardNos: try await redemptions.revocations(since: since)))
        }
    }

    public func register(staff api: APIRoutes<StaffRequestContext>, document: OpenAPIDocument) {
        document.schema("Merchant", MerchantDTO.schema)
        document.schema("Offer", OfferDTO.schema)
        document.schema("Redemption", RedemptionDTO.schema)
        document.schema("Statement", StatementDTO.schema)
        let (merchants, offers, redemptions, settlement, clock) = (
            self.merchants, self.offers, self.redemptions, self.settlement, self.clock
        )
        let tag = "普惠服务"
        @Sendable func month(_ request: Request) throws -> CivilMonth {
            guard let raw = request.query("month") else { return CivilMonth(CivilDate(date: clock.now())) }
            guard let m = CivilMonth(iso: raw) else { throw AppError.badRequest(BenefitsText.monthInvalid) }
            return m
        }
        api.add(
            .get, "/merchants", summary: "本级及下级受理的合作商户", tag: tag,
            query: [.query("status", "pending/approved/rejected/suspended", Schema.enumeration(Merchant.Status.allCases.map(\.rawValue)))],
            response: Schema.array(Schema.ref("Merchant"))
        ) { request, context in
            let status = try request.query("status").map { raw in
                guard let s = Merchant.Status(rawValue: raw) else { throw AppError.badRequest(BenefitsText.statusInvalid) }
                return s
            }
            let list = try await merchants.merchants(status: status, actor: context.actor)
            let outlets = try await merchants.outlets(of: list.map(\.id))
            return JSONBody(list.map { m in MerchantDTO(m, outlets: outlets.filter { $0.merchantId == m.id }) })
        }
        api.add(.get, "/merchants/{id}", summary: "合作商户", tag: tag, response: Schema.ref("Merchant")) { _, context in
            let m = try await merchants.managed(try context.id(), actor: context.actor)
            return JSONBody(MerchantDTO(m, outlets: try await merchants.outlets(of: [m.id])))
        }
        api.add(
            .post, "/merchants/{id}/review", summary: "审核商户：通过（签协议期）或不通过（写原因）", tag: tag, body: ReviewDTO.schema,
            response: Schema.ref("Merchant")
        ) { request, context in
            let body = try await request.decode(as: ReviewDTO.self, context: context)
            let m = try await merchants.review(
                try context.id(), approve: body.approve, from: body.agreementFrom, to: body.agreementTo, note: body.note,
                actor: context.actor)
            return JSONBody(MerchantDTO(m, outlets: try await merchants.outlets(of: [m.id])))
        }
        api.add(.get, "/merchants/{id}/offers", summary: "商户的优惠", tag: tag, response: Schema.array(Schema.ref("Offer"))) { _, context in
            let m = try await merchants.managed(try context.id(), actor: context.actor)
            return JSONBody(try await offers.offers(merchantId: m.id).map { OfferDTO($0, merchantName: m.name) })
        }
        api.add(
            .post, "/merchants/{id}/offers", summary: "开设优惠（折扣或会员价，可限量）", tag: tag, body: OfferInputDTO.schema,
            response: Schema.ref("Offer"), status: 201
        ) { request, context in
            let input = try await request.decode(as: OfferInput.self, context: context)
            let id = try context.id()
            let offer = try await offers.create(merchantId: id, input, actor: context.actor)
            return JSONBody(OfferDTO(offer, merchantName: try await merchants.managed(id, actor: context.actor).name), status: .created)
        }
        api.add(
            .get, "/benefits/settlement", summary: "某月各商户核销与补贴汇总（本级及下级受理的商户）", tag: tag,
            query: [.query("month", "月份 YYYY-MM（默认本月）")], response: Schema.array(MerchantMonthDTO.schema)
        ) { request, context in
            JSONBody(try await settlement.month(try month(request), actor: context.actor).map(MerchantMonthDTO.init))
        }
        api.add(
            .post, "/merchants/{id}/statements", summary: "确认某月结算单（确认后不可更改，迟到的核销进入下一张）", tag: tag,
            body: Schema.object([("month", Schema.text(7, 7, pattern: "^[0-9]{4}-[0-9]{2}$"))], required: ["month"]),
            response: Schema.ref("Statement"), status: 201
        ) { request, context in
            let body = try await request.decode(as: [String: String].self, context: context)
            guard let m = body["month"].flatMap({ CivilMonth(iso: $0) }) else {
                throw AppError.validation(["month": BenefitsText.monthInvalid])
            }
            return JSONBody(
                StatementDTO(try await settlement.settle(merchantId: try context.id(), month: m, actor: context.actor)), status: .created)
        }
        api.add(.get, "/statements/{id}", summary: "结算单及其核销明细", tag: tag, response: Schema.ref("Statement")) { _, context in
            let (_, s, rows) = try await settlement.statement(try context.id(), actor: context.actor)
            return JSONBody(StatementDTO(s, rows: rows))
        }

        // The cashier's merchant console, as an app would call it.
        let desk = "商户收银"
        api.add(
            .post, "/merchant/verifications", summary: "核验电子会员卡核验码：会员是否有效、可用哪些优惠（不核销）", tag: desk,
            body: Schema.object([("code", Schema.text(10, 12))], required: ["code"]), response: VerificationDTO.schema
        ) {
            request, context in
            let body = try await request.decode(as: [String: String].self, context: context)
            return JSONBody(VerificationDTO(try await redemptions.verify(code: body["code"] ?? "", actor: context.actor)))
        }
        api.add(
            .post, "/merchant/redemptions", summary: "核销：记录优惠使用（核验码一次有效）", tag: desk, body: RedeemDTO.schema,
            response: Schema.ref("Redemption"), status: 201
        ) { request, context in
            let body = try await request.decode(as: RedeemDTO.self, context: context)
            let r = try await redemptions.redeem(
                code: body.code, offerId: body.offerId, amountBefore: body.amountBefore, actor: context.actor)
            return JSONBody(RedemptionDTO(r), status: .created)
        }
        api.add(
            .get, "/merchant/redemptions", summary: "本商户某月的核销记录", tag: desk, query: [.query("month", "月份 YYYY-MM（默认本月）")],
            response: Schema.array(Schema.ref("Redemption"))
        ) { request, context in
            JSONBody(try await redemptions.redemptions(month: try month(request), actor: context.actor).1.map(RedemptionDTO.init))
        }
        api.add(.get, "/merchant/statements", summary: "本商户的结算单", tag: desk, response: Schema.array(Schema.ref("Statement"))) {
            _, context in
            JSONBody(try await settlement.statements(merchantId: nil, actor: context.actor).1.map { StatementDTO($0) })
        }
    }

    public func register(worker api: APIRoutes<WorkerRequestContext>, document: OpenAPIDocument) {
        document.schema("Voucher", VoucherDTO.schema)
        let (offers, redemptions) = (self.offers, self.redemptions)
        let tag = "职工"
        api.add(.get, "/me/member-card/code", summary: "电子会员卡当前核验码（10位数字，30秒一换，一次有效）", tag: tag, response: CodeDTO.schema) {
            _, context in
            let (code, expiresAt, card) = try await redemptions.currentCode(workerId: context.worker.workerId)
            return JSONBody(CodeDTO(code: code, expiresAt: expiresAt, cardNo: card.cardNo, refreshSeconds: Int(CardCodes.step)))
        }
        api.add(
            .get, "/me/member-card/token", summary: "电子会员卡离线核验码（Ed25519 签名，5分钟有效）", tag: tag,
            response: Schema.object([("token", Schema.string), ("expiresAt", Schema.dateTime)], required: ["token", "expiresAt"])
        ) {
            _, context in
            let (token, expiresAt) = try await redemptions.offlineToken(workerId: context.worker.workerId)
            return JSONBody(TokenDTO(token: token, expiresAt: expiresAt))
        }
        api.add(
            .get, "/me/offers", summary: "我可享受的优惠（给出位置时按距离排序）", tag: tag,
            query: [
                .query("lat", "纬度", ["type": "number"]), .query("lng", "经度", ["type": "number"]),
                .query("unionId", "只看该地区（市、县工会编号）", Schema.id),
            ],
            response: Schema.array(Schema.ref("Offer"))
        ) { request, context in
            let lat = request.query("lat").flatMap(Double.init), lng = request.query("lng").flatMap(Double.init)
            let list = try await offers.available(
                workerId: context.worker.workerId, lat: lat, lng: lng, region: try request.idQuery("unionId"))
            return JSONBody(list.map(OfferDTO.init))
        }
        api.add(.post, "/me/offers/{id}/claims", summary: "抢券：领取限量优惠今天的一份（抢完即止）", tag: tag, response: Schema.ref("Voucher"), status: 201) {
            _, context in
            JSONBody(
                VoucherDTO(try await offers.claim(offerId: try context.id(), workerId: context.worker.workerId, actor: context.actor)),
                status: .created)
        }
        api.add(.get, "/me/vouchers", summary: "我最近31天的抢购券", tag: tag, response: Schema.array(Schema.ref("Voucher"))) { _, context in
            JSONBody(try await offers.vouchers(workerId: context.worker.workerId).map(VoucherDTO.init))
        }
    }
}
