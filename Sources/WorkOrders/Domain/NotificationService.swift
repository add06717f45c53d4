import Foundation
import Platform

/// In-app notifications: a worker's, and a cadre's (addressed to them or to an org where they handle orders).
public struct NotificationService: Sendable {
    let database: Database
    let store = NotificationStore()

    public init(database: Database) { self.database = database }

    public func forWorker(_ workerId: Int64, limit: Int = 20) async throws -> [Notification] {
        try await database.withConnection { sql in try await store.forWorker(workerId, limit: limit, on: sql) }
    }

    /// A cadre's notices, newest first, and the id up to which this cadre has read them.
    public func forStaff(_ actor: Actor, page: PageRequest) async throws -> (page: Page<Notification>, readThrough: Int64) {
        let before = try page.keyID()
        guard let inbox = Self.inbox(actor) else { return (Page(fetched: [], limit: page.limit) { [String($0.id)] }, 0) }
        let (rows, readThrough) = try await database.withConnection { sql in
            (try await store.forStaff(inbox, before: before, limit: page.limit + 1, on: sql), try await store.readThrough(inbox, on: sql))
        }
        return (Page(fetched: rows, limit: page.limit) { [String($0.id)] }, readThrough)
    }

    public func unreadCount(_ actor: Actor) async throws -> Int {
        guard let inbox = Self.inbox(actor) else { return 0 }
        return try await database.withConnection { sql in try await store.unreadCount(inbox, on: sql) }
    }

    /// Moves this cadre's mark past every notice they can see now; other handlers' marks stay.
    public func markAllRead(_ actor: Actor) async throws {
        guard let inbox = Self.inbox(actor) else { return }
        try await database.transaction { sql in try await store.markAllRead(inbox, on: sql) }
    }

    public func unreadCount(ofWorker workerId: Int64) async throws -> Int {
        try await database.withConnection { sql in try await store.unreadCount(ofWorker: workerId, on: sql) }
    }

    public func markWorkerRead(_ workerId: Int64, now: Date) async throws {
        try await database.transaction { sql in try await store.markWorkerRead(workerId, at: now, on: sql) }
    }

    /// Mine, or my handler orgs'; nothing for an actor without an account.
    static func inbox(_ actor: Actor) -> StaffInbox? {
        guard let accountId = actor.accountId else { return nil }
        let orgs = (actor.principal?.assignments ?? []).filter { $0.permissions.contains(.workOrderHandle) }.map(\.orgId)
        return StaffInbox(accountId: accountId, orgIds: orgs)
    }
}
