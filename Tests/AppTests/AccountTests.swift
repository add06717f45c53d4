import Foundation
import HummingbirdOTP
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

@Suite struct AccountTests {
    @Test func lockoutAfterFiveFailuresForFifteenMinutes() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            for _ in 0..<5 {
                let r = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "county", "password": "wrong"])
                #expect(r.status == .unauthorized)
            }
            // Locked: even the right password is refused.
            var r = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "county", "password": Fixture.password])
            #expect(r.status == .tooManyRequests)
            #expect((r.body as? [String: Any])?["code"] as? String == "locked")
            app.clock.advance(14 * 60)
            r = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "county", "password": Fixture.password])
            #expect(r.status == .tooManyRequests)
            app.clock.advance(61)
            r = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "county", "password": Fixture.password])
            #expect(r.status == .created)
            // Every attempt is in the audit log, failures included.
            let failed = try await app.services.audit.list(actor: app.system, filter: AuditFilter(action: "auth.login", result: .failed),
                                                           page: PageRequest(limit: 100), roots: [])
            #expect(failed.items.count == 7, "five wrong passwords and two attempts while locked")
            #expect(failed.items.allSatisfy { $0.ip.isEmpty == false })
        }
    }

    @Test func idleSessionsExpireAfterThirtyMinutes() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let token = try await app.token("county")
            app.clock.advance(29 * 60)
            #expect(try await app.api(.get, "/api/v1/session", token: token).status == .ok)
            app.clock.advance(29 * 60)
            #expect(try await app.api(.get, "/api/v1/session", token: token).status == .ok, "activity keeps it alive")
            app.clock.advance(31 * 60)
            let r = try await app.api(.get, "/api/v1/session", token: token)
            #expect(r.status == .unauthorized)
            #expect(r.raw.contains("application/problem+json") || (r.body as? [String: Any])?["code"] as? String == "unauthenticated")
        }
    }

    @Test func systemAdminsMustEnrolTOTPAndThenUseIt() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "root", role: Role.systemAdmin, at: f.province)
            // The API refuses until TOTP is enrolled.
            var r = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "root", "password": Fixture.password])
            #expect(r.status == .forbidden)
            // The web login sends them to enrolment, which gives a secret; a right code completes it.
            let web = WebSession(app)
            #expect(try await web.login("root") == "/admin/totp/enrol")
            #expect(try await web.get("/admin").location == "/admin/totp/enrol", "nothing else until enrolled")
            let page = try await web.get("/admin/totp/enrol")
            #expect(page.status == .ok)
            // The page changes nothing; a POST makes the secret.
            #expect(try await web.post("/admin/totp/enrol/start", [:]).location == "/admin/totp/enrol")
            #expect(try await web.get("/admin/totp/enrol").html.contains("<svg"))
            let account = try await app.services.database.withConnection { try await app.services.accounts.store.account(username: "root", on: $0)! }
            let secret = try app.services.auth.cipher.open(account.totpPending!, for: AccountFields.totpPending)
            // A code works once: each use below is in a later 30-second step.
            let code = { () -> String in
                app.clock.advance(30)
                return String(format: "%06d", TOTP(secret: secret).compute(date: app.clock.now))
            }
            #expect(try await web.post("/admin/totp/enrol", ["code": "000000"]).status == .unprocessableContent)
            let enrolled = try await web.post("/admin/totp/enrol", ["code": code()])
            #expect(enrolled.status == .ok && enrolled.html.contains("recovery-codes"))
            #expect(try await web.get("/admin").status == .ok)
            // From now on: password, then code.
            let second = WebSession(app)
            #expect(try await second.login("root") == "/admin/login/totp")
            #expect(try await second.get("/admin/orgs").location == "/admin/login/totp")
            _ = try await second.get("/admin/login/totp")
            #expect(try await second.post("/admin/login/totp", ["code": "123456"]).status == .unprocessableContent)
            #expect(try await second.post("/admin/login/totp", ["code": code()]).location == "/admin")
            #expect(try await second.get("/admin/orgs").status == .ok)
            // The API wants the code with the password.
            r = try await app.api(.post, "/api/v1/session", token: nil, json: ["username": "root", "password": Fixture.password])
            #expect((r.body as? [String: Any])?["code"] as? String == "totp_required")
            _ = try await app.token("root", totp: code())
        }
    }

    @Test func grantsNeverExceedTheGrantersScope() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let clerk = try await Fixture.account(app, "clerk", role: Role.viewer, at: f.townA1)
            let other = try await Fixture.account(app, "other", role: Role.viewer, at: f.countyB1)
            let token = try await app.token("county")
            // Within the county: fine.
            var r = try await app.api(.post, "/api/v1/accounts/\(clerk.id)/assignments", token: token,
                                      json: ["roleCode": Role.orgAdmin, "orgId": f.townA1.id])
            #expect(r.status == .created)
            // A role they do not hold themselves (audit.read) cannot be handed out.
            r = try await app.api(.post, "/api/v1/accounts/\(clerk.id)/assignments", token: token,
                                  json: ["roleCode": Role.auditor, "orgId": f.townA1.id])
            #expect(r.status == .forbidden)
            // Nor anything above or beside their county.
            r = try await app.api(.post, "/api/v1/accounts/\(clerk.id)/assignments", token: token,
                                  json: ["roleCode": Role.viewer, "orgId": f.cityA.id])
            #expect(r.status == .unprocessableContent)
            r = try await app.api(.post, "/api/v1/accounts/\(other.id)/assignments", token: token,
                                  json: ["roleCode": Role.viewer, "orgId": f.townA1.id])
            #expect(r.status == .notFound, "an account outside the scope is invisible")
            // Accounts list is scoped.
            r = try await app.api(.get, "/api/v1/accounts", token: token)
            #expect(Set(((r.body as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["username"] as? String })
                    == ["county", "clerk"])
            // Password rules on create.
            r = try await app.api(.post, "/api/v1/accounts", token: token,
                                  json: ["username": "new.one", "displayName": "新人", "password": "weakpass", "homeOrgId": f.countyA1.id])
            #expect(r.status == .unprocessableContent)
            #expect(((r.body as? [String: Any])?["errors"] as? [String: String])?["password"] == PlatformText.passwordClasses)
            r = try await app.api(.post, "/api/v1/accounts", token: token,
                                  json: ["username": "new.one", "displayName": "新人", "password": "Str0ng!pass", "homeOrgId": f.cityA.id])
            #expect(r.status == .unprocessableContent, "home org above the scope")
        }
    }

    @Test func webFormsNeedTheCSRFToken() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let web = WebSession(app)
            _ = try await web.get("/admin/login")
            // No token, wrong token: refused before anything happens.
            #expect(try await web.post("/admin/login", ["username": "county", "password": Fixture.password], csrf: "").status == .forbidden)
            #expect(try await web.post("/admin/login", ["username": "county", "password": Fixture.password], csrf: "x").status == .forbidden)
            #expect(try await web.login("county") == "/admin")
            _ = try await web.get("/admin/orgs/\(f.factory.id)/edit")
            let stolen = web.csrf
            #expect(try await web.post("/admin/orgs/\(f.factory.id)/edit", ["name": "被篡改"], csrf: "nope").status == .forbidden)
            #expect(try await app.services.organizations.get(f.factory.id, actor: app.system).name == "甲一厂工会")
            #expect(try await web.post("/admin/orgs/\(f.factory.id)/edit", ["name": "甲一厂改名工会", "kind": "grassroots"], csrf: stolen).status == .seeOther)
            #expect(try await app.services.organizations.get(f.factory.id, actor: app.system).name == "甲一厂改名工会")
            // Logging out ends the session.
            _ = try await web.post("/admin/logout", [:])
            #expect(try await web.get("/admin").location?.hasPrefix("/admin/login") == true)
        }
    }

    @Test func countyCadreSeesAndTouchesNothingOutsideTheCounty() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            // API
            let token = try await app.token("county")
            for org in [f.province, f.cityA, f.countyA2, f.townA2, f.cityB, f.countyB1] {
                #expect(try await app.api(.get, "/api/v1/orgs/\(org.id)", token: token).status == .notFound)
                #expect(try await app.api(.get, "/api/v1/orgs/\(org.id)/children", token: token).status == .notFound)
                #expect(try await app.api(.patch, "/api/v1/orgs/\(org.id)", token: token, json: ["name": "x"]).status == .notFound)
            }
            let roots = try await app.api(.get, "/api/v1/orgs/roots", token: token)
            #expect(((roots.body as? [[String: Any]]) ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value } == [f.countyA1.id])
            let all = try await app.api(.get, "/api/v1/orgs", token: token)
            #expect(Set(TestApp.ids(all.body)) == [f.countyA1.id, f.townA1.id, f.factory.id])
            #expect(try await app.api(.get, "/api/v1/audit", token: token).status == .forbidden)
            // Web console
            let web = WebSession(app)
            #expect(try await web.login("county") == "/admin")
            let tree = try await web.get("/admin/orgs")
            #expect(tree.html.contains("甲一县总工会") && !tree.html.contains("甲市总工会") && !tree.html.contains("乙市"))
            #expect(try await web.get("/admin/orgs/\(f.cityA.id)").status == .notFound)
            #expect(try await web.get("/admin/orgs/\(f.countyA2.id)/edit").status == .notFound)
            let search = try await web.get("/admin/orgs?q=%E6%80%BB%E5%B7%A5%E4%BC%9A")
            #expect(search.html.contains("甲一镇总工会") && !search.html.contains("甲二镇") && !search.html.contains("省总工会"))
            let detail = try await web.get("/admin/orgs/\(f.townA1.id)")
            #expect(detail.status == .ok && detail.html.contains("甲一厂工会"))
            #expect(!detail.html.contains("href=\"/admin/orgs/\(f.cityA.id)\""), "no breadcrumb above the scope")
            #expect(!detail.html.contains("/admin/audit"), "no audit in the navigation")
        }
    }

    /// Each domain declares which built-in roles hold its permissions: the roles hold exactly that, and a
    /// permission a new domain declares reaches them on the next sync, once, taking nothing away.
    @Test func builtInRolesHoldWhatTheDomainsDeclare() async throws {
        try await TestApp.run { app in
            let declared = Services.permissions.builtInGrants
            let roles = try await app.services.accounts.roles().filter(\.builtin)
            #expect(Set(roles.map(\.code)) == Set(declared.keys))
            for role in roles { #expect(role.permissions == declared[role.code], "\(role.code)") }
            let a = app.services.accounts
            let extended = AccountService(
                database: a.database, passwords: a.passwords, clock: a.clock, orgs: a.orgs,
                catalogue: PermissionCatalogue(
                    Services.permissions.entries, [PermissionInfo(Permission("test.new"), "测试", roles: [Role.viewer])]))
            try await extended.syncBuiltInRoles()
            try await extended.syncBuiltInRoles()
            let viewer = try #require(try await a.roles().first { $0.code == Role.viewer })
            #expect(viewer.permissions == declared[Role.viewer, default: []].union([Permission("test.new")]))
            let synced = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'role.sync'").first()?.decode(column: "n", as: Int.self)
            }
            #expect(synced == 1)
        }
    }
}
