import Foundation
import Hummingbird
import Platform
import WebUI

/// The work-order console: queues, the order page with every handling action, the hotline screen,
/// supervision, stats with charts, notifications and settings.
public struct WorkOrdersConsole: Sendable {
    let orders: WorkOrderService
    let stats: StatsService
    let catalog: WorkOrderCatalog
    let notifications: NotificationService
    let orgs: any HandlingOrgDirectory
    let renderer: Renderer
    let chrome: Chrome
    let uploads: URL
    let attachments: URL
    let clock: AppClock

    public init(
        orders: WorkOrderService, stats: StatsService, catalog: WorkOrderCatalog, notifications: NotificationService,
        orgs: any HandlingOrgDirectory, renderer: Renderer, chrome: Chrome, uploads: URL, attachments: URL, clock: AppClock
    ) {
        self.orders = orders
        self.stats = stats
        self.catalog = catalog
        self.notifications = notifications
        self.orgs = orgs
        self.renderer = renderer
        self.chrome = chrome
        self.uploads = uploads
        self.attachments = attachments
        self.clock = clock
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }

    public static let navigation = [
        NavEntry(href: "/admin/work-orders", label: WorkOrderWebText.navQueue, icon: "办", permission: .workOrderRead, order: 30),
        NavEntry(href: "/admin/hotline", label: WorkOrderWebText.navHotline, icon: "话", permission: .workOrderIntake, order: 31),
        NavEntry(
            href: "/admin/work-orders?queue=supervision", label: WorkOrderWebText.navSupervision, icon: "督",
            permission: .workOrderSupervise, order: 32),
        NavEntry(href: "/admin/work-order-stats", label: WorkOrderWebText.navStats, icon: "析", permission: .workOrderRead, order: 33),
        NavEntry(href: "/admin/notifications", label: WorkOrderWebText.navNotifications, icon: "信", permission: .workOrderRead, order: 34),
        NavEntry(
            href: "/admin/work-order-settings", label: WorkOrderWebText.navSettings, icon: "设", permission: .workOrderConfigure, order: 80),
    ]

    var today: CivilDate { CivilDate(date: clock.now()) }

    func page(_ name: String, _ model: Any, _ request: Request, _ context: StaffRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    func names(_ ids: [Int64]) async throws -> [Int64: String] {
        Dictionary(try await orgs.orgs(Array(Set(ids))).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    public func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("/work-orders", use: queue)
        group.get("/work-orders/new", use: newOrder)
        group.post("/work-orders", use: file)
        group.get("/hotline", use: hotline)
        group.get("/work-orders/:id", use: detail)
        for action in OrderAction.allCases {
            group.post("/work-orders/:id/\(action.rawValue)") { request, context in try await perform(action, request, context) }
        }
        group.post("/work-orders/:id/reveal-phone", use: revealPhone)
        group.post("/work-orders/:id/files", use: upload)
        group.get("/work-orders/:id/files/:fileId", use: download)
        group.post("/work-order-assists/:id/reply", use: replyAssist)
        group.get("/work-order-stats", use: statsPage)
        group.get("/notifications", use: notificationList)
        group.post("/notifications/read", use: markRead)
        group.get("/work-order-settings", use: settings)
        group.post("/work-order-settings/:what", use: saveSetting)
    }

    // MARK: Queues and intake

    @Sendable func queue(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let query = try QueueQuery(request: request)
        let result = try await orders.list(query, actor: context.actor, page: try request.pageRequest())
        let snapshot = try await catalog.snapshot()
        let names = try await names(result.items.map(\.orgId))
        var params = ["queue": query.queue.rawValue, "status": query.status?.rawValue, "type": query.typeCode,
                      "category": query.categoryCode, "q": query.text].compactMapValues { $0?.isEmpty == false ? $0 : nil }
        let unread = try await notifications.unreadCount(context.actor)
        let model = QueuePage(
            tabs: orders.queues(for: context.actor).map {
                Link(href: "/admin/work-orders?queue=\($0.rawValue)", label: WorkOrderWebText.queueLabels[$0] ?? $0.rawValue, active: $0 == query.queue)
            },
            filters: .init(queue: query.queue.rawValue, q: query.text ?? ""),
            queueLabel: WorkOrderWebText.queueLabels[query.queue] ?? query.queue.rawValue,
            statuses: Option.list(WorkOrder.Status.allCases.map { ($0.rawValue, $0.label) }, selected: query.status?.rawValue),
            types: Option.list(snapshot.types.map { ($0.code, $0.name) }, selected: query.typeCode),
            categories: Option.list(snapshot.categories.map { ($0.code, $0.name) }, selected: query.categoryCode),
            items: result.items.map { OrderRow($0, snapshot: snapshot, orgNames: names, today: today, base: "/admin/work-orders") },
            empty: result.items.isEmpty, canFile: context.principal.can(.workOrderIntake), unread: unread > 0 ? unread : nil,
            next: result.nextCursor.map { cursor in
                params["after"] = cursor
                return "/admin/work-orders?" + params.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                    .joined(separator: "&")
            })
        return page("wo-queue", model, request, context)
    }

    @Sendable func newOrder(_ request: Request, context: StaffRequestContext) async throws -> Response {
        var values = ["channel": request.query("channel") ?? "walk_in", "complexity": "normal"]
        for key in ["callerPhone", "callerName", "unionId"] { values[key] = request.query(key) }
        return try await intakePage(FormState(values: values), request, context)
    }

    @Sendable func file(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: IntakeForm.self, context: context)
        // Looking up a union during a call must not lose what was typed: the same form comes back.
        if form.action == "search" { return try await intakePage(FormState(values: form.values), unionq: form.unionq, request, context) }
        do {
            let channel = WorkOrder.Channel(rawValue: form.channel ?? "") ?? .walkIn
            let order = try await orders.fileByStaff(form.input, channel: channel == .site ? .walkIn : channel, actor: context.actor)
            return Response.redirect(to: "/admin/work-orders/\(order.id)", flash: .ok("\(WorkOrderWebText.filed)：\(order.number)"))
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await intakePage(FormState(values: form.values, error: error), unionq: form.unionq, request, context)
        }
    }

    func intakePage(_ form: FormState, unionq typed: String? = nil, _ request: Request, _ context: StaffRequestContext) async throws
        -> Response
    {
        let snapshot = try await catalog.snapshot()
        let unionq = (typed ?? request.query("unionq") ?? "").trimmingCharacters(in: .whitespaces)
        let unions = try await orders.intakeUnions(
            matching: unionq, chosen: form.values["unionId"].flatMap { Int64($0) }, actor: context.actor)
        let model = IntakePage(
            form: form, unionq: unionq,
            types: Option.list(snapshot.types.filter(\.active).map { ($0.code, $0.name) }, selected: form.values["typeCode"]),
            categories: Option.list(snapshot.categories.filter(\.active).map { ($0.code, $0.name) }, selected: form.values["categoryCode"]),
            complexities: Option.list(WorkOrder.Complexity.allCases.map { ($0.rawValue, $0.label) }, selected: form.values["complexity"] ?? "normal"),
            channels: Option.list([WorkOrder.Channel.walkIn, .hotline].map { ($0.rawValue, $0.label) }, selected: form.values["channel"]),
            unions: unions.map { OrgChoice($0, selected: form.values["unionId"]) })
        return page("wo-new", model, request, context, status: form.status)
    }

    /// 12351: who is calling, their recent orders, and a prefilled intake form.
    @Sendable func hotline(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let phone = (request.query("phone") ?? "").trimmingCharacters(in: .whitespaces)
        var model = HotlinePage(phone: phone, searched: !phone.isEmpty)
        guard !phone.isEmpty else { return page("wo-hotline", model, request, context) }
        do {
            let found = try await orders.caller(phone: phone, actor: context.actor)
            let snapshot = try await catalog.snapshot()
            let names = try await names(found.orders.map(\.orgId))
            model.members = found.members.map { .init(name: $0.name, memberNo: $0.memberNo, union: $0.orgName, active: $0.active) }
            model.orders = found.orders.map { OrderRow($0, snapshot: snapshot, orgNames: names, today: today, base: "/admin/work-orders") }
            model.noMember = found.members.isEmpty && !found.elsewhere
            model.elsewhere = found.members.isEmpty && found.elsewhere
            var intake = ["channel": "hotline", "callerPhone": phone]
            if let m = found.members.first {
                intake["callerName"] = m.name
                intake["unionId"] = String(m.orgId)
            } else if let earlier = found.orders.first {
                // Not a member, but has called before: the name and union of the last order, to confirm, not retype.
                intake["callerName"] = earlier.callerName
                intake["unionId"] = String(earlier.orgId)
            }
            model.intakeHref = "/admin/work-orders/new?" + intake.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        } catch let error as AppError where error.status == .unprocessableContent {
            model.error = error.fieldErrors.values.first ?? error.message
        }
        return page("wo-hotline", model, request, context)
    }

    // MARK: One order

    @Sendable func detail(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await detailPage(try context.id(), request, context)
    }

    @Sendable func revealPhone(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let phone = try await orders.revealPhone(id, actor: context.actor)
        return try await detailPage(id, request, context, revealedPhone: phone)
    }

    /// The order page; after a refused action, `form` holds what was typed into that action's form and why.
    func detailPage(_ id: Int64, _ request: Request, _ context: StaffRequestContext, revealedPhone: String? = nil, form: FormState = FormState())
        async throws -> Response
    {
        let actor = context.actor
        let order = try await orders.get(id, actor: actor)
        let snapshot = try await catalog.snapshot()
        let assists = try await orders.assists(of: id)
        let files = try await orders.files(of: id)
        let names = try await names([order.orgId, order.originOrgId] + [order.supervisorOrgId].compactMap { $0 })
        let may = orders.actions(on: order, actor: actor)
        let targetq = (request.query("targetq") ?? "").trimmingCharacters(in: .whitespaces)
        let targets = may.handle || may.supervise
            ? try await orders.targets(for: order, matching: targetq, actor: actor) : OrderTargets(transfer: [], assist: [], reassign: [])
        let overdue = order.isOverdue(today: today)
        let model = OrderDetailPage(
            order: .init(
                id: order.id, number: order.number, title: order.title, description: order.description,
                type: snapshot.typeName(order.typeCode), category: snapshot.categoryName(order.categoryCode),
                complexity: order.complexity.label, channel: order.channel.label, status: order.status.label,
                statusClass: WorkOrderViews.statusClass(order.status, overdue: overdue), overdue: overdue,
                dueOn: DisplayDate.short(order.dueOn, today: today),
                remaining: order.status.isOpen && order.status != .waiting
                    ? WorkOrderWebText.remaining(order.dueOn, today: today, calendar: snapshot.calendar) : nil,
                paused: order.status == .waiting, caller: order.callerName, phoneMask: order.callerPhoneMask, member: order.memberId != nil,
                org: names[order.orgId] ?? "", origin: names[order.originOrgId] ?? "", assignee: order.assigneeName ?? "",
                supervisor: order.supervisorOrgId.flatMap { names[$0] }, escalated: order.escalationLevel > 0,
                at: DisplayDate.minutes(order.createdAt), createdBy: order.createdBy, outcome: order.outcome,
                amount: order.amountRecovered.flatMap { $0 > 0 ? DisplayNumber.yuan(fen: $0) : nil },
                people: order.peopleHelped.flatMap { $0 > 0 ? $0 : nil }, onTime: order.resolvedOnTime == true,
                lateResolved: order.resolvedOnTime == false, rating: order.rating.map(WorkOrderViews.stars),
                ratingComment: order.ratingComment, followup: order.followupNote, reopened: order.reopenCount > 0),
            events: try await orders.timeline(of: id, publicOnly: false).map(EventLine.init),
            assists: assists.map {
                .init(id: $0.id, org: $0.orgName, request: $0.request, reply: $0.reply, by: $0.requestedBy,
                      at: DisplayDate.minutes($0.createdAt), canReply: orders.mayReply(to: $0, actor: actor))
            },
            files: files.map {
                .init(href: "/admin/work-orders/\(id)/files/\($0.id)", name: $0.name,
                      size: ByteCountFormatter.string(fromByteCount: $0.size, countStyle: .file))
            },
            canAccept: may.accept, canHandle: may.handle, canResolve: may.resolve, canWait: may.wait, canResume: may.resume,
            canSupervise: may.supervise, canFollowUp: may.followUp, canReveal: may.reveal,
            targets: targets.transfer.map { OrgChoice($0) }, assistTargets: targets.assist.map { OrgChoice($0) },
            superviseTargets: targets.reassign.map { OrgChoice($0) }, hasAssists: !assists.isEmpty, hasFiles: !files.isEmpty,
            targetq: targetq, maxFileMB: WorkOrderService.maxFileSize / 1024 / 1024, revealedPhone: revealedPhone, form: form)
        return page("wo-detail", model, request, context, status: form.status)
    }

    /// The handling actions posted from the order page; each goes back to it with what happened.
    enum OrderAction: String, CaseIterable {
        case accept, transfer, assist, wait, resume, notes, resolve, urge, reassign
        case takeOver = "take-over"
        case followUp = "follow-up"
    }

    func perform(_ action: OrderAction, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: ActionForm.self, context: context)
        let (actor, target) = (context.actor, Int64(form.targetOrgId ?? ""))
        var back = "/admin/work-orders/\(id)"
        do {
            switch action {
            case .accept: _ = try await orders.accept(id, actor: actor)
            case .transfer:
                let moved = try await orders.transfer(id, to: target, note: form.note, tellWorker: form.tellWorker == "on", actor: actor)
                // Sent up to the parent union, the order leaves this cadre's sight: back to the queue.
                if !actor.scope(.workOrderRead).covers(moved.orgPath) { back = "/admin/work-orders" }
            case .assist: try await orders.requestAssist(id, orgId: target, note: form.note, actor: actor)
            case .wait: _ = try await orders.waitForWorker(id, note: form.note, actor: actor)
            case .resume: _ = try await orders.resume(id, actor: actor)
            case .notes: try await orders.addNote(id, note: form.note, actor: actor)
            case .resolve:
                let resolution = Resolution(outcome: form.outcome, amountRecovered: form.amountRecovered, peopleHelped: form.peopleHelped)
                _ = try await orders.resolve(id, resolution, actor: actor)
            case .urge: try await orders.urge(id, note: form.note, actor: actor)
            case .reassign: _ = try await orders.reassign(id, to: target, note: form.note, actor: actor)
            case .takeOver: _ = try await orders.takeOver(id, actor: actor)
            case .followUp: _ = try await orders.followUp(id, note: form.note, rating: form.rating.flatMap { Int($0) }, actor: actor)
            }
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            // The page again with every value typed into the refused form, and the reason beside it.
            let typed = [
                "outcome": form.outcome, "amountRecovered": form.amountRecovered, "peopleHelped": form.peopleHelped,
                "note_\(action)": form.note, "rating": form.rating, "tellWorker": form.tellWorker,
            ].compactMapValues { $0 }
            let refused = FormState(values: typed, errors: error.fieldErrors, message: error.fieldErrors.values.first ?? error.message)
            return try await detailPage(id, request, context, form: refused)
        }
        return Response.redirect(to: back, flash: .ok(WorkOrderWebText.done[action.rawValue] ?? ""))
    }

    @Sendable func upload(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let back = "/admin/work-orders/\(id)"
        // Permission first: nothing of a refused upload reaches the disk.
        _ = try await orders.attachable(id, by: .staff, actor: context.actor)
        let form = try await MultipartForm.receive(request, into: uploads, limit: WorkOrderService.maxFileSize + 64 * 1024)
        guard let file = form.file else { return Response.redirect(to: back, flash: .error(WorkOrderWebText.chooseFile)) }
        do {
            _ = try await orders.attach(id, file: file, name: form.fileName ?? "file", by: .staff, actor: context.actor, directory: attachments)
        } catch let error as AppError where error.status == .unprocessableContent {
            return Response.redirect(to: back, flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: back, flash: .ok(WorkOrderWebText.fileUploaded))
    }

    @Sendable func download(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let file = try await orders.file(try context.id("fileId"), of: try context.id(), by: .staff, actor: context.actor)
        return try await WorkOrderSite.download(file, from: attachments)
    }

    @Sendable func replyAssist(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: ActionForm.self, context: context)
        let back = "/admin/work-orders/\(Int64(form.orderId ?? "") ?? 0)"
        do {
            try await orders.replyAssist(try context.id(), reply: form.note, actor: context.actor)
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return Response.redirect(to: back, flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: back, flash: .ok(WorkOrderWebText.replySent))
    }
}
