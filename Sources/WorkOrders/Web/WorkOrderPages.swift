import Foundation
import Platform
import WebUI

// The page models of the work-order console and the worker's requests on the member site: one
// struct per page, fields named as their templates use them (`nil` renders as absent).

/// An order in a list (queue, hotline, the worker's requests).
struct OrderRow {
    var id: Int64
    var href: String
    var number: String
    var title: String
    var type: String
    var category: String
    var status: String
    var statusClass: String
    var overdue: Bool
    var dueOn: String
    var org: String
    var assignee: String
    var caller: String
    var channel: String
    var at: String
    var escalated: Bool
    var paused: Bool

    init(_ o: WorkOrder, snapshot: WorkOrderCatalog.Snapshot, orgNames: [Int64: String], today: CivilDate, base: String) {
        overdue = o.isOverdue(today: today)
        id = o.id
        href = "\(base)/\(o.id)"
        number = o.number
        title = o.title
        type = snapshot.typeName(o.typeCode)
        category = snapshot.categoryName(o.categoryCode)
        status = o.status.label
        statusClass = WorkOrderViews.statusClass(o.status, overdue: overdue)
        dueOn = DisplayDate.short(o.dueOn, today: today)
        org = orgNames[o.orgId] ?? ""
        assignee = o.assigneeName ?? ""
        caller = o.callerName
        channel = o.channel.label
        at = DisplayDate.minutes(o.createdAt)
        escalated = o.escalationLevel > 0
        paused = o.status == .waiting
    }
}

/// One line of an order's timeline.
struct EventLine {
    var at: String
    var label: String
    var actor: String
    var note: String?
    var org: String?
    var `internal`: Bool

    init(_ e: WorkOrderEvent) {
        at = DisplayDate.minutes(e.at)
        label = e.label
        actor = e.actorName
        note = e.note
        org = e.orgName
        `internal` = !e.isPublic
    }
}

struct OrgChoice {
    var id: Int64
    var name: String
    var level: String?
    var selected = false

    init(_ o: HandlingOrg, selected: String? = nil) {
        id = o.id
        name = o.name
        level = WorkOrderText.levelLabels[o.level]
        self.selected = String(o.id) == selected
    }
}

struct Link {
    var href: String
    var label: String
    var active = false
}

// MARK: Console

struct QueuePage {
    struct Filters {
        var queue: String
        var q: String
    }
    var tabs: [Link]
    var filters: Filters
    var queueLabel: String
    var statuses: [Option]
    var types: [Option]
    var categories: [Option]
    var items: [OrderRow]
    var empty: Bool
    var canFile: Bool
    var unread: Int?
    var next: String?
}

struct IntakePage {
    var form: FormState
    var unionq: String
    var types: [Option]
    var categories: [Option]
    var complexities: [Option]
    var channels: [Option]
    var unions: [OrgChoice]
}

struct HotlinePage {
    struct Caller {
        var name: String
        var memberNo: String
        var union: String
        var active: Bool
    }
    var phone: String
    var searched: Bool
    var error: String?
    var members: [Caller] = []
    var orders: [OrderRow] = []
    var noMember = false
    var elsewhere = false
    var intakeHref: String?
}

struct OrderDetailPage {
    struct Order {
        var id: Int64
        var number: String
        var title: String
        var description: String
        var type: String
        var category: String
        var complexity: String
        var channel: String
        var status: String
        var statusClass: String
        var overdue: Bool
        var dueOn: String
        /// 剩余 N 个工作日 / 今天到期 / 已超期 N 个工作日, while the order is open and the clock runs.
        var remaining: String?
        var paused: Bool
        var caller: String
        var phoneMask: String?
        var member: Bool
        var org: String
        var origin: String
        var assignee: String
        var supervisor: String?
        var escalated: Bool
        var at: String
        var createdBy: String
        var outcome: String?
        var amount: String?
        var people: Int?
        var onTime: Bool
        var lateResolved: Bool
        var rating: String?
        var ratingComment: String?
        var followup: String?
        var reopened: Bool
    }
    struct Assist {
        var id: Int64
        var org: String
        var request: String
        var reply: String?
        var by: String
        var at: String
        var canReply: Bool
    }
    struct File {
        var href: String
        var name: String
        var size: String?
    }
    var order: Order
    var events: [EventLine]
    var assists: [Assist]
    var files: [File]
    var canAccept: Bool
    var canHandle: Bool
    var canResolve: Bool
    var canWait: Bool
    var canResume: Bool
    var canSupervise: Bool
    var canFollowUp: Bool
    var canReveal: Bool
    var targets: [OrgChoice]
    var assistTargets: [OrgChoice]
    var superviseTargets: [OrgChoice]
    var hasAssists: Bool
    var hasFiles: Bool
    var targetq: String
    var maxFileMB: Int
    var revealedPhone: String?
    var form: FormState
}

struct StatsPage {
    struct Line {
        var label: String
        var created: Int64
        var resolved: Int64
        var onTime: String
        var satisfaction: String
        var days: String
        var rated: Int64

        init(_ l: WorkOrderStats.Line) {
            label = l.label
            created = l.created
            resolved = l.resolved
            onTime = WorkOrderViews.percent(l.onTimeRate)
            satisfaction = WorkOrderViews.percent(l.satisfactionRate)
            days = l.averageDays.map { String(format: "%.1f", $0) } ?? "—"
            rated = l.rated
        }
    }
    struct Child {
        var name: String
        var href: String
    }
    var root: String
    var from: String
    var to: String
    var fromMonths: [Option]
    var toMonths: [Option]
    var unionId: Int64
    var total: Line
    var byType: [Line]
    var typeChart: String
    var categoryChart: String
    var rateChart: String
    var children: [Child]
    var up: String?
}

struct NotificationsPage {
    struct Item {
        var text: String
        var at: String
        var unread: Bool
        var href: String?
    }
    var items: [Item]
    var empty: Bool
    var next: String?
}

struct SettingsPage {
    struct TypeRow {
        var code: String
        var name: String
        var normal: Int
        var difficult: Int
        var complex: Int
        var active: Bool
        var sort: Int
    }
    struct CategoryRow {
        var code: String
        var name: String
        var active: Bool
        var sort: Int
    }
    struct RouteRow {
        var id: Int64
        var type: String
        var category: String
        var region: String
        var level: String
        var note: String
        var priority: Int
    }
    struct Day {
        var day: String
        var name: String
        var working: Bool
    }
    var types: [TypeRow]
    var categories: [CategoryRow]
    var routes: [RouteRow]
    var typeOptions: [Option]
    var categoryOptions: [Option]
    var levels: [Option]
    var days: [Day]
}

// MARK: Member site

struct RequestListPage {
    struct Note {
        var text: String
        var at: String
        var unread: Bool
    }
    var items: [OrderRow]
    var empty: Bool
    var next: String?
    var notifications: [Note]
}

struct RequestPage {
    struct Order {
        var id: Int64
        var number: String
        var title: String
        var description: String
        var type: String
        var category: String
        var status: String
        var statusClass: String
        var org: String
        var dueOn: String
        var open: Bool
        var waiting: Bool
        var outcome: String?
        var amount: String?
        var people: Int?
        var rating: String?
        var ratingComment: String?
    }
    struct Star {
        var value: Int
    }
    var order: Order
    var canRate: Bool
    var canReopen: Bool
    var events: [EventLine]
    var files: [OrderDetailPage.File]
    var stars: [Star] = (1...5).reversed().map { Star(value: $0) }
}

struct NewRequestPage {
    var form: FormState
    var unionq: String
    var isMember: Bool
    var memberUnion: String?
    var searched: Bool
    var unions: [OrgChoice]
    var types: [Option]
    var categories: [Option]
    var maxFileMB: Int
}

// MARK: Forms

struct IntakeForm: Decodable, Sendable {
    var typeCode, categoryCode, complexity, title, description, unionId, callerName, callerPhone, channel: String?
    /// `search` looks up unions by `unionq` and shows the form again with everything typed; else the order is filed.
    var action, unionq: String?

    var input: IntakeInput {
        IntakeInput(
            typeCode: typeCode, categoryCode: categoryCode, complexity: complexity, title: title, description: description,
            unionId: unionId.flatMap { Int64($0) }, callerName: callerName, callerPhone: callerPhone)
    }

    var values: [String: String] {
        [
            "typeCode": typeCode, "categoryCode": categoryCode, "complexity": complexity, "title": title, "description": description,
            "unionId": unionId, "callerName": callerName, "callerPhone": callerPhone, "channel": channel,
        ].compactMapValues { $0 }
    }
}

struct ActionForm: Decodable, Sendable {
    var note, targetOrgId, outcome, amountRecovered, peopleHelped, rating, orderId, comment, reason, tellWorker: String?
}

struct SettingsForm: Decodable, Sendable {
    var code, name, normal, difficult, complex, active, sort, typeCode, categoryCode, region, level, priority, day, working: String?
}
