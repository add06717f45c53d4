import Foundation
import Platform
import SQLKit

/// The work-order engine (一单到底): intake from every channel, tiered handling, deadlines and
/// the worker's side. Staff calls take an `Actor` and check scope here; worker calls take the
/// signed-in worker's id and only ever touch that worker's orders.
public struct WorkOrderService: Sendable {
    let database: Database
    let catalog: WorkOrderCatalog
    let orgs: any HandlingOrgDirectory
    let members: any MemberLookup
    let messenger: any TextMessenger
    let cipher: FieldCipher
    let clock: AppClock
    let store = WorkOrderStore()
    /// New orders go through here: concurrent intakes share a transaction.
    let intake: IntakeWriter

    /// Days a resolved order waits for the worker's rating before it closes by itself.
    public static let ratingWindowDays = 7
    /// Working days a supervising org has before an order still overdue goes one level further up.
    public static let escalationStepDays = 3

    public init(
        database: Database, catalog: WorkOrderCatalog, orgs: any HandlingOrgDirectory, members: any MemberLookup,
        messenger: any TextMessenger, cipher: FieldCipher, clock: AppClock
    ) {
        self.database = database
        self.catalog = catalog
        self.orgs = orgs
        self.members = members
        self.messenger = messenger
        self.cipher = cipher
        self.clock = clock
        self.intake = IntakeWriter(database: database)
    }

    var today: CivilDate { CivilDate(date: clock.now()) }

    // MARK: Reading

    /// One order as staff see it: in the read scope, or asked to assist.
    public func get(_ id: Int64, actor: Actor) async throws -> WorkOrder {
        let scope = try actor.requireScope(.workOrderRead)
        guard let order = try await database.withConnection({ sql in try await store.order(id, on: sql) }) else {
            throw AppError.notFound(WorkOrderText.notFound)
        }
        if scope.covers(order.orgPath) { return order }
        if try await assists(of: id).contains(where: { scope.covers($0.orgPath) }) { return order }
        throw AppError.notFound(WorkOrderText.notFound)
    }

    public func timeline(of id: Int64, publicOnly: Bool) async throws -> [WorkOrderEvent] {
        try await database.withConnection { sql in try await store.timeline(of: id, publicOnly: publicOnly, on: sql) }
    }

    public func assists(of id: Int64) async throws -> [WorkOrderAssist] {
        try await database.withConnection { sql in try await store.assists(of: id, on: sql) }
    }

    public func files(of id: Int64) async throws -> [WorkOrderFile] {
        try await database.withConnection { sql in try await store.files(of: id, on: sql) }
    }

    /// The caller's full phone number for calling back: audited like every reveal.
    public func revealPhone(_ id: Int64, actor: Actor) async throws -> String {
        let order = try await get(id, actor: actor)
        try actor.require(.workOrderIntake, at: order.orgPath)
        return try await database.transaction { [cipher] sql in
            guard let sealed = try await store.callerPhoneCipher(id, on: sql) else {
                throw AppError.notFound(WorkOrderText.notFound)
            }
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "workorder.reveal_phone", objectType: "work_order", objectId: String(id),
                    orgPath: order.orgPath), on: sql)
            return try cipher.open(sealed, for: WorkOrderFields.callerPhone)
        }
    }

    // MARK: Helpers shared by the use cases

    func phoneIndex(_ phone: String) -> String { cipher.blindIndex("phone:" + phone) }

    /// The deadline `days` working days after `from`.
    func due(days: Int, from: CivilDate, calendar: WorkCalendar) -> String {
        calendar.adding(workingDays: days, to: from).iso
    }

    func limitDays(_ order: WorkOrder, _ snapshot: WorkOrderCatalog.Snapshot) -> Int {
        snapshot.type(order.typeCode)?.days(order.complexity) ?? 5
    }

    func actorName(_ actor: Actor) -> String { actor.displayName }

    func audit(_ actor: Actor, _ action: String, _ order: WorkOrder, detail: [String: String] = [:], on sql: any SQLDatabase) async throws {
        try await AuditLog.record(Self.auditEntry(actor, action, order, detail: detail), on: sql)
    }

    static func auditEntry(_ actor: Actor, _ action: String, _ order: WorkOrder, detail: [String: String] = [:]) -> AuditEntry {
        AuditEntry(
            actor: actor, action: "workorder.\(action)", objectType: "work_order", objectId: String(order.id), orgPath: order.orgPath,
            detail: detail)
    }

    static func text(_ raw: String?, max: Int) -> String? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty || t.count > max ? nil : t
    }
}
