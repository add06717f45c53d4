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

/// Workers are told what happens to what they asked for (in the app and by SMS), and a cadre's
/// workbench counts what waits for them, in their scope.
@Suite struct WorkerNoticeTests {
    /// The worker's messages through the API, newest first.
    static func messages(_ app: TestApp, _ token: String) async throws -> [String] {
        let got = try await app.api(.get, "/api/v1/me/messages", token: token)
        return (got.body as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
    }

    /// Text messages sent so far, oldest first, as (masked phone, body).
    static func texts(_ app: TestApp) async throws -> [(phone: String, body: String)] {
        try await app.services.database.withConnection { sql in
            try await sql.raw("SELECT phone_mask, body FROM sms_outbox ORDER BY id").all().map {
                (try $0.decode(column: "phone_mask", as: String.self), try $0.decode(column: "body", as: String.self))
            }
        }
    }

    static func events(_ body: Any?) -> [[String: Any]] { (body as? [String: Any])?["events"] as? [[String: Any]] ?? [] }

    /// Accepted and transferred requests are told to the worker with the new union and deadline, in
    /// the app and by SMS; the cadre's 转办说明 stays internal unless marked for the worker.
    @Test func aWorkerIsToldOfAcceptanceAndTransferAndTheTransferNoteStaysInternal() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340011")
            // Not yet a member, she gives her name; the error speaks to her, not to a hotline operator.
            let nameless = try await app.api(
                .post, "/api/v1/me/requests", token: token,
                json: ["type": "consultation", "category": "other", "title": "咨询", "description": "说明", "unionId": f.factory.id])
            #expect(((nameless.body as? [String: Any])?["errors"] as? [String: String])?["callerName"] == "请填写您的姓名")
            let filed = try await app.api(
                .post, "/api/v1/me/requests", token: token,
                json: [
                    "type": "assistance", "category": "wage_arrears", "title": "工资拖欠两个月", "description": "9–10 月工资未发",
                    "unionId": f.factory.id, "callerName": "孙丽",
                ])
            #expect(filed.status == .created, "\(filed.raw)")
            let id = try #require((((filed.body as? [String: Any])?["request"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            let factory = try await app.token(try await WorkerAPITests.handler(app, at: f.factory))
            let town = try await app.token(try await WorkerAPITests.handler(app, at: f.townA1))
            let sentBefore = try await Self.texts(app).count

            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: factory).status == .ok)
            #expect(try await Self.messages(app, token).first?.contains("已由甲一厂工会受理") == true)

            let secret = "企业负责人态度强硬，仅供内部掌握"
            let moved = try await app.api(
                .post, "/api/v1/work-orders/\(id)/transfer", token: factory, json: ["targetOrgId": f.townA1.id, "note": secret])
            #expect(moved.status == .ok, "\(moved.raw)")
            let told = try #require(try await Self.messages(app, token).first)
            #expect(told.contains("已转至甲一镇总工会办理") && told.contains(/办理期限至 \d{4}年\d{1,2}月\d{1,2}日/) && !told.contains(secret))
            let mine = Self.events(try await app.api(.get, "/api/v1/me/requests/\(id)", token: token).body)
            #expect(mine.contains { ($0["note"] as? String)?.contains("甲一厂工会 → 甲一镇总工会") == true })
            #expect(!mine.contains { ($0["note"] as? String)?.contains(secret) == true })
            // The handlers still read it, as an internal entry.
            let staff = try await app.api(.get, "/api/v1/work-orders/\(id)/events", token: town).body as? [[String: Any]] ?? []
            #expect(staff.contains { $0["note"] as? String == secret && $0["isPublic"] as? Bool == false })

            // Marked for the worker, the note is theirs too.
            let shared = "请提供劳动合同复印件，企业工会将协助核实"
            let back = try await app.api(
                .post, "/api/v1/work-orders/\(id)/transfer", token: town,
                json: ["targetOrgId": f.factory.id, "note": shared, "tellWorker": true])
            #expect(back.status == .ok, "\(back.raw)")
            #expect(try await Self.messages(app, token).first?.contains("说明：\(shared)") == true)
            let after = Self.events(try await app.api(.get, "/api/v1/me/requests/\(id)", token: token).body)
            #expect(after.contains { ($0["note"] as? String)?.contains(shared) == true })

            // One text per step, to the caller's phone.
            let texts = try await Self.texts(app).dropFirst(sentBefore)
            #expect(texts.map(\.body).filter { $0.contains("受理") }.count == 1)
            #expect(texts.map(\.body).filter { $0.contains("已转至") }.count == 2)
            #expect(texts.allSatisfy { $0.phone.hasSuffix("0011") })
        }
    }

    /// A refused application, an approved one, a membership transfer done and one refused: each
    /// reaches the worker in the app and by SMS, and both unions are told of the transfer.
    @Test func aWorkerIsToldOfEachDecisionOnTheirMembership() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let other = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340012")
            func apply() async throws -> Int64 {
                let applied = try await app.api(
                    .post, "/api/v1/me/join-applications", token: token,
                    json: ["name": "赵敏", "idNumber": TestIDs.make(77), "unionId": f.factory.id, "workplace": "甲一厂"])
                #expect(applied.status == .created, "\(applied.raw)")
                return WorkerAPITests.number(applied.body, "id") ?? -1
            }
            try await app.services.joins.reject(try await apply(), reason: "请先与单位确认劳动关系", actor: app.system)
            #expect(try await Self.messages(app, token).first == "您加入甲一厂工会的申请未通过，原因：请先与单位确认劳动关系")
            #expect(try await Self.texts(app).last?.body.contains("申请未通过") == true)

            let member = try await app.services.joins.approve(try await apply(), actor: app.system)
            #expect(try await Self.messages(app, token).first?.contains("申请已通过") == true)
            #expect(try await Self.messages(app, token).first?.contains(member.memberNo) == true)
            #expect(try await Self.texts(app).last?.body.contains("欢迎成为工会会员") == true)

            // She asks to move; both unions have a notice to confirm it.
            let asked = try await app.api(.post, "/api/v1/me/transfers", token: token, json: ["unionId": other.id])
            #expect(asked.status == .created, "\(asked.raw)")
            let transferId = try #require(WorkerAPITests.number(asked.body, "id"))
            let orgNotices = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT org_id, text FROM notifications WHERE org_id IS NOT NULL AND kind = 'transfer' ORDER BY id").all()
                    .map { (try $0.decode(column: "org_id", as: Int64.self), try $0.decode(column: "text", as: String.self)) }
            }
            #expect(Set(orgNotices.map(\.0)) == [f.factory.id, other.id])
            #expect(orgNotices.allSatisfy { $0.1.contains("赵敏") && $0.1.contains("甲一厂工会 → 甲一二厂工会") })
            _ = try await app.services.transfers.act(transferId, side: .release, actor: app.system)
            #expect(try await Self.messages(app, token).first?.contains("会籍已由") != true)  // half done: nothing to tell yet
            _ = try await app.services.transfers.act(transferId, side: .accept, actor: app.system)
            #expect(try await Self.messages(app, token).first == "您的会籍已由甲一厂工会转入甲一二厂工会，会员卡随之更新。")
            #expect(try await Self.texts(app).last?.body.contains("已转入甲一二厂工会") == true)

            // A second move, refused with its reason.
            let again = try await app.api(.post, "/api/v1/me/transfers", token: token, json: ["unionId": f.factory.id])
            let againId = try #require(WorkerAPITests.number(again.body, "id"))
            try await app.services.transfers.refuse(againId, reason: "未在该单位就业", actor: app.system)
            #expect(try await Self.messages(app, token).first == "您的会籍接转未通过，原因：未在该单位就业")
            #expect(try await Self.texts(app).allSatisfy { $0.phone.hasSuffix("0012") })
        }
    }

    /// The console's 工作台 counts what waits for each cadre, links to the list that holds it, and
    /// counts nothing outside the cadre's scope.
    @Test func theWorkbenchCountsEachCadresToDosInTheirScope() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "countya1", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "countya2", role: Role.orgAdmin, at: f.countyA2)
            let handler = try await WorkerAPITests.handler(app, at: f.factory)
            WorkOrderTests().setDay(app, "2026-11-02")  // a Monday
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340013")
            let applied = try await app.api(
                .post, "/api/v1/me/join-applications", token: token,
                json: ["name": "钱进", "idNumber": TestIDs.make(78), "unionId": f.factory.id, "workplace": "甲一厂"])
            #expect(applied.status == .created)
            let filed = try await app.api(
                .post, "/api/v1/me/requests", token: token,
                json: [
                    "type": "consultation", "category": "other", "title": "咨询年休假", "description": "入职一年能休几天", "unionId": f.factory.id,
                    "callerName": "钱进",
                ])
            let id = try #require((((filed.body as? [String: Any])?["request"] as? [String: Any])?["id"] as? NSNumber)?.int64Value)

            func todos(_ username: String) async throws -> [String: (count: Int, href: String)] {
                let web = WebSession(app)
                _ = try await web.login(username)
                let html = try await web.get("/admin").html
                var found: [String: (Int, String)] = [:]
                for m in html.matches(of: /href="([^"]+)"><span class="todo-count">([\d,]+)<\/span><span class="todo-label">([^<]+)</) {
                    found[String(m.3)] = (
                        Int(m.2.replacingOccurrences(of: ",", with: "")) ?? -1, m.1.replacingOccurrences(of: "&amp;", with: "&")
                    )
                }
                return found
            }
            var mine = try await todos(handler)
            #expect(mine["待受理工单"]?.count == 1 && mine["待受理工单"]?.href == "/admin/work-orders?queue=org&status=submitted")
            #expect(mine["我在办的工单"]?.count == 0 && mine["即将超期"]?.count == 1)  // a consultation is due the next working day
            #expect(mine["待审核入会"] == nil)  // a handler decides no applications
            #expect(try await todos("countya1")["待审核入会"]?.count == 1)
            #expect(try await todos("countya2")["待审核入会"]?.count == 0)
            // The hotline operator's day starts at 12351 热线: a shortcut on the workbench.
            try await Fixture.account(app, "operator", role: Role.hotlineOperator, at: f.countyA1)
            let operatorWeb = WebSession(app)
            _ = try await operatorWeb.login("operator")
            #expect(try await operatorWeb.get("/admin").html.contains(#"<a class="btn" href="/admin/hotline">12351 热线</a>"#))

            // Accepted, it is the handler's own and still due soon; past its deadline, overdue.
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: try await app.token(handler)).status == .ok)
            mine = try await todos(handler)
            #expect(mine["待受理工单"]?.count == 0 && mine["我在办的工单"]?.count == 1 && mine["即将超期"]?.count == 1)
            let soon = try await app.api(.get, "/api/v1/work-orders?queue=due_soon", token: try await app.token(handler))
            #expect(TestApp.ids(soon.body) == [id])
            // The order page names the deadline as a day and the working days left.
            let page = WebSession(app)
            _ = try await page.login(handler)
            #expect(
                try await page.get("/admin/work-orders/\(id)").html.contains(
                    #"11月3日 <span class="badge badge-level" id="order-remaining">剩余 1 个工作日</span>"#))
            WorkOrderTests().setDay(app, "2026-11-16")
            mine = try await todos(handler)
            #expect(mine["即将超期"]?.count == 0 && mine["已超期"]?.count == 1)
            _ = try await page.login(handler)
            #expect(try await page.get("/admin/work-orders/\(id)").html.contains("已超期 9 个工作日"))
        }
    }
}

extension WorkerNoticeTests {
    /// 接收 (会籍管理办法: 动态接转): the new union starts the transfer of a worker who already works
    /// there; the old union releases; both unions and the member are told. A cadre names the member
    /// by ID number and name, and a miss does not say which of the two was wrong; no cadre receives
    /// into a union outside their scope.
    @Test func aTransferStartedByTheNewUnionCompletesWithBothUnionsAndTheMemberTold() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let newUnion = try await app.services.organizations.createChild(
                of: f.townA2.id, OrgInput(name: "甲二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            try await Fixture.account(app, "countya1", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "countya2", role: Role.orgAdmin, at: f.countyA2)
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340014")
            let idNumber = TestIDs.make(79)
            let applied = try await app.api(
                .post, "/api/v1/me/join-applications", token: token,
                json: ["name": "周洁", "idNumber": idNumber, "unionId": f.factory.id, "workplace": "甲一厂"])
            _ = try await app.services.joins.approve(try #require(WorkerAPITests.number(applied.body, "id")), actor: app.system)

            let a2 = try await app.token("countya2")
            func receive(_ json: [String: Any]) async throws -> (status: HTTPResponse.Status, body: Any?) {
                let r = try await app.api(.post, "/api/v1/transfers/incoming", token: a2, json: json)
                return (r.status, r.body)
            }
            let wrongName = try await receive(["idNumber": idNumber, "name": "周杰", "unionId": newUnion.id])
            let unknownID = try await receive(["idNumber": TestIDs.make(80), "name": "周洁", "unionId": newUnion.id])
            #expect(wrongName.status == .notFound && unknownID.status == .notFound)
            #expect((wrongName.body as? [String: Any])?["detail"] as? String == (unknownID.body as? [String: Any])?["detail"] as? String)
            // Into the old union's own county: outside county A2's scope.
            let outside = try await receive(["idNumber": idNumber, "name": "周洁", "unionId": f.factory.id])
            #expect(outside.status == .unprocessableContent)
            let started = try await receive(["idNumber": idNumber, "name": "周洁", "unionId": newUnion.id, "note": "已入职甲二厂"])
            #expect(started.status == .created, "\(String(describing: started.body))")
            let transfer = try #require(started.body as? [String: Any])
            let transferId = try #require((transfer["id"] as? NSNumber)?.int64Value)
            #expect(transfer["acceptedBy"] as? String == "countya2" && transfer["releasedBy"] == nil)
            #expect(try await Self.messages(app, token).first?.contains("由甲一厂工会转入甲二厂工会") == true)

            // The old union sees it waiting on its workbench, releases it, and it is done.
            let web = WebSession(app)
            _ = try await web.login("countya1")
            #expect(try await web.get("/admin").html.contains(#"<span class="todo-count">1</span><span class="todo-label">待办会籍接转"#))
            let a1 = try await app.token("countya1")
            let released = try await app.api(.post, "/api/v1/transfers/\(transferId)/release", token: a1)
            #expect((released.body as? [String: Any])?["status"] as? String == "completed")
            #expect(try await Self.messages(app, token).first == "您的会籍已由甲一厂工会转入甲二厂工会，会员卡随之更新。")
            #expect(try await Self.texts(app).last?.body.contains("已转入甲二厂工会") == true)
            let told = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT org_id FROM notifications WHERE text LIKE '会籍接转已完成%'").all()
                    .map { try $0.decode(column: "org_id", as: Int64.self) }
            }
            #expect(Set(told) == [f.factory.id, newUnion.id])
            let me = try await app.api(.get, "/api/v1/me", token: token)
            #expect(((me.body as? [String: Any])?["union"] as? [String: Any])?["name"] as? String == "甲二厂工会")

            // The console form keeps what was typed when it is refused.
            let page = WebSession(app)
            _ = try await page.login("countya2")
            _ = try await page.get("/admin/transfers")
            let refused = try await page.post(
                "/admin/transfers/incoming", ["idNumber": idNumber, "name": "周某", "unionId": String(newUnion.id), "note": "备注保留"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("value=\"周某\"") && refused.html.contains("value=\"备注保留\"") && refused.html.contains(idNumber))
            #expect(refused.html.contains("未找到身份证号与姓名相符的在会会员"))
        }
    }
}

extension WorkerNoticeTests {
    /// The home page shows a signed-in worker their own state (joining, card, requests, unread
    /// messages) and offers 我的 instead of 登录; a visitor gets neither tiles nor anyone's data.
    @Test func theHomePageShowsTheWorkersOwnState() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let visitor = try await WebSession(app).get("/").html
            #expect(visitor.contains(#"<a href="/me/login">登录</a>"#) && !visitor.contains("home-tiles"))
            let site = try await WebSession.worker(app, phone: "13912340015")
            var home = try await site.get("/").html
            #expect(home.contains(#"<a href="/me">我的</a>"#) && home.contains("尚未入会") && home.contains("没有未读"))
            #expect(try await site.get("/me/card").html.contains("电子会员卡在您成为工会会员后出现在这里"))
            let token = try await WorkerAPITests.workerToken(app, phone: "13912340015")
            let applied = try await app.api(
                .post, "/api/v1/me/join-applications", token: token,
                json: ["name": "吴桐", "idNumber": TestIDs.make(81), "unionId": f.factory.id, "workplace": "甲一厂"])
            home = try await site.get("/").html
            #expect(home.contains("审核中") && !home.contains("尚未入会"))
            // The card page says what the card waits for instead of sending her away.
            let waiting = try await site.get("/me/card")
            #expect(waiting.status == .ok && waiting.html.contains("您的入会申请正在由甲一厂工会审核"))
            let member = try await app.services.joins.approve(try #require(WorkerAPITests.number(applied.body, "id")), actor: app.system)
            home = try await site.get("/").html
            #expect(home.contains("我的会员卡") && home.contains("甲一厂工会") && home.contains(member.memberNo) && home.contains("1 条未读"))
        }
    }
}
