import Foundation
import Hummingbird
import Platform
import WebUI

/// 普惠服务 in the staff console: merchants (review, cashiers, offers) and the monthly settlement.
public struct BenefitsConsole: Sendable {
    let merchants: MerchantService
    let offers: OfferService
    let settlement: SettlementService
    let renderer: Renderer
    let chrome: Chrome
    let uploads: URL
    let clock: AppClock

    public init(
        merchants: MerchantService, offers: OfferService, settlement: SettlementService, renderer: Renderer, chrome: Chrome, uploads: URL,
        clock: AppClock
    ) {
        self.merchants = merchants
        self.offers = offers
        self.settlement = settlement
        self.renderer = renderer
        self.chrome = chrome
        self.uploads = uploads
        self.clock = clock
    }

    public static let navigation = [
        NavEntry(href: "/admin/merchants", label: BenefitsWebText.navMerchants, icon: "惠", permission: .merchantManage, order: 40),
        NavEntry(
            href: "/admin/benefits/settlement", label: BenefitsWebText.navSettlement, icon: "结", permission: .benefitsSettle, order: 41),
    ]

    public func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("/merchants", use: list)
        group.get("/merchants/:id", use: detail)
        group.get("/merchants/:id/licence", use: licence)
        group.post("/merchants/:id/review", use: review)
        group.post("/merchants/:id/staff", use: addStaff)
        group.post("/merchants/:id/offers", use: createOffer)
        group.get("/benefits/settlement", use: month)
        group.post("/merchants/:id/statements", use: settle)
        group.get("/benefits/settlement/statements/:id", use: statement)
        group.get("/benefits/settlement/statements/:id/xlsx", use: statementXLSX)
    }

    func page(_ name: String, _ model: Any, _ request: Request, _ context: StaffRequestContext, status: HTTPResponse.Status = .ok)
        -> Response
    {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let status = request.query("status").flatMap(Merchant.Status.init(rawValue:))
        let list = try await merchants.merchants(status: status, actor: context.actor)
        let model = MerchantListPage(
            rows: list.map {
                MerchantListPage.Row(
                    id: $0.id, name: $0.name, category: $0.category, status: $0.status.label,
                    pending: $0.status == .pending, agreement: $0.agreementTo.map { "至 \($0)" } ?? "")
            },
            empty: list.isEmpty, pendingOnly: status == .pending)
        return page("benefits-merchants", model, request, context)
    }

    @Sendable func detail(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await detailPage(try context.id(), form: FormState(), request, context)
    }

    func detailPage(_ id: Int64, form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let m = try await merchants.managed(id, actor: context.actor)
        let outlets = try await merchants.outlets(of: [id])
        let staff = try await merchants.staff(of: id, actor: context.actor)
        let list = try await offers.offers(merchantId: id)
        let statements = try await settlement.statements(merchantId: id, actor: context.actor).1
        let today = CivilDate(date: clock.now())
        let model = MerchantPage(
            id: m.id, name: m.name, creditCode: m.creditCode, category: m.category,
            contact: "\(m.contactName) \(Phone.mask(m.contactPhone))",
            status: m.status.label, pending: m.status == .pending, approved: m.status == .approved,
            agreement: m.agreementFrom.map { "\($0) 至 \(m.agreementTo ?? "")" }, reviewNote: m.reviewNote,
            outlets: outlets.map { "\($0.name) · \($0.address)" },
            staff: staff.map { "\($0.name)（\(DisplayDate.minutes($0.addedAt)) 由 \($0.addedBy) 开通）" },
            offers: list.map { o in
                MerchantPage.OfferLine(
                    title: o.title, terms: o.terms, validity: "\(o.validFrom) 至 \(o.validTo)",
                    limits: BenefitsWebText.limits(perDay: o.perDay, perMonth: o.perMonth, quota: o.dailyQuota),
                    subsidy: "\(o.subsidyPercent)%")
            },
            statements: statements.map { StatementLine($0, href: "/admin/benefits/settlement/statements/\($0.id)") },
            form: form, defaultFrom: today.iso, defaultTo: CivilDate(unchecked: today.year + 1, today.month, min(today.day, 28)).iso,
            kinds: Option.list(
                Offer.Kind.allCases.map { ($0.rawValue, $0.label) }, selected: form.values["kind"] ?? Offer.Kind.price.rawValue))
        return page("benefits-merchant", model, request, context, status: form.status)
    }

    @Sendable func licence(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (url, kind) = try await merchants.licence(try context.id(), directory: uploads, actor: context.actor)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw AppError.notFound(BenefitsText.merchantNotFound) }
        return Response(
            status: .ok, headers: [.contentType: kind.contentType, .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    @Sendable func review(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: [String: String].self, context: context)
        do {
            _ = try await merchants.review(
                id, approve: form["decision"] == "approve", from: form["agreementFrom"], to: form["agreementTo"], note: form["note"],
                actor: context.actor)
        } catch let error as AppError where [.conflict, .unprocessableContent].contains(error.status) {
            return try await detailPage(id, form: FormState(values: form, error: error), request, context)
        }
        return Response.redirect(to: "/admin/merchants/\(id)", flash: .ok(BenefitsWebText.reviewed))
    }

    @Sendable func addStaff(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: [String: String].self, context: context)
        do {
            _ = try await merchants.addStaff(
                id, username: form["username"] ?? "", displayName: form["displayName"] ?? "", password: form["password"] ?? "",
                actor: context.actor)
        } catch let error as AppError where [.conflict, .unprocessableContent].contains(error.status) {
            var values = form
            values["password"] = nil
            return try await detailPage(id, form: FormState(values: values, error: error), request, context)
        }
        return Response.redirect(to: "/admin/merchants/\(id)", flash: .ok(BenefitsWebText.staffAdded))
    }

    @Sendable func createOffer(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: [String: String].self, context: context)
        let input = OfferInput(
            title: form["title"] ?? "", kind: form["kind"] ?? "", percentOff: form["percentOff"], memberPrice: form["memberPrice"],
            listPrice: form["listPrice"], unionId: (form["unionId"]).flatMap { Int64($0) }, payerId: form["payerId"].flatMap { Int64($0) },
            subsidyPercent: form["subsidyPercent"], validFrom: form["validFrom"] ?? "", validTo: form["validTo"] ?? "",
            weekdays: form["weekdays"] ?? "1234567", perDay: form["perDay"], perMonth: form["perMonth"], dailyQuota: form["dailyQuota"],
            voucherMinutes: form["voucherMinutes"])
        do {
            _ = try await offers.create(merchantId: id, input, actor: context.actor)
        } catch let error as AppError where [.conflict, .unprocessableContent].contains(error.status) {
            return try await detailPage(id, form: FormState(values: form, error: error), request, context)
        }
        return Response.redirect(to: "/admin/merchants/\(id)", flash: .ok(BenefitsWebText.offerCreated))
    }

    @Sendable func month(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let month = request.query("month").flatMap { CivilMonth(iso: $0) } ?? CivilMonth(CivilDate(date: clock.now()))
        let rows = try await settlement.month(month, actor: context.actor)
        let report = try await settlement.report(months: month.trailing(12), actor: context.actor)
        let model = SettlementPage(
            month: month.iso, months: DisplayDate.monthOptions(through: CivilDate(date: clock.now()), count: 24, selected: month.iso),
            rows: rows.map {
                SettlementPage.Row(
                    merchantId: $0.merchantId, name: $0.name, redemptions: $0.redemptions, discount: Fen($0.discount).yuanText,
                    subsidy: Fen($0.subsidy).yuanText, unsettled: $0.unsettled, canSettle: $0.unsettled > 0)
            },
            empty: rows.isEmpty, totalSubsidy: Fen(rows.reduce(0) { $0 + $1.subsidy }).yuanText,
            totalRedemptions: rows.reduce(0) { $0 + $1.redemptions },
            subsidyChart: Chart.bars(rows.filter { $0.subsidy > 0 }.map { ($0.name, Double($0.subsidy) / 100) }, format: { String(format: "%.2f 元", $0) }),
            trendChart: Chart.lines(
                months: report.months,
                series: [Chart.Series(name: BenefitsWebText.redemptionsSeries, color: Chart.red, values: report.redemptions.map { Double($0) })],
                maxValue: Double(max(report.redemptions.max() ?? 0, 4)), percent: false),
            offers: report.offers.map {
                SettlementPage.OfferRow(title: $0.title, merchant: $0.merchant, redemptions: $0.redemptions, subsidy: Fen($0.subsidy).yuanText)
            })
        return page("benefits-settlement", model, request, context)
    }

    @Sendable func settle(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: [String: String].self, context: context)
        let back = "/admin/benefits/settlement?month=\(form["month"] ?? "")"
        guard let month = form["month"].flatMap({ CivilMonth(iso: $0) }) else { throw AppError.badRequest(BenefitsText.monthInvalid) }
        do {
            let s = try await settlement.settle(merchantId: id, month: month, actor: context.actor)
            return Response.redirect(to: "/admin/benefits/settlement/statements/\(s.id)", flash: .ok(BenefitsWebText.settled))
        } catch let error as AppError where [.conflict, .unprocessableContent].contains(error.status) {
            return Response.redirect(to: back, flash: .error(error.message))
        }
    }

    @Sendable func statement(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (merchant, s, rows) = try await settlement.statement(try context.id(), actor: context.actor)
        let model = StatementPage(
            merchantName: merchant.name, statement: StatementLine(s, href: ""), rows: rows.map(RedemptionLine.init),
            back: "/admin/benefits/settlement?month=\(s.month)", xlsx: "/admin/benefits/settlement/statements/\(s.id)/xlsx")
        return page("benefits-statement", model, request, context)
    }

    @Sendable func statementXLSX(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (merchant, s, rows) = try await settlement.statement(try context.id(), actor: context.actor)
        let directory = uploads.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("statement-\(randomToken(bytes: 6)).xlsx")
        let xlsx = try XLSXWriter(url: url, sheetName: s.month)
        try xlsx.append(row: BenefitsWebText.statementHeader)
        for r in rows {
            try xlsx.append(row: [
                DisplayDate.minutes(r.redeemedAt), r.memberName, Fen(r.amountBefore).yuanText, Fen(r.amountAfter).yuanText,
                Fen(r.discount).yuanText,
                Fen(r.subsidy).yuanText, r.cashier,
            ])
        }
        try xlsx.append(row: [BenefitsWebText.total, "\(s.redemptions)", "", "", Fen(s.discount).yuanText, Fen(s.subsidy).yuanText, ""])
        try xlsx.close()
        return try await FileDownload.response(url, name: "\(merchant.name)-\(s.month)-\(s.seq).xlsx", deleteAfter: true)
    }
}

struct MerchantListPage {
    struct Row {
        var id: Int64
        var name: String
        var category: String
        var status: String
        var pending: Bool
        var agreement: String
    }
    var rows: [Row]
    var empty: Bool
    var pendingOnly: Bool
}

struct MerchantPage {
    struct OfferLine {
        var title: String
        var terms: String
        var validity: String
        var limits: String
        var subsidy: String
    }
    var id: Int64
    var name: String
    var creditCode: String
    var category: String
    var contact: String
    var status: String
    var pending: Bool
    var approved: Bool
    var agreement: String?
    var reviewNote: String?
    var outlets: [String]
    var staff: [String]
    var offers: [OfferLine]
    var statements: [StatementLine]
    var form: FormState
    var defaultFrom: String
    var defaultTo: String
    var kinds: [Option]
}

struct SettlementPage {
    struct Row {
        var merchantId: Int64
        var name: String
        var redemptions: Int64
        var discount: String
        var subsidy: String
        var unsettled: Int64
        var canSettle: Bool
    }
    var month: String
    var months: [Option]
    var rows: [Row]
    var empty: Bool
    var totalSubsidy: String
    var totalRedemptions: Int64
    var subsidyChart: String
    var trendChart: String
    struct OfferRow {
        var title: String
        var merchant: String
        var redemptions: Int64
        var subsidy: String
    }
    var offers: [OfferRow]
}
