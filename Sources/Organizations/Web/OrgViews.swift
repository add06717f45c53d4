import Foundation
import Platform
import WebUI

/// An org as the console shows it in trees, tables and headings.
struct OrgNode {
    var id: Int64
    var name: String
    var levelLabel: String
    var kindLabel: String
    var regionCode: String?
    var childCount: Int
    var hasChildren: Bool
    var statusLabel: String
    var statusClass: String
    var active: Bool
    var href: String
    var childrenURL: String
    var address: String?
    var phone: String?
    var shortName: String?
    var path: String
    var parentName: String?

    init(_ o: Organization) {
        id = o.id
        name = o.name
        levelLabel = o.level.label
        kindLabel = o.kind.label
        regionCode = o.regionCode
        childCount = o.childCount
        hasChildren = o.childCount > 0
        statusLabel = o.status.label
        statusClass = "badge-\(o.status.rawValue)"
        active = o.isActive
        href = "/admin/orgs/\(o.id)"
        childrenURL = "/admin/orgs/\(o.id)/children"
        address = o.address
        phone = o.phone
        shortName = o.shortName
        path = o.path.rawValue
    }
}

struct HistoryView {
    var when: String
    var who: String
    var what: String
    var changes: [[String: String]]
    var note: String?

    static let fieldLabels = [
        "name": "名称", "shortName": "简称", "regionCode": "行政区划代码", "address": "地址", "phone": "电话",
        "kind": "类别", "parent": "上级组织", "path": "路径", "status": "状态",
    ]

    init(_ h: OrgHistoryEntry) {
        when = DisplayDate.minutes(h.at)
        who = h.actorName
        what = h.action.label
        note = h.note
        var rows: [[String: String]] = []
        let changes = h.changes
        for field in Set(changes.keys.map { $0.components(separatedBy: ".")[0] }).sorted() where field != "path" {
            let label = Self.fieldLabels[field] ?? OrgWebText.historyField(field)
            let from = changes["\(field).from"] ?? ""
            let to = changes["\(field).to"] ?? changes[field] ?? ""
            rows.append(["field": label, "from": from, "to": to])
        }
        self.changes = rows
    }
}

enum OrgOptions {
    static func levels(selected: String?) -> [[String: Any]] {
        OrgLevel.allCases.filter { $0 != .national }.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == selected] }
    }

    static func kinds(selected: String?) -> [[String: Any]] {
        OrgKind.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == selected] }
    }
}
