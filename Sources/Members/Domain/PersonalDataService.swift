import Foundation
import Platform

/// Personal information another module holds about a worker (their work orders), for the export.
public protocol PersonalDataSource: Sendable {
    /// A titled list of records, each a list of labelled values.
    func personalData(ofWorker workerId: Int64) async throws -> (title: String, records: [[String: String]])
}

/// A worker's request about their personal information (PIPL arts. 44–47).
public struct PersonalDataRequest: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case correction, deletion
        public var label: String { self == .correction ? MemberText.piplCorrection : MemberText.piplDeletion }
    }

    public enum Status: String, Codable, Sendable {
        case pending, done, refused
        public var label: String {
            switch self {
            case .pending: MemberText.piplPending
            case .done: MemberText.piplDone
            case .refused: MemberText.piplRefused
            }
        }
    }

    public var id: Int64
    public var workerId: Int64
    public var memberId: Int64?
    public var orgPath: OrgPath?
    public var kind: Kind
    public var detail: String
    public var status: Status
    public var createdAt: Date
    public var decidedBy: String?
    public var decidedAt: Date?
    public var outcome: String?

    enum CodingKeys: String, CodingKey {
        case id, workerId = "worker_id", memberId = "member_id", orgPath = "org_path", kind, detail, status
        case createdAt = "created_at", decidedBy = "decided_by", decidedAt = "decided_at", outcome
    }
}

/// What the federation holds about a worker, given to them on request; their requests to correct
/// or delete it, decided by their union. Deletion keeps what the rules require (membership history,
/// the audit trail) and erases the personal fields; everything is audited.
public struct PersonalDataService: Sendable {
    let database: Database
    let records: MemberRecords
    let sources: [any PersonalDataSource]
    let clock: AppClock
    let store = MemberStore()
    let workers = WorkerStore()
    let joins = JoinStore()
    let requests = PersonalDataStore()

    let endListeners: [any MembershipEndListener]

    public init(
        database: Database, records: MemberRecords, sources: [any PersonalDataSource], clock: AppClock,
        endListeners: [any MembershipEndListener] = []
    ) {
        self.endListeners = endListeners
        self.database = database
        self.records = records
        self.sources = sources
        self.clock = clock
    }

    /// Everything held about the worker, numbers in full (it is their own), as labelled sections.
    public func export(workerId: Int64, actor: Actor) async throws -> [(title: String, records: [[String: String]])] {
        let (phone, since, member, memberships, applications) = try await database.withConnection { [store, workers, joins] sql in
            let phone = try await workers.phoneCipher(workerId: workerId, on: sql)
            let since = try await workers.createdAt(workerId: workerId, on: sql)
            let member = try await store.member(workerId: workerId, on: sql)
            var memberships: [Membership] = []
            if let member { memberships = try await store.memberships(of: member.id, on: sql) }
            let applications = try await joins.applications(ofWorker: workerId, limit: 1000, on: sql)
            return (phone, since, member, memberships, applications)
        }
        var sections: [(String, [[String: String]])] = []
        if let phone, let since {
            sections.append((MemberText.piplAccount, [[
                MemberText.piplPhone: try records.open(phone, MemberFields.workerPhone), MemberText.piplSince: CivilDate(date: since).iso,
            ]]))
        }
        if let m = member {
            sections.append((MemberText.piplMember, [[
                "姓名": m.name, "身份证号": try records.open(m.idCipher, MemberFields.idNumber),
                "手机号": try m.phoneCipher.map { try records.open($0, MemberFields.phone) } ?? "", "性别": m.gender, "出生日期": m.birthDate,
                "民族": m.ethnicity.flatMap { Ethnicity(code: $0)?.name } ?? "", "学历": m.education.flatMap { Education(code: $0)?.name } ?? "",
                "政治面貌": m.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name } ?? "", "工作岗位": m.job ?? "",
                "会员编号": m.memberNo, "入会日期": m.joinDate, "会籍状态": m.membershipStatus.label,
            ]]))
            sections.append((MemberText.piplMemberships, memberships.map {
                ["工会": $0.orgName, "起": $0.startedOn, "止": $0.endedOn ?? "", "原因": $0.reason]
            }))
        }
        sections.append((MemberText.piplApplications, applications.map {
            ["姓名": $0.name, "状态": $0.status.rawValue, "时间": CivilDate(date: $0.createdAt).iso]
        }))
        for source in sources { sections.append(try await source.personalData(ofWorker: workerId)) }
        try await AuditLog(database: database).record(
            AuditEntry(actor: actor, action: "pipl.export", objectType: "worker", objectId: String(workerId), orgPath: member?.orgPath))
        return sections
    }

    /// Files a correction or deletion request; one pending request of each kind at a time.
    public func request(workerId: Int64, kind: PersonalDataRequest.Kind, detail: String, actor: Actor) async throws -> PersonalDataRequest {
        let detail = detail.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...500).contains(detail.count) else { throw AppError.validation(["detail": MemberText.piplDetailRequired]) }
        let now = clock.now()
        let member = try await database.withConnection { [store] in try await store.member(workerId: workerId, on: $0) }
        return try await database.transaction { [requests] sql in
            if try await requests.hasPending(workerId: workerId, kind: kind, on: sql) { throw AppError.conflict(MemberText.piplAlreadyPending) }
            let row = try await requests.insert(workerId: workerId, member: member, kind: kind, detail: detail, now: now, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "pipl.request", objectType: "worker", objectId: String(workerId), orgPath: member?.orgPath,
                           detail: ["kind": kind.rawValue, "request": String(row.id)]), on: sql)
            return row
        }
    }

    public func requests(ofWorker workerId: Int64) async throws -> [PersonalDataRequest] {
        try await database.withConnection { [requests] sql in try await requests.requests(ofWorker: workerId, on: sql) }
    }

    /// Pending requests of members in the actor's scope (requests of workers without a membership go to no union).
    public func pending(actor: Actor) async throws -> [PersonalDataRequest] {
        let scope = try actor.requireScope(.memberWrite)
        return try await database.withConnection { [requests] sql in try await requests.pending(in: scope, limit: 200, on: sql) }
    }

    /// Decides a request. A deletion that is granted ends the membership and erases the personal
    /// fields of the member and the worker account; a correction is made on the member page first.
    public func decide(_ id: Int64, grant: Bool, note: String, actor: Actor) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...500).contains(note.count) else { throw AppError.validation(["note": MemberText.piplNoteRequired]) }
        let scope = try actor.requireScope(.memberWrite)
        guard let request = try await database.withConnection({ [requests] sql in try await requests.request(id, on: sql) }), let path = request.orgPath, scope.covers(path)
        else { throw AppError.notFound() }
        guard request.status == .pending else { throw AppError.conflict(MemberText.piplDecided) }
        let now = clock.now()
        let today = CivilDate(date: now).iso
        let erased = "erased:\(randomToken(bytes: 12))"
        try await database.transaction { [store, workers, requests, records, endListeners] sql in
            if grant && request.kind == .deletion, let memberId = request.memberId, let member = try await store.member(memberId, on: sql)
            {
                if member.isCounted {
                    var after = member
                    after.status = MembershipStatus.lapsed.rawValue
                    var deltas = member.counterDeltas(sign: -1)
                    deltas.add(after.counterDeltas())
                    try await store.bump(deltas, on: sql)
                    try await store.closeMembership(memberId: memberId, on: today, reason: MemberText.piplErasedReason, on: sql)
                    try await MemberService.membershipEnded(memberId, reason: MemberText.piplErasedReason, listeners: endListeners, on: sql)
                }
                // The membership history and the number stay (the rules keep them); who the person was goes.
                try await store.erasePerson(
                    memberId, name: MemberText.piplErasedName, sealedBlankId: try records.seal("", MemberFields.idNumber), erasedIndex: erased,
                    status: member.isCounted ? MembershipStatus.lapsed.rawValue : member.status, now: now, on: sql)
            }
            if grant && request.kind == .deletion {
                try await workers.erase(
                    workerId: request.workerId, sealedBlank: try records.seal("", MemberFields.workerPhone), erasedIndex: erased, on: sql)
            }
            try await requests.decide(id, granted: grant, by: actor.displayName, at: now, outcome: note, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "pipl.\(request.kind.rawValue)", objectType: "worker", objectId: String(request.workerId),
                           orgPath: path, result: .ok, detail: ["request": String(id), "granted": String(grant), "note": note]), on: sql)
        }
    }
}
