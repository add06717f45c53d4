import Platform
import WebUI

/// The member-database lines of the console's 工作台.
public struct MemberTodos: TodoSource {
    let joins: JoinService
    let transfers: TransferService

    public init(joins: JoinService, transfers: TransferService) {
        self.joins = joins
        self.transfers = transfers
    }

    public func todos(for actor: Actor) async throws -> [Todo] {
        guard actor.principal?.can(.memberWrite) == true else { return [] }
        return [
            Todo(label: MemberWebText.todoApplications, count: try await joins.pendingCount(actor: actor), href: "/admin/applications"),
            Todo(label: MemberWebText.todoTransfers, count: try await transfers.awaitingCount(actor: actor), href: "/admin/transfers"),
        ]
    }
}
