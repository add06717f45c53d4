import Foundation
import Platform
import SQLKit

/// A staff account (工会干部).
public struct Account: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case active, disabled

        public var label: String { self == .active ? "正常" : "已停用" }
    }

    public var id: Int64
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var status: Status
    public var homeOrgId: Int64
    public var homeOrgPath: OrgPath
    public var failedLogins: Int
    public var lockedUntil: Date?
    public var totpSecret: String?
    public var totpEnabled: Bool
    /// A secret being enrolled (sealed), not yet confirmed with a code.
    public var totpPending: String?
    /// The last TOTP time step accepted: codes of that step and earlier are refused.
    public var totpStep: Int64?
    public var lastLoginAt: Date?
    public var passwordChangedAt: Date
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, username, displayName = "display_name", passwordHash = "password_hash", status
        case homeOrgId = "home_org_id", homeOrgPath = "home_org_path", failedLogins = "failed_logins"
        case lockedUntil = "locked_until", totpSecret = "totp_secret", totpEnabled = "totp_enabled"
        case totpPending = "totp_pending", totpStep = "totp_step"
        case lastLoginAt = "last_login_at", passwordChangedAt = "password_changed_at", createdAt = "created_at"
    }
}

/// A named set of permissions. Built-in roles are seeded; admins may define more.
public struct Role: Codable, Sendable {
    public var code: String
    public var name: String
    public var permissions: Set<Permission>
    public var builtin: Bool
    public var requiresTOTP: Bool

    public static let systemAdmin = BuiltInRole.systemAdmin
    public static let orgAdmin = BuiltInRole.orgAdmin
    public static let memberClerk = BuiltInRole.memberClerk
    public static let workOrderHandler = BuiltInRole.workOrderHandler
    public static let hotlineOperator = BuiltInRole.hotlineOperator
    public static let auditor = BuiltInRole.auditor
    public static let viewer = BuiltInRole.viewer
}

/// A role held in an org, as shown in the console.
public struct AssignmentView: Sendable {
    public var id: Int64
    public var roleCode: String
    public var roleName: String
    public var orgId: Int64
    public var orgName: String
    public var orgPath: OrgPath
    public var grantedAt: Date
    public var grantedBy: String
}

/// Where an org is and what it is called: what Accounts needs to know of the tree.
public struct OrgRef: Sendable {
    public var id: Int64
    public var path: OrgPath
    public var name: String
    public var active: Bool

    public init(id: Int64, path: OrgPath, name: String, active: Bool) {
        self.id = id
        self.path = path
        self.name = name
        self.active = active
    }
}

/// The tree as Accounts sees it; App wires the Organizations implementation in.
public protocol OrgDirectory: Sendable {
    func orgs(_ ids: [Int64]) async throws -> [OrgRef]
    /// The orgs as a relation to join in SQL, with columns `id`, `name` and `active`: the session
    /// resolve reads the names and states of the orgs its grants are in within its one statement.
    var labelRelation: any SQLExpression { get }
    /// Active orgs whose name or region code matches `text`, among those `actor` may read.
    func search(_ text: String, actor: Actor, limit: Int) async throws -> [OrgRef]
    /// The paths of the top-level orgs: role management and unowned audit entries need all of them.
    func roots() async throws -> [OrgPath]
}

extension OrgDirectory {
    func org(_ id: Int64) async throws -> OrgRef? { try await orgs([id]).first }
}

public struct NewAccount: Codable, Sendable {
    public var username: String
    public var displayName: String
    public var password: String
    public var homeOrgId: Int64

    public init(username: String, displayName: String, password: String, homeOrgId: Int64) {
        self.username = username
        self.displayName = displayName
        self.password = password
        self.homeOrgId = homeOrgId
    }
}
