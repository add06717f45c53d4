import Foundation
import Hummingbird
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform

/// Union kinds as 工会法 art. 11 has them: a committee at 25 members or more, an organiser below,
/// joint grassroots unions, and 工会小组 inside a grassroots union.
@Suite struct FoundingRuleTests {
    @Test func groupsSitInsideAGrassrootsUnionAndHoldNoMembers() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let orgs = app.services.organizations
            let group = try await orgs.createChild(
                of: f.factory.id, OrgInput(name: "一车间工会小组", level: .group, kind: .group), actor: app.system)
            #expect(group.level == .group)
            for (parent, input) in [
                (f.townA1.id, OrgInput(name: "镇小组", level: .group, kind: .group)),  // a group under a township
                (group.id, OrgInput(name: "小组的小组", level: .group, kind: .group)),  // anything under a group
                (f.factory.id, OrgInput(name: "厂下基层", level: .grassroots, kind: .grassroots)),  // a union under a union
                (f.factory.id, OrgInput(name: "二车间", level: .group, kind: .grassroots)),  // a group of the wrong kind
            ] {
                let refused = await #expect(throws: AppError.self) { _ = try await orgs.createChild(of: parent, input, actor: app.system) }
                #expect(refused?.status == .unprocessableContent)
            }
            await #expect(throws: AppError.self) {
                _ = try await app.services.members.create(
                    MemberInput(name: "组员", idNumber: TestIDs.make(131)), unionId: group.id, actor: app.system)
            }
        }
    }

    /// An organiser's union that reaches 25 members is flagged on the dashboard's list and the
    /// workbench of its county until it sets up a committee; it and its parent are told once.
    @Test func anOrganisersUnionReaching25IsToldAndListedUntilItFormsACommittee() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "countya1", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "countya2", role: Role.orgAdmin, at: f.countyA2)
            var patch = OrgPatch()
            patch.kind = .value(.organiser)
            _ = try await app.services.organizations.edit(f.factory.id, patch, actor: app.system)
            for i in 0..<24 {
                _ = try await app.services.members.create(
                    MemberInput(name: "职工\(i)", idNumber: TestIDs.make(200 + i)), unionId: f.factory.id, actor: app.system)
            }
            try await app.services.rollups.run()
            let web = WebSession(app)
            _ = try await web.login("countya1")
            #expect(try await web.get("/admin").html.contains(#"<span class="todo-count">0</span><span class="todo-label">应建委员会（满 25 人）"#))
            _ = try await app.services.members.create(
                MemberInput(name: "职工24", idNumber: TestIDs.make(224)), unionId: f.factory.id, actor: app.system)
            try await app.services.rollups.run()
            try await app.services.rollups.run()  // the crossing is told once, not on every sum
            #expect(try await web.get("/admin").html.contains(#"<span class="todo-count">1</span><span class="todo-label">应建委员会（满 25 人）"#))
            #expect(try await web.get("/admin/dashboard?unionId=\(f.countyA1.id)").html.contains("1 个设组织员的基层工会会员已达 25 人"))
            let list = try await web.get("/admin/dashboard/founding").html
            #expect(list.contains("甲一厂工会") && list.contains("《工会法》第十一条"))
            let other = WebSession(app)
            _ = try await other.login("countya2")
            #expect(!(try await other.get("/admin/dashboard/founding").html.contains("甲一厂工会")))
            let elsewhere = try await other.get("/admin/dashboard").html
            #expect(elsewhere.contains("会员统计") && !elsewhere.contains("founding-flagged"))
            let told = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT org_id, text FROM notifications WHERE kind = 'founding'").all()
                    .map { (try $0.decode(column: "org_id", as: Int64.self), try $0.decode(column: "text", as: String.self)) }
            }
            #expect(told.map(\.0).sorted() == [f.townA1.id, f.factory.id].sorted())
            #expect(told.allSatisfy { $0.1 == "甲一厂工会会员已达 25 人，依照《工会法》第十一条应建立基层工会委员会" })
            // Its page shows the count.
            #expect(try await web.get("/admin/orgs/\(f.factory.id)").html.contains(#"<dd id="member-count">25 人</dd>"#))

            // A committee is formed: the flag goes.
            patch.kind = .value(.grassroots)
            _ = try await app.services.organizations.edit(f.factory.id, patch, actor: app.system)
            try await app.services.rollups.run()
            #expect(try await web.get("/admin").html.contains(#"<span class="todo-count">0</span><span class="todo-label">应建委员会（满 25 人）"#))
        }
    }
}
