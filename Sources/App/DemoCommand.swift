import Accounts
import ArgumentParser
import Benefits
import Foundation
import Logging
import Members
import Organizations
import Platform
import WorkOrders

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load deterministic demo data (Hebei) into an empty database and print the demo accounts.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "small (seconds) or province (about 55,000 unions)") var scale: DemoTree.Scale = .small
    @Option(help: "Random seed: the same seed gives the same data") var seed: UInt64 = 2026
    @Option(help: "Members per grassroots union on average (default: 5 small, 268 province ≈ 14 million)") var members: Int?
    @Option(help: "Extra plain work orders at 正定县总工会 (titled 讨薪 1…N), for benchmarks") var workOrders: Int = 0

    func run() async throws {
        let (scale, seed, workOrders) = (self.scale, self.seed, self.workOrders)
        let perUnion = members ?? (scale == .small ? 5 : 268)
        let lines = try await withServices(options) { services, logger in
            try await DemoData(services: services).load(scale: scale, seed: seed, perUnion: perUnion, workOrders: workOrders, logger: logger)
        }
        print(lines.joined(separator: "\n"))
    }
}

extension DemoTree.Scale: ExpressibleByArgument {}

/// The demo accounts: one per kind of cadre a newcomer will want to try.
struct DemoData {
    static let password = "Demo@2026"
    static let accounts: [(username: String, name: String, role: String, region: String, what: String)] = [
        ("hebei", "张卫东", Role.orgAdmin, "130000", "河北省总工会 组织管理员（全省）"),
        ("sjz", "李红梅", Role.orgAdmin, "130100", "石家庄市总工会 组织管理员"),
        ("zhengding", "王建国", Role.orgAdmin, "130123", "正定县总工会 组织管理员（县级干部）"),
        ("rexian", "陈静", Role.hotlineOperator, "130123", "正定县总工会 12351 热线接线员"),
        ("zhengdingzhen", "刘晓燕", Role.workOrderHandler, "130123100000", "正定镇总工会 工单办理员（乡镇工作站）"),
        ("auditor", "赵静", Role.auditor, "130000", "河北省总工会 审计员"),
        ("admin", "系统管理员", Role.systemAdmin, "130000", "系统管理员（首次登录须绑定动态口令）"),
    ]
    /// Accounts the demo makes through a domain rather than with a role (listed with the others).
    static let otherAccounts = [(BenefitsDemo.cashier, "正定影城 收银员 — 商户收银台 /merchant（核验会员卡、核销优惠）")]

    let services: Services

    /// Members for every grassroots union: a few each (small), about 268 each (province, ~14 million).
    func loadMembers(perUnion: Int, seed: UInt64, logger: Logger) async throws -> MemberDemo.Summary {
        let all = try await services.organizations.grassroots()
        let unions = all.map { o in
            DemoUnion(id: o.id, path: o.path, name: o.name, county: String((o.regionCode ?? "130102").prefix(6)))
        }
        let records = MemberRecords(cipher: services.cipher, numberPrefix: services.config.memberNumberPrefix)
        let summary = try await MemberDemo(database: services.database, records: records).load(
            unions: unions, perUnion: perUnion, seed: seed,
            progress: { n in if n % 500_000 < 60_000 { logger.info("demo members", metadata: ["loaded": "\(n)"]) } })
        // The demo rolls give members card numbers as an import would: they become card records.
        try await services.cards.adoptRecorded(actor: .system(BenefitsText.demoIssuer))
        try await services.rollups.run()
        return summary
    }

    /// The work-order stories at 正定县 and, if asked, `count` plain orders at the county union.
    func loadWorkOrders(count: Int, seed: UInt64, idsByRegion: [String: Int64]) async throws -> String {
        guard let countyId = idsByRegion["130123"], let townId = idsByRegion["130123100000"],
            let county = try await services.handlingOrgs.org(countyId), let town = try await services.handlingOrgs.org(townId),
            let grassroots = try await services.handlingOrgs.children(of: townId, limit: 1).first
        else { return "未找到正定县的演示组织，未生成工单" }
        let demo = WorkOrderDemo(database: services.database, orders: services.workOrders)
        func actor(_ username: String) async throws -> Actor {
            Actor(principal: try await services.auth.principal(username: username), ip: "local", requestId: "demo")
        }
        try await demo.stories(worker: nil, grassroots: grassroots, township: town, handler: try await actor("zhengdingzhen"),
                               operatorActor: try await actor("rexian"))
        if count > 0 { try await demo.bulk(count: count, org: county, seed: seed) }
        return "工单 \(4 + count) 件（正定县）"
    }

    /// 正定县's partner merchants, set up by its cadre.
    func loadBenefits(idsByRegion: [String: Int64]) async throws -> String {
        guard let countyId = idsByRegion["130123"] else { return "未找到正定县的演示组织，未生成合作商户" }
        let cadre = Actor(principal: try await services.auth.principal(username: "zhengding"), ip: "local", requestId: "demo")
        try await BenefitsDemo(merchants: services.merchants, offers: services.offers).stories(
            countyId: countyId, cadre: cadre, password: Self.password, today: CivilDate(date: services.clock.now()),
            scratch: services.uploads, licences: services.merchantFiles)
        return "合作商户 2 家（正定县：正定影城 10元观影每天限量200份，正定古城饺子馆 88折）"
    }

    func load(scale: DemoTree.Scale, seed: UInt64, perUnion: Int, workOrders: Int = 0, logger: Logger) async throws -> [String] {
        let tree = DemoTree(database: services.database)
        var lines: [String] = []
        if try await tree.isEmpty() {
            let start = ContinuousClock.now
            let summary = try await tree.build(scale: scale, seed: seed)
            let system = Actor.system("系统初始化（演示数据）")  // shown as the grantor of the demo roles
            for demo in Self.accounts {
                guard let orgId = summary.idsByRegion[demo.region] else { continue }
                let account = try await services.accounts.create(
                    NewAccount(username: demo.username, displayName: demo.name, password: Self.password, homeOrgId: orgId), actor: system)
                _ = try await services.accounts.grant(accountId: account.id, roleCode: demo.role, orgId: orgId, actor: system)
            }
            let levels = OrgLevel.allCases.compactMap { level in summary.byLevel[level].map { "\(level.label) \($0)" } }
            lines.append("已生成演示数据（\(scale.rawValue)，种子 \(seed)）：工会组织 \(summary.total) 个 — \(levels.joined(separator: "，"))；用时 \(start.duration(to: .now))")
            let members = try await loadMembers(perUnion: perUnion, seed: seed, logger: logger)
            lines.append("会员 \(members.members) 人；用时 \(members.seconds) 秒")
            lines.append(try await loadWorkOrders(count: workOrders, seed: seed, idsByRegion: summary.idsByRegion))
            lines.append(try await loadBenefits(idsByRegion: summary.idsByRegion))
        } else {
            lines.append("数据库中已有工会组织，未重复生成演示数据。")
        }
        lines.append("")
        lines.append("演示账号（密码均为 \(Self.password)）：")
        for demo in Self.accounts {
            lines.append("  \(demo.username.padding(toLength: 10, withPad: " ", startingAt: 0)) \(demo.what)")
        }
        for (username, what) in Self.otherAccounts {
            lines.append("  \(username.padding(toLength: 10, withPad: " ", startingAt: 0)) \(what)")
        }
        lines.append("")
        lines.append("管理后台：http://\(services.config.host):\(services.config.port)/admin    职工网站：http://\(services.config.host):\(services.config.port)/")
        return lines
    }
}
