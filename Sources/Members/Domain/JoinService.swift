import Foundation
import Platform
import SQLKit

/// An application to join (网上入会), as the union and the worker see it.
public struct JoinApplication: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case pending, approved, rejected

        public var label: String {
            switch self {
            case .pending: "待审核"
            case .approved: "已批准"
            case .rejected: "未批准"
            }
        }
    }

    public var id: Int64
    public var workerId: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var workplace: String
    public var workplaceHasUnion: Bool
    public var name: String
    public var gender: String
    public var birthDate: String
    public var idMask: String
    public var phoneMask: String
    public var migrantWorker: Bool
    public var status: Status
    public var reason: String?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var memberId: Int64?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, workerId = "worker_id", orgId = "org_id", orgPath = "org_path", workplace
        case workplaceHasUnion = "workplace_has_union", name, gender, birthDate = "birth_date", idMask = "id_mask"
        case phoneMask = "phone_mask", migrantWorker = "migrant_worker", status, reason, decidedBy = "decided_by"
        case decidedAt = "decided_at", memberId = "member_id", createdAt = "created_at"
    }
}

/// Joining online: a worker applies to their workplace's union (or, where the workplace has none,
/// to the township or county union), and that union approves or rejects with a reason.
public struct JoinService: Sendable {
    let database: Database
    let store = MemberStore()
    let joins = JoinStore()
    let records: MemberRecords
    let unions: any UnionDirectory
    let regions: any RegionCodeSet
    let clock: AppClock
    let messages: WorkerMessages

    public init(
        database: Database, records: MemberRecords, unions: any UnionDirectory, regions: any RegionCodeSet, sms: any SMSSender, clock: AppClock
    ) {
        self.database = database
        self.records = records
        self.messages = WorkerMessages(database: database, records: records, sms: sms)
        self.unions = unions
        self.regions = regions
        self.clock = clock
    }

    var validator: MemberValidator { MemberValidator(regions: regions, today: CivilDate(date: clock.now())) }

    public func apply(workerId: Int64, phone: String, input: MemberInput, unionId: Int64, workplace: String, workplaceHasUnion: Bool,
                      actor: Actor) async throws -> JoinApplication {
        var input = input
        input.phone = phone
        input.joinDate = nil
        var problems: FieldProblems
        var valid: ValidMember?
        switch validator.validate(input) {
        case .success(let v): valid = v; problems = FieldProblems()
        case .failure(let p): problems = p
        }
        let workplace = workplace.trimmingCharacters(in: .whitespacesAndNewlines)
        if workplace.isEmpty || workplace.count > 100 { problems.add("workplace", MemberText.workplaceRequired) }
        let union = unionId > 0 ? try await unions.union(unionId) : nil
        if let problem = Self.unionProblem(union, chosen: unionId > 0, workplaceHasUnion: workplaceHasUnion) { problems.add("unionId", problem) }
        guard problems.isEmpty, let valid, let union else { throw problems.appError }
        let now = clock.now()
        let idIndex = records.idIndex(valid.idNumber)
        let insert = { @Sendable [records, store, joins] (sql: any SQLDatabase) async throws -> Int64 in
            if try await joins.hasPending(workerId: workerId, on: sql) { throw AppError.conflict(MemberText.applicationPending) }
            // A member applies once: not again under another ID number, and no two accounts for one person.
            if let mine = try await store.member(workerId: workerId, on: sql), mine.isCounted { throw AppError.conflict(MemberText.alreadyActive) }
            if try await joins.hasPending(idIndex: idIndex, on: sql) { throw AppError.conflict(MemberText.idApplicationPending) }
            if let existing = try await store.member(idIndex: idIndex, on: sql), existing.isCounted {
                // Most members were imported by their union: this one is to be claimed, not joined again.
                throw AppError.conflict(existing.workerId == nil ? MemberText.claimInstead : MemberText.alreadyActive)
            }
            let id = try await joins.insert(
                JoinStore.NewApplication(
                    workerId: workerId, union: union, workplace: workplace, workplaceHasUnion: workplaceHasUnion, member: valid,
                    idCipher: try records.seal(valid.idNumber.value, MemberFields.applicationIdNumber), idIndex: records.idIndex(valid.idNumber),
                    phoneCipher: try records.seal(phone, MemberFields.applicationPhone), phoneIndex: records.phoneIndex(phone),
                    phoneMask: Phone.mask(phone)),
                now: now, on: sql)
            try await store.bump([CounterKey(orgId: union.id, metric: .pending): 1], on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.apply", objectType: "join_application",
                                                 objectId: String(id), orgPath: union.path, detail: ["union": union.name]), on: sql)
            return id
        }
        let id: Int64
        do {
            id = try await database.transaction(insert)
        } catch where Database.isUniqueViolation(error) {
            // Another account filed for the same ID number at the same moment: the index kept one.
            throw AppError.conflict(MemberText.idApplicationPending)
        }
        guard let filed = try await application(id) else { throw AppError.conflict(PlatformText.concurrentChange) }
        return filed
    }

    /// Why a worker may not join `union`, in the words that fit the case; nil if they may.
    static func unionProblem(_ union: UnionRef?, chosen: Bool, workplaceHasUnion: Bool) -> String? {
        guard chosen else { return MemberText.chooseUnion }
        guard let union else { return MemberText.unionNotFound }
        guard union.active else { return MemberText.unionClosed }
        if union.isLocalFederation && workplaceHasUnion { return MemberText.joinYourWorkplaceUnion }
        return union.acceptsMembers ? nil : MemberText.unionNotGrassroots
    }

    func application(_ id: Int64) async throws -> JoinApplication? {
        try await database.withConnection { [joins] sql in try await joins.application(id, on: sql) }
    }

    /// The worker's own applications, newest first.
    public func applications(ofWorker workerId: Int64) async throws -> [JoinApplication] {
        try await database.withConnection { [joins] sql in try await joins.applications(ofWorker: workerId, limit: 20, on: sql) }
    }

    /// Applications to unions in the cadre's scope, pending ones first.
    public func applications(actor: Actor, status: JoinApplication.Status?, page: PageRequest) async throws -> Page<JoinApplication> {
        let scope = try actor.requireScope(.memberWrite)
        let after = try page.keyID()
        let rows = try await database.withConnection { [joins] sql in
            try await joins.applications(in: scope, status: status, after: after, limit: page.limit + 1, on: sql)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// Unions a worker may join or move to, matching `text`, and the one already chosen (kept on the form).
    /// Applications waiting for a decision in the cadre's scope (the workbench).
    public func pendingCount(actor: Actor) async throws -> Int {
        let scope = try actor.requireScope(.memberWrite)
        return try await database.withConnection { [joins] sql in try await joins.pendingCount(in: scope, on: sql) }
    }

    public func joinableUnions(matching text: String, keeping chosen: Int64? = nil) async throws -> [UnionRef] {
        var found = try await unions.search(text, limit: 20).filter(\.acceptsMembers)
        if let chosen, !found.contains(where: { $0.id == chosen }), let union = try await unions.unions([chosen]).first {
            found.insert(union, at: 0)
        }
        return found
    }

    public func approve(_ id: Int64, actor: Actor) async throws -> Member {
        let now = clock.now()
        let today = CivilDate(date: now).iso
        let (app, union) = try await decidable(id, actor: actor)
        let approved = try await database.transaction { [store, joins, records, dialect = database.dialect] sql -> Member in
            guard let sealed = try await joins.pendingSealed(id, on: sql) else { throw AppError.conflict(MemberText.applicationDecided) }
            let idIndex = sealed.idIndex
            var deltas: [CounterKey: Int64] = [CounterKey(orgId: app.orgId, metric: .pending): -1]
            var member: Member
            if var existing = try await store.member(idIndex: idIndex, on: sql) {
                // A former member rejoins: the same person, a new membership.
                guard !existing.isCounted else { throw AppError.conflict(MemberText.alreadyActive) }
                existing.orgId = union.id
                existing.orgPath = union.path
                existing.status = MembershipStatus.active.rawValue
                existing.joinDate = today
                existing.workerId = app.workerId
                try await store.rejoin(existing, now: now, on: sql)
                member = existing
            } else {
                let memberId = try await store.allocateIds(1, dialect: dialect, on: sql)[0]
                member = Member(
                    id: memberId, orgId: union.id, orgPath: union.path, name: app.name, gender: app.gender, birthDate: app.birthDate,
                    ethnicity: sealed.ethnicity,
                    // Sealed again for the members table: a seal names its column.
                    idCipher: try records.seal(try records.open(sealed.idCipher, MemberFields.applicationIdNumber), MemberFields.idNumber),
                    idIndex: idIndex, idMask: app.idMask,
                    phoneCipher: try records.seal(try records.open(sealed.phoneCipher, MemberFields.applicationPhone), MemberFields.phone),
                    phoneIndex: sealed.phoneIndex, phoneMask: app.phoneMask, education: sealed.education,
                    politicalStatus: sealed.politicalStatus, job: sealed.job, migrantWorker: app.migrantWorker, memberNo: records.memberNo(memberId),
                    joinDate: today, status: MembershipStatus.active.rawValue, cardNo: nil, workerId: app.workerId, createdAt: now, updatedAt: now)
                try await store.insert([member], importJob: nil, on: sql)
            }
            try await store.openMemberships([member], orgNames: [union.id: union.name], reason: MemberText.joinedOnline, now: now, on: sql)
            deltas.add(member.counterDeltas())
            deltas[CounterKey(orgId: union.id, metric: .joined, period: String(today.prefix(7)))] = 1
            try await store.bump(deltas, on: sql)
            try await joins.markApproved(id, by: actor.displayName, at: now, memberId: member.id, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.approve", objectType: "join_application",
                                                 objectId: String(id), orgPath: union.path, detail: ["member": String(member.id)]), on: sql)
            try await Notice.post(
                [WorkerMessages.notice(app.workerId, kind: "join_approved", MemberText.joinApproved(union.name, member.memberNo), at: now)], on: sql)
            return member
        }
        await messages.text(app.workerId, MemberText.joinApprovedSMS(union.name))
        return approved
    }

    public func reject(_ id: Int64, reason: String, actor: Actor) async throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 200 else { throw AppError.validation(["reason": MemberText.rejectReasonRequired]) }
        let (app, union) = try await decidable(id, actor: actor)
        let now = clock.now()
        try await database.transaction { [store, joins] sql in
            guard try await joins.reject(id, reason: reason, by: actor.displayName, at: now, on: sql) else { throw AppError.conflict(MemberText.applicationDecided) }
            try await store.bump([CounterKey(orgId: app.orgId, metric: .pending): -1], on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.reject", objectType: "join_application",
                                                 objectId: String(id), orgPath: app.orgPath, detail: ["reason": reason]), on: sql)
            try await Notice.post(
                [WorkerMessages.notice(app.workerId, kind: "join_rejected", MemberText.joinRejected(union.name, reason), at: now)], on: sql)
        }
        await messages.text(app.workerId, MemberText.joinRejectedSMS(union.name))
    }

    func decidable(_ id: Int64, actor: Actor) async throws -> (JoinApplication, UnionRef) {
        let scope = try actor.requireScope(.memberWrite)
        guard let app = try await application(id), scope.covers(app.orgPath) else { throw AppError.notFound(MemberText.applicationNotFound) }
        guard app.status == .pending else { throw AppError.conflict(MemberText.applicationDecided) }
        guard let union = try await unions.union(app.orgId), union.active else { throw AppError.conflict(MemberText.unionNotGrassroots) }
        return (app, union)
    }
}
