import Foundation
import Platform
import SQLKit

/// The handler's lists: every queue is one indexed query inside the actor's scope.
public struct QueueQuery: Sendable {
    public enum Queue: String, Sendable, CaseIterable {
        /// Open orders assigned to me.
        case mine
        /// Open orders of the orgs where I am a handler.
        case org
        /// Everything in my subtree.
        case subtree
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
        let read = try actor.requireScope(.workOrderRead)
        let before = try page.keyID()
        let open = [WorkOrder.Status.submitted, .accepted, .waiting].map(\.rawValue)
        let today = self.today.iso
        let handlerOrgs = (actor.principal?.assignments ?? []).filter { $0.permissions.contains(.workOrderHandle) }.map(\.orgId)
        let text = query.text?.trimmingCharacters(in: .whitespaces).prefix(50)
        let rows = try await database.withConnection { [phoneIndex] sql in
            let q = sql.select().column("*").from("work_orders")
            switch query.queue {
            case .mine:
                q.where("assignee_id", .equal, actor.accountId ?? -1)
                if query.status == nil { q.where("status", .in, open) }
            case .org:
                q.where("org_id", .in, handlerOrgs.isEmpty ? [-1] : handlerOrgs)
                if query.status == nil { q.where("status", .in, open) }
            case .subtree:
                q.where("org_path", in: read)
            case .overdue:
                q.where("org_path", in: read).where("status", .in, ["submitted", "accepted"]).where("due_on", .lessThan, today)
            case .followup:
                q.where("org_path", in: actor.scope(.workOrderIntake)).where("status", .in, ["resolved", "closed"]).where(
                    "followup_at", .is, SQLLiteral.null)
            case .supervision:
                q.where("supervisor_path", in: actor.scope(.workOrderSupervise)).where("status", .in, open)
            case .assisting:
                let assists = sql.select().column("order_id").from("work_order_assists").where(
                    "org_path", in: actor.scope(.workOrderHandle)
                )
                .where("reply", .is, SQLLiteral.null)
                q.where(SQLColumn("id"), .in, SQLGroupExpression(assists.query))
            }
            if query.queue != .subtree && query.queue != .assisting { q.where("org_path", in: read) }
            if let status = query.status { q.where("status", .equal, status.rawValue) }
            if let type = query.typeCode, !type.isEmpty { q.where("type_code", .equal, type) }
            if let category = query.categoryCode, !category.isEmpty { q.where("category_code", .equal, category) }
            if let text, !text.isEmpty {
                if text.count == 14, text.allSatisfy(\.isNumber) {
                    q.where("number", .equal, String(text))
                } else if let phone = Self.normalizedPhone(String(text)), phone.count >= 7 {
                    q.where("caller_phone_index", .equal, phoneIndex(phone))
                } else {
                    q.where(SQLQueryString("title LIKE \(bind: "%" + Self.escapeLike(String(text)) + "%") ESCAPE '\\'"))
                }
            }
            if let before { q.where("id", .lessThan, before) }
            return try await q.orderBy("id", .descending).limit(page.limit + 1).all(decoding: WorkOrder.self)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// The hotline screen: the caller's member record (only where the operator may read members;
    /// elsewhere just that there is one, with no name) and their recent orders in scope.
    public func caller(phone raw: String, actor: Actor) async throws -> (members: [MemberContact], elsewhere: Bool, orders: [WorkOrder]) {
        let scope = try actor.requireScope(.workOrderIntake)
        guard let phone = Self.normalizedPhone(raw) else { throw AppError.validation(["phone": WorkOrderText.phoneInvalid]) }
        let all = try await members.members(phone: phone)
        let readable = actor.scope(.memberRead)
        let found = all.filter { readable.covers($0.orgPath) }
        let orders = try await database.withConnection { sql in
            try await sql.select().column("*").from("work_orders").where("caller_phone_index", .equal, phoneIndex(phone))
                .where("org_path", in: scope).orderBy("id", .descending).limit(10).all(decoding: WorkOrder.self)
        }
        return (found, found.count < all.count, orders)
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
            of: "_", with: "\\_")
    }
}
