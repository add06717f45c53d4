import Foundation
import Platform

/// One batch of an import, ready to write: its good rows as sealed members, its bad rows with
/// their reasons.
struct PreparedBatch: Sendable {
    struct RowError: Sendable {
        var row: Int
        var reason: String
        var raw: String
    }

    var lastRow: Int
    /// Numbered on PostgreSQL (ids reserved from the sequence); id 0 on SQLite until the commit.
    var members: [Member] = []
    /// The spreadsheet row of each member.
    var sources: [SpreadsheetRow] = []
    var errors: [RowError] = []
    var unionNames: [Int64: String] = [:]

    static func raw(_ row: SpreadsheetRow) -> String { String(row.cells.joined(separator: "\t").prefix(2000)) }

    /// Moves the members whose blind index is in `taken` to the errors, as already members.
    mutating func reject(alreadyMembers taken: Set<String>) {
        guard !taken.isEmpty else { return }
        var keptMembers: [Member] = []
        var keptSources: [SpreadsheetRow] = []
        for (member, source) in zip(members, sources) {
            if taken.contains(member.idIndex) {
                errors.append(RowError(row: source.number, reason: MemberText.alreadyMember, raw: Self.raw(source)))
            } else {
                keptMembers.append(member)
                keptSources.append(source)
            }
        }
        (members, sources) = (keptMembers, keptSources)
    }
}

/// Makes an import's batches ready to write, one batch ahead of the commit: validation, the unions,
/// duplicates within the file, sealing and (on PostgreSQL) ids all happen here, so a batch's
/// transaction only writes. Batches go through one at a time, in file order.
actor ImportPreparer {
    private let item: MemberImport
    private let columns: [ImportColumn: Int]
    private let validator: MemberValidator
    private let records: MemberRecords
    private let unions: any UnionDirectory
    private let database: Database
    private let store = MemberStore()
    private let clock: AppClock
    /// Blind index → the row that brought it in: every good row so far, and on a resume the rows
    /// committed before.
    private var seen: [IndexKey: Int]
    private var unionCache: [Int64: UnionRef?] = [:]
    /// The grassroots union the file was uploaded for: rows without 工会组织编号 belong to it.
    private let defaultUnion: UnionRef?
    /// Whether to ask the database ahead which ID numbers are taken. Not at first: most imports
    /// bring new people, and for them the unique index at the commit is the cheaper check (at 14 M
    /// members the look-up cost PostgreSQL almost half as much as the `COPY`). Once a commit meets a
    /// taken number, the file evidently holds members already, and each later batch is checked.
    private var checkAhead = false

    init(
        item: MemberImport, columns: [ImportColumn: Int], validator: MemberValidator, records: MemberRecords,
        unions: any UnionDirectory, database: Database, clock: AppClock, seen: [IndexKey: Int], defaultUnion: UnionRef? = nil
    ) {
        self.item = item
        self.defaultUnion = defaultUnion
        if let defaultUnion { unionCache[defaultUnion.id] = defaultUnion }
        self.columns = columns
        self.validator = validator
        self.records = records
        self.unions = unions
        self.database = database
        self.clock = clock
        self.seen = seen
    }

    func checkAheadFromNowOn() { checkAhead = true }

    func prepare(_ batch: [SpreadsheetRow]) async throws -> PreparedBatch {
        guard let last = batch.last else { return PreparedBatch(lastRow: 0) }
        try await loadUnions(of: batch)
        let outcomes = try await checkConcurrently(batch, unions: unionCache, now: clock.now())
        var prepared = PreparedBatch(lastRow: last.number)
        for (row, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .blank: continue
            case .bad(let reason):
                prepared.errors.append(.init(row: row.number, reason: reason, raw: PreparedBatch.raw(row)))
            case .good(let member):
                let key = IndexKey(member.idIndex)
                if let first = seen[key] {
                    prepared.errors.append(.init(row: row.number, reason: MemberText.duplicateInFile(first), raw: PreparedBatch.raw(row)))
                } else {
                    seen[key] = row.number
                    prepared.members.append(member)
                    prepared.sources.append(row)
                    prepared.unionNames[member.orgId] = unionCache[member.orgId]??.name
                }
            }
        }
        let dialect = database.dialect
        if checkAhead {
            let taken = try await database.withConnection { [store, prepared] sql in
                try await store.existing(idIndexes: prepared.members.map(\.idIndex), dialect: dialect, on: sql)
            }
            prepared.reject(alreadyMembers: taken)
            for index in taken { seen[IndexKey(index)] = nil }
        }
        if dialect == .postgres {
            let ids = try await database.withConnection { [store, prepared] sql in
                try await store.allocateIds(prepared.members.count, dialect: .postgres, on: sql)
            }
            prepared.members = zip(prepared.members, ids).map { records.numbered($0, id: $1) }
        }
        return prepared
    }

    private func loadUnions(of batch: [SpreadsheetRow]) async throws {
        let wanted = Set(batch.compactMap { ImportColumn.cell(.unionId, of: $0.cells, in: columns).flatMap { Int64($0.trimmed) } })
            .filter { unionCache[$0] == nil }
        guard !wanted.isEmpty else { return }
        let found = Dictionary(try await unions.placements(Array(wanted)).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for id in wanted { unionCache[id] = found[id] }
    }

    enum Outcome: Sendable {
        case blank
        case bad(String)
        /// Sealed, not yet numbered.
        case good(Member)
    }

    /// Validation and sealing are CPU work: spread a batch over the cores.
    private func checkConcurrently(_ batch: [SpreadsheetRow], unions: [Int64: UnionRef?], now: Date) async throws -> [Outcome] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, batch.count / 500))
        let size = (batch.count + parts - 1) / parts
        let check = RowCheck(
            columns: columns, validator: validator, records: records, unions: unions, scope: item.orgPath, defaultUnion: defaultUnion, now: now)
        return try await withThrowingTaskGroup(of: (Int, [Outcome]).self) { group in
            for p in 0..<parts {
                let slice = batch[min(p * size, batch.count)..<min((p + 1) * size, batch.count)]
                group.addTask { (p, try slice.map(check.outcome)) }
            }
            var results = [[Outcome]](repeating: [], count: parts)
            for try await (p, r) in group { results[p] = r }
            return results.flatMap { $0 }
        }
    }
}

/// What one row is: blank, bad (with every reason), or a sealed member.
private struct RowCheck: Sendable {
    let columns: [ImportColumn: Int]
    let validator: MemberValidator
    let records: MemberRecords
    let unions: [Int64: UnionRef?]
    let scope: OrgPath
    let defaultUnion: UnionRef?
    let now: Date

    func outcome(_ row: SpreadsheetRow) throws -> ImportPreparer.Outcome {
        if let problem = row.problem { return .bad(problem.message) }
        if row.cells.allSatisfy({ $0.trimmed.isEmpty }) { return .blank }
        func cell(_ column: ImportColumn) -> String? { ImportColumn.cell(column, of: row.cells, in: columns) }
        let input = MemberInput(
            name: cell(.name) ?? "", gender: cell(.gender), birthDate: cell(.birthDate), ethnicity: cell(.ethnicity),
            idNumber: cell(.idNumber) ?? "", phone: cell(.phone), education: cell(.education), politicalStatus: cell(.politicalStatus),
            job: cell(.job), migrantWorker: cell(.migrantWorker), joinDate: cell(.joinDate))
        var problems = FieldProblems()
        var valid: ValidMember?
        switch validator.validate(input) {
        case .success(let v): valid = v
        case .failure(let p): problems = p
        }
        let unionText = cell(.unionId)?.trimmed ?? ""
        var union: UnionRef?
        if unionText.isEmpty {
            if let defaultUnion { union = defaultUnion } else { problems.add("unionId", MemberText.unionRequired) }
        } else if let id = Int64(unionText), let u = unions[id] ?? nil, scope.contains(u.path) {
            // An import places members in grassroots unions only, as its template says (joining
            // online may also go to a township union; a cadre's file may not).
            if u.isGrassroots && u.active { union = u } else { problems.add("unionId", MemberText.importNotGrassroots) }
        } else {
            problems.add("unionId", MemberText.unknownUnion)
        }
        guard problems.isEmpty, let valid, let union else { return .bad(problems.summary) }
        return .good(try records.make(valid, id: 0, union: union, workerId: nil, now: now))
    }
}

/// A blind index (32 hex digits) as two integers. The import remembers one for every good row: on a
/// 1 M-row import, as strings they grew its memory by about 150 MB, as these by about 60.
struct IndexKey: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(_ hex: String) {
        let utf8 = hex.utf8
        let middle = utf8.index(utf8.startIndex, offsetBy: 16, limitedBy: utf8.endIndex) ?? utf8.endIndex
        high = UInt64(Substring(utf8[utf8.startIndex..<middle]), radix: 16) ?? 0
        low = UInt64(Substring(utf8[middle...]), radix: 16) ?? 0
    }
}
