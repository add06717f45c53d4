import Foundation
import Hummingbird
import Platform
import WebUI

/// The member site's side of 普惠服务: the e-card's changing code (the card page itself belongs to the
/// member database and fetches it), offers near the member and 抢券; and the public merchant application.
public struct BenefitsSite: Sendable {
    let merchants: MerchantService
    let offers: OfferService
    let redemptions: RedemptionService
    let renderer: Renderer
    let chrome: Chrome
    let uploads: URL
    let licences: URL

    public init(
        merchants: MerchantService, offers: OfferService, redemptions: RedemptionService, renderer: Renderer, chrome: Chrome, uploads: URL,
        licences: URL
    ) {
        self.merchants = merchants
        self.offers = offers
        self.redemptions = redemptions
        self.renderer = renderer
        self.chrome = chrome
        self.uploads = uploads
        self.licences = licences
    }

    public func registerOpen(on group: RouterGroup<AppRequestContext>) {
        group.get("/merchants/apply", use: applyPage)
        group.post("/merchants/apply", use: apply)
    }

    public func registerWorker(on group: RouterGroup<WorkerRequestContext>) {
        group.get("/me/card/code", use: code)
        group.get("/me/offers", use: list)
        group.post("/me/offers/:id/claim", use: claim)
    }

    /// The code block of the e-card (QR and digits), as an HTML fragment the card page swaps in every 30 s.
    @Sendable func code(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let html: String
        do {
            let (code, expiresAt, _) = try await redemptions.currentCode(workerId: context.worker.workerId)
            let qr = QRCode.svg(code, size: 200, label: BenefitsWebText.qrLabel) ?? ""
            let grouped = "\(code.prefix(5)) \(code.suffix(5))"
            html = """
                <div class="e-card-qr" data-expires="\(Int(expiresAt.timeIntervalSince1970))">\(qr)</div>\
                <p class="e-card-code code" id="card-code-digits" data-code="\(code)">\(grouped)</p>\
                <p class="muted">\(BenefitsWebText.codeHint)</p>
                """
        } catch let error as AppError where [.notFound, .conflict].contains(error.status) {
            html = "<p class=\"muted\">\(error.message)</p>"
        }
        var response = Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.init("X-Robots-Tag")!] = "noindex"
        return response
    }

    @Sendable func list(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let lat = request.query("lat").flatMap(Double.init), lng = request.query("lng").flatMap(Double.init)
        let model: SiteOffersPage
        do {
            let views = try await offers.available(workerId: context.worker.workerId, lat: lat, lng: lng)
            model = SiteOffersPage(offers: views.map(SiteOffersPage.Line.init), member: true, located: lat != nil && lng != nil)
        } catch let error as AppError where error.status == .conflict {
            model = SiteOffersPage(offers: [], member: false, located: false, notice: error.message)
        }
        return renderer.page("site-offers", chrome.plain(model, request: request, context: context))
    }

    @Sendable func claim(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        do {
            let voucher = try await offers.claim(offerId: try context.id(), workerId: context.worker.workerId, actor: context.actor)
            let title =
                try await offers.available(workerId: context.worker.workerId).first { $0.offer.id == voucher.offerId }?.offer.title ?? ""
            return Response.redirect(to: "/me/offers", flash: .ok(BenefitsWebText.claimed(title)))
        } catch let error as AppError where [.conflict, .notFound].contains(error.status) {
            return Response.redirect(to: "/me/offers", flash: .error(error.message))
        }
    }

    // MARK: Merchant application

    @Sendable func applyPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await applyForm(FormState(), request, context)
    }

    func applyForm(_ form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let reviewers = try await merchants.reviewers()
        let model = ApplyPage(
            form: form, categories: Option.list(Merchant.categories.map { ($0, $0) }, selected: form.values["category"]),
            unions: Option.list(
                reviewers.map { (String($0.id), String(repeating: "　", count: max(0, $0.path.depth)) + $0.name) },
                selected: form.values["unionId"]),
            done: request.query("done") != nil)
        return renderer.page("site-merchant-apply", chrome.plain(model, request: request, context: context), status: form.status)
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await MultipartForm.receive(request, into: uploads, limit: MerchantService.maxLicenceSize + 64 * 1024)
        let f = form.fields
        let input = MerchantApplication(
            name: f["name"] ?? "", creditCode: f["creditCode"] ?? "", category: f["category"] ?? "", contactName: f["contactName"] ?? "",
            contactPhone: f["contactPhone"] ?? "", unionId: f["unionId"].flatMap { Int64($0) }, outletName: f["outletName"] ?? "",
            outletAddress: f["outletAddress"] ?? "", lat: f["lat"], lng: f["lng"])
        do {
            _ = try await merchants.apply(input, licence: form.file, directory: licences, actor: context.actor)
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await applyForm(FormState(values: f, error: error), request, context)
        }
        return Response.redirect(to: "/merchants/apply?done=1", flash: .ok(BenefitsWebText.applied))
    }
}

struct SiteOffersPage {
    struct Line {
        var id: Int64
        var title: String
        var terms: String
        var merchant: String
        var category: String
        var address: String
        var distance: String?
        var limited: Bool
        var left: Int64
        var soldOut: Bool
        var hasVoucher: Bool
        var voucherUntil: String?
        var limits: String

        init(_ v: OfferView) {
            id = v.offer.id
            title = v.offer.title
            terms = v.offer.terms
            merchant = v.merchant.name
            category = v.merchant.category
            address = v.outlets.first?.address ?? ""
            distance = v.distance.map { $0 < 1000 ? "\(Int($0)) 米" : String(format: "%.1f 公里", $0 / 1000) }
            limited = v.offer.dailyQuota != nil
            left = v.left ?? 0
            soldOut = v.left == 0 && v.voucher == nil
            hasVoucher = v.voucher != nil
            voucherUntil = v.voucher.map { DisplayDate.minutes($0.expiresAt) }
            limits = BenefitsWebText.limits(perDay: v.offer.perDay, perMonth: v.offer.perMonth, quota: v.offer.dailyQuota)
        }
    }
    var offers: [Line]
    var member: Bool
    var located: Bool
    var notice: String?
}

struct ApplyPage {
    var form: FormState
    var categories: [Option]
    var unions: [Option]
    var done: Bool
}
