import Foundation
import Logging
import Testing

@testable import App
@testable import Benefits
@testable import Platform

/// Follows every link a cadre or a worker is shown, over the demo data, and checks each page renders whole.
/// Pages are controllers over typed models; a model field that drifts from its template shows up here.
@Suite struct CrawlTests {
    @Test(arguments: ["zhengding", "hebei", "zhengdingzhen", "rexian", "auditor"])
    func everyConsoleLinkRenders(username: String) async throws {
        try await TestApp.run { app in
            _ = try await DemoData(services: app.services).load(scale: .small, seed: 7, perUnion: 2, workOrders: 6,
                                                                logger: Logger(label: "crawl"))
            let web = WebSession(app)
            #expect(try await web.login(username, password: DemoData.password) == "/admin")
            let visited = try await Self.crawl(web, from: ["/admin"], within: "/admin")
            #expect(visited > 10, "\(username) reached \(visited) pages")
        }
    }

    @Test func everyMemberSiteLinkRenders() async throws {
        try await TestApp.run { app in
            _ = try await DemoData(services: app.services).load(scale: .small, seed: 7, perUnion: 2, logger: Logger(label: "crawl"))
            let site = try await WebSession.worker(app, phone: "13911110000")
            let visited = try await Self.crawl(site, from: ["/", "/me"], within: "/")
            #expect(visited > 5, "the worker reached \(visited) pages")
        }
    }

    @Test func everyMerchantDeskLinkRenders() async throws {
        try await TestApp.run { app in
            _ = try await DemoData(services: app.services).load(scale: .small, seed: 7, perUnion: 2, logger: Logger(label: "crawl"))
            let web = WebSession(app)
            _ = try await web.login(BenefitsDemo.cashier, password: DemoData.password)
            let visited = try await Self.crawl(web, from: ["/merchant"], within: "/merchant")
            #expect(visited >= 2, "the cashier reached \(visited) pages")
            // The cashier's account opens nothing in the union console beyond the empty workbench.
            #expect(try await web.get("/admin/merchants").status == .forbidden)
        }
    }

    /// Breadth-first over same-site links; at most three pages per route shape (ids and query values dropped), so the walk stays small.
    static func crawl(_ web: WebSession, from start: [String], within prefix: String) async throws -> Int {
        var queue = start
        var seen = Set(start)
        var perShape: [String: Int] = [:]
        var visited = 0
        while !queue.isEmpty, visited < 400 {
            let uri = queue.removeFirst()
            let page = try await web.get(uri)
            visited += 1
            #expect(page.status == .ok || page.status == .seeOther, "\(uri) answered \(page.status)")
            guard page.status == .ok, page.html.contains("<html") else { continue }
            #expect(page.html.contains("</html>"), "\(uri) is a whole page")
            #expect(!page.html.contains("{{"), "\(uri) has no unrendered tags")
            #expect(page.html.firstMatch(of: /[>："=]nil[<"]/) == nil, "\(uri) shows no nil")
            #expect(!page.html.contains("Optional("), "\(uri) shows no Optional(")
            for match in page.html.matches(of: /href="(\/[^"#]*)"/) {
                let link = String(match.1).replacingOccurrences(of: "&amp;", with: "&")
                guard link.hasPrefix(prefix), !link.hasPrefix("/static"), !link.contains("logout"), !seen.contains(link) else { continue }
                let shape = link.replacing(/=[^&]*/, with: "=").replacing(/\d+/, with: "N")
                guard perShape[shape, default: 0] < 3 else { continue }
                perShape[shape, default: 0] += 1
                seen.insert(link)
                queue.append(link)
            }
        }
        return visited
    }
}
