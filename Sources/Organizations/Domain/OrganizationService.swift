import Foundation
import Platform
import SQLKit

/// The use cases of the union tree. Web pages, the API and the CLI all call these.
///
/// Reads outside the actor's scope answer "not found" (existence is not leaked); writes check
/// the scope of the permission they need and are audited, denied ones included.
public struct OrganizationService: Sendable {
    let database: Database
    let store: OrganizationStore
    let clock: AppClock
    let listeners: [any OrgTreeListener]
    let regions: RegionCatalogue
    let audit: AuditLog

    public init(database: Database, clock: AppClock = .system, listeners: [any OrgTreeListener] = [],
                regions: RegionCatalogue = .shared) {
        self.database = database
        self.store = OrganizationStore(dialect: database.dialect)
        self.clock = clock
        self.listeners = listeners
        self.regions = regions
        self.audit = AuditLog(database: database)
    }

    // MARK: Reads

    public func get(_ id: Int64, actor: Actor) async throws -> Organization {
        let scope = try actor.requireScope(.orgRead)
        guard let org = try await database.withConnection({ try await store.find(id, on: $0) }), scope.covers(org.path)
        else { throw AppError.notFound(OrgText.notFound) }
        return org
    }

    /// What the actor may do with an org: the console shows exactly these actions.
    public struct Actions: Sendable {
        public var edit: Bool
        public var addChild: Bool
        public var reorganize: Bool
        public var close: Bool
    }

    public func actions(on org: Organization, actor: Actor) -> Actions {
        let write = org.isActive && actor.scope(.orgWrite).covers(org.path)
        let reorganize = org.isActive && org.path.parent.map { actor.scope(.orgReorganize).covers($0) } == true
        return Actions(edit: write, addChild: write && org.level != .group, reorganize: reorganize, close: reorganize && org.childCount == 0)
    }

    /// Where `org` could move or merge to, among the actor's orgs matching `text`: not inside it,
    /// and for a move not a grassroots union or its present parent. Each with its parent's name, as
    /// same-named unions (four 新华路街道总工会 in Hebei) are told apart by their parents.
    public func targets(for org: Organization, merging: Bool, matching text: String, actor: Actor) async throws
        -> [(org: Organization, parentName: String?)]
    {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        let found = try await search(text, actor: actor, page: PageRequest(limit: 30)).items
            .filter { c in !org.path.contains(c.path) && (merging || (c.level.rank < OrgLevel.grassroots.rank && c.id != org.parentId)) }
        let parents = Dictionary(try await lookup(found.compactMap(\.parentId)).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return found.map { ($0, $0.parentId.flatMap { parents[$0] }) }
    }

    /// The chain from the top of the actor's scope down to `org` (for breadcrumbs).
    public func ancestors(of org: Organization, actor: Actor) async throws -> [Organization] {
        let scope = actor.scope(.orgRead)
        let ids = org.path.ids.dropLast()
        let found = try await database.withConnection { try await store.find(Array(ids), on: $0) }
        return found.filter { scope.covers($0.path) }.sorted { $0.depth < $1.depth }
    }

    public func roots(actor: Actor) async throws -> [Organization] {
        let scope = try actor.requireScope(.orgRead)
        return try await database.withConnection { try await store.roots(of: scope, on: $0) }
    }

    public func children(of id: Int64, actor: Actor, page: PageRequest) async throws -> Page<Organization> {
        let parent = try await get(id, actor: actor)
        let scope = actor.scope(.orgRead)
        let after = try page.keyID()
        let rows = try await database.withConnection {
            try await store.children(of: parent.id, scope: scope, after: after, limit: page.limit + 1, on: $0)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    public func search(_ text: String, actor: Actor, includeInactive: Bool = false, page: PageRequest) async throws
        -> Page<Organization>
    {
        let scope = try actor.requireScope(.orgRead)
        let after = try page.keyID()
        let text = text.trimmingCharacters(in: .whitespaces)
        let rows = try await database.withConnection {
            try await store.search(
                text: text, scope: scope, includeInactive: includeInactive, after: after, limit: page.limit + 1, on: $0)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    public func history(of id: Int64, actor: Actor, page: PageRequest) async throws -> Page<OrgHistoryEntry> {
        let org = try await get(id, actor: actor)
        let before = try page.keyID()
        let rows = try await database.withConnection {
            try await store.history(of: org.id, before: before, limit: page.limit + 1, on: $0)
        }
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }
    }

    /// Orgs by id with no scope check: for other modules' wiring (names, paths), never for a request.
    public func lookup(_ ids: [Int64]) async throws -> [Organization] {
        try await database.withConnection { try await store.find(ids, on: $0) }
    }

    /// The paths of the top-level orgs (one per province a deployment holds). Not scoped: wiring only.
    public func topLevelPaths() async throws -> [OrgPath] {
        try await database.withConnection { try await store.topLevelPaths(on: $0) }
    }

    /// Orgs as a relation for other modules to join in SQL: columns `id`, `name`, `active`.
    public static var labelRelation: any SQLExpression { OrganizationStore.labelRelation }

    /// The same, only what names and places an org.
    public func summaries(_ ids: [Int64]) async throws -> [OrgSummary] {
        try await database.withConnection { try await store.summaries(ids, on: $0) }
    }

    /// Every org's id, parent and path (for rollups summing up the tree). Not scoped: wiring only.
    public func tree() async throws -> [OrgTreeNode] {
        try await database.withConnection { try await store.tree(on: $0) }
    }

    /// Every active grassroots union (the demo fills them with members). Not scoped: wiring only.
    public func grassroots() async throws -> [Organization] {
        try await database.withConnection { try await store.activeGrassroots(on: $0) }
    }

    // MARK: Member site (public fields only, no scope)

    public func publicSearch(_ text: String, page: PageRequest) async throws -> Page<PublicOrg> {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return Page(items: [], nextCursor: nil) }
        let after = try page.keyID()
        let rows = try await database.withConnection {
            try await store.search(text: text, scope: .all, includeInactive: false, after: after, limit: page.limit + 1, on: $0)
        }
        let parents = try await database.withConnection { sql in
            try await store.find(Array(Set(rows.compactMap(\.parentId))), on: sql)
        }
        let names = Dictionary(uniqueKeysWithValues: parents.map { ($0.id, $0.name) })
        return Page(fetched: rows, limit: page.limit) { [String($0.id)] }.map { Self.publicView($0, parentName: $0.parentId.flatMap { names[$0] }) }
    }

    public func publicOrg(_ id: Int64) async throws -> PublicOrg {
        let (org, parent) = try await database.withConnection { sql -> (Organization?, Organization?) in
            guard let org = try await store.find(id, on: sql) else { return (nil, nil) }
            return (org, try await store.find(org.parentId ?? 0, on: sql))
        }
        guard let org, org.isActive else { throw AppError.notFound(OrgText.notFound) }
        return Self.publicView(org, parentName: parent?.name)
    }

    static func publicView(_ org: Organization, parentName: String?) -> PublicOrg {
        PublicOrg(
            id: org.id, name: org.name, level: org.level, kind: org.kind, regionCode: org.regionCode,
            address: org.address, phone: org.phone, parentName: parentName)
    }

    // MARK: Writes

    /// Creates a union directly below `parentId`.
    public func createChild(of parentId: Int64, _ input: OrgInput, actor: Actor) async throws -> Organization {
        let parent = try await get(parentId, actor: actor)
        try await guarded(actor, "org.create", parent) { try actor.require(.orgWrite, at: parent.path) }
        let input = try validated(input, creating: true)
        let level = input.level!
        let kind = input.kind!
        guard parent.isActive else { throw AppError.conflict(OrgText.parentInactive) }
        try Self.checkPlacement(level: level, kind: kind, under: parent)
        let now = clock.now()
        return try await database.transaction { [store] sql in
            if try await store.nameTaken(input.name, parentId: parent.id, excluding: nil, on: sql) {
                throw AppError.validation(["name": OrgText.duplicateName])
            }
            let org = try await store.insert(input, level: level, kind: kind, parent: parent, now: now, on: sql)
            try await store.appendHistory(
                orgId: org.id, action: .create, actor: actor, at: now,
                detail: ["name.to": org.name, "parent.to": parent.name], note: nil, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "org.create", objectType: "organization", objectId: String(org.id),
                    orgPath: org.path, detail: ["name": org.name, "parent": String(parent.id)]), on: sql)
            return org
        }
    }

    /// Creates a top-level org (a province federation): only for the CLI / system admins at setup.
    public func createRoot(_ input: OrgInput, actor: Actor) async throws -> Organization {
        guard actor.principal == nil else { throw AppError.forbidden }
        let input = try validated(input, creating: true)
        let now = clock.now()
        return try await database.transaction { [store] sql in
            let org = try await store.insert(input, level: input.level!, kind: input.kind!, parent: nil, now: now, on: sql)
            try await store.appendHistory(
                orgId: org.id, action: .create, actor: actor, at: now, detail: ["name.to": org.name], note: nil, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "org.create", objectType: "organization", objectId: String(org.id),
                           orgPath: org.path, detail: ["name": org.name]), on: sql)
            return org
        }
    }

    /// Edits the descriptive fields; a changed name is recorded as a rename (更名).
    /// Changes only the fields `patch` sends (the API's PATCH).
    public func edit(_ id: Int64, _ patch: OrgPatch, actor: Actor) async throws -> Organization {
        try await edit(id, patch.applied(to: try await get(id, actor: actor)), actor: actor)
    }

    public func edit(_ id: Int64, _ input: OrgInput, actor: Actor) async throws -> Organization {
        let current = try await get(id, actor: actor)
        try await guarded(actor, "org.edit", current) { try actor.require(.orgWrite, at: current.path) }
        guard current.isActive else { throw AppError.conflict(OrgText.orgInactive) }
        let input = try validated(input, creating: false)
        var updated = current
        updated.name = input.name
        updated.shortName = input.shortName
        updated.regionCode = input.regionCode
        updated.address = input.address
        updated.phone = input.phone
        if let kind = input.kind, kind != current.kind {
            if let parentId = current.parentId {
                let parent = try await database.withConnection { [store] in try await store.find(parentId, on: $0) }!
                try Self.checkPlacement(level: current.level, kind: kind, under: parent)
            }
            updated.kind = kind
        }
        let changes = Self.diff(current, updated)
        if changes.isEmpty { return current }
        let now = clock.now()
        return try await database.transaction { [store, updated] sql in
            if updated.name != current.name, let parentId = current.parentId,
                try await store.nameTaken(updated.name, parentId: parentId, excluding: current.id, on: sql)
            {
                throw AppError.validation(["name": OrgText.duplicateName])
            }
            try await store.update(updated, now: now, on: sql)
            let action: OrgHistoryEntry.Action = updated.name != current.name ? .rename : .edit
            try await store.appendHistory(orgId: id, action: action, actor: actor, at: now, detail: changes, note: nil, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "org.\(action.rawValue)", objectType: "organization",
                           objectId: String(id), orgPath: current.path, detail: changes), on: sql)
            return try await store.find(id, on: sql)!
        }
    }

    /// Moves a union (and its whole subtree) under another parent (划转).
    public func move(_ id: Int64, to newParentId: Int64, note: String?, actor: Actor) async throws -> Organization {
        let org = try await get(id, actor: actor)
        let newParent = try await get(newParentId, actor: actor)
        guard let oldParentId = org.parentId, let oldParentPath = org.path.parent else {
            throw AppError.conflict(OrgText.rootImmutable)
        }
        try await guarded(actor, "org.move", org) {
            try actor.require(.orgReorganize, at: oldParentPath)
            try actor.require(.orgReorganize, at: newParent.path)
        }
        let note = try Self.validNote(note)
        guard org.isActive else { throw AppError.conflict(OrgText.orgInactive) }
        guard newParent.isActive else { throw AppError.conflict(OrgText.parentInactive) }
        guard !org.path.contains(newParent.path) else { throw AppError.conflict(OrgText.moveIntoSelf) }
        guard newParent.id != oldParentId else { throw AppError.conflict(OrgText.sameParent) }
        try Self.checkPlacement(level: org.level, kind: org.kind, under: newParent)
        let now = clock.now()
        return try await database.transaction { [store, listeners, dialect = database.dialect] sql in
            try await store.lockTree(dialect, on: sql)
            // Re-read under the lock: another reorganisation may have moved things meanwhile.
            guard let org = try await store.find(id, on: sql), let newParent = try await store.find(newParentId, on: sql),
                let oldParent = try await store.find(org.parentId ?? 0, on: sql),
                org.isActive, newParent.isActive, !org.path.contains(newParent.path)
            else { throw AppError.conflict(OrgText.moveIntoSelf) }
            if try await store.nameTaken(org.name, parentId: newParent.id, excluding: org.id, on: sql) {
                throw AppError.conflict(OrgText.duplicateName)
            }
            let newPath = newParent.path.child(org.id)
            try await Self.rebase(org.path, onto: newPath, store: store, listeners: listeners, on: sql)
            try await store.setParent(of: [org.id], to: newParent.id, on: sql)
            try await store.adjustChildCount(oldParent.id, by: -1, on: sql)
            try await store.adjustChildCount(newParent.id, by: 1, on: sql)
            let detail = [
                "parent.from": oldParent.name, "parent.to": newParent.name,
                "path.from": org.path.rawValue, "path.to": newPath.rawValue,
            ]
            try await store.appendHistory(orgId: org.id, action: .move, actor: actor, at: now, detail: detail, note: note, on: sql)
            try await store.appendHistory(
                orgId: oldParent.id, action: .childMovedOut, actor: actor, at: now,
                detail: ["child": org.name, "parent.to": newParent.name], note: note, on: sql)
            try await store.appendHistory(
                orgId: newParent.id, action: .childMovedIn, actor: actor, at: now,
                detail: ["child": org.name, "parent.from": oldParent.name], note: note, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "org.move", objectType: "organization", objectId: String(org.id),
                           orgPath: newPath, detail: detail.merging(["note": note ?? ""]) { a, _ in a }), on: sql)
            return try await store.find(org.id, on: sql)!
        }
    }

    /// Merges `id` into `targetId` (撤并): its children move under the target, it is marked merged.
    public func merge(_ id: Int64, into targetId: Int64, note: String?, actor: Actor) async throws -> Organization {
        let source = try await get(id, actor: actor)
        let target = try await get(targetId, actor: actor)
        guard let sourceParentPath = source.path.parent else { throw AppError.conflict(OrgText.rootImmutable) }
        try await guarded(actor, "org.merge", source) {
            try actor.require(.orgReorganize, at: sourceParentPath)
            try actor.require(.orgReorganize, at: target.path)
        }
        let note = try Self.validNote(note)
        guard source.isActive else { throw AppError.conflict(OrgText.orgInactive) }
        guard target.isActive else { throw AppError.conflict(OrgText.parentInactive) }
        guard !source.path.contains(target.path) else { throw AppError.conflict(OrgText.mergeIntoSelf) }
        let now = clock.now()
        return try await database.transaction { [store, listeners, dialect = database.dialect] sql in
            try await store.lockTree(dialect, on: sql)
            guard var source = try await store.find(id, on: sql), let target = try await store.find(targetId, on: sql),
                source.isActive, target.isActive, !source.path.contains(target.path)
            else { throw AppError.conflict(OrgText.mergeIntoSelf) }
            let children = try await store.activeChildIds(of: source.id, on: sql)
            if !children.isEmpty && target.level == .grassroots { throw AppError.conflict(OrgText.grassrootsNoChildren) }
            // The children move under the target: each must still sit below it (a county's townships not under a township).
            for child in try await store.find(children, on: sql) {
                try Self.checkPlacement(level: child.level, kind: child.kind, under: target)
            }
            for child in children {
                try await Self.rebase(source.path.child(child), onto: target.path.child(child), store: store,
                                      listeners: listeners, on: sql)
            }
            try await store.setParent(of: children, to: target.id, on: sql)
            try await store.adjustChildCount(target.id, by: children.count, on: sql)
            for listener in listeners { try await listener.orgMerged(source: source.path, into: target, on: sql) }
            source.status = .merged
            source.mergedInto = target.id
            source.childCount = 0
            try await store.update(source, now: now, on: sql)
            try await store.setChildCount(source.id, to: 0, on: sql)
            if let parentId = source.parentId { try await store.adjustChildCount(parentId, by: -1, on: sql) }
            let detail = ["into": target.name, "children": String(children.count)]
            try await store.appendHistory(orgId: source.id, action: .merge, actor: actor, at: now, detail: detail, note: note, on: sql)
            try await store.appendHistory(
                orgId: target.id, action: .mergedFrom, actor: actor, at: now,
                detail: ["from": source.name, "children": String(children.count)], note: note, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "org.merge", objectType: "organization", objectId: String(source.id),
                           orgPath: source.path, detail: detail.merging(["target": String(target.id)]) { a, _ in a }), on: sql)
            return try await store.find(source.id, on: sql)!
        }
    }

    /// Closes (撤销) a union that has no active children left.
    public func close(_ id: Int64, note: String?, actor: Actor) async throws -> Organization {
        let org = try await get(id, actor: actor)
        guard let parentPath = org.path.parent else { throw AppError.conflict(OrgText.rootImmutable) }
        try await guarded(actor, "org.close", org) { try actor.require(.orgReorganize, at: parentPath) }
        let note = try Self.validNote(note)
        guard org.isActive else { throw AppError.conflict(OrgText.orgInactive) }
        let now = clock.now()
        return try await database.transaction { [store, listeners, dialect = database.dialect] sql in
            try await store.lockTree(dialect, on: sql)
            guard var org = try await store.find(id, on: sql), org.isActive else { throw AppError.conflict(OrgText.orgInactive) }
            if try await !store.activeChildIds(of: org.id, on: sql).isEmpty {
                throw AppError.conflict(OrgText.hasActiveChildren)
            }
            for listener in listeners { try await listener.orgClosing(org.path, on: sql) }
            org.status = .closed
            try await store.update(org, now: now, on: sql)
            if let parentId = org.parentId { try await store.adjustChildCount(parentId, by: -1, on: sql) }
            try await store.appendHistory(
                orgId: org.id, action: .close, actor: actor, at: now, detail: ["status.from": "active", "status.to": "closed"],
                note: note, on: sql)
            try await AuditLog.record(
                AuditEntry(actor: actor, action: "org.close", objectType: "organization", objectId: String(org.id),
                           orgPath: org.path, detail: ["note": note ?? ""]), on: sql)
            return org
        }
    }

    // MARK: Helpers

    /// Runs a permission check; a denial is audited before it is thrown.
    func guarded(_ actor: Actor, _ action: String, _ org: Organization, _ check: () throws -> Void) async throws {
        do {
            try check()
        } catch let error as AppError where error.code == AppError.forbidden.code {
            try await audit.record(
                AuditEntry(actor: actor, action: action, objectType: "organization", objectId: String(org.id),
                           orgPath: org.path, result: .denied))
            throw error
        }
    }

    static func rebase(_ old: OrgPath, onto new: OrgPath, store: OrganizationStore, listeners: [any OrgTreeListener],
                       on sql: any SQLDatabase) async throws {
        try await store.rebase(old, onto: new, includeRoot: true, on: sql)
        for listener in listeners { try await listener.subtreeMoved(from: old, to: new, on: sql) }
    }

    static func validNote(_ note: String?) throws -> String? {
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let note, !note.isEmpty else { return nil }
        guard note.count <= 200 else { throw AppError.validation(["note": OrgText.reasonTooLong]) }
        return note
    }

    /// Level and kind rules: a child sits below its parent; industrial unions and industry
    /// federations may sit at their federation's level; a grassroots union's only children are its
    /// 工会小组, and a group has none; the grassroots kinds (committee, organiser, joint) sit at the
    /// grassroots level, the group kind at the group level.
    static func checkPlacement(level: OrgLevel, kind: OrgKind, under parent: Organization) throws {
        if parent.level == .group { throw AppError.validation(["level": OrgText.groupNoChildren]) }
        if parent.level == .grassroots, level != .group { throw AppError.validation(["level": OrgText.grassrootsNoChildren]) }
        if level == .group, parent.level != .grassroots { throw AppError.validation(["level": OrgText.groupUnderGrassroots]) }
        if (level == .group) != (kind == .group) { throw AppError.validation(["kind": OrgText.groupKind]) }
        if kind == .organiser, level != .grassroots { throw AppError.validation(["kind": OrgText.organiserKind]) }
        let sameLevelAllowed = (kind == .industrial || kind == .regionalFederation) && parent.kind == .federation
        guard level.rank > parent.level.rank || (level == parent.level && sameLevelAllowed) else {
            throw AppError.validation(["level": OrgText.badLevel])
        }
    }

    func validated(_ input: OrgInput, creating: Bool) throws -> OrgInput {
        var v = Validator()
        var input = input
        input.name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        input.shortName = Self.blankToNil(input.shortName)
        input.address = Self.blankToNil(input.address)
        input.phone = Self.blankToNil(input.phone)
        input.regionCode = Self.blankToNil(input.regionCode)
        v.check(!input.name.isEmpty, "name", OrgText.nameRequired)
        v.check(input.name.count <= 100, "name", OrgText.nameTooLong)
        v.check((input.shortName?.count ?? 0) <= 50, "shortName", PlatformText.tooLong)
        v.check((input.address?.count ?? 0) <= 200, "address", PlatformText.tooLong)
        if creating {
            v.check(input.level != nil, "level", OrgText.levelRequired)
            v.check(input.kind != nil, "kind", OrgText.kindRequired)
        }
        if let code = input.regionCode {
            if !RegionCatalogue.isWellFormed(code) {
                v.fail("regionCode", OrgText.badRegionFormat)
            } else if regions.region(code) == nil {
                v.fail("regionCode", OrgText.unknownRegion)
            }
        }
        if let phone = input.phone {
            v.check(phone.count <= 20 && phone.allSatisfy { $0.isASCII && ($0.isNumber || "-+ ()".contains($0)) },
                    "phone", OrgText.badPhone)
        }
        try v.validate()
        return input
    }

    static func blankToNil(_ text: String?) -> String? {
        let t = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        return t?.isEmpty == false ? t : nil
    }

    static func diff(_ a: Organization, _ b: Organization) -> [String: String] {
        var changes: [String: String] = [:]
        func note(_ field: String, _ x: String?, _ y: String?) {
            if x != y {
                changes["\(field).from"] = x ?? ""
                changes["\(field).to"] = y ?? ""
            }
        }
        note("name", a.name, b.name)
        note("shortName", a.shortName, b.shortName)
        note("regionCode", a.regionCode, b.regionCode)
        note("address", a.address, b.address)
        note("phone", a.phone, b.phone)
        note("kind", a.kind.rawValue, b.kind.rawValue)
        return changes
    }
}
