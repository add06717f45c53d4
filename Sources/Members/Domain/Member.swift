import Foundation
import Platform
import SQLKit

/// A union member (会员), real-name. One row per person.
public struct Member: Codable, Sendable {
    public var id: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var name: String
    public var gender: String
    public var birthDate: String
    public var ethnicity: String?
    public var idCipher: String
    public var idIndex: String
    public var idMask: String
    public var phoneCipher: String?
    public var phoneIndex: String?
    public var phoneMask: String?
    public var education: String?
    public var politicalStatus: String?
    public var job: String?
    public var migrantWorker: Bool
    public var memberNo: String
    public var joinDate: String
    public var status: String
    public var cardNo: String?
    public var workerId: Int64?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, orgId = "org_id", orgPath = "org_path", name, gender, birthDate = "birth_date", ethnicity
        case idCipher = "id_cipher", idIndex = "id_index", idMask = "id_mask", phoneCipher = "phone_cipher"
        case phoneIndex = "phone_index", phoneMask = "phone_mask", education, politicalStatus = "political_status", job
        case migrantWorker = "migrant_worker", memberNo = "member_no", joinDate = "join_date", status, cardNo = "card_no"
        case workerId = "worker_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    public var membershipStatus: MembershipStatus { MembershipStatus(rawValue: status) ?? .active }

    /// Members who count as 在会 (active, or retired and kept).
    public var isCounted: Bool { membershipStatus.isCounted }
}

/// One period of membership in one union.
public struct Membership: Codable, Sendable {
    public var id: Int64
    public var memberId: Int64
    public var orgId: Int64
    public var orgName: String
    public var startedOn: String
    public var endedOn: String?
    public var reason: String
    public var endReason: String?

    enum CodingKeys: String, CodingKey {
        case id, memberId = "member_id", orgId = "org_id", orgName = "org_name", startedOn = "started_on"
        case endedOn = "ended_on", reason, endReason = "end_reason"
    }
}

/// A union as Members sees it; App wires the Organizations implementation in.
public struct UnionRef: Sendable, Equatable {
    public var id: Int64
    public var path: OrgPath
    public var name: String
    public var isGrassroots: Bool
    /// Township or county federation: where workers of a workplace without a union may join.
    public var isLocalFederation: Bool
    public var active: Bool
    public var address: String?
    public var phone: String?
    public var parentName: String?

    public init(id: Int64, path: OrgPath, name: String, isGrassroots: Bool, isLocalFederation: Bool, active: Bool,
                address: String?, phone: String?, parentName: String?) {
        self.id = id
        self.path = path
        self.name = name
        self.isGrassroots = isGrassroots
        self.isLocalFederation = isLocalFederation
        self.active = active
        self.address = address
        self.phone = phone
        self.parentName = parentName
    }

    /// Members belong to grassroots unions; where a workplace has none, to the township or county union.
    public var acceptsMembers: Bool { active && (isGrassroots || isLocalFederation) }
}

/// A union's name and whether it is open: enough to label a row.
public struct UnionLabel: Sendable {
    public var id: Int64
    public var name: String
    public var active: Bool

    public init(id: Int64, name: String, active: Bool) {
        self.id = id
        self.name = name
        self.active = active
    }
}

public protocol UnionDirectory: Sendable {
    func unions(_ ids: [Int64]) async throws -> [UnionRef]
    /// Names only (one statement, no parents): for lists and tables.
    func labels(_ ids: [Int64]) async throws -> [UnionLabel]
    /// Where members may be placed, in one statement: no address, phone or parent name (bulk checks).
    func placements(_ ids: [Int64]) async throws -> [UnionRef]
    /// Active unions whose name or region code matches (the public "find your union").
    func search(_ text: String, limit: Int) async throws -> [UnionRef]
    /// Every org's id, parent and path (for summing counters up the tree).
    func tree() async throws -> [UnionNode]
}

/// One union in a walk of the tree: where it sits and, for a grassroots union, how it is formed.
public struct UnionNode: Sendable {
    /// 工会法 art. 11: 25 members or more set up a committee (委员会); fewer may elect an organiser (组织员).
    public enum Form: Sendable { case committee, organiser, other }

    public var id: Int64
    public var parentId: Int64?
    public var path: OrgPath
    public var form: Form

    public init(id: Int64, parentId: Int64?, path: OrgPath, form: Form) {
        self.id = id
        self.parentId = parentId
        self.path = path
        self.form = form
    }
}

extension UnionDirectory {
    func union(_ id: Int64) async throws -> UnionRef? { try await unions([id]).first }

    public func names(_ ids: [Int64]) async throws -> [Int64: String] {
        Dictionary(try await labels(Array(Set(ids))).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }
}

/// Told, in the same transaction, when a membership ends (退会, 去世, erasure of the person).
public protocol MembershipEndListener: Sendable {
    func membershipEnded(memberId: Int64, reason: String, on sql: any SQLDatabase) async throws
}
