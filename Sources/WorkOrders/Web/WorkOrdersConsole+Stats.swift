import Foundation
import Hummingbird
import Platform
import WebUI

extension WorkOrdersConsole {
    func registerStats(on group: RouterGroup<AppRequestContext>) {
        group.get("/work-order-stats") { request, context in
            let (from, to) = WorkOrderAPIController.months(request, today: today)
            let s = try await stats.stats(orgId: try request.idQuery("unionId"), from: from, to: to, actor: context.actor)
            func line(_ l: WorkOrderStats.Line) -> [String: Any] {
                [
                    "label": l.label, "created": l.created, "resolved": l.resolved, "onTime": WorkOrderViews.percent(l.onTimeRate),
                    "satisfaction": WorkOrderViews.percent(l.satisfactionRate),
                    "days": l.averageDays.map { String(format: "%.1f", $0) } ?? "—",
                    "rated": l.rated,
                ]
            }
            let children = try await orgs.children(of: s.root.id, limit: 100).filter { context.actor.scope(.workOrderRead).covers($0.path) }
            let model: [String: Any] = [
                "root": s.root.name, "from": from, "to": to, "unionId": s.root.id, "total": line(s.total),
                "byType": s.byType.map(line), "byCategory": s.byCategory.map(line), "byMonth": s.byMonth.map(line),
                "typeChart": WorkOrderViews.bars(s.byType.map { ($0.label, $0.created) }),
                "categoryChart": WorkOrderViews.bars(s.byCategory.map { ($0.label, $0.created) }, color: "#d97706"),
                "rateChart": WorkOrderViews.rateLines(
                    months: s.byMonth.map(\.key),
                    series: [
                        ("按期办结率", "#15803d", s.byMonth.map(\.onTimeRate)), ("满意率", "#1d4ed8", s.byMonth.map(\.satisfactionRate)),
                    ]),
                "children": children.map { ["name": $0.name, "href": "/admin/work-order-stats?unionId=\($0.id)&from=\(from)&to=\(to)"] },
                "up": s.root.path.parent.flatMap { p in
                    context.actor.scope(.workOrderRead).covers(p) ? "/admin/work-order-stats?unionId=\(p.id)&from=\(from)&to=\(to)" : nil
                } as Any,
            ]
            return page("wo-stats", model, request, context)
        }
        group.get("/notifications") { request, context in
            let (list, readThrough) = try await notifications.forStaff(context.actor, page: try request.pageRequest())
            let model: [String: Any] = [
                "items": list.items.map { n -> [String: Any] in
                    [
                        "text": n.text, "at": DisplayDate.minutes(n.createdAt), "unread": n.id > readThrough,
                        "href": n.orderId.map { "/admin/work-orders/\($0)" } ?? "",
                    ]
                },
                "empty": list.items.isEmpty, "next": list.nextCursor.map { "/admin/notifications?after=\($0)" } as Any,
            ]
            return page("wo-notifications", model, request, context)
        }
        group.post("/notifications/read") { _, context in
            try await notifications.markAllRead(context.actor)
            return Response.redirect(to: "/admin/notifications", flash: .ok(WorkOrderWebText.allRead))
        }
    }

    func registerSettings(on group: RouterGroup<AppRequestContext>) {
        group.get("/work-order-settings") { request, context in
            try await catalog.requireConfigure(context.actor)
            let s = try await catalog.snapshot()
            let year = today.year
            let model: [String: Any] = [
                "types": s.types.map {
                    [
                        "code": $0.code, "name": $0.name, "normal": $0.normalDays, "difficult": $0.difficultDays, "complex": $0.complexDays,
                        "active": $0.active, "sort": $0.sort,
                    ]
                },
                "categories": s.categories.map { ["code": $0.code, "name": $0.name, "active": $0.active, "sort": $0.sort] },
                "routes": s.routes.map { r -> [String: Any] in
                    [
                        "id": r.id, "type": r.typeCode.map(s.typeName) ?? "任意", "category": r.categoryCode.map(s.categoryName) ?? "任意",
                        "region": r.regionPrefix ?? "任意", "level": WorkOrderText.levelLabels[r.targetLevel] ?? r.targetLevel,
                        "note": r.note ?? "",
                        "priority": r.priority,
                    ]
                },
                "typeOptions": s.types.map { ["value": $0.code, "label": $0.name] },
                "categoryOptions": s.categories.map { ["value": $0.code, "label": $0.name] },
                "levels": ["province", "city", "county", "township", "grassroots"].map {
                    ["value": $0, "label": WorkOrderText.levelLabels[$0]!]
                },
                "days": s.calendarDays.filter { $0.day.year >= year }.map { ["day": $0.day.iso, "name": $0.name, "working": $0.working] },
            ]
            return page("wo-settings", model, request, context)
        }
        group.post("/work-order-settings/:what") { request, context in
            let form = try await request.decode(as: SettingsForm.self, context: context)
            let actor = context.actor
            do {
                switch context.parameters.get("what") ?? "" {
                case "type":
                    try await catalog.saveType(
                        WorkOrderType(
                            code: form.code ?? "", name: (form.name ?? "").trimmingCharacters(in: .whitespaces),
                            normalDays: Int(form.normal ?? "") ?? 0, difficultDays: Int(form.difficult ?? "") ?? 0,
                            complexDays: Int(form.complex ?? "") ?? 0, active: form.active == "1", sort: Int(form.sort ?? "") ?? 50),
                        actor: actor)
                case "category":
                    try await catalog.saveCategory(
                        WorkOrderCategory(
                            code: form.code ?? "", name: (form.name ?? "").trimmingCharacters(in: .whitespaces), active: form.active == "1",
                            sort: Int(form.sort ?? "") ?? 50), actor: actor)
                case "route":
                    func opt(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
                    try await catalog.addRoute(
                        typeCode: opt(form.typeCode), categoryCode: opt(form.categoryCode), regionPrefix: opt(form.region),
                        targetLevel: form.level ?? "", priority: Int(form.priority ?? "") ?? 10, note: opt(form.name), actor: actor)
                case "route-delete": try await catalog.deleteRoute(Int64(form.code ?? "") ?? 0, actor: actor)
                case "day": try await catalog.saveDay(form.day ?? "", working: form.working == "1", name: form.name ?? "", actor: actor)
                case "day-delete": try await catalog.deleteDay(form.day ?? "", actor: actor)
                default: throw AppError.notFound()
                }
            } catch let error as AppError where error.status == .unprocessableContent {
                return Response.redirect(
                    to: "/admin/work-order-settings", flash: .error(error.fieldErrors.values.sorted().joined(separator: "；")))
            }
            return Response.redirect(to: "/admin/work-order-settings", flash: .ok(WorkOrderWebText.settingsSaved))
        }
    }
}

struct SettingsForm: Decodable, Sendable {
    var code, name, normal, difficult, complex, active, sort, typeCode, categoryCode, region, level, priority, day, working: String?
}
