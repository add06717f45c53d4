import Foundation
import Hummingbird
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform
@testable import WorkOrders

/// What a reader of the audit log and an API client notice: one vocabulary both ways, refusals that
/// say what they are, unknown filters refused rather than ignored.
@Suite struct APIVocabularyTests {
    static func auditNames(_ app: TestApp, _ action: String) async throws -> [(name: String, result: String)] {
        try await app.services.database.withConnection { sql in
            try await sql.raw("SELECT actor_name, result FROM audit_log WHERE action = \(bind: action) ORDER BY id").all().map {
                (try $0.decode(column: "actor_name", as: String.self), try $0.decode(column: "result", as: String.self))
            }
        }
    }

    @Test func aLoginIsAuditedUnderTheAccountTriedAndTheSessionShowsNoInventedGrantDate() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            #expect(
                try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "county", "password": "wrong"]).status
                    == .unauthorized)
            let token = try await app.token("county")
            let entries = try await Self.auditNames(app, "auth.login")
            #expect(entries.map(\.name) == ["county", "county"] && entries.map(\.result) == ["failed", "ok"])
            let session = try await app.api(.get, "/api/v1/session", token: token)
            let assignments = (session.body as? [String: Any])?["assignments"] as? [[String: Any]] ?? []
            #expect(assignments.count == 1 && assignments.allSatisfy { $0["grantedAt"] == nil })
            // An account's roles, where the grant is known, carry it.
            let account = try await app.services.accounts.create(
                NewAccount(username: "clerk", displayName: "张三", password: Fixture.password, homeOrgId: f.factory.id), actor: app.system)
            _ = try await app.services.accounts.grant(
                accountId: account.id, roleCode: Role.memberClerk, orgId: f.factory.id, actor: app.system)
            let roles = try await app.api(.get, "/api/v1/accounts/\(account.id)/assignments", token: token)
            let granted = try #require((roles.body as? [[String: Any]])?.first)
            #expect(granted["grantedAt"] as? String != nil && granted["grantedBy"] as? String != nil)
        }
    }

    @Test func genderAndPeopleHelpedReadAsTheyAreWritten() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            // ID numbers of women (an even 17th digit); the gender given as the API reads it back.
            let created = try await app.api(
                .post, "/api/v1/members", token: token,
                json: ["name": "秦岚", "idNumber": TestIDs.make(96), "gender": "female", "unionId": f.factory.id])
            #expect(created.status == .created, "\(created.raw)")
            #expect((created.body as? [String: Any])?["gender"] as? String == "female")
            let clash = try await app.api(
                .post, "/api/v1/members", token: token,
                json: ["name": "秦山", "idNumber": TestIDs.make(98), "gender": "male", "unionId": f.factory.id])
            #expect(clash.status == .unprocessableContent)

            let order = try await app.services.workOrders.fileByStaff(
                IntakeInput(
                    typeCode: "consultation", categoryCode: "other", title: "咨询", description: "说明", unionId: f.factory.id,
                    callerName: "来电人"), channel: .hotline, actor: app.system)
            try await Fixture.account(app, "handler", role: Role.workOrderHandler, at: f.factory)
            let handler = try await app.token("handler")
            #expect(try await app.api(.post, "/api/v1/work-orders/\(order.id)/accept", token: handler).status == .ok)
            let resolved = try await app.api(
                .post, "/api/v1/work-orders/\(order.id)/resolve", token: handler, json: ["outcome": "已解答", "peopleHelped": 3])
            #expect(resolved.status == .ok, "\(resolved.raw)")
            #expect(((resolved.body as? [String: Any])?["peopleHelped"] as? NSNumber)?.intValue == 3)
        }
    }

    @Test func unknownFiltersAndMissingPermissionsAreRefusedForWhatTheyAre() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "operator", role: Role.hotlineOperator, at: f.countyA1)
            let county = try await app.token("county")
            #expect(try await app.api(.get, "/api/v1/members?migrantWorker=maybe", token: county).status == .badRequest)
            #expect(try await app.api(.get, "/api/v1/members?migrantWorker=true", token: county).status == .ok)
            #expect(try await app.api(.get, "/api/v1/members?unionId=abc", token: county).status == .unprocessableContent)
            let reversed = try await app.api(.get, "/api/v1/work-order-stats?from=2026-11&to=2026-01", token: county)
            #expect(reversed.status == .unprocessableContent && !reversed.raw.contains("月份应写作"))

            let op = try await app.token("operator")
            let created = try await app.api(
                .post, "/api/v1/members", token: op, json: ["name": "秦岚", "idNumber": TestIDs.make(97), "unionId": f.factory.id])
            #expect(created.status == .forbidden)
            #expect(try await Self.auditNames(app, "member.create").map(\.result) == ["denied"])
        }
    }

    /// The member register as an app or a partner's data platform takes it: the same conditions as
    /// the search, masked, in the caller's scope only.
    @Test func theRegisterExportsThroughTheAPIMaskedAndInScope() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "countyb", role: Role.orgAdmin, at: f.countyB1)
            let id = TestIDs.make(140)
            _ = try await app.services.members.create(MemberInput(name: "马兰", idNumber: id), unionId: f.factory.id, actor: app.system)
            let csv = try await app.api(.get, "/api/v1/members/export?format=csv", token: try await app.token("county"))
            #expect(csv.status == .ok && csv.raw.contains("马兰") && !csv.raw.contains(id) && csv.raw.contains(String(id.prefix(6))))
            #expect(
                try await app.api(.get, "/api/v1/members/export?format=pdf", token: try await app.token("county")).status == .badRequest)
            let other = try await app.api(.get, "/api/v1/members/export?format=csv", token: try await app.token("countyb"))
            #expect(other.status == .ok && !other.raw.contains("马兰"))
        }
    }
}
