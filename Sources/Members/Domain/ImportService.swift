import Foundation
import Platform
import SQLKit

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

    /// Column positions from a header row; nil entries for absent optional columns.
    struct MissingColumns: Error { var names: [String] }

    static func map(_ header: [String]) -> Result<[ImportColumn: Int], MissingColumns> {
        let cleaned = header.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "*", with: "")
            .replacingOccurrences(of: "\u{FEFF}", with: "") }
        var map: [ImportColumn: Int] = [:]
        for column in allCases {
            if let index = cleaned.firstIndex(where: { column.aliases.contains($0) }) { map[column] = index }
        }
        let missing = allCases.filter { $0.required && map[$0] == nil }.map(\.header)
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
    let records: MemberRecords
    let unions: any UnionDirectory
    let regions: any RegionCodeSet
    let clock: AppClock
    public var batchSize = 5000
    /// Test hook: throw inside the transaction of this batch number (1-based), as a crash would.
    var failInBatch: Int?

    public init(database: Database, records: MemberRecords, unions: any UnionDirectory, regions: any RegionCodeSet, clock: AppClock) {
        self.database = database
        self.records = records
        self.unions = unions
        self.regions = regions
        self.clock = clock
    }

    /// Registers an uploaded file for import into `unionId`'s subtree and queues the job.
    public func start(file: URL, fileName: String, unionId: Int64, actor: Actor) async throws -> MemberImport {
        let scope = try actor.requireScope(.memberImport)
        guard let union = try await unions.union(unionId), scope.covers(union.path) else {
            throw AppError.validation(["unionId": MemberText.unknownUnion])
        }
        let now = clock.now()
        let id = try await database.transaction { sql -> Int64 in
            let id = try await sql.insert(into: "member_imports")
                .columns("org_id", "org_path", "actor_id", "actor_name", "file_name", "file_path", "status", "last_row", "good_rows",
                         "bad_rows", "created_at")
                .values(SQLBind(union.id), SQLBind(union.path.rawValue), SQLBind(actor.accountId), SQLBind(actor.principal?.displayName ?? actor.name),
                        SQLBind(String(fileName.prefix(200))), SQLBind(file.path), SQLBind(MemberImport.Status.queued.rawValue),
                        SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int64.self)
            let job = try await JobQueue.enqueue(kind: Self.jobKind, payload: String(id), runAt: now, maxAttempts: 3, on: sql)
            try await sql.update("member_imports").set("job_id", to: job).where("id", .equal, id).run()
            try await AuditLog.record(AuditEntry(actor: actor, action: "member.import_start", objectType: "member_import",
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
        let rows = try await database.withConnection { sql in
            let q = sql.select().column("*").from("member_imports").where("org_path", in: scope)
            if let before { q.where("id", .lessThan, before) }
            return try await q.orderBy("id", .descending).limit(page.limit + 1).all(decoding: MemberImport.self)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// Bad rows with their reasons, in row order.
    public func errors(of id: Int64, actor: Actor) async throws -> [(row: Int, reason: String, raw: String)] {
        let item = try await get(id, actor: actor)
        return try await database.withConnection { sql in
            try await sql.select().columns("row_number", "reason", "raw").from("member_import_errors").where("import_id", .equal, item.id)
                .orderBy("row_number").all().map {
                    (try $0.decode(column: "row_number", as: Int.self), try $0.decode(column: "reason", as: String.self),
                     try $0.decode(column: "raw", as: String.self))
                }
        }
    }

    func load(_ id: Int64) async throws -> MemberImport? {
        try await database.withConnection { sql in
            try await sql.select().column("*").from("member_imports").where("id", .equal, id).first(decoding: MemberImport.self)
        }
    }

    // MARK: Running

    /// Runs (or resumes) an import. Called by the job queue.
    public func run(_ id: Int64, heartbeat: @Sendable () async throws -> Void = {}) async throws {
        guard let item = try await load(id), item.status == .queued || item.status == .running else { return }
        let now = clock.now()
        try await database.withConnection { sql in
            try await sql.update("member_imports").set("status", to: MemberImport.Status.running.rawValue)
                .set("started_at", to: item.startedAt ?? now).where("id", .equal, id).run()
        }
        var reader: any SpreadsheetReader
        do {
            reader = try openSpreadsheet(at: URL(fileURLWithPath: item.filePath))
        } catch {
            return try await fail(id, message: MemberText.importUnreadable)
        }
        guard let header = try reader.nextRow() else { return try await fail(id, message: MemberText.importEmptyFile) }
        let columns: [ImportColumn: Int]
        switch ImportColumn.map(header.cells) {
        case .success(let map): columns = map
        case .failure(let missing): return try await fail(id, message: "\(MemberText.importMissingColumns)：\(missing.names.joined(separator: "、"))")
        }
        let validator = MemberValidator(regions: regions, today: CivilDate(date: now))
        // Rows up to `lastRow` were committed before: rebuild which ID numbers they imported.
        var seen: [String: Int] = [:]
        if item.lastRow > 1 {
            let badRows = try await database.withConnection { sql in
                Set(try await sql.select().column("row_number").from("member_import_errors").where("import_id", .equal, id).all()
                    .map { try $0.decode(column: "row_number", as: Int.self) })
            }
            while let row = try reader.nextRow() {
                if !badRows.contains(row.number), let index = columns[.idNumber], index < row.cells.count,
                    case .success(let idNumber) = IDNumber.parse(row.cells[index], regions: regions)
                {
                    seen[records.idIndex(idNumber)] = row.number
                }
                if row.number >= item.lastRow { break }
            }
        }
        var unionCache: [Int64: UnionRef?] = [:]
        var batchNumber = 0
        var totalRows = item.lastRow
        func readBatch() throws -> [SpreadsheetRow] {
            var batch: [SpreadsheetRow] = []
            while batch.count < batchSize, let row = try reader.nextRow() { batch.append(row) }
            return batch
        }
        // While one batch commits (the database's work), the next one is read and validated (ours).
        func validating(_ rows: [SpreadsheetRow]) -> Task<[Result<ValidMember, FieldProblems>], Never> {
            Task { await Self.validateConcurrently(rows, columns: columns, validator: validator) }
        }
        var batch = try readBatch()
        var pending = validating(batch)
        while !batch.isEmpty {
            let validated = await pending.value
            let next = try readBatch()
            pending = validating(next)
            batchNumber += 1
            totalRows = batch.last!.number
            try await commit(batch, validated: validated, importItem: item, seen: &seen, unionCache: &unionCache,
                             columns: columns, batchNumber: batchNumber)
            try await heartbeat()
            batch = next
        }
        let finished = clock.now()
        let rowsRead = totalRows
        try await database.transaction { sql in
            // The counters take this import's members once, with the status change: a resumed import
            // cannot count a row twice, and batches do not upsert thousands of counters each.
            try await MemberStore.countImported(importId: id, on: sql)
            try await sql.update("member_imports").set("status", to: MemberImport.Status.done.rawValue)
                .set("total_rows", to: max(rowsRead - 1, 0)).set("finished_at", to: finished).where("id", .equal, id).run()
            let done = try await sql.select().column("*").from("member_imports").where("id", .equal, id).first(decoding: MemberImport.self)!
            try await AuditLog.record(AuditEntry(actor: .system("import"), action: "member.import", objectType: "member_import",
                                                 objectId: String(id), orgPath: item.orgPath,
                                                 detail: ["good": String(done.goodRows), "bad": String(done.badRows), "by": item.actorName]), on: sql)
        }
        // The upload holds ID numbers in clear: it goes once the import no longer needs it.
        try? FileManager.default.removeItem(atPath: item.filePath)
    }

    func fail(_ id: Int64, message: String) async throws {
        if let item = try await load(id) { try? FileManager.default.removeItem(atPath: item.filePath) }
        try await database.withConnection { sql in
            try await sql.update("member_imports").set("status", to: MemberImport.Status.failed.rawValue).set("message", to: message)
                .set("finished_at", to: clock.now()).where("id", .equal, id).run()
        }
    }

    /// Validates one batch and commits its good rows, its errors and the progress in one transaction.
    func commit(
        _ batch: [SpreadsheetRow], validated: [Result<ValidMember, FieldProblems>], importItem item: MemberImport,
        seen: inout [String: Int], unionCache: inout [Int64: UnionRef?], columns: [ImportColumn: Int], batchNumber: Int
    ) async throws {
        var errors: [(Int, String, String)] = []
        var good: [(row: Int, valid: ValidMember, union: UnionRef)] = []
        // Unions named in this batch, looked up once.
        let wanted = Set(batch.compactMap { row in columns[.unionId].flatMap { $0 < row.cells.count ? Int64(row.cells[$0].trimmed) : nil } })
            .filter { unionCache[$0] == nil }
        if !wanted.isEmpty {
            let found = Dictionary(try await unions.placements(Array(wanted)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for id in wanted { unionCache[id] = found[id] }
        }
        var batchIndexes: [String: Int] = [:]
        for (row, result) in zip(batch, validated) {
            let raw = row.cells.joined(separator: "\t")
            if row.cells.allSatisfy({ $0.trimmed.isEmpty }) && row.problem == nil { continue }
            if let problem = row.problem { errors.append((row.number, problem.message, raw)); continue }
            var problems: FieldProblems
            var valid: ValidMember?
            switch result {
            case .success(let v): valid = v; problems = FieldProblems()
            case .failure(let p): problems = p
            }
            let unionText = columns[.unionId].flatMap { $0 < row.cells.count ? row.cells[$0].trimmed : nil } ?? ""
            var union: UnionRef?
            if unionText.isEmpty {
                problems.add("unionId", MemberText.unionRequired)
            } else if let uid = Int64(unionText), let u = unionCache[uid] ?? nil, item.orgPath.contains(u.path) {
                if u.acceptsMembers { union = u } else { problems.add("unionId", MemberText.unionNotGrassroots) }
            } else {
                problems.add("unionId", MemberText.unknownUnion)
            }
            if let valid {
                let index = records.idIndex(valid.idNumber)
                if let first = seen[index] ?? batchIndexes[index] {
                    problems.add("idNumber", MemberText.duplicateInFile(first))
                } else if problems.isEmpty {
                    batchIndexes[index] = row.number
                }
            }
            if problems.isEmpty, let valid, let union { good.append((row.number, valid, union)) } else { errors.append((row.number, problems.summary, raw)) }
        }
        let now = clock.now()
        let dialect = database.dialect
        let failHere = failInBatch == batchNumber
        let goodRows = good
        let rowErrors = errors
        let committedIndexes = try await database.transaction { [store, records] sql -> [String: Int] in
            var errors = rowErrors
            var good = goodRows
            // Already members in the database (from earlier imports, joining, or this import's resumed run).
            let existing = try await store.existing(idIndexes: good.map { records.idIndex($0.valid.idNumber) }, on: sql)
            if !existing.isEmpty {
                let rawByRow = Dictionary(batch.map { ($0.number, $0.cells.joined(separator: "\t")) }, uniquingKeysWith: { a, _ in a })
                for g in good where existing.contains(records.idIndex(g.valid.idNumber)) {
                    errors.append((g.row, MemberText.alreadyMember, rawByRow[g.row] ?? ""))
                }
                good.removeAll { existing.contains(records.idIndex($0.valid.idNumber)) }
            }
            let ids = try await store.allocateIds(good.count, dialect: dialect, on: sql)
            let members = try await Self.makeConcurrently(Array(zip(good.map { ($0.valid, $0.union) }, ids)), records: records, now: now)
            try await store.insert(members, importJob: item.id, on: sql)
            let names = Dictionary(good.map { ($0.union.id, $0.union.name) }, uniquingKeysWith: { a, _ in a })
            try await store.openMemberships(members, orgNames: names, reason: "批量导入", now: now, on: sql)
            try await Database.bulkInsert(
                into: "member_import_errors", columns: ["import_id", "row_number", "reason", "raw"],
                rows: errors.map { [.int(item.id), .int(Int64($0.0)), .text($0.1), .text(String($0.2.prefix(2000)))] }, on: sql)
            try await sql.raw(
                """
                UPDATE member_imports SET last_row = \(bind: batch.last!.number), good_rows = good_rows + \(bind: members.count),
                bad_rows = bad_rows + \(bind: errors.count) WHERE id = \(bind: item.id)
                """
            ).run()
            if failHere { throw ImportCrash() }
            return Dictionary(zip(members, good).map { ($0.idIndex, $1.row) }, uniquingKeysWith: { a, _ in a })
        }
        seen.merge(committedIndexes) { a, _ in a }
    }

    /// Sealing and hashing are CPU work too.
    static func makeConcurrently(_ rows: [((ValidMember, UnionRef), Int64)], records: MemberRecords, now: Date) async throws -> [Member] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 500))
        let size = (rows.count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: (Int, [Member]).self) { group in
            for p in 0..<parts {
                let slice = Array(rows[min(p * size, rows.count)..<min((p + 1) * size, rows.count)])
                group.addTask { (p, try slice.map { try records.make($0.0.0, id: $0.1, union: $0.0.1, workerId: nil, now: now) }) }
            }
            var results = [[Member]](repeating: [], count: parts)
            for try await (p, r) in group { results[p] = r }
            return results.flatMap { $0 }
        }
    }

    /// Validation and hashing are CPU work: spread a batch over the cores.
    static func validateConcurrently(_ batch: [SpreadsheetRow], columns: [ImportColumn: Int], validator: MemberValidator) async
        -> [Result<ValidMember, FieldProblems>]
    {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, batch.count / 500))
        let size = (batch.count + parts - 1) / parts
        return await withTaskGroup(of: (Int, [Result<ValidMember, FieldProblems>]).self) { group in
            for p in 0..<parts {
                let slice = Array(batch[min(p * size, batch.count)..<min((p + 1) * size, batch.count)])
                group.addTask { (p, slice.map { validator.validate(Self.input($0.cells, columns)) }) }
            }
            var results = [[Result<ValidMember, FieldProblems>]](repeating: [], count: parts)
            for await (p, r) in group { results[p] = r }
            return results.flatMap { $0 }
        }
    }

    static func input(_ cells: [String], _ columns: [ImportColumn: Int]) -> MemberInput {
        func cell(_ c: ImportColumn) -> String? { columns[c].flatMap { $0 < cells.count ? cells[$0] : nil } }
        return MemberInput(
            name: cell(.name) ?? "", gender: cell(.gender), birthDate: cell(.birthDate), ethnicity: cell(.ethnicity),
            idNumber: cell(.idNumber) ?? "", phone: cell(.phone), education: cell(.education), politicalStatus: cell(.politicalStatus),
            job: cell(.job), migrantWorker: cell(.migrantWorker), joinDate: cell(.joinDate))
    }
}

struct ImportCrash: Error {}
