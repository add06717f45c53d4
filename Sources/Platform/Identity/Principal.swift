/// One role held in one org: the unit of authority.
public struct RoleAssignment: Sendable, Codable, Equatable {
    public var id: Int64
    public var roleCode: String
    public var roleName: String
    public var orgId: Int64
    public var orgPath: OrgPath
    public var orgName: String
    public var permissions: Set<Permission>

    public init(
        id: Int64, roleCode: String, roleName: String, orgId: Int64, orgPath: OrgPath, orgName: String,
        permissions: Set<Permission>
    ) {
        self.id = id
        self.roleCode = roleCode
        self.roleName = roleName
        self.orgId = orgId
        self.orgPath = orgPath
        self.orgName = orgName
        self.permissions = permissions
    }
}

/// The signed-in staff account a request acts for, with everything needed to decide scope.
public struct Principal: Sendable {
    public var accountId: Int64
    public var username: String
    public var displayName: String
    public var assignments: [RoleAssignment]

    public init(accountId: Int64, username: String, displayName: String, assignments: [RoleAssignment]) {
        self.accountId = accountId
        self.username = username
        self.displayName = displayName
        self.assignments = assignments
    }

    /// The subtrees in which this account holds `permission`.
    public func scope(_ permission: Permission) -> Scope {
        Scope(assignments.filter { $0.permissions.contains(permission) }.map(\.orgPath))
    }

    public func can(_ permission: Permission) -> Bool { !scope(permission).isEmpty }

    public func can(_ permission: Permission, at path: OrgPath) -> Bool { scope(permission).covers(path) }

    public var permissions: Set<Permission> { assignments.reduce(into: []) { $0.formUnion($1.permissions) } }

    public var roleCodes: Set<String> { Set(assignments.map(\.roleCode)) }
}

/// Who performs a use case, for scope checks and the audit log.
public struct Actor: Sendable {
    public var principal: Principal?
    public var ip: String
    public var requestId: String

    public init(principal: Principal?, ip: String, requestId: String) {
        self.principal = principal
        self.ip = ip
        self.requestId = requestId
    }

    public static func system(_ name: String = "system") -> Actor {
        Actor(principal: nil, ip: "local", requestId: name)
    }

    public var accountId: Int64? { principal?.accountId }
    public var name: String { principal?.username ?? requestId }

    /// The scope for `permission`; a system actor (CLI, jobs) acts everywhere.
    public func scope(_ permission: Permission) -> Scope {
        principal?.scope(permission) ?? .all
    }

    /// The scope for `permission`, or `forbidden` when it is empty.
    public func requireScope(_ permission: Permission) throws -> Scope {
        let scope = scope(permission)
        guard !scope.isEmpty else { throw AppError.forbidden }
        return scope
    }

    /// Throws `forbidden` unless the actor holds `permission` over `path`.
    public func require(_ permission: Permission, at path: OrgPath) throws {
        guard scope(permission).covers(path) else { throw AppError.forbidden }
    }
}
