import Foundation
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Benefits
@testable import Members
@testable import Organizations
@testable import Platform

/// 会员卡: numbered by the rule with a check digit, issued by the union or applied for by the member,
/// reported lost, reissued with a new number, cancelled; card coverage on the dashboard follows exactly.
@Suite struct CardTests {
    @Test func numbersCarryTheRegionAndACheckDigitThatCatchesTypos() {
        let rule = CardNumberRule(prefix: "88")
        let number = rule.number(region: "130123", sequence: 42)
        #expect(number.count == 17 && number.hasPrefix("88130123" + "00000042"))
        #expect(rule.isValid(number))
        // Every single wrong digit and every swap of two different neighbours is caught.
        let digits = Array(number)
        for i in digits.indices {
            for d in "0123456789" where d != digits[i] {
                var typo = digits
                typo[i] = d
                #expect(!rule.isValid(String(typo)), "\(String(typo))")
            }
            if i + 1 < digits.count, digits[i] != digits[i + 1], !(Set([digits[i], digits[i + 1]]) == ["0", "9"]) {
                var swapped = digits
                swapped.swapAt(i, i + 1)
                #expect(!rule.isValid(String(swapped)), "\(String(swapped))")
            }
        }
        #expect(!rule.isValid("8813012300000042"))  // one digit short
        #expect(!rule.isValid("99130123000000420"))  // another deployment's prefix
        // Luhn vectors (ISO/IEC 7812): 7992739871 → 3.
        #expect(CardNumberRule.luhnDigit("7992739871") == 3)
    }

    @Test func aCardFollowsItsMemberAndTheCoverageIsExact() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "sibling", role: Role.orgAdmin, at: f.countyA2)
            let county = try await app.token("county")
            let sibling = try await app.token("sibling")
            let m = try await app.services.members.create(
                MemberInput(name: "韩梅", idNumber: TestIDs.make(201)), unionId: f.factory.id, actor: app.system)
            _ = try await app.services.members.create(
                MemberInput(name: "韩雪", idNumber: TestIDs.make(202)), unionId: f.factory.id, actor: app.system)

            func coverage() async throws -> (holders: Int, coverage: Double) {
                try await app.services.rollups.run()
                let d = try await app.api(.get, "/api/v1/member-dashboard?unionId=\(f.townA1.id)", token: county)
                let total = try #require((d.body as? [String: Any])?["total"] as? [String: Any])
                return ((total["cardHolders"] as? NSNumber)?.intValue ?? -1, (total["cardCoverage"] as? NSNumber)?.doubleValue ?? -1)
            }

            // Another county's cadre neither sees nor issues it: the same 404 as for no member.
            #expect(try await app.api(.post, "/api/v1/members/\(m.id)/cards", token: sibling).status == .notFound)
            #expect(try await app.api(.get, "/api/v1/members/\(m.id)/cards", token: sibling).status == .notFound)

            let issued = try await app.api(.post, "/api/v1/members/\(m.id)/cards", token: county)
            #expect(issued.status == .created, "\(issued.raw)")
            let first = try #require(issued.body as? [String: Any])
            let firstNo = try #require(first["cardNo"] as? String)
            let firstId = try #require(WorkerAPITests.number(first, "id"))
            #expect(firstNo.hasPrefix("88130123") && CardNumberRule(prefix: "88").isValid(firstNo))
            #expect(try await app.services.members.get(m.id, actor: app.system).cardNo == firstNo)
            #expect(try await coverage() == (1, 0.5))
            // One card at a time.
            let again = try await app.api(.post, "/api/v1/members/\(m.id)/cards", token: county)
            #expect(again.status == .conflict && again.raw.contains("已有会员卡"))

            // Lost: not counted until reissued; the new number replaces it, the old is cancelled.
            #expect(try await app.api(.post, "/api/v1/cards/\(firstId)/report-lost", token: sibling).status == .notFound)
            let lost = try await app.api(.post, "/api/v1/cards/\(firstId)/report-lost", token: county)
            #expect((lost.body as? [String: Any])?["status"] as? String == "lost")
            #expect(try await coverage() == (0, 0))
            let reissued = try await app.api(.post, "/api/v1/cards/\(firstId)/reissue", token: county)
            #expect(reissued.status == .created, "\(reissued.raw)")
            let secondNo = try #require((reissued.body as? [String: Any])?["cardNo"] as? String)
            #expect(secondNo != firstNo)
            #expect(try await coverage() == (1, 0.5))
            let history = try await app.api(.get, "/api/v1/members/\(m.id)/cards", token: county)
            let cards = try #require(history.body as? [[String: Any]])
            #expect(cards.map { $0["status"] as? String } == ["active", "cancelled"])
            #expect(WorkerAPITests.number(cards[1], "replacedBy") == WorkerAPITests.number(cards[0], "id"))

            // Cancelled with a reason (none: 422); a cancelled card cannot be reissued.
            let secondId = try #require(WorkerAPITests.number(cards[0], "id"))
            #expect(
                try await app.api(.post, "/api/v1/cards/\(secondId)/cancel", token: county, json: ["reason": " "]).status
                    == .unprocessableContent)
            let cancelled = try await app.api(.post, "/api/v1/cards/\(secondId)/cancel", token: county, json: ["reason": "会员申请注销"])
            #expect((cancelled.body as? [String: Any])?["endReason"] as? String == "会员申请注销")
            #expect(try await app.api(.post, "/api/v1/cards/\(secondId)/reissue", token: county).status == .conflict)
            #expect(try await coverage() == (0, 0))
            #expect(try await app.services.members.get(m.id, actor: app.system).cardNo == nil)

            let audit = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT action FROM audit_log WHERE object_type = 'member_card' ORDER BY seq").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(audit == ["card.issue", "card.lost", "card.reissue", "card.cancel"])
        }
    }

    @Test func aMemberAppliesForTheECardAndReportsItLost() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            _ = try await app.services.members.create(
                MemberInput(name: "苏青", idNumber: TestIDs.make(211), phone: "13912340211"), unionId: f.factory.id, actor: app.system)
            let outsider = try await WorkerAPITests.workerToken(app, phone: "13912340212")
            #expect(try await app.api(.post, "/api/v1/me/member-card", token: outsider).status == .conflict)
            #expect(try await app.api(.get, "/api/v1/me/member-card", token: outsider).status == .notFound)

            let token = try await WorkerAPITests.workerToken(app, phone: "13912340211")
            let claimed = try await ClaimTests.claim(app, token, "苏青", 211)
            #expect(claimed.body["status"] as? String == "linked")
            #expect(try await app.api(.get, "/api/v1/me/member-card", token: token).status == .notFound)
            let applied = try await app.api(.post, "/api/v1/me/member-card", token: token)
            #expect(applied.status == .ok && (applied.body as? [String: Any])?["status"] as? String == "active", "\(applied.raw)")
            // Applying again returns the same card.
            let twice = try await app.api(.post, "/api/v1/me/member-card", token: token)
            #expect(WorkerAPITests.number(twice.body, "id") == WorkerAPITests.number(applied.body, "id"))
            // Another worker cannot touch it: their own card is all /me/member-card reaches.
            #expect(try await app.api(.post, "/api/v1/me/member-card/report-lost", token: outsider).status == .notFound)
            let lost = try await app.api(.post, "/api/v1/me/member-card/report-lost", token: token)
            #expect((lost.body as? [String: Any])?["status"] as? String == "lost")
            let renewed = try await app.api(.post, "/api/v1/me/member-card/reissue", token: token)
            #expect(renewed.status == .created && (renewed.body as? [String: Any])?["status"] as? String == "active")
            #expect(
                (renewed.body as? [String: Any])?["cardNo"] as? String != (applied.body as? [String: Any])?["cardNo"] as? String)
        }
    }

    /// The console page of a member's cards, and the member site's 申领电子会员卡.
    @Test func cadresAndMembersDoItOnThePagesToo() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "sibling", role: Role.orgAdmin, at: f.countyA2)
            let m = try await app.services.members.create(
                MemberInput(name: "方圆", idNumber: TestIDs.make(231), phone: "13912340231"), unionId: f.factory.id, actor: app.system)
            let sibling = WebSession(app)
            _ = try await sibling.login("sibling")
            _ = try await sibling.get("/admin")  // the console's CSRF token
            #expect(try await sibling.get("/admin/members/\(m.id)/cards").status == .notFound)
            let stranger = try await sibling.post("/admin/members/\(m.id)/cards", [:])
            #expect(stranger.status == .notFound, "\(stranger.status) \(stranger.location ?? "") \(stranger.html.prefix(300))")

            let web = WebSession(app)
            _ = try await web.login("county")
            #expect(try await web.get("/admin/members/\(m.id)").html.contains("/admin/members/\(m.id)/cards"))
            #expect(try await web.get("/admin/members/\(m.id)/cards").html.contains("尚未办理会员卡"))
            let issued = try await web.post("/admin/members/\(m.id)/cards", [:])
            #expect(issued.status == .seeOther && issued.location == "/admin/members/\(m.id)/cards")
            let page = try await web.get("/admin/members/\(m.id)/cards").html
            let cardId = try #require(page.firstMatch(of: /\/admin\/cards\/(\d+)\/cancel/).map { String($0.1) })
            // A cancel without a reason comes back with the message beside that card, nothing changed.
            let refused = try await web.post("/admin/cards/\(cardId)/cancel", ["reason": "  "])
            #expect(refused.status == .unprocessableContent && refused.html.contains("请填写注销原因"))
            #expect(try await app.services.members.get(m.id, actor: app.system).cardNo != nil)
            #expect(try await sibling.post("/admin/cards/\(cardId)/cancel", ["reason": "越权"]).status == .notFound)
            #expect(try await web.post("/admin/cards/\(cardId)/cancel", ["reason": "会员离职"]).status == .seeOther)
            #expect(try await app.services.members.get(m.id, actor: app.system).cardNo == nil)

            // The member applies on the e-card page and sees the number there.
            let worker = try await WebSession.worker(app, phone: "13912340231")
            let signedIn = try await app.api(
                .post, "/api/v1/worker-session", token: nil, json: ["phone": "13912340231", "password": "Worker!2026"])
            let token = try #require((signedIn.body as? [String: Any])?["token"] as? String)
            #expect(try await ClaimTests.claim(app, token, "方圆", 231).body["status"] as? String == "linked")
            #expect(try await worker.get("/me/card").html.contains("申领电子会员卡"))
            let applied = try await worker.post("/me/member-card", [:])
            #expect(applied.status == .seeOther && applied.location == "/me/card")
            let card = try await worker.get("/me/card").html
            let number = try #require(try await app.services.members.get(m.id, actor: app.system).cardNo)
            #expect(card.contains(number) && card.contains("电子会员卡已开通") && !card.contains("申领电子会员卡"))
        }
    }

    /// Card numbers the rolls already hold (an import, the demo) become card records once.
    @Test func cardsRecordedOnTheRollsAreAdopted() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let m = try await app.services.members.create(
                MemberInput(name: "旧卡", idNumber: TestIDs.make(241)), unionId: f.factory.id, actor: app.system)
            try await app.services.database.transaction { sql in
                try await app.services.members.setCardNumber("6217000000000241", memberId: m.id, on: sql)
            }
            #expect(try await app.services.cards.adoptRecorded(actor: app.system) == 1)
            #expect(try await app.services.cards.adoptRecorded(actor: app.system) == 0)
            let cards = try await app.services.cards.cards(memberId: m.id, actor: app.system)
            #expect(cards.map(\.cardNo) == ["6217000000000241"] && cards.first?.status == .active)
            let renewed = try await app.services.cards.reissue(try #require(cards.first).id, actor: app.system)
            let onTheRolls = try await app.services.members.get(m.id, actor: app.system).cardNo
            #expect(renewed.cardNo.hasPrefix("88") && onTheRolls == renewed.cardNo)
        }
    }

    /// A card follows its member's union: after a transfer the new county looks after it, the old one no longer can.
    @Test func aTransferredMembersCardIsTheNewUnionsToHandle() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "sibling", role: Role.orgAdmin, at: f.countyA2)
            let (county, sibling) = (try await app.token("county"), try await app.token("sibling"))
            let m = try await app.services.members.create(
                MemberInput(name: "迁移", idNumber: TestIDs.make(251)), unionId: f.factory.id, actor: app.system)
            let card = try await app.services.cards.issue(memberId: m.id, actor: app.system)
            let newHome = try await app.services.organizations.createChild(
                of: f.townA2.id, OrgInput(name: "甲二厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            let t = try await app.services.transfers.request(memberId: m.id, toUnionId: newHome.id, note: nil, actor: app.system)
            _ = try await app.services.transfers.act(t.id, side: .release, actor: app.system)
            _ = try await app.services.transfers.act(t.id, side: .accept, actor: app.system)
            #expect(try await app.services.members.get(m.id, actor: app.system).orgId == newHome.id)
            #expect(try await app.api(.post, "/api/v1/cards/\(card.id)/report-lost", token: county).status == .notFound)
            #expect(try await app.api(.get, "/api/v1/members/\(m.id)/cards", token: county).status == .notFound)
            let lost = try await app.api(.post, "/api/v1/cards/\(card.id)/report-lost", token: sibling)
            #expect((lost.body as? [String: Any])?["status"] as? String == "lost", "\(lost.raw)")
        }
    }

    /// Two cadres issuing a card to one member at the same moment: one card, one clear refusal.
    @Test func concurrentIssuesGiveOneCard() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let county = try await app.token("county")
            let m = try await app.services.members.create(
                MemberInput(name: "齐心", idNumber: TestIDs.make(221)), unionId: f.factory.id, actor: app.system)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await app.api(.post, "/api/v1/members/\(m.id)/cards", token: county).status.code } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.filter { $0 == 409 }.count == 7, "\(statuses)")
            let n = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM member_cards WHERE member_id = \(bind: m.id)").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(n == 1)
        }
    }

    /// 退会 cancels the card in the same transaction: audited, on the revocation list, out of the coverage.
    @Test func aMembershipThatEndsCancelsItsCard() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let m = try await app.services.members.create(
                MemberInput(name: "韩冰", idNumber: TestIDs.make(241)), unionId: f.factory.id, actor: app.system)
            let card = try await app.services.cards.issue(memberId: m.id, actor: app.system)
            try await app.services.members.setStatus(m.id, to: .lapsed, note: "调离", actor: app.system)
            let after = try #require(try await app.services.cards.cards(memberId: m.id, actor: app.system).first)
            #expect(after.id == card.id && after.status == .cancelled && after.endReason == MembershipStatus.lapsed.label)
            #expect(try await app.services.members.cardHolder(memberId: m.id)?.cardNo == nil)
            #expect(try await app.services.redemptions.revocations(since: app.clock.now.addingTimeInterval(-60)) == [card.cardNo])
            try await app.services.rollups.run()
            let cards = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) AS n FROM member_counters WHERE metric = 'cards'").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(cards == 0)
            let actions = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT action FROM audit_log WHERE object_type = 'member_card' ORDER BY seq").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(actions == ["card.issue", "card.cancel"])
        }
    }

    /// 批量发卡 over a subtree: every member on the rolls without a card gets one (not one whose card was
    /// reported lost, not another county's), progress is kept, coverage is exact, and a rerun issues nothing.
    @Test func aBatchIssuesCardsToTheSubtreeOnce() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "sibling", role: Role.orgAdmin, at: f.countyA2)
            let county = try await app.token("county")
            var ids: [Int64] = []
            for i in 0..<5 {
                ids.append(try await app.services.members.create(
                    MemberInput(name: "批\(i)", idNumber: TestIDs.make(250 + i)), unionId: f.factory.id, actor: app.system).id)
            }
            let lost = try await app.services.cards.issue(memberId: ids[0], actor: app.system)
            _ = try await app.services.cards.reportLost(lost.id, actor: app.system)
            _ = try await app.services.cards.issue(memberId: ids[1], actor: app.system)
            let started = try await app.api(.post, "/api/v1/card-batches", token: county, json: ["unionId": f.countyA1.id])
            #expect(started.status == .accepted, "\(started.raw)")
            let id = try #require(((started.body as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            #expect(try await app.api(.post, "/api/v1/card-batches", token: county, json: ["unionId": f.countyA1.id]).status == .conflict)
            #expect(try await app.api(.post, "/api/v1/card-batches", token: county, json: ["unionId": f.countyA2.id]).status == .unprocessableContent)
            let sibling = try await app.token("sibling")
            #expect(try await app.api(.get, "/api/v1/card-batches/\(id)", token: sibling).status == .notFound)

            try await app.services.cardBatches.run(id)
            #expect(Set((try await app.api(.get, "/api/v1/card-batches", token: county).body as? [[String: Any]] ?? []).compactMap {
                ($0["id"] as? NSNumber)?.int64Value
            }) == [id])
            let batch = try #require(try await app.api(.get, "/api/v1/card-batches/\(id)", token: county).body as? [String: Any])
            #expect(batch["status"] as? String == "done" && (batch["done"] as? NSNumber)?.intValue == 3 && (batch["total"] as? NSNumber)?.intValue == 4)
            for (i, id) in ids.enumerated() {
                let current = try await app.services.cards.cards(memberId: id, actor: app.system).filter { $0.status != .cancelled }
                #expect(current.count == 1, "member \(i)")
                if i == 0 { #expect(current.first?.status == .lost) }
            }
            try await app.services.rollups.run()
            let d = try await app.api(.get, "/api/v1/member-dashboard?unionId=\(f.townA1.id)", token: county)
            let total = try #require((d.body as? [String: Any])?["total"] as? [String: Any])
            #expect((total["cardHolders"] as? NSNumber)?.intValue == 4)
            // A second batch finds nobody left.
            let again = try await app.services.cardBatches.start(unionId: f.countyA1.id, actor: app.system)
            try await app.services.cardBatches.run(again.id)
            #expect(try await app.services.cardBatches.batch(again.id, actor: app.system).done == 0)
        }
    }
}
