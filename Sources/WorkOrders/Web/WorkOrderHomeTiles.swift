import Platform
import WebUI

/// The worker's requests and unread messages on the member site's home page.
public struct WorkOrderHomeTiles: WorkerHomeSource {
    let orders: WorkOrderService
    let notifications: NotificationService

    public init(orders: WorkOrderService, notifications: NotificationService) {
        self.orders = orders
        self.notifications = notifications
    }

    public func tiles(forWorker workerId: Int64) async throws -> [HomeTile] {
        let open = try await orders.openCount(ofWorker: workerId)
        let unread = try await notifications.unreadCount(ofWorker: workerId)
        return [
            HomeTile(title: WorkOrderWebText.homeRequests, value: WorkOrderWebText.homeOpen(open), href: "/me/requests"),
            HomeTile(
                title: WorkOrderWebText.homeMessages, value: WorkOrderWebText.homeUnread(unread), href: "/me/requests",
                attention: unread > 0),
        ]
    }
}
