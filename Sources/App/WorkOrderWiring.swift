import Foundation
import Members
import Organizations
import Platform
import SQLKit
import WorkOrders

/// WorkOrders sees the tree through this.
struct HandlingOrgAdapter: HandlingOrgDirectory {
    let organizations: OrganizationService

    func orgs(_ ids: [Int64]) async throws -> [HandlingOrg] {
        try await organizations.summaries(ids).map {
            HandlingOrg(id: $0.id, path: $0.path, name: $0.name, level: $0.level.rawValue, regionCode: $0.regionCode, active: $0.isActive)
        }
    }

    func search(_ text: String, limit: Int) async throws -> [HandlingOrg] {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        return try await organizations.search(text, actor: .system("directory"), page: PageRequest(limit: limit)).items.map(Self.ref)
    }

    func children(of id: Int64, limit: Int) async throws -> [HandlingOrg] {
        try await organizations.children(of: id, actor: .system("directory"), page: PageRequest(limit: limit)).items.filter(\.isActive).map(
            Self.ref)
    }

    func roots() async throws -> [OrgPath] { try await organizations.topLevelPaths() }

    static func ref(_ o: Organization) -> HandlingOrg {
        HandlingOrg(id: o.id, path: o.path, name: o.name, level: o.level.rawValue, regionCode: o.regionCode, active: o.isActive)
    }
}

/// WorkOrders finds callers and workers in the member database through this.
struct MemberLookupAdapter: MemberLookup {
    let members: MemberService
    let portal: PortalService
    let workers: WorkerService
    let unions: UnionDirectoryAdapter

    func member(ofWorker workerId: Int64) async throws -> MemberContact? {
        let mine = try await portal.mine(workerId: workerId)
        guard let m = mine.member else { return nil }
        return MemberContact(
            memberId: m.id, name: m.name, memberNo: m.memberNo, orgId: m.orgId, orgPath: m.orgPath, orgName: mine.union?.name ?? "",
            active: m.isCounted)
    }

    func members(phone: String, readableBy actor: Actor) async throws -> (readable: [MemberContact], elsewhere: Bool) {
        let all = try await members.search(MemberQuery(text: phone), actor: .system("hotline"), page: PageRequest(limit: 5)).items
        let readable = all.filter { actor.scope(.memberRead).covers($0.orgPath) }
        let names = readable.isEmpty ? [:] : try await unions.names(readable.map(\.orgId))
        let contacts = readable.map {
            MemberContact(
                memberId: $0.id, name: $0.name, memberNo: $0.memberNo, orgId: $0.orgId, orgPath: $0.orgPath, orgName: names[$0.orgId] ?? "",
                active: $0.isCounted)
        }
        return (contacts, readable.count < all.count)
    }

    func phone(ofWorker workerId: Int64) async throws -> String? {
        try await workers.phone(of: workerId)
    }
}

/// Text messages go through the member site's sender (log + outbox in development).
struct SMSMessenger: TextMessenger {
    let sender: any SMSSender
    func send(to phone: String, body: String) async throws { try await sender.send(to: phone, body: body) }
}

/// Work orders keep org paths and move with the tree.
struct WorkOrderTreeListener: OrgTreeListener {
    func subtreeMoved(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        try await WorkOrderPaths.rebase(from: old, to: new, on: sql)
    }

    func orgMerged(source: OrgPath, into target: Organization, on sql: any SQLDatabase) async throws {
        try await WorkOrderPaths.merge(source, into: target.path, on: sql)
    }

    func orgClosing(_ org: OrgPath, on sql: any SQLDatabase) async throws {
        try await WorkOrderPaths.checkCanClose(org, on: sql)
    }
}

/// A worker's work orders, for the export of their personal information.
struct WorkOrderPersonalData: PersonalDataSource {
    let orders: WorkOrderService

    func personalData(ofWorker workerId: Int64) async throws -> (title: String, records: [[String: String]]) {
        let page = try await orders.orders(ofWorker: workerId, page: PageRequest(limit: PageRequest.maxLimit))
        return ("我的诉求", page.items.map {
            ["编号": $0.number, "标题": $0.title, "内容": $0.description, "来电人": $0.callerName, "状态": $0.status.label,
             "提交时间": CivilDate(date: $0.createdAt).iso]
        })
    }
}
