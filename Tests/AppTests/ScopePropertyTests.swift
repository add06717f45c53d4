import Foundation
import SQLKit
import Synchronization
import Testing

@testable import Accounts
@testable import App
@testable import Benefits
@testable import Members
@testable import Organizations
@testable import Platform
@testable import WorkOrders

/// Random forests, random accounts with random role assignments: no list, read or write of orgs,
/// accounts, audit entries, members or work orders ever reaches outside the account's scope, and no
/// grant ever exceeds the granter's scope. Expected results are computed in memory from the same
/// random data.
@Suite struct ScopePropertyTests {
    struct World {
        var orgs: [Organization]
        var accounts: [Account]
        var roles: [Role]
        var auditPaths: [OrgPath?]
        /// Where each account holds roles (granted by the system, often above its home org).
        var held: [Int64: [OrgPath]]
    }

    /// The seed of a run's world: `WH_TEST_SEED` replays one; otherwise a fresh one, printed.
    static func seed(_ test: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["WH_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("\(test): world seed \(seed) (replay with WH_TEST_SEED=\(seed))")
        return seed
    }

    /// The seeds of a run's cases, drawn from its world seed: one printed seed replays the whole run.
    static func caseSeeds(_ count: Int, from seed: UInt64) -> [UInt64] {
        var rng = DemoRandom(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
        return (0..<count).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) }
    }

    /// Three random trees (forest roots at depth 0), 25 accounts with random homes, audit entries on random orgs.
    static func makeWorld(_ app: TestApp, seed: UInt64) async throws -> World {
        var rng = DemoRandom(seed: seed)
        let orgs = app.services.organizations
        var all: [Organization] = []
        let levels: [OrgLevel] = [.province, .city, .county, .township, .grassroots]
        for r in 0..<3 {
            let root = try await orgs.createRoot(OrgInput(name: "根\(r)", level: .province, kind: .federation), actor: app.system)
            all.append(root)
            var frontier = [root]
            while let parent = frontier.popLast() {
                guard parent.level != .grassroots else { continue }
                for c in 0..<Int.random(in: 0...3, using: &rng) {
                    let level = levels[min(levels.firstIndex(of: parent.level)! + Int.random(in: 1...2, using: &rng), 4)]
                    let child = try await orgs.createChild(
                        of: parent.id,
                        OrgInput(name: "\(parent.name)-\(c)", level: level, kind: level == .grassroots ? .grassroots : .federation),
                        actor: app.system)
                    all.append(child)
                    frontier.append(child)
                }
            }
        }
        // Every world has grassroots unions, for members and work orders to belong to.
        if !all.contains(where: { $0.level == .grassroots }) {
            let parent = rng.pick(all)
            all.append(
                try await orgs.createChild(
                    of: parent.id, OrgInput(name: "\(parent.name)-基层", level: .grassroots, kind: .grassroots), actor: app.system))
        }
        var accounts: [Account] = []
        var held: [Int64: [OrgPath]] = [:]
        let roles = try await app.services.accounts.roles()
        for i in 0..<25 {
            let account = try await app.services.accounts.create(
                NewAccount(username: "user\(i)", displayName: "用户\(i)", password: Fixture.password, homeOrgId: rng.pick(all).id),
                actor: app.system)
            accounts.append(account)
            // Roles anywhere in the forest, so some sit above or beside the home org.
            for _ in 0..<Int.random(in: 0...2, using: &rng) {
                let org = rng.pick(all)
                if (try? await app.services.accounts.grant(accountId: account.id, roleCode: rng.pick(roles).code, orgId: org.id, actor: app.system))
                    != nil
                {
                    held[account.id, default: []].append(org.path)
                }
            }
        }
        var auditPaths: [OrgPath?] = []
        for i in 0..<150 {
            let path: OrgPath? = i % 10 == 0 ? nil : rng.pick(all).path
            auditPaths.append(path)
            try await app.services.audit.record(
                AuditEntry(actor: app.system, action: "test.event", objectType: "test", objectId: String(i), orgPath: path))
        }
        return World(orgs: all, accounts: accounts, roles: roles, auditPaths: auditPaths, held: held)
    }

    static func randomPrincipal(_ world: World, rng: inout DemoRandom) -> Principal {
        let assignments = (0..<Int.random(in: 0...3, using: &rng)).map { i -> RoleAssignment in
            let org = rng.pick(world.orgs)
            let role = rng.pick(world.roles)
            return RoleAssignment(id: Int64(i), roleCode: role.code, roleName: role.name, orgId: org.id, orgPath: org.path,
                                  orgName: org.name, permissions: role.permissions)
        }
        return Principal(accountId: 0, username: "random", displayName: "随机", assignments: assignments)
    }

    /// A partner key made at a random org with random permissions, as the API resolves its token.
    static func keyPrincipal(_ app: TestApp, _ world: World, name: String, rng: inout DemoRandom) async throws -> Principal {
        let org = rng.pick(world.orgs)
        let permissions = [Permission.memberRead, .workOrderRead, .workOrderIntake, .orgRead].filter { _ in rng.chance(0.6) }
        let (_, secret) = try await app.services.partnerKeys.create(
            PartnerKeyInput(
                name: name, permissions: (permissions.isEmpty ? [.orgRead] : permissions).map(\.rawValue), orgId: org.id, ratePerMinute: 6000,
                expiresAt: app.clock.now.addingTimeInterval(86400)), actor: .system("test"))
        return try #require(try await app.services.auth.resolve(token: secret, kind: .api, ip: "127.0.0.1")).principal
    }

    /// Reads every page of a keyset-paged list.
    static func all<T>(_ fetch: (PageRequest) async throws -> Page<T>) async throws -> [T] {
        var items: [T] = []
        var page = PageRequest(limit: 200)
        while true {
            let result = try await fetch(page)
            items += result.items
            guard let next = result.nextCursor else { return items }
            page = PageRequest(cursor: next, limit: 200)
        }
    }

    @Test func noReadWriteOrGrantLeavesTheScope() async throws {
        try await TestApp.run { app in
            let seed = Self.seed("noReadWriteOrGrantLeavesTheScope")
            let world = try await Self.makeWorld(app, seed: seed)
            let orgsService = app.services.organizations
            let accountsService = app.services.accounts
            let activeOrgs = world.orgs
            // How often each outcome happened, so a run that never exercises one side fails.
            let tally = Mutex<[String: Int]>([:])
            func count(_ key: String) { tally.withLock { $0[key, default: 0] += 1 } }
            for caseSeed in Self.caseSeeds(1000, from: seed) {
                var rng = DemoRandom(seed: caseSeed)
                let principal = Self.randomPrincipal(world, rng: &rng)
                let actor = Actor(principal: principal, ip: "127.0.0.1", requestId: "prop")
                let read = principal.scope(.orgRead)
                do {
                    // Lists of orgs: exactly the orgs in scope.
                    if read.isEmpty {
                        await #expect(throws: AppError.self) { _ = try await orgsService.search("", actor: actor, page: PageRequest()) }
                    } else {
                        let listed = try await Self.all { try await orgsService.search("", actor: actor, page: $0) }
                        #expect(Set(listed.map(\.id)) == Set(activeOrgs.filter { read.covers($0.path) }.map(\.id)))
                    }
                    // Reads and children of a random org.
                    let target = rng.pick(activeOrgs)
                    let visible = read.covers(target.path)
                    let got = try? await orgsService.get(target.id, actor: actor)
                    #expect((got != nil) == visible)
                    count(visible ? "read.visible" : "read.hidden")
                    if visible {
                        let kids = try await orgsService.children(of: target.id, actor: actor, page: PageRequest(limit: 200)).items
                        #expect(kids.allSatisfy { read.covers($0.path) })
                    }
                    // A write: allowed exactly where org.write covers the org.
                    let write = principal.scope(.orgWrite)
                    let edited = try? await orgsService.edit(
                        target.id, OrgInput(name: target.name, phone: "0311-\(Int.random(in: 1_000_000...9_999_999, using: &rng))"),
                        actor: actor)
                    #expect((edited != nil) == write.covers(target.path))
                    count(edited != nil ? "write.allowed" : "write.refused")
                    // Accounts: exactly those whose home is in scope.
                    let accountScope = principal.scope(.accountRead)
                    if !accountScope.isEmpty {
                        let listed = try await Self.all { try await accountsService.list(actor: actor, page: $0) }
                        #expect(Set(listed.map(\.id)) == Set(world.accounts.filter { accountScope.covers($0.homeOrgPath) }.map(\.id)))
                    }
                    // Audit entries: only in scope (entries tied to no org only for whole-tree auditors).
                    let auditScope = principal.scope(.auditRead)
                    if !auditScope.isEmpty {
                        let entries = try await Self.all {
                            try await app.services.audit.list(actor: actor, filter: AuditFilter(action: "test.event"), page: $0, roots: world.orgs.filter { $0.parentId == nil }.map(\.path))
                        }
                        // Entries tied to no org: only for auditors of every tree of the deployment.
                        let seesUnowned = world.orgs.filter { $0.parentId == nil }.allSatisfy { auditScope.covers($0.path) }
                        let expected = world.auditPaths.filter { $0.map(auditScope.covers) ?? seesUnowned }.count
                        #expect(entries.count == expected)
                        #expect(entries.allSatisfy { $0.orgPath.map(auditScope.covers) ?? seesUnowned })
                    }
                    // A grant: succeeds exactly when the granter holds the grant and every permission of the role
                    // over the org, and may manage the account; and then the grantee's new scope is within the granter's.
                    let accountWrite = principal.scope(.accountWrite)
                    // Any write to an account needs account.write over its home and every org it holds a role in.
                    func mayWrite(_ account: Account) -> Bool {
                        accountScope.covers(account.homeOrgPath) && accountWrite.covers(account.homeOrgPath)
                            && world.held[account.id, default: []].allSatisfy(accountWrite.covers)
                    }
                    // Half the grants are aimed where this principal could grant, so both outcomes are common.
                    let aimed = rng.chance(0.5)
                    let grantable = activeOrgs.filter { read.covers($0.path) && principal.scope(.roleGrant).covers($0.path) }
                    let org = aimed && !grantable.isEmpty ? rng.pick(grantable) : rng.pick(activeOrgs)
                    let fitting = world.roles.filter { $0.permissions.allSatisfy { principal.scope($0).covers(org.path) } }
                    let role = aimed && !fitting.isEmpty ? rng.pick(fitting) : rng.pick(world.roles)
                    let writable = world.accounts.filter(mayWrite)
                    let grantee = aimed && !writable.isEmpty ? rng.pick(writable) : rng.pick(world.accounts)
                    let allowed = read.covers(org.path) && mayWrite(grantee) && principal.scope(.roleGrant).covers(org.path)
                        && role.permissions.allSatisfy { principal.scope($0).covers(org.path) }
                    let granted = try? await accountsService.grant(accountId: grantee.id, roleCode: role.code, orgId: org.id, actor: actor)
                    count(granted != nil ? "grant.allowed" : "grant.refused")
                    if granted != nil {
                        #expect(allowed)
                        for permission in role.permissions { #expect(principal.scope(permission).covers(org.path)) }
                        try await accountsService.revoke(assignmentId: granted!, actor: .system("test"))
                    } else {
                        // Refused: not allowed, or the same grant exists already (from the world).
                        let duplicate = try await accountsService.assignments(of: grantee.id, actor: .system("test"))
                            .contains { $0.roleCode == role.code && $0.orgId == org.id }
                        #expect(!allowed || duplicate)
                    }
                    // Reset and disable: exactly where the principal may write the account.
                    let someone = rng.chance(0.5) && !writable.isEmpty ? rng.pick(writable) : rng.pick(world.accounts)
                    let reset: Void? = try? await accountsService.resetPassword(someone.id, to: "Reset!2026x", actor: actor)
                    #expect((reset != nil) == mayWrite(someone))
                    count(reset != nil ? "reset.allowed" : "reset.refused")
                    let disabled: Void? = try? await accountsService.setStatus(someone.id, .disabled, actor: actor)
                    #expect((disabled != nil) == mayWrite(someone))
                    if disabled != nil { try await accountsService.setStatus(someone.id, .active, actor: .system("test")) }
                } catch {
                    Issue.record("unexpected error \(error) for scope \(read)")
                }
            }
            let seen = tally.withLock { $0 }
            for key in [
                "read.visible", "read.hidden", "write.allowed", "write.refused", "grant.allowed", "grant.refused", "reset.allowed",
                "reset.refused",
            ] {
                #expect(seen[key, default: 0] > 0, "no case had \(key): \(seen)")
            }
            print("scope property outcomes: \(seen.sorted { $0.key < $1.key })")
        }
    }

    /// Members and work orders on random unions of the random forest: every list (also through
    /// search), read and stats answer exactly what the principal's scope covers, whether it holds
    /// random roles or is a partner key resolved from its token.
    @Test func noMemberOrWorkOrderLeavesTheScope() async throws {
        try await TestApp.run { app in
            let seed = Self.seed("noMemberOrWorkOrderLeavesTheScope")
            let world = try await Self.makeWorld(app, seed: seed)
            var rng = DemoRandom(seed: seed &+ 1)
            let unions = world.orgs.filter { $0.level == .grassroots }
            var members: [Member] = []
            var orders: [WorkOrder] = []
            for i in 0..<40 {
                let union = rng.pick(unions)
                members.append(
                    try await app.services.members.create(
                        MemberInput(name: "成员\(i)", idNumber: TestIDs.make(500 + i)), unionId: union.id, actor: app.system))
                let input = IntakeInput(
                    typeCode: "consultation", categoryCode: "other", title: "咨询工单 \(i)", description: "说明", unionId: rng.pick(unions).id,
                    callerName: "来电人")
                orders.append(try await app.services.workOrders.fileByStaff(input, channel: .hotline, actor: app.system))
            }
            var cards: [MemberCard] = []
            for member in members { cards.append(try await app.services.cards.issue(memberId: member.id, actor: app.system)) }
            let cardService = app.services.cards
            // Partner merchants, each reviewed by a random union.
            var merchants: [Merchant] = []
            for i in 0..<8 {
                let licence = FileManager.default.temporaryDirectory.appendingPathComponent("licence-\(UUID().uuidString).png")
                try BenefitsDemo.placeholderPNG.write(to: licence)
                let body = "91130123MA0000" + String(format: "%03d", i)
                merchants.append(
                    try await app.services.merchants.apply(
                        MerchantApplication(
                            name: "商户\(i)", creditCode: body + String(CreditCode.checkCharacter(body) ?? "0"), category: "餐饮美食",
                            contactName: "店长", contactPhone: "13903110101", unionId: rng.pick(world.orgs).id, outletName: "", outletAddress: "某路 1 号"),
                        licence: licence, directory: app.services.merchantFiles, actor: app.system))
            }
            let (merchantService, settlement) = (app.services.merchants, app.services.settlement)
            let (memberService, orderService, stats) = (app.services.members, app.services.workOrders, app.services.workOrderStats)
            let month = String(CivilDate(date: app.clock.now).iso.prefix(7))
            let tally = Mutex<[String: Int]>([:])
            func count(_ key: String) { tally.withLock { $0[key, default: 0] += 1 } }
            for (i, caseSeed) in Self.caseSeeds(300, from: seed).enumerated() {
                var rng = DemoRandom(seed: caseSeed)
                // A quarter of the cases act as a partner key: its token resolved as the API does.
                let isKey = rng.chance(0.25)
                let principal = isKey ? try await Self.keyPrincipal(app, world, name: "密钥\(i)", rng: &rng) : Self.randomPrincipal(world, rng: &rng)
                if isKey { count("key.cases") }
                let actor = Actor(principal: principal, ip: "127.0.0.1", requestId: "prop")
                do {
                    let memberScope = principal.scope(.memberRead)
                    if memberScope.isEmpty {
                        await #expect(throws: AppError.self) {
                            _ = try await memberService.search(MemberQuery(), actor: actor, page: PageRequest())
                        }
                    } else {
                        for text in ["", "成员"] {
                            let listed = try await Self.all { try await memberService.search(MemberQuery(text: text), actor: actor, page: $0) }
                            #expect(Set(listed.map(\.id)) == Set(members.filter { memberScope.covers($0.orgPath) }.map(\.id)))
                        }
                    }
                    let member = rng.pick(members)
                    let seen = (try? await memberService.get(member.id, actor: actor)) != nil
                    #expect(seen == memberScope.covers(member.orgPath))
                    count(seen ? "member.visible" : "member.hidden")

                    // Member cards: a member's cards are seen, and a card reported lost, only inside the scope.
                    let cardSeen = (try? await cardService.cards(memberId: member.id, actor: actor)) != nil
                    #expect(cardSeen == principal.scope(.cardRead).covers(member.orgPath))
                    count(cardSeen ? "card.visible" : "card.hidden")
                    let card = rng.pick(cards)
                    do {
                        _ = try await cardService.reportLost(card.id, actor: actor)
                        #expect(principal.scope(.cardIssue).covers(card.orgPath))
                        count("card.write.allowed")
                    } catch let error as AppError {
                        // Inside the scope only "already lost" may refuse it; outside, the card does not exist
                        // (or, without the permission anywhere, the request is forbidden).
                        let issueScope = principal.scope(.cardIssue)
                        #expect(
                            error.status == (issueScope.covers(card.orgPath) ? .conflict : issueScope.isEmpty ? .forbidden : .notFound), "\(error)")
                        count(error.status == .conflict ? "card.write.allowed" : "card.write.refused")
                    }

                    // Merchants and their month: listed, opened and settled only inside the scope.
                    let merchantScope = principal.scope(.merchantManage)
                    if merchantScope.isEmpty {
                        await #expect(throws: AppError.self) { _ = try await merchantService.merchants(status: nil, actor: actor) }
                    } else {
                        let listed = try await merchantService.merchants(status: nil, actor: actor)
                        #expect(Set(listed.map(\.id)) == Set(merchants.filter { merchantScope.covers($0.orgPath) }.map(\.id)))
                    }
                    let merchant = rng.pick(merchants)
                    let merchantSeen = (try? await merchantService.managed(merchant.id, actor: actor)) != nil
                    #expect(merchantSeen == merchantScope.covers(merchant.orgPath))
                    count(merchantSeen ? "merchant.visible" : "merchant.hidden")
                    let settleScope = principal.scope(.benefitsSettle)
                    if let month = try? await settlement.month(CivilMonth(CivilDate(date: app.clock.now)), actor: actor) {
                        #expect(Set(month.map(\.merchantId)) == Set(merchants.filter { settleScope.covers($0.orgPath) }.map(\.id)))
                    } else {
                        #expect(settleScope.isEmpty)
                    }

                    let orderScope = principal.scope(.workOrderRead)
                    if orderScope.isEmpty {
                        await #expect(throws: AppError.self) {
                            _ = try await orderService.list(QueueQuery(queue: .subtree), actor: actor, page: PageRequest())
                        }
                    } else {
                        for text in [nil, "咨询工单"] {
                            let listed = try await Self.all {
                                try await orderService.list(QueueQuery(queue: .subtree, text: text), actor: actor, page: $0)
                            }
                            #expect(Set(listed.map(\.id)) == Set(orders.filter { orderScope.covers($0.orgPath) }.map(\.id)))
                        }
                    }
                    let order = rng.pick(orders)
                    let opened = (try? await orderService.get(order.id, actor: actor)) != nil
                    #expect(opened == orderScope.covers(order.orgPath))
                    count(opened ? "order.visible" : "order.hidden")
                    // Stats of a random org: its subtree's count where covered, "not found" elsewhere.
                    let org = rng.pick(world.orgs)
                    let figures = try? await stats.stats(orgId: org.id, from: month, to: month, actor: actor)
                    #expect((figures != nil) == orderScope.covers(org.path))
                    if let figures { #expect(figures.total.created == Int64(orders.filter { org.path.contains($0.orgPath) }.count)) }
                    count(figures != nil ? "stats.visible" : "stats.hidden")
                    // The workbench: each work-order to-do counts exactly the list it links to, and the
                    // orders waiting for acceptance are those of the principal's handler orgs in its read scope.
                    let handlerOrgs = Set(principal.assignments.filter { $0.permissions.contains(.workOrderHandle) }.map(\.orgId))
                    for todo in try await WorkOrderTodos(orders: orderService).todos(for: actor) {
                        let (query, _, _) = try #require(WorkOrderTodos.lines.first { WorkOrderTodos.href($0.0) == todo.href })
                        let listed = try await Self.all { try await orderService.list(query, actor: actor, page: $0) }
                        #expect(todo.count == listed.count, "\(todo.label)")
                        if query.queue == .org {
                            #expect(todo.count == orders.filter { handlerOrgs.contains($0.orgId) && orderScope.covers($0.orgPath) }.count)
                            count(todo.count > 0 ? "todo.counted" : "todo.none")
                        }
                    }
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
            let seen = tally.withLock { $0 }
            for key in [
                "member.visible", "member.hidden", "order.visible", "order.hidden", "stats.visible", "stats.hidden", "key.cases", "todo.counted",
                "todo.none", "card.visible", "card.hidden", "card.write.allowed", "card.write.refused", "merchant.visible", "merchant.hidden",
            ] {
                #expect(seen[key, default: 0] > 0, "no case had \(key): \(seen)")
            }
        }
    }
}
