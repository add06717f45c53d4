import Foundation
import Platform

/// The handler's lists: every queue is one indexed query inside the actor's scope.
public struct QueueQuery: Sendable {
    public enum Queue: String, Sendable, CaseIterable {
        /// Open orders assigned to me.
        case mine
        /// Open orders of the orgs where I am a handler.
        case org
        /// Everything in my subtree.
        case subtree
        /// Open in my handler orgs, due within `dueSoonDays` working days.
        case dueSoon = "due_soon"
        /// Open and past the deadline.
        case overdue
        /// Resolved without a follow-up call.
        case followup
        /// Escalated to an org I supervise.
        case supervision
        /// Other orgs asked mine to assist.
        case assisting
    }

    public var queue: Queue
    public var status: WorkOrder.Status?
    public var typeCode: String?
    public var categoryCode: String?
    public var text: String?

    public init(
        queue: Queue = .org, status: WorkOrder.Status? = nil, typeCode: String? = nil, categoryCode: String? = nil, text: String? = nil
    ) {
        self.queue = queue
        self.status = status
        self.typeCode = typeCode
        self.categoryCode = categoryCode
        self.text = text
    }
}

extension WorkOrderService {
    public func list(_ query: QueueQuery, actor: Actor, page: PageRequest) async throws -> Page<WorkOrder> {
        let filter = try await filter(query, actor: actor)
        let before = try page.keyID()
        let rows = try await database.withConnection { sql in try await store.list(filter, before: before, limit: page.limit + 1, on: sql) }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// How many orders the queue holds (the workbench's counts).
    public func count(_ query: QueueQuery, actor: Actor) async throws -> Int {
        let filter = try await filter(query, actor: actor)
        return try await database.withConnection { sql in try await store.count(filter, on: sql) }
    }

    /// The workbench's 即将超期: due today or within this many working days.
    static let dueSoonDays = 2

    func filter(_ query: QueueQuery, actor: Actor) async throws -> QueueFilter {
        let read = try actor.requireScope(.workOrderRead)
        let text = query.text.map { String($0.trimmingCharacters(in: .whitespaces).prefix(50)) } ?? ""
        let today = self.today
        let dueSoonThrough = query.queue == .dueSoon
            ? try await catalog.snapshot().calendar.adding(workingDays: Self.dueSoonDays, to: today) : today
        return QueueFilter(
            queue: query.queue, read: read, intake: actor.scope(.workOrderIntake), supervise: actor.scope(.workOrderSupervise),
            handle: actor.scope(.workOrderHandle), accountId: actor.accountId ?? -1,
            handlerOrgs: (actor.principal?.assignments ?? []).filter { $0.permissions.contains(.workOrderHandle) }.map(\.orgId),
            status: query.status, typeCode: query.typeCode, categoryCode: query.categoryCode, text: searchText(text), today: today,
            dueSoonThrough: dueSoonThrough)
    }

    /// A 14-digit text is an order number, a phone number is looked up by its blind index, anything else is a title word.
    func searchText(_ text: String) -> QueueFilter.Text? {
        if text.isEmpty { return nil }
        if text.count == 14, text.allSatisfy(\.isNumber) { return .number(text) }
        if let phone = Phone.contactNumber(text), phone.count >= 7 { return .phoneIndex(phoneIndex(phone)) }
        return .title(text)
    }

    /// The hotline screen: the caller's member record (only where the operator may read members;
    /// elsewhere just that there is one, with no name) and their recent orders in scope.
    public func caller(phone raw: String, actor: Actor) async throws -> (members: [MemberContact], elsewhere: Bool, orders: [WorkOrder]) {
        let scope = try actor.requireScope(.workOrderIntake)
        guard let phone = Phone.contactNumber(raw) else { throw AppError.validation(["phone": WorkOrderText.phoneInvalid]) }
        let found = try await members.members(phone: phone, readableBy: actor)
        let orders = try await database.withConnection { [phoneIndex] sql in
            try await store.byCaller(phoneIndex: phoneIndex(phone), in: scope, limit: 10, on: sql)
        }
        return (found.readable, found.elsewhere, orders)
    }
}
