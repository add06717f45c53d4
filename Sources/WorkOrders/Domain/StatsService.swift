import Foundation
import Platform

/// Figures for any subtree, summed from the counters the write path keeps (never from the orders):
/// volume by type and category, on-time rate, satisfaction, average handling days, per month.
public struct WorkOrderStats: Sendable {
    public struct Line: Sendable {
        public var key: String
        public var label: String
        public var created: Int64 = 0
        public var resolved: Int64 = 0
        public var onTime: Int64 = 0
        public var rated: Int64 = 0
        public var satisfied: Int64 = 0
        public var ratingSum: Int64 = 0
        public var handlingDays: Int64 = 0

        public var onTimeRate: Double? { resolved > 0 ? Double(onTime) / Double(resolved) : nil }
        public var satisfactionRate: Double? { rated > 0 ? Double(satisfied) / Double(rated) : nil }
        public var averageDays: Double? { resolved > 0 ? Double(handlingDays) / Double(resolved) : nil }
        public var averageRating: Double? { rated > 0 ? Double(ratingSum) / Double(rated) : nil }

        mutating func add(_ o: Line) {
            created += o.created
            resolved += o.resolved
            onTime += o.onTime
            rated += o.rated
            satisfied += o.satisfied
            ratingSum += o.ratingSum
            handlingDays += o.handlingDays
        }
    }

    public var root: HandlingOrg
    public var from: String
    public var to: String
    public var total: Line
    public var byType: [Line]
    public var byCategory: [Line]
    public var byMonth: [Line]
}

public struct StatsService: Sendable {
    let database: Database
    let catalog: WorkOrderCatalog
    let orgs: any HandlingOrgDirectory
    let store = WorkOrderStore()

    public init(database: Database, catalog: WorkOrderCatalog, orgs: any HandlingOrgDirectory) {
        self.database = database
        self.catalog = catalog
        self.orgs = orgs
    }

    /// The longest range one report may cover: ten years of months.
    public static let maxMonths = 120

    /// Stats of `orgId`'s subtree (default: the actor's first subtree) for months `from`...`to` (`2026-01`).
    public func stats(orgId: Int64?, from fromText: String, to toText: String, actor: Actor) async throws -> WorkOrderStats {
        let scope = try actor.requireScope(.workOrderRead)
        let (first, last) = try Self.range(fromText, toText)
        let (from, to) = (first.iso, last.iso)
        let rootId = orgId ?? scope.roots.first?.id
        guard let rootId, let root = try await orgs.org(rootId), scope.covers(root.path) else {
            throw AppError.notFound(WorkOrderText.notFound)
        }
        let snapshot = try await catalog.snapshot()
        let rows = try await database.withConnection { sql in try await store.counters(under: root.path, from: from, to: to, on: sql) }
        var total = WorkOrderStats.Line(key: "", label: WorkOrderText.total)
        var types: [String: WorkOrderStats.Line] = [:]
        var categories: [String: WorkOrderStats.Line] = [:]
        var months: [String: WorkOrderStats.Line] = [:]
        for (period, type, category, c) in rows {
            let line = WorkOrderStats.Line(
                key: "", label: "", created: c.created, resolved: c.resolved, onTime: c.onTime, rated: c.rated, satisfied: c.satisfied,
                ratingSum: c.ratingSum, handlingDays: c.handlingDays)
            total.add(line)
            types[type, default: .init(key: type, label: snapshot.typeName(type))].add(line)
            categories[category, default: .init(key: category, label: snapshot.categoryName(category))].add(line)
            months[period, default: .init(key: period, label: period)].add(line)
        }
        // Every month of the range, including empty ones, so charts keep their time axis.
        var month: CivilMonth? = first
        while let m = month, m <= last {
            if months[m.iso] == nil { months[m.iso] = .init(key: m.iso, label: m.iso) }
            month = m.next
        }
        return WorkOrderStats(
            root: root, from: from, to: to, total: total,
            byType: types.values.sorted { $0.created > $1.created }, byCategory: categories.values.sorted { $0.created > $1.created },
            byMonth: months.values.sorted { $0.key < $1.key })
    }

    /// Where a report can go from `root`: its children, and its parent, each only if the actor may read it.
    public func drillDown(from root: HandlingOrg, actor: Actor) async throws -> (children: [HandlingOrg], parent: OrgPath?) {
        let scope = actor.scope(.workOrderRead)
        let children = try await orgs.children(of: root.id, limit: 100).filter { scope.covers($0.path) }
        return (children, root.path.parent.flatMap { scope.covers($0) ? $0 : nil })
    }

    /// Both months valid, in order, and at most `maxMonths` apart; otherwise a 422 naming the field.
    static func range(_ from: String, _ to: String) throws -> (CivilMonth, CivilMonth) {
        var v = Validator()
        let first = CivilMonth(iso: from)
        let last = CivilMonth(iso: to)
        v.check(first != nil, "from", WorkOrderText.monthInvalid)
        v.check(last != nil, "to", WorkOrderText.monthInvalid)
        try v.validate()
        guard let first, let last else { throw AppError.validation(["from": WorkOrderText.monthInvalid]) }
        v.check(first <= last, "to", WorkOrderText.monthOrder)
        v.check(first.count(through: last) <= maxMonths, "from", WorkOrderText.monthRangeTooLong(maxMonths))
        try v.validate()
        return (first, last)
    }
}
