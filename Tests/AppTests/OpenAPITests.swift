import Foundation
import Hummingbird
import Testing

@testable import App
@testable import Platform

@Suite struct OpenAPITests {
    @Test func theDocumentMatchesTheRoutes() async throws {
        try await TestApp.run { app in
            let r = try await app.api(.get, "/api/v1/openapi.json", token: nil)
            #expect(r.status == .ok)
            let doc = try #require(r.body as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, ops) in paths { for method in ops.keys { documented.insert("\(method.uppercased()) /api/v1\(path)") } }
            let router = try buildRouter(services: app.services)
            let routed = Set(router.routes.filter { $0.path.description.hasPrefix("/api/v1") && !$0.path.description.hasSuffix("openapi.json") }
                .map { "\($0.method.rawValue) " + $0.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/").replacingOccurrences(of: "^", with: "/", options: .regularExpression) })
            #expect(documented == Set(routed.map { $0.hasPrefix("GET api") ? $0 : $0 }.map { $0.replacingOccurrences(of: " api/", with: " /api/") }))
            // Every $ref points at a defined schema.
            let schemas = Set(((doc["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]).keys)
            let text = r.raw
            for match in text.matches(of: /#\/components\/schemas\/([A-Za-z]+)/) { #expect(schemas.contains(String(match.1))) }
        }
    }
}
