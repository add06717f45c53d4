import Foundation
import Platform

/// Exports a subtree's members to a spreadsheet, page by page into a temporary file (memory stays
/// flat however many members), masked unless the role may reveal and a reason is given. Audited.
public struct ExportService: Sendable {
    public enum Format: String, Sendable { case csv, xlsx }

    let database: Database
    let records: MemberRecords
    let unions: any UnionDirectory
    let members: MemberService
    let audit: AuditLog

    public init(database: Database, records: MemberRecords, unions: any UnionDirectory, members: MemberService) {
        self.database = database
        self.records = records
        self.unions = unions
        self.members = members
        self.audit = AuditLog(database: database)
    }

    static let headers = [
        "会员编号", "姓名", "性别", "出生日期", "民族", "身份证号", "手机号", "学历", "政治面貌", "工会组织编号", "所在工会", "工作岗位",
        "是否农民工", "入会日期", "会籍状态",
    ]

    func row(_ m: Member, full: Bool, unionName: String) throws -> [String] {
        let idNumber = full ? try records.open(m.idCipher, MemberFields.idNumber) : m.idMask
        let phone: String = full ? (try m.phoneCipher.map { try records.open($0, MemberFields.phone) } ?? "") : (m.phoneMask ?? "")
        let gender = Gender(rawValue: m.gender)?.label ?? m.gender
        let ethnicity = m.ethnicity.flatMap { Ethnicity(code: $0)?.name } ?? ""
        let education = m.education.flatMap { Education(code: $0)?.name } ?? ""
        let political = m.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name } ?? ""
        return [
            m.memberNo, m.name, gender, m.birthDate, ethnicity, idNumber, phone, education, political, String(m.orgId), unionName,
            m.job ?? "", m.migrantWorker ? "是" : "否", m.joinDate, m.membershipStatus.label,
        ]
    }

    /// Writes the export and returns the file (the caller streams it and deletes it).
    public func export(_ query: MemberQuery, format: Format, reveal: Bool, reason: String?, actor: Actor, directory: URL) async throws
        -> (url: URL, rows: Int)
    {
        let scope = try actor.requireScope(.memberExport)
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if reveal {
            guard !actor.scope(.memberReveal).isEmpty else { throw AppError.forbidden }
            guard reason.count >= 2 else { throw AppError.validation(["reason": MemberText.revealReasonRequired]) }
        }
        let revealScope = actor.scope(.memberReveal)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("export-\(randomToken(bytes: 8)).\(format.rawValue)")
        let writer: any SpreadsheetWriter = format == .csv ? try CSVWriter(url: url) : try XLSXWriter(url: url, sheetName: "会员")
        try writer.append(row: Self.headers)
        var page = PageRequest(limit: 2000)
        var count = 0
        var names: [Int64: String] = [:]
        do {
            while true {
                // Only members the actor may export: the export scope is the stricter of read and export.
                let result = try await members.search(query, actor: actor, page: page)
                let items = result.items.filter { scope.covers($0.orgPath) }
                let missing = Set(items.map(\.orgId)).subtracting(names.keys)
                if !missing.isEmpty { names.merge(try await unions.names(Array(missing))) { a, _ in a } }
                for m in items {
                    try writer.append(row: try row(m, full: reveal && revealScope.covers(m.orgPath), unionName: names[m.orgId] ?? ""))
                    count += 1
                }
                guard let next = result.nextCursor else { break }
                page = PageRequest(cursor: next, limit: 2000)
            }
            try writer.close()
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        try await audit.record(AuditEntry(actor: actor, action: reveal ? "member.export_revealed" : "member.export", objectType: "member",
                                          objectId: query.orgId.map(String.init) ?? "*", orgPath: scope.roots.first,
                                          detail: ["rows": String(count), "format": format.rawValue, "reason": reason, "query": Phone.maskNumbers(in: query.text)]))
        return (url, count)
    }
}
