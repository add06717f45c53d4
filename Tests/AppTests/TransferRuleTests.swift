import Foundation
import Hummingbird
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform

/// Transfers as the 会籍管理办法 has them: listed by status with their reasons, the old union keeps
/// a record of who left and where to, and no union closes with a transfer into it still open.
@Suite struct TransferRuleTests {
    @Test func theOldUnionKeepsARecordOfWhoLeftAndRefusalsKeepTheirReasons() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let away = try await app.services.organizations.createChild(
                of: f.townA2.id, OrgInput(name: "甲二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            try await Fixture.account(app, "countya1", role: Role.orgAdmin, at: f.countyA1)
            let a1 = try await app.token("countya1")
            let leaver = try await app.services.members.create(
                MemberInput(name: "蒋平", idNumber: TestIDs.make(101)), unionId: f.factory.id, actor: app.system)
            let stayer = try await app.services.members.create(
                MemberInput(name: "沈安", idNumber: TestIDs.make(103)), unionId: f.factory.id, actor: app.system)
            let moved = try await app.services.transfers.request(memberId: leaver.id, toUnionId: away.id, note: nil, actor: app.system)
            _ = try await app.services.transfers.act(moved.id, side: .release, actor: app.system)
            _ = try await app.services.transfers.act(moved.id, side: .accept, actor: app.system)
            let refused = try await app.services.transfers.request(memberId: stayer.id, toUnionId: away.id, note: nil, actor: app.system)
            try await app.services.transfers.refuse(refused.id, reason: "接收单位无此人", actor: app.system)

            #expect(TestApp.ids(try await app.api(.get, "/api/v1/transfers", token: a1).body).isEmpty)
            #expect(TestApp.ids(try await app.api(.get, "/api/v1/transfers?status=completed", token: a1).body) == [moved.id])
            let gone = try await app.api(.get, "/api/v1/transfers?status=refused", token: a1)
            #expect(TestApp.ids(gone.body) == [refused.id])
            #expect((((gone.body as? [String: Any])?["items"] as? [[String: Any]])?.first?["reason"] as? String) == "接收单位无此人")
            #expect(try await app.api(.get, "/api/v1/transfers?status=done", token: a1).status == .badRequest)
            // The record names the member and where they went, but their current record is beyond county A1.
            #expect(try await app.api(.get, "/api/v1/members/\(leaver.id)", token: a1).status == .notFound)
            let web = WebSession(app)
            _ = try await web.login("countya1")
            let page = try await web.get("/admin/transfers?status=completed").html
            #expect(page.contains("蒋平") && page.contains("甲二厂工会") && !page.contains("/admin/members/\(leaver.id)"))
        }
    }

    @Test func aUnionDoesNotCloseWithATransferIntoItStillOpen() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let target = try await app.services.organizations.createChild(
                of: f.townA1.id, OrgInput(name: "甲一二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            let m = try await app.services.members.create(
                MemberInput(name: "韩梅", idNumber: TestIDs.make(105)), unionId: f.factory.id, actor: app.system)
            let t = try await app.services.transfers.request(memberId: m.id, toUnionId: target.id, note: nil, actor: app.system)
            let refusal = await #expect(throws: AppError.self) {
                _ = try await app.services.organizations.close(target.id, note: "撤销", actor: app.system)
            }
            #expect(refusal?.status == .conflict && refusal?.message.contains("会籍接转") == true)
            try await app.services.transfers.refuse(t.id, reason: "单位撤销", actor: app.system)
            let closed = try await app.services.organizations.close(target.id, note: "撤销", actor: app.system)
            #expect(!closed.isActive)
        }
    }
}
