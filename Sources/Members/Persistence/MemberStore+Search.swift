import Foundation
import Platform
import SQLKit

/// Which members a search asks for: the filters of the member list, already turned into indexes.
struct MemberFilter: Sendable {
    enum Match: Sendable {
        case idIndex(String), phoneIndex(String), memberNo(String)
        /// A name prefix, read in (name, id) order.
        case namePrefix(String)
    }

    /// Where a page starts: after this id, or after this (name, id) when the search is by name.
    enum After: Sendable {
        case id(Int64)
        case name(String, Int64)
    }

    var scope: Scope
    var subtree: OrgPath?
    var status: MembershipStatus?
    var migrantWorker: Bool?
    var match: Match?
}

extension MemberStore {
    func members(_ f: MemberFilter, after: MemberFilter.After?, limit: Int, on sql: any SQLDatabase) async throws -> [Member] {
        let q = sql.select().column("*").from("members").where("org_path", in: f.scope)
        if let subtree = f.subtree { q.where("org_path", in: Scope([subtree])) }
        if let status = f.status { q.where("status", .equal, status.rawValue) }
        if let migrant = f.migrantWorker { q.where("migrant_worker", .equal, migrant) }
        var byName = false
        switch f.match {
        case nil: break
        case .idIndex(let index): q.where("id_index", .equal, index)
        case .phoneIndex(let index): q.where("phone_index", .equal, index)
        case .memberNo(let no): q.where("member_no", .equal, no)
        case .namePrefix(let text):
            // A prefix as a byte range, which the (name, id) index answers.
            q.where("name", .greaterThanOrEqual, text).where("name", .lessThan, text + "\u{10FFFF}")
            byName = true
        }
        switch after {
        case .name(let name, let id) where byName:
            q.where(SQLBinaryExpression(
                SQLGroupExpression(SQLList([SQLColumn("name"), SQLColumn("id")])), .greaterThan,
                SQLGroupExpression(SQLList([SQLBind(name), SQLBind(id)]))))
        case .id(let id) where !byName: q.where("id", .greaterThan, id)
        default: break
        }
        if byName { q.orderBy("name") }
        return try await q.orderBy("id").limit(limit).all(decoding: Member.self)
    }

    func members(ids: [Int64], on sql: any SQLDatabase) async throws -> [Member] {
        guard !ids.isEmpty else { return [] }
        return try await sql.select().column("*").from("members").where("id", .in, ids).all(decoding: Member.self)
    }

    /// Whether the union still has counted members (active or retired keeping membership).
    func hasCountedMembers(_ org: OrgPath, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.select().column("id").from("members").where("org_path", .equal, org.rawValue)
            .where("status", .in, [MembershipStatus.active.rawValue, MembershipStatus.retiredKept.rawValue]).limit(1).first() != nil
    }
}
