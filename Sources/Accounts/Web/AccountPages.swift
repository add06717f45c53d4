import Foundation
import Platform
import WebUI

// The page models of the Accounts console: one struct per page, each field a name its template
// uses (a field the page needs and does not set is a compile error; `nil` renders as absent).

struct HomePage {
    struct Assignment {
        var orgName: String
        var roleName: String
        var orgHref: String
    }
    struct TodoLine {
        var label: String
        var count: String
        var href: String
        var urgent: Bool
        var none: Bool
    }
    var name: String
    var assignments: [Assignment]
    var todos: [TodoLine]
    var hasTodos: Bool
    var allDone: Bool
    var canOrgs: Bool
    var canAccounts: Bool
    var canAudit: Bool
    /// The modules' shortcuts first (the hotline operator's 12351 热线), then the console's own.
    var shortcuts: [Shortcut]

    init(_ p: Principal, todos: [Todo], shortcuts: [Shortcut]) {
        self.shortcuts = shortcuts
        name = p.displayName
        assignments = p.assignments.map { Assignment(orgName: $0.orgName, roleName: $0.roleName, orgHref: "/admin/orgs/\($0.orgId)") }
        self.todos = todos.map {
            TodoLine(label: $0.label, count: DisplayNumber.grouped($0.count), href: $0.href, urgent: $0.urgent && $0.count > 0, none: $0.count == 0)
        }
        hasTodos = !todos.isEmpty
        allDone = !todos.isEmpty && todos.allSatisfy { $0.count == 0 }
        canOrgs = p.can(.orgRead)
        canAccounts = p.can(.accountRead)
        canAudit = p.can(.auditRead)
    }
}

struct AccountListPage {
    var q: String
    var items: [AccountRow]
    var empty: Bool
    var next: String?
    var canCreate: Bool
}

struct OrgChoice {
    var id: String
    var name: String
    var selected: Bool
}

struct NewAccountPage {
    var form: FormState
    var orgq: String
    var orgs: [OrgChoice]
}

struct AccountPage {
    struct Assignment {
        var id: Int64
        var roleName: String
        var orgName: String
        /// nil when the org is outside the viewer's scope (no link then).
        var orgHref: String?
        var grantedBy: String
        var grantedAt: String
        var canRevoke: Bool
    }
    struct RoleChoice {
        var code: String
        var name: String
        var selected: Bool
    }
    var account: AccountRow
    var assignments: [Assignment]
    var hasAssignments: Bool
    var canGrant: Bool
    var grantOrgs: [OrgChoice]
    var roles: [RoleChoice]
    var canWrite: Bool
    var isSelf: Bool
    /// The account holds a role above the viewer, who therefore may not change it.
    var heldAbove: Bool
    var form: FormState
    var orgq: String
}

struct RolesPage {
    struct RoleLine {
        var code: String
        var name: String
        var builtin: Bool
        var requiresTOTP: Bool
        var permissions: String
    }
    struct CatalogueEntry {
        var value: String
        var label: String
    }
    var roles: [RoleLine]
    var canManage: Bool
    var catalogue: [CatalogueEntry]
    var form: FormState
}

struct AuditPage {
    struct Filter {
        var action: String
        var actor: String
        var objectId: String
        var result: String
    }
    struct ResultChoice {
        var value: String
        var label: String
        var selected: Bool
    }
    var items: [AuditRow]
    var empty: Bool
    var filter: Filter
    var results: [ResultChoice]
    var next: String?
}

struct MePage {
    struct Assignment {
        var orgName: String
        var roleName: String
    }
    var username: String
    var displayName: String
    var assignments: [Assignment]
    var form: FormState
}

struct LoginPage {
    var form: FormState
    var next: String
}

struct CodePage {
    var form: FormState
}

struct EnrolStartPage {
    var replacing: Bool
    var form: FormState
}

struct EnrolPage {
    var secret: String
    var url: String
    var qr: String
    var replacing: Bool
    var form: FormState
}

struct RecoveryPage {
    var codes: [String]
}

struct AccountRow {
    var id: Int64
    var username: String
    var displayName: String
    var statusLabel: String
    var statusClass: String
    var active: Bool
    var locked: Bool
    var totpEnabled: Bool
    var lastLogin: String
    var href: String

    init(_ a: Account, now: Date) {
        id = a.id
        username = a.username
        displayName = a.displayName
        statusLabel = a.status.label
        statusClass = a.status == .active ? "badge-active" : "badge-closed"
        active = a.status == .active
        locked = (a.lockedUntil ?? .distantPast) > now
        totpEnabled = a.totpEnabled
        lastLogin = a.lastLoginAt.map(DisplayDate.minutes) ?? "—"
        href = "/admin/accounts/\(a.id)"
    }
}

struct AuditRow {
    var id: Int64
    var at: String
    var actor: String
    var action: String
    var object: String
    var result: String
    var resultClass: String
    var ip: String
    var detail: String
    var sealed: Bool

    init(_ e: AuditEntry) {
        id = e.id ?? 0
        at = DisplayDate.seconds(e.at)
        actor = e.actorName
        action = e.action
        object = "\(e.objectType) #\(e.objectId)"
        result = AccountWebText.resultLabels[e.result.rawValue] ?? e.result.rawValue
        resultClass = e.result == .ok ? "badge-active" : "badge-merged"
        ip = e.ip
        detail = e.detailFields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "，")
        sealed = e.seq != nil
    }
}

// The forms the console's pages post.

struct NewAccountForm: Decodable {
    var username: String?
    var displayName: String?
    var password: String?
    var homeOrgId: String?
}

struct GrantForm: Decodable {
    var roleCode: String?
    var orgId: String?
}

struct StatusForm: Decodable {
    var status: String?
}

struct PasswordForm: Decodable {
    var password: String?
}

struct ChangePasswordForm: Decodable {
    var current: String?
    var new: String?
    var confirm: String?
}

struct RoleForm: Decodable {
    var code: String?
    var name: String?
    var permissions: [String]?
}

struct LoginForm: Decodable {
    var username: String?
    var password: String?
    var next: String?
}

struct CodeForm: Decodable {
    var code: String?
}
