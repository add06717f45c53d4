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

    /// A partner app's key acting as a principal: its permissions at its org, its name in the
    /// audit log (`key:name`). Its id is kept negative so it never names a staff account.
    public init(partnerKeyId: Int64, name: String, assignments: [RoleAssignment]) {
        self.init(accountId: -partnerKeyId, username: "key:\(name)", displayName: name, assignments: assignments)
    }

    public var isPartnerKey: Bool { accountId < 0 }
    /// The key's id when this principal is a partner key.
    public var partnerKeyId: Int64? { isPartnerKey ? -accountId : nil }

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
    /// The CLI, a job or the wiring: acts everywhere. Only `system(_:)` makes one; an actor without
    /// a principal is otherwise a visitor or a worker, and holds no staff permission anywhere.
    public let isSystem: Bool

    public init(principal: Principal?, ip: String, requestId: String) {
        self.principal = principal
        self.ip = ip
        self.requestId = requestId
        self.isSystem = false
    }

    private init(system name: String) {
        self.principal = nil
        self.ip = "local"
        self.requestId = name
        self.isSystem = true
    }

    public static func system(_ name: String = "system") -> Actor { Actor(system: name) }

    /// The staff account acting, if any (a partner key is none).
    public var accountId: Int64? { principal.flatMap { $0.isPartnerKey ? nil : $0.accountId } }
    public var name: String { principal?.username ?? requestId }
    /// Who acted, for timelines and records: the cadre's name, else the system's or the request's.
    public var displayName: String { principal?.displayName ?? name }

    /// The scope for `permission`: the principal's, everywhere for the system, nowhere otherwise.
    public func scope(_ permission: Permission) -> Scope {
        if let principal { return principal.scope(permission) }
        return isSystem ? .all : Scope([])
    }

    /// The scope for `permission`, or `forbidden` when it is empty.
    public func requireScope(_ permission: Permission) throws -> Scope {
        let scope = scope(permission)
        guard !scope.isEmpty else { throw AppError.forbidden }
        return scope
    }

    /// Whether the actor holds `permission` over the whole deployment: over every top-level org
    /// (`roots`; one province's root is not enough where a database holds two), or as the system.
    public func isDeploymentWide(_ permission: Permission, roots: [OrgPath]) -> Bool {
        let scope = scope(permission)
        return scope.isAll || (!roots.isEmpty && roots.allSatisfy(scope.covers))
    }

    public func requireDeploymentWide(_ permission: Permission, roots: [OrgPath]) throws {
        guard isDeploymentWide(permission, roots: roots) else { throw AppError.forbidden }
    }

    /// Throws `forbidden` unless the actor holds `permission` over `path`.
    public func require(_ permission: Permission, at path: OrgPath) throws {
        guard scope(permission).covers(path) else { throw AppError.forbidden }
    }
}
