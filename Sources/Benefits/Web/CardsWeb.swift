import Foundation
import Hummingbird
import Platform
import WebUI

/// Member cards in the console (a member's cards and what may be done with them) and the member
/// site's 申领电子会员卡 (the e-card page itself belongs to the member database).
public struct CardsWeb: Sendable {
    let cards: CardService
    let batches: CardBatchService
    let renderer: Renderer
    let chrome: Chrome

    public static let navigation = [
        NavEntry(href: "/admin/card-batches", label: BenefitsWebText.navBatches, icon: "卡", permission: .cardIssue, order: 39)
    ]

    public init(cards: CardService, batches: CardBatchService, renderer: Renderer, chrome: Chrome) {
        self.cards = cards
        self.batches = batches
        self.renderer = renderer
        self.chrome = chrome
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }

    public func registerConsole(on group: RouterGroup<StaffRequestContext>) {
        group.get("/members/:id/cards", use: memberCards)
        group.post("/members/:id/cards", use: issue)
        group.post("/cards/:id/report-lost", use: reportLost)
        group.post("/cards/:id/reissue", use: reissue)
        group.post("/cards/:id/cancel", use: cancel)
        group.get("/card-batches", use: batchList)
        group.post("/card-batches", use: startBatch)
    }

    @Sendable func batchList(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await batchPage(FormState(), request, context)
    }

    func batchPage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let list = try await batches.batches(actor: context.actor)
        let unions = context.principal.assignments.filter { $0.permissions.contains(.cardIssue) }.map { (String($0.orgId), $0.orgName) }
        let model = BatchesPage(
            form: form, unions: Option.list(unions, selected: form.values["unionId"]),
            rows: list.map {
                BatchesPage.Row(
                    id: $0.id, union: $0.orgName, status: $0.status.label, done: $0.done, total: $0.total,
                    percent: $0.total == 0 ? 100 : Int(min(100, $0.done * 100 / $0.total)), by: $0.requestedBy,
                    at: DisplayDate.minutes($0.createdAt), running: $0.status != .done)
            })
        return renderer.page("cards-batches", chrome.console(model, request: request, context: context), status: form.status)
    }

    @Sendable func startBatch(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: [String: String].self, context: context)
        do {
            _ = try await batches.start(unionId: Int64(form["unionId"] ?? "") ?? 0, actor: context.actor)
        } catch let error as AppError where [.conflict, .unprocessableContent].contains(error.status) {
            return try await batchPage(FormState(values: form, error: error), request, context)
        }
        return Response.redirect(to: "/admin/card-batches", flash: .ok(BenefitsWebText.batchStarted))
    }

    public func registerSite(on group: RouterGroup<WorkerRequestContext>) {
        group.post("/me/member-card", use: apply)
    }

    @Sendable func memberCards(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await page(memberId: try context.id(), form: FormState(), request, context)
    }

    func page(memberId: Int64, form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let (holder, mayIssue) = try await cards.holder(memberId: memberId, actor: context.actor)
        let list = try await cards.cards(memberId: memberId, actor: context.actor)
        let current = list.first { $0.status != .cancelled }
        let model = CardsPage(
            memberName: holder.name, memberHref: "/admin/members/\(memberId)", issueHref: "/admin/members/\(memberId)/cards",
            canIssue: mayIssue && current == nil && holder.counted, mayChange: mayIssue,
            cards: list.map { CardsPage.Line($0, mayChange: mayIssue, formFor: form.values["cardId"]) }, empty: list.isEmpty, form: form)
        return renderer.page("cards-member", chrome.console(model, request: request, context: context), status: form.status)
    }

    @Sendable func issue(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let memberId = try context.id()
        return try await act(memberId: memberId, ok: BenefitsWebText.issued) {
            _ = try await cards.issue(memberId: memberId, actor: context.actor)
        }
    }

    @Sendable func reportLost(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let card = try await cards.card(try context.id(), actor: context.actor)
        return try await act(memberId: card.memberId, ok: BenefitsWebText.lost) {
            _ = try await cards.reportLost(card.id, actor: context.actor)
        }
    }

    @Sendable func reissue(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let card = try await cards.card(try context.id(), actor: context.actor)
        return try await act(memberId: card.memberId, ok: BenefitsWebText.reissued) {
            _ = try await cards.reissue(card.id, actor: context.actor)
        }
    }

    @Sendable func cancel(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let card = try await cards.card(try context.id(), actor: context.actor)
        let form = try await request.decode(as: CancelForm.self, context: context)
        do {
            _ = try await cards.cancel(card.id, reason: form.reason ?? "", actor: context.actor)
        } catch let error as AppError where error.status == .unprocessableContent {
            // The reason is typed beside its card: the page comes back with it and the message there.
            return try await page(
                memberId: card.memberId, form: FormState(values: ["cardId": String(card.id), "reason": form.reason ?? ""], error: error),
                request,
                context)
        }
        return Response.redirect(to: "/admin/members/\(card.memberId)/cards", flash: .ok(BenefitsWebText.cancelled))
    }

    /// Runs a card action and goes back to the member's cards with what happened.
    func act(memberId: Int64, ok: String, _ body: () async throws -> Void) async throws -> Response {
        let back = "/admin/members/\(memberId)/cards"
        do {
            try await body()
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: back, flash: .error(error.message))
        }
        return Response.redirect(to: back, flash: .ok(ok))
    }

    @Sendable func apply(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        do {
            let card = try await cards.apply(workerId: context.worker.workerId, actor: context.actor)
            return Response.redirect(to: "/me/card", flash: .ok(BenefitsWebText.applied(card.cardNo)))
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: "/me/card", flash: .error(error.message))
        }
    }
}

struct BatchesPage {
    struct Row {
        var id: Int64
        var union: String
        var status: String
        var done: Int64
        var total: Int64
        var percent: Int
        var by: String
        var at: String
        var running: Bool
    }
    var form: FormState
    var unions: [Option]
    var rows: [Row]
}

struct CancelForm: Decodable {
    var reason: String?
}

struct CardsPage {
    struct Line {
        var id: Int64
        var cardNo: String
        var status: String
        var statusClass: String
        var issuedAt: String
        var issuedBy: String
        var ended: String?
        var canLose: Bool
        var canReissue: Bool
        var canCancel: Bool
        /// The cancel form that was refused: its reason and message show again beside this card.
        var refused: Bool

        init(_ c: MemberCard, mayChange: Bool, formFor cardId: String?) {
            id = c.id
            cardNo = c.cardNo
            status = c.status.label
            statusClass = c.status == .active ? "badge-active" : c.status == .lost ? "badge-merged" : "badge-closed"
            issuedAt = DisplayDate.minutes(c.issuedAt)
            issuedBy = c.issuedBy
            ended = c.endedAt.map { DisplayDate.minutes($0) + (c.endReason.map { " · \($0)" } ?? "") }
            canLose = mayChange && c.status == .active
            canReissue = mayChange && c.status != .cancelled
            canCancel = mayChange && c.status != .cancelled
            refused = cardId == String(c.id)
        }
    }
    var memberName: String
    var memberHref: String
    var issueHref: String
    var canIssue: Bool
    var mayChange: Bool
    var cards: [Line]
    var empty: Bool
    var form: FormState
}
