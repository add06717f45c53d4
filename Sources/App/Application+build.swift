import Accounts
import Benefits
import Foundation
import Hummingbird
import Logging
import Members
import Metrics
import Organizations
import Platform
import Prometheus
import ServiceLifecycle
import WebUI
import WorkOrders

/// The HTTP application: middleware, routes of every module, and the background services.
func buildApplication(services: Services, logger: Logger, runJobs: Bool) throws -> some ApplicationProtocol {
    let router = try buildRouter(services: services)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: "workershome"),
        logger: logger)
    app.addServices(services.database.service)
    if runJobs { for job in backgroundJobs(services: services, logger: logger) { app.addServices(job) } }
    app.beforeServerStarts {
        try await services.migrate(logger: logger)
        let removed = Upload.sweep(services.uploads, olderThan: 86400, keep: try await services.imports.pendingFiles())
        if removed > 0 { logger.notice("removed uploads left behind", metadata: ["files": "\(removed)"]) }
    }
    return app
}

/// Jobs that `serve` runs in-process by default and `worker` runs alone.
func backgroundJobs(services: Services, logger: Logger) -> [any Service] {
    [
        services.jobs.service(),
        PeriodicService(name: "audit.seal", interval: .seconds(2), logger: logger) { try await services.audit.seal() },
        PeriodicService(name: "sessions.purge", interval: .seconds(600), logger: logger) {
            try await services.auth.purgeExpiredSessions()
            try await RateLimiter(database: services.database).purge(now: services.clock.now())
        },
        PeriodicService(name: "members.rollup", interval: .seconds(300), logger: logger) { try await services.rollups.run() },
        // Deadlines are kept by a job on the queue (one run at a time across nodes), queued here every minute.
        PeriodicService(name: "workorders.sla", interval: .seconds(60), logger: logger) {
            try await services.jobs.enqueue(kind: SLAService.jobKind, payload: "")
        },
    ]
}

func buildRouter(services: Services) throws -> Router<AppRequestContext> {
    let renderer = try Renderer(templateDirectories: [
        Renderer.templates, OrganizationsWeb.templates, AccountsWeb.templates, MembersConsole.templates,
        WorkOrdersConsole.templates, CardsWeb.templates,
    ])
    let navigation = Navigation(
        OrganizationsWeb.navigation + AccountsWeb.navigation + MembersConsole.navigation + PersonalDataWeb.navigation
            + WorkOrdersConsole.navigation + CardsWeb.navigation + BenefitsConsole.navigation)
    let chrome = Chrome(navigation: navigation)
    let secure = services.config.secureCookies

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware(strictTransport: secure))
    router.add(middleware: ErrorMiddleware(renderHTML: ErrorPages(renderer: renderer).render))
    router.add(middleware: FileMiddleware(Renderer.staticFiles.path, urlBasePath: "/static", searchForIndexHtml: false))

    // Operations
    let metrics = MetricsEndpoint(database: services.database, networks: services.config.metricsNetworks, token: services.config.metricsToken)
    router.get("/health") { _, _ in await HealthCheck(database: services.database).response() }
    router.get("/metrics") { request, context in
        guard metrics.allows(request, ip: context.remoteIP) else { throw AppError.forbidden }
        return metrics.response()
    }

    // API
    // An ASCII title: client generators make package names of it (openapi-python-client could not install `网上职工之家-api-client`).
    let document = OpenAPIDocument(title: "WorkersHome API", description: "网上职工之家 API：工作人员、职工应用与合作方共用", version: "1.0.0")
    let api = router.group("/api/v1")
        .add(middleware: SessionMiddleware(resolver: services.auth, workerResolver: services.workers, source: .bearer, secureCookies: secure))
        .add(middleware: PartnerCallAuditMiddleware(audit: services.audit))
    api.get("/openapi.json") { _, _ in JSONBody(document.document) }
    let openAPI = APIRoutes(group: api, document: document, authenticated: false)
    // Staff routes run in StaffRequestContext: without a fully signed-in session they answer 401.
    let staffAPI = APIRoutes(group: api.group(context: StaffRequestContext.self), document: document, authenticated: true)
    OrgAPIController(service: services.organizations).register(staff: staffAPI, public: openAPI, document: document)
    AccountAPIController(auth: services.auth, accounts: services.accounts)
        .register(open: openAPI, staff: staffAPI, document: document)
    PartnerKeyAPIController(keys: services.partnerKeys).register(staff: staffAPI, document: document)
    MemberAPIController(members: services.members, joins: services.joins, transfers: services.transfers, claims: services.claims,
                        imports: services.imports,
                        rollups: services.rollups, exports: services.exports, uploads: services.uploads,
                        exportsDirectory: services.exportsDirectory)
        .register(staff: staffAPI, document: document)
    WorkOrderAPIController(orders: services.workOrders, stats: services.workOrderStats, catalog: services.workOrderCatalog, clock: services.clock)
        .register(staff: staffAPI, document: document)
    let cardsAPI = CardsAPIController(cards: services.cards, batches: services.cardBatches)
    cardsAPI.register(staff: staffAPI, document: document)
    let benefitsAPI = BenefitsAPIController(
        merchants: services.merchants, offers: services.offers, redemptions: services.redemptions, settlement: services.settlement,
        clock: services.clock)
    benefitsAPI.register(open: openAPI, document: document)
    benefitsAPI.register(staff: staffAPI, document: document)
    // Worker routes run in WorkerRequestContext: a worker app's bearer token, else 401.
    let workerAPI = APIRoutes(group: api.group(context: WorkerRequestContext.self), document: document, authenticated: true)
    WorkerAPIController(workers: services.workers, joins: services.joins, transfers: services.transfers, claims: services.claims,
                        portal: services.portal,
                        personalData: services.personalData)
        .register(open: openAPI, worker: workerAPI, document: document)
    MyRequestsAPIController(orders: services.workOrders, catalog: services.workOrderCatalog, notifications: services.notifications,
                            orgs: services.handlingOrgs, uploads: services.uploads, attachments: services.attachments, clock: services.clock)
        .register(worker: workerAPI, document: document)
    cardsAPI.register(worker: workerAPI, document: document)
    benefitsAPI.register(worker: workerAPI, document: document)

    // Web: the member site and the staff console
    let web = router.group("")
        .add(middleware: SessionMiddleware(resolver: services.auth, workerResolver: services.workers, source: .cookie, secureCookies: secure))
        .add(middleware: CSRFMiddleware())
    SiteHome(
        renderer: renderer, chrome: chrome,
        sources: [MemberHomeTiles(portal: services.portal), WorkOrderHomeTiles(orders: services.workOrders, notifications: services.notifications)]
    ).register(on: web)
    let orgWeb = OrganizationsWeb(
        service: services.organizations, renderer: renderer, chrome: chrome, figures: MemberFiguresAdapter(rollups: services.rollups))
    orgWeb.registerPublic(on: web)
    let worker = web.group(context: WorkerRequestContext.self)
    let memberSite = MemberSite(workers: services.workers, joins: services.joins, transfers: services.transfers, claims: services.claims,
                                portal: services.portal,
                                unions: services.unions, renderer: renderer, chrome: chrome, secureCookies: secure)
    memberSite.registerOpen(on: web)
    memberSite.registerWorker(on: worker)
    let memberLookup = MemberLookupAdapter(members: services.members, portal: services.portal, workers: services.workers, unions: services.unions)
    WorkOrderSite(orders: services.workOrders, catalog: services.workOrderCatalog, notifications: services.notifications, orgs: services.handlingOrgs,
                  members: memberLookup, renderer: renderer, chrome: chrome, uploads: services.uploads, attachments: services.attachments,
                  clock: services.clock).register(on: worker)
    let cardsWeb = CardsWeb(cards: services.cards, batches: services.cardBatches, renderer: renderer, chrome: chrome)
    cardsWeb.registerSite(on: worker)
    let benefitsSite = BenefitsSite(
        merchants: services.merchants, offers: services.offers, redemptions: services.redemptions, renderer: renderer, chrome: chrome,
        uploads: services.uploads, licences: services.merchantFiles)
    benefitsSite.registerOpen(on: web)
    benefitsSite.registerWorker(on: worker)
    let personalDataWeb = PersonalDataWeb(service: services.personalData, renderer: renderer, chrome: chrome)
    personalDataWeb.registerSite(on: worker)
    let accountsWeb = AccountsWeb(auth: services.auth, accounts: services.accounts, partnerKeys: services.partnerKeys, renderer: renderer,
                                  chrome: chrome, secureCookies: secure, clock: services.clock,
                                  workbench: Workbench([MemberTodos(joins: services.joins, transfers: services.transfers, claims: services.claims, rollups: services.rollups),
                                                        WorkOrderTodos(orders: services.workOrders)]))
    accountsWeb.registerOpen(on: web)
    // The middleware sends a half-signed-in cadre to the second factor; the context then holds the principal.
    let console = web.group("/admin").add(middleware: RequireStaffMiddleware())
    let staff = console.group(context: StaffRequestContext.self)
    accountsWeb.registerConsole(on: staff)
    personalDataWeb.registerConsole(on: staff)
    orgWeb.registerConsole(on: staff)
    MembersConsole(members: services.members, joins: services.joins, transfers: services.transfers, claims: services.claims,
                   imports: services.imports,
                   exports: services.exports, rollups: services.rollups, unions: services.unions, renderer: renderer, chrome: chrome,
                   uploads: services.uploads, exportsDirectory: services.exportsDirectory, onImportQueued: { services.jobs.poke() })
        .register(on: staff)
    WorkOrdersConsole(orders: services.workOrders, stats: services.workOrderStats, catalog: services.workOrderCatalog,
                      notifications: services.notifications, orgs: services.handlingOrgs, renderer: renderer, chrome: chrome,
                      uploads: services.uploads, attachments: services.attachments, clock: services.clock)
        .register(on: staff)
    cardsWeb.registerConsole(on: staff)
    BenefitsConsole(
        merchants: services.merchants, offers: services.offers, settlement: services.settlement, renderer: renderer, chrome: chrome,
        uploads: services.merchantFiles, clock: services.clock
    ).register(on: staff)
    // 商户收银台: a cashier signs in like staff; the desk itself refuses anyone who is not a merchant's cashier.
    MerchantDesk(merchants: services.merchants, redemptions: services.redemptions, settlement: services.settlement, renderer: renderer, chrome: chrome, clock: services.clock)
        .register(on: web.group("/merchant").add(middleware: RequireStaffMiddleware()).group(context: StaffRequestContext.self))
    return router
}
