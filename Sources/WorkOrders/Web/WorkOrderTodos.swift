import Platform
import WebUI

/// The work-order lines of the console's 工作台, each counted by the queue it links to.
public struct WorkOrderTodos: TodoSource {
    let orders: WorkOrderService

    public init(orders: WorkOrderService) { self.orders = orders }

    public func todos(for actor: Actor) async throws -> [Todo] {
        guard actor.principal?.can(.workOrderRead) == true else { return [] }
        let offered = Set(orders.queues(for: actor))
        var todos: [Todo] = []
        for (query, label, urgent) in Self.lines where offered.contains(query.queue) {
            let count = try await orders.count(query, actor: actor)
            todos.append(Todo(label: label, count: count, href: Self.href(query), urgent: urgent))
        }
        return todos
    }

    public func shortcuts(for principal: Principal) -> [Shortcut] {
        (principal.can(.workOrderIntake) ? [Shortcut(label: WorkOrderWebText.navHotline, href: "/admin/hotline")] : [])
            + (principal.can(.workOrderRead) ? [Shortcut(label: WorkOrderWebText.navQueue, href: "/admin/work-orders")] : [])
    }

    static let lines: [(QueueQuery, String, Bool)] = [
        (QueueQuery(queue: .org, status: .submitted), WorkOrderWebText.todoToAccept, false),
        (QueueQuery(queue: .mine), WorkOrderWebText.todoMine, false),
        (QueueQuery(queue: .dueSoon), WorkOrderWebText.todoDueSoon, true),
        (QueueQuery(queue: .overdue), WorkOrderWebText.todoOverdue, true),
        (QueueQuery(queue: .assisting), WorkOrderWebText.todoAssisting, false),
        (QueueQuery(queue: .supervision), WorkOrderWebText.todoSupervision, false),
        (QueueQuery(queue: .followup), WorkOrderWebText.todoFollowup, false),
    ]

    static func href(_ query: QueueQuery) -> String {
        "/admin/work-orders?queue=\(query.queue.rawValue)" + (query.status.map { "&status=\($0.rawValue)" } ?? "")
    }
}
