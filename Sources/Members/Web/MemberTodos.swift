import Platform
import WebUI

/// The member-database lines of the console's 工作台.
public struct MemberTodos: TodoSource {
    let joins: JoinService
    let transfers: TransferService
    let claims: ClaimService
    let rollups: RollupService

    public init(joins: JoinService, transfers: TransferService, claims: ClaimService, rollups: RollupService) {
        self.joins = joins
        self.transfers = transfers
        self.claims = claims
        self.rollups = rollups
    }

    public func todos(for actor: Actor) async throws -> [Todo] {
        guard actor.principal?.can(.memberWrite) == true else { return [] }
        return [
            Todo(
                label: MemberWebText.todoFounding, count: try await rollups.foundingFlaggedCount(actor: actor),
                href: "/admin/dashboard/founding",
                urgent: true),
            Todo(label: MemberWebText.todoApplications, count: try await joins.pendingCount(actor: actor), href: "/admin/applications"),
            Todo(label: MemberWebText.todoTransfers, count: try await transfers.awaitingCount(actor: actor), href: "/admin/transfers"),
            Todo(label: MemberWebText.todoClaims, count: try await claims.pendingCount(actor: actor), href: "/admin/claims"),
        ]
    }
}
