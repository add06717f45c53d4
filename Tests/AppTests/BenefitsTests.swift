import Foundation
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Benefits
@testable import Members
@testable import Organizations
@testable import Platform

/// 普惠服务: merchants reviewed by a county, offers with daily quotas that never oversell, the e-card's
/// one-time codes and offline tokens, the cashier's redemption and the month's statement.
@Suite struct BenefitsTests {
    @Test func creditCodesAreCheckedByTheirGB32100CheckCharacter() {
        // Published codes of well-known companies.
        for code in ["914403001922038216", "91440300708461136T", "91110000802100433B"] {
            #expect(CreditCode.normalized(code) == code, "\(code)")
        }
        #expect(CreditCode.normalized(" 91440300708461136t ") == "91440300708461136T")
        // Any single changed character is caught; I, O, Z, S, V are not in the alphabet.
        let code = Array("91440300708461136T")
        for i in code.indices {
            for c in CreditCode.alphabet where c != code[i] {
                var typo = code
                typo[i] = c
                #expect(CreditCode.normalized(String(typo)) == nil, "\(String(typo))")
            }
        }
        #expect(CreditCode.normalized("9144030070846113OT") == nil)
        #expect(CreditCode.normalized("91440300708461136") == nil)
    }

    @Test func offlineTokensVerifyWithThePublishedKeyAndRefuseTamperingExpiryAndRevocation() async throws {
        let codes = CardCodes(deploymentKey: .init(data: Data(repeating: 9, count: 32)))
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let token = codes.token(cardNo: "88130123000000424", now: now)
        let ok = CardCodes.verify(token, publicKey: codes.publicKey, revoked: [], now: now.addingTimeInterval(60))
        #expect((try? ok.get())?.c == "88130123000000424")
        #expect(CardCodes.verify(token, publicKey: codes.publicKey, revoked: [], now: now.addingTimeInterval(301)) == .failure(.expired))
        #expect(CardCodes.verify(token, publicKey: codes.publicKey, revoked: ["88130123000000424"], now: now) == .failure(.revoked))
        // Another card number in the payload with the original signature.
        var parts = token.split(separator: ".").map(String.init)
        let forged = CardCodes.base64url(
            try JSONEncoder().encode(CardCodes.TokenClaims(c: "88130123000000999", s: "active", e: 1_790_000_300)))
        parts[1] = forged
        #expect(
            CardCodes.verify(parts.joined(separator: "."), publicKey: codes.publicKey, revoked: [], now: now) == .failure(.badSignature))
        // Another deployment's key does not verify it.
        let other = CardCodes(deploymentKey: .init(data: Data(repeating: 8, count: 32)))
        #expect(CardCodes.verify(token, publicKey: other.publicKey, revoked: [], now: now) == .failure(.badSignature))
        #expect(CardCodes.verify("WHB1.garbage", publicKey: codes.publicKey, revoked: [], now: now) == .failure(.malformed))
    }

    /// The "done when" of the issue, in a small tree: a county approves a cinema, opens a 10-yuan ticket
    /// with a daily quota, a member claims one, the cashier checks and redeems her code, the code cannot be
    /// replayed, and the county's statement for the month lists it.
    @Test func fromTheMembersCardToTheCountysStatement() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "sibling", role: Role.orgAdmin, at: f.countyA2)
            let county = try await app.token("county")
            let sibling = try await app.token("sibling")
            let cinema = try await Self.cinema(app, f, quota: "2")

            // The sibling county sees nothing of it.
            #expect(try await app.api(.get, "/api/v1/merchants/\(cinema)", token: sibling).status == .notFound)
            #expect(Self.ids(try await app.api(.get, "/api/v1/merchants", token: sibling).body).isEmpty)
            #expect(Self.ids(try await app.api(.get, "/api/v1/merchants", token: county).body) == [cinema])
            // A lower level cannot make a higher one pay.
            let payer = try await app.api(
                .post, "/api/v1/merchants/\(cinema)/offers", token: county,
                json: [
                    "title": "省里出钱", "kind": "percent", "percentOff": "50", "unionId": f.countyA1.id, "payerId": f.province.id,
                    "validFrom": "2026-01-01", "validTo": "2027-12-31", "weekdays": "1234567",
                ])
            #expect(payer.status == .unprocessableContent)

            let (member, token) = try await Self.member(app, f, name: "苏青", seq: 301, phone: "13912340301")
            let offers = try #require(try await app.api(.get, "/api/v1/me/offers", token: token).body as? [[String: Any]])
            let ticket = try #require(offers.first { $0["title"] as? String == "会员10元观影" })
            let offerId = try #require((ticket["id"] as? NSNumber)?.int64Value)
            #expect((ticket["leftToday"] as? NSNumber)?.intValue == 2)

            // The cashier cannot redeem a limited offer before the member claims it.
            let cashier = try await app.token("cashier")
            var code = try await Self.code(app, token)
            let before = try await app.api(
                .post, "/api/v1/merchant/redemptions", token: cashier,
                json: ["code": code, "offerId": offerId, "amountBefore": "40"])
            #expect(before.status == .conflict && before.raw.contains("抢购券"))
            let claim = try await app.api(.post, "/api/v1/me/offers/\(offerId)/claims", token: token)
            #expect(claim.status == .created, "\(claim.raw)")
            // Per day one: the second claim is refused with its reason.
            let again = try await app.api(.post, "/api/v1/me/offers/\(offerId)/claims", token: token)
            #expect(again.status == .conflict && again.raw.contains("每人每天限1次"))

            // 核验 shows the masked member and the offer with her voucher; nothing is used.
            code = try await Self.code(app, token)
            let verified = try await app.api(.post, "/api/v1/merchant/verifications", token: cashier, json: ["code": code])
            let v = try #require(verified.body as? [String: Any])
            #expect(v["memberName"] as? String == "苏*", "\(verified.raw)")
            let applicable = try #require(v["offers"] as? [[String: Any]])
            #expect(applicable.count == 2 && applicable.contains { ($0["voucherId"] as? NSNumber) != nil })

            // 核销, the code typed as the card prints it: 40 yuan → 10 yuan; the union pays the whole 30-yuan discount.
            let redeemed = try await app.api(
                .post, "/api/v1/merchant/redemptions", token: cashier,
                json: ["code": "\(code.prefix(5)) \(code.suffix(5))", "offerId": offerId, "amountBefore": "40"])
            #expect(redeemed.status == .created, "\(redeemed.raw)")
            let r = try #require(redeemed.body as? [String: Any])
            #expect((r["amountAfter"] as? NSNumber)?.intValue == 1000 && (r["subsidy"] as? NSNumber)?.intValue == 3000)
            // The same code twice: refused, nothing recorded.
            let replay = try await app.api(
                .post, "/api/v1/merchant/redemptions", token: cashier,
                json: ["code": code, "offerId": offerId, "amountBefore": "40"])
            #expect(replay.status == .conflict && replay.raw.contains("已使用"))
            // A code not shown by the server, and one that expired (two steps later).
            #expect(
                try await app.api(.post, "/api/v1/merchant/verifications", token: cashier, json: ["code": "0000000000"]).status == .conflict
            )
            let stale = try await Self.code(app, token)
            app.clock.advance(61)
            #expect(try await app.api(.post, "/api/v1/merchant/verifications", token: cashier, json: ["code": stale]).status == .conflict)

            // The rest of the API around it: the merchant, its offers, the cashier's month, the member's vouchers,
            // an offline token a merchant app verifies with the published key, and a second review refused.
            #expect(try await app.api(.get, "/api/v1/merchants/\(cinema)", token: county).status == .ok)
            #expect(Self.ids(try await app.api(.get, "/api/v1/merchants/\(cinema)/offers", token: county).body).count == 2)
            #expect(Self.ids(try await app.api(.get, "/api/v1/merchant/redemptions", token: cashier).body).count == 1)
            let vouchers = try #require(try await app.api(.get, "/api/v1/me/vouchers", token: token).body as? [[String: Any]])
            #expect(vouchers.map { $0["status"] as? String } == ["redeemed"])
            let offline = try #require(try await app.api(.get, "/api/v1/me/member-card/token", token: token).body as? [String: Any])
            let published = try #require(try await app.api(.get, "/api/v1/benefits/keys", token: nil).body as? [String: Any])
            let key = try #require(Data(base64Encoded: published["publicKey"] as? String ?? ""))
            #expect((try? CardCodes.verify(offline["token"] as? String ?? "", publicKey: key, revoked: [], now: app.clock.now).get()) != nil)
            let review = try await app.api(.post, "/api/v1/merchants/\(cinema)/review", token: county, json: ["approve": false, "note": "再审"])
            #expect(review.status == .conflict)

            // Guessing codes: after 20 wrong ones in ten minutes (two above) the desk stops answering, even a right code.
            let right = try await Self.code(app, token)
            for i in 0..<18 {
                let guess = String(format: "%010d", 1_000_000 + i)
                #expect(try await app.api(.post, "/api/v1/merchant/verifications", token: cashier, json: ["code": guess]).status == .conflict)
            }
            #expect(try await app.api(.post, "/api/v1/merchant/verifications", token: cashier, json: ["code": right]).status == .tooManyRequests)
            app.clock.advance(600)

            // A county cadre is not a cashier.
            #expect(try await app.api(.post, "/api/v1/merchant/verifications", token: county, json: ["code": stale]).status == .forbidden)

            // The month: one redemption, unsettled; then the statement, immutable, listing it.
            let month = CivilMonth(CivilDate(date: app.clock.now)).iso
            let totals = try #require(
                try await app.api(.get, "/api/v1/benefits/settlement?month=\(month)", token: county).body as? [[String: Any]])
            #expect((totals.first?["redemptions"] as? NSNumber)?.intValue == 1 && (totals.first?["unsettled"] as? NSNumber)?.intValue == 1)
            let cadre = Actor(principal: try await app.services.auth.principal(username: "county"), ip: "t", requestId: "t")
            let report = try await app.services.settlement.report(months: [try #require(CivilMonth(iso: month))], actor: cadre)
            #expect(report.redemptions == [1] && report.subsidy == [3000] && report.offers.map(\.title) == ["会员10元观影"])
            let siblingCadre = Actor(principal: try await app.services.auth.principal(username: "sibling"), ip: "t", requestId: "t")
            #expect(try await app.services.settlement.report(months: [try #require(CivilMonth(iso: month))], actor: siblingCadre).redemptions == [0])
            let settled = try await app.api(.post, "/api/v1/merchants/\(cinema)/statements", token: county, json: ["month": month])
            #expect(settled.status == .created, "\(settled.raw)")
            let statementId = try #require(((settled.body as? [String: Any])?["id"] as? NSNumber)?.int64Value)
            #expect(
                try await app.api(.post, "/api/v1/merchants/\(cinema)/statements", token: county, json: ["month": month]).status
                    == .conflict)
            let statement = try #require(try await app.api(.get, "/api/v1/statements/\(statementId)", token: county).body as? [String: Any])
            #expect((statement["lines"] as? [[String: Any]])?.first?["memberName"] as? String == "苏*")
            #expect(try await app.api(.get, "/api/v1/statements/\(statementId)", token: sibling).status == .notFound)
            // The cashier sees their own statements.
            #expect(Self.ids(try await app.api(.get, "/api/v1/merchant/statements", token: cashier).body) == [statementId])

            // A cancelled card's codes stop working and it goes on the revocation list.
            let card = try #require(try await app.services.cards.cards(memberId: member, actor: app.system).first)
            code = try await Self.code(app, token)
            _ = try await app.services.cards.cancel(card.id, reason: "测试", actor: app.system)
            #expect(try await app.api(.post, "/api/v1/merchant/verifications", token: cashier, json: ["code": code]).status == .conflict)
            let revoked = try #require(try await app.api(.get, "/api/v1/benefits/revocations", token: nil).body as? [String: Any])
            #expect((revoked["cardNos"] as? [String]) == [card.cardNo])
            let keys = try #require(try await app.api(.get, "/api/v1/benefits/keys", token: nil).body as? [String: Any])
            #expect(keys["publicKey"] as? String == app.services.redemptions.codes.publicKey.base64EncodedString())

            // Every refusal was counted by its reason.
            let refusals = try await app.services.redemptions.refusals()
            #expect(refusals["code_replayed"] == 1 && refusals["code_unknown"] == 20 && refusals["card_inactive"] == 1
                    && refusals["merchant_throttled"] == 1, "\(refusals)")
        }
    }

    /// 1,000 claims at once for a quota of 200: exactly 200 vouchers, the rest 已抢完, on either database.
    /// And one member sending 30 claims at once for a one-a-day offer gets one.
    @Test func aThousandConcurrentClaimsForTwoHundredUnitsGrantExactlyTwoHundred() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let cinema = try await Self.cinema(app, f, quota: "200", perDay: "")
            let offer = try #require(try await app.services.offers.offers(merchantId: cinema).first)
            var workers: [Int64] = []
            for i in 0..<5 {
                let (_, token) = try await Self.member(app, f, name: "抢票\(i)", seq: 320 + i, phone: "1391234032\(i)")
                workers.append(try #require(try await app.services.workers.resolve(token: token, kind: .api)).workerId)
            }
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<1000 {
                    let worker = workers[i % workers.count]
                    group.addTask {
                        do {
                            _ = try await app.services.offers.claim(offerId: offer.id, workerId: worker, actor: app.system)
                            return "ok"
                        } catch let error as AppError {
                            return error.message
                        }
                    }
                }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(outcomes == ["ok": 200, BenefitsText.soldOut: 800], "\(outcomes)")
            let vouchers = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM vouchers WHERE offer_id = \(bind: offer.id)").first()!.decode(
                    column: "n", as: Int.self)
            }
            #expect(vouchers == 200)

            let limited = try await Self.cinema(app, f, quota: "100", perDay: "1", name: "另一影城", code: "91130123MA0C2NEMA")
            let limitedOffer = try #require(try await app.services.offers.offers(merchantId: limited).first)
            let one = workers[0]
            let mine = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        (try? await app.services.offers.claim(offerId: limitedOffer.id, workerId: one, actor: app.system)) != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(mine == 1)
        }
    }

    @Test func aMerchantApplicationKeepsWhatWasTypedAndRefusesAFakeLicence() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let site = WebSession(app)
            _ = try await site.get("/merchants/apply")
            let fields = [
                "name": "正定书店", "creditCode": "91440300708461136X", "category": "文体休闲", "contactName": "王店长",
                "contactPhone": "13903110199", "unionId": String(f.countyA1.id), "outletAddress": "常山路 1 号",
            ]
            let bad = try await site.postMultipart("/merchants/apply", fields, file: (name: "licence.png", data: Data("not an image".utf8)))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("统一社会信用代码不正确") && bad.html.contains("营业执照须是") && bad.html.contains("value=\"正定书店\""))
            var good = fields
            good["creditCode"] = "91440300708461136T"
            let ok = try await site.postMultipart("/merchants/apply", good, file: (name: "licence.png", data: BenefitsDemo.placeholderPNG))
            #expect(ok.status == .seeOther || ok.status == .found, "\(ok.html.prefix(300))")
            let pending = try await app.services.merchants.merchants(status: .pending, actor: app.system)
            #expect(pending.map(\.name) == ["正定书店"])
        }
    }

    // MARK: Helpers

    /// An approved cinema in 甲一县 with a 10-yuan ticket (daily quota, one a day) and a 12% discount, and its cashier.
    static func cinema(
        _ app: TestApp, _ f: Fixture, quota: String, perDay: String = "1", name: String = "甲一影城", code: String = "91130123MA0C1NEMA"
    ) async throws -> Int64 {
        let cadre = Actor(principal: try await app.services.auth.principal(username: "county"), ip: "test", requestId: "t")
        let licence = FileManager.default.temporaryDirectory.appendingPathComponent("licence-\(UUID().uuidString).png")
        try BenefitsDemo.placeholderPNG.write(to: licence)
        let full = code + String(CreditCode.checkCharacter(code) ?? "0")
        let m = try await app.services.merchants.apply(
            MerchantApplication(
                name: name, creditCode: full, category: "观影娱乐", contactName: "郭影", contactPhone: "13903110101",
                unionId: f.countyA1.id, outletName: name, outletAddress: "常山西路 88 号", lat: "38.14", lng: "114.57"),
            licence: licence, directory: app.services.merchantFiles, actor: cadre)
        _ = try await app.services.merchants.review(m.id, approve: true, from: "2026-01-01", to: "2030-12-31", note: nil, actor: cadre)
        if name == "甲一影城" {
            _ = try await app.services.merchants.addStaff(
                m.id, username: "cashier", displayName: "收银员", password: Fixture.password, actor: cadre)
        }
        _ = try await app.services.offers.create(
            merchantId: m.id,
            OfferInput(
                title: "会员10元观影", kind: "price", memberPrice: "10", listPrice: "40", unionId: f.countyA1.id, subsidyPercent: "100",
                validFrom: "2026-01-01", validTo: "2030-12-31", perDay: perDay, dailyQuota: quota), actor: cadre)
        _ = try await app.services.offers.create(
            merchantId: m.id,
            OfferInput(
                title: "小食88折", kind: "percent", percentOff: "12", unionId: f.countyA1.id, validFrom: "2026-01-01",
                validTo: "2030-12-31"), actor: cadre)
        return m.id
    }

    /// A member of 甲一厂工会 who has claimed her membership from a worker account and holds an e-card.
    static func member(_ app: TestApp, _ f: Fixture, name: String, seq: Int, phone: String) async throws -> (memberId: Int64, token: String)
    {
        let m = try await app.services.members.create(
            MemberInput(name: name, idNumber: TestIDs.make(seq), phone: phone), unionId: f.factory.id, actor: app.system)
        let token = try await WorkerAPITests.workerToken(app, phone: phone)
        #expect(try await ClaimTests.claim(app, token, name, seq).body["status"] as? String == "linked")
        #expect(try await app.api(.post, "/api/v1/me/member-card", token: token).status == .ok)
        return (m.id, token)
    }

    /// Ids of a JSON array response; anything else (an error) fails the test.
    static func ids(_ body: Any?, sourceLocation: SourceLocation = #_sourceLocation) -> [Int64] {
        guard let items = body as? [[String: Any]] else {
            Issue.record("not a list: \(String(describing: body))", sourceLocation: sourceLocation)
            return []
        }
        return items.compactMap { ($0["id"] as? NSNumber)?.int64Value }
    }

    static func code(_ app: TestApp, _ token: String) async throws -> String {
        let r = try await app.api(.get, "/api/v1/me/member-card/code", token: token)
        return try #require((r.body as? [String: Any])?["code"] as? String, "\(r.raw)")
    }
}
