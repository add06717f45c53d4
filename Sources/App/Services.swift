import Accounts
import Benefits
import Foundation
import Logging
import Members
import Organizations
import Platform
import SQLKit
import WebUI
import WorkOrders

/// Every service of the deployment, built once from the configuration. Web, API, CLI and jobs share them.
struct Services: Sendable {
    let config: AppConfig
    let database: Database
    let clock: AppClock
    let audit: AuditLog
    let organizations: OrganizationService
    let auth: AuthService
    let accounts: AccountService
    let partnerKeys: PartnerKeyService
    let jobs: JobQueue
    let members: MemberService
    let joins: JoinService
    let transfers: TransferService
    let claims: ClaimService
    let imports: ImportService
    let exports: ExportService
    let rollups: RollupService
    let workers: WorkerService
    let portal: PortalService
    let unions: UnionDirectoryAdapter
    let workOrderCatalog: WorkOrderCatalog
    let workOrders: WorkOrderService
    let sla: SLAService
    let workOrderStats: StatsService
    let notifications: NotificationService
    let handlingOrgs: HandlingOrgAdapter
    let cipher: FieldCipher
    let keys: KeyManagement
    let personalData: PersonalDataService
    let cards: CardService
    let merchants: MerchantService
    let offers: OfferService
    let redemptions: RedemptionService
    let settlement: SettlementService
    let cardBatches: CardBatchService

    static let migrations: [Migration] =
        AuditLog.migrations + JobQueue.migrations + RateLimiter.migrations + KeyManagement.migrations + AuditArchive.migrations + OrganizationMigrations.all + AccountMigrations.all + MemberMigrations.all
        + WorkOrderMigrations.all + BenefitsMigrations.all

    /// Every domain's permissions: a new domain adds its list here.
    static let permissions = PermissionCatalogue(
        PermissionCatalogue.platform, OrgPermissions.all, AccountPermissions.all, MemberPermissions.all, WorkOrderPermissions.all,
        BenefitsPermissions.all)

    init(config: AppConfig, logger: Logger, clock: AppClock = .system, bcryptCost: UInt8 = 12) throws {
        self.config = config
        self.clock = clock
        let database = try Database.open(
            url: config.databaseURL, readURL: config.databaseReadURL, options: config.databaseOptions, logger: logger)
        self.database = database
        self.audit = AuditLog(database: database)
        // Lookups for other modules go through a listener-less instance: no cycle with the listeners.
        let unions = UnionDirectoryAdapter(organizations: OrganizationService(database: database, clock: clock))
        let organizations = OrganizationService(
            database: database, clock: clock, listeners: [AssignmentPathListener(), MemberTreeListener(), WorkOrderTreeListener()])
        self.unions = unions
        self.organizations = organizations
        let directory = OrgDirectoryAdapter(organizations: organizations)
        let passwords = PasswordPolicy(cost: bcryptCost)
        let cipher = FieldCipher(dataKey: config.dataKey, previousKeys: config.previousDataKeys, indexKey: config.indexKey)
        self.cipher = cipher
        self.keys = KeyManagement(
            database: database, cipher: cipher, columns: MemberFields.columns + WorkOrderFields.columns + AccountFields.columns,
            indexes: MemberFields.indexes + WorkOrderFields.indexes)
        let partnerKeys = PartnerKeyService(database: database, orgs: directory, catalogue: Self.permissions, clock: clock)
        self.partnerKeys = partnerKeys
        self.auth = AuthService(database: database, passwords: passwords, cipher: cipher, clock: clock, orgs: directory, partnerKeys: partnerKeys)
        self.accounts = AccountService(
            database: database, passwords: passwords, clock: clock, orgs: directory, catalogue: Self.permissions)
        self.jobs = JobQueue(database: database, clock: clock, logger: logger)
        let records = MemberRecords(cipher: cipher, numberPrefix: config.memberNumberPrefix)
        let sms = OutboxSMSSender(database: database, cipher: cipher, logger: logger)
        let regions = IDRegions.bundled
        let cardEndings = [CardMembershipListener(endings: CardEndings(clock: clock))]
        let members = MemberService(
            database: database, records: records, unions: unions, regions: regions, clock: clock, endListeners: cardEndings)
        self.members = members
        let joins = JoinService(database: database, records: records, unions: unions, regions: regions, sms: sms, clock: clock)
        self.joins = joins
        self.claims = ClaimService(database: database, records: records, unions: unions, regions: regions, sms: sms, clock: clock)
        let transfers = TransferService(database: database, records: records, unions: unions, regions: regions, sms: sms, clock: clock)
        self.transfers = transfers
        self.imports = ImportService(database: database, records: records, unions: unions, regions: regions, clock: clock)
        self.exports = ExportService(database: database, records: records, unions: unions, members: members)
        self.rollups = RollupService(database: database, unions: unions, clock: clock)
        let workers = WorkerService(database: database, records: records, passwords: passwords, sms: sms, clock: clock)
        self.workers = workers
        let portal = PortalService(database: database, unions: unions, joins: joins, transfers: transfers, clock: clock)
        self.portal = portal
        let handlingOrgs = HandlingOrgAdapter(organizations: OrganizationService(database: database, clock: clock))
        self.handlingOrgs = handlingOrgs
        let catalog = WorkOrderCatalog(database: database, orgs: handlingOrgs)
        self.workOrderCatalog = catalog
        self.workOrders = WorkOrderService(
            database: database, catalog: catalog, orgs: handlingOrgs,
            members: MemberLookupAdapter(members: members, portal: portal, workers: workers, unions: unions),
            messenger: SMSMessenger(sender: sms), cipher: cipher, clock: clock)
        let sla = SLAService(database: database, catalog: catalog, orgs: handlingOrgs, clock: clock)
        self.sla = sla
        self.workOrderStats = StatsService(database: database, catalog: catalog, orgs: handlingOrgs)
        self.notifications = NotificationService(database: database)
        self.personalData = PersonalDataService(
            database: database, records: records, sources: [WorkOrderPersonalData(orders: workOrders)], clock: clock,
            endListeners: cardEndings)
        let cardHolders = MemberCardHolders(members: members, organizations: organizations)
        self.cards = CardService(database: database, holders: cardHolders, rule: CardNumberRule(prefix: config.cardNumberPrefix), clock: clock)
        let benefitUnions = BenefitsUnionsAdapter(organizations: OrganizationService(database: database, clock: clock))
        let merchants = MerchantService(
            database: database, unions: benefitUnions, accounts: MerchantAccountsAdapter(accounts: self.accounts), clock: clock)
        self.merchants = merchants
        self.offers = OfferService(database: database, merchants: merchants, holders: cardHolders, unions: benefitUnions, clock: clock)
        self.redemptions = RedemptionService(
            database: database, merchants: merchants, holders: cardHolders, unions: benefitUnions,
            codes: CardCodes(deploymentKey: config.indexKey ?? config.dataKey), clock: clock)
        self.settlement = SettlementService(database: database, merchants: merchants, clock: clock)
        let jobQueue = self.jobs
        let cardBatches = CardBatchService(
            database: database, holders: cardHolders, unions: benefitUnions, rule: CardNumberRule(prefix: config.cardNumberPrefix), clock: clock,
            enqueue: { id in
                _ = try await jobQueue.enqueue(kind: CardBatchService.jobKind, payload: String(id))
                jobQueue.poke()
            })
        self.cardBatches = cardBatches
        let (imports, rollups, jobs) = (self.imports, self.rollups, self.jobs)
        jobs.register(ImportService.jobKind) { job, context in
            guard let id = Int64(job.payload) else { return }
            try await imports.run(id, heartbeat: { try await context.heartbeat() })
            try await jobs.enqueue(kind: RollupService.jobKind, payload: "")
        }
        jobs.register(RollupService.jobKind) { _, _ in try await rollups.run() }
        jobs.register(SLAService.jobKind) { _, _ in _ = try await sla.run() }
        jobs.register(CardBatchService.jobKind) { job, context in
            guard let id = Int64(job.payload) else { return }
            try await cardBatches.run(id, heartbeat: { try await context.heartbeat() })
            try await jobs.enqueue(kind: RollupService.jobKind, payload: "")
        }
        let keys = self.keys
        jobs.register(KeyManagement.jobKind) { _, context in
            try await keys.rotate { column, done in
                logger.info("re-sealing", metadata: ["column": "\(column)", "done": "\(done)"])
                try await context.heartbeat()
            }
        }
    }

    var uploads: URL { URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("uploads") }
    var exportsDirectory: URL { URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("exports") }
    var attachments: URL { URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("attachments") }
    /// Merchants' licence images.
    var merchantFiles: URL { URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("merchants") }

    /// Migrations, then the key check (skipped only by `keys reindex`, which is how the check is made to pass again).
    func migrate(logger: Logger, verifyKeys: Bool = true) async throws {
        try await Migrator(database: database, logger: logger).migrate(Self.migrations)
        try await accounts.syncBuiltInRoles()
        if verifyKeys { try await keys.verify() }
        try await workOrderCatalog.seedCalendar()
    }
}

/// Accounts sees the tree through this.
struct OrgDirectoryAdapter: OrgDirectory {
    let organizations: OrganizationService
    let labelRelation: any SQLExpression = OrganizationService.labelRelation

    func orgs(_ ids: [Int64]) async throws -> [OrgRef] {
        try await organizations.summaries(ids).map { OrgRef(id: $0.id, path: $0.path, name: $0.name, active: $0.isActive) }
    }

    func search(_ text: String, actor: Actor, limit: Int) async throws -> [OrgRef] {
        try await organizations.search(text, actor: actor, page: PageRequest(limit: limit)).items.map(Self.ref)
    }

    func roots() async throws -> [OrgPath] { try await organizations.topLevelPaths() }

    static func ref(_ o: Organization) -> OrgRef { OrgRef(id: o.id, path: o.path, name: o.name, active: o.isActive) }
}

/// Members sees the tree through this.
struct UnionDirectoryAdapter: UnionDirectory {
    let organizations: OrganizationService

    func unions(_ ids: [Int64]) async throws -> [UnionRef] {
        try await withParents(try await organizations.lookup(ids))
    }

    func placements(_ ids: [Int64]) async throws -> [UnionRef] {
        try await organizations.summaries(ids).map {
            UnionRef(
                id: $0.id, path: $0.path, name: $0.name, isGrassroots: $0.level == .grassroots,
                isLocalFederation: Self.isLocalFederation($0.level, $0.kind), active: $0.isActive, address: nil, phone: nil, parentName: nil)
        }
    }

    func labels(_ ids: [Int64]) async throws -> [UnionLabel] {
        try await organizations.summaries(ids).map { UnionLabel(id: $0.id, name: $0.name, active: $0.isActive) }
    }

    func search(_ text: String, limit: Int) async throws -> [UnionRef] {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        return try await withParents(try await organizations.search(text, actor: .system("directory"), page: PageRequest(limit: limit)).items)
    }

    func withParents(_ orgs: [Organization]) async throws -> [UnionRef] {
        let parents = Dictionary(try await organizations.lookup(Array(Set(orgs.compactMap(\.parentId)))).map { ($0.id, $0.name) },
                                 uniquingKeysWith: { a, _ in a })
        return orgs.map { Self.ref($0, parentName: $0.parentId.flatMap { parents[$0] }) }
    }

    func tree() async throws -> [UnionNode] {
        try await organizations.tree().map { o in
            let form: UnionNode.Form =
                o.level != .grassroots ? .other : o.kind == .grassroots ? .committee : o.kind == .organiser ? .organiser : .other
            return UnionNode(id: o.id, parentId: o.parentId, path: o.path, form: form)
        }
    }

    static func isLocalFederation(_ level: OrgLevel, _ kind: OrgKind) -> Bool {
        (level == .township || level == .county) && kind == .federation
    }

    static func ref(_ o: Organization, parentName: String?) -> UnionRef {
        UnionRef(id: o.id, path: o.path, name: o.name, isGrassroots: o.level == .grassroots,
                 isLocalFederation: isLocalFederation(o.level, o.kind), active: o.isActive,
                 address: o.address, phone: o.phone, parentName: parentName)
    }
}

/// Members keep org paths and follow merges; a union with members cannot just close.
struct MemberTreeListener: OrgTreeListener {
    func subtreeMoved(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        try await MemberService.rebaseOrgPaths(from: old, to: new, on: sql)
    }

    func orgMerged(source: OrgPath, into target: Organization, on sql: any SQLDatabase) async throws {
        try await TransferService.moveAll(
            from: source, to: UnionDirectoryAdapter.ref(target, parentName: nil), reason: "工会撤并", now: Date(), on: sql)
    }

    func orgClosing(_ org: OrgPath, on sql: any SQLDatabase) async throws {
        try await MemberService.checkCanClose(org, on: sql)
    }
}

/// A union's page shows its member count from the member rollups.
struct MemberFiguresAdapter: OrgFigures {
    let rollups: RollupService

    func members(of orgId: Int64) async throws -> (total: Int64, retired: Int64)? {
        try await rollups.figures(ofUnion: orgId).map { ($0.active, $0.retired) }
    }
}

/// Role assignments and accounts keep org paths; they move with the tree.
struct AssignmentPathListener: OrgTreeListener {
    func subtreeMoved(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        try await AccountService.rebaseOrgPaths(from: old, to: new, on: sql)
    }
}
