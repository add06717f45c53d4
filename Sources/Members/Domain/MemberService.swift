import Foundation
import Platform
import SQLKit

/// What a cadre looks for: a name prefix, an ID number, a phone number or a member number (told
/// apart by their shape), within a union's subtree, by status and migrant flag.
public struct MemberQuery: Sendable {
    public var text: String
    public var orgId: Int64?
    public var status: MembershipStatus?
    public var migrantWorker: Bool?

    public init(text: String = "", orgId: Int64? = nil, status: MembershipStatus? = nil, migrantWorker: Bool? = nil) {
        self.text = text
        self.orgId = orgId
        self.status = status
        self.migrantWorker = migrantWorker
    }
}

/// The staff-side use cases of the member database.
public struct MemberService: Sendable {
    let database: Database
    let store = MemberStore()
    let records: MemberRecords
    let unions: any UnionDirectory
    let regions: any RegionCodeSet
    let clock: AppClock
    let audit: AuditLog
    let endListeners: [any MembershipEndListener]

    public init(
        database: Database, records: MemberRecords, unions: any UnionDirectory, regions: any RegionCodeSet, clock: AppClock,
        endListeners: [any MembershipEndListener] = []
    ) {
        self.endListeners = endListeners
        self.database = database
        self.records = records
        self.unions = unions
        self.regions = regions
        self.clock = clock
        self.audit = AuditLog(database: database)
    }

    var today: CivilDate { CivilDate(date: clock.now()) }

    /// A membership that ends holds no card: the number leaves the record (the counters already moved
    /// with the status) and the listeners (the card domain) cancel what they hold, in the same transaction.
    static func membershipEnded(_ id: Int64, reason: String, listeners: [any MembershipEndListener], on sql: any SQLDatabase) async throws {
        try await sql.update("members").set("card_no", to: Optional<String>.none).where("id", .equal, id).run()
        for listener in listeners { try await listener.membershipEnded(memberId: id, reason: reason, on: sql) }
    }
    var validator: MemberValidator { MemberValidator(regions: regions, today: today) }

    // MARK: Search and read

    public func search(_ query: MemberQuery, actor: Actor, page: PageRequest) async throws -> Page<Member> {
        let scope = try actor.requireScope(.memberRead)
        var subtree: OrgPath?
        if let orgId = query.orgId {
            guard let union = try await unions.union(orgId), scope.covers(union.path) else { throw AppError.notFound() }
            subtree = union.path
        }
        let text = query.text.trimmingCharacters(in: .whitespaces)
        let keys = try page.keys()
        let byName = !text.isEmpty && lookupKind(text) == .name
        var filter = MemberFilter(scope: scope, subtree: subtree, status: query.status, migrantWorker: query.migrantWorker)
        switch text.isEmpty ? .none : Self.kind(of: text, regions: regions) {
        case .none: break
        case .idNumber(let id): filter.match = .idIndex(records.idIndex(id))
        case .phone(let phone): filter.match = .phoneIndex(records.phoneIndex(phone))
        case .memberNo: filter.match = .memberNo(text)
        case .name: filter.match = .namePrefix(text)
        }
        var after: MemberFilter.After?
        if let keys, keys.count == 2, let id = Int64(keys[1]) { after = .name(keys[0], id) }
        if let keys, keys.count == 1, let id = Int64(keys[0]) { after = .id(id) }
        let rows = try await database.withConnection { [store, filter, after] sql in
            try await store.members(filter, after: after, limit: page.limit + 1, on: sql)
        }
        return Page(fetched: rows, limit: page.limit) { byName ? [$0.name, String($0.id)] : [String($0.id)] }
    }

    enum LookupKind: Equatable {
        case none, name, memberNo
        case idNumber(IDNumber)
        case phone(String)
    }

    func lookupKind(_ text: String) -> LookupKind { Self.kind(of: text, regions: regions) }

    static func kind(of text: String, regions: any RegionCodeSet) -> LookupKind {
        if case .success(let id) = IDNumber.parse(text, regions: regions) { return .idNumber(id) }
        if case .success(let phone) = Phone.parse(text) { return .phone(phone.value) }
        if text.count == 14, text.allSatisfy({ $0.isASCII && $0.isNumber }) { return .memberNo }
        return .name
    }

    public func get(_ id: Int64, actor: Actor) async throws -> Member {
        let scope = try actor.requireScope(.memberRead)
        guard let member = try await database.withConnection({ [store] in try await store.member(id, on: $0) }),
            scope.covers(member.orgPath)
        else { throw AppError.notFound(MemberText.notFound) }
        return member
    }

    public func memberships(of id: Int64, actor: Actor) async throws -> [Membership] {
        let member = try await get(id, actor: actor)
        return try await database.withConnection { [store] in try await store.memberships(of: member.id, on: $0) }
    }

    public enum RevealField: String, Sendable { case idNumber = "id_number", phone }

    /// The full ID or phone number, for roles that may see it, with a reason; every reveal is audited.
    public func reveal(_ id: Int64, field: RevealField, reason: String, actor: Actor) async throws -> String {
        let member = try await get(id, actor: actor)
        guard actor.scope(.memberReveal).covers(member.orgPath) else {
            try await audit.record(AuditEntry(actor: actor, action: "member.reveal", objectType: "member", objectId: String(id),
                                              orgPath: member.orgPath, result: .denied, detail: ["field": field.rawValue]))
            throw AppError.forbidden
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 2, reason.count <= 200 else { throw AppError.validation(["reason": MemberText.revealReasonRequired]) }
        let sealed = field == .idNumber ? member.idCipher : member.phoneCipher
        guard let sealed else { return "" }
        let value = try records.open(sealed, field == .idNumber ? MemberFields.idNumber : MemberFields.phone)
        try await audit.record(AuditEntry(actor: actor, action: "member.reveal", objectType: "member", objectId: String(id),
                                          orgPath: member.orgPath, detail: ["field": field.rawValue, "reason": reason]))
        return value
    }

    // MARK: Writes

    /// A cadre registers a member directly (walk-in, paper form).
    public func create(_ input: MemberInput, unionId: Int64, actor: Actor) async throws -> Member {
        let union = try await writableUnion(unionId, actor: actor)
        let valid = try validator.validate(input).orValidationError()
        let now = clock.now()
        let member = try await database.transaction { [store, records, dialect = database.dialect] sql in
            if try await store.member(idIndex: records.idIndex(valid.idNumber), on: sql) != nil {
                throw AppError.validation(["idNumber": MemberText.alreadyMember])
            }
            let id = try await store.allocateIds(1, dialect: dialect, on: sql)[0]
            let member = try records.make(valid, id: id, union: union, workerId: nil, now: now)
            try await store.insert([member], importJob: nil, on: sql)
            try await store.openMemberships([member], orgNames: [union.id: union.name], reason: MemberText.joinedByClerk, now: now, on: sql)
            var deltas = member.counterDeltas()
            deltas[CounterKey(orgId: union.id, metric: .joined, period: member.joinDate.prefix(7).description)] = 1
            try await store.bump(deltas, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.create", objectType: "member", objectId: String(id),
                                                 orgPath: union.path, detail: ["memberNo": member.memberNo]), on: sql)
            return member
        }
        return member
    }

    /// Edits the fields that may change (not the ID number: a wrong one is a new registration).
    /// The console's edit form: every field is sent.
    public func update(_ id: Int64, _ input: MemberInput, actor: Actor) async throws -> Member {
        try await update(id, MemberPatch(full: input), actor: actor)
    }

    /// Changes only the fields `patch` sends (the API's PATCH); the rest keep their values.
    public func update(_ id: Int64, _ patch: MemberPatch, actor: Actor) async throws -> Member {
        let current = try await get(id, actor: actor)
        guard actor.scope(.memberWrite).covers(current.orgPath) else { throw AppError.forbidden }
        var merged = patch.applied(to: current, phone: try current.phoneCipher.map { try records.open($0, MemberFields.phone) })
        merged.idNumber = try records.open(current.idCipher, MemberFields.idNumber)
        let valid = try validator.validate(merged).orValidationError()
        var updated = current
        updated.name = valid.name
        updated.ethnicity = valid.ethnicity
        updated.education = valid.education
        updated.politicalStatus = valid.politicalStatus
        updated.job = valid.job
        updated.migrantWorker = valid.migrantWorker
        if !patch.phone.isAbsent {
            updated.phoneCipher = try valid.phone.map { try records.seal($0, MemberFields.phone) }
            updated.phoneIndex = valid.phone.map(records.phoneIndex)
            updated.phoneMask = valid.phone.map(Phone.mask)
        }
        let now = clock.now()
        try await database.transaction { [store, updated] sql in
            try await store.updateEditable(updated, now: now, on: sql)
            var deltas = current.counterDeltas(sign: -1)
            deltas.add(updated.counterDeltas())
            try await store.bump(deltas, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.update", objectType: "member", objectId: String(id),
                                                 orgPath: current.orgPath, detail: Self.changes(current, updated)), on: sql)
        }
        return updated
    }

    /// Retire (keeping membership), lapse, record a death, or reinstate.
    /// The statuses a membership may change to from `status` (a transfer moves it, not this).
    public static func nextStatuses(_ status: MembershipStatus) -> [MembershipStatus] {
        switch status {
        case .active: [.retiredKept, .lapsed, .deceased]
        case .retiredKept: [.active, .lapsed, .deceased]
        case .lapsed: [.active]
        case .transferredOut, .deceased: []
        }
    }

    /// Unions matching `text` where the actor may register members (grassroots or a local federation).
    public func placeableUnions(matching text: String, actor: Actor) async throws -> [UnionRef] {
        let scope = actor.scope(.memberWrite)
        return try await unions.search(text, limit: 30).filter { $0.acceptsMembers && scope.covers($0.path) }
    }

    /// The youngest age at which a member may retire by the statutory rules (国务院 2024 年决定:
    /// 男 60 → 63, 女职工 50 → 55, phased in from 2025); below it, retirement is set only when confirmed.
    static func statutoryMinimum(_ gender: Gender) -> Int { gender == .male ? 60 : 50 }

    /// A change of membership status (退休保留会籍, 退会, …): counters move, and the membership history
    /// gets an entry (a retirement ends the working period and starts the retired-kept one).
    public func setStatus(_ id: Int64, to status: MembershipStatus, note: String?, confirmed: Bool = false, actor: Actor) async throws {
        let member = try await get(id, actor: actor)
        guard actor.scope(.memberWrite).covers(member.orgPath) else { throw AppError.forbidden }
        let from = member.membershipStatus
        guard Self.nextStatuses(from).contains(status) else { throw AppError.conflict(MemberText.badStatusChange) }
        let now = clock.now()
        let today = self.today
        if status == .retiredKept, !confirmed, let birth = CivilDate(iso: member.birthDate), let gender = Gender(rawValue: member.gender) {
            let age = birth.age(on: today)
            if age < Self.statutoryMinimum(gender) {
                throw AppError(.conflict, code: "confirmation_required", message: MemberText.retiringEarly(age))
            }
        }
        let unionName = try await unions.union(member.orgId)?.name ?? ""
        try await database.transaction { [store, endListeners] sql in
            try await store.setStatus(id, to: status, now: now, on: sql)
            var after = member
            after.status = status.rawValue
            var deltas = member.counterDeltas(sign: -1)
            deltas.add(after.counterDeltas())
            try await store.bump(deltas, on: sql)
            if status == .lapsed || status == .deceased {
                try await store.closeMembership(memberId: id, on: today.iso, reason: status.label, on: sql)
                try await Self.membershipEnded(id, reason: status.label, listeners: endListeners, on: sql)
            } else if from.isCounted && status.isCounted {
                // Working ↔ retired-kept: one period ends and the next begins, in the same union.
                try await store.closeMembership(memberId: id, on: today.iso, reason: status.label, on: sql)
                var next = after
                next.joinDate = today.iso
                try await store.openMemberships([next], orgNames: [member.orgId: unionName], reason: status.label, now: now, on: sql)
            }
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.status", objectType: "member", objectId: String(id),
                                                 orgPath: member.orgPath, detail: ["from": from.rawValue, "to": status.rawValue, "note": note ?? ""]), on: sql)
        }
    }

    func writableUnion(_ unionId: Int64, actor: Actor) async throws -> UnionRef {
        // Without member.write anywhere it is a refusal of the act, not of the union chosen.
        guard actor.principal?.can(.memberWrite) == true || actor.isSystem else {
            try await audit.record(AuditEntry(actor: actor, action: "member.create", objectType: "union", objectId: String(unionId),
                                              orgPath: nil, result: .denied))
            throw AppError.forbidden
        }
        guard let union = try await unions.union(unionId), actor.scope(.memberWrite).covers(union.path) else {
            throw AppError.validation(["unionId": MemberText.unknownUnion])
        }
        guard union.acceptsMembers else { throw AppError.validation(["unionId": MemberText.unionNotGrassroots]) }
        return union
    }

    static func changes(_ a: Member, _ b: Member) -> [String: String] {
        var c: [String: String] = [:]
        if a.name != b.name { c["name"] = "\(a.name) → \(b.name)" }
        if a.phoneIndex != b.phoneIndex { c["phone"] = "\(a.phoneMask ?? "") → \(b.phoneMask ?? "")" }
        if a.education != b.education { c["education"] = "\(a.education ?? "") → \(b.education ?? "")" }
        if a.politicalStatus != b.politicalStatus { c["politicalStatus"] = "\(a.politicalStatus ?? "") → \(b.politicalStatus ?? "")" }
        if a.job != b.job { c["job"] = "\(a.job ?? "") → \(b.job ?? "")" }
        if a.migrantWorker != b.migrantWorker { c["migrantWorker"] = "\(a.migrantWorker) → \(b.migrantWorker)" }
        if a.ethnicity != b.ethnicity { c["ethnicity"] = "\(a.ethnicity ?? "") → \(b.ethnicity ?? "")" }
        return c
    }
}

extension Result where Failure == FieldProblems {
    /// The value, or a validation error with one message per field.
    func orValidationError() throws -> Success {
        switch self {
        case .success(let v): return v
        case .failure(let p): throw p.appError
        }
    }
}
