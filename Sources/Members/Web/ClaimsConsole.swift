import Foundation
import Hummingbird
import Platform
import WebUI

/// 会籍认领 in the console: a union confirms that the account claiming a membership is its member.
struct ClaimsConsole: Sendable {
    let claims: ClaimService
    let unions: any UnionDirectory
    let renderer: Renderer
    let chrome: Chrome

    func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("/claims", use: list)
        group.post("/claims/:id/approve", use: approve)
        group.post("/claims/:id/refuse", use: refuse)
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let result = try await claims.pending(actor: context.actor, page: try request.pageRequest())
        let names = try await unions.names(result.items.map(\.orgId))
        let model = ClaimsPage(
            items: result.items.map {
                .init(
                    id: $0.id, member: $0.memberName, memberHref: "/admin/members/\($0.memberId)", union: names[$0.orgId] ?? "",
                    phone: $0.phoneMask, at: DisplayDate.minutes($0.createdAt))
            },
            empty: result.items.isEmpty, next: result.nextCursor.map { "/admin/claims?after=\($0)" })
        return renderer.page("members-claims", chrome.console(model, request: request, context: context))
    }

    @Sendable func approve(_ request: Request, context: StaffRequestContext) async throws -> Response {
        do {
            let member = try await claims.approve(try context.id(), actor: context.actor)
            return Response.redirect(to: "/admin/claims", flash: .ok(MemberWebText.claimApproved(member.name)))
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: "/admin/claims", flash: .error(error.message))
        }
    }

    @Sendable func refuse(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: RevealForm.self, context: context)
        do {
            try await claims.refuse(try context.id(), reason: form.reason ?? "", actor: context.actor)
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return Response.redirect(to: "/admin/claims", flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: "/admin/claims", flash: .ok(MemberWebText.claimRefused))
    }
}

struct ClaimsPage {
    struct Item {
        var id: Int64
        var member: String
        var memberHref: String
        var union: String
        var phone: String
        var at: String
    }
    var items: [Item]
    var empty: Bool
    var next: String?
}
