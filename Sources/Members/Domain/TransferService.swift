import Foundation
import Platform
import SQLKit

/// A membership transfer (会籍接转): the old union releases, the new union accepts.
public struct MembershipTransfer: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case pending, completed, refused

        public var label: String {
            switch self {
            case .pending: "办理中"
            case .completed: "已完成"
            case .refused: "未通过"
            }
        }
    }

    public var id: Int64
    public var memberId: Int64
    public var fromOrgId: Int64
    public var fromOrgPath: OrgPath
    public var toOrgId: Int64
    public var toOrgPath: OrgPath
    public var status: Status
    public var requestedBy: String
    public var releasedBy: String?
    public var releasedAt: Date?
    public var acceptedBy: String?
    public var acceptedAt: Date?
    public var refusedBy: String?
    public var reason: String?
    public var note: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, memberId = "member_id", fromOrgId = "from_org_id", fromOrgPath = "from_org_path", toOrgId = "to_org_id"
        case toOrgPath = "to_org_path", status, requestedBy = "requested_by", releasedBy = "released_by"
        case releasedAt = "released_at", acceptedBy = "accepted_by", acceptedAt = "accepted_at", refusedBy = "refused_by"
        case reason, note, createdAt = "created_at"
    }
}

/// 一次入会、动态接转: membership follows the job. Each side acts on a transfer; the history of
/// every membership stays in `memberships`.
public struct TransferService: Sendable {
    let database: Database
    let store = MemberStore()
    let unions: any UnionDirectory
    let clock: AppClock

    public init(database: Database, unions: any UnionDirectory, clock: AppClock) {
        self.database = database
        self.unions = unions
        self.clock = clock
    }

    /// Asked by the worker (member site) or by a cadre of either union.
    public func request(memberId: Int64, toUnionId: Int64, note: String?, actor: Actor, byWorker workerId: Int64? = nil)
        async throws -> MembershipTransfer
    {
        guard let member = try await database.withConnection({ [store] in try await store.member(memberId, on: $0) }) else {
            throw AppError.notFound(MemberText.notFound)
        }
        if let workerId {
            guard member.workerId == workerId else { throw AppError.notFound(MemberText.notFound) }
        } else {
            let scope = try actor.requireScope(.memberWrite)
            guard scope.covers(member.orgPath) else { throw AppError.notFound(MemberText.notFound) }
        }
        guard member.membershipStatus == .active else { throw AppError.conflict(MemberText.memberNotActive) }
        guard let to = try await unions.union(toUnionId), to.acceptsMembers else {
            throw AppError.validation(["unionId": MemberText.unionNotGrassroots])
        }
        guard to.id != member.orgId else { throw AppError.validation(["unionId": MemberText.transferSameUnion]) }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200).description
        let now = clock.now()
        let requester = workerId != nil ? "本人" : (actor.displayName)
        let id = try await database.transaction { sql -> Int64 in
            let open = try await sql.select().column("id").from("membership_transfers").where("member_id", .equal, memberId)
                .where("status", .equal, MembershipTransfer.Status.pending.rawValue).first()
            if open != nil { throw AppError.conflict(MemberText.transferPending) }
            let id = try await sql.insert(into: "membership_transfers")
                .columns("member_id", "from_org_id", "from_org_path", "to_org_id", "to_org_path", "status", "requested_by", "note", "created_at")
                .values(SQLBind(memberId), SQLBind(member.orgId), SQLBind(member.orgPath.rawValue), SQLBind(to.id), SQLBind(to.path.rawValue),
                        SQLBind(MembershipTransfer.Status.pending.rawValue), SQLBind(requester), SQLBind(note), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int64.self)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_request", objectType: "member",
                                                 objectId: String(memberId), orgPath: member.orgPath,
                                                 detail: ["to": String(to.id), "transfer": String(id)]), on: sql)
            return id
        }
        return try await transfer(id)!
    }

    func transfer(_ id: Int64) async throws -> MembershipTransfer? {
        try await database.withConnection { sql in
            try await sql.select().column("*").from("membership_transfers").where("id", .equal, id).first(decoding: MembershipTransfer.self)
        }
    }

    public func transfers(ofMember memberId: Int64) async throws -> [MembershipTransfer] {
        try await database.withConnection { sql in
            try await sql.select().column("*").from("membership_transfers").where("member_id", .equal, memberId)
                .orderBy("id", .descending).all(decoding: MembershipTransfer.self)
        }
    }

    /// Open transfers where the cadre's unions must act: releasing out of or accepting into their scope.
    public func pending(actor: Actor, page: PageRequest) async throws -> Page<MembershipTransfer> {
        let scope = try actor.requireScope(.memberWrite)
        let after = try page.keyID()
        let rows = try await database.withConnection { sql in
            let q = sql.select().column("*").from("membership_transfers").where("status", .equal, MembershipTransfer.Status.pending.rawValue)
                .where(SQLGroupExpression(SQLList([scope.condition("from_org_path"), scope.condition("to_org_path")], separator: SQLRaw(" OR "))))
            if let after { q.where("id", .greaterThan, after) }
            return try await q.orderBy("id").limit(page.limit + 1).all(decoding: MembershipTransfer.self)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// A pending transfer with its member's name and the sides the actor may act on.
    public struct PendingTransfer: Sendable {
        public var transfer: MembershipTransfer
        public var memberName: String
        public var canRelease: Bool
        public var canAccept: Bool
    }

    public func pendingWithNames(actor: Actor, page: PageRequest) async throws -> Page<PendingTransfer> {
        let result = try await pending(actor: actor, page: page)
        let scope = actor.scope(.memberWrite)
        let ids = Array(Set(result.items.map(\.memberId)))
        let names = ids.isEmpty ? [:] : try await database.withConnection { sql in
            try await sql.select().columns("id", "name").from("members").where("id", .in, ids).all()
                .reduce(into: [Int64: String]()) { $0[try $1.decode(column: "id", as: Int64.self)] = try $1.decode(column: "name", as: String.self) }
        }
        return Page(
            items: result.items.map { t in
                PendingTransfer(
                    transfer: t, memberName: names[t.memberId] ?? "", canRelease: t.releasedAt == nil && scope.covers(t.fromOrgPath),
                    canAccept: t.acceptedAt == nil && scope.covers(t.toOrgPath))
            }, nextCursor: result.nextCursor)
    }

    public enum Side: String, Sendable { case release, accept }

    /// The old union releases or the new union accepts; when both have, the member moves.
    public func act(_ id: Int64, side: Side, actor: Actor) async throws -> MembershipTransfer {
        let t = try await actionable(id, actor: actor)
        let path = side == .release ? t.fromOrgPath : t.toOrgPath
        guard actor.scope(.memberWrite).covers(path) else { throw AppError.forbidden }
        let now = clock.now()
        let who = actor.displayName
        // Looked up before the transaction: a task holding a connection asks for no other (see `Database`).
        let to = try await unions.union(t.toOrgId)
        try await database.transaction { [store] sql in
            let column = side == .release ? "released" : "accepted"
            let updated = try await sql.raw(
                """
                UPDATE membership_transfers SET \(ident: column + "_by") = \(bind: who), \(ident: column + "_at") = \(bind: now)
                WHERE id = \(bind: id) AND status = 'pending' RETURNING *
                """
            ).first(decoding: MembershipTransfer.self)
            guard let updated else { throw AppError.conflict(MemberText.transferDecided) }
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_\(side.rawValue)", objectType: "member",
                                                 objectId: String(t.memberId), orgPath: path, detail: ["transfer": String(id)]), on: sql)
            if updated.releasedAt != nil && updated.acceptedAt != nil {
                guard let to, to.active else { throw AppError.conflict(MemberText.unionNotGrassroots) }
                try await Self.move(memberIds: [t.memberId], to: to, reason: MemberText.joinedByTransfer, now: now, store: store, on: sql)
                try await sql.update("membership_transfers").set("status", to: MembershipTransfer.Status.completed.rawValue)
                    .where("id", .equal, id).run()
            }
        }
        return try await transfer(id)!
    }

    public func refuse(_ id: Int64, reason: String, actor: Actor) async throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 200 else { throw AppError.validation(["reason": MemberText.refuseReasonRequired]) }
        let t = try await actionable(id, actor: actor)
        let scope = actor.scope(.memberWrite)
        guard scope.covers(t.fromOrgPath) || scope.covers(t.toOrgPath) else { throw AppError.forbidden }
        let now = clock.now()
        try await database.transaction { sql in
            try await sql.update("membership_transfers").set("status", to: MembershipTransfer.Status.refused.rawValue)
                .set("refused_by", to: actor.displayName).set("refused_at", to: now).set("reason", to: reason)
                .where("id", .equal, id).run()
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_refuse", objectType: "member",
                                                 objectId: String(t.memberId), orgPath: t.fromOrgPath, detail: ["reason": reason]), on: sql)
        }
    }

    func actionable(_ id: Int64, actor: Actor) async throws -> MembershipTransfer {
        let scope = try actor.requireScope(.memberWrite)
        guard let t = try await transfer(id), scope.covers(t.fromOrgPath) || scope.covers(t.toOrgPath) else {
            throw AppError.notFound(MemberText.transferNotFound)
        }
        guard t.status == .pending else { throw AppError.conflict(MemberText.transferDecided) }
        return t
    }

    /// Moves members to another union in the caller's transaction: memberships closed and opened,
    /// counters moved. Used by completed transfers and by merges (bulk).
    static func move(memberIds: [Int64], to union: UnionRef, reason: String, now: Date, store: MemberStore, on sql: any SQLDatabase) async throws {
        let today = CivilDate(date: now).iso
        var deltas: [CounterKey: Int64] = [:]
        for start in stride(from: 0, to: memberIds.count, by: 1000) {
            let ids = Array(memberIds[start..<min(start + 1000, memberIds.count)])
            let members = try await sql.select().column("*").from("members").where("id", .in, ids).all(decoding: Member.self)
            for var m in members {
                deltas.add(m.counterDeltas(sign: -1))
                m.orgId = union.id
                deltas.add(m.counterDeltas())
            }
            try await sql.update("members").set("org_id", to: union.id).set("org_path", to: union.path.rawValue)
                .set("updated_at", to: now).where("id", .in, ids).run()
            try await sql.update("memberships").set("ended_on", to: today).set("end_reason", to: reason)
                .where("member_id", .in, ids).where(SQLColumn("ended_on"), .is, SQLLiteral.null).run()
            try await Database.bulkInsert(
                into: "memberships", columns: ["member_id", "org_id", "org_name", "started_on", "reason", "created_at"],
                rows: ids.map { [.int($0), .int(union.id), .text(union.name), .text(today), .text(reason), .date(now)] }, on: sql)
        }
        try await store.bump(deltas, on: sql)
    }

    /// All members of `source` move to `target` (a merge of unions; 撤并). Runs in the caller's transaction.
    public static func moveAll(from source: OrgPath, to target: UnionRef, reason: String, now: Date, on sql: any SQLDatabase) async throws {
        let ids = try await sql.select().column("id").from("members").where("org_path", .equal, source.rawValue)
            .where("status", .in, [MembershipStatus.active.rawValue, MembershipStatus.retiredKept.rawValue])
            .all().map { try $0.decode(column: "id", as: Int64.self) }
        try await move(memberIds: ids, to: target, reason: reason, now: now, store: MemberStore(), on: sql)
    }
}
