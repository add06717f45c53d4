import Foundation
import Platform

/// One union's figures for its whole subtree.
public struct MemberRollup: Codable, Sendable {
    public var orgId: Int64
    public var orgPath: OrgPath
    public var parentId: Int64?
    public var period: String
    /// Every member on the rolls: working plus retired-kept.
    public var active: Int64
    /// 退休保留会籍: counted, but apart from those at work.
    public var retired: Int64
    public var joined: Int64
    public var migrant: Int64
    public var cards: Int64
    public var pending: Int64
    public var computedAt: Date
    /// What 工会法 art. 11 asks of this union now, if anything (`FoundingRule`).
    public var founding: String?
    /// Joins per month over the subtree for the 12 months up to the run's (`RollupService.months`),
    /// as `2026-01:12,2026-02:30,…`; nil before the first run that kept them.
    public var joinedMonths: String?

    enum CodingKeys: String, CodingKey {
        case orgId = "org_id", orgPath = "org_path", parentId = "parent_id", period, active, retired, joined, migrant, cards, pending, founding
        case computedAt = "computed_at", joinedMonths = "joined_months"
    }

    /// Card holders among members, 0–1.
    public var cardCoverage: Double { active == 0 ? 0 : Double(cards) / Double(active) }
    /// Members at work: the total less the retired-kept.
    public var working: Int64 { active - retired }
}

/// The dashboard of a cadre: their union's totals and a row per child union.
public struct MemberDashboard: Sendable {
    public var root: MemberRollup
    public var rootName: String
    public var children: [(rollup: MemberRollup, name: String)]
    public var computedAt: Date?
    /// Grassroots unions of this subtree that 工会法 art. 11 flags (`FoundingRule`).
    public var foundingFlagged: Int
}

/// Sums the per-union counters (kept by the write path) up the tree, so dashboards read a few
/// rows instead of counting millions of members. Runs as a job; no write locks an ancestor.
public struct RollupService: Sendable {
    public static let jobKind = "members.rollup"
    let database: Database
    let unions: any UnionDirectory
    let clock: AppClock
    let store = RollupStore()

    public init(database: Database, unions: any UnionDirectory, clock: AppClock) {
        self.database = database
        self.unions = unions
        self.clock = clock
    }

    var period: String { String(CivilDate(date: clock.now()).iso.prefix(7)) }

    /// How many months of joins each rollup keeps for the dashboard's chart.
    public static let months = 12

    /// The `count` months up to today's, oldest first (`2026-01`).
    func recentPeriods(_ count: Int = RollupService.months) -> [String] {
        let today = CivilDate(date: clock.now())
        return (0..<count).reversed().map { back in
            let m = today.year * 12 + (today.month - 1) - back
            return String(format: "%04d-%02d", m / 12, m % 12 + 1)
        }
    }

    /// Recomputes every union's rollup. Returns how many unions it wrote.
    @discardableResult
    public func run() async throws -> Int {
        let tree = try await unions.tree()
        let period = self.period
        let months = recentPeriods()
        let counters = try await database.withConnection { [store] sql in
            try await store.counters(period: period, joinedSince: months[0], on: sql)
        }
        let order = ["active", "retired", "joined", "migrant", "cards", "pending"]  // the rollup's columns after `period`
        var sums: [Int64: [Int64]] = [:]
        // Joins per month summed up the tree here, so the dashboard reads its chart from one row
        // (summing the counters under a province's root at request time took 0.5 s: bench/README.md).
        var monthly: [Int64: [Int64]] = [:]
        let monthSlot = Dictionary(uniqueKeysWithValues: months.enumerated().map { ($1, $0) })
        let paths = Dictionary(tree.map { ($0.id, $0.path) }, uniquingKeysWith: { a, _ in a })
        for c in counters where c.value != 0 {
            guard let path = paths[c.orgId] else { continue }
            if c.period.isEmpty || c.period == period, let slot = order.firstIndex(of: c.metric) {
                for ancestor in path.ids { sums[ancestor, default: Array(repeating: 0, count: order.count)][slot] += c.value }
            }
            if c.metric == "joined", let slot = monthSlot[c.period] {
                for ancestor in path.ids { monthly[ancestor, default: Array(repeating: 0, count: months.count)][slot] += c.value }
            }
        }
        let now = clock.now()
        let before = try await database.withConnection { [store] sql in try await store.previousActive(on: sql) }
        var crossed: [(node: UnionNode, text: (String) -> String)] = []
        let rows: [[BulkValue]] = tree.map { org in
            let s = sums[org.id] ?? Array(repeating: 0, count: order.count)
            let flag = FoundingRule.flag(form: org.form, members: s[0])
            if let text = FoundingRule.crossing(form: org.form, before: before[org.id], now: s[0]) { crossed.append((org, text)) }
            return [.int(org.id), .text(org.path.rawValue), org.parentId.map(BulkValue.int) ?? .null, .text(period)] + s.map(BulkValue.int)
                + [.date(now), flag.map(BulkValue.text) ?? .null,
                    .text(zip(months, monthly[org.id] ?? []).map { "\($0):\($1)" }.joined(separator: ","))]
        }
        // The union and its parent are told, once, when it crosses 25.
        let names = try await unions.names(crossed.map(\.node.id))
        let notices = crossed.flatMap { node, text in
            ([node.id] + (node.parentId.map { [$0] } ?? [])).map {
                Notice(to: .org($0), kind: "founding", text: text(names[node.id] ?? ""), at: now)
            }
        }
        try await database.transaction { [store, notices] sql in
            try await store.replaceAll(rows, on: sql)
            try await Notice.post(notices, on: sql)
        }
        return rows.count
    }

    /// Runs a read on the replica when there is one: rollups are minutes old by design, so its few
    /// seconds of lag do not matter. A replica that does not answer leaves the read to the primary.
    func readLagging<T: Sendable>(_ read: @Sendable (Database) async throws -> T) async throws -> T {
        if let replica = database.replicaReads {
            do { return try await read(replica) } catch DatabaseError.busy {}
        }
        return try await read(database)
    }

    /// Grassroots unions in the cadre's scope that 工会法 art. 11 flags (an organiser's union of 25 or
    /// more), fullest first, at most 200.
    public func foundingFlagged(actor: Actor) async throws -> [(rollup: MemberRollup, name: String)] {
        let scope = try actor.requireScope(.memberRead)
        let rows = try await readLagging { db in try await db.withConnection { [store] sql in try await store.flagged(in: scope, limit: 200, on: sql) } }
        let names = try await unions.names(rows.map(\.orgId))
        return rows.map { ($0, names[$0.orgId] ?? "") }
    }

    public func foundingFlaggedCount(actor: Actor) async throws -> Int {
        let scope = try actor.requireScope(.memberRead)
        return try await readLagging { db in try await db.withConnection { [store] sql in try await store.flaggedCount(in: scope, on: sql) } }
    }

    /// One union's figures as last summed (its page shows the member count); nil before the first sum.
    public func figures(ofUnion orgId: Int64) async throws -> MemberRollup? {
        try await readLagging { db in
            try await db.withConnection { [store] sql in try await store.rollups(ofAndUnder: orgId, on: sql).first { $0.orgId == orgId } }
        }
    }

    /// Joins per month over the last 12 months (this one included) under the dashboard's root, oldest
    /// first, as `("2026-01", 12)`, from the root's rollup; months it does not hold are 0.
    public func joinsByMonth(under root: MemberRollup) -> [(period: String, joined: Int64)] {
        let kept: [String: Int64] = (root.joinedMonths ?? "").split(separator: ",").reduce(into: [:]) { kept, pair in
            let parts = pair.split(separator: ":")
            if parts.count == 2, let n = Int64(parts[1]) { kept[String(parts[0])] = n }
        }
        return recentPeriods().map { ($0, kept[$0] ?? 0) }
    }

    public enum SortKey: String, Sendable, CaseIterable { case name, active, working, retired, joined, migrant, cards, coverage, pending }

    /// The dashboard of the actor's first subtree (or of `orgId` inside their scope).
    public func dashboard(actor: Actor, orgId: Int64?, sort: SortKey, ascending: Bool) async throws -> MemberDashboard {
        let scope = try actor.requireScope(.memberRead)
        let rootId: Int64
        if let orgId {
            rootId = orgId
        } else if let first = scope.roots.first {
            rootId = first.id
        } else {
            rootId = try await unions.tree().first { $0.parentId == nil }?.id ?? 0
        }
        let read = { @Sendable (from: Database) in
            // The root and its children in one statement.
            let rows = try await from.withConnection { [store] sql in try await store.rollups(ofAndUnder: rootId, on: sql) }
            return (rows.first { $0.orgId == rootId }, rows.filter { $0.orgId != rootId })
        }
        var (root, children) = try await readLagging(read)
        if root == nil {
            // Never summed yet (a new deployment, a new union): sum now rather than show nothing.
            try await run()
            (root, children) = try await read(database)  // the primary: a replica may not have the new rows yet
        }
        guard let root, scope.covers(root.orgPath) else { throw AppError.notFound() }
        let refs = try await unions.labels([rootId] + children.map(\.orgId))
        let names = Dictionary(refs.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let open = Set(refs.filter(\.active).map(\.id))
        func less(_ a: MemberRollup, _ b: MemberRollup) -> Bool {
            switch sort {
            case .name: (names[a.orgId] ?? "") < (names[b.orgId] ?? "")
            case .active: a.active < b.active
            case .working: a.working < b.working
            case .retired: a.retired < b.retired
            case .joined: a.joined < b.joined
            case .migrant: a.migrant < b.migrant
            case .cards: a.cards < b.cards
            case .coverage: a.cardCoverage < b.cardCoverage
            case .pending: a.pending < b.pending
            }
        }
        let rows = children.filter { open.contains($0.orgId) }.sorted { ascending ? less($0, $1) : less($1, $0) }
            .map { ($0, names[$0.orgId] ?? "") }
        let flagged = try await readLagging { db in
            try await db.withConnection { [store, path = root.orgPath] sql in try await store.flaggedCount(in: Scope([path]), on: sql) }
        }
        return MemberDashboard(
            root: root, rootName: names[rootId] ?? "", children: rows, computedAt: root.computedAt, foundingFlagged: flagged)
    }
}
