import Foundation
import Platform

/// The administrative level of a union: where it sits in the 五级 tree.
public enum OrgLevel: String, Codable, Sendable, CaseIterable {
    case national, province, city, county, township, grassroots
    /// 工会小组: a group inside a grassroots union (a workshop, a team); it holds no members of its own.
    case group

    public var rank: Int { Self.allCases.firstIndex(of: self)! }

    public var label: String {
        switch self {
        case .national: "全国"
        case .province: "省级"
        case .city: "市级"
        case .county: "县级"
        case .township: "乡镇（街道）"
        case .grassroots: "基层"
        case .group: "工会小组"
        }
    }
}

/// What kind of union it is, independent of its level.
public enum OrgKind: String, Codable, Sendable, CaseIterable {
    case federation
    case industrial
    case regionalFederation = "regional_federation"
    case jointGrassroots = "joint_grassroots"
    /// 基层工会委员会: a workplace with 25 members or more (工会法 art. 11).
    case grassroots
    /// A workplace under 25 members that elected an organiser (组织员) instead of a committee.
    case organiser
    case group

    public var label: String {
        switch self {
        case .federation: "总工会"
        case .industrial: "产业工会"
        case .regionalFederation: "区域（行业）工会联合会"
        case .jointGrassroots: "联合基层工会"
        case .grassroots: "基层工会委员会"
        case .organiser: "基层工会（组织员）"
        case .group: "工会小组"
        }
    }
}

extension OrgKind {
    /// The kinds that name their own level (a grassroots union is always at the grassroots level).
    var impliesLevel: Bool { [.grassroots, .organiser, .jointGrassroots, .group].contains(self) }

    /// One phrase for level and kind, saying each thing once: "县级总工会", "基层工会委员会".
    public func typeLabel(at level: OrgLevel) -> String { impliesLevel ? label : level.label + label }
}

public enum OrgStatus: String, Codable, Sendable {
    case active, closed, merged

    public var label: String {
        switch self {
        case .active: "正常"
        case .closed: "已撤销"
        case .merged: "已合并"
        }
    }
}

/// One org as a walk of the whole tree needs it (rollups sum up it).
public struct OrgTreeNode: Sendable {
    public var id: Int64
    public var parentId: Int64?
    public var path: OrgPath
    public var level: OrgLevel
    public var kind: OrgKind
}

/// What other modules need of an org to name it and place it: read on every signed-in request.
public struct OrgSummary: Sendable, Equatable {
    public var id: Int64
    public var path: OrgPath
    public var name: String
    public var level: OrgLevel
    public var kind: OrgKind
    public var regionCode: String?
    public var isActive: Bool
}

/// One node of the union tree.
public struct Organization: Codable, Sendable, Equatable {
    public var id: Int64
    public var parentId: Int64?
    public var path: OrgPath
    public var depth: Int
    public var level: OrgLevel
    public var kind: OrgKind
    public var regionCode: String?
    public var name: String
    public var shortName: String?
    public var address: String?
    public var phone: String?
    public var status: OrgStatus
    public var mergedInto: Int64?
    public var childCount: Int
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, parentId = "parent_id", path, depth, level, kind, regionCode = "region_code", name
        case shortName = "short_name", address, phone, status, mergedInto = "merged_into"
        case childCount = "child_count", createdAt = "created_at", updatedAt = "updated_at"
    }

    public var isActive: Bool { status == .active }
}

/// One change in an org's life: who, when, from what to what.
public struct OrgHistoryEntry: Codable, Sendable {
    public enum Action: String, Codable, Sendable {
        case create, edit, rename, move, merge, mergedFrom = "merged_from", close, childMovedIn = "child_in"
        case childMovedOut = "child_out"

        public var label: String {
            switch self {
            case .create: "新建"
            case .edit: "修改信息"
            case .rename: "更名"
            case .move: "划转"
            case .merge: "合并（撤并）"
            case .mergedFrom: "并入"
            case .close: "撤销"
            case .childMovedIn: "下级划入"
            case .childMovedOut: "下级划出"
            }
        }
    }

    public var id: Int64
    public var orgId: Int64
    public var action: Action
    public var actorId: Int64?
    public var actorName: String
    public var at: Date
    /// `{"field": {"from": …, "to": …}}` flattened to `field.from` / `field.to` keys.
    public var detail: String
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, orgId = "org_id", action, actorId = "actor_id", actorName = "actor_name", at, detail, note
    }

    public var changes: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:]
    }
}

/// The fields a cadre fills in for a new or edited union.
public struct OrgInput: Codable, Sendable {
    public var name: String
    public var shortName: String?
    public var level: OrgLevel?
    public var kind: OrgKind?
    public var regionCode: String?
    public var address: String?
    public var phone: String?

    public init(
        name: String, shortName: String? = nil, level: OrgLevel? = nil, kind: OrgKind? = nil,
        regionCode: String? = nil, address: String? = nil, phone: String? = nil
    ) {
        self.name = name
        self.shortName = shortName
        self.level = level
        self.kind = kind
        self.regionCode = regionCode
        self.address = address
        self.phone = phone
    }
}

/// What the member site may show of a union: nothing internal.
public struct PublicOrg: Codable, Sendable {
    public var id: Int64
    public var name: String
    public var level: OrgLevel
    public var kind: OrgKind
    public var regionCode: String?
    public var address: String?
    public var phone: String?
    public var parentName: String?
}

/// A partial edit: only the fields sent change (level and kind are set elsewhere, by placement).
public struct OrgPatch: Sendable {
    public var name: Patch<String> = .absent
    public var shortName: Patch<String> = .absent
    public var regionCode: Patch<String> = .absent
    public var address: Patch<String> = .absent
    public var phone: Patch<String> = .absent
    public var kind: Patch<OrgKind> = .absent

    public init() {}

    /// The full input the edit validates: the org as it is, with the patch's fields over it.
    func applied(to org: Organization) -> OrgInput {
        OrgInput(
            name: name.applied(to: org.name) ?? "", shortName: shortName.applied(to: org.shortName), level: org.level,
            kind: kind.applied(to: org.kind), regionCode: regionCode.applied(to: org.regionCode), address: address.applied(to: org.address),
            phone: phone.applied(to: org.phone))
    }
}
