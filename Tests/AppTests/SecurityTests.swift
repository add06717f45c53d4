import Foundation
import Logging
import Crypto
import Hummingbird
import HummingbirdOTP
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Synchronization
import Testing

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform
@testable import WorkOrders

/// The holes of issue 11, each probed the way an attacker found it.
@Suite struct SecurityTests {
    /// A month range from request data never traps (9999-12 had no next month) and stays bounded.
    @Test func statsRangesAreValidatedAndBounded() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            for (from, to, field) in [
                ("9999-12", "9999-12", "from"), ("0001-01", "9999-12", "from"), ("2026-13", "2026-12", "from"),
                ("2026-01", "2025-12", "to"), ("2017-01", "2027-01", "from"),
            ] {
                let r = try await app.api(.get, "/api/v1/work-order-stats?from=\(from)&to=\(to)", token: token)
                #expect(r.status == .unprocessableContent, "\(from)…\(to): \(r.status)")
                #expect(((r.body as? [String: Any])?["errors"] as? [String: String])?[field] != nil, "\(from)…\(to): \(r.raw)")
            }
            let ok = try await app.api(.get, "/api/v1/work-order-stats?from=2017-01&to=2026-12", token: token)
            #expect(ok.status == .ok)
            #expect(((ok.body as? [String: Any])?["byMonth"] as? [Any])?.count == StatsService.maxMonths)
            let web = WebSession(app)
            _ = try await web.login("county")
            #expect(try await web.get("/admin/work-order-stats?from=9999-12&to=9999-12").status == .unprocessableContent)
        }
    }

    /// MultipartKit traps on an empty boundary: the form is refused before it gets there.
    @Test func anEmptyMultipartBoundaryIsABadRequest() async throws {
        try await TestApp.run { app in
            _ = try await Fixture.build(app)
            let site = try await WebSession.worker(app, phone: "13812340077")
            _ = try await site.get("/me/requests/new")
            for type in ["multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"", "multipart/form-data"] {
                let response = try await app.client.execute(
                    uri: "/me/requests?_csrf=\(site.csrf)", method: .post,
                    headers: [.contentType: type, .cookie: site.cookieHeader], body: ByteBuffer(string: "--\r\n"))
                #expect(response.status == .badRequest, "\(type)")
            }
            #expect(MultipartForm.boundary(of: "multipart/form-data; boundary=----wh42") == "----wh42")
            #expect(MultipartForm.boundary(of: "multipart/form-data; charset=utf-8; boundary=\"a b\"") == "a b")
            #expect(MultipartForm.boundary(of: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
            #expect(MultipartForm.boundary(of: "text/plain; boundary=abc") == nil)
        }
    }

    /// A job whose runner died on every attempt is failed, not taken up again after each restart.
    @Test func aJobThatKeepsKillingItsRunnerIsFailedAfterItsAttempts() async throws {
        try await TestApp.run { app in
            let jobs = app.services.jobs
            let runs = Counter()
            jobs.register("test.deadly") { _, _ in runs.add() }
            let id = try await jobs.enqueue(kind: "test.deadly", payload: "", maxAttempts: 2)
            // Two runners took it and died (their leases expired): attempts are used up.
            try await app.services.database.transaction { sql in
                try await sql.raw(
                    "UPDATE jobs SET status = 'running', attempts = 2, locked_at = \(bind: app.clock.now.addingTimeInterval(-3600)) WHERE id = \(bind: id)"
                ).run()
            }
            #expect(try await jobs.drain() == 0)
            #expect(runs.value == 0)
            let status = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT status FROM jobs WHERE id = \(bind: id)").first()?.decode(column: "status", as: String.self)
            }
            #expect(status == "failed")
        }
    }

    /// A county admin cannot reset, disable or re-grant an account of the county that also holds
    /// a province role, through the API or the console, and sees that role listed.
    @Test func aLowerAdminCannotTakeOverAnAccountThatHoldsAHigherRole() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let cadre = try await Fixture.account(app, "dual", role: Role.viewer, at: f.countyA1)
            _ = try await app.services.accounts.grant(accountId: cadre.id, roleCode: Role.orgAdmin, orgId: f.province.id, actor: app.system)
            let token = try await app.token("county")
            #expect(
                try await app.api(.post, "/api/v1/accounts/\(cadre.id)/password", token: token, json: ["password": "Taken!2026x"]).status
                    == .forbidden)
            #expect(try await app.api(.patch, "/api/v1/accounts/\(cadre.id)", token: token, json: ["status": "disabled"]).status == .forbidden)
            #expect(
                try await app.api(
                    .post, "/api/v1/accounts/\(cadre.id)/assignments", token: token,
                    json: ["roleCode": Role.viewer, "orgId": f.townA1.id]
                ).status == .forbidden)
            let held = try await app.api(.get, "/api/v1/accounts/\(cadre.id)/assignments", token: token)
            let orgIds = ((held.body as? [[String: Any]]) ?? []).compactMap { ($0["orgId"] as? NSNumber)?.int64Value }
            #expect(orgIds.sorted() == [f.province.id, f.countyA1.id].sorted())
            let web = WebSession(app)
            _ = try await web.login("county")
            let page = try await web.get("/admin/accounts/\(cadre.id)")
            #expect(page.html.contains("另有角色") && page.html.contains(f.province.name))
            #expect(try await web.post("/admin/accounts/\(cadre.id)/password", ["password": "Taken!2026x"]).status == .forbidden)
            #expect(try await web.post("/admin/accounts/\(cadre.id)/status", ["status": "disabled"]).status == .forbidden)
            // The account still signs in with its own password, and the refusals are audited.
            _ = try await app.token("dual")
            let denied = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE result = 'denied' AND object_id = \(bind: String(cadre.id))")
                    .first()?.decode(column: "n", as: Int.self) ?? 0
            }
            #expect(denied >= 4)
            // A province admin may.
            try await Fixture.account(app, "prov", role: Role.orgAdmin, at: f.province)
            let prov = try await app.token("prov")
            #expect(
                try await app.api(.post, "/api/v1/accounts/\(cadre.id)/password", token: prov, json: ["password": "Reset!2026x"]).status
                    == .noContent)
        }
    }

    /// Enrols `username` through the console and returns the secret and the recovery codes.
    func enrol(_ app: TestApp, _ web: WebSession, _ username: String) async throws -> (secret: String, recovery: [String]) {
        _ = try await web.get("/admin/totp/enrol")
        #expect(try await web.post("/admin/totp/enrol/start", [:]).location == "/admin/totp/enrol")
        let account = try await app.services.database.withConnection { try await app.services.accounts.store.account(username: username, on: $0) }
        let secret = try app.services.auth.cipher.open(try #require(account?.totpPending), for: AccountFields.totpPending)
        let done = try await web.post("/admin/totp/enrol", ["code": totp(secret, app)])
        let recovery = done.html.matches(of: /<li class="code">([a-z0-9-]+)<\/li>/).map { String($0.1) }
        return (secret, recovery)
    }

    func totp(_ secret: String, _ app: TestApp) -> String { String(format: "%06d", TOTP(secret: secret).compute(date: app.clock.now)) }

    /// Opening the enrolment page changes nothing (it once switched two-factor login off); replacing
    /// the authenticator needs the current code or a recovery code, by POST; every step is audited.
    @Test func aGETNeverSwitchesOffTwoFactorLogin() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "root", role: Role.systemAdmin, at: f.province)
            let web = WebSession(app)
            _ = try await web.login("root")
            let (secret, recovery) = try await enrol(app, web, "root")
            #expect(recovery.count == AuthService.recoveryCodeCount)
            let before = try await app.services.database.withConnection { try await app.services.accounts.store.account(username: "root", on: $0) }
            #expect(try await web.get("/admin/totp/enrol").status == .ok)
            let after = try await app.services.database.withConnection { try await app.services.accounts.store.account(username: "root", on: $0) }
            #expect(after?.totpEnabled == true && after?.totpSecret == before?.totpSecret && after?.totpPending == nil)
            // Starting over without the current factor is refused, and audited.
            #expect(try await web.post("/admin/totp/enrol/start", [:]).status == .unprocessableContent)
            #expect(try await web.post("/admin/totp/enrol/start", ["code": "123456"]).status == .unprocessableContent)
            app.clock.advance(30)
            #expect(try await web.post("/admin/totp/enrol/start", ["code": totp(secret, app)]).location == "/admin/totp/enrol")
            let actions = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT action, result FROM audit_log WHERE action LIKE 'auth.totp%' ORDER BY id").all().map {
                    "\(try $0.decode(column: "action", as: String.self)):\(try $0.decode(column: "result", as: String.self))"
                }
            }
            #expect(actions == ["auth.totp_enrol_start:ok", "auth.totp_enrol:ok", "auth.totp_enrol_start:denied", "auth.totp_enrol_start:denied", "auth.totp_enrol_start:ok"])
        }
    }

    /// A TOTP code works once; each recovery code works once instead of a code.
    @Test func secondFactorCodesWorkOnce() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "root", role: Role.systemAdmin, at: f.province)
            let web = WebSession(app)
            _ = try await web.login("root")
            let (secret, recovery) = try await enrol(app, web, "root")
            app.clock.advance(30)
            let code = totp(secret, app)
            _ = try await app.token("root", totp: code)
            let replay = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "root", "password": Fixture.password, "totpCode": code])
            #expect(replay.status == .unauthorized)
            let second = WebSession(app)
            _ = try await second.login("root")
            _ = try await second.get("/admin/login/totp")
            #expect(try await second.post("/admin/login/totp", ["code": code]).status == .unprocessableContent)
            #expect(try await second.post("/admin/login/totp", ["code": recovery[0].uppercased()]).location == "/admin")
            let third = WebSession(app)
            _ = try await third.login("root")
            _ = try await third.get("/admin/login/totp")
            #expect(try await third.post("/admin/login/totp", ["code": recovery[0]]).status == .unprocessableContent)
            #expect(try await third.post("/admin/login/totp", ["code": recovery[1]]).location == "/admin")
            let stored = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT code_hash FROM totp_recovery_codes").all().map { try $0.decode(column: "code_hash", as: String.self) }
            }
            #expect(stored.count == AuthService.recoveryCodeCount && !stored.contains { recovery.contains($0) })
        }
    }

    /// Sixteen wrong passwords at once get five checks between them, then the lock.
    @Test func parallelGuessesCannotOutrunTheLockout() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "target", role: Role.viewer, at: f.countyA1)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "target", "password": "Wrong!\(i)xx"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let checked = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.login' AND detail LIKE '%bad password%'").first()?
                    .decode(column: "n", as: Int.self) ?? 0
            }
            #expect(checked == AuthService.maxFailures, "\(checked) passwords checked; statuses \(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 16 - AuthService.maxFailures, "statuses \(statuses)")
            let locked = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "target", "password": Fixture.password])
            #expect(locked.status == .tooManyRequests)
        }
    }

    /// The latest development SMS text.
    func lastSMS(_ app: TestApp) async throws -> String {
        try await app.services.database.withConnection { sql in
            try await sql.raw("SELECT body FROM sms_outbox ORDER BY id DESC LIMIT 1").first()?.decode(column: "body", as: String.self) ?? ""
        }
    }

    /// Wrong SMS codes are counted even though the request fails (the count was rolled back with
    /// it): after five, the right code no longer works. Sending is limited per number and per session.
    @Test func smsCodesCannotBeGuessedOrSprayed() async throws {
        try await TestApp.run { app in
            let site = WebSession(app)
            _ = try await site.get("/me/register")
            _ = try await site.post("/me/register", ["phone": "13812340101", "action": "code"])
            let code = String(try await lastSMS(app).firstMatch(of: /\d{6}/)?.0 ?? "")
            let wrong = code == "000000" ? "111111" : "000000"
            for _ in 0..<5 {
                let r = try await site.post("/me/register", ["phone": "13812340101", "code": wrong, "password": "Worker!2026", "action": "register"])
                #expect(r.status == .unprocessableContent)
            }
            let late = try await site.post("/me/register", ["phone": "13812340101", "code": code, "password": "Worker!2026", "action": "register"])
            #expect(late.status == .unprocessableContent, "the right code after five wrong ones")
            // One browser session, many numbers: five codes an hour.
            var statuses: [HTTPResponse.Status] = []
            for n in 0..<10 {
                statuses.append(try await site.post("/me/register", ["phone": "1390000\(1000 + n)", "action": "code"]).status)
            }
            #expect(statuses.filter { $0 == .ok }.count == 4, "\(statuses)")  // the first number's code counted too
            #expect(statuses.suffix(6).allSatisfy { $0 == .tooManyRequests })
            // One number, from fresh sessions: one a minute, five an hour.
            var sent = 0
            for _ in 0..<8 {
                let other = WebSession(app)
                _ = try await other.get("/me/register")
                if try await other.post("/me/register", ["phone": "13812340202", "action": "code"]).status == .ok { sent += 1 }
                app.clock.advance(61)
            }
            #expect(sent == 5)
        }
    }

    /// PATCH changes only what it is sent (it once wiped a member's phone and an org's phone and
    /// region code); null clears where allowed; bad fields are named.
    @Test func patchChangesOnlyTheFieldsSent() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            let member = try await app.services.members.create(
                MemberInput(name: "王芳", idNumber: TestIDs.make(901), phone: "13912345678", education: "大学本科", job: "车工"),
                unionId: f.factory.id, actor: app.system)
            var r = try await app.api(.patch, "/api/v1/members/\(member.id)", token: token, json: ["name": "王芳芳"])
            #expect(r.status == .ok)
            var m = try await app.services.members.get(member.id, actor: app.system)
            #expect(m.name == "王芳芳" && m.phoneMask == member.phoneMask && m.phoneIndex == member.phoneIndex)
            #expect(m.education == member.education && m.job == "车工")
            let found = try await app.api(.get, "/api/v1/members?q=13912345678", token: token)
            #expect(TestApp.ids(found.body) == [member.id])
            r = try await app.api(.patch, "/api/v1/members/\(member.id)", token: token, json: ["phone": NSNull(), "job": "钳工"])
            #expect(r.status == .ok)
            m = try await app.services.members.get(member.id, actor: app.system)
            #expect(m.phoneIndex == nil && m.job == "钳工" && m.name == "王芳芳")
            r = try await app.api(.patch, "/api/v1/members/\(member.id)", token: token, json: ["name": NSNull()])
            #expect(r.status == .unprocessableContent && ((r.body as? [String: Any])?["errors"] as? [String: String])?["name"] != nil)
            r = try await app.api(.patch, "/api/v1/members/\(member.id)", token: token, json: ["idNumber": TestIDs.make(902)])
            #expect(((r.body as? [String: Any])?["errors"] as? [String: String])?["idNumber"] != nil)
            r = try await app.api(.patch, "/api/v1/members/\(member.id)", token: token, json: ["migrantWorker": "maybe"])
            #expect(r.status == .unprocessableContent && ((r.body as? [String: Any])?["errors"] as? [String: String])?["migrantWorker"] != nil)

            _ = try await app.services.organizations.edit(
                f.townA1.id, OrgInput(name: f.townA1.name, regionCode: "130123", address: "镇政府院内", phone: "0311-88001234"), actor: app.system)
            r = try await app.api(.patch, "/api/v1/orgs/\(f.townA1.id)", token: token, json: ["name": "甲一镇工会联合会"])
            #expect(r.status == .ok)
            var org = try await app.services.organizations.get(f.townA1.id, actor: app.system)
            #expect(org.name == "甲一镇工会联合会" && org.phone == "0311-88001234" && org.regionCode == "130123" && org.address == "镇政府院内")
            r = try await app.api(.patch, "/api/v1/orgs/\(f.townA1.id)", token: token, json: ["address": NSNull()])
            org = try await app.services.organizations.get(f.townA1.id, actor: app.system)
            #expect(r.status == .ok && org.address == nil && org.phone == "0311-88001234")
            r = try await app.api(.patch, "/api/v1/orgs/\(f.townA1.id)", token: token, json: ["level": "city"])
            #expect(((r.body as? [String: Any])?["errors"] as? [String: String])?["level"] != nil)
        }
    }

    /// The import's error report no longer shows ID and phone numbers in clear to a clerk who may
    /// not reveal them; its download is audited; the rows are stored sealed.
    @Test func importErrorReportsMaskNumbersAndAreAudited() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "clerk", role: "member_clerk", at: f.countyA1)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let badID = String(TestIDs.make(950).dropLast()) + (TestIDs.make(950).hasSuffix("1") ? "2" : "1")
            let lines = [ImportTests.header, "坏行,,,,\(badID),13912340000,,,\(f.factory.id),,,", "好行,,,,\(TestIDs.make(951)),,,,\(f.factory.id),,,"]
            let file = try ImportTests().write(lines.joined(separator: "\n"))
            let item = try await app.services.imports.start(file: file, fileName: "t.csv", unionId: f.countyA1.id, actor: app.system)
            try await app.services.imports.run(item.id)
            let stored = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT raw FROM member_import_errors").all().map { try $0.decode(column: "raw", as: String.self) }
            }
            #expect(stored.count == 1 && !stored[0].contains(badID) && !stored[0].contains("13912340000"))
            let clerk = WebSession(app)
            _ = try await clerk.login("clerk")
            let page = try await clerk.get("/admin/imports/\(item.id)")
            #expect(!page.html.contains("errors.csv\" method=\"post\"") && !page.html.contains("reveal-reason"))
            let csv = try await clerk.get("/admin/imports/\(item.id)/errors.csv").html
            #expect(csv.contains("坏行") && !csv.contains(badID) && !csv.contains("13912340000"))
            #expect(csv.contains(String(badID.prefix(6)) + "********" + String(badID.suffix(4))) && csv.contains("139****0000"))
            #expect(try await clerk.post("/admin/imports/\(item.id)/errors.csv", ["reason": "核对"]).status == .forbidden)
            let admin = WebSession(app)
            _ = try await admin.login("county")
            _ = try await admin.get("/admin/imports/\(item.id)")
            #expect(try await admin.post("/admin/imports/\(item.id)/errors.csv", ["reason": "x"]).status == .unprocessableContent)
            let clear = try await admin.post("/admin/imports/\(item.id)/errors.csv", ["reason": "核对错误行"]).html
            #expect(clear.contains(badID) && clear.contains("13912340000"))
            let audited = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT action, result FROM audit_log WHERE action LIKE 'member.import_errors%' ORDER BY id").all().map {
                    "\(try $0.decode(column: "action", as: String.self)):\(try $0.decode(column: "result", as: String.self))"
                }
            }
            #expect(audited == ["member.import_errors_download:ok", "member.import_errors_reveal:denied", "member.import_errors_reveal:ok"])
        }
    }

    /// The hotline's caller lookup names only members the operator may read; elsewhere it says
    /// there is one outside the area, without a name. A province-wide 12351 centre sees the province.
    @Test func theHotlineLookupStaysInScope() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let farUnion = try await app.services.organizations.createChild(
                of: f.countyB1.id, OrgInput(name: "乙一厂工会", level: .grassroots, kind: .grassroots), actor: app.system)
            _ = try await app.services.members.create(
                MemberInput(name: "远方会员", idNumber: TestIDs.make(960), phone: "13955556666"), unionId: farUnion.id, actor: app.system)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "centre", role: Role.hotlineOperator, at: f.province)
            let county = WebSession(app)
            _ = try await county.login("county")
            let page = try await county.get("/admin/hotline?phone=13955556666")
            #expect(page.status == .ok && !page.html.contains("远方会员") && page.html.contains("not-in-area"))
            #expect(!page.html.contains("unionId=\(farUnion.id)") && !page.html.contains("乙一厂工会"))
            let centre = WebSession(app)
            _ = try await centre.login("centre")
            #expect(try await centre.get("/admin/hotline?phone=13955556666").html.contains("远方会员"))
        }
    }

    /// The low findings: oversized bodies, control characters, levels kept by merges, old join
    /// dates, Chinese problem titles.
    @Test func lowFindingsAreClosed() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "prov", role: Role.orgAdmin, at: f.province)
            let token = try await app.token("prov")
            // A form body past the limit is 413, not a server error.
            let big = try await app.client.execute(
                uri: "/admin/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=" + String(repeating: "a", count: 3 << 20)))
            #expect(big.status == .contentTooLarge)
            // A NUL in a name is refused, not cut off.
            var r = try await app.api(
                .post, "/api/v1/members", token: token, json: ["name": "王\u{0}芳", "idNumber": TestIDs.make(970), "unionId": f.factory.id])
            #expect(r.status == .badRequest)
            let web = WebSession(app)
            _ = try await web.login("prov")
            _ = try await web.get("/admin/orgs/\(f.countyA1.id)")
            #expect(try await web.post("/admin/orgs/\(f.countyA1.id)/edit", ["name": "甲一县\u{0}总工会"]).status == .badRequest)
            // Levels: a city federation cannot go under a township, nor a city's counties under a county by a merge.
            r = try await app.api(.post, "/api/v1/orgs/\(f.cityB.id)/move", token: token, json: ["parentId": f.townA1.id])
            #expect(r.status == .unprocessableContent)
            r = try await app.api(.post, "/api/v1/orgs/\(f.cityB.id)/merge", token: token, json: ["targetId": f.countyA1.id])
            #expect(r.status == .unprocessableContent)
            #expect(try await app.services.organizations.get(f.countyB1.id, actor: app.system).parentId == f.cityB.id)
            // A join date before 1925 or before birth.
            r = try await app.api(
                .post, "/api/v1/members", token: token,
                json: ["name": "老会员", "idNumber": TestIDs.make(971), "unionId": f.factory.id, "joinDate": "1899-01-01"])
            #expect(r.status == .unprocessableContent && ((r.body as? [String: Any])?["errors"] as? [String: String])?["joinDate"] != nil)
            // Problem titles are Chinese like their details.
            r = try await app.api(.get, "/api/v1/orgs/999999", token: token)
            #expect((r.body as? [String: Any])?["title"] as? String == "未找到")
        }
    }

    /// Nothing is written to disk before the permission check; refused uploads are deleted; a
    /// sweep removes leftovers older than a day but keeps the files of imports still to run.
    @Test func uploadsNeverOutliveTheirRefusal() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let uploads = app.services.uploads
            func leftovers() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: uploads.path)) ?? [] }
            try await Fixture.account(app, "viewer", role: Role.viewer, at: f.countyA1)
            let viewer = WebSession(app)
            _ = try await viewer.login("viewer")
            _ = try await viewer.get("/admin")
            let r = try await viewer.postMultipart("/admin/imports", ["unionId": String(f.factory.id)], file: ("a.csv", Data("x,y\n".utf8)))
            #expect(r.status == .forbidden)
            let order = try await app.services.workOrders.fileByStaff(
                IntakeInput(typeCode: "consultation", categoryCode: "other", title: "咨询", description: "说明", unionId: f.factory.id, callerName: "张三"),
                channel: .hotline, actor: app.system)
            let stranger = try await WebSession.worker(app, phone: "13812349999")
            _ = try await stranger.get("/me/requests/new")
            let upload = try await stranger.postMultipart("/me/requests/\(order.id)/files", [:], file: ("x.jpg", WorkOrderTests.jpeg))
            #expect(upload.status == .notFound)
            #expect(leftovers().isEmpty, "\(leftovers())")
            // The sweep: an old orphan goes, a queued import's file stays, a fresh file stays.
            try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
            let orphan = uploads.appendingPathComponent("upload-orphan")
            let fresh = uploads.appendingPathComponent("upload-fresh")
            let queued = uploads.appendingPathComponent("upload-queued")
            for url in [orphan, fresh, queued] { try Data("x".utf8).write(to: url) }
            let old = Date().addingTimeInterval(-2 * 86400)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: orphan.path)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: queued.path)
            _ = try await app.services.imports.start(file: queued, fileName: "q.csv", unionId: f.countyA1.id, actor: app.system)
            #expect(Upload.sweep(uploads, olderThan: 86400, keep: try await app.services.imports.pendingFiles()) == 1)
            #expect(Set(leftovers()) == ["upload-fresh", "upload-queued"])
        }
    }

    /// `/metrics` answers loopback, a configured network or the configured token, nobody else;
    /// pages carry a Permissions-Policy.
    @Test func metricsAreNotPublic() async throws {
        try await TestApp.run { app in
            let metrics = MetricsEndpoint(
                database: app.services.database, networks: [try #require(IPv4Network("10.20.0.0/16"))], token: "metrics-token-0123456789")
            func request(_ auth: String?) -> Request {
                var head = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/metrics")
                if let auth { head.headerFields[.authorization] = auth }
                return Request(head: head, body: .init(buffer: ByteBuffer()))
            }
            #expect(metrics.allows(request(nil), ip: "127.0.0.1") && metrics.allows(request(nil), ip: "10.20.3.4"))
            #expect(!metrics.allows(request(nil), ip: "10.21.3.4") && !metrics.allows(request(nil), ip: "unknown"))
            #expect(metrics.allows(request("Bearer metrics-token-0123456789"), ip: "203.0.113.9"))
            #expect(!metrics.allows(request("Bearer wrong"), ip: "203.0.113.9"))
            #expect(IPv4Network("300.1.1.1/8") == nil && IPv4Network("10.0.0.0/33") == nil)
            // The pool gauges keep the names the dashboards and docs/operations.md use.
            let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
            for name in ["db_pool_connections_in_use", "db_pool_connections_max", "db_pool_waiting", "db_pool_wait_timeouts"] {
                #expect(exposition.contains("\n\(name) ") || exposition.hasPrefix("\(name) "), "\(name) in \(exposition)")
            }
            // Through the router the test client has no loopback address: refused.
            #expect(try await app.client.execute(uri: "/metrics", method: .get, headers: [:], body: nil).status == .forbidden)
            let page = try await app.client.execute(uri: "/", method: .get, headers: [:], body: nil)
            #expect(page.headers[HTTPField.Name("Permissions-Policy")!]?.contains("camera=()") == true)
        }
    }

    /// Services of the same database under other keys, with their pool running, for `body`.
    func withKeys<T: Sendable>(
        _ app: TestApp, data: SymmetricKey, old: [SymmetricKey] = [], index: SymmetricKey?, _ body: @escaping @Sendable (Services) async throws -> T
    ) async throws -> T {
        var config = app.services.config
        config.dataKey = data
        config.previousDataKeys = old
        config.indexKey = index
        var logger = Logger(label: "keys-test")
        logger.logLevel = .warning
        let services = try Services(config: config, logger: logger, clock: app.clock.appClock, bcryptCost: 4)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await services.database.service.run()
                return nil
            }
            let result = try await body(services)
            group.cancelAll()
            return result
        }
    }

    /// A new data key takes over: every sealed value is re-sealed in the background while both keys
    /// open, lookups keep working, and then the old key can go. A new index key needs a reindex, and
    /// until then the server refuses to start rather than silently finding nothing.
    @Test func keysRotateAndIndexesRebuild() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let member = try await app.services.members.create(
                MemberInput(name: "密钥测试", idNumber: TestIDs.make(980), phone: "13900008888"), unionId: f.factory.id, actor: app.system)
            _ = try await app.services.workOrders.fileByStaff(
                IntakeInput(typeCode: "consultation", categoryCode: "other", title: "咨询", description: "说明", unionId: f.factory.id,
                            callerName: "李四", callerPhone: "13900008888"), channel: .hotline, actor: app.system)
            _ = try await WebSession.worker(app, phone: "13900007777")
            let old = TestApp.dataKey
            let new = SymmetricKey(size: .bits256)
            try await app.services.keys.verify()
            let before = try await app.services.keys.remaining()
            #expect(before.allSatisfy { $0.values == 0 }, "\(before)")
            try await withKeys(app, data: new, old: [old], index: old) { services in
                try await services.keys.verify()
                let stale = try await services.keys.remaining()
                #expect(stale.first { $0.column == "members.id_cipher" }?.values == 1 && stale.first { $0.column == "workers.phone_cipher" }?.values == 1)
                #expect(try await services.keys.rotate(batch: 1) >= 5)
                #expect(try await services.keys.remaining().allSatisfy { $0.values == 0 })
            }
            // The old key gone: everything opens with the new one, found by the same indexes.
            try await withKeys(app, data: new, index: old) { services in
                try await services.keys.verify()
                let system = Actor.system("test")
                #expect(try await services.members.reveal(member.id, field: .phone, reason: "核对", actor: system) == "13900008888")
                #expect(try await services.members.search(MemberQuery(text: "13900008888"), actor: system, page: PageRequest()).items.map(\.id) == [member.id])
                #expect(try await services.workOrders.caller(phone: "13900008888", actor: system).orders.count == 1)
            }
            // A new index key: refused until reindexed; then lookups work under it.
            let indexKey = SymmetricKey(size: .bits256)
            try await withKeys(app, data: new, index: indexKey) { services in
                await #expect(throws: ConfigError.self) { try await services.keys.verify() }
                #expect(try await services.keys.reindex(batch: 2) == 4)  // member ID and phone, worker phone, caller phone
                try await services.keys.verify()
                let system = Actor.system("test")
                #expect(try await services.members.search(MemberQuery(text: "13900008888"), actor: system, page: PageRequest()).items.map(\.id) == [member.id])
                #expect(try await services.members.search(MemberQuery(text: TestIDs.make(980)), actor: system, page: PageRequest()).items.map(\.id) == [member.id])
            }
        }
    }

    /// Entries at least six months old move to a file that carries their chain and a seal; the
    /// chain in the database still verifies from there; younger entries can neither be archived nor deleted.
    @Test func auditEntriesAreArchivedNeverDropped() async throws {
        try await TestApp.run { app in
            // Entries of a year ago (audit times come from the wall clock, which the database's guard checks too).
            let yearAgo = Date().addingTimeInterval(-365 * 86400)
            for i in 0..<30 {
                try await app.services.audit.record(
                    AuditEntry(actor: app.system, action: "test.old", objectType: "test", objectId: String(i), orgPath: nil,
                               at: yearAgo.addingTimeInterval(Double(i))))
            }
            try await app.services.audit.seal()
            let oldEnd = yearAgo.addingTimeInterval(30)
            _ = try await Fixture.build(app)
            try await app.services.audit.seal()
            let archive = AuditArchive(database: app.services.database, clock: app.services.clock)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            await #expect(throws: AppError.self) { _ = try await archive.archive(before: Date().addingTimeInterval(-100 * 86400), to: file) }
            let oldCount = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE at <= \(bind: oldEnd)").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            let result = try await archive.archive(before: oldEnd.addingTimeInterval(1), to: file)
            #expect(result.entries == oldCount && oldCount == 30)
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == oldCount + 2 && lines.last?.contains("\"throughSeq\":\(result.throughSeq)") == true)
            #expect(hex(SHA256.hash(data: try Data(contentsOf: file))) == result.fileSHA256)
            try await app.services.audit.seal()
            let verified = try await app.services.audit.verify()
            #expect(verified.firstBroken == nil && verified.checked > result.throughSeq)
            // A younger entry still cannot be deleted.
            await #expect(throws: (any Error).self) {
                try await app.services.database.transaction { try await $0.raw("DELETE FROM audit_log WHERE seq = \(bind: result.throughSeq + 1)").run() }
            }
        }
    }

    /// PIPL arts. 44–47: a worker downloads what is held about them, asks for a correction or a
    /// deletion; their union decides; a deletion ends the membership, keeps its history and erases
    /// who the person was. Other unions neither see nor decide the request.
    @Test func workersGetTheirDataAndCanHaveItErased() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "factory", role: Role.orgAdmin, at: f.factory)
            try await Fixture.account(app, "other", role: Role.orgAdmin, at: f.countyB1)
            let phone = "13812347777"
            let site = try await WebSession.worker(app, phone: phone)
            let id = TestIDs.make(990)
            _ = try await site.get("/me/join?unionq=%E7%94%B2%E4%B8%80%E5%8E%82")
            _ = try await site.post("/me/join", ["name": "赵敏", "idNumber": id, "unionId": "\(f.factory.id)", "workplace": "甲一厂",
                                                 "workplaceHasUnion": "1"])
            let appId = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT id FROM join_applications").first()?.decode(column: "id", as: Int64.self) ?? 0
            }
            _ = try await app.services.joins.approve(appId, actor: app.system)
            // The download: every section, numbers in full (their own), audited.
            _ = try await site.get("/me/data")
            let export = try await site.post("/me/data/export", [:])
            #expect(export.status == .ok && export.html.contains(id) && export.html.contains(phone) && export.html.contains("会籍记录"))
            // A request without a word is refused and keeps the choice; a real one is filed once.
            var r = try await site.post("/me/data/requests", ["kind": "deletion", "detail": ""])
            #expect(r.status == .unprocessableContent && r.html.contains("value=\"deletion\" selected"))
            r = try await site.post("/me/data/requests", ["kind": "deletion", "detail": "我已离开本单位，请删除我的信息"])
            #expect(r.location == "/me/data")
            #expect(try await site.post("/me/data/requests", ["kind": "deletion", "detail": "再次申请删除"]).status == .conflict)
            // Another county's union neither sees nor decides it.
            let requestId = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT id FROM personal_data_requests").first()?.decode(column: "id", as: Int64.self) ?? 0
            }
            let other = WebSession(app)
            _ = try await other.login("other")
            #expect(!(try await other.get("/admin/personal-data").html.contains("请删除我的信息")))
            #expect(try await other.post("/admin/personal-data/\(requestId)", ["decision": "grant", "note": "同意"]).status == .notFound)
            // The member's union grants it.
            let union = WebSession(app)
            _ = try await union.login("factory")
            #expect(try await union.get("/admin/personal-data").html.contains("请删除我的信息"))
            #expect(try await union.post("/admin/personal-data/\(requestId)", ["decision": "grant", "note": "已核实，同意删除"]).location == "/admin/personal-data")
            let member = try await app.services.database.withConnection { sql in
                try await sql.select().column("*").from("members").first(decoding: Member.self)
            }
            #expect(member?.name == MemberText.piplErasedName && member?.phoneIndex == nil && member?.membershipStatus == .lapsed)
            #expect(try member.map { try app.services.members.records.open($0.idCipher, MemberFields.idNumber) } == "")
            let history = try await app.services.members.memberships(of: try #require(member?.id), actor: app.system)
            #expect(history.count == 1 && history[0].endedOn != nil && history[0].reason == MemberText.joinedOnline)
            // The account is gone: no sign-in, the phone is free again; the decision is audited.
            let again = WebSession(app)
            _ = try await again.get("/me/login")
            #expect(try await again.post("/me/login", ["phone": phone, "password": "Worker!2026"]).status == .unauthorized)
            let actions = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT action FROM audit_log WHERE action LIKE 'pipl.%' ORDER BY id").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(actions == ["pipl.export", "pipl.request", "pipl.deletion"])
            _ = try await WebSession.worker(app, phone: phone)
        }
    }
}

/// A count shared by tasks.
final class Counter: Sendable {
    private let state = Mutex(0)
    func add() { state.withLock { $0 += 1 } }
    var value: Int { state.withLock { $0 } }
}
