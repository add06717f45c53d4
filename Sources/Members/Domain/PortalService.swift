import Foundation
import Platform
import SQLKit

/// What a signed-in worker sees of themselves on the member site.
public struct MyMembership: Sendable {
    public var member: Member?
    public var memberships: [Membership]
    public var union: UnionRef?
    public var applications: [JoinApplication]
    public var transfers: [MembershipTransfer]
}

/// The member's own page: profile (the editable fields only), membership history, their union
/// and how to reach it, the e-card.
public struct PortalService: Sendable {
    let database: Database
    let store = MemberStore()
    let unions: any UnionDirectory
    let joins: JoinService
    let transfers: TransferService
    let clock: AppClock

    public init(database: Database, unions: any UnionDirectory, joins: JoinService, transfers: TransferService, clock: AppClock) {
        self.database = database
        self.unions = unions
        self.joins = joins
        self.transfers = transfers
        self.clock = clock
    }

    public func mine(workerId: Int64) async throws -> MyMembership {
        let member = try await database.withConnection { [store] in try await store.member(workerId: workerId, on: $0) }
        var mine = MyMembership(member: member, memberships: [], union: nil, applications: try await joins.applications(ofWorker: workerId),
                                transfers: [])
        if let member {
            mine.memberships = try await database.withConnection { [store] in try await store.memberships(of: member.id, on: $0) }
            mine.union = try await unions.union(member.orgId)
            mine.transfers = try await transfers.transfers(ofMember: member.id)
        }
        return mine
    }

    /// A merge patch of the same fields (the worker API): an absent field keeps what is stored, null clears it.
    public func patchProfile(workerId: Int64, education: Patch<String>, politicalStatus: Patch<String>, job: Patch<String>, actor: Actor)
        async throws
    {
        guard let member = try await database.withConnection({ [store] in try await store.member(workerId: workerId, on: $0) }) else {
            throw AppError.conflict(MemberText.notAMemberYet)
        }
        try await updateProfile(
            workerId: workerId, education: education.applied(to: member.education.flatMap { Education(code: $0)?.name }),
            politicalStatus: politicalStatus.applied(to: member.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name }),
            job: job.applied(to: member.job), actor: actor)
    }

    /// The fields a member may change themselves: education, political status, job.
    public func updateProfile(workerId: Int64, education: String?, politicalStatus: String?, job: String?, actor: Actor) async throws {
        guard let member = try await database.withConnection({ [store] in try await store.member(workerId: workerId, on: $0) }) else {
            throw AppError.notFound(MemberText.notFound)
        }
        var problems = FieldProblems()
        let edu = MemberValidator.blank(education).map { Education(name: $0)?.code }
        if let edu, edu == nil { problems.add("education", MemberText.unknownEducation) }
        let pol = MemberValidator.blank(politicalStatus).map { PoliticalStatus(name: $0)?.code }
        if let pol, pol == nil { problems.add("politicalStatus", MemberText.unknownPolitical) }
        let job = MemberValidator.blank(job)
        if (job?.count ?? 0) > 50 { problems.add("job", MemberText.jobTooLong) }
        guard problems.isEmpty else { throw problems.appError }
        let now = clock.now()
        try await database.transaction { [store] sql in
            try await store.updateSelfKept(member.id, education: edu ?? nil, politicalStatus: pol ?? nil, job: job, now: now, on: sql)
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.self_update", objectType: "member", objectId: String(member.id),
                                                 orgPath: member.orgPath), on: sql)
        }
    }
}

extension MemberService {
    /// Keeps members' stored org paths in step with a reorganised tree (an org tree listener in App).
    public static func rebaseOrgPaths(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        for (table, column) in [("members", "org_path"), ("join_applications", "org_path"), ("membership_transfers", "from_org_path"),
                                ("membership_transfers", "to_org_path"), ("member_imports", "org_path"), ("member_rollups", "org_path")] {
            try await OrgPath.rebase(table, column, from: old, to: new, on: sql)
        }
    }

    /// Refuses to close a union that still has members.
    /// A union closes only once nothing is left waiting on it: no members, and no transfer, application
    /// or claim into it still to be decided (they would be stranded on a closed union).
    public static func checkCanClose(_ org: OrgPath, on sql: any SQLDatabase) async throws {
        let scope = Scope([org])
        let counted = try await sql.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("members")
            .where(scope.condition("org_path")).where("status", .in, ["active", "retired_kept"]).groupBy("status").all()
            .reduce(into: [String: Int]()) { $0[try $1.decode(column: "status", as: String.self)] = try $1.decode(column: "n", as: Int.self) }
        if counted["active", default: 0] > 0 { throw AppError.conflict(MemberText.unionHasMembers) }
        if let retired = counted["retired_kept"], retired > 0 { throw AppError.conflict(MemberText.unionHasRetiredOnly(retired)) }
        let waiting = [
            ("membership_transfers", "to_org_path", MemberText.unionHasTransfersIn),
            ("join_applications", "org_path", MemberText.unionHasApplications),
            ("membership_claims", "org_path", MemberText.unionHasClaims),
        ]
        for (table, column, message) in waiting {
            let n = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table)
                .where(scope.condition(column)).where("status", .equal, "pending").first()?.decode(column: "n", as: Int.self) ?? 0
            if n > 0 { throw AppError.conflict(message(n)) }
        }
    }
}
