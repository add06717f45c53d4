import Foundation
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

@Suite struct OrganizationTests {
    @Test func createChildValidatesInput() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            // Bad region code, missing name, a grassroots union under a grassroots union.
            var r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/children", token: token,
                                      json: ["name": "", "level": "grassroots", "kind": "grassroots", "regionCode": "999999"])
            #expect(r.status == .unprocessableContent)
            let errors = (r.body as? [String: Any])?["errors"] as? [String: String]
            #expect(errors?["name"] == OrgText.nameRequired)
            #expect(errors?["regionCode"] == OrgText.unknownRegion)
            r = try await app.api(.post, "/api/v1/orgs/\(f.factory.id)/children", token: token,
                                  json: ["name": "车间工会", "level": "grassroots", "kind": "grassroots"])
            #expect(r.status == .unprocessableContent)
            // A county level union cannot be created under a township.
            r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/children", token: token,
                                  json: ["name": "某县总工会", "level": "county", "kind": "federation"])
            #expect(r.status == .unprocessableContent)
            // Good input is created and its history starts.
            r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/children", token: token,
                                  json: ["name": "甲一二厂工会", "level": "grassroots", "kind": "grassroots", "phone": "0311-1234567"])
            #expect(r.status == .created)
            let id = (r.body as? [String: Any])?["id"] as? Int
            #expect((r.body as? [String: Any])?["path"] as? String == f.townA1.path.rawValue + "\(id!)/")
            // The same name twice under one parent is refused.
            r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/children", token: token,
                                  json: ["name": "甲一二厂工会", "level": "grassroots", "kind": "grassroots"])
            #expect(r.status == .unprocessableContent)
            // Outside the county: refused (and the org is invisible: 404).
            r = try await app.api(.post, "/api/v1/orgs/\(f.townA2.id)/children", token: token,
                                  json: ["name": "越权工会", "level": "grassroots", "kind": "grassroots"])
            #expect(r.status == .notFound)
        }
    }

    @Test func moveRewritesTheWholeSubtreeAndKeepsHistory() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let handler = try await Fixture.account(app, "handler", role: Role.viewer, at: f.townA1)
            try await Fixture.account(app, "city", role: Role.orgAdmin, at: f.cityA)
            let token = try await app.token("city")
            // Move 甲一镇 (with its factory) from 甲一县 to 甲二县.
            let r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/move", token: token,
                                      json: ["parentId": f.countyA2.id, "note": "撤并调整"])
            #expect(r.status == .ok, "\(r.raw)")
            let orgs = app.services.organizations
            let town = try await orgs.get(f.townA1.id, actor: app.system)
            let factory = try await orgs.get(f.factory.id, actor: app.system)
            #expect(town.parentId == f.countyA2.id)
            #expect(town.path == f.countyA2.path.child(f.townA1.id))
            #expect(factory.path == town.path.child(f.factory.id))
            #expect(factory.depth == town.depth + 1)
            #expect(try await orgs.get(f.countyA1.id, actor: app.system).childCount == 0)
            #expect(try await orgs.get(f.countyA2.id, actor: app.system).childCount == 2)
            // Nothing left behind under the old path.
            let stale = try await app.services.database.withConnection { sql in
                try await sql.select().column("id").from("organizations")
                    .where("path", .greaterThanOrEqual, f.townA1.path.rawValue).where("path", .lessThan, f.townA1.path.upperBound).all()
            }
            #expect(stale.isEmpty)
            // Copies of paths elsewhere moved too: the handler's role and home follow the town.
            let principal = try await app.services.auth.principal(username: handler.username)
            #expect(principal.assignments.first?.orgPath == town.path)
            #expect(try await app.services.accounts.get(handler.id, actor: app.system).homeOrgPath == town.path)
            // History: on the org, and on both parents.
            let history = try await orgs.history(of: town.id, actor: app.system, page: PageRequest()).items
            #expect(history.first?.action == .move)
            #expect(history.first?.changes["parent.from"] == f.countyA1.name)
            #expect(history.first?.changes["parent.to"] == f.countyA2.name)
            #expect(history.first?.note == "撤并调整")
            #expect(try await orgs.history(of: f.countyA1.id, actor: app.system, page: PageRequest()).items.first?.action == .childMovedOut)
            #expect(try await orgs.history(of: f.countyA2.id, actor: app.system, page: PageRequest()).items.first?.action == .childMovedIn)
        }
    }

    @Test func moveRefusesCyclesAndForeignTargets() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "city", role: Role.orgAdmin, at: f.cityA)
            let token = try await app.token("city")
            // Into its own subtree.
            var r = try await app.api(.post, "/api/v1/orgs/\(f.countyA1.id)/move", token: token, json: ["parentId": f.townA1.id])
            #expect(r.status == .conflict)
            // To another city's county: outside the scope, so the target is "not found".
            r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/move", token: token, json: ["parentId": f.countyB1.id])
            #expect(r.status == .notFound)
            // Moving its own root (the city) is a decision for the province.
            r = try await app.api(.post, "/api/v1/orgs/\(f.cityA.id)/move", token: token, json: ["parentId": f.cityA.id])
            #expect(r.status == .forbidden || r.status == .conflict)
            // The root cannot move at all.
            try await Fixture.account(app, "prov", role: Role.orgAdmin, at: f.province)
            r = try await app.api(.post, "/api/v1/orgs/\(f.province.id)/move", token: try await app.token("prov"),
                                  json: ["parentId": f.cityA.id])
            #expect(r.status == .conflict)
            // Denials are audited.
            let denied = try await app.services.audit.list(actor: app.system, filter: AuditFilter(result: .denied), page: PageRequest(), roots: [])
            #expect(denied.items.contains { $0.action == "org.move" && $0.objectId == String(f.cityA.id) })
        }
    }

    @Test func mergeMovesChildrenAndMarksTheSourceMerged() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "city", role: Role.orgAdmin, at: f.cityA)
            let r = try await app.api(.post, "/api/v1/orgs/\(f.countyA1.id)/merge", token: try await app.token("city"),
                                      json: ["targetId": f.countyA2.id, "note": "合并同类项"])
            #expect(r.status == .ok, "\(r.raw)")
            let orgs = app.services.organizations
            let source = try await orgs.get(f.countyA1.id, actor: app.system)
            #expect(source.status == .merged && source.mergedInto == f.countyA2.id)
            let town = try await orgs.get(f.townA1.id, actor: app.system)
            #expect(town.parentId == f.countyA2.id && town.path == f.countyA2.path.child(town.id))
            #expect(try await orgs.get(f.factory.id, actor: app.system).path == town.path.child(f.factory.id))
            let children = try await orgs.children(of: f.countyA2.id, actor: app.system, page: PageRequest()).items.map(\.id)
            #expect(Set(children) == [f.townA1.id, f.townA2.id])
            #expect(try await orgs.get(f.cityA.id, actor: app.system).childCount == 1)
            #expect(try await orgs.history(of: f.countyA2.id, actor: app.system, page: PageRequest()).items.first?.action == .mergedFrom)
            // A merged union takes no more changes.
            let again = try await app.api(.post, "/api/v1/orgs/\(f.countyA1.id)/close", token: try await app.token("city"), json: [:])
            #expect(again.status == .conflict)
        }
    }

    @Test func closeNeedsNoActiveChildrenAndRenameKeepsTheOldName() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            var r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/close", token: token, json: ["note": "撤销"])
            #expect(r.status == .conflict)
            r = try await app.api(.patch, "/api/v1/orgs/\(f.factory.id)", token: token, json: ["name": "甲一厂新名工会"])
            #expect(r.status == .ok)
            r = try await app.api(.post, "/api/v1/orgs/\(f.factory.id)/close", token: token, json: ["note": "企业注销"])
            #expect(r.status == .ok)
            #expect((r.body as? [String: Any])?["status"] as? String == "closed")
            let history = try await app.services.organizations.history(of: f.factory.id, actor: app.system, page: PageRequest()).items
            #expect(history.map(\.action) == [.close, .rename, .create])
            #expect(history[1].changes["name.from"] == "甲一厂工会" && history[1].changes["name.to"] == "甲一厂新名工会")
            #expect(try await app.services.organizations.get(f.townA1.id, actor: app.system).childCount == 0)
            r = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/close", token: token, json: [:])
            #expect(r.status == .ok)
        }
    }

    @Test func publicSearchShowsOnlyPublicFieldsOfActiveUnions() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let r = try await app.api(.get, "/api/v1/public/orgs?q=%E7%94%B2%E4%B8%80", token: nil)
            #expect(r.status == .ok)
            let items = (r.body as? [String: Any])?["items"] as? [[String: Any]] ?? []
            #expect(Set(items.compactMap { $0["name"] as? String }) == ["甲一县总工会", "甲一镇总工会", "甲一厂工会"])
            #expect(items.allSatisfy { $0["path"] == nil && $0["status"] == nil })
            _ = f
        }
    }

    @Test func searchByRegionCodePrefixAndPaging() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "prov", role: Role.orgAdmin, at: f.province)
            let token = try await app.token("prov")
            var r = try await app.api(.get, "/api/v1/orgs?q=1301", token: token)
            #expect(Set(TestApp.ids(r.body)) == [f.cityA.id, f.countyA1.id])
            // Keyset paging walks every org exactly once.
            var seen: [Int64] = []
            var uri = "/api/v1/orgs?limit=2"
            while true {
                r = try await app.api(.get, uri, token: token)
                seen += TestApp.ids(r.body)
                guard let next = (r.body as? [String: Any])?["nextCursor"] as? String else { break }
                uri = "/api/v1/orgs?limit=2&after=\(next)"
            }
            #expect(seen.count == 9 && Set(seen).count == 9)
            r = try await app.api(.get, "/api/v1/orgs?limit=500", token: token)
            #expect(r.status == .badRequest)
        }
    }
}
