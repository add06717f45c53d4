import Foundation
import Platform
import SQLKit

/// The SQL of the union tree. Every function runs on the `SQLDatabase` it is given, so the
/// service decides what shares a transaction.
struct OrganizationStore: Sendable {
    /// The orgs as a relation with columns `id`, `name` and `active`, for another module to join
    /// (the session resolve): the one piece of this table's layout that leaves this store.
    static let labelRelation: any SQLExpression = SQLRaw(
        "SELECT id, name, status = '\(OrgStatus.active.rawValue)' AS active FROM organizations")

    let dialect: Dialect

    func find(_ id: Int64, on sql: any SQLDatabase) async throws -> Organization? {
        try await Self.byId.all([id], on: sql).first?.decode(model: Organization.self)
    }

    /// Every org page and API read starts with this one.
    private static let byId = QueryText { sql in sql.select().column("*").from("organizations").where("id", .equal, SQLBind(0)).query }

    func find(_ ids: [Int64], on sql: any SQLDatabase) async throws -> [Organization] {
        guard !ids.isEmpty else { return [] }
        return try await sql.select().column("*").from("organizations").where("id", .in, ids)
            .all(decoding: Organization.self)
    }

    /// Seven columns, decoded by hand: this runs on every signed-in request.
    func summaries(_ ids: [Int64], on sql: any SQLDatabase) async throws -> [OrgSummary] {
        guard !ids.isEmpty else { return [] }
        return try await sql.select().columns("id", "path", "name", "level", "kind", "region_code", "status").from("organizations")
            .where("id", .in, ids).all().map { row in
                let id = try row.decode(column: "id", as: Int64.self)
                guard let path = OrgPath(try row.decode(column: "path", as: String.self)),
                    let level = OrgLevel(rawValue: try row.decode(column: "level", as: String.self)),
                    let kind = OrgKind(rawValue: try row.decode(column: "kind", as: String.self))
                else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "organization \(id): bad path, level or kind"))
                }
                return OrgSummary(
                    id: id, path: path, name: try row.decode(column: "name", as: String.self), level: level, kind: kind,
                    regionCode: try row.decode(column: "region_code", as: String?.self),
                    isActive: try row.decode(column: "status", as: String.self) == OrgStatus.active.rawValue)
            }
    }

    /// Active children of `parentId` inside `scope`, in id order after `after`.
    func children(of parentId: Int64, scope: Scope, after: Int64?, limit: Int, on sql: any SQLDatabase) async throws
        -> [Organization]
    {
        let query = sql.select().column("*").from("organizations")
            .where("parent_id", .equal, parentId).where("status", .equal, OrgStatus.active.rawValue)
            .where("path", in: scope)
        if let after { query.where("id", .greaterThan, after) }
        return try await query.orderBy("id").limit(limit).all(decoding: Organization.self)
    }

    /// The orgs at the top of a scope (the account's own subtree roots).
    func roots(of scope: Scope, on sql: any SQLDatabase) async throws -> [Organization] {
        if scope.isAll {
            return try await sql.select().column("*").from("organizations").where(SQLColumn("parent_id"), .is, SQLLiteral.null)
                .orderBy("id").all(decoding: Organization.self)
        }
        return try await find(scope.roots.map(\.id), on: sql).sorted { $0.path < $1.path }
    }

    /// Name contains `text` or region code starts with it; within `scope`.
    func search(
        text: String, scope: Scope, includeInactive: Bool, after: Int64?, limit: Int, on sql: any SQLDatabase
    ) async throws -> [Organization] {
        let query = sql.select().column("*").from("organizations").where("path", in: scope)
        if !text.isEmpty {
            if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                query.where("region_code", .like, text + "%")
            } else {
                query.where("name", .like, SQLText.contains(text))
            }
        }
        if !includeInactive { query.where("status", .equal, OrgStatus.active.rawValue) }
        if let after { query.where("id", .greaterThan, after) }
        return try await query.orderBy("id").limit(limit).all(decoding: Organization.self)
    }

    func nameTaken(_ name: String, parentId: Int64, excluding id: Int64?, on sql: any SQLDatabase) async throws -> Bool {
        let query = sql.select().column("id").from("organizations")
            .where("parent_id", .equal, parentId).where("name", .equal, name)
            .where("status", .equal, OrgStatus.active.rawValue)
        if let id { query.where("id", .notEqual, id) }
        return try await query.first() != nil
    }

    func insert(_ input: OrgInput, level: OrgLevel, kind: OrgKind, parent: Organization?, now: Date, on sql: any SQLDatabase)
        async throws -> Organization
    {
        // The path needs the new id: insert under a placeholder, then set it.
        let placeholder = "pending:" + randomToken(bytes: 12)
        let id = try await sql.insert(into: "organizations")
            .columns(
                "parent_id", "path", "depth", "level", "kind", "region_code", "name", "short_name", "address", "phone",
                "status", "child_count", "created_at", "updated_at"
            )
            .values(
                SQLBind(parent?.id), SQLBind(placeholder), SQLBind((parent?.depth ?? -1) + 1), SQLBind(level.rawValue),
                SQLBind(kind.rawValue), SQLBind(input.regionCode), SQLBind(input.name), SQLBind(input.shortName),
                SQLBind(input.address), SQLBind(input.phone), SQLBind(OrgStatus.active.rawValue), SQLBind(0),
                SQLBind(now), SQLBind(now)
            )
            .insertedId()
        let path = parent.map { $0.path.child(id) } ?? OrgPath.root(id)
        try await sql.update("organizations").set("path", to: path.rawValue).where("id", .equal, id).run()
        if let parent { try await adjustChildCount(parent.id, by: 1, on: sql) }
        return try await find(id, on: sql)!
    }

    func update(_ org: Organization, now: Date, on sql: any SQLDatabase) async throws {
        try await sql.update("organizations")
            .set("name", to: org.name).set("short_name", to: org.shortName).set("region_code", to: org.regionCode)
            .set("address", to: org.address).set("phone", to: org.phone).set("kind", to: org.kind.rawValue)
            .set("status", to: org.status.rawValue).set("merged_into", to: org.mergedInto)
            .set("updated_at", to: now)
            .where("id", .equal, org.id).run()
    }

    func setChildCount(_ id: Int64, to count: Int, on sql: any SQLDatabase) async throws {
        try await sql.update("organizations").set("child_count", to: count).where("id", .equal, id).run()
    }

    /// Serialises reorganisations (rare) so two moves can never make a cycle. SQLite has one writer anyway.
    func lockTree(_ dialect: Dialect, on sql: any SQLDatabase) async throws {
        if dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7271003)").run() }
    }

    /// The paths of the top-level orgs.
    func topLevelPaths(on sql: any SQLDatabase) async throws -> [OrgPath] {
        try await sql.select().column("path").from("organizations").where("parent_id", .is, SQLLiteral.null).all()
            .map { try $0.decode(column: "path", as: OrgPath.self) }
    }

    /// Every org's id, parent and path.
    func tree(on sql: any SQLDatabase) async throws -> [OrgTreeNode] {
        try await sql.select().columns("id", "parent_id", "path", "level", "kind").from("organizations").all().map {
            OrgTreeNode(
                id: try $0.decode(column: "id", as: Int64.self), parentId: try $0.decode(column: "parent_id", as: Int64?.self),
                path: try $0.decode(column: "path", as: OrgPath.self),
                level: OrgLevel(rawValue: try $0.decode(column: "level", as: String.self)) ?? .grassroots,
                kind: OrgKind(rawValue: try $0.decode(column: "kind", as: String.self)) ?? .grassroots)
        }
    }

    func activeGrassroots(on sql: any SQLDatabase) async throws -> [Organization] {
        try await sql.select().column("*").from("organizations").where("level", .equal, OrgLevel.grassroots.rawValue)
            .where("status", .equal, OrgStatus.active.rawValue).orderBy("id").all(decoding: Organization.self)
    }

    func adjustChildCount(_ id: Int64, by delta: Int, on sql: any SQLDatabase) async throws {
        try await sql.raw("UPDATE organizations SET child_count = child_count + \(bind: delta) WHERE id = \(bind: id)").run()
    }

    /// Rewrites the paths (and depths) of every org whose path starts with `old` to start with `new`.
    /// `includeRoot: false` leaves the org at `old` itself in place (merge moves only what is below).
    func rebase(_ old: OrgPath, onto new: OrgPath, includeRoot: Bool, on sql: any SQLDatabase) async throws {
        let delta = new.depth - old.depth
        var query: SQLQueryString = """
            UPDATE organizations SET path = CAST(\(bind: new.rawValue) AS TEXT) || substr(path, CAST(\(bind: old.rawValue.utf8.count + 1) AS INTEGER)),
            depth = depth + \(bind: delta)
            WHERE path >= \(bind: old.rawValue) AND path < \(bind: old.upperBound)
            """
        if !includeRoot { query.appendInterpolation(unsafeRaw: " AND path <> "); query.appendInterpolation(bind: old.rawValue) }
        try await sql.raw(query).run()
    }

    func setParent(of ids: [Int64], to parentId: Int64, on sql: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        try await sql.update("organizations").set("parent_id", to: parentId).where("id", .in, ids).run()
    }

    func activeChildIds(of id: Int64, on sql: any SQLDatabase) async throws -> [Int64] {
        try await sql.select().column("id").from("organizations").where("parent_id", .equal, id)
            .where("status", .equal, OrgStatus.active.rawValue)
            .all().map { try $0.decode(column: "id", as: Int64.self) }
    }

    func appendHistory(
        orgId: Int64, action: OrgHistoryEntry.Action, actor: Actor, at: Date, detail: [String: String], note: String?,
        on sql: any SQLDatabase
    ) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(data: try encoder.encode(detail), encoding: .utf8)!
        try await sql.insert(into: "org_history")
            .columns("org_id", "action", "actor_id", "actor_name", "at", "detail", "note")
            .values(
                SQLBind(orgId), SQLBind(action.rawValue), SQLBind(actor.accountId), SQLBind(actor.displayName),
                SQLBind(at), SQLBind(json), SQLBind(note)
            )
            .run()
    }

    func history(of orgId: Int64, before: Int64?, limit: Int, on sql: any SQLDatabase) async throws -> [OrgHistoryEntry] {
        let query = sql.select().column("*").from("org_history").where("org_id", .equal, orgId)
        if let before { query.where("id", .lessThan, before) }
        return try await query.orderBy("id", .descending).limit(limit).all(decoding: OrgHistoryEntry.self)
    }
}
