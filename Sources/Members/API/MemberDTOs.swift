import Foundation
import Platform

struct MemberDTO: Encodable, Sendable {
    var id: Int64
    var memberNo: String
    var name: String
    var gender: String
    var birthDate: String
    var ethnicity: String?
    var idNumber: String
    var phone: String?
    var education: String?
    var politicalStatus: String?
    var job: String?
    var migrantWorker: Bool
    var unionId: Int64
    var joinDate: String
    var status: String
    var cardNo: String?

    /// Always masked: the full numbers come only from the reveal endpoint, with a reason.
    init(_ m: Member) {
        id = m.id
        memberNo = m.memberNo
        name = m.name
        gender = m.gender
        birthDate = m.birthDate
        ethnicity = m.ethnicity.flatMap { Ethnicity(code: $0)?.name }
        idNumber = m.idMask
        phone = m.phoneMask
        education = m.education.flatMap { Education(code: $0)?.name }
        politicalStatus = m.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name }
        job = m.job
        migrantWorker = m.migrantWorker
        unionId = m.orgId
        joinDate = m.joinDate
        status = m.status
        cardNo = m.cardNo
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("memberNo", Schema.string), ("name", Schema.string), ("gender", Schema.enumeration(["male", "female"])),
            ("birthDate", ["type": "string", "format": "date"]), ("ethnicity", Schema.nullable("string")),
            ("idNumber", ["type": "string", "description": "脱敏显示，如 130102********1234"]), ("phone", Schema.nullable("string")),
            ("education", Schema.nullable("string")), ("politicalStatus", Schema.nullable("string")), ("job", Schema.nullable("string")),
            ("migrantWorker", Schema.boolean), ("unionId", Schema.integer), ("joinDate", ["type": "string", "format": "date"]),
            ("status", Schema.enumeration(MembershipStatus.allCases.map(\.rawValue))), ("cardNo", Schema.nullable("string")),
        ],
        required: ["id", "memberNo", "name", "gender", "birthDate", "idNumber", "migrantWorker", "unionId", "joinDate", "status"])
}

struct MembershipDTO: Encodable, Sendable {
    var unionId: Int64
    var unionName: String
    var startedOn: String
    var endedOn: String?
    var reason: String
    var endReason: String?

    init(_ m: Membership) {
        unionId = m.orgId
        unionName = m.orgName
        startedOn = m.startedOn
        endedOn = m.endedOn
        reason = m.reason
        endReason = m.endReason
    }

    static let schema = Schema.object(
        [("unionId", Schema.integer), ("unionName", Schema.string), ("startedOn", Schema.string), ("endedOn", Schema.nullable("string")),
         ("reason", Schema.string), ("endReason", Schema.nullable("string"))],
        required: ["unionId", "unionName", "startedOn", "reason"])
}

struct MemberInputDTO: Decodable {
    var name: String
    var gender: String?
    var birthDate: String?
    var ethnicity: String?
    var idNumber: String?
    var phone: String?
    var education: String?
    var politicalStatus: String?
    var job: String?
    var migrantWorker: Bool?
    var joinDate: String?
    var unionId: Int64?

    var input: MemberInput {
        MemberInput(name: name, gender: gender, birthDate: birthDate, ethnicity: ethnicity, idNumber: idNumber ?? "", phone: phone,
                    education: education, politicalStatus: politicalStatus, job: job, migrantWorker: migrantWorker.map { $0 ? "是" : "否" },
                    joinDate: joinDate)
    }

    static let schema = Schema.object(
        [("name", Schema.text(1, 50)), ("gender", ["type": "string", "enum": ["male", "female"], "description": "与读取时相同（male / female）；也接受 男 / 女"]), ("birthDate", Schema.text(0, 20)),
         ("ethnicity", Schema.text(0, 20)), ("idNumber", Schema.idNumber), ("phone", Schema.text(0, 20)), ("education", Schema.text(0, 20)),
         ("politicalStatus", Schema.text(0, 20)), ("job", Schema.text(0, 50)), ("migrantWorker", Schema.boolean), ("joinDate", Schema.text(0, 20)),
         ("unionId", Schema.id)],
        required: ["name", "idNumber", "unionId"])
}

/// A PATCH body: only the fields present change; null clears one that may be empty.
struct MemberPatchDTO: Decodable {
    var patch = MemberPatch()

    enum CodingKeys: String, CodingKey {
        case name, ethnicity, phone, education, politicalStatus, job, migrantWorker, joinDate, idNumber, gender, birthDate
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patch.name = try c.patch(.name)
        patch.ethnicity = try c.patch(.ethnicity)
        patch.phone = try c.patch(.phone)
        patch.education = try c.patch(.education)
        patch.politicalStatus = try c.patch(.politicalStatus)
        patch.job = try c.patch(.job)
        switch try c.patch(.migrantWorker, as: Bool.self) {
        case .absent: patch.migrantWorker = .absent
        case .null: patch.migrantWorker = .value("否")
        case .value(let v): patch.migrantWorker = .value(v ? "是" : "否")
        }
        patch.joinDate = try c.patch(.joinDate)
        // Fixed by the ID number: refused rather than silently ignored. (The union changes by transfer.)
        for key in [CodingKeys.idNumber, .gender, .birthDate] where c.contains(key) {
            throw AppError.validation([key.rawValue: MemberText.idFieldsFixed])
        }
    }

    static let schema = Schema.object(
        [("name", Schema.text(1, 50)), ("ethnicity", Schema.nullable("string")), ("phone", Schema.nullable("string")),
         ("education", Schema.nullable("string")), ("politicalStatus", Schema.nullable("string")), ("job", Schema.nullable("string")),
         ("migrantWorker", Schema.nullable("boolean")), ("joinDate", Schema.string)],
        required: [])
}

struct JoinApplicationDTO: Encodable, Sendable {
    var id: Int64
    var unionId: Int64
    var workplace: String
    var workplaceHasUnion: Bool
    var name: String
    var gender: String
    var birthDate: String
    var idNumber: String
    var phone: String
    var status: String
    var reason: String?
    var decidedBy: String?
    var decidedAt: Date?
    var memberId: Int64?
    var createdAt: Date

    init(_ a: JoinApplication) {
        id = a.id
        unionId = a.orgId
        workplace = a.workplace
        workplaceHasUnion = a.workplaceHasUnion
        name = a.name
        gender = a.gender
        birthDate = a.birthDate
        idNumber = a.idMask
        phone = a.phoneMask
        status = a.status.rawValue
        reason = a.reason
        decidedBy = a.decidedBy
        decidedAt = a.decidedAt
        memberId = a.memberId
        createdAt = a.createdAt
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("unionId", Schema.integer), ("workplace", Schema.string), ("workplaceHasUnion", Schema.boolean),
         ("name", Schema.string), ("gender", Schema.string), ("birthDate", Schema.string), ("idNumber", Schema.string),
         ("phone", Schema.string), ("status", Schema.enumeration(["pending", "approved", "rejected"])), ("reason", Schema.nullable("string")),
         ("decidedBy", Schema.nullable("string")), ("decidedAt", Schema.nullable("string", format: "date-time")),
         ("memberId", Schema.nullable("integer", format: "int64")), ("createdAt", Schema.dateTime)],
        required: ["id", "unionId", "workplace", "name", "status", "createdAt"])
}

struct TransferDTO: Encodable, Sendable {
    var id: Int64
    var memberId: Int64
    var fromUnionId: Int64
    var toUnionId: Int64
    var status: String
    var requestedBy: String
    var releasedBy: String?
    var acceptedBy: String?
    var refusedBy: String?
    var reason: String?
    var createdAt: Date

    init(_ t: MembershipTransfer) {
        id = t.id
        memberId = t.memberId
        fromUnionId = t.fromOrgId
        toUnionId = t.toOrgId
        status = t.status.rawValue
        requestedBy = t.requestedBy
        releasedBy = t.releasedBy
        acceptedBy = t.acceptedBy
        refusedBy = t.refusedBy
        reason = t.reason
        createdAt = t.createdAt
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("memberId", Schema.integer), ("fromUnionId", Schema.integer), ("toUnionId", Schema.integer),
         ("status", Schema.enumeration(["pending", "completed", "refused"])), ("requestedBy", Schema.string),
         ("releasedBy", Schema.nullable("string")), ("acceptedBy", Schema.nullable("string")), ("refusedBy", Schema.nullable("string")),
         ("reason", Schema.nullable("string")), ("createdAt", Schema.dateTime)],
        required: ["id", "memberId", "fromUnionId", "toUnionId", "status", "requestedBy", "createdAt"])
}

struct ImportDTO: Encodable, Sendable {
    var id: Int64
    var unionId: Int64
    var fileName: String
    var status: String
    var totalRows: Int?
    var processedRows: Int
    var goodRows: Int
    var badRows: Int
    var message: String?
    var createdAt: Date
    var finishedAt: Date?

    init(_ i: MemberImport) {
        id = i.id
        unionId = i.orgId
        fileName = i.fileName
        status = i.status.rawValue
        totalRows = i.totalRows
        processedRows = max(i.lastRow - 1, 0)
        goodRows = i.goodRows
        badRows = i.badRows
        message = i.message
        createdAt = i.createdAt
        finishedAt = i.finishedAt
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("unionId", Schema.integer), ("fileName", Schema.string),
         ("status", Schema.enumeration(["queued", "running", "done", "failed"])), ("totalRows", Schema.nullable("integer")),
         ("processedRows", Schema.integer), ("goodRows", Schema.integer), ("badRows", Schema.integer), ("message", Schema.nullable("string")),
         ("createdAt", Schema.dateTime), ("finishedAt", Schema.nullable("string", format: "date-time"))],
        required: ["id", "unionId", "fileName", "status", "processedRows", "goodRows", "badRows", "createdAt"])
}

struct RollupDTO: Encodable, Sendable {
    var unionId: Int64
    var name: String
    var active: Int64
    var working: Int64
    var retiredKept: Int64
    var joinedThisMonth: Int64
    var migrantWorkers: Int64
    var cardHolders: Int64
    var cardCoverage: Double
    var pendingApplications: Int64

    init(_ r: MemberRollup, name: String) {
        unionId = r.orgId
        self.name = name
        active = r.active
        working = r.working
        retiredKept = r.retired
        joinedThisMonth = r.joined
        migrantWorkers = r.migrant
        cardHolders = r.cards
        cardCoverage = (r.cardCoverage * 10000).rounded() / 10000
        pendingApplications = r.pending
    }

    static let schema = Schema.object(
        [("unionId", Schema.integer), ("name", Schema.string),
         ("active", ["type": "integer", "description": "会员总数（在职 working + 退休保留会籍 retiredKept）"]),
         ("working", Schema.integer), ("retiredKept", Schema.integer), ("joinedThisMonth", Schema.integer),
         ("migrantWorkers", Schema.integer), ("cardHolders", Schema.integer), ("cardCoverage", ["type": "number"]),
         ("pendingApplications", Schema.integer)],
        required: ["unionId", "name", "active", "working", "retiredKept", "joinedThisMonth", "migrantWorkers", "cardHolders", "cardCoverage", "pendingApplications"])
}

struct RevealDTO: Decodable {
    var field: String
    var reason: String
    static let schema = Schema.object([("field", Schema.enumeration(["id_number", "phone"])), ("reason", Schema.text(2, 200))], required: ["field", "reason"])
}

struct StatusChangeDTO: Decodable {
    var status: String
    var note: String?
    var confirm: Bool?
    static let schema = Schema.object(
        [("status", Schema.enumeration(MembershipStatus.allCases.map(\.rawValue))), ("note", Schema.string),
         ("confirm", ["type": "boolean", "description": "未到法定退休年龄仍设为退休保留会籍时须为 true（否则 409 confirmation_required）"])],
        required: ["status"])
}

struct TransferRequestDTO: Decodable {
    var unionId: Int64
    var note: String?
    static let schema = Schema.object([("unionId", Schema.id), ("note", Schema.text(0, 200))], required: ["unionId"])
}

/// 接收: the new union names the member it takes in.
struct IncomingTransferDTO: Decodable {
    var idNumber: String
    var name: String
    var unionId: Int64
    var note: String?
    static let schema = Schema.object(
        [("idNumber", Schema.string), ("name", Schema.text(1, 50)), ("unionId", Schema.id), ("note", Schema.text(0, 200))],
        required: ["idNumber", "name", "unionId"])
}

struct ReasonDTO: Decodable {
    var reason: String
    static let schema = Schema.object([("reason", Schema.text(2, 200))], required: ["reason"])
}

/// 认领会籍 as the union sees it: the member named, the account's masked phone, where it stands.
struct ClaimDTO: Encodable {
    var id: Int64
    var memberId: Int64
    var unionId: Int64
    var memberName: String
    var phone: String
    var status: String
    var decidedBy: String?
    var reason: String?
    var createdAt: Date

    init(_ c: MembershipClaim) {
        (id, memberId, unionId, memberName, phone) = (c.id, c.memberId, c.orgId, c.memberName, c.phoneMask)
        (status, decidedBy, reason, createdAt) = (c.status.rawValue, c.decidedBy, c.reason, c.createdAt)
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("memberId", Schema.integer), ("unionId", Schema.integer), ("memberName", Schema.string),
         ("phone", ["type": "string", "description": "认领账号的手机号（脱敏）"]),
         ("status", Schema.enumeration(MembershipClaim.Status.allCases.map(\.rawValue))), ("decidedBy", Schema.nullable("string")),
         ("reason", Schema.nullable("string")), ("createdAt", Schema.dateTime)],
        required: ["id", "memberId", "unionId", "memberName", "phone", "status", "createdAt"])
}
