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
    let transfers = TransferStore()
    let unions: any UnionDirectory
    let regions: any RegionCodeSet
    let clock: AppClock
    let messages: WorkerMessages

    public init(
        database: Database, records: MemberRecords, unions: any UnionDirectory, regions: any RegionCodeSet, sms: any SMSSender, clock: AppClock
    ) {
        self.database = database
        self.unions = unions
        self.regions = regions
        self.clock = clock
        self.messages = WorkerMessages(database: database, records: records, sms: sms)
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
        // Working or retired-kept (a closing workplace's retirees move to a community union); not a lapsed one.
        guard member.isCounted else { throw AppError.conflict(MemberText.memberNotActive) }
        guard toUnionId > 0 else { throw AppError.validation(["unionId": MemberText.transferUnionRequired]) }
        guard let to = try await unions.union(toUnionId), to.acceptsMembers else {
            throw AppError.validation(["unionId": MemberText.unionNotGrassroots])
        }
        guard to.id != member.orgId else { throw AppError.validation(["unionId": MemberText.transferSameUnion]) }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200).description
        let now = clock.now()
        let requester = workerId != nil ? "本人" : (actor.displayName)
        let fromName = try await unions.union(member.orgId)?.name ?? ""
        let id = try await database.transaction { [transfers] sql -> Int64 in
            if try await transfers.hasPending(memberId: memberId, on: sql) { throw AppError.conflict(MemberText.transferPending) }
            let id = try await transfers.insert(member: member, to: to, requestedBy: requester, note: note, now: now, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_request", objectType: "member",
                                                 objectId: String(memberId), orgPath: member.orgPath,
                                                 detail: ["to": String(to.id), "transfer": String(id)]), on: sql)
            // Both unions have a side to confirm; the member is told when a cadre started it for them.
            let toConfirm = MemberText.transferToConfirm(member.name, fromName, to.name)
            var notices = [member.orgId, to.id].map { Notice(to: .org($0), kind: "transfer", text: toConfirm, at: now) }
            if workerId == nil, let worker = member.workerId {
                notices.append(WorkerMessages.notice(worker, kind: "transfer", MemberText.transferStarted(fromName, to.name), at: now))
            }
            try await Notice.post(notices, on: sql)
            return id
        }
        return try await existing(id)
    }

    /// 接收: the new union starts the transfer of a worker who already works there. It names the
    /// member by ID number and name (both must match a current membership; a miss says nothing about
    /// which), and its start is its acceptance: the old union's release completes it.
    public func requestIncoming(idNumber: String, name: String, toUnionId: Int64?, note: String?, actor: Actor) async throws
        -> MembershipTransfer
    {
        let scope = try actor.requireScope(.memberWrite)
        var v = Validator()
        let person = NamedPerson(idNumber: idNumber, name: name, regions: regions, problems: &v)
        let name = person.name
        var to: UnionRef?
        if let toUnionId { to = try await unions.union(toUnionId) }
        if let union = to, !(union.acceptsMembers && scope.covers(union.path)) { to = nil }
        v.check(to != nil, "unionId", MemberText.incomingUnionRequired)
        try v.validate()
        guard let id = person.id, let to else { throw AppError.validation(["unionId": MemberText.incomingUnionRequired]) }
        let found = try await database.withConnection { [store, records = messages.records] sql in
            try await store.member(idIndex: records.idIndex(id), on: sql)
        }
        guard let member = found, member.isCounted, member.name == name else {
            throw AppError.notFound(MemberText.incomingNotFound)
        }
        guard member.orgId != to.id else { throw AppError.validation(["unionId": MemberText.transferSameUnion]) }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200).description
        let now = clock.now()
        let fromName = try await unions.union(member.orgId)?.name ?? ""
        let transferId = try await database.transaction { [transfers] sql -> Int64 in
            if try await transfers.hasPending(memberId: member.id, on: sql) { throw AppError.conflict(MemberText.transferPending) }
            let id = try await transfers.insert(member: member, to: to, requestedBy: actor.displayName, note: note, now: now, on: sql)
            _ = try await transfers.consent(id, side: .accept, by: actor.displayName, at: now, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_incoming", objectType: "member",
                                                 objectId: String(member.id), orgPath: to.path,
                                                 detail: ["from": String(member.orgId), "transfer": String(id)]), on: sql)
            var notices = [Notice(to: .org(member.orgId), kind: "transfer", text: MemberText.transferToRelease(member.name, fromName, to.name), at: now)]
            if let worker = member.workerId {
                notices.append(WorkerMessages.notice(worker, kind: "transfer", MemberText.transferStarted(fromName, to.name), at: now))
            }
            try await Notice.post(notices, on: sql)
            return id
        }
        return try await existing(transferId)
    }

    /// A transfer just written (gone only if the database lost it).
    func existing(_ id: Int64) async throws -> MembershipTransfer {
        guard let t = try await transfer(id) else { throw AppError.conflict(PlatformText.concurrentChange) }
        return t
    }

    func transfer(_ id: Int64) async throws -> MembershipTransfer? {
        try await database.withConnection { [transfers] sql in try await transfers.transfer(id, on: sql) }
    }

    public func transfers(ofMember memberId: Int64) async throws -> [MembershipTransfer] {
        try await database.withConnection { [transfers] sql in try await transfers.transfers(ofMember: memberId, on: sql) }
    }

    /// Transfers out of or into the cadre's scope with this status: the pending ones where a side
    /// must act, and the completed and refused ones as a record (the old union keeps seeing who left
    /// and where to, though the member's current record is beyond its scope).
    public func list(actor: Actor, status: MembershipTransfer.Status = .pending, page: PageRequest) async throws
        -> Page<MembershipTransfer>
    {
        let scope = try actor.requireScope(.memberWrite)
        let after = try page.keyID()
        let rows = try await database.withConnection { [transfers] sql in
            try await transfers.list(touching: scope, status: status, after: after, limit: page.limit + 1, on: sql)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// Pending transfers waiting for the cadre's side (the workbench).
    public func awaitingCount(actor: Actor) async throws -> Int {
        let scope = try actor.requireScope(.memberWrite)
        return try await database.withConnection { [transfers] sql in try await transfers.awaitingCount(in: scope, on: sql) }
    }

    /// A transfer with its member's name, the sides the actor may act on, and whether the member's
    /// current record is in the actor's sight.
    public struct ListedTransfer: Sendable {
        public var transfer: MembershipTransfer
        public var memberName: String
        public var memberVisible: Bool
        public var canRelease: Bool
        public var canAccept: Bool
    }

    public func listWithNames(actor: Actor, status: MembershipTransfer.Status = .pending, page: PageRequest) async throws
        -> Page<ListedTransfer>
    {
        let result = try await list(actor: actor, status: status, page: page)
        let (write, read) = (actor.scope(.memberWrite), actor.scope(.memberRead))
        let ids = Array(Set(result.items.map(\.memberId)))
        let members = try await database.withConnection { [store] sql in
            try await store.members(ids: ids, on: sql).reduce(into: [Int64: Member]()) { $0[$1.id] = $1 }
        }
        return Page(
            items: result.items.map { t in
                let open = t.status == .pending
                return ListedTransfer(
                    transfer: t, memberName: members[t.memberId]?.name ?? "",
                    memberVisible: members[t.memberId].map { read.covers($0.orgPath) } ?? false,
                    canRelease: open && t.releasedAt == nil && write.covers(t.fromOrgPath),
                    canAccept: open && t.acceptedAt == nil && write.covers(t.toOrgPath))
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
        let fromName = try await unions.union(t.fromOrgId)?.name ?? ""
        let member = try await database.withConnection { [store] sql in try await store.member(t.memberId, on: sql) }
        let completed = try await database.transaction { [store, transfers] sql -> Bool in
            let updated = try await transfers.consent(id, side: side, by: who, at: now, on: sql)
            guard let updated else { throw AppError.conflict(MemberText.transferDecided) }
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_\(side.rawValue)", objectType: "member",
                                                 objectId: String(t.memberId), orgPath: path, detail: ["transfer": String(id)]), on: sql)
            guard updated.releasedAt != nil && updated.acceptedAt != nil else { return false }
            guard let to, to.active else { throw AppError.conflict(MemberText.unionNotGrassroots) }
            try await Self.move(memberIds: [t.memberId], to: to, reason: MemberText.joinedByTransfer, now: now, store: store, on: sql)
            try await transfers.complete(id, on: sql)
            let done = MemberText.transferDoneForUnion(member?.name ?? "", fromName, to.name)
            var notices = [t.fromOrgId, t.toOrgId].map { Notice(to: .org($0), kind: "transfer", text: done, at: now) }
            if let worker = member?.workerId {
                notices.append(WorkerMessages.notice(worker, kind: "transfer_done", MemberText.transferDone(fromName, to.name), at: now))
            }
            try await Notice.post(notices, on: sql)
            return true
        }
        if completed, let to { await messages.text(member?.workerId, MemberText.transferDoneSMS(to.name)) }
        return try await existing(id)
    }

    public func refuse(_ id: Int64, reason: String, actor: Actor) async throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 200 else { throw AppError.validation(["reason": MemberText.refuseReasonRequired]) }
        let t = try await actionable(id, actor: actor)
        let scope = actor.scope(.memberWrite)
        guard scope.covers(t.fromOrgPath) || scope.covers(t.toOrgPath) else { throw AppError.forbidden }
        let now = clock.now()
        let workerId = try await database.withConnection { [store] sql in try await store.member(t.memberId, on: sql)?.workerId }
        try await database.transaction { [transfers] sql in
            try await transfers.refuse(id, by: actor.displayName, at: now, reason: reason, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.transfer_refuse", objectType: "member",
                                                 objectId: String(t.memberId), orgPath: t.fromOrgPath, detail: ["reason": reason]), on: sql)
            if let workerId {
                try await Notice.post([WorkerMessages.notice(workerId, kind: "transfer_refused", MemberText.transferRefused(reason), at: now)], on: sql)
            }
        }
        await messages.text(workerId, MemberText.transferRefusedSMS)
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
            for var m in try await store.members(ids: ids, on: sql) {
                deltas.add(m.counterDeltas(sign: -1))
                m.orgId = union.id
                deltas.add(m.counterDeltas())
            }
            try await store.move(ids, to: union, reason: reason, today: today, now: now, on: sql)
        }
        try await store.bump(deltas, on: sql)
    }

    /// All members of `source` move to `target` (a merge of unions; 撤并). Runs in the caller's transaction.
    public static func moveAll(from source: OrgPath, to target: UnionRef, reason: String, now: Date, on sql: any SQLDatabase) async throws {
        let store = MemberStore()
        let ids = try await store.countedMemberIds(source, on: sql)
        try await move(memberIds: ids, to: target, reason: reason, now: now, store: store, on: sql)
    }
}
