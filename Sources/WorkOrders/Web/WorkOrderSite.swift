import Foundation
import Hummingbird
import Platform
import WebUI

/// The worker's side on the mobile member site: file a request, follow it, answer, rate, reopen.
public struct WorkOrderSite: Sendable {
    let orders: WorkOrderService
    let catalog: WorkOrderCatalog
    let notifications: NotificationService
    let orgs: any HandlingOrgDirectory
    let members: any MemberLookup
    let renderer: Renderer
    let chrome: Chrome
    let uploads: URL
    let attachments: URL
    let clock: AppClock

    public init(
        orders: WorkOrderService, catalog: WorkOrderCatalog, notifications: NotificationService, orgs: any HandlingOrgDirectory,
        members: any MemberLookup, renderer: Renderer, chrome: Chrome, uploads: URL, attachments: URL, clock: AppClock
    ) {
        self.orders = orders
        self.catalog = catalog
        self.notifications = notifications
        self.orgs = orgs
        self.members = members
        self.renderer = renderer
        self.chrome = chrome
        self.uploads = uploads
        self.attachments = attachments
        self.clock = clock
    }

    func page(_ name: String, _ model: Any, _ request: Request, _ context: WorkerRequestContext, status: HTTPResponse.Status = .ok)
        -> Response
    {
        renderer.page(name, chrome.plain(model, request: request, context: context), status: status)
    }

    var today: CivilDate { CivilDate(date: clock.now()) }

    public func register(on group: RouterGroup<WorkerRequestContext>) {
        group.get("/me/requests", use: list)
        group.get("/me/requests/new", use: newRequest)
        group.post("/me/requests", use: file)
        group.get("/me/requests/:id", use: detail)
        for action in WorkerAction.allCases {
            group.post("/me/requests/:id/\(action.rawValue)") { request, context in try await perform(action, request, context) }
        }
        group.post("/me/requests/:id/files", use: upload)
        group.get("/me/requests/:id/files/:fileId", use: downloadFile)
    }

    @Sendable func list(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let workerId = context.worker.workerId
        let list = try await orders.orders(ofWorker: workerId, page: try request.pageRequest(defaultLimit: 20))
        let snapshot = try await catalog.snapshot()
        let names = Dictionary(try await orgs.orgs(list.items.map(\.orgId)).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let notes = try await notifications.forWorker(workerId)
        try await notifications.markWorkerRead(workerId, now: clock.now())
        let model = RequestListPage(
            items: list.items.map { OrderRow($0, snapshot: snapshot, orgNames: names, today: today, base: "/me/requests") },
            empty: list.items.isEmpty, next: list.nextCursor.map { "/me/requests?after=\($0)" },
            notifications: notes.prefix(5).map { .init(text: $0.text, at: DisplayDate.minutes($0.createdAt), unread: $0.readAt == nil) })
        return page("site-requests", model, request, context)
    }

    @Sendable func newRequest(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try await newPage(FormState(), request, context)
    }

    @Sendable func file(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let workerId = context.worker.workerId
        let form = try await MultipartForm.receive(request, into: uploads, limit: WorkOrderService.maxFileSize + 256 * 1024)
        let f = form.fields
        let input = IntakeInput(
            typeCode: f["typeCode"], categoryCode: f["categoryCode"], title: f["title"], description: f["description"],
            unionId: f["unionId"].flatMap { Int64($0) }, callerName: f["callerName"])
        // The attachment is checked before anything is saved, so a bad file never leaves an order without it.
        if let file = form.file, let problem = Self.fileProblem(file, name: form.fileName ?? "") {
            try? FileManager.default.removeItem(at: file)
            return try await newPage(FormState(values: f, errors: ["file": problem], message: problem), request, context)
        }
        do {
            let order = try await orders.fileByWorker(input, workerId: workerId, actor: context.actor)
            if let file = form.file {
                _ = try await orders.attach(
                    order.id, file: file, name: form.fileName ?? "file", by: .worker(workerId), actor: context.actor, directory: attachments)
            }
            return Response.redirect(to: "/me/requests/\(order.id)", flash: .ok("\(WorkOrderWebText.requestFiled)（\(order.number)）"))
        } catch let error as AppError where error.status == .unprocessableContent {
            if let file = form.file { try? FileManager.default.removeItem(at: file) }
            return try await newPage(FormState(values: f, error: error), request, context)
        }
    }

    func newPage(_ form: FormState, _ request: Request, _ context: WorkerRequestContext) async throws -> Response {
        let snapshot = try await catalog.snapshot()
        let member = try await members.member(ofWorker: context.worker.workerId)
        let unionq = (request.query("unionq") ?? "").trimmingCharacters(in: .whitespaces)
        // A worker without a union of their own is best served by the township (street) union of
        // where they work: listed first, since a complaint against the employer does not belong
        // with the employer's own union.
        let matches = unionq.isEmpty ? [] : try await orgs.search(unionq, limit: 30)
        let found = matches.filter { $0.level != "grassroots" } + matches.filter { $0.level == "grassroots" }
        let model = NewRequestPage(
            form: form, unionq: unionq, isMember: member?.active == true, memberUnion: member?.orgName, searched: !unionq.isEmpty,
            unions: found.filter(\.active).map { OrgChoice($0, selected: form.values["unionId"]) },
            types: Option.list(snapshot.types.filter(\.active).map { ($0.code, $0.name) }, selected: form.values["typeCode"] ?? "assistance"),
            categories: Option.list(snapshot.categories.filter(\.active).map { ($0.code, $0.name) }, selected: form.values["categoryCode"]),
            maxFileMB: WorkOrderService.maxFileSize / 1024 / 1024)
        return page("site-request-new", model, request, context, status: form.status)
    }

    @Sendable func detail(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let id = try context.id()
        let order = try await orders.order(id, ofWorker: context.worker.workerId)
        let snapshot = try await catalog.snapshot()
        let org = try await orgs.org(order.orgId)
        let files = try await orders.files(of: id)
        let model = RequestPage(
            order: .init(
                id: order.id, number: order.number, title: order.title, description: order.description,
                type: snapshot.typeName(order.typeCode), category: snapshot.categoryName(order.categoryCode), status: order.status.label,
                statusClass: WorkOrderViews.statusClass(order.status, overdue: false), org: org?.name ?? "", dueOn: DisplayDate.long(order.dueOn),
                open: order.status.isOpen, waiting: order.status == .waiting, outcome: order.outcome,
                amount: order.amountRecovered.flatMap { $0 > 0 ? DisplayNumber.yuan(fen: $0) : nil },
                people: order.peopleHelped.flatMap { $0 > 0 ? $0 : nil }, rating: order.rating.map(WorkOrderViews.stars),
                ratingComment: order.ratingComment),
            canRate: order.status == .resolved && order.rating == nil, canReopen: order.status == .resolved && order.reopenCount == 0,
            events: try await orders.timeline(of: id, publicOnly: true).map(EventLine.init),
            files: files.map { .init(href: "/me/requests/\(id)/files/\($0.id)", name: $0.name) })
        return page("site-request", model, request, context)
    }

    /// What a worker may post on her own request's page.
    enum WorkerAction: String, CaseIterable {
        case reply, rate, reopen
    }

    func perform(_ action: WorkerAction, _ request: Request, _ context: WorkerRequestContext) async throws -> Response {
        let (id, workerId, actor) = (try context.id(), context.worker.workerId, context.actor)
        let form = try await request.decode(as: ActionForm.self, context: context)
        let back = "/me/requests/\(id)"
        let done: String
        do {
            switch action {
            case .reply:
                _ = try await orders.workerReply(id, workerId: workerId, note: form.note, actor: actor)
                done = WorkOrderWebText.replied
            case .rate:
                _ = try await orders.rate(id, workerId: workerId, rating: form.rating.flatMap { Int($0) }, comment: form.comment, actor: actor)
                done = WorkOrderWebText.rated
            case .reopen:
                _ = try await orders.reopen(id, workerId: workerId, reason: form.reason, actor: actor)
                done = WorkOrderWebText.reopened
            }
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return Response.redirect(to: back, flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: back, flash: .ok(done))
    }

    @Sendable func upload(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let (id, uploader) = (try context.id(), WorkOrderService.Uploader.worker(context.worker.workerId))
        let back = "/me/requests/\(id)"
        _ = try await orders.attachable(id, by: uploader, actor: context.actor)
        let form = try await MultipartForm.receive(request, into: uploads, limit: WorkOrderService.maxFileSize + 64 * 1024)
        guard let file = form.file else { return Response.redirect(to: back, flash: .error(WorkOrderWebText.chooseFile)) }
        do {
            _ = try await orders.attach(id, file: file, name: form.fileName ?? "file", by: uploader, actor: context.actor, directory: attachments)
        } catch let error as AppError where error.status == .unprocessableContent {
            return Response.redirect(to: back, flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: back, flash: .ok(WorkOrderWebText.fileUploaded))
    }

    @Sendable func downloadFile(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let file = try await orders.file(
            try context.id("fileId"), of: try context.id(), by: .worker(context.worker.workerId), actor: context.actor)
        return try await Self.download(file, from: attachments)
    }

    /// Same checks as `WorkOrderService.attach`, made before the order exists.
    static func fileProblem(_ file: URL, name: String) -> String? {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 { return nil }
        if size > WorkOrderService.maxFileSize { return WorkOrderText.fileTooLarge }
        guard let kind = FileKind.sniff(fileAt: file) else { return WorkOrderText.fileType }
        let ext = (name as NSString).pathExtension.lowercased()
        return ext.isEmpty || kind.extensions.contains(ext) ? nil : WorkOrderText.fileNameMismatch
    }

    static func download(_ file: WorkOrderFile, from directory: URL) async throws -> Response {
        let kind = FileKind(rawValue: file.kind)
        return try await FileDownload.response(
            directory.appendingPathComponent(file.storageKey), name: file.name, deleteAfter: false,
            contentType: kind?.contentType, inline: kind != nil)
    }
}
