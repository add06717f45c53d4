import Foundation
import Hummingbird
import Platform
import WebUI

extension WorkOrdersConsole {
    // MARK: Stats and notifications

    @Sendable func statsPage(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let period = StatsPeriod(request: request, today: today)
        let s = try await stats.stats(orgId: try request.idQuery("unionId"), from: period.from, to: period.to, actor: context.actor)
        let around = try await stats.drillDown(from: s.root, actor: context.actor)
        func href(_ id: Int64) -> String { "/admin/work-order-stats?unionId=\(id)&from=\(s.from)&to=\(s.to)" }
        let model = StatsPage(
            root: s.root.name, from: s.from, to: s.to, fromMonths: DisplayDate.monthOptions(through: today, selected: s.from),
            toMonths: DisplayDate.monthOptions(through: today, selected: s.to), unionId: s.root.id, total: .init(s.total), byType: s.byType.map(StatsPage.Line.init),
            typeChart: Chart.bars(s.byType.map { ($0.label, Double($0.created)) }),
            categoryChart: Chart.bars(s.byCategory.map { ($0.label, Double($0.created)) }, color: Chart.amber),
            rateChart: Chart.lines(
                months: s.byMonth.map(\.key),
                series: [
                    Chart.Series(name: WorkOrderWebText.onTimeRate, color: Chart.green, values: s.byMonth.map(\.onTimeRate)),
                    Chart.Series(name: WorkOrderWebText.satisfactionRate, color: Chart.blue, values: s.byMonth.map(\.satisfactionRate)),
                ]),
            children: around.children.map { .init(name: $0.name, href: href($0.id)) }, up: around.parent.map { href($0.id) })
        return page("wo-stats", model, request, context)
    }

    @Sendable func notificationList(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let (list, readThrough) = try await notifications.forStaff(context.actor, page: try request.pageRequest())
        let model = NotificationsPage(
            items: list.items.map {
                .init(text: $0.text, at: DisplayDate.minutes($0.createdAt), unread: $0.id > readThrough,
                      href: $0.orderId.map { "/admin/work-orders/\($0)" })
            },
            empty: list.items.isEmpty, next: list.nextCursor.map { "/admin/notifications?after=\($0)" })
        return page("wo-notifications", model, request, context)
    }

    @Sendable func markRead(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await notifications.markAllRead(context.actor)
        return Response.redirect(to: "/admin/notifications", flash: .ok(WorkOrderWebText.allRead))
    }

    // MARK: Settings: types, categories, routing rules, the holiday calendar

    @Sendable func settings(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await catalog.requireConfigure(context.actor)
        let s = try await catalog.snapshot()
        let any = WorkOrderWebText.any
        let model = SettingsPage(
            types: s.types.map {
                .init(code: $0.code, name: $0.name, normal: $0.normalDays, difficult: $0.difficultDays, complex: $0.complexDays,
                      active: $0.active, sort: $0.sort)
            },
            categories: s.categories.map { .init(code: $0.code, name: $0.name, active: $0.active, sort: $0.sort) },
            routes: s.routes.map { r in
                .init(id: r.id, type: r.typeCode.map(s.typeName) ?? any, category: r.categoryCode.map(s.categoryName) ?? any,
                      region: r.regionPrefix ?? any, level: WorkOrderText.levelLabels[r.targetLevel] ?? r.targetLevel, note: r.note ?? "",
                      priority: r.priority)
            },
            typeOptions: Option.list(s.types.map { ($0.code, $0.name) }, selected: nil),
            categoryOptions: Option.list(s.categories.map { ($0.code, $0.name) }, selected: nil),
            levels: Option.list(WorkOrderCatalog.routeLevels.map { ($0, WorkOrderText.levelLabels[$0] ?? $0) }, selected: nil),
            days: s.calendarDays.filter { $0.day.year >= today.year }.map { .init(day: $0.day.iso, name: $0.name, working: $0.working) })
        return page("wo-settings", model, request, context)
    }

    @Sendable func saveSetting(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: SettingsForm.self, context: context)
        let actor = context.actor
        func text(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
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
                try await catalog.addRoute(
                    typeCode: text(form.typeCode), categoryCode: text(form.categoryCode), regionPrefix: text(form.region),
                    targetLevel: form.level ?? "", priority: Int(form.priority ?? "") ?? 10, note: text(form.name), actor: actor)
            case "route-delete": try await catalog.deleteRoute(Int64(form.code ?? "") ?? 0, actor: actor)
            case "day": try await catalog.saveDay(form.day ?? "", working: form.working == "1", name: form.name ?? "", actor: actor)
            case "day-delete": try await catalog.deleteDay(form.day ?? "", actor: actor)
            default: throw AppError.notFound()
            }
        } catch let error as AppError where error.status == .unprocessableContent {
            return Response.redirect(to: "/admin/work-order-settings", flash: .error(error.fieldErrors.values.sorted().joined(separator: "；")))
        }
        return Response.redirect(to: "/admin/work-order-settings", flash: .ok(WorkOrderWebText.settingsSaved))
    }
}
