import Foundation
import Platform

/// One request from a worker (工单), from intake to rating.
public struct WorkOrder: Codable, Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Filed, waiting for the handling org to accept it (待受理).
        case submitted
        /// A handler has it (办理中).
        case accepted
        /// Waiting for the worker to supply something; the deadline is paused (待补充).
        case waiting
        /// Resolved, waiting for the worker's rating (已办结).
        case resolved
        /// Rated, or closed after the rating window (已关闭).
        case closed

        public var label: String { WorkOrderText.statusLabels[self]! }
        public var isOpen: Bool { self == .submitted || self == .accepted || self == .waiting }
    }

    public enum Channel: String, Codable, Sendable, CaseIterable {
        case site, hotline, api, walkIn = "walk_in"
        public var label: String { WorkOrderText.channelLabels[self]! }
    }

    public enum Complexity: String, Codable, Sendable, CaseIterable {
        case normal, difficult, complex
        public var label: String { WorkOrderText.complexityLabels[self]! }
    }

    public var id: Int64
    public var number: String
    public var typeCode: String
    public var categoryCode: String
    public var complexity: Complexity
    public var channel: Channel
    public var title: String
    public var description: String
    public var status: Status
    public var workerId: Int64?
    public var memberId: Int64?
    public var callerName: String
    public var callerPhoneMask: String?
    public var originOrgId: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var assigneeId: Int64?
    public var assigneeName: String?
    public var supervisorOrgId: Int64?
    public var supervisorPath: OrgPath?
    public var escalationLevel: Int
    public var wasOverdue: Bool
    public var dueOn: String
    public var escalateOn: String?
    public var pausedOn: String?
    public var reopenCount: Int
    public var outcome: String?
    public var amountRecovered: Int64?
    public var peopleHelped: Int?
    public var resolvedAt: Date?
    public var resolvedOnTime: Bool?
    public var rating: Int?
    public var ratingComment: String?
    public var ratedAt: Date?
    public var followupAt: Date?
    public var followupNote: String?
    public var closeAfter: String?
    public var closedAt: Date?
    public var createdBy: String
    /// Bumped by every change: a write that saw an older version is refused (two handlers at once).
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, number, typeCode = "type_code", categoryCode = "category_code", complexity, channel, title, description, status
        case workerId = "worker_id", memberId = "member_id", callerName = "caller_name", callerPhoneMask = "caller_phone_mask"
        case originOrgId = "origin_org_id", orgId = "org_id", orgPath = "org_path", assigneeId = "assignee_id", assigneeName =
            "assignee_name"
        case supervisorOrgId = "supervisor_org_id", supervisorPath = "supervisor_path", escalationLevel = "escalation_level"
        case wasOverdue = "was_overdue", dueOn = "due_on", escalateOn = "escalate_on", pausedOn = "paused_on", reopenCount = "reopen_count"
        case outcome, amountRecovered = "amount_recovered", peopleHelped = "people_helped", resolvedAt = "resolved_at"
        case resolvedOnTime = "resolved_on_time", rating, ratingComment = "rating_comment", ratedAt = "rated_at", followupAt = "followup_at"
        case followupNote = "followup_note", closeAfter = "close_after", closedAt = "closed_at", createdBy = "created_by", version
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// Past its deadline and still open (a paused order is not running late).
    public func isOverdue(today: CivilDate) -> Bool {
        (status == .submitted || status == .accepted) && dueOn < today.iso
    }
}

/// One step on an order's timeline.
public struct WorkOrderEvent: Codable, Sendable {
    public var id: Int64
    public var orderId: Int64
    public var at: Date
    public var actorName: String
    public var action: String
    public var note: String?
    public var isPublic: Bool
    public var orgName: String?

    enum CodingKeys: String, CodingKey {
        case id, orderId = "order_id", at, actorName = "actor_name", action, note, isPublic = "public", orgName = "org_name"
    }

    public var label: String { WorkOrderText.actionLabels[action] ?? action }
}

/// An org asked to help (协办) and its answer.
public struct WorkOrderAssist: Codable, Sendable {
    public var id: Int64
    public var orderId: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var orgName: String
    public var request: String
    public var reply: String?
    public var requestedBy: String
    public var repliedBy: String?
    public var createdAt: Date
    public var repliedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, orderId = "order_id", orgId = "org_id", orgPath = "org_path", orgName = "org_name", request, reply
        case requestedBy = "requested_by", repliedBy = "replied_by", createdAt = "created_at", repliedAt = "replied_at"
    }
}

/// An attachment's record; the bytes live on disk under the attachments directory.
public struct WorkOrderFile: Codable, Sendable {
    public var id: Int64
    public var orderId: Int64
    public var name: String
    public var kind: String
    public var size: Int64
    public var storageKey: String
    public var sha256: String
    public var uploadedBy: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, orderId = "order_id", name, kind, size, storageKey = "storage_key", sha256, uploadedBy = "uploaded_by", createdAt =
            "created_at"
    }
}

/// A request type with its time limits in working days.
public struct WorkOrderType: Codable, Sendable {
    public var code: String
    public var name: String
    public var normalDays: Int
    public var difficultDays: Int
    public var complexDays: Int
    public var active: Bool
    public var sort: Int

    enum CodingKeys: String, CodingKey {
        case code, name, normalDays = "normal_days", difficultDays = "difficult_days", complexDays = "complex_days", active, sort
    }

    public func days(_ complexity: WorkOrder.Complexity) -> Int {
        switch complexity {
        case .normal: normalDays
        case .difficult: difficultDays
        case .complex: complexDays
        }
    }
}

public struct WorkOrderCategory: Codable, Sendable {
    public var code: String
    public var name: String
    public var active: Bool
    public var sort: Int
}

/// Sends matching orders to the ancestor of the worker's union at `targetLevel`.
public struct RoutingRule: Codable, Sendable {
    public var id: Int64
    public var typeCode: String?
    public var categoryCode: String?
    public var regionPrefix: String?
    public var targetLevel: String
    public var priority: Int
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, typeCode = "type_code", categoryCode = "category_code", regionPrefix = "region_prefix", targetLevel = "target_level"
        case priority, note
    }

    func matches(type: String, category: String, regionCode: String?) -> Bool {
        (typeCode == nil || typeCode == type) && (categoryCode == nil || categoryCode == category)
            && (regionPrefix == nil || (regionCode ?? "").hasPrefix(regionPrefix!))
    }
}

public struct Notification: Codable, Sendable {
    public var id: Int64
    public var orderId: Int64?
    public var kind: String
    public var text: String
    public var createdAt: Date
    public var readAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, orderId = "order_id", kind, text, createdAt = "created_at", readAt = "read_at"
    }
}

// MARK: - What WorkOrders needs from other domains (adapters live in App)

/// An org as the work-order engine sees it.
public struct HandlingOrg: Sendable, Equatable {
    public var id: Int64
    public var path: OrgPath
    public var name: String
    /// `province` … `grassroots`, as in the glossary.
    public var level: String
    public var regionCode: String?
    public var active: Bool

    public init(id: Int64, path: OrgPath, name: String, level: String, regionCode: String?, active: Bool) {
        self.id = id
        self.path = path
        self.name = name
        self.level = level
        self.regionCode = regionCode
        self.active = active
    }
}

public protocol HandlingOrgDirectory: Sendable {
    func orgs(_ ids: [Int64]) async throws -> [HandlingOrg]
    /// Active orgs whose name matches, for pickers.
    func search(_ text: String, limit: Int) async throws -> [HandlingOrg]
    /// Active child orgs, for transfer pickers.
    func children(of id: Int64, limit: Int) async throws -> [HandlingOrg]
    /// The paths of the top-level orgs: deployment-wide settings need a permission over all of them.
    func roots() async throws -> [OrgPath]
}

extension HandlingOrgDirectory {
    public func org(_ id: Int64) async throws -> HandlingOrg? { try await orgs([id]).first }
}

/// A member record as intake sees it (the caller, the worker filing).
public struct MemberContact: Sendable {
    public var memberId: Int64
    public var name: String
    public var memberNo: String
    public var orgId: Int64
    public var orgPath: OrgPath
    public var orgName: String
    public var active: Bool

    public init(memberId: Int64, name: String, memberNo: String, orgId: Int64, orgPath: OrgPath, orgName: String, active: Bool) {
        self.memberId = memberId
        self.name = name
        self.memberNo = memberNo
        self.orgId = orgId
        self.orgPath = orgPath
        self.orgName = orgName
        self.active = active
    }
}

public protocol MemberLookup: Sendable {
    /// The member record a member-site worker account is linked to, if any.
    func member(ofWorker workerId: Int64) async throws -> MemberContact?
    /// Members whose phone number is `phone` that `actor` may read, and whether there are others
    /// it may not (the caller lookup tells the operator only that).
    func members(phone: String, readableBy actor: Actor) async throws -> (readable: [MemberContact], elsewhere: Bool)
    /// The phone number a worker registered with (for SMS).
    func phone(ofWorker workerId: Int64) async throws -> String?
}

/// Text messages to workers; the Members domain's sender writes to the log and an outbox in development.
public protocol TextMessenger: Sendable {
    func send(to phone: String, body: String) async throws
}

/// The sealed column of the WorkOrders domain (see `SealedField`).
public enum WorkOrderFields {
    public static let callerPhone = SealedField("work_orders", "caller_phone_cipher")
    public static let columns = [SealedColumn(callerPhone)]
    /// What `WorkOrderService.phoneIndex` hashes.
    public static let indexes = [IndexedColumn(SealedColumn(callerPhone), index: "caller_phone_index") { "phone:" + $0 }]
}
