import Foundation
import Platform
import WebUI

/// A member as lists and detail pages show it: masked numbers, labels instead of codes.
struct MemberRow {
    var id: Int64
    var href: String
    var memberNo: String
    var name: String
    var genderLabel: String
    var birthDate: String
    var ethnicity: String
    var idMask: String
    var phoneMask: String
    var education: String
    var political: String
    var job: String
    var migrant: Bool
    var joinDate: String
    var statusLabel: String
    var statusClass: String
    var active: Bool
    var unionId: Int64
    var unionName: String
    var cardNo: String

    init(_ m: Member, unionName: String = "") {
        id = m.id
        href = "/admin/members/\(m.id)"
        memberNo = m.memberNo
        name = m.name
        genderLabel = Gender(rawValue: m.gender)?.label ?? m.gender
        birthDate = m.birthDate
        ethnicity = m.ethnicity.flatMap { Ethnicity(code: $0)?.name } ?? ""
        idMask = m.idMask
        phoneMask = m.phoneMask ?? ""
        education = m.education.flatMap { Education(code: $0)?.name } ?? ""
        political = m.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name } ?? ""
        job = m.job ?? ""
        migrant = m.migrantWorker
        joinDate = m.joinDate
        statusLabel = m.membershipStatus.label
        statusClass = m.isCounted ? "badge-active" : "badge-closed"
        active = m.membershipStatus == .active
        unionId = m.orgId
        self.unionName = unionName
        cardNo = m.cardNo ?? ""
    }
}

enum MemberOptions {
    static func ethnicities(_ selected: String?) -> [[String: Any]] {
        Ethnicity.all.map { ["value": $0.name, "label": $0.name, "selected": $0.name == selected] }
    }

    static func educations(_ selected: String?) -> [[String: Any]] {
        Education.all.map { ["value": $0.name, "label": $0.name, "selected": $0.name == selected] }
    }

    static func politicals(_ selected: String?) -> [[String: Any]] {
        PoliticalStatus.all.map { ["value": $0.name, "label": $0.name, "selected": $0.name == selected] }
    }

    static func statuses(_ selected: String?) -> [[String: Any]] {
        MembershipStatus.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == selected] }
    }
}

extension MemberInput {
    /// The form's values for showing it again.
    var values: [String: String] {
        ["name": name, "gender": gender ?? "", "birthDate": birthDate ?? "", "ethnicity": ethnicity ?? "", "idNumber": idNumber,
         "phone": phone ?? "", "education": education ?? "", "politicalStatus": politicalStatus ?? "", "job": job ?? "",
         "migrantWorker": migrantWorker ?? "", "joinDate": joinDate ?? ""]
    }
}

/// A member form as posted by a browser.
struct MemberForm: Decodable {
    var name: String?
    var gender: String?
    var birthDate: String?
    var ethnicity: String?
    var idNumber: String?
    var phone: String?
    var education: String?
    var politicalStatus: String?
    var job: String?
    var migrantWorker: String?
    var joinDate: String?
    var unionId: String?
    var workplace: String?
    var workplaceHasUnion: String?

    var input: MemberInput {
        MemberInput(name: name ?? "", gender: gender, birthDate: birthDate, ethnicity: ethnicity, idNumber: idNumber ?? "", phone: phone,
                    education: education, politicalStatus: politicalStatus, job: job, migrantWorker: migrantWorker, joinDate: joinDate)
    }
}
