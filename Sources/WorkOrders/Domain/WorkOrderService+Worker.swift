import Foundation
import Platform
import SQLKit

/// The worker's side: my requests, answering a question, rating, reopening once.
extension WorkOrderService {
    public func orders(ofWorker workerId: Int64, page: PageRequest) async throws -> Page<WorkOrder> {
        let before = try page.keyID()
        let rows = try await database.withConnection { sql in
            try await store.ofWorker(workerId, before: before, limit: page.limit + 1, on: sql)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// How many of the worker's orders are still being handled (the member site's home page).
    public func openCount(ofWorker workerId: Int64) async throws -> Int {
        try await database.withConnection { sql in try await store.openCount(ofWorker: workerId, on: sql) }
    }

    /// The worker's own order; anyone else's is "not found".
    public func order(_ id: Int64, ofWorker workerId: Int64) async throws -> WorkOrder {
        let order = try await database.withConnection { sql in try await store.order(id, on: sql) }
        guard let order, order.workerId == workerId else { throw AppError.notFound(WorkOrderText.notYours) }
        return order
    }

    /// The worker answers a request for more information; the clock restarts.
    public func workerReply(_ id: Int64, workerId: Int64, note: String?, actor: Actor) async throws -> WorkOrder {
        let order = try await order(id, ofWorker: workerId)
        guard order.status.isOpen else { throw AppError.conflict(WorkOrderText.notOpen) }
        guard let note = Self.text(note, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        let changes = order.status == .waiting ? try await resumeChanges(order) : [:]
        return try await change(
            order, actor: actor, by: order.callerName, action: "worker_replied", note: note, isPublic: true, orgName: nil,
            changes
        ) { sql, now in
            try await store.notify(.org(order.orgId), orderId: order.id, kind: "reply", text: "\(order.number)：\(note)", at: now, on: sql)
        }
    }

    /// 1–5 stars on a resolved order; closes it.
    public func rate(_ id: Int64, workerId: Int64, rating: Int?, comment: String?, actor: Actor) async throws -> WorkOrder {
        let order = try await order(id, ofWorker: workerId)
        guard let rating, (1...5).contains(rating) else { throw AppError.validation(["rating": WorkOrderText.ratingInvalid]) }
        let comment = (comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard comment.count <= 500 else { throw AppError.validation(["comment": WorkOrderText.commentTooLong]) }
        guard order.rating == nil else { throw AppError.conflict(WorkOrderText.alreadyRated) }
        guard order.status == .resolved else { throw AppError.conflict(WorkOrderText.notResolved) }
        let now = clock.now()
        let note = WorkOrderText.ratingNote(rating, comment: comment)
        return try await change(
            order, actor: actor, by: order.callerName, action: "rated", note: note, isPublic: true, orgName: nil,
            [
                "rating": rating, "rating_comment": comment.isEmpty ? nil : comment, "rated_at": now,
                "status": WorkOrder.Status.closed.rawValue,
                "closed_at": now,
            ]
        ) { sql, _ in
            try await store.count(order, org: (order.orgId, order.orgPath), on: today, Counters.rating(rating), on: sql)
        }
    }

    /// Not satisfied: back to the same org and handler with a fresh deadline, once per order.
    public func reopen(_ id: Int64, workerId: Int64, reason: String?, actor: Actor) async throws -> WorkOrder {
        let order = try await order(id, ofWorker: workerId)
        guard order.status == .resolved else { throw AppError.conflict(WorkOrderText.notResolved) }
        guard order.reopenCount == 0 else { throw AppError.conflict(WorkOrderText.reopenUsed) }
        guard let reason = Self.text(reason, max: 1000) else { throw AppError.validation(["reason": WorkOrderText.reopenSatisfied]) }
        let snapshot = try await catalog.snapshot()
        let dueOn = due(days: limitDays(order, snapshot), from: today, calendar: snapshot.calendar)
        // The first resolution no longer counts; the next one will.
        let resolvedDay = order.resolvedAt.map { CivilDate(date: $0) } ?? today
        let days = Int64(max(0, resolvedDay.dayNumber - CivilDate(date: order.createdAt).dayNumber))
        let undo = Counters(resolved: -1, onTime: order.resolvedOnTime == true ? -1 : 0, handlingDays: -days)
        return try await change(
            order, actor: actor, by: order.callerName, action: "reopened", note: reason, isPublic: true, orgName: nil,
            [
                "status": WorkOrder.Status.accepted.rawValue, "reopen_count": order.reopenCount + 1, "due_on": dueOn, "escalate_on": dueOn,
                "warned": false, "resolved_at": Date?.none, "resolved_on_time": Bool?.none, "close_after": String?.none,
            ]
        ) { sql, now in
            try await store.count(order, org: (order.orgId, order.orgPath), on: resolvedDay, undo, on: sql)
            try await store.notify(
                .org(order.orgId), orderId: order.id, kind: "reopened", text: WorkOrderText.reopenedBy(order.number), at: now, on: sql)
        }
    }
}
