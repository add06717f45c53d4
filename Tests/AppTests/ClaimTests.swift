import Foundation
import Hummingbird
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform

/// 认领会籍: a member the union imported finds themself on the member site by name and ID number.
@Suite struct ClaimTests {
    static func member(_ app: TestApp, _ name: String, _ seq: Int, phone: String, at union: Organization) async throws -> Member {
        try await app.services.members.create(
            MemberInput(name: name, idNumber: TestIDs.make(seq), phone: phone), unionId: union.id, actor: app.system)
    }

    static func claim(_ app: TestApp, _ token: String, _ name: String, _ seq: Int) async throws -> (
        status: HTTPResponse.Status, body: [String: Any]
    ) {
        let r = try await app.api(.post, "/api/v1/me/membership-claims", token: token, json: ["name": name, "idNumber": TestIDs.make(seq)])
        return (r.status, r.body as? [String: Any] ?? [:])
    }

    /// The phone on the union's record is the account's: the membership is the account's at once, audited;
    /// joining again with that ID is pointed to the claim instead.
    @Test func anImportedMemberWithTheSamePhoneClaimsAtOnce() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let m = try await Self.member(app, "郑洁", 90, phone: "13912340020", at: f.factory)
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340020")
            let join = try await app.api(
                .post, "/api/v1/me/join-applications", token: token,
                json: ["name": "郑洁", "idNumber": TestIDs.make(90), "unionId": f.factory.id, "workplace": "甲一厂"])
            #expect(join.status == .conflict && join.raw.contains("认领会籍"))
            // Not the name on record, or not a member: the same answer.
            let wrongName = try await Self.claim(app, token, "郑杰", 90)
            let nobody = try await Self.claim(app, token, "郑洁", 91)
            #expect(
                wrongName.status == .notFound && nobody.status == .notFound
                    && wrongName.body["detail"] as? String == nobody.body["detail"] as? String)
            let claimed = try await Self.claim(app, token, "郑洁", 90)
            #expect(
                claimed.status == .created && claimed.body["status"] as? String == "linked" && claimed.body["union"] as? String == "甲一厂工会")
            let card = try await app.api(.get, "/api/v1/me/card", token: token)
            #expect(card.status == .ok && (card.body as? [String: Any])?["memberNo"] as? String == m.memberNo)
            let audited = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'member.claim' AND object_id = \(bind: String(m.id))")
                    .first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(audited == 1)
            #expect(try await WorkerNoticeTests.messages(app, token).first?.contains("您已认领甲一厂工会的会籍") == true)
            // A second account cannot take it.
            let other = try await WorkerAPITests.workerToken(app, phone: "13912340021")
            #expect(try await Self.claim(app, other, "郑洁", 90).status == .conflict)
        }
    }

    /// Another phone: the union confirms (or refuses with a reason); a cadre of another county neither
    /// sees nor decides it; the console counts it on the workbench.
    @Test func aClaimFromAnotherPhoneWaitsForItsUnion() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "countya1", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "countya2", role: Role.orgAdmin, at: f.countyA2)
            let m = try await Self.member(app, "冯雪", 92, phone: "13912340030", at: f.factory)
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340031")
            let asked = try await Self.claim(app, token, "冯雪", 92)
            #expect(asked.status == .created && asked.body["status"] as? String == "pending")
            #expect(try await app.api(.get, "/api/v1/me/card", token: token).status == .notFound)
            #expect(try await Self.claim(app, token, "冯雪", 92).status == .conflict)  // one pending claim per member

            let a2 = try await app.token("countya2")
            #expect(TestApp.ids(try await app.api(.get, "/api/v1/membership-claims", token: a2).body).isEmpty)
            let a1 = try await app.token("countya1")
            let listed = try await app.api(.get, "/api/v1/membership-claims", token: a1)
            let claimId = try #require(TestApp.ids(listed.body).first)
            #expect(try await app.api(.post, "/api/v1/membership-claims/\(claimId)/approve", token: a2).status == .notFound)
            let web = WebSession(app)
            _ = try await web.login("countya1")
            #expect(try await web.get("/admin").html.contains(#"<span class="todo-count">1</span><span class="todo-label">待确认会籍认领"#))
            #expect(try await web.get("/admin/claims").html.contains("冯雪"))

            let approved = try await app.api(.post, "/api/v1/membership-claims/\(claimId)/approve", token: a1)
            #expect(approved.status == .ok && (approved.body as? [String: Any])?["memberNo"] as? String == m.memberNo)
            #expect(try await app.api(.get, "/api/v1/me/card", token: token).status == .ok)
            #expect(
                try await app.api(.post, "/api/v1/membership-claims/\(claimId)/refuse", token: a1, json: ["reason": "晚了"]).status
                    == .conflict)
            #expect(try await WorkerNoticeTests.texts(app).last?.body.contains("您已认领甲一厂工会的会籍") == true)

            // Refused, with its reason told to the worker.
            _ = try await Self.member(app, "褚明", 93, phone: "13912340032", at: f.factory)
            let third = try await WorkerAPITests.workerToken(app, phone: "13912340033")
            #expect(try await Self.claim(app, third, "褚明", 93).body["status"] as? String == "pending")
            let second = try #require(TestApp.ids(try await app.api(.get, "/api/v1/membership-claims", token: a1).body).first)
            #expect(
                try await app.api(.post, "/api/v1/membership-claims/\(second)/refuse", token: a1, json: ["reason": "电话核实非本人"]).status
                    == .noContent)
            #expect(try await WorkerNoticeTests.messages(app, third).first == "您的会籍认领未通过，原因：电话核实非本人")
        }
    }

    /// The member site's form keeps what was typed when a claim is refused, and shows a sent claim as waiting.
    @Test func theSiteFormKeepsWhatWasTyped() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            _ = try await Self.member(app, "卫红", 94, phone: "13912340040", at: f.factory)
            let site = try await WebSession.worker(app, phone: "13912340041")
            _ = try await site.get("/me")
            let refused = try await site.post("/me/claim", ["name": "卫虹", "idNumber": TestIDs.make(94)])
            #expect(refused.status == .notFound || refused.status == .unprocessableContent)
            #expect(refused.html.contains(#"value="卫虹""#) && refused.html.contains(TestIDs.make(94)) && refused.html.contains("未找到"))
            let sent = try await site.post("/me/claim", ["name": "卫红", "idNumber": TestIDs.make(94)])
            #expect(sent.location == "/me")
            #expect(try await site.get("/me").html.contains("等待 <strong>甲一厂工会</strong> 确认"))
        }
    }

    /// An account holds one membership: a second claim waits for the first, and a claim confirmed
    /// after the worker joined online meanwhile is refused rather than giving the account two.
    @Test func anAccountNeverHoldsTwoMemberships() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "countya1", role: Role.orgAdmin, at: f.countyA1)
            _ = try await Self.member(app, "蒋一", 160, phone: "13912340050", at: f.factory)
            _ = try await Self.member(app, "蒋二", 161, phone: "13912340051", at: f.factory)
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340052")
            #expect(try await Self.claim(app, token, "蒋一", 160).body["status"] as? String == "pending")
            #expect(try await Self.claim(app, token, "蒋二", 161).status == .conflict)
            let applied = try await app.api(
                .post, "/api/v1/me/join-applications", token: token,
                json: ["name": "蒋三", "idNumber": TestIDs.make(162), "unionId": f.factory.id, "workplace": "甲一厂"])
            _ = try await app.services.joins.approve(try #require(WorkerAPITests.number(applied.body, "id")), actor: app.system)
            let a1 = try await app.token("countya1")
            let claimId = try #require(TestApp.ids(try await app.api(.get, "/api/v1/membership-claims", token: a1).body).first)
            #expect(try await app.api(.post, "/api/v1/membership-claims/\(claimId)/approve", token: a1).status == .conflict)
            let linked = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM members WHERE worker_id IS NOT NULL").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(linked == 1)
            // The database holds the rule too: a second record cannot be given the same account.
            do {
                try await app.services.database.transaction { sql in
                    try await sql.raw(
                        "UPDATE members SET worker_id = (SELECT worker_id FROM members WHERE worker_id IS NOT NULL) WHERE name = '蒋二'"
                    ).run()
                }
                Issue.record("a second record took the account")
            } catch {
                #expect(Database.isUniqueViolation(error), "\(String(reflecting: error))")
            }
        }
    }
}
