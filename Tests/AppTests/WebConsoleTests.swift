import Foundation
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

@Suite struct WebConsoleTests {
    @Test func countyAdminCreatesATownshipCadreAndGrantsARole() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let web = WebSession(app)
            #expect(try await web.login("county") == "/admin")
            // Find the township to place the account in; orgs outside the county are not offered.
            var page = try await web.get("/admin/accounts/new?orgq=%E9%95%87")
            #expect(page.html.contains("甲一镇总工会") && !page.html.contains("甲二镇总工会"))
            // Bad input comes back with messages beside the fields, nothing created.
            page = try await web.post("/admin/accounts/new", ["username": "X", "displayName": "", "password": "short", "homeOrgId": "\(f.townA1.id)"])
            #expect(page.status == .unprocessableContent)
            #expect(page.html.contains(AccountText.usernameFormat) && page.html.contains(PlatformText.passwordTooShort))
            page = try await web.post("/admin/accounts/new", ["username": "town.clerk", "displayName": "镇干部", "password": "Town!2026a",
                                                              "homeOrgId": "\(f.townA1.id)"])
            #expect(page.status == .seeOther)
            let location = try #require(page.location)
            // Grant a handler role at the township.
            page = try await web.get(location + "?orgq=%E7%94%B2%E4%B8%80%E9%95%87")
            #expect(page.html.contains("甲一镇总工会"))
            page = try await web.post(location + "/grant", ["orgId": "\(f.townA1.id)", "roleCode": Role.workOrderHandler])
            #expect(page.status == .seeOther)
            page = try await web.get(location)
            #expect(page.html.contains("工单办理员") && page.html.contains("已授予角色"))
            // The new cadre signs in and sees the township only.
            let clerk = WebSession(app)
            #expect(try await clerk.login("town.clerk", password: "Town!2026a") == "/admin")
            let tree = try await clerk.get("/admin/orgs")
            #expect(tree.html.contains("甲一镇总工会") && !tree.html.contains("甲一县总工会"))
        }
    }

    @Test func pagesRenderForEveryNavigationEntry() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let admin = try await Fixture.account(app, "prov", role: Role.orgAdmin, at: f.province)
            _ = try await app.services.accounts.grant(accountId: admin.id, roleCode: Role.auditor, orgId: f.province.id, actor: app.system)
            let web = WebSession(app)
            #expect(try await web.login("prov") == "/admin")
            for uri in ["/admin", "/admin/orgs", "/admin/orgs?q=1301", "/admin/orgs/\(f.cityA.id)", "/admin/orgs/\(f.cityA.id)/edit",
                        "/admin/orgs/\(f.cityA.id)/new", "/admin/orgs/\(f.townA1.id)/move?q=%E5%8E%BF", "/admin/orgs/\(f.townA1.id)/merge",
                        "/admin/accounts", "/admin/accounts/\(admin.id)", "/admin/roles", "/admin/audit", "/admin/me",
                        "/", "/unions?q=%E7%94%B2", "/unions?q=%E6%80%BB&limit=2", "/unions/\(f.factory.id)", "/admin/members",
                        "/admin/members/new", "/admin/applications", "/admin/transfers", "/admin/imports", "/admin/dashboard",
                        "/me/login", "/me/register"] {
                let page = try await web.get(uri)
                #expect(page.status == .ok, "\(uri)")
                #expect(page.html.contains("</html>"), "\(uri) is a whole page")
                #expect(!page.html.contains("{{"), "\(uri) has no unrendered tags")
                #expect(page.html.firstMatch(of: /[>："=]nil[<"]/) == nil, "\(uri) shows no nil")
            }
            let export = try await web.get("/admin/members/export?format=csv")
            #expect(export.status == .ok && export.html.contains("会员编号"), "the export route is not taken for a member id")
            let fragment = try await web.get("/admin/orgs/\(f.province.id)/children")
            #expect(fragment.html.contains("甲市总工会") && fragment.html.contains("data-children-url"))
            // The move through the form: history shows it on the page.
            _ = try await web.get("/admin/orgs/\(f.townA1.id)/move?q=%E7%94%B2%E4%BA%8C")
            let moved = try await web.post("/admin/orgs/\(f.townA1.id)/move", ["target": "\(f.countyA2.id)", "note": "区划调整"])
            #expect(moved.status == .seeOther)
            let detail = try await web.get("/admin/orgs/\(f.townA1.id)")
            #expect(detail.html.contains("已完成划转") && detail.html.contains("划转") && detail.html.contains("甲二县总工会"))
            // A missing page is a Chinese 404 page.
            let missing = try await web.get("/admin/orgs/999999")
            #expect(missing.status == .notFound && missing.html.contains("页面不存在"))
        }
    }
}
