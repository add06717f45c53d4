import Foundation
import Platform

struct AccountDTO: Encodable, Sendable {
    var id: Int64
    var username: String
    var displayName: String
    var status: String
    var homeOrgId: Int64
    var totpEnabled: Bool
    var locked: Bool
    var lastLoginAt: Date?
    var createdAt: Date

    init(_ a: Account, now: Date = Date()) {
        id = a.id
        username = a.username
        displayName = a.displayName
        status = a.status.rawValue
        homeOrgId = a.homeOrgId
        totpEnabled = a.totpEnabled
        locked = (a.lockedUntil ?? .distantPast) > now
        lastLoginAt = a.lastLoginAt
        createdAt = a.createdAt
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("username", Schema.string), ("displayName", Schema.string),
            ("status", Schema.enumeration(["active", "disabled"])), ("homeOrgId", Schema.integer),
            ("totpEnabled", Schema.boolean), ("locked", Schema.boolean), ("lastLoginAt", Schema.nullable("string", format: "date-time")),
            ("createdAt", Schema.dateTime),
        ],
        required: ["id", "username", "displayName", "status", "homeOrgId", "totpEnabled", "locked", "createdAt"])
}

struct AssignmentDTO: Encodable, Sendable {
    var id: Int64
    var roleCode: String
    var roleName: String
    var orgId: Int64
    var orgName: String
    /// Who granted it and when: listed with an account's roles, absent from the session's summary.
    var grantedAt: Date?
    var grantedBy: String?

    init(_ a: AssignmentView) {
        id = a.id
        roleCode = a.roleCode
        roleName = a.roleName
        orgId = a.orgId
        orgName = a.orgName
        grantedAt = a.grantedAt
        grantedBy = a.grantedBy
    }

    init(_ a: RoleAssignment) {
        id = a.id
        roleCode = a.roleCode
        roleName = a.roleName
        orgId = a.orgId
        orgName = a.orgName
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("roleCode", Schema.string), ("roleName", Schema.string), ("orgId", Schema.integer),
            ("orgName", Schema.string), ("grantedAt", Schema.dateTime), ("grantedBy", Schema.string),
        ],
        required: ["id", "roleCode", "roleName", "orgId", "orgName"])
}

struct RoleDTO: Encodable, Sendable {
    var code: String
    var name: String
    var permissions: [String]
    var builtin: Bool
    var requiresTOTP: Bool

    init(_ r: Role) {
        code = r.code
        name = r.name
        permissions = r.permissions.map(\.rawValue).sorted()
        builtin = r.builtin
        requiresTOTP = r.requiresTOTP
    }

    static let schema = Schema.object(
        [
            ("code", Schema.string), ("name", Schema.string), ("permissions", Schema.array(Schema.string)),
            ("builtin", Schema.boolean), ("requiresTOTP", Schema.boolean),
        ],
        required: ["code", "name", "permissions", "builtin", "requiresTOTP"])
}

struct AuditEntryDTO: Encodable, Sendable {
    var id: Int64
    var at: Date
    var actorId: Int64?
    var actorName: String
    var action: String
    var objectType: String
    var objectId: String
    var orgPath: String?
    var result: String
    var ip: String
    var requestId: String
    var detail: [String: String]
    var seq: Int64?

    init(_ e: AuditEntry) {
        id = e.id ?? 0
        at = e.at
        actorId = e.actorId
        actorName = e.actorName
        action = e.action
        objectType = e.objectType
        objectId = e.objectId
        orgPath = e.orgPath?.rawValue
        result = e.result.rawValue
        ip = e.ip
        requestId = e.requestId
        detail = e.detailFields
        seq = e.seq
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("at", Schema.dateTime), ("actorId", Schema.nullable("integer", format: "int64")),
            ("actorName", Schema.string), ("action", Schema.string), ("objectType", Schema.string),
            ("objectId", Schema.string), ("orgPath", Schema.nullable("string")),
            ("result", Schema.enumeration(["ok", "denied", "failed"])), ("ip", Schema.string), ("requestId", Schema.string),
            ("detail", ["type": "object", "additionalProperties": Schema.string]),
            ("seq", Schema.nullable("integer", format: "int64")),
        ],
        required: ["id", "at", "actorName", "action", "objectType", "objectId", "result", "ip", "requestId", "detail"])
}

struct LoginDTO: Decodable {
    var username: String
    var password: String
    var totpCode: String?
    static let schema = Schema.object(
        [("username", Schema.text(1, 64)), ("password", Schema.text(1, 200)), ("totpCode", Schema.text(6, 16))], required: ["username", "password"])
}

struct SessionDTO: Encodable, Sendable {
    var token: String
    var expiresAt: Date
    static let schema = Schema.object([("token", Schema.string), ("expiresAt", Schema.dateTime)], required: ["token", "expiresAt"])
}

struct MeDTO: Encodable, Sendable {
    var accountId: Int64
    var username: String
    var displayName: String
    var assignments: [AssignmentDTO]
    var permissions: [String]

    static let schema = Schema.object(
        [
            ("accountId", Schema.integer), ("username", Schema.string), ("displayName", Schema.string),
            ("assignments", Schema.array(Schema.ref("Assignment"))), ("permissions", Schema.array(Schema.string)),
        ],
        required: ["accountId", "username", "displayName", "assignments", "permissions"])
}

struct NewAccountDTO: Decodable {
    var username: String
    var displayName: String
    var password: String
    var homeOrgId: Int64
    static let schema = Schema.object(
        [("username", Schema.text(3, 32, pattern: "^[a-z0-9._-]+$")), ("displayName", Schema.text(1, 50)), ("password", Schema.text(8, 72)),
         ("homeOrgId", Schema.id)],
        required: ["username", "displayName", "password", "homeOrgId"])
}

struct GrantDTO: Decodable {
    var roleCode: String
    var orgId: Int64
    static let schema = Schema.object([("roleCode", Schema.text(1, 32)), ("orgId", Schema.id)], required: ["roleCode", "orgId"])
}

struct StatusDTO: Decodable {
    var status: Account.Status
    static let schema = Schema.object([("status", Schema.enumeration(["active", "disabled"]))], required: ["status"])
}

struct PasswordDTO: Decodable {
    var password: String
    static let schema = Schema.object([("password", Schema.text(8, 72))], required: ["password"])
}

struct NewRoleDTO: Decodable {
    var code: String
    var name: String
    var permissions: [String]
    static let schema = Schema.object(
        [("code", Schema.text(3, 32, pattern: "^[a-z0-9_]+$")), ("name", Schema.text(1, 30)),
         ("permissions", ["type": "array", "items": Schema.string, "minItems": 1])],
        required: ["code", "name", "permissions"])
}

struct IdDTO: Encodable, Sendable {
    var id: Int64
    static let schema = Schema.object([("id", Schema.integer)], required: ["id"])
}
