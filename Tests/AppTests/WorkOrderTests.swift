import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform
@testable import WorkOrders

/// The work-order engine through HTTP: intake, tiered handling, deadlines, escalation, rating, stats, scope.
@Suite struct WorkOrderTests {
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01] + [UInt8](repeating: 7, count: 500))

    /// Sets the test clock to noon (China time) of `iso`.
    func setDay(_ app: TestApp, _ iso: String) {
        let target = CivilDate(iso: iso)!
        let noon = Date(timeIntervalSince1970: TimeInterval(target.dayNumber) * 86400 + 4 * 3600)
        app.clock.advance(noon.timeIntervalSince(app.clock.now))
    }

    /// Sessions idle out while the test clock jumps days: sign the worker in again.
    func signIn(_ site: WebSession, phone: String) async throws {
        _ = try await site.get("/me/login")
        _ = try await site.post("/me/login", ["phone": phone, "password": "Worker!2026"])
    }

    func order(_ app: TestApp, _ id: Int64) async throws -> WorkOrder {
        try await app.services.database.withConnection { try await WorkOrderStore().order(id, on: $0)! }
    }

    /// A refused handling form comes back with everything typed in it and the reason beside the
    /// field; amounts are read as cadres write them (`11.5万元`, `115,000`).
    @Test func aRefusedHandlingFormKeepsWhatWasTypedAndAmountsReadAsWritten() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "factoryh", role: Role.workOrderHandler, at: f.factory)
            let input = IntakeInput(
                typeCode: "assistance", categoryCode: "wage_arrears", title: "欠薪", description: "d", unionId: f.factory.id, callerName: "王芳")
            let order = try await app.services.workOrders.fileByStaff(input, channel: .hotline, actor: app.system)
            let web = WebSession(app)
            _ = try await web.login("factoryh")
            _ = try await web.get("/admin/work-orders/\(order.id)")
            #expect(try await web.post("/admin/work-orders/\(order.id)/accept", [:]).location == "/admin/work-orders/\(order.id)")
            let outcome = "约谈企业，工资已于 11 月 20 日全部发放"
            let refused = try await web.post(
                "/admin/work-orders/\(order.id)/resolve", ["outcome": outcome, "amountRecovered": "十一万五", "peopleHelped": "13"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains(outcome) && refused.html.contains("value=\"十一万五\"") && refused.html.contains("value=\"13\""))
            #expect(refused.html.contains(WorkOrderText.amountInvalid))
            #expect(try await self.order(app, order.id).status == .accepted)
            let note = try await web.post("/admin/work-orders/\(order.id)/transfer", ["targetOrgId": "999999", "note": "请镇工作站办理"])
            #expect(note.status.code >= 400 && note.html.contains("value=\"请镇工作站办理\""))
            let done = try await web.post(
                "/admin/work-orders/\(order.id)/resolve", ["outcome": outcome, "amountRecovered": "11.5万元", "peopleHelped": "13"])
            #expect(done.location == "/admin/work-orders/\(order.id)")
            #expect(try await self.order(app, order.id).amountRecovered == 11_500_000)
        }
    }

    /// During a call the operator looks up a union without losing what was typed; a caller who is
    /// not a member but called before gets the name and union of the last order prefilled.
    @Test func theHotlineIntakeKeepsWhatWasTypedWhileLookingUpAUnion() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let web = WebSession(app)
            _ = try await web.login("county")
            _ = try await web.get("/admin/work-orders/new?channel=hotline&callerPhone=13800000123")
            let typed = [
                "channel": "hotline", "callerPhone": "13800000123", "callerName": "赵六", "title": "工伤认定咨询",
                "description": "在车间受伤，单位不给申报工伤", "typeCode": "consultation", "categoryCode": "work_injury",
            ]
            var search = typed
            search["action"] = "search"
            search["unionq"] = "甲一厂"
            let found = try await web.post("/admin/work-orders", search)
            #expect(found.status == .ok)
            for value in ["赵六", "工伤认定咨询", "在车间受伤，单位不给申报工伤", "value=\"甲一厂\""] { #expect(found.html.contains(value), "\(value)") }
            #expect(found.html.contains("<option value=\"\(f.factory.id)\""))
            #expect(try await app.services.workOrders.list(QueueQuery(queue: .subtree), actor: .system("t"), page: PageRequest()).items.isEmpty)
            var file = typed
            file["unionId"] = String(f.factory.id)
            file["action"] = "file"
            #expect(try await web.post("/admin/work-orders", file).location?.hasPrefix("/admin/work-orders/") == true)
            let again = try await web.get("/admin/hotline?phone=13800000123")
            let href = try #require(again.html.firstMatch(of: /href="(\/admin\/work-orders\/new\?[^"]+)"/)).1
            let prefilled = try await web.get(String(href).replacingOccurrences(of: "&amp;", with: "&"))
            #expect(prefilled.html.contains("value=\"赵六\""))
            #expect(prefilled.html.contains("<option value=\"\(f.factory.id)\" selected"))
        }
    }

    /// The issue's "done when": filed on the member site, left overdue by the grassroots union,
    /// escalated to the county, sent to the township workstation, resolved with the amount, rated,
    /// and counted in the county's on-time and satisfaction figures.
    @Test func wageArrearsFromFilingToTheCountyDashboard() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "factoryh", role: Role.workOrderHandler, at: f.factory)
            try await Fixture.account(app, "townh", role: Role.workOrderHandler, at: f.townA1)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            setDay(app, "2026-11-02")  // a Monday
            let site = try await WebSession.worker(app, phone: "13812340001")
            _ = try await site.get("/me/requests/new?unionq=%E7%94%B2%E4%B8%80%E5%8E%82")
            let filed = try await site.postMultipart(
                "/me/requests",
                [
                    "typeCode": "assistance", "categoryCode": "wage_arrears", "title": "公司拖欠 13 人三个月工资",
                    "description": "2026 年 8 月至 10 月工资共 11.5 万元未发", "unionId": String(f.factory.id), "callerName": "王芳",
                ], file: ("工资条.jpg", Self.jpeg))
            let id = Int64(filed.location!.split(separator: "/").last!)!
            var o = try await order(app, id)
            #expect(o.orgId == f.factory.id && o.status == .submitted && o.dueOn == "2026-11-09")  // 5 working days
            #expect(try await app.services.workOrders.files(of: id).count == 1)
            #expect(try await site.get("/me/requests/\(id)").html.contains("公司拖欠 13 人三个月工资"))

            // Nobody acts. The day after the deadline the job escalates it to the township, then on to the county.
            setDay(app, "2026-11-10")
            #expect(try await app.services.sla.run().escalated == 1)
            o = try await order(app, id)
            #expect(o.supervisorOrgId == f.townA1.id && o.wasOverdue && o.escalationLevel == 1)
            #expect(try await app.services.sla.run().escalated == 0)  // once per step
            setDay(app, "2026-11-16")  // 3 working days later, still overdue
            #expect(try await app.services.sla.run().escalated == 1)
            o = try await order(app, id)
            #expect(o.supervisorOrgId == f.countyA1.id && o.escalationLevel == 2)

            // The county sees it under supervision and sends it to the township workstation.
            let county = try await app.token("county")
            let supervision = try await app.api(.get, "/api/v1/work-orders?queue=supervision", token: county)
            #expect(TestApp.ids(supervision.body) == [id])
            let reassigned = try await app.api(
                .post, "/api/v1/work-orders/\(id)/reassign", token: county,
                json: ["targetOrgId": f.townA1.id, "note": "请工作站办理"])
            #expect(reassigned.status == .ok)
            o = try await order(app, id)
            #expect(o.orgId == f.townA1.id && o.status == .submitted && o.dueOn == "2026-11-23" && o.supervisorOrgId == nil)

            // The workstation accepts and resolves with the amount recovered.
            let town = try await app.token("townh")
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: town).status == .ok)
            let bad = try await app.api(
                .post, "/api/v1/work-orders/\(id)/resolve", token: town, json: ["outcome": "已追回", "amountRecovered": "-5"])
            #expect(bad.status == .unprocessableContent)
            let resolved = try await app.api(
                .post, "/api/v1/work-orders/\(id)/resolve", token: town,
                json: ["outcome": "协调劳动监察约谈企业，工资已全部发放", "amountRecovered": "115000", "peopleHelped": "13"])
            #expect((resolved.body as? [String: Any])?["amountRecovered"] as? String == "115,000.00")
            o = try await order(app, id)
            #expect(o.status == .resolved && o.resolvedOnTime == false)

            // The worker rates it on their page.
            try await signIn(site, phone: "13812340001")
            _ = try await site.get("/me/requests/\(id)")
            #expect(try await site.post("/me/requests/\(id)/rate", ["rating": "5", "comment": "感谢工会"]).location == "/me/requests/\(id)")
            o = try await order(app, id)
            #expect(o.status == .closed && o.rating == 5)
            #expect(try await site.post("/me/requests/\(id)/reopen", ["reason": "x"]).location == "/me/requests/\(id)")
            #expect(try await order(app, id).status == .closed)  // rated orders do not reopen

            // The county's figures: one created, resolved late, fully satisfied.
            let stats = try await app.api(.get, "/api/v1/work-order-stats?unionId=\(f.countyA1.id)&from=2026-11&to=2026-11", token: county)
            let total = (stats.body as? [String: Any])?["total"] as? [String: Any]
            #expect((total?["created"] as? NSNumber)?.intValue == 1 && (total?["resolved"] as? NSNumber)?.intValue == 1)
            #expect((total?["onTimeRate"] as? NSNumber)?.doubleValue == 0 && (total?["satisfactionRate"] as? NSNumber)?.doubleValue == 1)
            let page = WebSession(app)
            _ = try await page.login("county")
            let html = try await page.get("/admin/work-order-stats?unionId=\(f.countyA1.id)&from=2026-11&to=2026-11").html
            #expect(html.contains("<svg") && html.contains("id=\"stat-satisfaction\">100.0%"))
            // The worker was told on their page.
            #expect(try await site.get("/me/requests").html.contains("已办结"))
        }
    }

    /// Every type through the API: accept, transfer (deadline recomputed), resolve, follow-up rating.
    @Test(arguments: ["consultation", "assistance", "complaint", "legal_aid", "suggestion"])
    func eachTypeThroughItsLife(type: String) async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "operator1", role: Role.hotlineOperator, at: f.countyA1)
            setDay(app, "2026-11-02")
            let op = try await app.token("operator1")
            let created = try await app.api(
                .post, "/api/v1/work-orders", token: op,
                json: [
                    "type": type, "category": "labour_contract", "title": "来电 \(type)", "description": "说明", "unionId": f.townA1.id,
                    "callerName": "李四", "callerPhone": "0311-86012345", "channel": "hotline",
                ])
            #expect(created.status == .created)
            let id = ((created.body as? [String: Any])?["id"] as? NSNumber)!.int64Value
            var o = try await order(app, id)
            // Legal aid goes to the county by the shipped rule; the rest stay with the chosen union.
            #expect(o.orgId == (type == "legal_aid" ? f.countyA1.id : f.townA1.id))
            #expect(o.callerPhoneMask == "031*****2345")
            let county = try await app.token("county")
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: county).status == .ok)
            setDay(app, "2026-11-04")
            let (county2, op2) = (try await app.token("county"), try await app.token("operator1"))  // sessions idle out over two days
            let target = type == "legal_aid" ? f.townA1 : f.factory
            let moved = try await app.api(.post, "/api/v1/work-orders/\(id)/transfer", token: county2, json: ["targetOrgId": target.id])
            #expect(moved.status == .ok, "\(moved.raw)")
            o = try await order(app, id)
            let days = try await app.services.workOrderCatalog.snapshot().type(type)!.normalDays
            let calendar = try await app.services.workOrderCatalog.snapshot().calendar
            #expect(o.orgId == target.id && o.dueOn == calendar.adding(workingDays: days, to: CivilDate(iso: "2026-11-04")!).iso)
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: county2).status == .ok)
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/resolve", token: county2, json: ["outcome": "已答复"]).status == .ok)
            #expect(
                try await app.api(.post, "/api/v1/work-orders/\(id)/follow-up", token: op2, json: ["note": "回访满意", "rating": 4]).status
                    == .ok)
            o = try await order(app, id)
            #expect(o.status == .closed && o.rating == 4 && o.resolvedOnTime == true)
            let events = try await app.api(.get, "/api/v1/work-orders/\(id)/events", token: county2)
            let actions = ((events.body as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
            #expect(actions == ["filed", "routed", "accepted", "transferred", "accepted", "resolved", "followup"])
            // Reveal is audited.
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/reveal-phone", token: op2).raw.contains("031186012345"))
        }
    }

    /// A deadline across the National Day week (Oct 1–7 off, Saturday Oct 10 worked), paused while
    /// waiting for the worker, and the worker's one reopen.
    @Test func deadlinesPauseAndReopenOnce() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "factoryh", role: Role.workOrderHandler, at: f.factory)
            setDay(app, "2026-09-29")
            let site = try await WebSession.worker(app, phone: "13812340002")
            _ = try await site.get("/me/requests/new")
            let filed = try await site.postMultipart(
                "/me/requests",
                [
                    "typeCode": "assistance", "categoryCode": "hardship", "title": "申请帮扶", "description": "家庭困难",
                    "unionId": String(f.factory.id),
                    "callerName": "赵敏",
                ])
            let id = Int64(filed.location!.split(separator: "/").last!)!
            #expect(try await order(app, id).dueOn == "2026-10-12")
            let h = try await app.token("factoryh")
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: h).status == .ok)
            setDay(app, "2026-10-09")
            var h2 = try await app.token("factoryh")
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/wait", token: h2, json: ["note": "请补充困难证明"]).status == .ok)
            // Paused through the deadline: 10-10 (the adjusted Saturday), 10-12, 10-13 and 10-14 are lost.
            setDay(app, "2026-10-14")
            #expect(try await app.services.sla.run().escalated == 0)
            h2 = try await app.token("factoryh")
            try await signIn(site, phone: "13812340002")
            _ = try await site.get("/me/requests/\(id)")
            #expect(try await site.post("/me/requests/\(id)/reply", ["note": "已上传证明"]).location == "/me/requests/\(id)")
            var o = try await order(app, id)
            #expect(o.status == .accepted && o.dueOn == "2026-10-16")
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/resolve", token: h2, json: ["outcome": "发放帮扶金"]).status == .ok)
            _ = try await site.get("/me/requests/\(id)")
            _ = try await site.post("/me/requests/\(id)/reopen", ["reason": "金额太少"])
            o = try await order(app, id)
            #expect(o.status == .accepted && o.reopenCount == 1)
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/resolve", token: h2, json: ["outcome": "追加帮扶"]).status == .ok)
            _ = try await site.get("/me/requests/\(id)")
            _ = try await site.post("/me/requests/\(id)/reopen", ["reason": "还是不满意"])
            #expect(try await order(app, id).status == .resolved)  // only once
            // Not rated within the window: closes by itself.
            setDay(app, "2026-10-30")
            #expect(try await app.services.sla.run().closed == 1)
            #expect(try await order(app, id).status == .closed)
        }
    }

    /// A township handler never sees another township's order: not by id, list, search or stats.
    @Test func scopeKeepsTownshipsApart() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "town1", role: Role.workOrderHandler, at: f.townA1)
            try await Fixture.account(app, "town2", role: Role.workOrderHandler, at: f.townA2)
            let t1 = try await app.token("town1")
            let t2 = try await app.token("town2")
            let created = try await app.api(
                .post, "/api/v1/work-orders", token: t1,
                json: [
                    "type": "consultation", "category": "other", "title": "甲一镇的咨询", "description": "说明", "unionId": f.townA1.id,
                    "callerName": "甲",
                    "callerPhone": "13800000001",
                ])
            let id = ((created.body as? [String: Any])?["id"] as? NSNumber)!.int64Value
            #expect(try await app.api(.get, "/api/v1/work-orders/\(id)", token: t2).status == .notFound)
            #expect(try await app.api(.post, "/api/v1/work-orders/\(id)/accept", token: t2).status == .notFound)
            for queue in QueueQuery.Queue.allCases {
                #expect(
                    TestApp.ids(try await app.api(.get, "/api/v1/work-orders?queue=\(queue.rawValue)&q=%E5%92%A8%E8%AF%A2", token: t2).body)
                        .isEmpty)
            }
            #expect(TestApp.ids(try await app.api(.get, "/api/v1/work-orders?queue=subtree&q=13800000001", token: t1).body) == [id])
            #expect(try await app.api(.get, "/api/v1/work-order-stats?unionId=\(f.townA1.id)", token: t2).status == .notFound)
            // Filing for a union outside the operator's scope is refused.
            let outside = try await app.api(
                .post, "/api/v1/work-orders", token: t2,
                json: [
                    "type": "consultation", "category": "other", "title": "x", "description": "y", "unionId": f.townA1.id,
                    "callerName": "乙",
                ])
            #expect(outside.status == .unprocessableContent)
            let outsideErrors = ((outside.body as? [String: Any])?["errors"] as? [String: String]) ?? [:]
            #expect(outsideErrors["unionId"] == WorkOrderText.unionOutOfScope)
            let page = WebSession(app)
            _ = try await page.login("town2")
            #expect(try await page.get("/admin/work-orders/\(id)").status == .notFound)
        }
    }

    /// The order page offers, for each action, only the orgs that action accepts: a grassroots handler
    /// may send an order up to the township (上报) but not across to a sibling union, whom it may only ask to assist.
    @Test func theOrderPageOffersOnlyTargetsItsActionAccepts() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let sibling = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            try await Fixture.account(app, "operator1", role: Role.hotlineOperator, at: f.countyA1)
            try await Fixture.account(app, "factoryh", role: Role.workOrderHandler, at: f.factory)
            let created = try await app.api(
                .post, "/api/v1/work-orders", token: try await app.token("operator1"),
                json: ["type": "consultation", "category": "other", "title": "咨询", "description": "说明", "unionId": f.factory.id,
                       "callerName": "甲"])
            let id = try #require(((created.body as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            let web = WebSession(app)
            _ = try await web.login("factoryh")
            let html = try await web.get("/admin/work-orders/\(id)?targetq=%E7%94%B2%E4%B8%80").html
            func select(_ name: String) -> String {
                guard let start = html.range(of: "id=\"\(name)\"") else { return "" }
                return html[start.upperBound...].components(separatedBy: "</select>")[0]
            }
            #expect(select("transfer-target").contains("甲一镇总工会"), "the parent is offered for 上报")
            #expect(!select("transfer-target").contains("甲一二厂工会"), "a sibling is not offered for transfer")
            #expect(select("assist-target").contains("甲一二厂工会"), "a sibling may be asked to assist")
            // And the action itself refuses what the page does not offer.
            let refused = try await web.post("/admin/work-orders/\(id)/transfer", ["targetOrgId": "\(sibling.id)", "note": "x"])
            #expect(refused.status.code >= 400 && refused.html.contains(WorkOrderText.targetOutOfScope))
            #expect(try await order(app, id).orgId == f.factory.id)
        }
    }

    /// Bad input is refused with the field named, and nothing is half-written.
    @Test func badInputIsRefused() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "operator1", role: Role.workOrderHandler, at: f.townA1)
            let op = try await app.token("operator1")
            let bad = try await app.api(
                .post, "/api/v1/work-orders", token: op,
                json: [
                    "type": "nonsense", "category": "wage_arrears", "title": "", "description": "y", "unionId": f.townA1.id,
                    "callerPhone": "12ab",
                ])
            let errors = ((bad.body as? [String: Any])?["errors"] as? [String: Any]) ?? [:]
            #expect(bad.status == .unprocessableContent)
            #expect(
                Set(errors.keys) == ["type", "title", "callerPhone", "callerName"])
            let count = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM work_orders").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)

            // A disguised file (an executable named .jpg) and an oversized one are refused; the order is not filed.
            let site = try await WebSession.worker(app, phone: "13812340003")
            _ = try await site.get("/me/requests/new")
            let fields = [
                "typeCode": "assistance", "categoryCode": "wage_arrears", "title": "t", "description": "d", "unionId": String(f.factory.id),
                "callerName": "钱",
            ]
            let disguised = try await site.postMultipart(
                "/me/requests", fields, file: ("photo.jpg", Data("MZ\u{90}\u{00}This program".utf8)))
            #expect(disguised.status == .unprocessableContent && disguised.html.contains("按文件内容识别"))
            let renamed = try await site.postMultipart("/me/requests", fields, file: ("scan.pdf", Self.jpeg))
            #expect(renamed.status == .unprocessableContent)
            let big = try await site.postMultipart("/me/requests", fields, file: ("big.jpg", Self.jpeg + Data(count: 10 * 1024 * 1024)))
            #expect(big.status != .seeOther && big.status != .found)
            let filed = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM work_orders").first()!.decode(column: "n", as: Int.self)
            }
            #expect(filed == 0)

            // Someone else's order: rating and viewing are "not found".
            let ok = try await site.postMultipart("/me/requests", fields)
            let id = Int64(ok.location!.split(separator: "/").last!)!
            let other = try await WebSession.worker(app, phone: "13812340004")
            #expect(try await other.get("/me/requests/\(id)").status == .notFound)
            _ = try await other.get("/me/requests/new")  // a page with the form token
            #expect(try await other.post("/me/requests/\(id)/rate", ["rating": "1"]).status == .notFound)
            #expect(try await order(app, id).rating == nil)
        }
    }

    /// The SLA job escalates every overdue order of a batch set-wise and leaves the rest alone.
    @Test func slaJobEscalatesInBatches() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            setDay(app, "2026-11-02")
            let town = try await app.services.handlingOrgs.org(f.townA1.id)!
            try await WorkOrderDemo(database: app.services.database, orders: app.services.workOrders).bulk(count: 2500, org: town, seed: 1)
            try await app.services.database.transaction { sql in
                try await sql.raw("UPDATE work_orders SET due_on = '2026-10-30', escalate_on = '2026-10-30' WHERE id % 2 = 0").run()
            }
            let summary = try await app.services.sla.run()
            #expect(summary.escalated == 1250)
            let escalated = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM work_orders WHERE supervisor_org_id = \(bind: f.countyA1.id)").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(escalated == 1250)
        }
    }

    /// Concurrent intakes share transactions (group commit) yet each order is whole: its own number,
    /// two timeline rows, a notice, an audit entry, and one count in the counter. An order the
    /// database refuses (here by a trigger) fails alone; the others of its group are still written.
    @Test func concurrentIntakesAreEachWritten() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "operator1", role: Role.hotlineOperator, at: f.countyA1)
            setDay(app, "2026-11-02")
            let actor = Actor(principal: try await app.services.auth.principal(username: "operator1"), ip: "127.0.0.1", requestId: "t")
            let orders = app.services.workOrders
            try await app.services.database.transaction { sql in
                if app.services.database.dialect == .sqlite {
                    try await sql.raw(
                        "CREATE TRIGGER refuse BEFORE INSERT ON work_orders WHEN NEW.title = '讨薪 7' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                    ).run()
                } else {
                    try await sql.raw(
                        """
                        CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN IF NEW.title = '讨薪 7' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$
                        """
                    ).run()
                    try await sql.raw("CREATE TRIGGER refuse BEFORE INSERT ON work_orders FOR EACH ROW EXECUTE FUNCTION refuse()").run()
                }
            }
            let results = await withTaskGroup(of: Result<WorkOrder, any Error>.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        let input = IntakeInput(
                            typeCode: "assistance", categoryCode: "wage_arrears", title: "讨薪 \(n)", description: "说明",
                            unionId: f.townA1.id, callerName: "来电人\(n)")
                        do { return .success(try await orders.fileByStaff(input, channel: .hotline, actor: actor)) } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let filed = results.compactMap { try? $0.get() }
            #expect(filed.count == 39)
            #expect(Set(filed.map(\.number)).count == 39)
            #expect(filed.allSatisfy { $0.number == "20261102" + String(format: "%06lld", $0.id) })
            let counts = try await app.services.database.withConnection { sql in
                try await sql.raw(
                    """
                    SELECT (SELECT COUNT(*) FROM work_orders) AS orders,
                        (SELECT COUNT(*) FROM work_orders WHERE number LIKE 'pending-%') AS unnumbered,
                        (SELECT COUNT(*) FROM work_order_events) AS events,
                        (SELECT COUNT(*) FROM notifications WHERE kind = 'new') AS notices,
                        (SELECT COUNT(*) FROM audit_log WHERE action = 'workorder.file') AS audits,
                        (SELECT CAST(SUM(created) AS BIGINT) FROM work_order_counters) AS created
                    """
                ).first()!
            }
            for (column, expected) in [("orders", 39), ("unnumbered", 0), ("events", 78), ("notices", 39), ("audits", 39), ("created", 39)]
            {
                #expect(try counts.decode(column: column, as: Int.self) == expected, "\(column)")
            }
        }
    }

    /// An org's notices reach each of its handlers, and each handler reads them for themself.
    @Test func eachHandlerReadsTheOrgsNoticesForThemself() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "hand1", role: Role.workOrderHandler, at: f.townA1)
            try await Fixture.account(app, "hand2", role: Role.workOrderHandler, at: f.townA1)
            let t1 = try await app.token("hand1")
            let filed = try await app.api(
                .post, "/api/v1/work-orders", token: t1,
                json: [
                    "type": "consultation", "category": "other", "title": "咨询", "description": "说明", "unionId": f.townA1.id, "callerName": "甲",
                ])
            #expect(filed.status == .created)
            let (one, two) = (WebSession(app), WebSession(app))
            _ = try await one.login("hand1")
            _ = try await two.login("hand2")
            let notices = app.services.notifications
            func actor(_ name: String) async throws -> Actor {
                Actor(principal: try await app.services.auth.principal(username: name), ip: "127.0.0.1", requestId: "t")
            }
            let (a1, a2) = (try await actor("hand1"), try await actor("hand2"))
            #expect(try await notices.unreadCount(a1) == 1)
            #expect(try await notices.unreadCount(a2) == 1)
            #expect(try await one.get("/admin/notifications").html.contains("未读"))
            #expect(try await one.post("/admin/notifications/read", [:]).status == .seeOther)
            #expect(try await notices.unreadCount(a1) == 0)
            #expect(try await notices.unreadCount(a2) == 1)
            #expect(!(try await one.get("/admin/notifications").html.contains("未读")))
            #expect(try await two.get("/admin/notifications").html.contains("未读"))
        }
    }

    /// Every console page renders for a county cadre, with the hotline lookup finding the caller's orders.
    @Test func consolePagesRender() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let t = try await app.token("county")
            let created = try await app.api(
                .post, "/api/v1/work-orders", token: t,
                json: [
                    "type": "assistance", "category": "wage_arrears", "title": "欠薪", "description": "d", "unionId": f.townA1.id,
                    "callerName": "甲",
                    "callerPhone": "13800000009", "channel": "hotline",
                ])
            let id = ((created.body as? [String: Any])?["id"] as? NSNumber)!.int64Value
            let web = WebSession(app)
            _ = try await web.login("county")
            for uri in [
                "/admin/work-orders", "/admin/work-orders?queue=subtree&status=submitted", "/admin/work-orders/new?channel=hotline",
                "/admin/work-orders/\(id)", "/admin/work-orders/\(id)?targetq=%E7%94%B2", "/admin/notifications", "/admin/work-order-stats",
            ] {
                let page = try await web.get(uri)
                #expect(page.status == .ok, "\(uri)")
                #expect(!page.html.contains(">nil<"), "\(uri)")
            }
            let hotline = try await web.get("/admin/hotline?phone=138-0000-0009")
            #expect(hotline.html.contains("欠薪") && hotline.html.contains("quick-intake"))
            #expect(try await web.get("/admin/work-orders/\(id)").html.contains("甲一厂工会"))  // a transfer target below the town
            #expect(try await web.get("/admin/work-order-settings").status == .forbidden)  // deployment-wide settings only
            let accepted = try await web.post("/admin/work-orders/\(id)/accept", [:])
            #expect(accepted.location == "/admin/work-orders/\(id)")
            #expect(try await order(app, id).status == .accepted)
            let revealed = try await web.post("/admin/work-orders/\(id)/reveal-phone", [:])
            #expect(revealed.html.contains("13800000009"))
        }
    }
}
