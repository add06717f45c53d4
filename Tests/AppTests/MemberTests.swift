import Platform
import Foundation
import Hummingbird
import NIOCore
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform

/// ID numbers for tests: valid, with a real region code of the fixture's area.
enum TestIDs {
    static func make(_ n: Int, region: String = "130123", year: Int = 1990) -> String {
        IDNumber.make(region: region, birth: CivilDate(year: year, month: 1 + n % 12, day: 1 + n % 28)!, sequence: n % 1000).value
    }
}

@Suite struct MemberFlowTests {
    @Test func workerRegistersJoinsAndTheUnionApproves() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "factory", role: Role.orgAdmin, at: f.factory)
            let phone = "13812345678"
            // Register with an SMS code (the development sender keeps it in the outbox).
            let site = WebSession(app)
            _ = try await site.get("/me/register")
            #expect(try await site.post("/me/register", ["phone": phone, "action": "code"]).status == .ok)
            let body = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT body FROM sms_outbox ORDER BY id DESC LIMIT 1").first()!.decode(column: "body", as: String.self)
            }
            let code = String(body.firstMatch(of: /\d{6}/)!.0)
            #expect(try await site.post("/me/register", ["phone": phone, "code": "000000", "password": "Worker!2026", "action": "register"]).status
                    == .unprocessableContent || code == "000000")
            let done = try await site.post("/me/register", ["phone": phone, "code": code, "password": "Worker!2026", "action": "register"])
            #expect(done.location == "/me/join")
            // Apply with bad data: every problem named, nothing stored.
            _ = try await site.get("/me/join?unionq=%E7%94%B2%E4%B8%80%E5%8E%82")
            var page = try await site.post("/me/join", ["name": "", "idNumber": "130123199001011235", "unionId": "\(f.factory.id)", "workplace": ""])
            #expect(page.status == .unprocessableContent)
            #expect(page.html.contains(MemberText.nameRequired) && page.html.contains(MemberText.workplaceRequired))
            let id = TestIDs.make(7)
            page = try await site.post("/me/join", ["name": "李红", "idNumber": id, "unionId": "\(f.factory.id)", "workplace": "甲一厂",
                                                    "workplaceHasUnion": "1", "ethnicity": "汉族", "migrantWorker": "是"])
            #expect(page.location == "/me")
            #expect(try await site.get("/me").html.contains("待审核"))
            // The union approves in the console.
            let cadre = WebSession(app)
            #expect(try await cadre.login("factory") == "/admin")
            let list = try await cadre.get("/admin/applications")
            #expect(list.html.contains("李红") && list.html.contains(String(id.prefix(6)) + "********"))
            let appId = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT id FROM join_applications").first()!.decode(column: "id", as: Int64.self)
            }
            #expect(try await cadre.post("/admin/applications/\(appId)/approve", [:]).status == .seeOther)
            // The worker sees the outcome: member number and e-card.
            let me = try await site.get("/me")
            #expect(me.html.contains("会员编号") && me.html.contains("已批准"))
            #expect(try await site.get("/me/card").html.contains("甲一厂工会"))
            // The same person cannot join twice.
            await #expect(throws: AppError.self) {
                _ = try await app.services.joins.apply(workerId: 1, phone: phone, input: MemberInput(name: "李红", idNumber: id),
                                                       unionId: f.factory.id, workplace: "x", workplaceHasUnion: true, actor: app.system)
            }
        }
    }

    @Test func rejectionNeedsAReasonAndTheWorkerSeesIt() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let workerId = try await makeWorker(app)
            let application = try await app.services.joins.apply(
                workerId: workerId, phone: "13912345678", input: MemberInput(name: "张伟", idNumber: TestIDs.make(3)), unionId: f.townA1.id,
                workplace: "某小店（未建会）", workplaceHasUnion: false, actor: app.system)
            try await Fixture.account(app, "town", role: Role.orgAdmin, at: f.townA1)
            let token = try await app.token("town")
            var r = try await app.api(.post, "/api/v1/join-applications/\(application.id)/reject", token: token, json: ["reason": ""])
            #expect(r.status == .unprocessableContent)
            r = try await app.api(.post, "/api/v1/join-applications/\(application.id)/reject", token: token, json: ["reason": "请提供劳动关系证明"])
            #expect(r.status == .noContent)
            let mine = try await app.services.joins.applications(ofWorker: workerId)
            #expect(mine.first?.status == .rejected && mine.first?.reason == "请提供劳动关系证明")
            // Another union's cadre never sees it.
            try await Fixture.account(app, "other", role: Role.orgAdmin, at: f.townA2)
            r = try await app.api(.get, "/api/v1/join-applications?status=rejected", token: try await app.token("other"))
            #expect(TestApp.ids(r.body).isEmpty)
        }
    }

    @Test func transferNeedsBothSidesAndKeepsHistory() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let sys = app.system
            let b = try await app.services.organizations.createChild(
                of: f.townA2.id, OrgInput(name: "甲二厂工会", level: .grassroots, kind: .grassroots), actor: sys)
            let member = try await app.services.members.create(MemberInput(name: "王强", idNumber: TestIDs.make(11)), unionId: f.factory.id,
                                                               actor: sys)
            try await Fixture.account(app, "from.union", role: Role.orgAdmin, at: f.factory)
            try await Fixture.account(app, "to.union", role: Role.orgAdmin, at: b)
            let from = try await app.token("from.union")
            let to = try await app.token("to.union")
            var r = try await app.api(.post, "/api/v1/members/\(member.id)/transfers", token: from, json: ["unionId": b.id, "note": "调动"])
            #expect(r.status == .created)
            let tid = ((r.body as? [String: Any])?["id"] as? NSNumber)!.int64Value
            // The new union cannot release; the old one cannot accept.
            #expect(try await app.api(.post, "/api/v1/transfers/\(tid)/release", token: to).status == .forbidden)
            #expect(try await app.api(.post, "/api/v1/transfers/\(tid)/accept", token: from).status == .forbidden)
            r = try await app.api(.post, "/api/v1/transfers/\(tid)/release", token: from)
            #expect((r.body as? [String: Any])?["status"] as? String == "pending")
            r = try await app.api(.post, "/api/v1/transfers/\(tid)/accept", token: to)
            #expect((r.body as? [String: Any])?["status"] as? String == "completed")
            let moved = try await app.services.members.get(member.id, actor: sys)
            #expect(moved.orgId == b.id && moved.orgPath == b.path)
            let history = try await app.services.members.memberships(of: member.id, actor: sys)
            #expect(history.count == 2 && history[0].orgId == b.id && history[0].endedOn == nil && history[1].endedOn != nil)
            // The old union no longer sees the member.
            #expect(try await app.api(.get, "/api/v1/members/\(member.id)", token: from).status == .notFound)
            // Counters moved with the member.
            try await app.services.rollups.run()
            let d = try await app.services.rollups.dashboard(actor: sys, orgId: f.province.id, sort: .name, ascending: true)
            #expect(d.root.active == 1)
        }
    }

    @Test func mergingUnionsMovesTheirMembersAndClosingIsRefusedWhileMembersRemain() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let sys = app.system
            let other = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一二厂工会", level: .grassroots, kind: .grassroots), actor: sys)
            for n in 0..<3 { _ = try await app.services.members.create(MemberInput(name: "员工\(n)", idNumber: TestIDs.make(20 + n)), unionId: other.id, actor: sys) }
            await #expect(throws: AppError.self) { _ = try await app.services.organizations.close(other.id, note: nil, actor: sys) }
            _ = try await app.services.organizations.merge(other.id, into: f.factory.id, note: "合并", actor: sys)
            let inFactory = try await app.services.members.search(MemberQuery(orgId: f.factory.id), actor: sys, page: PageRequest())
            #expect(inFactory.items.count == 3)
            #expect(inFactory.items.allSatisfy { $0.orgPath == f.factory.path })
        }
    }

    @Test func searchRevealAndScopeOfEveryMemberEndpoint() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let sys = app.system
            let id = TestIDs.make(42)
            let member = try await app.services.members.create(
                MemberInput(name: "赵敏", idNumber: id, phone: "13711112222"), unionId: f.factory.id, actor: sys)
            let outside = try await app.services.organizations.createChild(
                of: f.townA2.id, OrgInput(name: "甲二厂工会", level: .grassroots, kind: .grassroots), actor: sys)
            let stranger = try await app.services.members.create(MemberInput(name: "赵刚", idNumber: TestIDs.make(43)), unionId: outside.id, actor: sys)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "viewer", role: Role.viewer, at: f.countyA1)
            let token = try await app.token("county")
            // By ID number (exact, blind index), phone, member number and name prefix.
            for q in [id, "137-1111-2222", member.memberNo, "赵"] {
                let r = try await app.api(.get, "/api/v1/members?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: token)
                #expect(TestApp.ids(r.body) == [member.id], "query \(q)")
            }
            // Masked everywhere; the reveal wants a reason and is audited.
            let got = try await app.api(.get, "/api/v1/members/\(member.id)", token: token)
            #expect((got.body as? [String: Any])?["idNumber"] as? String == member.idMask && !got.raw.contains(id))
            #expect(try await app.api(.post, "/api/v1/members/\(member.id)/reveal", token: token, json: ["field": "id_number", "reason": ""]).status
                    == .unprocessableContent)
            let revealed = try await app.api(.post, "/api/v1/members/\(member.id)/reveal", token: token, json: ["field": "id_number", "reason": "核对身份"])
            #expect((revealed.body as? [String: Any])?["value"] as? String == id)
            let audit = try await app.services.audit.list(actor: sys, filter: AuditFilter(action: "member.reveal"), page: PageRequest(), roots: [])
            #expect(audit.items.first?.detailFields["reason"] == "核对身份")
            // A viewer may read but not reveal.
            let viewer = try await app.token("viewer")
            #expect(try await app.api(.post, "/api/v1/members/\(member.id)/reveal", token: viewer, json: ["field": "phone", "reason": "看看"]).status
                    == .forbidden)
            // Outside the county: invisible to every endpoint.
            for (method, path): (HTTPRequest.Method, String) in [
                (.get, "/api/v1/members/\(stranger.id)"), (.patch, "/api/v1/members/\(stranger.id)"),
                (.get, "/api/v1/members/\(stranger.id)/memberships"), (.post, "/api/v1/members/\(stranger.id)/reveal"),
                (.post, "/api/v1/members/\(stranger.id)/status"), (.post, "/api/v1/members/\(stranger.id)/transfers"),
            ] {
                let r = try await app.api(method, path, token: token, json: ["name": "x", "field": "phone", "reason": "xx", "status": "lapsed", "unionId": f.factory.id])
                #expect(r.status == .notFound, "\(method) \(path)")
            }
            let all = try await app.api(.get, "/api/v1/members?q=%E8%B5%B5", token: token)
            #expect(TestApp.ids(all.body) == [member.id])
            #expect(try await app.api(.get, "/api/v1/members?unionId=\(outside.id)", token: token).status == .notFound)
            #expect(try await app.api(.get, "/api/v1/member-dashboard?unionId=\(f.cityA.id)", token: token).status == .notFound)
        }
    }

    func makeWorker(_ app: TestApp) async throws -> Int64 {
        try await app.services.database.transaction { sql in
            try await sql.raw("INSERT INTO workers (phone_cipher, phone_index, phone_mask, password_hash, failed_logins, created_at) VALUES ('x', 'i', 'm', 'h', 0, \(bind: Date())) RETURNING id")
                .first()!.decode(column: "id", as: Int64.self)
        }
    }
}

@Suite struct MemberValidatorTests {
    @Test func datesFromExcelSerialNumbersAndText() {
        #expect(MemberValidator.date("45123") == CivilDate(year: 2023, month: 7, day: 16))
        #expect(MemberValidator.date("2023/7/14") == CivilDate(year: 2023, month: 7, day: 14))
        #expect(MemberValidator.date("20230714") == CivilDate(year: 2023, month: 7, day: 14))
        #expect(MemberValidator.date("7/14") == nil)
    }
}
