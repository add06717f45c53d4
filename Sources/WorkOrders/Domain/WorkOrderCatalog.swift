import Foundation
import Platform
import SQLKit

/// The deployment's configuration of the engine: types with time limits, categories, routing rules
/// and the holiday calendar. Read on every intake, so it is cached briefly; edits drop the cache.
public struct WorkOrderCatalog: Sendable {
    /// The levels a routing rule may send orders to, top down.
    public static let routeLevels = ["province", "city", "county", "township", "grassroots"]

    public struct Snapshot: Sendable {
        public var types: [WorkOrderType]
        public var categories: [WorkOrderCategory]
        public var routes: [RoutingRule]
        public var calendarDays: [CalendarException]
        public var calendar: WorkCalendar

        public func type(_ code: String) -> WorkOrderType? { types.first { $0.code == code } }
        public func category(_ code: String) -> WorkOrderCategory? { categories.first { $0.code == code } }
        public func typeName(_ code: String) -> String { type(code)?.name ?? code }
        public func categoryName(_ code: String) -> String { category(code)?.name ?? code }
    }

    let database: Database
    let cache = Cache()
    let store = CatalogStore()
    static let lifetime: TimeInterval = 30

    let orgs: any HandlingOrgDirectory

    public init(database: Database, orgs: any HandlingOrgDirectory) {
        self.database = database
        self.orgs = orgs
    }

    /// Settings are deployment-wide: `workorder.configure` over every top-level org.
    public func requireConfigure(_ actor: Actor) async throws {
        try actor.requireDeploymentWide(.workOrderConfigure, roots: try await orgs.roots())
    }

    public func snapshot() async throws -> Snapshot {
        if let cached = await cache.fresh(Self.lifetime) { return cached }
        let snapshot = try await database.withConnection { sql in try await store.snapshot(on: sql) }
        await cache.store(snapshot)
        return snapshot
    }

    /// Loads the shipped holidays for every year the table knows nothing about yet: a year an admin
    /// has edited is never overwritten.
    public func seedCalendar() async throws {
        try await database.transaction { sql in
            let known = try await store.calendarYears(on: sql)
            try await store.insertDays(WorkCalendar.bundled.filter { !known.contains(String($0.day.iso.prefix(4))) }, on: sql)
        }
        await cache.clear()
    }

    // MARK: Editing (workorder.configure)

    public func saveType(_ type: WorkOrderType, actor: Actor) async throws {
        try await requireConfigure(actor)
        var v = Validator()
        v.check(Self.validCode(type.code), "code", WorkOrderText.codeInvalid)
        v.check(!type.name.isEmpty && type.name.count <= 30, "name", WorkOrderText.nameRequired)
        v.check(
            (1...365).contains(type.normalDays) && type.normalDays <= type.difficultDays && type.difficultDays <= type.complexDays
                && type.complexDays <= 365, "days", WorkOrderText.daysInvalid)
        try v.validate()
        try await write(actor: actor, action: "workorder.type.save", object: type.code) { sql in
            try await store.upsertType(type, on: sql)
        }
    }

    public func saveCategory(_ category: WorkOrderCategory, actor: Actor) async throws {
        try await requireConfigure(actor)
        var v = Validator()
        v.check(Self.validCode(category.code), "code", WorkOrderText.codeInvalid)
        v.check(!category.name.isEmpty && category.name.count <= 30, "name", WorkOrderText.nameRequired)
        try v.validate()
        try await write(actor: actor, action: "workorder.category.save", object: category.code) { sql in
            try await store.upsertCategory(category, on: sql)
        }
    }

    public func addRoute(
        typeCode: String?, categoryCode: String?, regionPrefix: String?, targetLevel: String, priority: Int, note: String?,
        actor: Actor
    ) async throws {
        try await requireConfigure(actor)
        let snapshot = try await snapshot()
        var v = Validator()
        v.check(typeCode.map { snapshot.type($0) != nil } ?? true, "typeCode", WorkOrderText.typeUnknown)
        v.check(categoryCode.map { snapshot.category($0) != nil } ?? true, "categoryCode", WorkOrderText.categoryUnknown)
        v.check(Self.routeLevels.contains(targetLevel), "targetLevel", WorkOrderText.levelUnknown)
        v.check(
            regionPrefix.map { $0.count <= 6 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) } ?? true, "regionPrefix",
            WorkOrderText.codeInvalid)
        try v.validate()
        try await write(actor: actor, action: "workorder.route.add", object: targetLevel) { sql in
            try await store.insertRoute(
                typeCode: typeCode, categoryCode: categoryCode, regionPrefix: regionPrefix, targetLevel: targetLevel, priority: priority,
                note: note, on: sql)
        }
    }

    public func deleteRoute(_ id: Int64, actor: Actor) async throws {
        try await requireConfigure(actor)
        try await write(actor: actor, action: "workorder.route.delete", object: String(id)) { sql in
            try await store.deleteRoute(id, on: sql)
        }
    }

    /// Adds or replaces one exceptional day (a holiday, or a weekend working day).
    public func saveDay(_ dayText: String, working: Bool, name: String, actor: Actor) async throws {
        try await requireConfigure(actor)
        let name = name.trimmingCharacters(in: .whitespaces)
        var v = Validator()
        let day = CivilDate(iso: dayText.trimmingCharacters(in: .whitespaces))
        v.check(day != nil, "day", WorkOrderText.dayInvalid)
        v.check(!name.isEmpty && name.count <= 30, "name", WorkOrderText.calendarNameRequired)
        try v.validate()
        guard let day else { return }
        try await write(actor: actor, action: "workorder.calendar.save", object: day.iso) { sql in
            try await store.replaceDay(CalendarException(day: day, working: working, name: name), on: sql)
        }
    }

    public func deleteDay(_ dayText: String, actor: Actor) async throws {
        try await requireConfigure(actor)
        try await write(actor: actor, action: "workorder.calendar.delete", object: dayText) { sql in
            try await store.deleteDay(dayText, on: sql)
        }
    }

    func write(actor: Actor, action: String, object: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void)
        async throws
    {
        try await database.transaction { sql in
            try await body(sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: action, objectType: "work_order_config", objectId: object, orgPath: nil), on: sql)
        }
        await cache.clear()
    }

    static func validCode(_ code: String) -> Bool {
        (2...30).contains(code.count)
            && code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    actor Cache {
        var value: Snapshot?
        var at: ContinuousClock.Instant?

        func fresh(_ lifetime: TimeInterval) -> Snapshot? {
            guard let value, let at, at.duration(to: .now) < .seconds(lifetime) else { return nil }
            return value
        }

        func store(_ snapshot: Snapshot) {
            value = snapshot
            at = .now
        }

        func clear() { value = nil }
    }
}

