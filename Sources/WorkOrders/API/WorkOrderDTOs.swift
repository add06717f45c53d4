import Foundation
import Platform

struct WorkOrderDTO: Encodable, Sendable {
    var id: Int64
    var number: String
    var type: String
    var category: String
    var complexity: String
    var channel: String
    var title: String
    var description: String
    var status: String
    var callerName: String
    var callerPhone: String?
    var memberId: Int64?
    var unionId: Int64
    var originUnionId: Int64
    var assignee: String?
    var supervisorUnionId: Int64?
    var escalationLevel: Int
    var dueOn: String
    var overdue: Bool
    var outcome: String?
    var amountRecovered: String?
    var peopleHelped: Int?
    var resolvedOnTime: Bool?
    var rating: Int?
    var ratingComment: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ o: WorkOrder, today: CivilDate) {
        id = o.id
        number = o.number
        type = o.typeCode
        category = o.categoryCode
        complexity = o.complexity.rawValue
        channel = o.channel.rawValue
        title = o.title
        description = o.description
        status = o.status.rawValue
        callerName = o.callerName
        callerPhone = o.callerPhoneMask
        memberId = o.memberId
        unionId = o.orgId
        originUnionId = o.originOrgId
        assignee = o.assigneeName
        supervisorUnionId = o.supervisorOrgId
        escalationLevel = o.escalationLevel
        dueOn = o.dueOn
        overdue = o.isOverdue(today: today)
        outcome = o.outcome
        amountRecovered = o.amountRecovered.map { Fen($0).yuanText }
        peopleHelped = o.peopleHelped
        resolvedOnTime = o.resolvedOnTime
        rating = o.rating
        ratingComment = o.ratingComment
        createdAt = o.createdAt
        updatedAt = o.updatedAt
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("number", ["type": "string", "description": "工单编号：受理日期 + 序号"]),
            ("type", Schema.string), ("category", Schema.string),
            ("complexity", Schema.enumeration(WorkOrder.Complexity.allCases.map(\.rawValue))),
            ("channel", Schema.enumeration(WorkOrder.Channel.allCases.map(\.rawValue))), ("title", Schema.string),
            ("description", Schema.string),
            ("status", Schema.enumeration(WorkOrder.Status.allCases.map(\.rawValue))), ("callerName", Schema.string),
            ("callerPhone", ["type": ["string", "null"], "description": "脱敏显示"]), ("memberId", Schema.nullable("integer")),
            ("unionId", Schema.integer), ("originUnionId", Schema.integer), ("assignee", Schema.nullable("string")),
            ("supervisorUnionId", Schema.nullable("integer")), ("escalationLevel", Schema.integer),
            ("dueOn", ["type": "string", "format": "date"]), ("overdue", Schema.boolean), ("outcome", Schema.nullable("string")),
            ("amountRecovered", ["type": ["string", "null"], "description": "追回金额（元）"]), ("peopleHelped", Schema.nullable("integer")),
            ("resolvedOnTime", Schema.nullable("boolean")), ("rating", Schema.nullable("integer")),
            ("ratingComment", Schema.nullable("string")),
            ("createdAt", Schema.dateTime), ("updatedAt", Schema.dateTime),
        ],
        required: [
            "id", "number", "type", "category", "complexity", "channel", "title", "description", "status", "callerName", "unionId",
            "originUnionId", "escalationLevel", "dueOn", "overdue", "createdAt", "updatedAt",
        ])
}

struct EventDTO: Encodable, Sendable {
    var at: Date
    var actor: String
    var action: String
    var label: String
    var note: String?
    var isPublic: Bool
    var union: String?

    init(_ e: WorkOrderEvent) {
        at = e.at
        actor = e.actorName
        action = e.action
        label = e.label
        note = e.note
        isPublic = e.isPublic
        union = e.orgName
    }

    static let schema = Schema.object(
        [
            ("at", Schema.dateTime), ("actor", Schema.string), ("action", Schema.string), ("label", Schema.string),
            ("note", Schema.nullable("string")),
            ("isPublic", Schema.boolean), ("union", Schema.nullable("string")),
        ],
        required: ["at", "actor", "action", "label", "isPublic"])
}

struct IntakeDTO: Decodable, Sendable {
    var type: String?
    var category: String?
    var complexity: String?
    var title: String?
    var description: String?
    var unionId: Int64?
    var callerName: String?
    var callerPhone: String?
    var channel: String?

    var input: IntakeInput {
        IntakeInput(
            typeCode: type, categoryCode: category, complexity: complexity, title: title, description: description, unionId: unionId,
            callerName: callerName, callerPhone: callerPhone)
    }

    static let schema = Schema.object(
        [
            ("type", Schema.string), ("category", Schema.string),
            ("complexity", Schema.enumeration(WorkOrder.Complexity.allCases.map(\.rawValue))),
            ("title", Schema.text(1, 100)), ("description", Schema.text(1, 5000)), ("unionId", Schema.id), ("callerName", Schema.text(1, 50)),
            ("callerPhone", Schema.text(0, 20)), ("channel", Schema.enumeration(["api", "hotline", "walk_in"])),
        ],
        required: ["type", "category", "title", "description"])
}

/// The body of every handling action; each uses the fields it needs.
struct ActionDTO: Decodable, Sendable {
    init() {}
    var note: String?
    var targetOrgId: Int64?
    var outcome: String?
    var amountRecovered: String?
    var peopleHelped: String?
    var rating: Int?
    var tellWorker: Bool?

    enum CodingKeys: String, CodingKey { case note, targetOrgId, outcome, amountRecovered, peopleHelped, rating, tellWorker }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        targetOrgId = try c.decodeIfPresent(Int64.self, forKey: .targetOrgId)
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome)
        amountRecovered = try c.decodeIfPresent(String.self, forKey: .amountRecovered)
        // A count, read back as a number: a number going in too (a numeric string still works).
        peopleHelped = try (try? c.decodeIfPresent(Int.self, forKey: .peopleHelped)).map { $0.map(String.init) }
            ?? c.decodeIfPresent(String.self, forKey: .peopleHelped)
        rating = try c.decodeIfPresent(Int.self, forKey: .rating)
        tellWorker = try c.decodeIfPresent(Bool.self, forKey: .tellWorker)
    }

    static let schema = Schema.object(
        [
            ("note", Schema.string), ("targetOrgId", Schema.integer), ("outcome", Schema.string),
            ("tellWorker", ["type": "boolean", "description": "转办：说明（note）同时告知诉求人；默认仅内部可见"]),
            ("amountRecovered", ["type": "string", "description": "元，如 115000.00"]),
            ("peopleHelped", ["type": "integer", "minimum": 0, "description": "惠及人数（与读取时相同为数字；也接受数字字符串）"]),
            ("rating", Schema.integer),
        ],
        required: [])
}

struct StatsLineDTO: Encodable, Sendable {
    var key: String
    var label: String
    var created: Int64
    var resolved: Int64
    var onTime: Int64
    var rated: Int64
    var satisfied: Int64
    var onTimeRate: Double?
    var satisfactionRate: Double?
    var averageDays: Double?

    init(_ l: WorkOrderStats.Line) {
        key = l.key
        label = l.label
        created = l.created
        resolved = l.resolved
        onTime = l.onTime
        rated = l.rated
        satisfied = l.satisfied
        onTimeRate = l.onTimeRate
        satisfactionRate = l.satisfactionRate
        averageDays = l.averageDays
    }

    static let schema = Schema.object(
        [
            ("key", Schema.string), ("label", Schema.string), ("created", Schema.integer), ("resolved", Schema.integer),
            ("onTime", Schema.integer),
            ("rated", Schema.integer), ("satisfied", Schema.integer), ("onTimeRate", Schema.nullable("number")),
            ("satisfactionRate", Schema.nullable("number")), ("averageDays", Schema.nullable("number")),
        ],
        required: ["key", "label", "created", "resolved", "onTime", "rated", "satisfied"])
}

struct StatsDTO: Encodable, Sendable {
    var unionId: Int64
    var unionName: String
    var from: String
    var to: String
    var total: StatsLineDTO
    var byType: [StatsLineDTO]
    var byCategory: [StatsLineDTO]
    var byMonth: [StatsLineDTO]

    init(_ s: WorkOrderStats) {
        unionId = s.root.id
        unionName = s.root.name
        from = s.from
        to = s.to
        total = StatsLineDTO(s.total)
        byType = s.byType.map(StatsLineDTO.init)
        byCategory = s.byCategory.map(StatsLineDTO.init)
        byMonth = s.byMonth.map(StatsLineDTO.init)
    }

    static let schema = Schema.object(
        [
            ("unionId", Schema.integer), ("unionName", Schema.string), ("from", Schema.string), ("to", Schema.string),
            ("total", Schema.ref("WorkOrderStatsLine")), ("byType", Schema.array(Schema.ref("WorkOrderStatsLine"))),
            ("byCategory", Schema.array(Schema.ref("WorkOrderStatsLine"))), ("byMonth", Schema.array(Schema.ref("WorkOrderStatsLine"))),
        ],
        required: ["unionId", "unionName", "from", "to", "total", "byType", "byCategory", "byMonth"])
}

// MARK: The worker's own requests

/// A request as the worker who filed it sees it: no caller fields, no handler names, no internal notes.
struct MyRequestDTO: Encodable, Sendable {
    var id: Int64
    var number: String
    var type: String
    var typeName: String
    var category: String
    var categoryName: String
    var title: String
    var description: String
    var status: String
    var statusLabel: String
    var unionId: Int64
    var unionName: String
    var dueOn: String
    var outcome: String?
    var amountRecovered: String?
    var peopleHelped: Int?
    var rating: Int?
    var ratingComment: String?
    var canRate: Bool
    var canReopen: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ o: WorkOrder, snapshot: WorkOrderCatalog.Snapshot, union: String) {
        id = o.id
        number = o.number
        type = o.typeCode
        typeName = snapshot.typeName(o.typeCode)
        category = o.categoryCode
        categoryName = snapshot.categoryName(o.categoryCode)
        title = o.title
        description = o.description
        status = o.status.rawValue
        statusLabel = o.status.label
        unionId = o.orgId
        unionName = union
        dueOn = o.dueOn
        outcome = o.outcome
        amountRecovered = o.amountRecovered.map { Fen($0).yuanText }
        peopleHelped = o.peopleHelped
        rating = o.rating
        ratingComment = o.ratingComment
        canRate = o.status == .resolved && o.rating == nil
        canReopen = o.status == .resolved && o.reopenCount == 0
        createdAt = o.createdAt
        updatedAt = o.updatedAt
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("number", Schema.string), ("type", Schema.string), ("typeName", Schema.string), ("category", Schema.string),
            ("categoryName", Schema.string), ("title", Schema.string), ("description", Schema.string),
            ("status", Schema.enumeration(WorkOrder.Status.allCases.map(\.rawValue))), ("statusLabel", Schema.string), ("unionId", Schema.integer),
            ("unionName", Schema.string), ("dueOn", ["type": "string", "format": "date"]), ("outcome", Schema.nullable("string")),
            ("amountRecovered", Schema.nullable("string")), ("peopleHelped", Schema.nullable("integer")), ("rating", Schema.nullable("integer")),
            ("ratingComment", Schema.nullable("string")), ("canRate", Schema.boolean), ("canReopen", Schema.boolean),
            ("createdAt", Schema.dateTime), ("updatedAt", Schema.dateTime),
        ],
        required: [
            "id", "number", "type", "typeName", "category", "categoryName", "title", "description", "status", "statusLabel", "unionId",
            "unionName", "dueOn", "canRate", "canReopen", "createdAt", "updatedAt",
        ])
}

struct MyRequestDetailDTO: Encodable, Sendable {
    var request: MyRequestDTO
    var events: [EventDTO]
    var files: [FileDTO]

    init(_ request: MyRequestDTO, events: [EventDTO], files: [FileDTO]) {
        self.request = request
        self.events = events
        self.files = files
    }

    static let schema = Schema.object(
        [("request", Schema.ref("MyRequest")), ("events", Schema.array(Schema.ref("WorkOrderEvent"))), ("files", Schema.array(Schema.ref("WorkOrderFile")))],
        required: ["request", "events", "files"])
}

struct MyRequestInputDTO: Decodable, Sendable {
    var type: String?
    var category: String?
    var title: String?
    var description: String?
    var unionId: Int64?
    var callerName: String?

    var input: IntakeInput {
        IntakeInput(typeCode: type, categoryCode: category, title: title, description: description, unionId: unionId, callerName: callerName)
    }

    static let schema = Schema.object(
        [
            ("type", Schema.string), ("category", Schema.string), ("title", Schema.text(1, 100)), ("description", Schema.text(1, 5000)),
            ("unionId", Schema.id), ("callerName", ["type": "string", "maxLength": 50, "description": "诉求人姓名（会员可不填）"]),
        ],
        required: ["type", "category", "title", "description"])
}

struct MyRequestActionDTO: Decodable, Sendable {
    var note: String?
    var rating: Int?
    var comment: String?
    var reason: String?

    static let schema = Schema.object(
        [("note", Schema.text(0, 2000)), ("rating", ["type": "integer", "minimum": 1, "maximum": 5]), ("comment", Schema.text(0, 500)),
         ("reason", Schema.text(0, 500))],
        required: [])
}

struct FileDTO: Encodable, Sendable {
    var id: Int64
    var name: String
    var kind: String
    var size: Int64

    init(_ f: WorkOrderFile) {
        id = f.id
        name = f.name
        kind = f.kind
        size = f.size
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("name", Schema.string), ("kind", Schema.string), ("size", Schema.integer)], required: ["id", "name", "kind", "size"])
}

struct MessageDTO: Encodable, Sendable {
    var id: Int64
    var requestId: Int64?
    var text: String
    var createdAt: Date
    var read: Bool

    init(_ n: Notification) {
        id = n.id
        requestId = n.orderId
        text = n.text
        createdAt = n.createdAt
        read = n.readAt != nil
    }

    static let schema = Schema.object(
        [("id", Schema.integer), ("requestId", Schema.nullable("integer", format: "int64")), ("text", Schema.string), ("createdAt", Schema.dateTime),
         ("read", Schema.boolean)],
        required: ["id", "text", "createdAt", "read"])
}
