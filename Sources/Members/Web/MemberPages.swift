import Foundation
import Platform
import WebUI

// The page models of the member database's console and the member site: one struct per page,
// fields named as their templates use them (`nil` renders as absent; an empty string would not).

struct UnionChoice {
    var id: String
    var name: String
    var parent: String?
    var selected: Bool

    init(_ u: UnionRef, selected: String? = nil) {
        id = String(u.id)
        name = u.name
        parent = u.parentName
        self.selected = id == selected
    }
}

/// The dropdowns of a member form: ethnicity, education, political status.
struct MemberChoices {
    var ethnicities: [Option]
    var educations: [Option]
    var politicals: [Option]

    init(_ form: FormState, ethnicity: String? = nil, political: String? = nil) {
        ethnicities = Ethnicity.all.map { Option(value: $0.name, label: $0.name, selected: $0.name == (form.values["ethnicity"] ?? ethnicity)) }
        educations = Education.all.map { Option(value: $0.name, label: $0.name, selected: $0.name == form.values["education"]) }
        politicals = PoliticalStatus.all.map {
            Option(value: $0.name, label: $0.name, selected: $0.name == (form.values["politicalStatus"] ?? political))
        }
    }
}

// MARK: Console

struct MemberListPage {
    var q: String
    var unionId: String
    var migrant: String
    var statuses: [Option]
    var items: [MemberRow]
    var empty: Bool
    var next: String?
    var exportQuery: String
    var canCreate: Bool
    var canExport: Bool
    var canReveal: Bool
}

struct NewMemberPage {
    var form: FormState
    var unionq: String
    var unions: [UnionChoice]
    var ethnicities: [Option]
    var educations: [Option]
    var politicals: [Option]
    var migrant: Bool
}

struct EditMemberPage {
    var member: MemberRow
    var form: FormState
    var ethnicities: [Option]
    var educations: [Option]
    var politicals: [Option]
    var migrant: Bool
}

struct MemberDetailPage {
    struct HistoryLine {
        var union: String
        var from: String
        var to: String
        var reason: String
        var endReason: String?
    }
    struct TransferLine {
        var from: String
        var to: String
        var status: String
        var by: String
        var at: String
        var reason: String?
    }
    struct Revealed {
        var label: String
        var value: String
    }
    var member: MemberRow
    var history: [HistoryLine]
    var transfers: [TransferLine]
    var canWrite: Bool
    var canReveal: Bool
    var revealFields: [Option]
    var statusOptions: [Option]
    var hasStatusOptions: Bool
    var canTransfer: Bool
    var unionq: String
    var candidates: [UnionChoice]
    var hasCandidates: Bool
    var hasTransfers: Bool
    var revealed: Revealed?
    var form: FormState
}

struct ApplicationsPage {
    struct Tab {
        var href: String
        var label: String
        var active: Bool
    }
    struct Item {
        var id: Int64
        var name: String
        var gender: String
        var birthDate: String
        var idMask: String
        var phoneMask: String
        var workplace: String
        var hasUnion: Bool
        var union: String
        var migrant: Bool
        var at: String
        var pending: Bool
        var statusLabel: String
        var reason: String?
        var decidedBy: String?
    }
    var status: String
    var tabs: [Tab]
    var items: [Item]
    var empty: Bool
    var next: String?
}

struct TransfersPage {
    struct Item {
        var id: Int64
        var member: String
        /// nil once the member's record is beyond the cadre's sight (transferred out).
        var memberHref: String?
        var from: String
        var to: String
        var by: String
        var at: String
        /// Who released / accepted it; nil while that side has not.
        var released: String?
        var accepted: String?
        var note: String?
        var reason: String?
        var canRelease: Bool
        var canAccept: Bool
    }
    var tabs: [ApplicationsPage.Tab]
    var pending: Bool
    var items: [Item]
    var empty: Bool
    var next: String?
    /// 接收转入: the form, the union search and the unions found in the cadre's scope.
    var form: FormState
    var unionq: String
    var unions: [UnionChoice]
}

struct ImportsPage {
    struct Union {
        var id: Int64
        var name: String
    }
    struct Item {
        var id: Int64
        var fileName: String
        var status: String
        var good: String
        var bad: String
        var at: String
        var by: String
    }
    var form: FormState
    var unions: [Union]
    var items: [Item]
    var empty: Bool
}

struct ImportPage {
    struct Summary {
        var id: Int64
        var fileName: String
        var status: String
        var running: Bool
        var processed: String
        var good: String
        var bad: String
        var message: String?
        var by: String
        var at: String
        var failed: Bool
        /// Absent until finished.
        var finished: String?
    }
    struct ErrorLine {
        var row: Int
        var reason: String
    }
    var `import`: Summary
    var canReveal: Bool
    var errors: [ErrorLine]
    var hasErrors: Bool
    var moreErrors: Bool
}

struct DashboardPage {
    struct Figures {
        /// The tiles at the top, read at a glance: `1,501.1万`.
        struct Glance {
            var active: String
            var working: String
            var retired: String
            var migrant: String
        }
        var glance: Glance
        var active: String
        var working: String
        var retired: String
        var joined: String
        var migrant: String
        var cards: String
        var coverage: String
        var pending: String

        init(_ r: MemberRollup) {
            active = DisplayNumber.grouped(r.active)
            working = DisplayNumber.grouped(r.working)
            retired = DisplayNumber.grouped(r.retired)
            glance = .init(active: DisplayNumber.compact(r.active), working: DisplayNumber.compact(r.working),
                           retired: DisplayNumber.compact(r.retired), migrant: DisplayNumber.compact(r.migrant))
            joined = DisplayNumber.grouped(r.joined)
            migrant = DisplayNumber.grouped(r.migrant)
            cards = DisplayNumber.grouped(r.cards)
            coverage = DisplayNumber.percent(r.cards, of: r.active)
            pending = DisplayNumber.grouped(r.pending)
        }
    }
    struct Column {
        var label: String
        var href: String
        var current: Bool
        var arrow: String
        var num: Bool
    }
    struct Row {
        var name: String
        var href: String
        var active: String
        var working: String
        var retired: String
        var joined: String
        var migrant: String
        var cards: String
        var coverage: String
        var pending: String
        var bar: Int
    }
    var rootName: String
    var root: Figures
    var computedAt: String?
    /// How the rows are ordered, in words ("按持卡率从低到高排列").
    var sortNote: String
    /// nil when none: the note is not shown.
    var foundingFlagged: Int?
    var columns: [Column]
    var rows: [Row]
    var empty: Bool
    /// Inline SVG (`Chart`): working and retired-kept members; card coverage and members by child
    /// union, the first 15 in the table's order.
    var joinsChart: String
    var compositionChart: String
    var coverageChart: String?
    var membersChart: String?
}

struct FoundingPage {
    struct Item {
        var name: String
        var href: String
        var members: String
    }
    var rule: String
    var items: [Item]
    var empty: Bool
}

// MARK: Member site

struct SiteMePage {
    struct Application {
        var union: String
        var status: String
        var pending: Bool
        var rejected: Bool
        var reason: String?
        var at: String
    }
    struct HistoryLine {
        var union: String
        var from: String
        var to: String
        var reason: String
    }
    struct Transfer {
        var to: String
        var status: String
        var reason: String?
    }
    struct Union {
        var name: String
        var address: String?
        var phone: String?
        var parent: String?
    }
    var phoneMask: String
    var applications: [Application]
    var history: [HistoryLine]
    var transfers: [Transfer]
    var canApply: Bool
    var member: MemberRow?
    var isMember: Bool
    var union: Union?
    /// 认领会籍: the form, and the union confirming a claim already sent.
    var claimForm: FormState
    var claimPendingAt: String?
}

struct SiteLoginPage {
    var form: FormState
    var next: String?
    var codeSent: Bool
}

struct SitePasswordResetPage {
    var form: FormState
    var codeSent: Bool
}

struct SitePasswordPage {
    var form: FormState
}

struct PasswordForm: Decodable {
    var current: String?
    var new: String?
}

struct SiteRegisterPage {
    var form: FormState
    var codeSent: Bool
}

struct SiteJoinPage {
    var form: FormState
    var unionq: String
    var unions: [UnionChoice]
    var searched: Bool
    var ethnicities: [Option]
    var educations: [Option]
    var politicals: [Option]
    var hasUnion: Bool
    var migrant: Bool
}

struct SiteProfilePage {
    var member: MemberRow
    var form: FormState
    var educations: [Option]
    var politicals: [Option]
}

struct SiteTransferPage {
    var form: FormState
    var unionq: String
    var searched: Bool
    var unions: [UnionChoice]
}

struct SiteCardPage {
    /// nil before the worker is a member: the page says why instead.
    var member: MemberRow?
    /// The application or claim the card waits for, in words.
    var waiting: String?
}

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
    /// `2026年12月1日`, as the member site writes a day.
    var joinDateText: String
    var statusLabel: String
    var statusClass: String
    var active: Bool
    var unionId: Int64
    var unionName: String
    var cardNo: String?

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
        joinDateText = DisplayDate.long(m.joinDate)
        statusLabel = m.membershipStatus.label
        statusClass = m.isCounted ? "badge-active" : "badge-closed"
        active = m.membershipStatus == .active
        unionId = m.orgId
        self.unionName = unionName
        cardNo = m.cardNo
    }
}

// MARK: Forms

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

extension MemberInput {
    /// The form's values for showing it again.
    var values: [String: String] {
        ["name": name, "gender": gender ?? "", "birthDate": birthDate ?? "", "ethnicity": ethnicity ?? "", "idNumber": idNumber,
         "phone": phone ?? "", "education": education ?? "", "politicalStatus": politicalStatus ?? "", "job": job ?? "",
         "migrantWorker": migrantWorker ?? "", "joinDate": joinDate ?? ""]
    }
}

struct RevealForm: Decodable {
    var field: String?
    var reason: String?
}

struct StatusForm: Decodable {
    var status: String?
    var note: String?
    var confirm: String?
}

struct TransferForm: Decodable {
    var unionId: String?
    var note: String?
    /// The member site's search the choice came from, to show the same choices again after an error.
    var unionq: String?
}

struct ClaimForm: Decodable {
    var name, idNumber: String?
}

struct IncomingTransferForm: Decodable {
    var idNumber, name, unionId, note, unionq, action: String?
}

struct WorkerForm: Decodable {
    var phone: String?
    var password: String?
    var code: String?
    var action: String?
    var next: String?
}
