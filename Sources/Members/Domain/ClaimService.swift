import Foundation
import Platform
import SQLKit

/// A worker's claim to a membership the union already holds (认领会籍): most members arrive by a
/// cadre's import, not by joining online, and find their record by ID number and name.
public struct MembershipClaim: Codable, Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, approved, refused

        public var label: String {
            switch self {
            case .pending: "待确认"
            case .approved: "已认领"
            case .refused: "未通过"
            }
        }
    }

    public var id: Int64
    public var workerId: Int64
    public var memberId: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var memberName: String
    public var phoneMask: String
    public var status: Status
    public var decidedBy: String?
    public var reason: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, workerId = "worker_id", memberId = "member_id", orgId = "org_id", orgPath = "org_path", memberName = "member_name"
        case phoneMask = "phone_mask", status, decidedBy = "decided_by", reason, createdAt = "created_at"
    }
}

/// 认领会籍: a worker's account is linked to the membership whose ID number and name they give. When
/// the phone on the record is the account's, the link is made at once; otherwise their union
/// confirms it. Every link is audited.
public struct ClaimService: Sendable {
    public enum Outcome: Sendable {
        /// The phone matched: the account now holds the membership of `union`.
        case linked(Member, union: String)
        /// `union` was asked to confirm.
        case asked(MembershipClaim, union: String)
    }

    let database: Database
    let records: MemberRecords
    let regions: any RegionCodeSet
    let unions: any UnionDirectory
    let clock: AppClock
    let messages: WorkerMessages
    let store = MemberStore()
    let claims = ClaimStore()

    public init(
        database: Database, records: MemberRecords, unions: any UnionDirectory, regions: any RegionCodeSet, sms: any SMSSender,
        clock: AppClock
    ) {
        self.database = database
        self.records = records
        self.unions = unions
        self.regions = regions
        self.clock = clock
        self.messages = WorkerMessages(database: database, records: records, sms: sms)
    }

    public func claim(workerId: Int64, phone: String, name: String, idNumber: String, actor: Actor) async throws -> Outcome {
        var v = Validator()
        let person = NamedPerson(idNumber: idNumber, name: name, regions: regions, problems: &v)
        try v.validate()
        guard let id = person.id else { throw AppError.validation(["idNumber": MemberText.idRequired]) }
        let name = person.name
        let (mine, found) = try await database.withConnection { [store, records] sql in
            (try await store.member(workerId: workerId, on: sql), try await store.member(idIndex: records.idIndex(id), on: sql))
        }
        if let mine, mine.isCounted { throw AppError.conflict(MemberText.alreadyActive) }
        // One claim at a time per account: a second, for another record, waits for the first.
        if try await pendingClaim(ofWorker: workerId) != nil { throw AppError.conflict(MemberText.claimPending) }
        guard let member = found, member.isCounted, member.name == name else { throw AppError.notFound(MemberText.claimNotFound) }
        guard member.workerId == nil else { throw AppError.conflict(MemberText.claimTaken) }
        let union = try await unions.union(member.orgId)
        let now = clock.now()
        if member.phoneIndex == records.phoneIndex(phone) {
            try await database.transaction { [claims] sql in
                try await link(member, to: workerId, how: "phone", actor: actor, union: union, now: now, claims: claims, on: sql)
            }
            await messages.text(workerId, MemberText.claimLinkedSMS(union?.name ?? ""))
            return .linked(try await self.member(member.id), union: union?.name ?? "")
        }
        let claimId = try await database.transaction { [claims] sql -> Int64 in
            if try await claims.pending(memberId: member.id, on: sql) != nil { throw AppError.conflict(MemberText.claimPending) }
            let claimId = try await claims.insert(
                workerId: workerId, member: member, phoneMask: Phone.mask(phone), now: now, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "member.claim_request", objectType: "member",
                    objectId: String(member.id), orgPath: member.orgPath, detail: ["claim": String(claimId)]), on: sql)
            try await Notice.post(
                [
                    Notice(to: .org(member.orgId), kind: "claim", text: MemberText.claimToConfirm(member.name, Phone.mask(phone)), at: now),
                    WorkerMessages.notice(workerId, kind: "claim", MemberText.claimAsked(union?.name ?? ""), at: now),
                ], on: sql)
            return claimId
        }
        guard let claim = try await claim(claimId) else { throw AppError.conflict(PlatformText.concurrentChange) }
        return .asked(claim, union: union?.name ?? "")
    }

    /// Links the account in the caller's transaction; refused if another account linked it meanwhile.
    func link(
        _ member: Member, to workerId: Int64, how: String, actor: Actor, union: UnionRef?, now: Date, claims: ClaimStore,
        on sql: any SQLDatabase
    ) async throws {
        guard try await claims.link(memberId: member.id, workerId: workerId, on: sql) else {
            throw AppError.conflict(MemberText.claimLinkRefused)
        }
        try await AuditLog.record(
            AuditEntry(
                actor: actor, action: "member.claim", objectType: "member", objectId: String(member.id),
                orgPath: member.orgPath, detail: ["worker": String(workerId), "by": how]), on: sql)
        try await Notice.post(
            [WorkerMessages.notice(workerId, kind: "claim", MemberText.claimLinked(union?.name ?? "", member.memberNo), at: now)], on: sql)
    }

    func member(_ id: Int64) async throws -> Member {
        guard let m = try await database.withConnection({ [store] in try await store.member(id, on: $0) }) else {
            throw AppError.notFound(MemberText.notFound)
        }
        return m
    }

    func claim(_ id: Int64) async throws -> MembershipClaim? {
        try await database.withConnection { [claims] sql in try await claims.claim(id, on: sql) }
    }

    /// The worker's claim still waiting for its union, if any.
    public func pendingClaim(ofWorker workerId: Int64) async throws -> MembershipClaim? {
        try await database.withConnection { [claims] sql in try await claims.pending(workerId: workerId, on: sql) }
    }

    // MARK: The union's side

    /// Claims waiting for unions in the cadre's scope, oldest first.
    public func pending(actor: Actor, page: PageRequest) async throws -> Page<MembershipClaim> {
        let scope = try actor.requireScope(.memberWrite)
        let after = try page.keyID()
        let rows = try await database.withConnection { [claims] sql in
            try await claims.pending(in: scope, after: after, limit: page.limit + 1, on: sql)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    public func pendingCount(actor: Actor) async throws -> Int {
        let scope = try actor.requireScope(.memberWrite)
        return try await database.withConnection { [claims] sql in try await claims.pendingCount(in: scope, on: sql) }
    }

    func decidable(_ id: Int64, actor: Actor) async throws -> MembershipClaim {
        let scope = try actor.requireScope(.memberWrite)
        guard let c = try await claim(id), scope.covers(c.orgPath) else { throw AppError.notFound(MemberText.claimRequestNotFound) }
        guard c.status == .pending else { throw AppError.conflict(MemberText.claimDecided) }
        return c
    }

    /// The union confirms the person is its member: the account is linked.
    public func approve(_ id: Int64, actor: Actor) async throws -> Member {
        let c = try await decidable(id, actor: actor)
        let member = try await member(c.memberId)
        let union = try await unions.union(member.orgId)
        let now = clock.now()
        try await database.transaction { [claims] sql in
            guard try await claims.decide(id, .approved, by: actor.displayName, reason: nil, at: now, on: sql) else {
                throw AppError.conflict(MemberText.claimDecided)
            }
            try await link(member, to: c.workerId, how: "union", actor: actor, union: union, now: now, claims: claims, on: sql)
        }
        await messages.text(c.workerId, MemberText.claimLinkedSMS(union?.name ?? ""))
        return try await self.member(member.id)
    }

    public func refuse(_ id: Int64, reason: String, actor: Actor) async throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 200 else { throw AppError.validation(["reason": MemberText.rejectReasonRequired]) }
        let c = try await decidable(id, actor: actor)
        let now = clock.now()
        try await database.transaction { [claims] sql in
            guard try await claims.decide(id, .refused, by: actor.displayName, reason: reason, at: now, on: sql) else {
                throw AppError.conflict(MemberText.claimDecided)
            }
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "member.claim_refuse", objectType: "member", objectId: String(c.memberId),
                    orgPath: c.orgPath, detail: ["claim": String(id), "reason": reason]), on: sql)
            try await Notice.post([WorkerMessages.notice(c.workerId, kind: "claim", MemberText.claimRefused(reason), at: now)], on: sql)
        }
        await messages.text(c.workerId, MemberText.claimRefusedSMS)
    }
}
