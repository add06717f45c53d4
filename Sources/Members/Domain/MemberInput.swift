import Foundation
import Platform

/// The real-name fields of a member as typed into a form or a spreadsheet row, all text.
public struct MemberInput: Sendable, Codable {
    public var name: String
    public var gender: String?
    public var birthDate: String?
    public var ethnicity: String?
    public var idNumber: String
    public var phone: String?
    public var education: String?
    public var politicalStatus: String?
    public var job: String?
    public var migrantWorker: String?
    public var joinDate: String?

    public init(name: String, gender: String? = nil, birthDate: String? = nil, ethnicity: String? = nil, idNumber: String,
                phone: String? = nil, education: String? = nil, politicalStatus: String? = nil, job: String? = nil,
                migrantWorker: String? = nil, joinDate: String? = nil) {
        self.name = name
        self.gender = gender
        self.birthDate = birthDate
        self.ethnicity = ethnicity
        self.idNumber = idNumber
        self.phone = phone
        self.education = education
        self.politicalStatus = politicalStatus
        self.job = job
        self.migrantWorker = migrantWorker
        self.joinDate = joinDate
    }
}

/// A member record checked and ready to store: codes normalised, sensitive fields sealed.
public struct ValidMember: Sendable {
    public var name: String
    public var gender: Gender
    public var birthDate: CivilDate
    public var ethnicity: String?
    public var idNumber: IDNumber
    public var phone: String?
    public var education: String?
    public var politicalStatus: String?
    public var job: String?
    public var migrantWorker: Bool
    public var joinDate: CivilDate
}

/// Checks member fields the same way for forms, joining and imports. Field errors are keyed by
/// the input's field names; `problems` lists them in column order for import reports.
public struct MemberValidator: Sendable {
    /// The founding of the All-China Federation of Trade Unions: no membership began earlier.
    static let firstJoinDate = CivilDate(unchecked: 1925, 5, 1)
    let regions: any RegionCodeSet
    let today: CivilDate

    public init(regions: any RegionCodeSet, today: CivilDate) {
        self.regions = regions
        self.today = today
    }

    public func validate(_ input: MemberInput) -> Result<ValidMember, FieldProblems> {
        var problems = FieldProblems()
        let name = input.name.trimmed
        if name.isEmpty { problems.add("name", MemberText.nameRequired) }
        if name.count > 50 { problems.add("name", MemberText.nameTooLong) }
        var id: IDNumber?
        if input.idNumber.trimmed.isEmpty {
            problems.add("idNumber", MemberText.idRequired)
        } else {
            switch IDNumber.parse(input.idNumber, regions: regions) {
            case .success(let parsed): id = parsed
            case .failure(let problem): problems.add("idNumber", problem.message)
            }
        }
        var gender = id?.gender
        if let text = Self.blank(input.gender) {
            if let g = Gender(label: text) {
                if let id, id.gender != g { problems.add("gender", IDNumberProblem.genderMismatch.message) }
                gender = g
            } else {
                problems.add("gender", MemberText.badGender)
            }
        }
        var birth = id?.birthDate
        if let text = Self.blank(input.birthDate) {
            if let d = Self.date(text) {
                if let id, id.birthDate != d { problems.add("birthDate", IDNumberProblem.birthDateMismatch.message) }
                birth = d
            } else {
                problems.add("birthDate", MemberText.badDate)
            }
        }
        var ethnicity: String?
        if let text = Self.blank(input.ethnicity) {
            if let e = Ethnicity(name: text) { ethnicity = e.code } else { problems.add("ethnicity", MemberText.unknownEthnicity) }
        }
        var phone: String?
        if let text = Self.blank(input.phone) {
            switch Phone.parse(text) {
            case .success(let p): phone = p.value
            case .failure(let problem): problems.add("phone", problem.message)
            }
        }
        var education: String?
        if let text = Self.blank(input.education) {
            if let e = Education(name: text) { education = e.code } else { problems.add("education", MemberText.unknownEducation) }
        }
        var political: String?
        if let text = Self.blank(input.politicalStatus) {
            if let p = PoliticalStatus(name: text) { political = p.code } else { problems.add("politicalStatus", MemberText.unknownPolitical) }
        }
        let job = Self.blank(input.job)
        if (job?.count ?? 0) > 50 { problems.add("job", MemberText.jobTooLong) }
        var migrant = false
        if let text = Self.blank(input.migrantWorker) {
            switch text {
            case "是", "Y", "y", "yes", "true", "1": migrant = true
            case "否", "N", "n", "no", "false", "0": migrant = false
            default: problems.add("migrantWorker", MemberText.badMigrant)
            }
        }
        var joinDate = today
        if let text = Self.blank(input.joinDate) {
            if let d = Self.date(text) {
                if d > today { problems.add("joinDate", MemberText.joinDateFuture) }
                // Not before the federation existed (1925), nor before the member was born.
                if d < Self.firstJoinDate || (birth.map { d < $0 } ?? false) { problems.add("joinDate", MemberText.joinDateTooEarly) }
                joinDate = d
            } else {
                problems.add("joinDate", MemberText.badDate)
            }
        }
        guard problems.isEmpty, let id, let gender, let birth else { return .failure(problems) }
        return .success(ValidMember(
            name: name, gender: gender, birthDate: birth, ethnicity: ethnicity, idNumber: id, phone: phone, education: education,
            politicalStatus: political, job: job, migrantWorker: migrant, joinDate: joinDate))
    }

    /// A date as typed (`2026-01-31`, `2026/1/31`, `20260131`…) or as an Excel serial number
    /// (`45123`: XLSX cells formatted as dates arrive that way).
    static func date(_ text: String) -> CivilDate? {
        if let d = CivilDate(text: text) { return d }
        guard text.count == 5, let c = ExcelSerialDate.components(from: text), let y = c.year, let m = c.month, let d = c.day else {
            return nil
        }
        return CivilDate(year: y, month: m, day: d)
    }

    static func blank(_ text: String?) -> String? {
        let t = text?.trimmed
        return t?.isEmpty == false ? t : nil
    }
}

/// Problems per field, in the order found.
public struct FieldProblems: Sendable, Error {
    public private(set) var items: [(field: String, message: String)] = []
    public init() {}
    public mutating func add(_ field: String, _ message: String) {
        if !items.contains(where: { $0.field == field }) { items.append((field, message)) }
    }
    public var isEmpty: Bool { items.isEmpty }
    public var dictionary: [String: String] { Dictionary(items.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a }) }
    public var summary: String { items.map(\.message).joined(separator: "；") }
    public var appError: AppError { AppError.validation(dictionary) }
}

/// A partial edit of a member: only the fields sent change; null clears a field that may be
/// empty. The ID number (and with it gender and birth date) cannot change here.
public struct MemberPatch: Sendable {
    public var name: Patch<String> = .absent
    public var ethnicity: Patch<String> = .absent
    public var phone: Patch<String> = .absent
    public var education: Patch<String> = .absent
    public var politicalStatus: Patch<String> = .absent
    public var job: Patch<String> = .absent
    public var migrantWorker: Patch<String> = .absent
    public var joinDate: Patch<String> = .absent

    public init() {}

    /// Every field of a full form: what the console's edit page sends.
    public init(full input: MemberInput) {
        func field(_ v: String?) -> Patch<String> { v.map(Patch.value) ?? .null }
        name = .value(input.name)
        ethnicity = field(input.ethnicity)
        phone = field(input.phone)
        education = field(input.education)
        politicalStatus = field(input.politicalStatus)
        job = field(input.job)
        migrantWorker = field(input.migrantWorker)
        joinDate = input.joinDate.map(Patch.value) ?? .absent
    }

    /// The member as the edit form would show it, with the patch's fields over it.
    func applied(to current: Member, phone currentPhone: String?) -> MemberInput {
        MemberInput(
            name: name.applied(to: current.name) ?? "", ethnicity: ethnicity.applied(to: current.ethnicity.flatMap { Ethnicity(code: $0)?.name }),
            idNumber: "", phone: phone.applied(to: currentPhone),
            education: education.applied(to: current.education.flatMap { Education(code: $0)?.name }),
            politicalStatus: politicalStatus.applied(to: current.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name }),
            job: job.applied(to: current.job), migrantWorker: migrantWorker.applied(to: current.migrantWorker ? "是" : "否"),
            joinDate: joinDate.applied(to: current.joinDate))
    }
}
