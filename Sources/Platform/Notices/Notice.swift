import Foundation
import SQLKit

/// An in-app notice: to a worker (the member site's 消息), to a staff account, or to every handler of an org.
///
/// Any domain posts notices inside its own transaction, as it writes the audit log, so a change that
/// rolls back tells no one. The `notifications` table was created by the work-order migrations,
/// which also own its reads (inboxes and read marks).
public struct Notice: Sendable, Equatable {
    public enum Recipient: Sendable, Equatable {
        case worker(Int64)
        case account(Int64)
        case org(Int64)
    }

    public var to: Recipient
    public var kind: String
    public var text: String
    public var orderId: Int64?
    public var at: Date

    public init(to: Recipient, kind: String, text: String, orderId: Int64? = nil, at: Date) {
        self.to = to
        self.kind = kind
        self.text = text
        self.orderId = orderId
        self.at = at
    }

    /// Posts the notices in one statement.
    public static func post(_ notices: [Notice], on sql: any SQLDatabase) async throws {
        guard !notices.isEmpty else { return }
        let q = sql.insert(into: "notifications").columns("worker_id", "account_id", "org_id", "order_id", "kind", "text", "created_at")
        for n in notices {
            var (worker, account, org): (Int64?, Int64?, Int64?) = (nil, nil, nil)
            switch n.to {
            case .worker(let id): worker = id
            case .account(let id): account = id
            case .org(let id): org = id
            }
            q.values(SQLBind(worker), SQLBind(account), SQLBind(org), SQLBind(n.orderId), SQLBind(n.kind), SQLBind(n.text), SQLBind(n.at))
        }
        try await q.run()
    }
}
