import Foundation
import Hummingbird
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform

/// 退休保留会籍: retired members who keep their membership are counted apart from those at work,
/// their change of status is a period of their membership history, and an early retirement is confirmed.
@Suite struct RetiredMemberTests {
    @Test func theDashboardCountsWorkingAndRetiredKeptApartAndTheyAddUp() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            var ids: [Int64] = []
            for (i, year) in [1960, 1985, 1992].enumerated() {
                let m = try await app.services.members.create(
                    MemberInput(name: "会员\(i)", idNumber: TestIDs.make(110 + i, year: year)), unionId: f.factory.id, actor: app.system)
                ids.append(m.id)
            }
            try await app.services.members.setStatus(ids[0], to: .retiredKept, note: "退休", actor: app.system)
            try await app.services.rollups.run()
            let d = try await app.api(.get, "/api/v1/member-dashboard?unionId=\(f.townA1.id)", token: token)
            let total = try #require((d.body as? [String: Any])?["total"] as? [String: Any])
            func n(_ key: String) -> Int? { (total[key] as? NSNumber)?.intValue }
            #expect(n("active") == 3 && n("working") == 2 && n("retiredKept") == 1)
            #expect(n("working")! + n("retiredKept")! == n("active")!)
            let web = WebSession(app)
            _ = try await web.login("county")
            let html = try await web.get("/admin/dashboard?unionId=\(f.townA1.id)").html
            #expect(html.contains(#"id="total-working" title="2">2<"#) && html.contains(#"id="total-retired" title="1">1<"#))
            // Joins by month over the subtree: this month's three, eleven months before it at zero.
            #expect(html.contains("近 12 个月入会") && html.contains(/入会人数 \d{4}年\d{1,2}月：3<\/title>/))
            #expect(html.matches(of: /入会人数 \d{4}年\d{1,2}月：0<\/title>/).count == 11)
            // Back at work, the split follows.
            try await app.services.members.setStatus(ids[0], to: .active, note: "返聘", actor: app.system)
            try await app.services.rollups.run()
            let again = try await app.api(.get, "/api/v1/member-dashboard?unionId=\(f.townA1.id)", token: token)
            #expect((((again.body as? [String: Any])?["total"] as? [String: Any])?["retiredKept"] as? NSNumber)?.intValue == 0)
        }
    }

    @Test func retiringIsAPeriodOfTheHistoryAndBelowTheStatutoryAgeItIsConfirmed() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            let young = try await app.services.members.create(
                MemberInput(name: "孔亮", idNumber: TestIDs.make(121, year: 1990)), unionId: f.factory.id, actor: app.system)
            let early = try await app.api(.post, "/api/v1/members/\(young.id)/status", token: token, json: ["status": "retired_kept"])
            #expect(early.status == .conflict && early.raw.contains("confirmation_required") && early.raw.contains("未到法定退休年龄"))
            let confirmed = try await app.api(
                .post, "/api/v1/members/\(young.id)/status", token: token, json: ["status": "retired_kept", "confirm": true, "note": "病退"])
            #expect(confirmed.status == .ok, "\(confirmed.raw)")
            let history = try await app.services.members.memberships(of: young.id, actor: app.system)
            #expect(history.count == 2)
            #expect(history.last?.endReason == "退休保留会籍" && history.last?.endedOn != nil)
            #expect(history.first?.reason == "退休保留会籍" && history.first?.endedOn == nil)

            // A retired-kept member may still transfer; one who left may not, and is offered no form.
            let web = WebSession(app)
            _ = try await web.login("county")
            #expect(try await web.get("/admin/members/\(young.id)").html.contains("<h2>会籍接转</h2>"))
            let left = try await app.services.members.create(
                MemberInput(name: "孔明", idNumber: TestIDs.make(123, year: 1990)), unionId: f.factory.id, actor: app.system)
            try await app.services.members.setStatus(left.id, to: .lapsed, note: "离职退会", actor: app.system)
            #expect(!(try await web.get("/admin/members/\(left.id)").html.contains("<h2>会籍接转</h2>")))

            // In the console the unconfirmed change comes back with the reason beside the form and what was chosen and typed.
            let other = try await app.services.members.create(
                MemberInput(name: "孔雀", idNumber: TestIDs.make(125, year: 1991)), unionId: f.factory.id, actor: app.system)
            let refused = try await web.post("/admin/members/\(other.id)/status", ["status": "retired_kept", "note": "病退待鉴定"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("未到法定退休年龄") && refused.html.contains("value=\"病退待鉴定\""))
            #expect(refused.html.contains("<option value=\"retired_kept\" selected>"))
            #expect(try await app.services.members.get(other.id, actor: app.system).membershipStatus == .active)
        }
    }

    @Test func aUnionOfRetiredKeptMembersClosesOnlyOnceTheyAreMoved() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let old = try await app.services.members.create(
                MemberInput(name: "曹老", idNumber: TestIDs.make(125, year: 1955)), unionId: f.factory.id, actor: app.system)
            try await app.services.members.setStatus(old.id, to: .retiredKept, note: nil, actor: app.system)
            let refused = await #expect(throws: AppError.self) {
                _ = try await app.services.organizations.close(f.factory.id, note: "企业关闭", actor: app.system)
            }
            #expect(refused?.message.contains("1 名退休保留会籍") == true)
            // Moved to the township's union, the retiree keeps the membership and the factory's union closes.
            let community = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一镇社区工会", level: .grassroots, kind: .grassroots), actor: app.system)
            let t = try await app.services.transfers.request(memberId: old.id, toUnionId: community.id, note: "企业关闭", actor: app.system)
            _ = try await app.services.transfers.act(t.id, side: .release, actor: app.system)
            _ = try await app.services.transfers.act(t.id, side: .accept, actor: app.system)
            #expect(try await app.services.members.get(old.id, actor: app.system).membershipStatus == .retiredKept)
            #expect(try await !app.services.organizations.close(f.factory.id, note: "企业关闭", actor: app.system).isActive)
        }
    }
}
