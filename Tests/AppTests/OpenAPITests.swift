import Foundation
import Hummingbird
import Testing

@testable import App
@testable import Accounts
@testable import Members
@testable import Organizations
@testable import Platform

@Suite struct OpenAPITests {
    @Test func theDocumentMatchesTheRoutes() async throws {
        try await TestApp.run { app in
            let r = try await app.api(.get, "/api/v1/openapi.json", token: nil)
            #expect(r.status == .ok)
            let doc = try #require(r.body as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, ops) in paths { for method in ops.keys { documented.insert("\(method.uppercased()) /api/v1\(path)") } }
            let router = try buildRouter(services: app.services)
            let routed = Set(router.routes.filter { $0.path.description.hasPrefix("/api/v1") && !$0.path.description.hasSuffix("openapi.json") }
                .map { "\($0.method.rawValue) " + $0.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/").replacingOccurrences(of: "^", with: "/", options: .regularExpression) })
            #expect(documented == Set(routed.map { $0.hasPrefix("GET api") ? $0 : $0 }.map { $0.replacingOccurrences(of: " api/", with: " /api/") }))
            // Every $ref points at a defined schema.
            let schemas = Set(((doc["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]).keys)
            let text = r.raw
            for match in text.matches(of: /#\/components\/schemas\/([A-Za-z]+)/) { #expect(schemas.contains(String(match.1))) }
        }
    }

    /// The check every `app.api` call makes must refuse what the document does not say; otherwise the
    /// whole suite passing would prove nothing.
    @Test func conformanceRefusesWhatTheDocumentDoesNotSay() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "admin", role: Role.orgAdmin, at: f.province)
            let token = try await app.token("admin")
            let real = try await app.api(.get, "/api/v1/orgs/\(f.factory.id)", token: token)
            let check = try await OpenAPIConformance.shared {
                Data(buffer: try await app.client.execute(uri: "/api/v1/openapi.json", method: .get).body)
            }
            func problems(_ status: HTTPResponse.Status, _ body: Any, type: String = "application/json", path: String? = nil) throws -> [String] {
                let raw = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                return check.problems(method: .get, uri: path ?? "/api/v1/orgs/\(f.factory.id)", status: status, contentType: type, raw: raw)
            }
            var org = try #require(real.body as? [String: Any])
            #expect(try problems(.ok, org).isEmpty)
            org["surprise"] = 1
            #expect(try problems(.ok, org).contains { $0.contains("property surprise is not in the schema") })
            org["surprise"] = nil
            org["name"] = 42
            #expect(try problems(.ok, org).contains { $0.contains("/name: 42 is not string") })
            org["name"] = nil
            #expect(try problems(.ok, org).contains { $0.contains("missing required name") })
            #expect(try problems(.created, try #require(real.body)).contains { $0.contains("status not documented") })
            #expect(try problems(.notFound, ["title": "x"]).contains { $0.contains("must be application/problem+json") })
            #expect(try problems(.notFound, ["title": "x"], type: "application/problem+json").contains { $0.contains("missing required status") })
            #expect(try problems(.ok, [:], path: "/api/v1/nowhere/1").contains { $0.contains("no such operation") })
        }
    }

    /// Calls the operations no other test reaches through the API, so every operation's responses
    /// are checked against the document by `app.api` at least once.
    @Test func everyOperationIsCalledOnce() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let sys = app.system
            try await Fixture.account(app, "admin", role: Role.orgAdmin, at: f.province)
            let token = try await app.token("admin")
            let other = try await app.services.organizations.createChild(
                of: f.townA2.id, OrgInput(name: "甲二厂工会", level: .grassroots, kind: .grassroots), actor: sys)

            // Accounts: one account, its assignment revoked; roles read and created.
            let clerk = try await Fixture.account(app, "clerk", role: Role.orgAdmin, at: f.factory)
            #expect(try await app.api(.get, "/api/v1/accounts/\(clerk.id)", token: token).status == .ok)
            let assignments = try await app.api(.get, "/api/v1/accounts/\(clerk.id)/assignments", token: token)
            let assignment = try #require(((assignments.body as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value)
            #expect(try await app.api(.delete, "/api/v1/assignments/\(assignment)", token: token).status == .noContent)
            #expect(try await app.api(.get, "/api/v1/roles", token: token).status == .ok)
            try await Fixture.account(app, "root", role: Role.systemAdmin, at: f.province)
            let roleBody: [String: Any] = ["code": "tour_viewer", "name": "巡查员", "permissions": ["org.read"]]
            // A role needs a system administrator (with a second factor): an org admin is refused, as documented.
            #expect(try await app.api(.post, "/api/v1/roles", token: token, json: roleBody).status == .forbidden)

            // Organizations: history and the public view.
            #expect(try await app.api(.get, "/api/v1/orgs/\(f.factory.id)/history", token: token).status == .ok)
            #expect(try await app.api(.get, "/api/v1/public/orgs/\(f.factory.id)", token: nil).status == .ok)

            // Members: an import by file, its progress and bad rows.
            let csv = ImportTests.header + "\n王五,男,1990-06-06,汉族,\(TestIDs.make(5)),13800000005,,,\(f.factory.id),,否,2020-01-01\n坏行,男,x,汉族,123,,,,,,否,\n"
            let started = try await app.api(
                .post, "/api/v1/member-imports?unionId=\(f.factory.id)&fileName=t.csv", token: token, file: Data(csv.utf8))
            #expect(started.status == .accepted)
            let importId = try #require(((started.body as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            try await app.services.imports.run(importId)
            #expect(try await app.api(.get, "/api/v1/member-imports", token: token).status == .ok)
            #expect(try await app.api(.get, "/api/v1/member-imports/\(importId)", token: token).status == .ok)
            let errors = try await app.api(.get, "/api/v1/member-imports/\(importId)/errors", token: token)
            #expect((errors.body as? [Any])?.count == 1, "\(errors.raw)")

            // Members: joining approved; transfers released, accepted and refused.
            let worker = try await app.services.database.transaction { sql in
                try await WorkerStore().insertWorker(phoneCipher: "x", phoneIndex: "tour", phoneMask: "m", passwordHash: "h", now: Date(), on: sql)
            }
            let application = try await app.services.joins.apply(
                workerId: worker, phone: "13912345678", input: MemberInput(name: "张伟", idNumber: TestIDs.make(6)), unionId: f.factory.id,
                workplace: "甲一厂", workplaceHasUnion: true, actor: sys)
            let approved = try await app.api(.post, "/api/v1/join-applications/\(application.id)/approve", token: token)
            #expect(approved.status == .ok)
            let memberId = try #require(((approved.body as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            let moved = try await app.services.transfers.request(memberId: memberId, toUnionId: other.id, note: nil, actor: sys)
            #expect(try await app.api(.get, "/api/v1/transfers", token: token).status == .ok)
            #expect(try await app.api(.post, "/api/v1/transfers/\(moved.id)/release", token: token).status == .ok)
            #expect(try await app.api(.post, "/api/v1/transfers/\(moved.id)/accept", token: token).status == .ok)
            let back = try await app.services.transfers.request(memberId: memberId, toUnionId: f.factory.id, note: nil, actor: sys)
            #expect(try await app.api(.post, "/api/v1/transfers/\(back.id)/refuse", token: token, json: ["reason": "暂不接收"]).status == .noContent)

            // Work orders: the catalogue; notes, assistance and its reply, a pause, supervision.
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: token).status == .ok)
            #expect(try await app.api(.get, "/api/v1/work-order-categories", token: token).status == .ok)
            let sibling = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一二厂工会", level: .grassroots, kind: .grassroots), actor: sys)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let county = try await app.token("county")
            let created = try await app.api(
                .post, "/api/v1/work-orders", token: county,
                json: ["type": "assistance", "category": "wage_arrears", "title": "欠薪", "description": "d", "unionId": f.factory.id,
                       "callerName": "甲", "callerPhone": "13800000009", "channel": "hotline"])
            let order = try #require(((created.body as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            func act(_ path: String, _ body: [String: Any] = [:], as who: String) async throws -> HTTPResponse.Status {
                let response = try await app.api(.post, "/api/v1/work-orders/\(order)/\(path)", token: who, json: body)
                return response.status
            }
            #expect(try await act("accept", as: county) == .ok)
            #expect(try await act("notes", ["note": "已联系企业"], as: county) == .ok)
            #expect(try await act("assist", ["targetOrgId": sibling.id, "note": "请协助核实工资表"], as: county) == .ok)
            let assist = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT id FROM work_order_assists").first()?.decode(column: "id", as: Int64.self)
            }
            let reply = try await app.api(.post, "/api/v1/work-order-assists/\(try #require(assist))/reply", token: county, json: ["note": "已核实"])
            #expect(reply.status == .noContent)
            #expect(try await act("wait", ["note": "请补充工资条"], as: county) == .ok)
            #expect(try await act("resume", as: county) == .ok)
            // Left overdue, it escalates to the township; the province supervises it (a new token: the old one idled out).
            #expect(try await act("resolve", as: county) == .unprocessableContent)
            app.clock.advance(20 * 86400)
            #expect(try await app.services.sla.run().escalated == 1)
            let province = try await app.token("admin")
            #expect(try await act("urge", ["note": "请加快办理"], as: province) == .ok)
            #expect(try await act("take-over", as: province) == .ok)

            // The session last: the token stops working.
            #expect(try await app.api(.delete, "/api/v1/session", token: province).status == .noContent)
            #expect(try await app.api(.get, "/api/v1/session", token: province).status == .unauthorized)
        }
    }
}
