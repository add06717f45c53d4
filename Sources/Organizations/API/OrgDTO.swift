import Foundation
import Platform

struct OrgDTO: Encodable, Sendable {
    var id: Int64
    var parentId: Int64?
    var path: String
    var depth: Int
    var level: OrgLevel
    var kind: OrgKind
    var regionCode: String?
    var name: String
    var shortName: String?
    var address: String?
    var phone: String?
    var status: OrgStatus
    var mergedInto: Int64?
    var childCount: Int
    var createdAt: Date
    var updatedAt: Date

    init(_ o: Organization) {
        id = o.id
        parentId = o.parentId
        path = o.path.rawValue
        depth = o.depth
        level = o.level
        kind = o.kind
        regionCode = o.regionCode
        name = o.name
        shortName = o.shortName
        address = o.address
        phone = o.phone
        status = o.status
        mergedInto = o.mergedInto
        childCount = o.childCount
        createdAt = o.createdAt
        updatedAt = o.updatedAt
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("parentId", Schema.nullable("integer", format: "int64")), ("path", Schema.string),
            ("depth", Schema.integer), ("level", Schema.enumeration(OrgLevel.allCases.map(\.rawValue))),
            ("kind", Schema.enumeration(OrgKind.allCases.map(\.rawValue))), ("regionCode", Schema.nullable("string")),
            ("name", Schema.string), ("shortName", Schema.nullable("string")), ("address", Schema.nullable("string")),
            ("phone", Schema.nullable("string")), ("status", Schema.enumeration(["active", "closed", "merged"])),
            ("mergedInto", Schema.nullable("integer", format: "int64")), ("childCount", Schema.integer),
            ("createdAt", Schema.dateTime), ("updatedAt", Schema.dateTime),
        ],
        required: ["id", "path", "depth", "level", "kind", "name", "status", "childCount", "createdAt", "updatedAt"])
}

struct OrgHistoryDTO: Encodable, Sendable {
    var id: Int64
    var action: String
    var actorId: Int64?
    var actorName: String
    var at: Date
    var changes: [String: String]
    var note: String?

    init(_ h: OrgHistoryEntry) {
        id = h.id
        action = h.action.rawValue
        actorId = h.actorId
        actorName = h.actorName
        at = h.at
        changes = h.changes
        note = h.note
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("action", Schema.string), ("actorId", Schema.nullable("integer", format: "int64")),
            ("actorName", Schema.string), ("at", Schema.dateTime),
            ("changes", ["type": "object", "additionalProperties": Schema.string]), ("note", Schema.nullable("string")),
        ],
        required: ["id", "action", "actorName", "at", "changes"])
}

struct PublicOrgDTO: Encodable, Sendable {
    var id: Int64
    var name: String
    var level: OrgLevel
    var kind: OrgKind
    var regionCode: String?
    var address: String?
    var phone: String?
    var parentName: String?

    init(_ o: PublicOrg) {
        id = o.id
        name = o.name
        level = o.level
        kind = o.kind
        regionCode = o.regionCode
        address = o.address
        phone = o.phone
        parentName = o.parentName
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("name", Schema.string), ("level", Schema.string), ("kind", Schema.string),
            ("regionCode", Schema.nullable("string")), ("address", Schema.nullable("string")),
            ("phone", Schema.nullable("string")), ("parentName", Schema.nullable("string")),
        ],
        required: ["id", "name", "level", "kind"])
}

struct OrgInputDTO: Decodable {
    var name: String
    var shortName: String?
    var level: OrgLevel?
    var kind: OrgKind?
    var regionCode: String?
    var address: String?
    var phone: String?

    var input: OrgInput {
        OrgInput(name: name, shortName: shortName, level: level, kind: kind, regionCode: regionCode, address: address, phone: phone)
    }

    static let schema = Schema.object(
        [
            ("name", Schema.text(1, 100)), ("shortName", Schema.text(0, 50)),
            ("level", Schema.enumeration(OrgLevel.allCases.map(\.rawValue))),
            ("kind", Schema.enumeration(OrgKind.allCases.map(\.rawValue))), ("regionCode", Schema.text(0, 12, pattern: "^[0-9]*$")),
            ("address", Schema.text(0, 200)), ("phone", Schema.text(0, 30)),
        ],
        required: ["name"])
}

/// A PATCH body: only the fields present change; null clears a field that may be empty.
struct OrgPatchDTO: Decodable {
    var patch = OrgPatch()

    enum CodingKeys: String, CodingKey { case name, shortName, level, kind, regionCode, address, phone }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        patch.name = try c.patch(.name)
        patch.shortName = try c.patch(.shortName)
        patch.kind = try c.patch(.kind)
        patch.regionCode = try c.patch(.regionCode)
        patch.address = try c.patch(.address)
        patch.phone = try c.patch(.phone)
        if try c.patch(.level, as: OrgLevel.self) != .absent { throw AppError.validation(["level": OrgText.levelFixed]) }
    }

    static let schema = Schema.object(
        [
            ("name", Schema.string), ("shortName", Schema.nullable("string")),
            ("kind", Schema.enumeration(OrgKind.allCases.map(\.rawValue))), ("regionCode", Schema.nullable("string")),
            ("address", Schema.nullable("string")), ("phone", Schema.nullable("string")),
        ],
        required: [])
}

struct MoveDTO: Decodable {
    var parentId: Int64
    var note: String?
    static let schema = Schema.object([("parentId", Schema.id), ("note", Schema.text(0, 200))], required: ["parentId"])
}

struct MergeDTO: Decodable {
    var targetId: Int64
    var note: String?
    static let schema = Schema.object([("targetId", Schema.id), ("note", Schema.text(0, 200))], required: ["targetId"])
}

struct NoteDTO: Decodable {
    var note: String?
    static let schema = Schema.object([("note", Schema.text(0, 200))], required: [])
}
