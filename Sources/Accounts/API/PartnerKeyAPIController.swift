import Foundation
import Hummingbird
import Platform

/// `/api/v1/partner-keys`: system administrators create, list and revoke the keys of partner apps.
public struct PartnerKeyAPIController: Sendable {
    let keys: PartnerKeyService

    public init(keys: PartnerKeyService) { self.keys = keys }

    public func register(staff api: APIRoutes<StaffRequestContext>, document: OpenAPIDocument) {
        document.schema("PartnerKey", PartnerKeyDTO.schema)
        document.schema("NewPartnerKey", NewPartnerKeyDTO.schema)
        let (keys, tag) = (self.keys, "合作方密钥")
        api.add(.get, "/partner-keys", summary: "合作方密钥（系统管理员）", tag: tag, response: Schema.array(Schema.ref("PartnerKey"))) { _, context in
            JSONBody(try await keys.list(actor: context.actor).map { PartnerKeyDTO($0) })
        }
        api.add(.post, "/partner-keys", summary: "创建合作方密钥：权限、所属工会（含下级）、每分钟上限、有效期；secret 只在此返回一次", tag: tag,
                body: NewPartnerKeyDTO.schema, response: Schema.ref("PartnerKey"), status: 201) { request, context in
            let body = try await request.decode(as: NewPartnerKeyDTO.self, context: context)
            let (key, secret) = try await keys.create(body.input, actor: context.actor)
            return JSONBody(PartnerKeyDTO(key, secret: secret), status: .created)
        }
        api.add(.post, "/partner-keys/{id}/revoke", summary: "吊销合作方密钥（立即失效）", tag: tag, response: Schema.ref("PartnerKey")) { _, context in
            JSONBody(PartnerKeyDTO(try await keys.revoke(try context.id(), actor: context.actor)))
        }
    }
}

struct NewPartnerKeyDTO: Decodable {
    var name: String
    var permissions: [String]
    var orgId: Int64
    var ratePerMinute: Int
    var expiresAt: Date

    var input: PartnerKeyInput {
        PartnerKeyInput(name: name, permissions: permissions, orgId: orgId, ratePerMinute: ratePerMinute, expiresAt: expiresAt)
    }

    enum CodingKeys: String, CodingKey { case name, permissions, orgId, ratePerMinute, expiresAt }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        permissions = try c.decode([String].self, forKey: .permissions)
        orgId = try c.decode(Int64.self, forKey: .orgId)
        ratePerMinute = try c.decode(Int.self, forKey: .ratePerMinute)
        let text = try c.decode(String.self, forKey: .expiresAt)
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw DecodingError.dataCorruptedError(forKey: .expiresAt, in: c, debugDescription: "not an ISO 8601 date-time")
        }
        expiresAt = date
    }

    static let schema = Schema.object(
        [
            ("name", Schema.text(2, 50)), ("permissions", ["type": "array", "items": Schema.string, "minItems": 1]), ("orgId", Schema.id),
            ("ratePerMinute", ["type": "integer", "minimum": 1, "maximum": 6000]), ("expiresAt", Schema.dateTime),
        ],
        required: ["name", "permissions", "orgId", "ratePerMinute", "expiresAt"])
}

struct PartnerKeyDTO: Encodable, Sendable {
    var id: Int64
    var name: String
    var prefix: String
    var permissions: [String]
    var orgId: Int64
    var orgName: String
    var ratePerMinute: Int
    var expiresAt: Date
    var lastUsedAt: Date?
    var revokedAt: Date?
    var createdBy: String
    var createdAt: Date
    /// Only in the answer to creation.
    var secret: String?

    init(_ k: PartnerKey, secret: String? = nil) {
        id = k.id
        name = k.name
        prefix = k.prefix
        permissions = k.permissions.map(\.rawValue)
        orgId = k.orgId
        orgName = k.orgName
        ratePerMinute = k.ratePerMinute
        expiresAt = k.expiresAt
        lastUsedAt = k.lastUsedAt
        revokedAt = k.revokedAt
        createdBy = k.createdBy
        createdAt = k.createdAt
        self.secret = secret
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("name", Schema.string), ("prefix", Schema.string), ("permissions", Schema.array(Schema.string)),
            ("orgId", Schema.integer), ("orgName", Schema.string), ("ratePerMinute", Schema.integer), ("expiresAt", Schema.dateTime),
            ("lastUsedAt", Schema.nullable("string", format: "date-time")), ("revokedAt", Schema.nullable("string", format: "date-time")),
            ("createdBy", Schema.string), ("createdAt", Schema.dateTime), ("secret", ["type": "string", "description": "密钥（仅创建时返回一次）"]),
        ],
        required: ["id", "name", "prefix", "permissions", "orgId", "orgName", "ratePerMinute", "expiresAt", "createdBy", "createdAt"])
}
