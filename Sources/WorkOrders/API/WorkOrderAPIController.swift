import Foundation
import Hummingbird
import Platform

/// `/api/v1/work-orders…`: intake for partner apps and the hotline, the handler's queues and actions, stats.
public struct WorkOrderAPIController: Sendable {
    let orders: WorkOrderService
    let stats: StatsService
    let catalog: WorkOrderCatalog
    let clock: AppClock

    public init(orders: WorkOrderService, stats: StatsService, catalog: WorkOrderCatalog, clock: AppClock) {
        self.orders = orders
        self.stats = stats
        self.catalog = catalog
        self.clock = clock
    }

    public func register(staff api: APIRoutes<StaffRequestContext>, document: OpenAPIDocument) {
        for (name, schema) in [
            ("WorkOrder", WorkOrderDTO.schema), ("WorkOrderEvent", EventDTO.schema), ("WorkOrderIntake", IntakeDTO.schema),
            ("WorkOrderAction", ActionDTO.schema), ("WorkOrderStats", StatsDTO.schema), ("WorkOrderStatsLine", StatsLineDTO.schema),
        ] {
            document.schema(name, schema)
        }
        document.schema("WorkOrderPage", Schema.page("WorkOrder"))
        let (orders, stats, catalog, clock) = (self.orders, self.stats, self.catalog, self.clock)
        let tag = "工单"
        @Sendable func dto(_ o: WorkOrder) -> WorkOrderDTO { WorkOrderDTO(o, today: CivilDate(date: clock.now())) }

        api.add(
            .get, "/work-orders", summary: "工单队列与查询：mine 我的、org 本单位、subtree 辖区、overdue 超期、followup 待回访、supervision 督办、assisting 协办",
            tag: tag,
            query: [
                .query("queue", "队列（默认 org）", Schema.enumeration(QueueQuery.Queue.allCases.map(\.rawValue))),
                .query("status", "状态", Schema.enumeration(WorkOrder.Status.allCases.map(\.rawValue))), .query("type", "诉求类型代码"),
                .query("category", "诉求分类代码"), .query("q", "工单编号、来电号码或标题关键词"),
            ] + APIParam.paging,
            response: Schema.ref("WorkOrderPage")
        ) { request, context in
            let page = try await orders.list(try QueueQuery(request: request), actor: context.actor, page: try request.pageRequest())
            return JSONBody(PageDTO(page, dto))
        }
        api.add(
            .post, "/work-orders", summary: "登记工单（合作应用、热线、服务站窗口）；来电号码匹配会员时默认交其所在工会", tag: tag,
            body: Schema.ref("WorkOrderIntake"), response: Schema.ref("WorkOrder"), status: 201
        ) { request, context in
            let body = try await request.decode(as: IntakeDTO.self, context: context)
            // A partner key's orders are the partner app's (channel api, filed under the key's name), whatever it claims.
            guard let channel = WorkOrder.Channel(rawValue: body.channel ?? "api"), channel != .site,
                channel == .api || !context.principal.isPartnerKey
            else {
                throw AppError.validation(["channel": WorkOrderText.channelInvalid])
            }
            do {
                return JSONBody(dto(try await orders.fileByStaff(body.input, channel: channel, actor: context.actor)), status: .created)
            } catch var error as AppError where !error.fieldErrors.isEmpty {
                // Name fields as the JSON body does (`type`, `category`), not as the form does.
                error.fieldErrors = Dictionary(
                    error.fieldErrors.map { (["typeCode": "type", "categoryCode": "category"][$0.key] ?? $0.key, $0.value) },
                    uniquingKeysWith: { a, _ in a })
                throw error
            }
        }
        api.add(.get, "/work-orders/{id}", summary: "工单详情", tag: tag, response: Schema.ref("WorkOrder")) { _, context in
            JSONBody(dto(try await orders.get(try context.id(), actor: context.actor)))
        }
        api.add(.get, "/work-orders/{id}/events", summary: "办理过程（含内部记录）", tag: tag, response: Schema.array(Schema.ref("WorkOrderEvent"))) {
            _, context in
            let order = try await orders.get(try context.id(), actor: context.actor)
            return JSONBody(try await orders.timeline(of: order.id, publicOnly: false).map(EventDTO.init))
        }
        api.add(
            .post, "/work-orders/{id}/reveal-phone", summary: "查看完整来电号码（记入审计）", tag: tag,
            response: Schema.object([("value", Schema.string)], required: ["value"])
        ) { _, context in
            JSONBody(["value": try await orders.revealPhone(try context.id(), actor: context.actor)])
        }
        let actions: [(String, String, @Sendable (Int64, ActionDTO, Actor) async throws -> WorkOrder?)] = [
            ("accept", "受理", { id, _, a in try await orders.accept(id, actor: a) }),
            (
                "transfer", "转办（targetOrgId：辖区内工会或上一级工会），按新单位重新计算期限",
                { id, b, a in
                    try await orders.transfer(id, to: b.targetOrgId, note: b.note, tellWorker: b.tellWorker ?? false, actor: a)
                }
            ),
            (
                "assist", "请求协办（targetOrgId、note）",
                { id, b, a in try await orders.requestAssist(id, orgId: b.targetOrgId, note: b.note, actor: a); return nil }
            ),
            ("wait", "请职工补充材料（暂停计时）", { id, b, a in try await orders.waitForWorker(id, note: b.note, actor: a) }),
            ("resume", "恢复办理", { id, _, a in try await orders.resume(id, actor: a) }),
            ("notes", "添加内部办理记录", { id, b, a in try await orders.addNote(id, note: b.note, actor: a); return nil }),
            (
                "resolve", "办结（outcome、amountRecovered、peopleHelped）",
                { id, b, a in
                    try await orders.resolve(
                        id, Resolution(outcome: b.outcome, amountRecovered: b.amountRecovered, peopleHelped: b.peopleHelped), actor: a)
                }
            ),
            ("urge", "督办：催办", { id, b, a in try await orders.urge(id, note: b.note, actor: a); return nil }),
            ("reassign", "督办：改派", { id, b, a in try await orders.reassign(id, to: b.targetOrgId, note: b.note, actor: a) }),
            ("take-over", "督办：提级办理", { id, _, a in try await orders.takeOver(id, actor: a) }),
            (
                "follow-up", "电话回访（note，可附 rating 1–5）",
                { id, b, a in try await orders.followUp(id, note: b.note, rating: b.rating, actor: a) }
            ),
        ]
        for (path, summary, action) in actions {
            api.add(
                .post, "/work-orders/{id}/\(path)", summary: summary, tag: tag, body: Schema.ref("WorkOrderAction"),
                response: Schema.ref("WorkOrder")
            ) { request, context in
                let id = try context.id()
                let body = try await Self.actionBody(request)
                // The order as the action left it: a transfer up to the parent union leaves it outside the
                // caller's scope, and the caller must still learn that it went through.
                if let changed = try await action(id, body, context.actor) { return JSONBody(dto(changed)) }
                return JSONBody(dto(try await orders.get(id, actor: context.actor)))
            }
        }
        api.add(
            .post, "/work-order-assists/{id}/reply", summary: "协办单位回复", tag: tag, body: Schema.ref("WorkOrderAction"), response: nil,
            status: 204
        ) { request, context in
            let body = try await request.decode(as: ActionDTO.self, context: context)
            try await orders.replyAssist(try context.id(), reply: body.note, actor: context.actor)
            return Response(status: .noContent)
        }
        api.add(
            .get, "/work-order-stats", summary: "工单统计（来自汇总表）：按类型、分类、月份的受理量、按期办结率、满意率、平均办理天数", tag: tag,
            query: [.query("unionId", "工会（含下级），默认本人辖区", Schema.id), .query("from", "起始月份 2026-01（2000–2100 年，至多 120 个月）", ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"]), .query("to", "截止月份 2026-12", ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"])],
            response: Schema.ref("WorkOrderStats")
        ) { request, context in
            let period = StatsPeriod(request: request, today: CivilDate(date: clock.now()))
            return JSONBody(
                StatsDTO(
                    try await stats.stats(orgId: try request.idQuery("unionId"), from: period.from, to: period.to, actor: context.actor)))
        }
        api.add(
            .get, "/work-order-types", summary: "诉求类型及办理时限（工作日）", tag: tag,
            response: Schema.array(
                Schema.object(
                    [
                        ("code", Schema.string), ("name", Schema.string), ("normalDays", Schema.integer),
                        ("difficultDays", Schema.integer), ("complexDays", Schema.integer), ("active", Schema.boolean),
                    ],
                    required: ["code", "name"]))
        ) { _, _ in
            JSONBody(try await catalog.snapshot().types.map(TypeDTO.init))
        }
        api.add(
            .get, "/work-order-categories", summary: "诉求分类", tag: tag,
            response: Schema.array(
                Schema.object(
                    [("code", Schema.string), ("name", Schema.string), ("active", Schema.boolean)],
                    required: ["code", "name"]))
        ) { _, _ in
            JSONBody(try await catalog.snapshot().categories.map { CategoryDTO(code: $0.code, name: $0.name, active: $0.active) })
        }
    }

    /// Actions like accept need no body; any body given must be valid JSON.
    static func actionBody(_ request: Request) async throws -> ActionDTO {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        guard buffer.readableBytes > 0 else { return ActionDTO() }
        do { return try JSONDecoder().decode(ActionDTO.self, from: Data(buffer: buffer)) } catch {
            throw AppError.badRequest(PlatformText.malformedBody)
        }
    }
}

struct TypeDTO: Encodable, Sendable {
    var code, name: String
    var normalDays, difficultDays, complexDays: Int
    var active: Bool
    init(_ t: WorkOrderType) {
        code = t.code
        name = t.name
        normalDays = t.normalDays
        difficultDays = t.difficultDays
        complexDays = t.complexDays
        active = t.active
    }
}

struct CategoryDTO: Encodable, Sendable {
    var code, name: String
    var active: Bool
}
