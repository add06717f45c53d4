import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Platform
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import WorkOrders

/// The worker API (apps) and partner keys: what the member site does, through the API alone.
@Suite struct WorkerAPITests {
    static func lastSMSCode(_ app: TestApp) async throws -> String {
        let body = try await app.services.database.withConnection { sql in
            try await sql.raw("SELECT body FROM sms_outbox ORDER BY id DESC LIMIT 1").first()?.decode(column: "body", as: String.self)
        }
        return String(try #require(body?.firstMatch(of: /\d{6}/)).0)
    }

    static func number(_ body: Any?, _ key: String) -> Int64? { ((body as? [String: Any])?[key] as? NSNumber)?.int64Value }

    /// Register, join, be approved, see the card, update the profile, file a request with a file,
    /// follow it to its resolution, rate it, read the messages, ask for a transfer, download one's
    /// data, sign out — every step through `/api/v1` with the worker's own token.
    @Test func aWorkerCompletesTheMemberSiteJourneysThroughTheAPIAlone() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let other = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            let phone = "13912340001"
            #expect(try await app.api(.post, "/api/v1/worker-registrations/code", token: nil, json: ["phone": phone]).status == .accepted)
            let badCode = try await app.api(
                .post, "/api/v1/worker-registrations", token: nil, json: ["phone": phone, "code": "000000", "password": "Worker!2026"])
            #expect(badCode.status == .unprocessableContent)
            let registered = try await app.api(
                .post, "/api/v1/worker-registrations", token: nil,
                json: ["phone": phone, "code": try await Self.lastSMSCode(app), "password": "Worker!2026"])
            #expect(registered.status == .created)
            let first = try #require((registered.body as? [String: Any])?["token"] as? String)
            #expect(first.hasPrefix("w."))
            #expect(try await app.api(.delete, "/api/v1/worker-session", token: first).status == .noContent)
            #expect(try await app.api(.get, "/api/v1/me", token: first).status == .unauthorized)

            // Sign in with the password, then with an SMS code.
            let wrong = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "password": "nope"])
            #expect(wrong.status == .unauthorized)
            let neither = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone])
            #expect(neither.status == .unprocessableContent)
            let byPassword = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "password": "Worker!2026"])
            #expect(byPassword.status == .created)
            app.clock.advance(61)
            #expect(try await app.api(.post, "/api/v1/worker-session/code", token: nil, json: ["phone": phone]).status == .accepted)
            let byCode = try await app.api(
                .post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "code": try await Self.lastSMSCode(app)])
            #expect(byCode.status == .created)
            let token = try #require((byCode.body as? [String: Any])?["token"] as? String)

            // Not a member yet: no card; find the union and apply.
            var me = try await app.api(.get, "/api/v1/me", token: token)
            #expect((me.body as? [String: Any])?["isMember"] as? Bool == false)
            #expect(try await app.api(.get, "/api/v1/me/card", token: token).status == .notFound)
            let unions = try await app.api(.get, "/api/v1/joinable-unions?q=%E7%94%B2%E4%B8%80%E5%8E%82", token: token)  // 甲一厂
            #expect((unions.body as? [[String: Any]])?.contains { ($0["id"] as? NSNumber)?.int64Value == f.factory.id } == true)
            let applied = try await app.api(
                .post, "/api/v1/me/join-applications", token: token,
                json: ["name": "李娜", "idNumber": TestIDs.make(41), "unionId": f.factory.id, "workplace": "甲一厂", "migrantWorker": true])
            #expect(applied.status == .created, "\(applied.raw)")
            let applicationId = try #require(Self.number(applied.body, "id"))
            _ = try await app.services.joins.approve(applicationId, actor: app.system)
            me = try await app.api(.get, "/api/v1/me", token: token)
            #expect((me.body as? [String: Any])?["isMember"] as? Bool == true)
            #expect(((me.body as? [String: Any])?["union"] as? [String: Any])?["name"] as? String == "甲一厂工会")
            let card = try await app.api(.get, "/api/v1/me/card", token: token)
            #expect((card.body as? [String: Any])?["name"] as? String == "李娜")

            // PATCH changes only what it is sent.
            #expect(try await app.api(.patch, "/api/v1/me", token: token, json: ["job": "焊工", "education": "高中"]).status == .ok)
            let patched = try await app.api(.patch, "/api/v1/me", token: token, json: ["job": "电焊工"])
            let member = (patched.body as? [String: Any])?["member"] as? [String: Any]
            #expect(member?["job"] as? String == "电焊工")
            #expect(member?["education"] as? String == "高中")

            // A request to her union, with a photo; the union resolves it; she rates it.
            let filed = try await app.api(
                .post, "/api/v1/me/requests", token: token,
                json: ["type": "assistance", "category": "wage_arrears", "title": "工资拖欠三个月", "description": "公司拖欠 2026 年 8–10 月工资"])
            #expect(filed.status == .created, "\(filed.raw)")
            let request = (filed.body as? [String: Any])?["request"] as? [String: Any]
            let orderId = try #require((request?["id"] as? NSNumber)?.int64Value)
            #expect((request?["unionId"] as? NSNumber)?.int64Value == f.factory.id)
            let upload = try await app.api(
                .post, "/api/v1/me/requests/\(orderId)/files?fileName=%E5%B7%A5%E8%B5%84%E6%9D%A1.jpg", token: token, file: WorkOrderTests.jpeg)
            #expect(upload.status == .created, "\(upload.raw)")
            let fileId = try #require(Self.number(upload.body, "id"))
            let download = try await app.api(.get, "/api/v1/me/requests/\(orderId)/files/\(fileId)", token: token)
            #expect(download.status == .ok && download.raw.utf8.count > 0)
            let mismatched = try await app.api(.post, "/api/v1/me/requests/\(orderId)/files?fileName=a.pdf", token: token, file: WorkOrderTests.jpeg)
            #expect(mismatched.status == .unprocessableContent)
            #expect(try await app.api(.post, "/api/v1/me/requests/\(orderId)/reply", token: token, json: ["note": "工资条已上传"]).status == .ok)
            let handler = try await app.services.auth.principal(username: try await Self.handler(app, at: f.factory))
            let actor = Actor(principal: handler, ip: "test", requestId: "t")
            _ = try await app.services.workOrders.accept(orderId, actor: actor)
            #expect(try await app.api(.post, "/api/v1/me/requests/\(orderId)/rate", token: token, json: ["rating": 5]).status == .conflict)
            _ = try await app.services.workOrders.resolve(
                orderId, Resolution(outcome: "已追回工资", amountRecovered: "36000", peopleHelped: "1"), actor: actor)
            let resolved = try await app.api(.get, "/api/v1/me/requests/\(orderId)", token: token)
            let shown = (resolved.body as? [String: Any])?["request"] as? [String: Any]
            #expect(shown?["status"] as? String == "resolved" && shown?["canRate"] as? Bool == true)
            #expect(shown?["amountRecovered"] as? String != nil)
            let events = (resolved.body as? [String: Any])?["events"] as? [[String: Any]] ?? []
            #expect(events.allSatisfy { $0["isPublic"] as? Bool == true } && events.count >= 3)
            // Not satisfied once: reopened (a reason is needed), resolved again, then rated.
            #expect(try await app.api(.post, "/api/v1/me/requests/\(orderId)/reopen", token: token, json: [:]).status == .unprocessableContent)
            let reopened = try await app.api(.post, "/api/v1/me/requests/\(orderId)/reopen", token: token, json: ["reason": "只追回了一部分"])
            #expect(((reopened.body as? [String: Any])?["request"] as? [String: Any])?["status"] as? String == "accepted")
            _ = try await app.services.workOrders.resolve(
                orderId, Resolution(outcome: "已全部追回", amountRecovered: "48000", peopleHelped: "1"), actor: actor)
            #expect(try await app.api(.post, "/api/v1/me/requests/\(orderId)/reopen", token: token, json: ["reason": "再试"]).status == .conflict)
            #expect(try await app.api(.post, "/api/v1/me/requests/\(orderId)/rate", token: token, json: ["rating": 5, "comment": "很满意"]).status == .ok)
            let list = try await app.api(.get, "/api/v1/me/requests", token: token)
            #expect(TestApp.ids(list.body) == [orderId])
            let messages = try await app.api(.get, "/api/v1/me/messages", token: token)
            let unread = (messages.body as? [[String: Any]])?.filter { $0["read"] as? Bool == false }.count ?? 0
            #expect(unread > 0)
            #expect(try await app.api(.post, "/api/v1/me/messages/read", token: token).status == .noContent)
            let after = try await app.api(.get, "/api/v1/me/messages", token: token)
            #expect((after.body as? [[String: Any]])?.allSatisfy { $0["read"] as? Bool == true } == true)

            // A transfer request; her personal data and a correction request.
            let transfer = try await app.api(.post, "/api/v1/me/transfers", token: token, json: ["unionId": other.id, "note": "换了工作"])
            #expect(transfer.status == .created, "\(transfer.raw)")
            me = try await app.api(.get, "/api/v1/me", token: token)
            #expect(((me.body as? [String: Any])?["transfers"] as? [Any])?.count == 1)
            let data = try await app.api(.get, "/api/v1/me/personal-data", token: token)
            #expect((data.body as? [[String: Any]])?.isEmpty == false)
            let asked = try await app.api(
                .post, "/api/v1/me/personal-data-requests", token: token, json: ["kind": "correction", "detail": "民族应为回族"])
            #expect(asked.status == .created)
            #expect(((try await app.api(.get, "/api/v1/me/personal-data-requests", token: token)).body as? [Any])?.count == 1)

            #expect(try await app.api(.delete, "/api/v1/worker-session", token: token).status == .noContent)
            #expect(try await app.api(.get, "/api/v1/me/requests", token: token).status == .unauthorized)
        }
    }

    /// A handler account at `org`; returns its username.
    static func handler(_ app: TestApp, at org: Organization) async throws -> String {
        let name = "handler\(org.id)"
        try await Fixture.account(app, name, role: Role.workOrderHandler, at: org)
        return name
    }

    /// Tokens work only where they were issued: a worker's token is no staff session and no
    /// member-site cookie; a staff token is no worker; another worker's request is not found.
    @Test func workerTokensStayInTheirLane() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let staff = try await app.token("county")
            let worker = try await Self.workerToken(app, phone: "13912340002")
            #expect(try await app.api(.get, "/api/v1/members", token: worker).status == .unauthorized)
            #expect(try await app.api(.get, "/api/v1/session", token: worker).status == .unauthorized)
            #expect(try await app.api(.get, "/api/v1/me", token: staff).status == .unauthorized)
            // The API token as the member site's cookie opens nothing.
            let cookie = try await app.client.execute(uri: "/me", method: .get, headers: [.cookie: "\(CookieName.member)=\(worker)"])
            #expect(cookie.status == .seeOther || cookie.status == .found)
            // Another worker's request.
            let filed = try await app.api(
                .post, "/api/v1/me/requests", token: worker,
                json: ["type": "consultation", "category": "wage_arrears", "title": "咨询", "description": "d", "unionId": f.factory.id, "callerName": "张三"])
            #expect(filed.status == .created, "\(filed.raw)")
            let id = try #require(((filed.body as? [String: Any])?["request"] as? [String: Any]).flatMap { ($0["id"] as? NSNumber)?.int64Value })
            let stranger = try await Self.workerToken(app, phone: "13912340003")
            #expect(try await app.api(.get, "/api/v1/me/requests/\(id)", token: stranger).status == .notFound)
            #expect(try await app.api(.post, "/api/v1/me/requests/\(id)/files?fileName=x.jpg", token: stranger, file: WorkOrderTests.jpeg).status == .notFound)
            #expect(try await app.api(.post, "/api/v1/me/requests/\(id)/reply", token: stranger, json: ["note": "x"]).status == .notFound)
            // A login code goes only to a registered number, and the answer does not tell.
            let before = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM sms_outbox").first()?.decode(column: "n", as: Int.self)
            }
            #expect(try await app.api(.post, "/api/v1/worker-session/code", token: nil, json: ["phone": "13912349999"]).status == .accepted)
            let afterCount = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM sms_outbox").first()?.decode(column: "n", as: Int.self)
            }
            #expect(before == afterCount)
        }
    }

    /// A system administrator's API token (enrolled in two-factor login through the console).
    static func sysadminToken(_ app: TestApp, at org: Organization) async throws -> String {
        try await Fixture.account(app, "root", role: Role.systemAdmin, at: org)
        let web = WebSession(app)
        _ = try await web.login("root")
        let security = SecurityTests()
        let (secret, _) = try await security.enrol(app, web, "root")
        app.clock.advance(30)
        return try await app.token("root", totp: security.totp(secret, app))
    }

    /// A partner key made by a system administrator files a work order as the partner app, within
    /// its org only; past its rate it gets 429; every call is audited under its name; once revoked
    /// or expired it opens nothing. An org admin cannot make one.
    @Test func aPartnerKeyFilesAWorkOrderIsRateLimitedAuditedAndRevoked() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let county = try await app.token("county")
            let expires = ISO8601DateFormatter().string(from: app.clock.now.addingTimeInterval(30 * 86400))
            let body: [String: Any] = [
                "name": "甲市职工服务 App", "permissions": ["workorder.intake", "workorder.read", "org.read"], "orgId": f.cityA.id,
                "ratePerMinute": 5, "expiresAt": expires,
            ]
            #expect(try await app.api(.post, "/api/v1/partner-keys", token: county, json: body).status == .forbidden)
            let root = try await Self.sysadminToken(app, at: f.province)
            var bad = body
            bad["permissions"] = ["workorder.intake", "no.such"]
            bad["ratePerMinute"] = 0
            let refused = try await app.api(.post, "/api/v1/partner-keys", token: root, json: bad)
            let errors = (refused.body as? [String: Any])?["errors"] as? [String: String]
            #expect(refused.status == .unprocessableContent && errors?["permissions"] != nil && errors?["ratePerMinute"] != nil)
            let created = try await app.api(.post, "/api/v1/partner-keys", token: root, json: body)
            #expect(created.status == .created, "\(created.raw)")
            let keyId = try #require(Self.number(created.body, "id"))
            let secret = try #require((created.body as? [String: Any])?["secret"] as? String)
            #expect(try await app.api(.post, "/api/v1/partner-keys", token: root, json: body).status == .unprocessableContent)  // same name
            let listed = try await app.api(.get, "/api/v1/partner-keys", token: root)
            #expect((listed.body as? [[String: Any]])?.first?["secret"] == nil)

            // Files an order in its city as the partner app, not as the hotline; nothing beside its city.
            let order: [String: Any] = [
                "type": "assistance", "category": "wage_arrears", "title": "欠薪", "description": "d", "unionId": f.factory.id,
                "callerName": "王五", "callerPhone": "13800000077",
            ]
            var claimed = order
            claimed["channel"] = "hotline"
            #expect(try await app.api(.post, "/api/v1/work-orders", token: secret, json: claimed).status == .unprocessableContent)
            let filed = try await app.api(.post, "/api/v1/work-orders", token: secret, json: order)
            #expect(filed.status == .created, "\(filed.raw)")
            #expect((filed.body as? [String: Any])?["channel"] as? String == "api")
            var outside = order
            outside["unionId"] = f.countyB1.id
            let beside = try await app.api(.post, "/api/v1/work-orders", token: secret, json: outside)
            #expect(beside.status == .unprocessableContent && beside.raw.contains("unionId"), "\(beside.raw)")
            // Five calls a minute: the sixth is refused.
            #expect(try await app.api(.get, "/api/v1/members", token: secret).status == .forbidden)
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: secret).status == .ok)
            #expect(try await app.api(.post, "/api/v1/work-orders", token: secret, json: order).status == .tooManyRequests)
            app.clock.advance(60)
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: secret).status == .ok)

            // Audited under its name, reads and refusals included; last use recorded.
            let calls = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT actor_name, action FROM audit_log WHERE action IN ('api.call', 'api.rate_limited') ORDER BY id").all()
            }
            #expect(try calls.map { try $0.decode(column: "action", as: String.self) } == Array(repeating: "api.call", count: 5) + ["api.rate_limited", "api.call"])
            #expect(try calls.allSatisfy { try $0.decode(column: "actor_name", as: String.self) == "key:甲市职工服务 App" })
            let creator = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT created_by FROM work_orders ORDER BY id DESC LIMIT 1").first()?.decode(column: "created_by", as: String.self)
            }
            #expect(creator == "甲市职工服务 App")
            let used = try await app.api(.get, "/api/v1/partner-keys", token: root)
            #expect((used.body as? [[String: Any]])?.first?["lastUsedAt"] as? String != nil)

            // Revoked: at once nothing, and a second revocation is refused.
            #expect(try await app.api(.post, "/api/v1/partner-keys/\(keyId)/revoke", token: county).status == .forbidden)
            #expect(try await app.api(.post, "/api/v1/partner-keys/\(keyId)/revoke", token: root).status == .ok)
            #expect(try await app.api(.post, "/api/v1/partner-keys/\(keyId)/revoke", token: root).status == .conflict)
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: secret).status == .unauthorized)

            // Expired: nothing either.
            var short = body
            short["name"] = "短期密钥"
            short["expiresAt"] = ISO8601DateFormatter().string(from: app.clock.now.addingTimeInterval(3600))
            let brief = try await app.api(.post, "/api/v1/partner-keys", token: root, json: short)
            let briefSecret = try #require((brief.body as? [String: Any])?["secret"] as? String)
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: briefSecret).status == .ok)
            app.clock.advance(3601)
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: briefSecret).status == .unauthorized)
        }
    }

    /// The console page: a system administrator creates a key (a bad form keeps what was typed),
    /// sees its secret once, and revokes it; an org admin is refused the page.
    @Test func theConsoleCreatesShowsOnceAndRevokesAPartnerKey() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let county = WebSession(app)
            _ = try await county.login("county")
            #expect(try await county.get("/admin/partner-keys").status == .forbidden)
            try await Fixture.account(app, "root", role: Role.systemAdmin, at: f.province)
            let web = WebSession(app)
            _ = try await web.login("root")
            _ = try await SecurityTests().enrol(app, web, "root")
            #expect(try await web.get("/admin/partner-keys").status == .ok)
            let bad = try await web.post(
                "/admin/partner-keys", ["name": "甲市 App", "orgId": String(f.cityA.id), "ratePerMinute": "0", "days": "30"])
            #expect(bad.status == .unprocessableContent && bad.html.contains("value=\"甲市 App\"") && bad.html.contains("请至少选择一项权限"))
            let made = try await web.post(
                "/admin/partner-keys",
                ["name": "甲市 App", "orgId": String(f.cityA.id), "ratePerMinute": "60", "days": "30", "permissions[]": "workorder.intake"])
            #expect(made.status == .created)
            let secret = String(try #require(made.html.firstMatch(of: /pk\.[A-Za-z0-9_-]+/)).0)
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: secret).status == .ok)
            let listed = try await web.get("/admin/partner-keys")
            #expect(!listed.html.contains(secret) && listed.html.contains("甲市 App"))
            let id = try await app.services.partnerKeys.list(actor: .system("test")).first?.id
            #expect(try await web.post("/admin/partner-keys/\(try #require(id))/revoke", [:]).location == "/admin/partner-keys")
            #expect(try await app.api(.get, "/api/v1/work-order-types", token: secret).status == .unauthorized)
        }
    }

    /// The member site signs in by SMS code as well as by password; a refused attempt keeps the
    /// phone, the code and where the worker was going (我要求助 → back to the form).
    @Test func theMemberSiteSignsInByCodeAndKeepsWhatWasTyped() async throws {
        try await TestApp.run { app in
            _ = try await Fixture.build(app)
            let phone = "13912340009"
            _ = try await WebSession.worker(app, phone: phone)
            let site = WebSession(app)
            let asked = try await site.get("/me/requests/new")
            #expect(asked.location?.hasPrefix("/me/login?next=") == true)
            _ = try await site.get(try #require(asked.location))
            let wrong = try await site.post("/me/login", ["phone": phone, "password": "nope", "code": "123456", "next": "/me/requests/new"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.html.contains("value=\"\(phone)\"") && wrong.html.contains("value=\"123456\"") && wrong.html.contains("value=\"/me/requests/new\""))
            app.clock.advance(61)
            let sent = try await site.post("/me/login", ["phone": phone, "action": "code", "next": "/me/requests/new"])
            #expect(sent.status == .ok && sent.html.contains("验证码已发送"))
            let code = try await Self.lastSMSCode(app)
            let bad = try await site.post("/me/login", ["phone": phone, "code": "000000", "action": "login", "next": "/me/requests/new"])
            #expect(bad.status == .unauthorized && !bad.html.contains("验证码已发送"))
            let done = try await site.post("/me/login", ["phone": phone, "code": code, "action": "login", "next": "/me/requests/new"])
            #expect(done.location == "/me/requests/new")
            #expect(try await site.get("/me/requests/new").status == .ok)
        }
    }

    /// 忘记密码 by SMS code ends every session; 修改密码 needs the current one and ends the others;
    /// a worker's password must not be an obvious guess (but needs no character classes).
    @Test func aWorkerResetsAndChangesHerPassword() async throws {
        try await TestApp.run { app in
            _ = try await Fixture.build(app)
            let phone = "13912340010"
            let site = try await WebSession.worker(app, phone: phone)
            let signedIn = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "password": "Worker!2026"])
            let token = try #require((signedIn.body as? [String: Any])?["token"] as? String)
            app.clock.advance(61)
            #expect(try await app.api(.post, "/api/v1/worker-password-resets/code", token: nil, json: ["phone": phone]).status == .accepted)
            let code = try await Self.lastSMSCode(app)
            let weak = try await app.api(
                .post, "/api/v1/worker-password-resets", token: nil, json: ["phone": phone, "code": code, "password": "12345678"])
            #expect(weak.status == .unprocessableContent && weak.raw.contains("password"))
            #expect(try await app.api(
                .post, "/api/v1/worker-password-resets", token: nil, json: ["phone": phone, "code": code, "password": "xiaoli2026"]).status == .noContent)
            #expect(try await app.api(.get, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await site.get("/me").location?.hasPrefix("/me/login") == true)
            #expect(try await app.api(
                .post, "/api/v1/worker-password-resets", token: nil, json: ["phone": phone, "code": code, "password": "xiaoli2027"]).status
                == .unprocessableContent)  // a code works once

            // Changing it: the current password first; this session stays, the others end.
            let first = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "password": "xiaoli2026"])
            let other = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "password": "xiaoli2026"])
            let (mine, theirs) = (
                try #require((first.body as? [String: Any])?["token"] as? String), try #require((other.body as? [String: Any])?["token"] as? String)
            )
            #expect(try await app.api(.post, "/api/v1/me/password", token: mine, json: ["current": "wrong", "new": "qiche-2026"]).status
                == .unprocessableContent)
            #expect(try await app.api(.post, "/api/v1/me/password", token: mine, json: ["current": "xiaoli2026", "new": "qiche-2026"]).status
                == .noContent)
            #expect(try await app.api(.get, "/api/v1/me", token: mine).status == .ok)
            #expect(try await app.api(.get, "/api/v1/me", token: theirs).status == .unauthorized)

            // The same on the member site, where a refused form keeps the phone and the code.
            let web = WebSession(app)
            _ = try await web.get("/me/password/reset")
            app.clock.advance(61)
            #expect(try await web.post("/me/password/reset", ["phone": phone, "action": "code"]).html.contains("验证码已发送"))
            let siteCode = try await Self.lastSMSCode(app)
            let refused = try await web.post("/me/password/reset", ["phone": phone, "code": siteCode, "password": "aaaaaaaa", "action": "reset"])
            #expect(refused.status == .unprocessableContent && refused.html.contains("value=\"\(siteCode)\""))
            let reset = try await web.post("/me/password/reset", ["phone": phone, "code": siteCode, "password": "gongren888", "action": "reset"])
            #expect(reset.location == "/me/login")
            #expect(try await web.post("/me/login", ["phone": phone, "password": "gongren888", "action": "login"]).location == "/me")
            #expect(try await web.get("/me/password").status == .ok)
            #expect(try await web.post("/me/password", ["current": "gongren888", "new": "shifu2026!"]).location == "/me")
        }
    }

    /// A worker's token from registration through the API.
    static func workerToken(_ app: TestApp, phone: String) async throws -> String {
        _ = try await WebSession.worker(app, phone: phone)
        let signedIn = try await app.api(.post, "/api/v1/worker-session", token: nil, json: ["phone": phone, "password": "Worker!2026"])
        return try #require((signedIn.body as? [String: Any])?["token"] as? String)
    }

    /// Joining online without loopholes: one pending application per ID number across accounts (also
    /// when they apply at the same moment), a member does not apply again under another ID, and each
    /// refusal gives its own reason.
    @Test func joiningOnlineHasNoLoopholes() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let closed = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "已撤销厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            _ = try await app.services.organizations.close(closed.id, note: "企业注销", actor: app.system)
            let first = try await Self.workerToken(app, phone: "13912340021")
            let second = try await Self.workerToken(app, phone: "13912340022")
            func apply(_ token: String, id: String, union: Int64, hasUnion: Bool = true) async throws -> (status: HTTPResponse.Status, raw: String) {
                let r = try await app.api(
                    .post, "/api/v1/me/join-applications", token: token,
                    json: ["name": "周强", "idNumber": id, "unionId": union, "workplace": "甲一厂", "workplaceHasUnion": hasUnion])
                return (r.status, r.raw)
            }
            let reasons: [(Int64, Bool, String)] = [
                (closed.id, true, MemberText.unionClosed), (f.countyA1.id, true, MemberText.joinYourWorkplaceUnion),
                (f.cityA.id, false, MemberText.unionNotGrassroots), (987_654, true, MemberText.unionNotFound),
            ]
            for (union, hasUnion, reason) in reasons {
                let r = try await apply(first, id: TestIDs.make(71), union: union, hasUnion: hasUnion)
                #expect(r.status == .unprocessableContent && r.raw.contains(reason), "\(union): \(r.raw)")
            }
            #expect(try await apply(first, id: TestIDs.make(71), union: f.factory.id).status == .created)
            let again = try await apply(second, id: TestIDs.make(71), union: f.factory.id)
            #expect(again.status == .conflict && again.raw.contains(MemberText.idApplicationPending))
            // Approved, the member cannot apply again under another ID number.
            let pending = try await app.services.joins.applications(actor: .system("t"), status: .pending, page: PageRequest()).items
            _ = try await app.services.joins.approve(try #require(pending.first?.id), actor: app.system)
            let other = try await apply(first, id: TestIDs.make(72), union: f.factory.id)
            #expect(other.status == .conflict && other.raw.contains(MemberText.alreadyActive))

            // Eight accounts file for one ID number at once: one application is taken.
            var tokens: [String] = []
            for i in 0..<8 { tokens.append(try await Self.workerToken(app, phone: "1391234010\(i)")) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for token in tokens { group.addTask { try await apply(token, id: TestIDs.make(73), union: f.factory.id).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
        }
    }
}
