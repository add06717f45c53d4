import Platform
import SQLKit

/// Other modules keep copies of org paths (role assignments, members, work orders) so that
/// "this subtree" stays one indexed condition for them too. They are told of every path rewrite
/// inside the reorganisation's own transaction, so their copies never disagree with the tree.
public protocol OrgTreeListener: Sendable {
    /// Every path that started with `old` now starts with `new`.
    func subtreeMoved(from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase) async throws
    /// `source` was merged into `target` (its children have already been moved). Runs in the merge's
    /// transaction: whatever a listener needs of `target` is here, it must not look it up on another connection.
    func orgMerged(source: OrgPath, into target: Organization, on sql: any SQLDatabase) async throws
    /// `org` is about to close; throw (an `AppError`) to refuse, e.g. while it still has members.
    func orgClosing(_ org: OrgPath, on sql: any SQLDatabase) async throws
}

extension OrgTreeListener {
    public func orgMerged(source: OrgPath, into target: Organization, on sql: any SQLDatabase) async throws {}
    public func orgClosing(_ org: OrgPath, on sql: any SQLDatabase) async throws {}
}

/// A union's figures kept by another module (members), shown on its page. Declared here, wired in App.
public protocol OrgFigures: Sendable {
    /// Members on the rolls and the retired-kept among them as last summed; nil before the first sum.
    func members(of orgId: Int64) async throws -> (total: Int64, retired: Int64)?
}
