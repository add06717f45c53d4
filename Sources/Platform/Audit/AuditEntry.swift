import Foundation

/// What one audit entry records: who did what to which object, where, when, with what result.
public struct AuditEntry: Sendable, Codable {
    public enum Result: String, Sendable, Codable, CaseIterable {
        case ok
        case denied
        case failed
    }

    public var id: Int64?
    public var at: Date
    public var actorId: Int64?
    public var actorName: String
    public var action: String
    public var objectType: String
    public var objectId: String
    public var orgPath: OrgPath?
    public var result: Result
    public var ip: String
    public var requestId: String
    /// A flat JSON object of what changed (`{"from": …, "to": …}`), never secrets.
    public var detail: String
    public var seq: Int64?
    public var prevHash: String?
    public var hash: String?

    public init(
        actor: Actor, action: String, objectType: String, objectId: String, orgPath: OrgPath?,
        result: Result = .ok, detail: [String: String] = [:], at: Date = Date()
    ) {
        self.at = at
        self.actorId = actor.accountId
        self.actorName = actor.name
        self.action = action
        self.objectType = objectType
        self.objectId = objectId
        self.orgPath = orgPath
        self.result = result
        self.ip = actor.ip
        self.requestId = actor.requestId
        self.detail = Self.json(detail)
    }

    static func json(_ detail: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(data: encoder.encode(detail), encoding: .utf8)) ?? "{}"
    }

    public var detailFields: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:]
    }

    /// Milliseconds since 1970: the form of `at` that both databases give back unchanged.
    var atMillis: Int64 { Int64((at.timeIntervalSince1970 * 1000).rounded()) }

    /// The hash of this entry chained to the previous one.
    func chainHash(seq: Int64, prev: String) -> String {
        let fields: [String] = [
            String(seq), String(id ?? 0), String(atMillis), actorId.map(String.init) ?? "", actorName, action,
            objectType, objectId, orgPath?.rawValue ?? "", result.rawValue, ip, requestId, detail, prev,
        ]
        return sha256Hex(fields.map { "\($0.utf8.count):\($0)" }.joined())
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actorId = "actor_id", actorName = "actor_name", action, objectType = "object_type"
        case objectId = "object_id", orgPath = "org_path", result, ip, requestId = "request_id", detail, seq
        case prevHash = "prev_hash", hash
    }
}
