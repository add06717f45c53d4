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
            permission: .workOrderSupervise,
            order: 32),
        NavEntry(href: "/admin/work-order-stats", label: WorkOrderWebText.navStats, icon: "析", permission: .workOrderRead, order: 33),
        NavEntry(href: "/admin/notifications", label: WorkOrderWebText.navNotifications, icon: "信", permission: .workOrderRead, order: 34),
        NavEntry(
            href: "/admin/work-order-settings", label: WorkOrderWebText.navSettings, icon: "设", permission: .workOrderConfigure, order: 80),
    ]

    var today: CivilDate { CivilDate(date: clock.now()) }

    func page(
        _ name: String, _ model: [String: Any], _ request: Request, _ context: AppRequestContext,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    func names(_ ids: [Int64]) async throws -> [Int64: String] {
        Dictionary(try await orgs.orgs(Array(Set(ids))).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    public func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/work-orders") { request, context in
            let query = try WorkOrderAPIController.query(request)
            let result = try await orders.list(query, actor: context.actor, page: try request.pageRequest())
            let snapshot = try await catalog.snapshot()
            let names = try await names(result.items.map(\.orgId))
            let actor = context.actor
            let queues = QueueQuery.Queue.allCases.filter { q in
                switch q {
                case .supervision: actor.principal?.can(.workOrderSupervise) == true
                case .followup: actor.principal?.can(.workOrderIntake) == true
                case .org, .mine, .assisting: actor.principal?.can(.workOrderHandle) == true
                default: true
                }
            }
            var filters = [
                "queue": query.queue.rawValue, "status": query.status?.rawValue ?? "", "type": query.typeCode ?? "",
                "category": query.categoryCode ?? "", "q": query.text ?? "",
            ]
            let model: [String: Any] = [
                "tabs": queues.map { q in
                    [
                        "href": "/admin/work-orders?queue=\(q.rawValue)", "label": WorkOrderWebText.queueLabels[q]!,
                        "active": q == query.queue,
                    ]
                },
                "filters": filters, "queueLabel": WorkOrderWebText.queueLabels[query.queue]!,
                "statuses": WorkOrderViews.options(
                    WorkOrder.Status.allCases.map { ($0.rawValue, $0.label) }, selected: query.status?.rawValue),
                "types": WorkOrderViews.options(snapshot.types.map { ($0.code, $0.name) }, selected: query.typeCode),
                "categories": WorkOrderViews.options(snapshot.categories.map { ($0.code, $0.name) }, selected: query.categoryCode),
                "items": result.items.map {
                    WorkOrderViews.row($0, snapshot: snapshot, orgNames: names, today: today, base: "/admin/work-orders")
                },
                "empty": result.items.isEmpty, "canFile": actor.principal?.can(.workOrderIntake) == true,
                "unread": try await notifications.unreadCount(actor),
                "next": result.nextCursor.map { cursor -> String in
                    filters["after"] = cursor
                    return "/admin/work-orders?"
                        + filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                        .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(
                            separator: "&")
                } as Any,
            ]
            return page("wo-queue", model, request, context)
        }
        group.get("/work-orders/new") { request, context in
            try await intakePage(
                FormState(values: ["channel": request.query("channel") ?? "walk_in", "complexity": "normal"]), request, context)
        }
        group.post("/work-orders") { request, context in
            let form = try await request.decode(as: IntakeForm.self, context: context)
            do {
                let channel = WorkOrder.Channel(rawValue: form.channel ?? "") ?? .walkIn
                let order = try await orders.fileByStaff(form.input, channel: channel == .site ? .walkIn : channel, actor: context.actor)
                return Response.redirect(to: "/admin/work-orders/\(order.id)", flash: .ok("\(WorkOrderWebText.filed)：\(order.number)"))
            } catch let error as AppError where error.status == .unprocessableContent {
                return try await intakePage(FormState(values: form.values, error: error), request, context)
            }
        }
        group.get("/hotline") { request, context in
            let phone = (request.query("phone") ?? "").trimmingCharacters(in: .whitespaces)
            var model: [String: Any] = ["phone": phone, "searched": !phone.isEmpty]
            if !phone.isEmpty {
                do {
                    let found = try await orders.caller(phone: phone, actor: context.actor)
                    let snapshot = try await catalog.snapshot()
                    let names = try await names(found.orders.map(\.orgId))
                    model["members"] = found.members.map {
                        ["name": $0.name, "memberNo": $0.memberNo, "union": $0.orgName, "active": $0.active]
                    }
                    model["orders"] = found.orders.map {
                        WorkOrderViews.row($0, snapshot: snapshot, orgNames: names, today: today, base: "/admin/work-orders")
                    }
                    model["noMember"] = found.members.isEmpty && !found.elsewhere
                    model["elsewhere"] = found.members.isEmpty && found.elsewhere
                    model["intakeHref"] =
                        "/admin/work-orders/new?channel=hotline&callerPhone=\(phone)"
                        + (found.members.first.map {
                            "&callerName=\($0.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&unionId=\($0.orgId)"
                        } ?? "")
                } catch let error as AppError where error.status == .unprocessableContent {
                    model["error"] = error.fieldErrors.values.first ?? error.message
                }
            }
            return page("wo-hotline", model, request, context)
        }
        group.get("/work-orders/:id") { request, context in
            try await detailPage(try context.id(), request, context)
        }
        for action in ["accept", "transfer", "assist", "wait", "resume", "notes", "resolve", "urge", "reassign", "take-over", "follow-up"] {
            group.post("/work-orders/:id/\(action)") { request, context in
                let id = try context.id()
                let form = try await request.decode(as: ActionForm.self, context: context)
                let back = "/admin/work-orders/\(id)"
                do {
                    try await perform(action, id: id, form: form, actor: context.actor)
                } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                    return Response.redirect(to: back, flash: .error(error.fieldErrors.values.first ?? error.message))
                }
                return Response.redirect(to: back, flash: .ok(WorkOrderWebText.done[action] ?? ""))
            }
        }
        group.post("/work-orders/:id/reveal-phone") { request, context in
            let id = try context.id()
            let phone = try await orders.revealPhone(id, actor: context.actor)
            return try await detailPage(id, request, context, extra: ["revealedPhone": phone])
        }
        group.post("/work-orders/:id/files") { request, context in
            let id = try context.id()
            _ = try await orders.attachable(id, by: .staff, actor: context.actor)
            let form = try await MultipartForm.receive(request, into: uploads, limit: WorkOrderService.maxFileSize + 64 * 1024)
            guard let file = form.file else {
                return Response.redirect(to: "/admin/work-orders/\(id)", flash: .error(WorkOrderWebText.chooseFile))
            }
            do {
                _ = try await orders.attach(
                    id, file: file, name: form.fileName ?? "file", by: .staff, actor: context.actor, directory: attachments)
            } catch let error as AppError where error.status == .unprocessableContent {
                return Response.redirect(to: "/admin/work-orders/\(id)", flash: .error(error.fieldErrors.values.first ?? error.message))
            }
            return Response.redirect(to: "/admin/work-orders/\(id)", flash: .ok(WorkOrderWebText.done["files"]!))
        }
        group.get("/work-orders/:id/files/:fileId") { _, context in
            let file = try await orders.file(try context.id("fileId"), of: try context.id(), by: .staff, actor: context.actor)
            return try await WorkOrderSite.download(file, from: attachments)
        }
        group.post("/work-order-assists/:id/reply") { request, context in
            let form = try await request.decode(as: ActionForm.self, context: context)
            let orderId = Int64(form.orderId ?? "") ?? 0
            do {
                try await orders.replyAssist(try context.id(), reply: form.note, actor: context.actor)
            } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                return Response.redirect(
                    to: "/admin/work-orders/\(orderId)", flash: .error(error.fieldErrors.values.first ?? error.message))
            }
            return Response.redirect(to: "/admin/work-orders/\(orderId)", flash: .ok(WorkOrderWebText.done["reply"]!))
        }
        registerStats(on: group)
        registerSettings(on: group)
    }

    func perform(_ action: String, id: Int64, form: ActionForm, actor: Actor) async throws {
        let target = Int64(form.targetOrgId ?? "")
        switch action {
        case "accept": _ = try await orders.accept(id, actor: actor)
        case "transfer": _ = try await orders.transfer(id, to: target, note: form.note, actor: actor)
        case "assist": try await orders.requestAssist(id, orgId: target, note: form.note, actor: actor)
        case "wait": _ = try await orders.waitForWorker(id, note: form.note, actor: actor)
        case "resume": _ = try await orders.resume(id, actor: actor)
        case "notes": try await orders.addNote(id, note: form.note, actor: actor)
        case "resolve":
            _ = try await orders.resolve(
                id, Resolution(outcome: form.outcome, amountRecovered: form.amountRecovered, peopleHelped: form.peopleHelped),
                actor: actor)
        case "urge": try await orders.urge(id, note: form.note, actor: actor)
        case "reassign": _ = try await orders.reassign(id, to: target, note: form.note, actor: actor)
        case "take-over": _ = try await orders.takeOver(id, actor: actor)
        case "follow-up": _ = try await orders.followUp(id, note: form.note, rating: form.rating.flatMap { Int($0) }, actor: actor)
        default: throw AppError.notFound()
        }
    }

    func detailPage(_ id: Int64, _ request: Request, _ context: AppRequestContext, extra: [String: Any] = [:]) async throws -> Response {
        let actor = context.actor
        let order = try await orders.get(id, actor: actor)
        let snapshot = try await catalog.snapshot()
        let assists = try await orders.assists(of: id)
        let files = try await orders.files(of: id)
        let current = try await orgs.org(order.orgId)
        let related = try await names([order.originOrgId] + [order.supervisorOrgId].compactMap { $0 })
        let canHandle = actor.scope(.workOrderHandle).covers(order.orgPath) && order.status.isOpen
        let canSupervise = order.supervisorPath.map { actor.scope(.workOrderSupervise).covers($0) } == true && order.status.isOpen
        // Transfer candidates: the parent (上报), the children, and search results in scope.
        var candidates: [HandlingOrg] = []
        if let parent = order.orgPath.parent, let p = try await orgs.org(parent.id) { candidates.append(p) }
        candidates += try await orgs.children(of: order.orgId, limit: 50)
        let targetq = (request.query("targetq") ?? "").trimmingCharacters(in: .whitespaces)
        if !targetq.isEmpty { candidates += try await orgs.search(targetq, limit: 20) }
        let handleScope = actor.scope(.workOrderHandle)
        var seen = Set<Int64>()
        let targets = candidates.filter { $0.id != order.orgId && seen.insert($0.id).inserted }
            .filter { handleScope.covers($0.path) || $0.path == order.orgPath.parent || (order.orgPath.parent?.contains($0.path) ?? false) }
        let superviseScope = actor.scope(.workOrderSupervise)
        var model: [String: Any] = [
            "order": [
                "id": order.id, "number": order.number, "title": order.title, "description": order.description,
                "type": snapshot.typeName(order.typeCode), "category": snapshot.categoryName(order.categoryCode),
                "complexity": order.complexity.label,
                "channel": order.channel.label, "status": order.status.label,
                "statusClass": WorkOrderViews.statusClass(order.status, overdue: order.isOverdue(today: today)),
                "overdue": order.isOverdue(today: today), "dueOn": order.dueOn, "paused": order.status == .waiting,
                "caller": order.callerName,
                "phoneMask": order.callerPhoneMask ?? "", "hasPhone": order.callerPhoneMask != nil, "member": order.memberId != nil,
                "org": current?.name ?? "", "origin": related[order.originOrgId] ?? "", "assignee": order.assigneeName ?? "",
                "supervisor": order.supervisorOrgId.flatMap { related[$0] } ?? String(), "escalated": order.escalationLevel > 0,
                "at": DisplayDate.minutes(order.createdAt), "createdBy": order.createdBy,
                "outcome": order.outcome as Any, "amount": order.amountRecovered.flatMap { $0 > 0 ? WorkOrderViews.yuan($0) : nil } as Any,
                "people": order.peopleHelped.flatMap { $0 > 0 ? $0 : nil } as Any, "onTime": order.resolvedOnTime == true,
                "lateResolved": order.resolvedOnTime == false, "rating": order.rating.map(WorkOrderViews.stars) as Any,
                "ratingComment": order.ratingComment ?? "", "followup": order.followupNote as Any, "reopened": order.reopenCount > 0,
            ],
            "events": WorkOrderViews.events(try await orders.timeline(of: id, publicOnly: false)),
            "assists": assists.map { a -> [String: Any] in
                [
                    "id": a.id, "org": a.orgName, "request": a.request, "reply": a.reply as Any, "by": a.requestedBy,
                    "at": DisplayDate.minutes(a.createdAt),
                    "canReply": a.reply == nil && handleScope.covers(a.orgPath),
                ]
            },
            "files": files.map {
                [
                    "href": "/admin/work-orders/\(id)/files/\($0.id)", "name": $0.name,
                    "size": ByteCountFormatter.string(fromByteCount: $0.size, countStyle: .file),
                ]
            },
            "canAccept": canHandle && order.status == .submitted, "canHandle": canHandle,
            "canResolve": canHandle && order.status == .accepted,
            "canWait": canHandle && order.status == .accepted, "canResume": canHandle && order.status == .waiting,
            "canSupervise": canSupervise,
            "canFollowUp": actor.scope(.workOrderIntake).covers(order.orgPath)
                && (order.status == .resolved || order.status == .closed) && order.followupAt == nil,
            "canReveal": order.callerPhoneMask != nil && actor.scope(.workOrderIntake).covers(order.orgPath),
            "targets": targets.map { ["id": $0.id, "name": $0.name, "level": WorkOrderText.levelLabels[$0.level] ?? ""] },
            "superviseTargets": targets.filter { superviseScope.covers($0.path) }.map { ["id": $0.id, "name": $0.name] },
            "hasAssists": !assists.isEmpty, "hasFiles": !files.isEmpty, "targetq": targetq,
            "maxFileMB": WorkOrderService.maxFileSize / 1024 / 1024,
        ]
        model.merge(extra) { _, b in b }
        return page("wo-detail", model, request, context)
    }

    func intakePage(_ form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let snapshot = try await catalog.snapshot()
        var values = form.values
        for key in ["callerPhone", "callerName", "unionId"] where values[key] == nil { values[key] = request.query(key) }
        let unionq = (request.query("unionq") ?? "").trimmingCharacters(in: .whitespaces)
        let intake = context.actor.scope(.workOrderIntake)
        var unions = try await orgs.orgs(
            context.principal?.assignments.filter { $0.permissions.contains(.workOrderIntake) }.map(\.orgId) ?? [])
        if let chosen = values["unionId"].flatMap({ Int64($0) }), let o = try await orgs.org(chosen) { unions.insert(o, at: 0) }
        if !unionq.isEmpty { unions += try await orgs.search(unionq, limit: 30) }
        var seen = Set<Int64>()
        let model: [String: Any] = [
            "form": FormState(values: values, errors: form.errors, message: form.message).context, "unionq": unionq,
            "types": WorkOrderViews.options(snapshot.types.filter(\.active).map { ($0.code, $0.name) }, selected: values["typeCode"]),
            "categories": WorkOrderViews.options(
                snapshot.categories.filter(\.active).map { ($0.code, $0.name) }, selected: values["categoryCode"]),
            "complexities": WorkOrderViews.options(
                WorkOrder.Complexity.allCases.map { ($0.rawValue, $0.label) }, selected: values["complexity"] ?? "normal"),
            "channels": WorkOrderViews.options(
                [WorkOrder.Channel.walkIn, .hotline].map { ($0.rawValue, $0.label) }, selected: values["channel"]),
            "unions": unions.filter { intake.covers($0.path) && $0.active && seen.insert($0.id).inserted }.map {
                ["id": $0.id, "name": $0.name, "selected": String($0.id) == values["unionId"]]
            },
        ]
        return page("wo-new", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }
}

struct IntakeForm: Decodable, Sendable {
    var typeCode, categoryCode, complexity, title, description, unionId, callerName, callerPhone, channel: String?

    var input: IntakeInput {
        IntakeInput(
            typeCode: typeCode, categoryCode: categoryCode, complexity: complexity, title: title, description: description,
            unionId: unionId.flatMap { Int64($0) }, callerName: callerName, callerPhone: callerPhone)
    }

    var values: [String: String] {
        [
            "typeCode": typeCode, "categoryCode": categoryCode, "complexity": complexity, "title": title, "description": description,
            "unionId": unionId,
            "callerName": callerName, "callerPhone": callerPhone, "channel": channel,
        ].compactMapValues { $0 }
    }
}

struct ActionForm: Decodable, Sendable {
    var note, targetOrgId, outcome, amountRecovered, peopleHelped, rating, orderId, comment, reason: String?
}
