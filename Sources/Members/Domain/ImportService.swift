import Foundation
import Platform

/// One import of a spreadsheet of members, as the console shows its progress.
public struct MemberImport: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case queued, running, done, failed

        public var label: String {
            switch self {
            case .queued: "排队中"
            case .running: "导入中"
            case .done: "已完成"
            case .failed: "失败"
            }
        }
    }

    public var id: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var actorName: String
    public var fileName: String
    public var filePath: String
    public var status: Status
    public var totalRows: Int?
    public var lastRow: Int
    public var goodRows: Int
    public var badRows: Int
    public var message: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, orgId = "org_id", orgPath = "org_path", actorName = "actor_name", fileName = "file_name", filePath = "file_path"
        case status, totalRows = "total_rows", lastRow = "last_row", goodRows = "good_rows", badRows = "bad_rows", message
        case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
    }
}

/// The columns of the import template, in order, with the header names accepted for each.
enum ImportColumn: String, CaseIterable, Sendable {
    case name, gender, birthDate, ethnicity, idNumber, phone, education, politicalStatus, unionId, job, migrantWorker, joinDate

    var header: String {
        switch self {
        case .name: "姓名"
        case .gender: "性别"
        case .birthDate: "出生日期"
        case .ethnicity: "民族"
        case .idNumber: "身份证号"
        case .phone: "手机号"
        case .education: "学历"
        case .politicalStatus: "政治面貌"
        case .unionId: "工会组织编号"
        case .job: "工作岗位"
        case .migrantWorker: "是否农民工"
        case .joinDate: "入会日期"
        }
    }

    var aliases: [String] {
        switch self {
        case .idNumber: ["身份证号", "身份证号码", "公民身份号码", "证件号码"]
        case .phone: ["手机号", "手机号码", "联系电话"]
        case .unionId: ["工会组织编号", "所在工会组织编号", "组织编号", "工会编号"]
        case .job: ["工作岗位", "岗位", "职务"]
        case .migrantWorker: ["是否农民工", "农民工"]
        default: [header]
        }
    }

    var required: Bool { self == .name || self == .idNumber || self == .unionId }

    static var templateHeaders: [String] { allCases.map(\.header) }

    /// This column's cell in a row, if the sheet has the column and the row reaches it.
    static func cell(_ column: ImportColumn, of cells: [String], in columns: [ImportColumn: Int]) -> String? {
        columns[column].flatMap { $0 < cells.count ? cells[$0] : nil }
    }

    /// Column positions from a header row; nil entries for absent optional columns.
    struct MissingColumns: Error { var names: [String] }

    /// The columns by header; 工会组织编号 may be left out of a file for one grassroots union
    /// (`unionOptional`): its rows belong to that union.
    static func map(_ header: [String], unionOptional: Bool = false) -> Result<[ImportColumn: Int], MissingColumns> {
        let cleaned = header.map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "*", with: "")
                .replacingOccurrences(of: "\u{FEFF}", with: "")
        }
        var map: [ImportColumn: Int] = [:]
        for column in allCases {
            if let index = cleaned.firstIndex(where: { column.aliases.contains($0) }) { map[column] = index }
        }
        let missing = allCases.filter { $0.required && map[$0] == nil && !($0 == .unionId && unionOptional) }.map(\.header)
        return missing.isEmpty ? .success(map) : .failure(MissingColumns(names: missing))
    }
}

/// Bulk import: streamed, validated row by row, committed in batches together with the progress,
/// so an import that dies resumes after the last committed batch and never imports a row twice.
public struct ImportService: Sendable {
    public static let jobKind = "members.import"
    public static let maxFileSize = 200 * 1024 * 1024

    let database: Database
    let store = MemberStore()
    let imports = ImportStore()
    let records: MemberRecords
    let unions: any UnionDirectory
    let regions: any RegionCodeSet
    let clock: AppClock
    public var batchSize = 5000
    /// Test hook: throw inside the transaction of this batch number (1-based), as a crash would.
    var failInBatch: Int?
    /// Test hook: runs after a batch (its number given) is prepared and before it commits.
    var beforeCommit: (@Sendable (Int) async throws -> Void)?

    public init(database: Database, records: MemberRecords, unions: any UnionDirectory, regions: any RegionCodeSet, clock: AppClock) {
        self.database = database
        self.records = records
        self.unions = unions
        self.regions = regions
        self.clock = clock
    }

    /// Registers an uploaded file for import into `unionId`'s subtree and queues the job.
    /// The files of imports still to run (a start-up sweep of uploads keeps them).
    public func pendingFiles() async throws -> Set<String> {
        try await database.withConnection { [imports] sql in try await imports.pendingFiles(on: sql) }
    }

    /// Refuses before an upload is stored: the union must be one the actor may import into.
    public func checkMayImport(into unionId: Int64, actor: Actor) async throws {
        _ = try await importableUnion(unionId, actor: actor)
    }

    func importableUnion(_ unionId: Int64, actor: Actor) async throws -> UnionRef {
        let scope = try actor.requireScope(.memberImport)
        guard let union = try await unions.union(unionId), scope.covers(union.path) else {
            throw AppError.validation(["unionId": MemberText.unknownUnion])
        }
        return union
    }

    public func start(file: URL, fileName: String, unionId: Int64, actor: Actor) async throws -> MemberImport {
        let union = try await importableUnion(unionId, actor: actor)
        let now = clock.now()
        let id = try await database.transaction { [imports] sql -> Int64 in
            let id = try await imports.insert(
                union: union, actor: actor, fileName: String(fileName.prefix(200)), filePath: file.path, now: now, on: sql)
            let job = try await JobQueue.enqueue(kind: Self.jobKind, payload: String(id), runAt: now, maxAttempts: 3, on: sql)
            try await imports.setJob(id, job: job, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "member.import_start", objectType: "member_import",
                    objectId: String(id), orgPath: union.path, detail: ["file": fileName]), on: sql)
            return id
        }
        return try await get(id, actor: actor)
    }

    public func get(_ id: Int64, actor: Actor) async throws -> MemberImport {
        let scope = try actor.requireScope(.memberImport)
        guard let item = try await load(id), scope.covers(item.orgPath) else { throw AppError.notFound(MemberText.importNotFound) }
        return item
    }

    public func list(actor: Actor, page: PageRequest) async throws -> Page<MemberImport> {
        let scope = try actor.requireScope(.memberImport)
        let before = try page.keyID()
        let rows = try await database.withConnection { [imports] sql in
            try await imports.imports(in: scope, before: before, limit: page.limit + 1, on: sql)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// Bad rows with their reasons, in row order. The rows as uploaded are kept sealed and shown
    /// with every ID and phone number masked.
    public func errors(of id: Int64, actor: Actor) async throws -> [(row: Int, reason: String, raw: String)] {
        try await storedErrors(of: try await get(id, actor: actor)).map { ($0.row, $0.reason, Phone.maskNumbers(in: $0.raw)) }
    }

    /// The same rows in clear, for someone who may reveal members' numbers in the import's union,
    /// with a reason; audited like a member reveal.
    public func revealErrors(of id: Int64, reason: String, actor: Actor) async throws -> [(row: Int, reason: String, raw: String)] {
        let item = try await get(id, actor: actor)
        guard actor.scope(.memberReveal).covers(item.orgPath) else {
            try await AuditLog(database: database).record(
                AuditEntry(actor: actor, action: "member.import_errors_reveal", objectType: "member_import", objectId: String(id),
                           orgPath: item.orgPath, result: .denied))
            throw AppError.forbidden
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 2, reason.count <= 200 else { throw AppError.validation(["reason": MemberText.revealReasonRequired]) }
        let rows = try await storedErrors(of: item)
        try await AuditLog(database: database).record(
            AuditEntry(actor: actor, action: "member.import_errors_reveal", objectType: "member_import", objectId: String(id),
                       orgPath: item.orgPath, detail: ["reason": reason, "rows": String(rows.count)]))
        return rows
    }

    /// Records that the (masked) error report was downloaded.
    public func recordErrorDownload(of id: Int64, actor: Actor) async throws {
        let item = try await get(id, actor: actor)
        try await AuditLog(database: database).record(
            AuditEntry(actor: actor, action: "member.import_errors_download", objectType: "member_import", objectId: String(id),
                       orgPath: item.orgPath))
    }

    private func storedErrors(of item: MemberImport) async throws -> [(row: Int, reason: String, raw: String)] {
        let rows = try await database.withConnection { [imports] sql in try await imports.errors(of: item.id, on: sql) }
        return try rows.map { ($0.row, $0.reason, $0.sealedRaw.isEmpty ? "" : try records.open($0.sealedRaw, MemberFields.importRow)) }
    }

    func load(_ id: Int64) async throws -> MemberImport? {
        try await database.withConnection { [imports] sql in try await imports.load(id, on: sql) }
    }

    // MARK: Running

    /// Runs (or resumes) an import. Called by the job queue.
    public func run(_ id: Int64, heartbeat: @Sendable () async throws -> Void = {}) async throws {
        guard let item = try await load(id), item.status == .queued || item.status == .running else { return }
        let now = clock.now()
        try await database.transaction { [imports] sql in try await imports.markRunning(id, startedAt: item.startedAt ?? now, on: sql) }
        var reader: any SpreadsheetReader
        do {
            reader = try openSpreadsheet(at: URL(fileURLWithPath: item.filePath))
        } catch {
            return try await fail(id, message: MemberText.importUnreadable)
        }
        guard let header = try reader.nextRow() else { return try await fail(id, message: MemberText.importEmptyFile) }
        // A file uploaded for one grassroots union needs no 工会组织编号 on its rows.
        let target = try await unions.union(item.orgId)
        let defaultUnion = target?.isGrassroots == true ? target : nil
        let columns: [ImportColumn: Int]
        switch ImportColumn.map(header.cells, unionOptional: defaultUnion != nil) {
        case .success(let map): columns = map
        case .failure(let missing):
            return try await fail(id, message: "\(MemberText.importMissingColumns)：\(missing.names.joined(separator: "、"))")
        }
        let validator = MemberValidator(regions: regions, today: CivilDate(date: now))
        // Rows up to `lastRow` were committed before: rebuild which ID numbers they imported.
        var seen: [IndexKey: Int] = [:]
        if item.lastRow > 1 {
            let badRows = try await database.withConnection { [imports] sql in try await imports.badRowNumbers(of: id, on: sql) }
            while let row = try reader.nextRow() {
                if !badRows.contains(row.number), let text = ImportColumn.cell(.idNumber, of: row.cells, in: columns),
                    case .success(let idNumber) = IDNumber.parse(text, regions: regions)
                {
                    seen[IndexKey(records.idIndex(idNumber))] = row.number
                }
                if row.number >= item.lastRow { break }
            }
        }
        let preparer = ImportPreparer(
            item: item, columns: columns, validator: validator, records: records, unions: unions, database: database, clock: clock,
            seen: seen, defaultUnion: defaultUnion)
        func readBatch() throws -> [SpreadsheetRow] {
            var batch: [SpreadsheetRow] = []
            while batch.count < batchSize, let row = try reader.nextRow() { batch.append(row) }
            return batch
        }
        // While one batch commits (the database's work), the next one is read and prepared (ours).
        var batchNumber = 0
        var totalRows = item.lastRow
        var batch = try readBatch()
        var pending = Task { [batch] in try await preparer.prepare(batch) }
        defer { pending.cancel() }
        while !batch.isEmpty {
            let prepared = try await pending.value
            let next = try readBatch()
            pending = Task { [next] in try await preparer.prepare(next) }
            batchNumber += 1
            totalRows = prepared.lastRow
            try await beforeCommit?(batchNumber)
            if try await commit(prepared, importId: item.id, crash: failInBatch == batchNumber) { await preparer.checkAheadFromNowOn() }
            try await heartbeat()
            batch = next
        }
        let finished = clock.now()
        let rowsRead = totalRows
        try await database.transaction { [imports] sql in
            // The counters take this import's members once, with the status change: a resumed import
            // cannot count a row twice, and batches do not upsert thousands of counters each.
            if let first = try await imports.firstMemberId(of: id, on: sql) {
                try await MemberStore.countImported(importId: id, fromMemberId: first, on: sql)
            }
            try await imports.markDone(id, totalRows: max(rowsRead - 1, 0), at: finished, on: sql)
            guard let done = try await imports.load(id, on: sql) else { throw AppError.conflict(PlatformText.concurrentChange) }
            try await AuditLog.record(
                AuditEntry(
                    actor: .system("import"), action: "member.import", objectType: "member_import",
                    objectId: String(id), orgPath: item.orgPath,
                    detail: ["good": String(done.goodRows), "bad": String(done.badRows), "by": item.actorName]), on: sql)
        }
        // The upload holds ID numbers in clear: it goes once the import no longer needs it.
        try? FileManager.default.removeItem(atPath: item.filePath)
    }

    func fail(_ id: Int64, message: String) async throws {
        if let item = try await load(id) { try? FileManager.default.removeItem(atPath: item.filePath) }
        try await database.transaction { [imports, now = clock.now()] sql in try await imports.markFailed(id, message: message, at: now, on: sql) }
    }

    /// Writes one prepared batch: its members, their memberships, its bad rows and the progress,
    /// in one transaction. If the unique blind index refuses one of its ID numbers (someone is
    /// already a member), the batch is written again without those rows, reported as already
    /// members; returns whether that happened.
    func commit(_ batch: PreparedBatch, importId: Int64, crash: Bool) async throws -> Bool {
        do {
            try await write(batch, importId: importId, recheck: false, crash: crash)
            return false
        } catch  where Database.isUniqueViolation(error) {
            try await write(batch, importId: importId, recheck: true, crash: crash)
            return true
        }
    }

    private func write(_ batch: PreparedBatch, importId: Int64, recheck: Bool, crash: Bool) async throws {
        let now = clock.now()
        let dialect = database.dialect
        try await database.transaction { [store, imports, records] sql in
            var batch = batch
            if recheck {
                batch.reject(alreadyMembers: try await store.existing(idIndexes: batch.members.map(\.idIndex), dialect: dialect, on: sql))
            }
            // Ids: reserved while preparing on PostgreSQL (a sequence); here on SQLite (past the largest, under the write lock).
            if let first = batch.members.first, first.id == 0 {
                let ids = try await store.allocateIds(batch.members.count, dialect: dialect, on: sql)
                batch.members = zip(batch.members, ids).map { records.numbered($0, id: $1) }
            }
            try await store.insert(batch.members, importJob: importId, on: sql)
            try await store.openMemberships(batch.members, orgNames: batch.unionNames, reason: MemberText.joinedByImport, now: now, on: sql)
            try await imports.recordBatch(
                importId, lastRow: batch.lastRow, goodRows: batch.members.count, firstMemberId: batch.members.map(\.id).min(),
                errors: try batch.errors.map {
                    ImportStore.StoredError(row: $0.row, reason: $0.reason, sealedRaw: try records.seal($0.raw, MemberFields.importRow))
                }, on: sql)
            if crash { throw ImportCrash() }
        }
    }
}

struct ImportCrash: Error {}
