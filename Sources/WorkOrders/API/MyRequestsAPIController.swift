import Foundation
import Hummingbird
import Platform

/// `/api/v1/me/requests…` and `/me/messages`: a worker's own requests for apps, as on the member
/// site (file with attachments, follow, reply, rate, reopen) and the notices about them.
public struct MyRequestsAPIController: Sendable {
    let orders: WorkOrderService
    let catalog: WorkOrderCatalog
    let notifications: NotificationService
    let orgs: any HandlingOrgDirectory
    let uploads: URL
    let attachments: URL
    let clock: AppClock

    public init(orders: WorkOrderService, catalog: WorkOrderCatalog, notifications: NotificationService, orgs: any HandlingOrgDirectory,
                uploads: URL, attachments: URL, clock: AppClock) {
        self.orders = orders
        self.catalog = catalog
        self.notifications = notifications
        self.orgs = orgs
        self.uploads = uploads
        self.attachments = attachments
        self.clock = clock
    }

    public func register(worker api: APIRoutes<WorkerRequestContext>, document: OpenAPIDocument) {
        for (name, schema) in [
            ("MyRequest", MyRequestDTO.schema), ("MyRequestDetail", MyRequestDetailDTO.schema), ("MyRequestInput", MyRequestInputDTO.schema),
            ("WorkOrderFile", FileDTO.schema), ("WorkerMessage", MessageDTO.schema),
        ] { document.schema(name, schema) }
        document.schema("MyRequestPage", Schema.page("MyRequest"))
        let (orders, catalog, notifications, orgs, uploads, attachments) =
            (self.orders, self.catalog, self.notifications, self.orgs, self.uploads, self.attachments)
        let tag = "职工"

        /// The request with its catalogue names and union, as the worker sees it.
        @Sendable func detail(_ id: Int64, workerId: Int64) async throws -> MyRequestDetailDTO {
            let order = try await orders.order(id, ofWorker: workerId)
            let snapshot = try await catalog.snapshot()
            return MyRequestDetailDTO(
                MyRequestDTO(order, snapshot: snapshot, union: try await orgs.org(order.orgId)?.name ?? ""),
                events: try await orders.timeline(of: id, publicOnly: true).map(EventDTO.init), files: try await orders.files(of: id).map(FileDTO.init))
        }

        api.add(.get, "/me/requests", summary: "我的诉求（新的在前）", tag: tag, query: APIParam.paging, response: Schema.ref("MyRequestPage")) {
            request, context in
            let page = try await orders.orders(ofWorker: context.worker.workerId, page: try request.pageRequest(defaultLimit: 20))
            let snapshot = try await catalog.snapshot()
            let names = Dictionary(try await orgs.orgs(page.items.map(\.orgId)).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            return JSONBody(PageDTO(page) { MyRequestDTO($0, snapshot: snapshot, union: names[$0.orgId] ?? "") })
        }
        api.add(.post, "/me/requests", summary: "提交诉求（会员默认交所在工会；非会员须选择 unionId）；附件随后上传", tag: tag,
                body: Schema.ref("MyRequestInput"), response: Schema.ref("MyRequestDetail"), status: 201) { request, context in
            let body = try await request.decode(as: MyRequestInputDTO.self, context: context)
            let order = try await orders.fileByWorker(body.input, workerId: context.worker.workerId, actor: context.actor)
            return JSONBody(try await detail(order.id, workerId: context.worker.workerId), status: .created)
        }
        api.add(.get, "/me/requests/{id}", summary: "诉求详情：办理过程（公开部分）与附件", tag: tag, response: Schema.ref("MyRequestDetail")) {
            _, context in
            JSONBody(try await detail(try context.id(), workerId: context.worker.workerId))
        }
        let actions: [(String, String, @Sendable (Int64, Int64, MyRequestActionDTO, Actor) async throws -> Void)] = [
            ("reply", "补充说明或材料（待补充时恢复计时）", { id, w, b, a in _ = try await orders.workerReply(id, workerId: w, note: b.note, actor: a) }),
            ("rate", "评价（rating 1–5，可附 comment）", { id, w, b, a in
                _ = try await orders.rate(id, workerId: w, rating: b.rating, comment: b.comment, actor: a)
            }),
            ("reopen", "不满意，重新办理（须说明 reason，限一次）", { id, w, b, a in _ = try await orders.reopen(id, workerId: w, reason: b.reason, actor: a) }),
        ]
        for (path, summary, action) in actions {
            api.add(.post, "/me/requests/{id}/\(path)", summary: summary, tag: tag, body: MyRequestActionDTO.schema,
                    response: Schema.ref("MyRequestDetail")) { request, context in
                let (id, workerId) = (try context.id(), context.worker.workerId)
                try await action(id, workerId, try await request.decode(as: MyRequestActionDTO.self, context: context), context.actor)
                return JSONBody(try await detail(id, workerId: workerId))
            }
        }
        api.add(.post, "/me/requests/{id}/files", summary: "上传附件（请求体为文件本身：图片、PDF 或 Office 文档，至多 10 MB、10 个）", tag: tag,
                query: [.query("fileName", "原文件名（扩展名须与内容相符）")], body: ["type": "string", "format": "binary"],
                bodyType: "application/octet-stream", response: Schema.ref("WorkOrderFile"), status: 201) { request, context in
            let (id, uploader) = (try context.id(), WorkOrderService.Uploader.worker(context.worker.workerId))
            // Nothing is written to disk before the order is known to be hers.
            _ = try await orders.attachable(id, by: uploader, actor: context.actor)
            let file = try await Upload.save(request.body, into: uploads, limit: WorkOrderService.maxFileSize)
            let saved = try await orders.attach(
                id, file: file, name: request.query("fileName") ?? "file", by: uploader, actor: context.actor, directory: attachments)
            return JSONBody(FileDTO(saved), status: .created)
        }
        api.add(.get, "/me/requests/{id}/files/{fileId}", summary: "下载附件", tag: tag, response: ["type": "string", "format": "binary"],
                responseType: FileDownload.octetStream) { _, context in
            let file = try await orders.file(
                try context.id("fileId"), of: try context.id(), by: .worker(context.worker.workerId), actor: context.actor)
            return try await FileDownload.response(
                attachments.appendingPathComponent(file.storageKey), name: file.name, deleteAfter: false, contentType: FileDownload.octetStream)
        }
        api.add(.get, "/me/messages", summary: "消息：诉求办理进展（最近 50 条）", tag: tag, response: Schema.array(Schema.ref("WorkerMessage"))) {
            _, context in
            JSONBody(try await notifications.forWorker(context.worker.workerId, limit: 50).map(MessageDTO.init))
        }
        api.add(.post, "/me/messages/read", summary: "全部标为已读", tag: tag, response: nil, status: 204) { [clock] _, context in
            try await notifications.markWorkerRead(context.worker.workerId, now: clock.now())
            return Response(status: .noContent)
        }
    }
}
