/// An action a role may allow. Each domain declares its own (an `extension Permission` and a list of
/// `PermissionInfo`); App gathers them into the `PermissionCatalogue`. Roles are rows naming some of them.
public struct Permission: RawRepresentable, Hashable, Sendable, Codable, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }

    /// Seeing the union tree: every domain places its records in it, so every domain may ask for this.
    public static let orgRead = Permission("org.read")
    /// Reading the audit log, which the platform keeps for all domains.
    public static let auditRead = Permission("audit.read")
}

/// The codes of the roles every deployment has. Accounts keeps the roles; domains name these to say
/// which built-in roles hold their permissions.
public enum BuiltInRole {
    public static let systemAdmin = "system_admin"
    public static let orgAdmin = "org_admin"
    public static let memberClerk = "member_clerk"
    public static let workOrderHandler = "work_order_handler"
    public static let hotlineOperator = "hotline_operator"
    public static let auditor = "auditor"
    public static let viewer = "viewer"
}

/// A permission as its domain declares it: its label in the console, and the built-in roles that hold it.
public struct PermissionInfo: Sendable {
    public let permission: Permission
    public let label: String
    public let builtInRoles: Set<String>

    public init(_ permission: Permission, _ label: String, roles: Set<String>) {
        self.permission = permission
        self.label = label
        self.builtInRoles = roles
    }
}

/// Every permission of the deployment, in the order the domains were given.
public struct PermissionCatalogue: Sendable {
    public let entries: [PermissionInfo]

    /// The platform's own permissions.
    public static let platform: [PermissionInfo] = [
        PermissionInfo(
            .orgRead, "查看工会组织",
            roles: [
                BuiltInRole.systemAdmin, BuiltInRole.orgAdmin, BuiltInRole.memberClerk, BuiltInRole.workOrderHandler,
                BuiltInRole.hotlineOperator, BuiltInRole.auditor, BuiltInRole.viewer,
            ]),
        PermissionInfo(.auditRead, "查看审计日志", roles: [BuiltInRole.systemAdmin, BuiltInRole.auditor]),
    ]

    /// The first declaration of a permission counts; a second one (a slip in a domain's list) is dropped.
    public init(_ groups: [PermissionInfo]...) {
        var seen = Set<Permission>()
        entries = groups.joined().filter { seen.insert($0.permission).inserted }
    }

    public func contains(_ raw: String) -> Bool { entries.contains { $0.permission.rawValue == raw } }

    public func label(_ permission: Permission) -> String {
        entries.first { $0.permission == permission }?.label ?? permission.rawValue
    }

    /// What each built-in role holds by the domains' declarations.
    public var builtInGrants: [String: Set<Permission>] {
        var grants: [String: Set<Permission>] = [:]
        for entry in entries {
            for role in entry.builtInRoles { grants[role, default: []].insert(entry.permission) }
        }
        return grants
    }
}
