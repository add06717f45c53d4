import Foundation
import Hummingbird
import Platform
import WebUI

/// 商户收银台: a phone-sized page for a merchant's cashier. Type or scan the member's code → the
/// member and the offers that apply → record the redemption; the month's redemptions and statements.
public struct MerchantDesk: Sendable {
    let merchants: MerchantService
    let redemptions: RedemptionService
    let settlement: SettlementService
    let renderer: Renderer
    let chrome: Chrome
    let clock: AppClock

    public init(
        merchants: MerchantService, redemptions: RedemptionService, settlement: SettlementService, renderer: Renderer, chrome: Chrome,
        clock: AppClock
    ) {
        self.merchants = merchants
        self.redemptions = redemptions
        self.settlement = settlement
        self.renderer = renderer
        self.chrome = chrome
        self.clock = clock
    }

    public func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("", use: home)
        group.post("/verify", use: verify)
        group.post("/redeem", use: redeem)
        group.get("/redemptions", use: list)
        group.get("/statements/:id", use: statement)
    }

    @Sendable func home(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let merchant = try await merchants.employer(of: context.actor)
        return render(DeskPage(merchantName: merchant.name, form: FormState()), request, context)
    }

    func render(_ model: DeskPage, _ request: Request, _ context: StaffRequestContext) -> Response {
        renderer.page("merchant-desk", chrome.console(model, request: request, context: context), status: model.form.status)
    }

    /// 核验: shows the member and the offers; nothing is recorded.
    @Sendable func verify(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let merchant = try await merchants.employer(of: context.actor)
        let form = try await request.decode(as: [String: String].self, context: context)
        let code = form["code"] ?? ""
        do {
            let v = try await redemptions.verify(code: code, actor: context.actor)
            return render(
                DeskPage(merchantName: merchant.name, form: FormState(values: ["code": code]), verification: .init(v, code: code)), request,
                context)
        } catch let error as AppError where [.conflict, .tooManyRequests].contains(error.status) {
            return render(
                DeskPage(
                    merchantName: merchant.name,
                    form: FormState(values: ["code": code], error: AppError.validation(["code": error.message]))), request, context)
        }
    }

    /// 核销: records it and goes back to an empty desk with the result; a refusal keeps the code and amount.
    @Sendable func redeem(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let merchant = try await merchants.employer(of: context.actor)
        let form = try await request.decode(as: [String: String].self, context: context)
        let code = form["code"] ?? "", amount = form["amountBefore"] ?? ""
        let offerId = Int64(form["offerId"] ?? "") ?? 0
        do {
            let r = try await redemptions.redeem(code: code, offerId: offerId, amountBefore: amount, actor: context.actor)
            return Response.redirect(
                to: "/merchant",
                flash: .ok(BenefitsWebText.redeemed(r.memberName, Fen(r.amountBefore).yuanText, Fen(r.amountAfter).yuanText)))
        } catch let error as AppError where [.conflict, .unprocessableContent, .tooManyRequests].contains(error.status) {
            let v = error.status == .tooManyRequests ? nil : try? await redemptions.verify(code: code, actor: context.actor)
            let shown = error.status == .unprocessableContent ? error : AppError.validation(["code": error.message])
            return render(
                DeskPage(
                    merchantName: merchant.name,
                    form: FormState(values: ["code": code, "amountBefore": amount, "offerId": String(offerId)], error: shown),
                    verification: v.map { .init($0, code: code, sentOffer: String(offerId)) }), request, context)
        }
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let month = request.query("month").flatMap { CivilMonth(iso: $0) } ?? CivilMonth(CivilDate(date: clock.now()))
        let (merchant, rows) = try await redemptions.redemptions(month: month, actor: context.actor)
        let (_, statements) = try await settlement.statements(merchantId: nil, actor: context.actor)
        let model = DeskListPage(
            merchantName: merchant.name, month: month.iso,
            months: DisplayDate.monthOptions(through: CivilDate(date: clock.now()), count: 12, selected: month.iso),
            rows: rows.map(RedemptionLine.init), empty: rows.isEmpty, totalAfter: Fen(rows.reduce(0) { $0 + $1.amountAfter }).yuanText,
            totalDiscount: Fen(rows.reduce(0) { $0 + $1.discount }).yuanText,
            statements: statements.map { StatementLine($0, href: "/merchant/statements/\($0.id)") })
        return renderer.page("merchant-redemptions", chrome.console(model, request: request, context: context))
    }

    @Sendable func statement(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (merchant, s, rows) = try await settlement.statement(try context.id(), actor: context.actor)
        let model = StatementPage(
            merchantName: merchant.name, statement: StatementLine(s, href: ""), rows: rows.map(RedemptionLine.init),
            back: "/merchant/redemptions", xlsx: nil)
        return renderer.page("benefits-statement", chrome.console(model, request: request, context: context))
    }
}

struct DeskPage {
    struct Found {
        struct Line {
            var offerId: Int64
            var title: String
            var terms: String
            var needsVoucher: Bool
            var hasVoucher: Bool
            var usable: Bool
            /// The form that was sent: its amount and error show again here only.
            var sent: Bool
        }
        var code: String
        var cardNo: String
        var memberName: String
        var unionName: String
        var serving: Bool
        var offers: [Line]
        var none: Bool

        init(_ v: Verification, code: String, sentOffer: String? = nil) {
            self.code = code
            cardNo = v.cardNo
            memberName = v.memberName
            unionName = v.unionName
            serving = v.merchantServing
            offers = v.offers.map {
                Line(
                    offerId: $0.offer.id, title: $0.offer.title, terms: $0.offer.terms, needsVoucher: $0.offer.dailyQuota != nil,
                    hasVoucher: $0.voucher != nil, usable: $0.offer.dailyQuota == nil || $0.voucher != nil,
                    sent: sentOffer == String($0.offer.id))
            }
            none = v.offers.isEmpty
        }
    }
    var merchantName: String
    var form: FormState
    var verification: Found?
}

struct RedemptionLine {
    var id: Int64
    var time: String
    var memberName: String
    var before: String
    var after: String
    var discount: String
    var subsidy: String
    var cashier: String
    var settled: Bool

    init(_ r: Redemption) {
        id = r.id
        time = DisplayDate.minutes(r.redeemedAt)
        memberName = r.memberName
        before = Fen(r.amountBefore).yuanText
        after = Fen(r.amountAfter).yuanText
        discount = Fen(r.discount).yuanText
        subsidy = Fen(r.subsidy).yuanText
        cashier = r.cashier
        settled = r.statementId != nil
    }
}

struct StatementLine {
    var id: Int64
    var href: String
    var title: String
    var redemptions: Int64
    var discount: String
    var subsidy: String
    var confirmed: String

    init(_ s: Statement, href: String) {
        id = s.id
        self.href = href
        title = BenefitsWebText.statementTitle(s.month, s.seq)
        redemptions = s.redemptions
        discount = Fen(s.discount).yuanText
        subsidy = Fen(s.subsidy).yuanText
        confirmed = "\(DisplayDate.minutes(s.confirmedAt)) · \(s.confirmedBy)"
    }
}

struct DeskListPage {
    var merchantName: String
    var month: String
    var months: [Option]
    var rows: [RedemptionLine]
    var empty: Bool
    var totalAfter: String
    var totalDiscount: String
    var statements: [StatementLine]
}

struct StatementPage {
    var merchantName: String
    var statement: StatementLine
    var rows: [RedemptionLine]
    var back: String
    var xlsx: String?
}
