import Foundation
import Platform
import SQLKit

/// The queries of the engine's configuration: types, categories, routing rules, calendar days.
struct CatalogStore: Sendable {
    func snapshot(on sql: any SQLDatabase) async throws -> WorkOrderCatalog.Snapshot {
        let types = try await sql.select().column("*").from("work_order_types").orderBy("sort").all(decoding: WorkOrderType.self)
        let categories = try await sql.select().column("*").from("work_order_categories").orderBy("sort")
            .all(decoding: WorkOrderCategory.self)
        let routes = try await sql.select().column("*").from("work_order_routes").orderBy("priority").orderBy("id")
            .all(decoding: RoutingRule.self)
        var days: [CalendarException] = []
        for row in try await sql.select().columns("day", "working", "name").from("calendar_days").orderBy("day").all() {
            guard let day = CivilDate(iso: try row.decode(column: "day", as: String.self)) else { continue }
            days.append(
                CalendarException(
                    day: day, working: try row.decode(column: "working", as: Bool.self), name: try row.decode(column: "name", as: String.self)))
        }
        return .init(types: types, categories: categories, routes: routes, calendarDays: days, calendar: WorkCalendar(exceptions: days))
    }

    /// The years the calendar table has any day of.
    func calendarYears(on sql: any SQLDatabase) async throws -> Set<String> {
        Set(try await sql.raw("SELECT DISTINCT substr(day, 1, 4) AS y FROM calendar_days").all().map { try $0.decode(column: "y", as: String.self) })
    }

    func insertDays(_ days: [CalendarException], on sql: any SQLDatabase) async throws {
        guard !days.isEmpty else { return }
        let insert = sql.insert(into: "calendar_days").columns("day", "working", "name")
        for d in days { insert.values(SQLBind(d.day.iso), SQLBind(d.working), SQLBind(d.name)) }
        try await insert.run()
    }

    func replaceDay(_ day: CalendarException, on sql: any SQLDatabase) async throws {
        try await deleteDay(day.day.iso, on: sql)
        try await insertDays([day], on: sql)
    }

    func deleteDay(_ iso: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "calendar_days").where("day", .equal, iso).run()
    }

    func upsertType(_ type: WorkOrderType, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "work_order_types").model(type).onConflict(with: ["code"]) { try $0.set(excludedContentOf: type) }.run()
    }

    func upsertCategory(_ category: WorkOrderCategory, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: "work_order_categories").model(category)
            .onConflict(with: ["code"]) { try $0.set(excludedContentOf: category) }.run()
    }

    func insertRoute(
        typeCode: String?, categoryCode: String?, regionPrefix: String?, targetLevel: String, priority: Int, note: String?,
        on sql: any SQLDatabase
    ) async throws {
        try await sql.insert(into: "work_order_routes")
            .columns("type_code", "category_code", "region_prefix", "target_level", "priority", "note")
            .values(SQLBind(typeCode), SQLBind(categoryCode), SQLBind(regionPrefix), SQLBind(targetLevel), SQLBind(priority), SQLBind(note))
            .run()
    }

    func deleteRoute(_ id: Int64, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: "work_order_routes").where("id", .equal, id).run()
    }
}
