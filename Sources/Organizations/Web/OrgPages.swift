import Foundation
import Platform
import WebUI

// The page models of the union tree (one struct per page; see docs/module-template.md).

struct TreePage {
    var q: String
    var roots: [OrgNode]?
    var results: [OrgNode]?
    var searched: Bool
    var empty: Bool
    var next: String?
}

struct ChildrenFragment {
    var items: [OrgNode]
    var more: String?
}

struct OrgDetailPage {
    /// 会员 N 人 (its subtree), from the member rollups; nil before the first sum.
    var members: String?
    var org: OrgNode
    var breadcrumb: [OrgNode]
    var children: [OrgNode]
    var hasChildren: Bool
    var moreChildren: String?
    var history: [HistoryView]
    var canWrite: Bool
    var canAddChild: Bool
    var canReorganize: Bool
    var canClose: Bool
}

struct OrgFormPage {
    var org: OrgNode
    var creating: Bool
    var form: FormState
    var action: String
    var levels: [Option]
    var kinds: [Option]
}

struct PickPage {
    var org: OrgNode
    var q: String
    var candidates: [OrgNode]
    var searched: Bool
    var empty: Bool
    var isMove: Bool
    var action: String
    var form: FormState
}

/// A union as the member site shows it: public fields only.
struct PublicUnionView {
    var id: Int64
    var name: String
    /// Level and kind in one phrase.
    var type: String
    var address: String?
    var phone: String?
    var parentName: String?
    var regionCode: String?

    init(_ o: PublicOrg) {
        id = o.id
        name = o.name
        type = o.kind.typeLabel(at: o.level)
        address = o.address
        phone = o.phone
        parentName = o.parentName
        regionCode = o.regionCode
    }
}

struct UnionSearchPage {
    var q: String
    var searched: Bool
    var items: [PublicUnionView]
    var empty: Bool
    var next: String?
}

/// An org as the console shows it in trees, tables and headings.
struct OrgNode {
    var id: Int64
    var name: String
    var levelLabel: String
    var kindLabel: String
    /// Level and kind in one phrase.
    var typeLabel: String
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

    init(_ o: Organization, parentName: String? = nil) {
        id = o.id
        name = o.name
        levelLabel = o.level.label
        kindLabel = o.kind.label
        typeLabel = o.kind.typeLabel(at: o.level)
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
        self.parentName = parentName
    }
}

struct HistoryView {
    struct Change {
        var field: String
        var from: String
        var to: String
    }
    var when: String
    var who: String
    var what: String
    var changes: [Change]
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
        let changes = h.changes
        self.changes = Set(changes.keys.map { $0.components(separatedBy: ".")[0] }).sorted().filter { $0 != "path" }.map { field in
            Change(
                field: Self.fieldLabels[field] ?? OrgWebText.historyField(field), from: changes["\(field).from"] ?? "",
                to: changes["\(field).to"] ?? changes[field] ?? "")
        }
    }
}

enum OrgOptions {
    static func levels(selected: String?) -> [Option] {
        OrgLevel.allCases.filter { $0 != .national }.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }

    static func kinds(selected: String?) -> [Option] {
        OrgKind.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
    }
}

// The forms the pages post.

struct OrgForm: Decodable {
    var name: String?
    var shortName: String?
    var level: String?
    var kind: String?
    var regionCode: String?
    var address: String?
    var phone: String?

    var input: OrgInput {
        OrgInput(name: name ?? "", shortName: shortName, level: level.flatMap(OrgLevel.init), kind: kind.flatMap(OrgKind.init),
                 regionCode: regionCode, address: address, phone: phone)
    }

    var values: [String: String] {
        ["name": name ?? "", "shortName": shortName ?? "", "level": level ?? "", "kind": kind ?? "",
         "regionCode": regionCode ?? "", "address": address ?? "", "phone": phone ?? ""]
    }
}

struct PickForm: Decodable {
    var target: String?
    var note: String?
}

extension String {
    var urlQueryEncoded: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
