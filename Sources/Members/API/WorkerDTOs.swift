import Foundation
import Platform

// The worker API's bodies. A worker sees their own records masked as on the member site.

struct PhoneDTO: Decodable {
    var phone: String
    static let schema = Schema.object([("phone", Schema.text(1, 20))], required: ["phone"])
}

struct RegistrationDTO: Decodable {
    var phone: String
    var code: String
    var password: String
    static let schema = Schema.object(
        [("phone", Schema.text(1, 20)), ("code", Schema.text(1, 10)), ("password", Schema.text(1, 128))], required: ["phone", "code", "password"])
}

struct PasswordChangeDTO: Decodable {
    var current: String
    var new: String
    static let schema = Schema.object([("current", Schema.text(1, 128)), ("new", Schema.text(1, 128))], required: ["current", "new"])
}

/// Either `password` or `code` (from `/worker-session/code`).
struct WorkerLoginDTO: Decodable {
    var phone: String
    var password: String?
    var code: String?
    static let schema = Schema.object(
        [("phone", Schema.text(1, 20)), ("password", Schema.text(1, 128)), ("code", Schema.text(1, 10))], required: ["phone"])
}

struct WorkerTokenDTO: Encodable, Sendable {
    var token: String
    var workerId: Int64
    var expiresAt: Date

    init(_ t: WorkerToken) {
        token = t.token
        workerId = t.workerId
        expiresAt = t.expiresAt
    }

    static let schema = Schema.object(
        [("token", Schema.string), ("workerId", Schema.integer), ("expiresAt", Schema.dateTime)], required: ["token", "workerId", "expiresAt"])
}

struct UnionContactDTO: Encodable, Sendable {
    var id: Int64
    var name: String
    var address: String?
    var phone: String?
    var parentName: String?

    init(_ u: UnionRef) {
        id = u.id
        name = u.name
        address = u.address
        phone = u.phone
        parentName = u.parentName
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("name", Schema.string), ("address", Schema.nullable("string")), ("phone", Schema.nullable("string")),
         ("parentName", Schema.nullable("string"))],
        required: ["id", "name"])
}

struct MyMembershipDTO: Encodable, Sendable {
    var phone: String
    var isMember: Bool
    var member: MemberDTO?
    var union: UnionContactDTO?
    var memberships: [MembershipDTO]
    var applications: [JoinApplicationDTO]
    var transfers: [TransferDTO]

    init(_ mine: MyMembership, phone: String) {
        self.phone = phone
        isMember = mine.member?.isCounted == true
        member = mine.member.map(MemberDTO.init)
        union = mine.union.map(UnionContactDTO.init)
        memberships = mine.memberships.map(MembershipDTO.init)
        applications = mine.applications.map(JoinApplicationDTO.init)
        transfers = mine.transfers.map(TransferDTO.init)
    }

    enum CodingKeys: String, CodingKey { case phone, isMember, member, union, memberships, applications, transfers }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phone, forKey: .phone)
        try c.encode(isMember, forKey: .isMember)
        try c.encode(member, forKey: .member)  // explicit null: not a member (yet)
        try c.encode(union, forKey: .union)
        try c.encode(memberships, forKey: .memberships)
        try c.encode(applications, forKey: .applications)
        try c.encode(transfers, forKey: .transfers)
    }

    static let schema = Schema.object(
        [("phone", ["type": "string", "description": "本人手机号（脱敏）"]), ("isMember", Schema.boolean),
         ("member", ["oneOf": [Schema.ref("Member"), ["type": "null"]]]), ("union", ["oneOf": [UnionContactDTO.schema, ["type": "null"]]]),
         ("memberships", Schema.array(Schema.ref("Membership"))), ("applications", Schema.array(Schema.ref("JoinApplication"))),
         ("transfers", Schema.array(Schema.ref("MembershipTransfer")))],
        required: ["phone", "isMember", "member", "union", "memberships", "applications", "transfers"])
}

/// PATCH /me: only the fields present change; null clears.
struct ProfilePatchDTO: Decodable {
    var education: Patch<String> = .absent
    var politicalStatus: Patch<String> = .absent
    var job: Patch<String> = .absent

    enum CodingKeys: String, CodingKey { case education, politicalStatus, job }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        education = try c.patch(.education)
        politicalStatus = try c.patch(.politicalStatus)
        job = try c.patch(.job)
    }

    static let schema = Schema.object(
        [("education", Schema.nullable("string")), ("politicalStatus", Schema.nullable("string")), ("job", Schema.nullable("string"))],
        required: [])
}

struct MemberCardDTO: Encodable, Sendable {
    var name: String
    var memberNo: String
    var cardNo: String?
    var unionName: String
    var joinDate: String
    var status: String
    var statusLabel: String

    init(_ m: Member, union: String) {
        name = m.name
        memberNo = m.memberNo
        cardNo = m.cardNo
        unionName = union
        joinDate = m.joinDate
        status = m.status
        statusLabel = m.membershipStatus.label
    }

    static let schema = Schema.object(
        [("name", Schema.string), ("memberNo", Schema.string), ("cardNo", Schema.nullable("string")), ("unionName", Schema.string),
         ("joinDate", ["type": "string", "format": "date"]), ("status", Schema.enumeration(MembershipStatus.allCases.map(\.rawValue))),
         ("statusLabel", Schema.string)],
        required: ["name", "memberNo", "unionName", "joinDate", "status", "statusLabel"])
}

struct JoinableUnionDTO: Encodable, Sendable {
    var id: Int64
    var name: String
    var parentName: String?
    var address: String?
    /// A township or county federation: for workers whose workplace has no union.
    var isLocalFederation: Bool

    init(_ u: UnionRef) {
        id = u.id
        name = u.name
        parentName = u.parentName
        address = u.address
        isLocalFederation = u.isLocalFederation
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("name", Schema.string), ("parentName", Schema.nullable("string")), ("address", Schema.nullable("string")),
         ("isLocalFederation", Schema.boolean)],
        required: ["id", "name", "isLocalFederation"])
}

/// A joining application as the worker files it: who they are, where they work, which union.
struct JoinRequestDTO: Decodable {
    var name: String
    var idNumber: String
    var ethnicity: String?
    var education: String?
    var politicalStatus: String?
    var job: String?
    var migrantWorker: Bool?
    var unionId: Int64
    var workplace: String
    var workplaceHasUnion: Bool?

    var input: MemberInput {
        MemberInput(name: name, ethnicity: ethnicity, idNumber: idNumber, education: education, politicalStatus: politicalStatus, job: job,
                    migrantWorker: migrantWorker.map { $0 ? "是" : "否" })
    }

    static let schema = Schema.object(
        [("name", Schema.text(1, 50)), ("idNumber", Schema.idNumber), ("ethnicity", Schema.text(0, 20)), ("education", Schema.text(0, 20)),
         ("politicalStatus", Schema.text(0, 20)), ("job", Schema.text(0, 50)), ("migrantWorker", Schema.boolean), ("unionId", Schema.id),
         ("workplace", Schema.text(0, 100)), ("workplaceHasUnion", Schema.boolean)],
        required: ["name", "idNumber", "unionId", "workplace"])
}

struct PersonalDataSectionDTO: Encodable, Sendable {
    var title: String
    var records: [[String: String]]

    init(_ section: (title: String, records: [[String: String]])) {
        title = section.title
        records = section.records
    }

    static let schema = Schema.object(
        [("title", Schema.string), ("records", Schema.array(["type": "object", "additionalProperties": Schema.string]))],
        required: ["title", "records"])
}

struct PersonalDataRequestBody: Decodable {
    var kind: PersonalDataRequest.Kind
    var detail: String
    static let schema = Schema.object(
        [("kind", Schema.enumeration(["correction", "deletion"])), ("detail", Schema.text(0, 500))], required: ["kind", "detail"])
}

struct PersonalDataRequestDTO: Encodable, Sendable {
    var id: Int64
    var kind: String
    var detail: String
    var status: String
    var createdAt: Date
    var decidedAt: Date?
    var outcome: String?

    init(_ r: PersonalDataRequest) {
        id = r.id
        kind = r.kind.rawValue
        detail = r.detail
        status = r.status.rawValue
        createdAt = r.createdAt
        decidedAt = r.decidedAt
        outcome = r.outcome
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("kind", Schema.enumeration(["correction", "deletion"])), ("detail", Schema.string),
         ("status", Schema.enumeration(["pending", "done", "refused"])), ("createdAt", Schema.dateTime),
         ("decidedAt", Schema.nullable("string", format: "date-time")), ("outcome", Schema.nullable("string"))],
        required: ["id", "kind", "detail", "status", "createdAt"])
}

/// 认领会籍: the name and ID number on the union's record.
struct ClaimRequestDTO: Decodable {
    var name: String
    var idNumber: String
    static let schema = Schema.object([("name", Schema.text(1, 50)), ("idNumber", Schema.string)], required: ["name", "idNumber"])
}

/// What became of a claim: linked at once (the phone on record is the account's), or waiting for the union.
struct ClaimResultDTO: Encodable {
    var status: String
    var union: String
    static let schema = Schema.object(
        [("status", ["type": "string", "enum": ["linked", "pending"], "description": "linked：已认领；pending：待工会确认"]),
         ("union", Schema.string)],
        required: ["status", "union"])
}
