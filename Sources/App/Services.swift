import Accounts
import Foundation
import Logging
import Organizations
import Platform
import SQLKit
import WebUI

/// Every service of the deployment, built once from the configuration. Web, API, CLI and jobs share them.
struct Services: Sendable {
    let config: AppConfig
    let database: Database
    let clock: AppClock
    let audit: AuditLog
    let organizations: OrganizationService
    let auth: AuthService
    let accounts: AccountService

    static let migrations: [Migration] = AuditLog.migrations + OrganizationMigrations.all + AccountMigrations.all

    init(config: AppConfig, logger: Logger, clock: AppClock = .system, bcryptCost: UInt8 = 12) throws {
        self.config = config
        self.clock = clock
        let database = try Database.open(url: config.databaseURL, logger: logger)
        self.database = database
        self.audit = AuditLog(database: database)
        let organizations = OrganizationService(database: database, clock: clock, listeners: [AssignmentPathListener()])
        self.organizations = organizations
        let directory = OrgDirectoryAdapter(organizations: organizations)
        let passwords = PasswordPolicy(cost: bcryptCost)
        self.auth = AuthService(
            database: database, passwords: passwords, cipher: FieldCipher(dataKey: config.dataKey), clock: clock, orgs: directory)
        self.accounts = AccountService(database: database, passwords: passwords, clock: clock, orgs: directory)
    }

    func migrate(logger: Logger) async throws {
        try await Migrator(database: database, logger: logger).migrate(Self.migrations)
    }
}

/// Accounts sees the tree through this.
struct OrgDirectoryAdapter: OrgDirectory {
    let organizations: OrganizationService

    func orgs(_ ids: [Int64]) async throws -> [OrgRef] {
        try await organizations.lookup(ids).map(Self.ref)
    }

    func search(_ text: String, actor: Actor, limit: Int) async throws -> [OrgRef] {
        try await organizations.search(text, actor: actor, page: PageRequest(limit: limit)).items.map(Self.ref)
    }

    static func ref(_ o: Organization) -> OrgRef { OrgRef(id: o.id, path: o.path, name: o.name, active: o.isActive) }
}

/// Role assignments and accounts keep org paths; they move with the tree.
struct AssignmentPathListener: OrgTreeListener {
    func subtreeMoved(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws {
        try await AccountService.rebaseOrgPaths(from: old, to: new, on: sql)
    }
}
