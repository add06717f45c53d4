import Foundation
import Platform
import SQLKit

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

    public init(database: Database, records: MemberRecords, sources: [any PersonalDataSource], clock: AppClock) {
        self.database = database
        self.records = records
        self.sources = sources
        self.clock = clock
    }

    /// Everything held about the worker, numbers in full (it is their own), as labelled sections.
    public func export(workerId: Int64, actor: Actor) async throws -> [(title: String, records: [[String: String]])] {
        let (worker, member, memberships, applications) = try await database.withConnection { [store] sql in
            let worker = try await sql.select().columns("phone_cipher", "created_at").from("workers").where("id", .equal, workerId).first()
            let member = try await store.member(workerId: workerId, on: sql)
            var memberships: [Membership] = []
            if let member { memberships = try await store.memberships(of: member.id, on: sql) }
            let applications = try await sql.select().columns("org_id", "name", "status", "created_at").from("join_applications")
                .where("worker_id", .equal, workerId).all()
            return (worker, member, memberships, applications)
        }
        var sections: [(String, [[String: String]])] = []
        if let worker {
            sections.append((MemberText.piplAccount, [[
                MemberText.piplPhone: try records.open(try worker.decode(column: "phone_cipher", as: String.self), MemberFields.workerPhone),
                MemberText.piplSince: CivilDate(date: try worker.decode(column: "created_at", as: Date.self)).iso,
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
        sections.append((MemberText.piplApplications, try applications.map {
            ["姓名": try $0.decode(column: "name", as: String.self), "状态": try $0.decode(column: "status", as: String.self),
             "时间": CivilDate(date: try $0.decode(column: "created_at", as: Date.self)).iso]
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
        return try await database.transaction { sql in
            let pending = try await sql.select().column("id").from("personal_data_requests").where("worker_id", .equal, workerId)
                .where("kind", .equal, kind.rawValue).where("status", .equal, PersonalDataRequest.Status.pending.rawValue).first()
            if pending != nil { throw AppError.conflict(MemberText.piplAlreadyPending) }
            let row = try await sql.insert(into: "personal_data_requests")
                .columns("worker_id", "member_id", "org_path", "kind", "detail", "status", "created_at")
                .values(
                    SQLBind(workerId), SQLBind(member?.id), SQLBind(member?.orgPath.rawValue), SQLBind(kind.rawValue), SQLBind(detail),
                    SQLBind(PersonalDataRequest.Status.pending.rawValue), SQLBind(now)
                )
                .returning("*").first(decoding: PersonalDataRequest.self)
            guard let row else { throw AppError.conflict(PlatformText.concurrentChange) }
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "pipl.request", objectType: "worker", objectId: String(workerId), orgPath: member?.orgPath,
                           detail: ["kind": kind.rawValue, "request": String(row.id)]), on: sql)
            return row
        }
    }

    public func requests(ofWorker workerId: Int64) async throws -> [PersonalDataRequest] {
        try await database.withConnection { sql in
            try await sql.select().column("*").from("personal_data_requests").where("worker_id", .equal, workerId).orderBy("id", .descending)
                .all(decoding: PersonalDataRequest.self)
        }
    }

    /// Pending requests of members in the actor's scope (requests of workers without a membership go to no union).
    public func pending(actor: Actor) async throws -> [PersonalDataRequest] {
        let scope = try actor.requireScope(.memberWrite)
        return try await database.withConnection { sql in
            try await sql.select().column("*").from("personal_data_requests").where("org_path", in: scope)
                .where("status", .equal, PersonalDataRequest.Status.pending.rawValue).orderBy("id").limit(200)
                .all(decoding: PersonalDataRequest.self)
        }
    }

    /// Decides a request. A deletion that is granted ends the membership and erases the personal
    /// fields of the member and the worker account; a correction is made on the member page first.
    public func decide(_ id: Int64, grant: Bool, note: String, actor: Actor) async throws {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (2...500).contains(note.count) else { throw AppError.validation(["note": MemberText.piplNoteRequired]) }
        let scope = try actor.requireScope(.memberWrite)
        guard let request = try await database.withConnection({ sql in
            try await sql.select().column("*").from("personal_data_requests").where("id", .equal, id).first(decoding: PersonalDataRequest.self)
        }), let path = request.orgPath, scope.covers(path)
        else { throw AppError.notFound() }
        guard request.status == .pending else { throw AppError.conflict(MemberText.piplDecided) }
        let now = clock.now()
        let today = CivilDate(date: now).iso
        let erased = "erased:\(randomToken(bytes: 12))"
        try await database.transaction { [store, records] sql in
            if grant && request.kind == .deletion, let memberId = request.memberId,
                let member = try await sql.select().column("*").from("members").where("id", .equal, memberId).first(decoding: Member.self)
            {
                if member.isCounted {
                    var after = member
                    after.status = MembershipStatus.lapsed.rawValue
                    var deltas = member.counterDeltas(sign: -1)
                    deltas.add(after.counterDeltas())
                    try await store.bump(deltas, on: sql)
                    try await store.closeMembership(memberId: memberId, on: today, reason: MemberText.piplErasedReason, on: sql)
                }
                // The membership history and the number stay (the rules keep them); who the person was goes.
                try await sql.update("members").set("name", to: MemberText.piplErasedName)
                    .set("id_cipher", to: try records.seal("", MemberFields.idNumber)).set("id_index", to: erased).set("id_mask", to: "******")
                    .set("phone_cipher", to: Optional<String>.none).set("phone_index", to: Optional<String>.none)
                    .set("phone_mask", to: Optional<String>.none).set("ethnicity", to: Optional<String>.none)
                    .set("education", to: Optional<String>.none).set("political_status", to: Optional<String>.none)
                    .set("job", to: Optional<String>.none).set("worker_id", to: Optional<Int64>.none)
                    .set("status", to: member.isCounted ? MembershipStatus.lapsed.rawValue : member.status).set("updated_at", to: now)
                    .where("id", .equal, memberId).run()
            }
            if grant && request.kind == .deletion {
                try await sql.update("workers").set("phone_cipher", to: try records.seal("", MemberFields.workerPhone))
                    .set("phone_index", to: erased).set("phone_mask", to: "******").set("password_hash", to: "!")
                    .where("id", .equal, request.workerId).run()
                try await sql.delete(from: "worker_sessions").where("worker_id", .equal, request.workerId).run()
            }
            try await sql.update("personal_data_requests")
                .set("status", to: (grant ? PersonalDataRequest.Status.done : .refused).rawValue)
                .set("decided_by", to: actor.displayName).set("decided_at", to: now).set("outcome", to: note)
                .where("id", .equal, id).run()
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "pipl.\(request.kind.rawValue)", objectType: "worker", objectId: String(request.workerId),
                           orgPath: path, result: .ok, detail: ["request": String(id), "granted": String(grant), "note": note]), on: sql)
        }
    }
}
