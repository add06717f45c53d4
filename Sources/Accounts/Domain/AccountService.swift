import Foundation
import Platform
import SQLKit

/// Staff accounts, roles and grants. A cadre acts only within their own scope, and can grant
/// only what they themselves hold over the org in question.
public struct AccountService: Sendable {
    let database: Database
    let store: AccountStore
    let passwords: PasswordPolicy
    let clock: AppClock
    let orgs: any OrgDirectory
    let audit: AuditLog
    /// Every permission the domains declare, with its label and built-in roles.
    public let catalogue: PermissionCatalogue

    public init(database: Database, passwords: PasswordPolicy, clock: AppClock, orgs: any OrgDirectory, catalogue: PermissionCatalogue) {
        self.catalogue = catalogue
        self.database = database
        self.passwords = passwords
        self.clock = clock
        self.orgs = orgs
        self.store = AccountStore(orgLabels: orgs.labelRelation)
        self.audit = AuditLog(database: database)
    }

    // MARK: Reads

    public func list(actor: Actor, text: String = "", page: PageRequest) async throws -> Page<Account> {
        let scope = try actor.requireScope(.accountRead)
        let after = try page.keyID()
        let text = text.trimmingCharacters(in: .whitespaces)
        let rows = try await database.withConnection { [store] in
            try await store.accounts(scope: scope, text: text, after: after, limit: page.limit + 1, on: $0)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    public func get(_ id: Int64, actor: Actor) async throws -> Account {
        let scope = try actor.requireScope(.accountRead)
        guard let account = try await database.withConnection({ [store] in try await store.account(id: id, on: $0) }),
            scope.covers(account.homeOrgPath)
        else { throw AppError.notFound(AccountText.accountNotFound) }
        return account
    }

    /// Every role an account holds, those above the actor's scope too: an admin must see that the
    /// account carries more than they can change (they may not change it then; see `mayWrite`).
    public func assignments(of id: Int64, actor: Actor) async throws -> [AssignmentView] {
        let account = try await get(id, actor: actor)
        let rows = try await database.withConnection { [store] in try await store.assignments(accountId: account.id, on: $0) }
        let roles = try await roles()
        let names = Dictionary(uniqueKeysWithValues: try await orgs.orgs(rows.map(\.orgId)).map { ($0.id, $0.name) })
        return rows.map { row in
            AssignmentView(
                id: row.id, roleCode: row.roleCode, roleName: roles.first { $0.code == row.roleCode }?.name ?? row.roleCode,
                orgId: row.orgId, orgName: names[row.orgId] ?? "#\(row.orgId)", orgPath: row.orgPath,
                grantedAt: row.grantedAt, grantedBy: row.grantedBy)
        }
    }

    /// An account as the actor sees it, with what they may do to it: the console shows this answer.
    public struct AccountView: Sendable {
        public var account: Account
        public var assignments: [AssignmentView]
        /// Assignments the actor may revoke.
        public var revocable: Set<Int64>
        /// Roles the actor may grant somewhere (the chosen org is checked again on grant).
        public var grantableRoles: [Role]
        public var canWrite: Bool
        /// Holds a role above the actor, who may therefore not change it (though the home org is theirs).
        public var heldAbove: Bool
    }

    public func view(_ id: Int64, actor: Actor) async throws -> AccountView {
        let account = try await get(id, actor: actor)
        let assignments = try await assignments(of: account.id, actor: actor)
        let canWrite = try await mayWrite(account, actor: actor)
        let roles = Dictionary(uniqueKeysWithValues: try await roles().map { ($0.code, $0) })
        var grantable: [Role] = []
        for assignment in actor.principal?.assignments ?? [] where assignment.permissions.contains(.roleGrant) {
            for role in try await grantableRoles(at: assignment.orgPath, actor: actor) where !grantable.contains(where: { $0.code == role.code }) {
                grantable.append(role)
            }
        }
        let revocable = canWrite ? Set(assignments.filter { a in roles[a.roleCode].map { Self.mayGrant($0, at: a.orgPath, actor: actor) } == true }.map(\.id)) : []
        return AccountView(
            account: account, assignments: assignments, revocable: revocable, grantableRoles: grantable, canWrite: canWrite,
            heldAbove: !canWrite && actor.scope(.accountWrite).covers(account.homeOrgPath))
    }

    /// Orgs matching `text` where the actor holds `permission` (for choosing where to grant or place an account).
    public func findOrgs(_ text: String, holding permission: Permission, actor: Actor) async throws -> [OrgRef] {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        let scope = actor.scope(permission)
        return try await orgs.search(text, actor: actor, limit: 50).filter { scope.covers($0.path) }
    }

    public func roles() async throws -> [Role] {
        try await database.withConnection { [store] in try await store.roles(on: $0) }
    }

    /// The roles the actor may grant at `orgPath`: those whose every permission they hold there.
    public func grantableRoles(at orgPath: OrgPath, actor: Actor) async throws -> [Role] {
        guard actor.scope(.roleGrant).covers(orgPath) else { return [] }
        return try await roles().filter { role in role.permissions.allSatisfy { actor.scope($0).covers(orgPath) } }
    }

    // MARK: Writes

    public func create(_ new: NewAccount, actor: Actor) async throws -> Account {
        var new = new
        new.username = new.username.trimmingCharacters(in: .whitespaces).lowercased()
        new.displayName = new.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        var v = Validator()
        v.check(Self.isValidUsername(new.username), "username", AccountText.usernameFormat)
        v.check(!new.displayName.isEmpty, "displayName", AccountText.displayNameRequired)
        v.check(new.displayName.count <= 50, "displayName", PlatformText.tooLong)
        if let problem = PasswordPolicy.problem(with: new.password) { v.fail("password", problem) }
        let home = try await orgs.org(new.homeOrgId)
        v.check(home != nil && home!.active && actor.scope(.accountWrite).covers(home!.path), "homeOrgId", AccountText.orgNotFound)
        if home != nil, !actor.scope(.accountWrite).covers(home!.path) {
            try await denied(actor, "account.create", objectId: new.username, orgPath: home!.path)
        }
        try v.validate()
        let hash = try await passwords.hash(new.password)
        let now = clock.now()
        let id = try await database.transaction { [store, new] sql in
            if try await store.account(username: new.username, on: sql) != nil {
                throw AppError.validation(["username": AccountText.usernameTaken])
            }
            let id = try await store.insert(new, hash: hash, homePath: home!.path, now: now, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "account.create", objectType: "account", objectId: String(id),
                           orgPath: home!.path, detail: ["username": new.username, "displayName": new.displayName]), on: sql)
            return id
        }
        return try await database.withConnection { [store] in try await store.account(id: id, on: $0)! }
    }

    /// Grants `roleCode` in `orgId`. Both the grant permission and every permission of the role
    /// must cover the org in the granter's own scope: nobody hands out more than they hold.
    public func grant(accountId: Int64, roleCode: String, orgId: Int64, actor: Actor) async throws -> Int64 {
        let account = try await get(accountId, actor: actor)
        guard let role = try await database.withConnection({ [store] in try await store.role(roleCode, on: $0) }) else {
            throw AppError.validation(["roleCode": AccountText.roleNotFound])
        }
        guard let org = try await orgs.org(orgId), org.active, actor.scope(.orgRead).covers(org.path) else {
            throw AppError.validation(["orgId": AccountText.orgNotFound])
        }
        guard Self.mayGrant(role, at: org.path, actor: actor), try await mayWrite(account, actor: actor) else {
            try await denied(actor, "role.grant", objectId: String(accountId), orgPath: org.path, detail: ["role": roleCode])
            throw AppError(.forbidden, code: "forbidden", message: AccountText.grantExceedsScope)
        }
        let now = clock.now()
        return try await database.transaction { [store] sql in
            if try await store.assignmentExists(accountId: accountId, roleCode: roleCode, orgId: orgId, on: sql) {
                throw AppError.conflict(AccountText.alreadyGranted)
            }
            let id = try await store.insertAssignment(
                accountId: accountId, roleCode: roleCode, org: org.path, grantedBy: actor.name, at: now, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "role.grant", objectType: "account", objectId: String(accountId),
                           orgPath: org.path, detail: ["role": roleCode, "org": String(orgId), "assignment": String(id)]), on: sql)
            return id
        }
    }

    public func revoke(assignmentId: Int64, actor: Actor) async throws {
        guard let row = try await database.withConnection({ [store] in try await store.assignment(id: assignmentId, on: $0) })
        else { throw AppError.notFound(AccountText.assignmentNotFound) }
        let account = try await get(row.accountId, actor: actor)
        guard let role = try await database.withConnection({ [store] in try await store.role(row.roleCode, on: $0) }) else {
            throw AppError.notFound(AccountText.roleNotFound)
        }
        guard Self.mayGrant(role, at: row.orgPath, actor: actor), try await mayWrite(account, actor: actor) else {
            try await denied(actor, "role.revoke", objectId: String(row.accountId), orgPath: row.orgPath, detail: ["role": row.roleCode])
            throw AppError(.forbidden, code: "forbidden", message: AccountText.grantExceedsScope)
        }
        try await database.transaction { [store] sql in
            try await store.deleteAssignment(id: assignmentId, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "role.revoke", objectType: "account", objectId: String(row.accountId),
                           orgPath: row.orgPath, detail: ["role": row.roleCode, "org": String(row.orgId)]), on: sql)
        }
    }

    static func mayGrant(_ role: Role, at path: OrgPath, actor: Actor) -> Bool {
        actor.scope(.roleGrant).covers(path) && role.permissions.allSatisfy { actor.scope($0).covers(path) }
    }

    public func setStatus(_ id: Int64, _ status: Account.Status, actor: Actor) async throws {
        let account = try await get(id, actor: actor)
        try await requireWrite(account, "account.\(status == .active ? "enable" : "disable")", actor: actor)
        if status == .disabled && actor.accountId == id { throw AppError.conflict(AccountText.cannotDisableSelf) }
        try await database.transaction { [store] sql in
            try await store.setStatus(id, status, on: sql)
            if status == .disabled { try await store.deleteSessions(accountId: id, except: nil, on: sql) }
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "account.\(status == .active ? "enable" : "disable")", objectType: "account",
                           objectId: String(id), orgPath: account.homeOrgPath), on: sql)
        }
    }

    /// An admin sets a new password (and lifts a lockout); the account's sessions end.
    public func resetPassword(_ id: Int64, to password: String, actor: Actor) async throws {
        let account = try await get(id, actor: actor)
        try await requireWrite(account, "account.reset_password", actor: actor)
        if let problem = PasswordPolicy.problem(with: password) { throw AppError.validation(["password": problem]) }
        let hash = try await passwords.hash(password)
        let now = clock.now()
        try await database.transaction { [store] sql in
            try await store.setPassword(id, hash: hash, at: now, unlock: true, on: sql)
            try await store.deleteSessions(accountId: id, except: nil, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "account.reset_password", objectType: "account", objectId: String(id),
                           orgPath: account.homeOrgPath), on: sql)
        }
    }

    /// A cadre changes their own password; their other sessions end.
    public func changeOwnPassword(current: String, new: String, confirm: String, sessionId: String, actor: Actor) async throws {
        guard let accountId = actor.accountId,
            let account = try await database.withConnection({ [store] in try await store.account(id: accountId, on: $0) })
        else { throw AppError.unauthenticated }
        var v = Validator()
        if let problem = PasswordPolicy.problem(with: new) { v.fail("new", problem) }
        v.check(new == confirm, "confirm", AccountText.passwordMismatch)
        let currentOK = try await passwords.verify(current, hash: account.passwordHash)
        v.check(currentOK, "current", AccountText.wrongCurrentPassword)
        try v.validate()
        let hash = try await passwords.hash(new)
        let now = clock.now()
        try await database.transaction { [store] sql in
            try await store.setPassword(accountId, hash: hash, at: now, unlock: false, on: sql)
            try await store.deleteSessions(accountId: accountId, except: sessionId, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "account.change_password", objectType: "account", objectId: String(accountId),
                           orgPath: account.homeOrgPath), on: sql)
        }
    }

    /// Roles are deployment-wide: `role.manage` over every top-level org.
    public func mayManageRoles(_ actor: Actor) async throws -> Bool {
        actor.isDeploymentWide(.roleManage, roots: try await orgs.roots())
    }

    /// The audit log as the actor may see it (unowned entries only for whole-deployment auditors).
    public func auditEntries(actor: Actor, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        try await audit.list(actor: actor, filter: filter, page: page, roots: try await orgs.roots())
    }

    /// Defines a new role from the permission catalogue (system administrators).
    public func createRole(code: String, name: String, permissions: [String], actor: Actor) async throws -> Role {
        guard try await mayManageRoles(actor) else {
            try await denied(actor, "role.create", objectId: code, orgPath: nil)
            throw AppError.forbidden
        }
        let code = code.trimmingCharacters(in: .whitespaces)
        let name = name.trimmingCharacters(in: .whitespaces)
        var v = Validator()
        v.check(code.count >= 3 && code.count <= 32 && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") },
                "code", AccountText.roleCodeFormat)
        v.check(!name.isEmpty && name.count <= 30, "name", AccountText.roleNameRequired)
        v.check(!permissions.isEmpty, "permissions", AccountText.rolePermissionsRequired)
        v.check(permissions.allSatisfy(catalogue.contains), "permissions", AccountText.unknownPermission)
        try v.validate()
        let granted = Set(permissions.map { Permission($0) })
        let role = Role(code: code, name: name, permissions: granted, builtin: false, requiresTOTP: false)
        let permissionList = permissions.sorted().joined(separator: ",")
        try await database.transaction { [store] sql in
            if try await store.role(code, on: sql) != nil { throw AppError.validation(["code": AccountText.roleCodeTaken]) }
            try await store.insertRole(role, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "role.create", objectType: "role", objectId: code, orgPath: nil,
                           detail: ["name": name, "permissions": permissionList]), on: sql)
        }
        return role
    }

    /// Gives each built-in role the permissions the domains declare for it and it lacks (run after
    /// migrations): a new domain's permissions reach the built-in roles without a migration of this
    /// domain. Nothing is ever taken away here.
    public func syncBuiltInRoles() async throws {
        let wanted = catalogue.builtInGrants
        try await database.transaction { [store] sql in
            for role in try await store.roles(on: sql) where role.builtin {
                let missing = wanted[role.code, default: []].subtracting(role.permissions)
                guard !missing.isEmpty else { continue }
                try await store.setPermissions(of: role.code, role.permissions.union(missing), on: sql)
                try await AuditLog.record(
                    AuditEntry(
                        actor: .system("migrate"), action: "role.sync", objectType: "role", objectId: role.code, orgPath: nil,
                        detail: ["added": missing.map(\.rawValue).sorted().joined(separator: ",")]), on: sql)
            }
        }
    }

    /// Whether `actor` may change `account`: `account.write` over its home org and over every org
    /// in which it holds a role. A county admin must not reset or disable a cadre of the county who
    /// also holds a province role, and then sign in with it.
    public func mayWrite(_ account: Account, actor: Actor) async throws -> Bool {
        let scope = actor.scope(.accountWrite)
        guard scope.covers(account.homeOrgPath) else { return false }
        let held = try await database.withConnection { [store] in try await store.assignments(accountId: account.id, on: $0) }
        return held.allSatisfy { scope.covers($0.orgPath) }
    }

    func requireWrite(_ account: Account, _ action: String, actor: Actor) async throws {
        guard try await mayWrite(account, actor: actor) else {
            try await denied(actor, action, objectId: String(account.id), orgPath: account.homeOrgPath)
            throw AppError.forbidden
        }
    }

    func denied(_ actor: Actor, _ action: String, objectId: String, orgPath: OrgPath?, detail: [String: String] = [:]) async throws {
        try await audit.record(
            AuditEntry(actor: actor, action: action, objectType: "account", objectId: objectId, orgPath: orgPath,
                       result: .denied, detail: detail))
    }

    static func isValidUsername(_ name: String) -> Bool {
        (3...32).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
    }

    /// Keeps stored org paths in step with a reorganised tree (wired as an org tree listener in App).
    public static func rebaseOrgPaths(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        try await AccountStore.rebasePaths(from: old, to: new, on: sql)
    }
}
