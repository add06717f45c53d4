import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

/// A small tree built through the services, and accounts on it:
///
///     省总 (province)
///     ├── 甲市 (city) ── 甲一县 (county) ── 甲一镇 (township) ── 甲一厂工会 (grassroots)
///     │               └─ 甲二县 (county) ── 甲二镇 (township)
///     └── 乙市 (city) ── 乙一县 (county)
struct Fixture {
    var province: Organization
    var cityA: Organization
    var countyA1: Organization
    var townA1: Organization
    var factory: Organization
    var countyA2: Organization
    var townA2: Organization
    var cityB: Organization
    var countyB1: Organization

    static let password = "Passw0rd!"

    static func build(_ app: TestApp) async throws -> Fixture {
        let orgs = app.services.organizations
        let sys = app.system
        let province = try await orgs.createRoot(OrgInput(name: "省总工会", level: .province, kind: .federation, regionCode: "130000"), actor: sys)
        func child(_ parent: Organization, _ name: String, _ level: OrgLevel, _ kind: OrgKind = .federation, _ region: String? = nil)
            async throws -> Organization
        {
            try await orgs.createChild(of: parent.id, OrgInput(name: name, level: level, kind: kind, regionCode: region), actor: sys)
        }
        let cityA = try await child(province, "甲市总工会", .city, .federation, "130100")
        let countyA1 = try await child(cityA, "甲一县总工会", .county, .federation, "130123")
        let townA1 = try await child(countyA1, "甲一镇总工会", .township)
        let factory = try await child(townA1, "甲一厂工会", .grassroots, .grassroots)
        let countyA2 = try await child(cityA, "甲二县总工会", .county)
        let townA2 = try await child(countyA2, "甲二镇总工会", .township)
        let cityB = try await child(province, "乙市总工会", .city, .federation, "130200")
        let countyB1 = try await child(cityB, "乙一县总工会", .county)
        return Fixture(province: province, cityA: cityA, countyA1: countyA1, townA1: townA1, factory: factory,
                       countyA2: countyA2, townA2: townA2, cityB: cityB, countyB1: countyB1)
    }

    /// Creates an account with one role in one org.
    @discardableResult
    static func account(_ app: TestApp, _ username: String, role: String, at org: Organization) async throws -> Account {
        let account = try await app.services.accounts.create(
            NewAccount(username: username, displayName: username, password: password, homeOrgId: org.id), actor: app.system)
        _ = try await app.services.accounts.grant(accountId: account.id, roleCode: role, orgId: org.id, actor: app.system)
        return account
    }
}

extension TestApp {
    /// Signs in through the API and returns the bearer token.
    func token(_ username: String, password: String = Fixture.password, totp: String? = nil) async throws -> String {
        var body: [String: String] = ["username": username, "password": password]
        if let totp { body["totpCode"] = totp }
        let response = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(data: try JSONEncoder().encode(body)))
        #expect(response.status == .created, "login of \(username) failed: \(String(buffer: response.body))")
        return try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))["token"] ?? ""
    }

    /// An API call with a bearer token; returns status and decoded JSON (if any). The response is
    /// checked against the OpenAPI document (`OpenAPIConformance`); a mismatch is a test failure.
    @discardableResult
    func api(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: [String: Any]? = nil, file: Data? = nil,
             sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> (status: HTTPResponse.Status, body: Any?, raw: String)
    {
        var headers: HTTPFields = [.contentType: file == nil ? "application/json" : "application/octet-stream"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let body = try file.map { ByteBuffer(data: $0) } ?? json.map { ByteBuffer(data: try JSONSerialization.data(withJSONObject: $0)) }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        let raw = String(buffer: response.body)
        if uri.hasPrefix("/api/v1/"), !uri.hasPrefix("/api/v1/openapi.json") {
            let conformance = try await OpenAPIConformance.shared {
                Data(buffer: try await client.execute(uri: "/api/v1/openapi.json", method: .get).body)
            }
            for problem in conformance.problems(
                method: method, uri: uri, status: response.status, contentType: response.headers[.contentType], raw: raw)
            {
                Issue.record("OpenAPI: \(problem)", sourceLocation: sourceLocation)
            }
        }
        return (response.status, try? JSONSerialization.jsonObject(with: Data(raw.utf8)), raw)
    }

    /// Ids of the items of a page response. A body that is not a page (an error) is a test failure,
    /// so an `isEmpty` check cannot pass on a 4xx.
    static func ids(_ body: Any?, sourceLocation: SourceLocation = #_sourceLocation) -> [Int64] {
        guard let items = (body as? [String: Any])?["items"] as? [[String: Any]] else {
            Issue.record("not a page: \(String(describing: body))", sourceLocation: sourceLocation)
            return []
        }
        return items.compactMap { ($0["id"] as? NSNumber)?.int64Value }
    }
}

/// A browser-like session on the web console: cookies and the CSRF token of the last page.
final class WebSession: @unchecked Sendable {
    let app: TestApp
    var cookies: [String: String] = [:]
    var csrf = ""

    init(_ app: TestApp) { self.app = app }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    @discardableResult
    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, html: String, location: String?) {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await app.client.execute(uri: uri, method: .get, headers: headers, body: nil)
        return absorb(response)
    }

    @discardableResult
    func post(_ uri: String, _ form: [String: String], csrf: String? = nil) async throws
        -> (status: HTTPResponse.Status, html: String, location: String?)
    {
        var fields = form
        fields["_csrf"] = csrf ?? self.csrf
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
            .joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await app.client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        return absorb(response)
    }

    func absorb(_ response: TestResponse) -> (status: HTTPResponse.Status, html: String, location: String?) {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 {
                if pair[1].isEmpty { cookies.removeValue(forKey: String(pair[0])) } else { cookies[String(pair[0])] = String(pair[1]) }
            }
        }
        let html = String(buffer: response.body)
        if let range = html.range(of: "name=\"_csrf\" value=\"") {
            csrf = String(html[range.upperBound...].prefix { $0 != "\"" })
        }
        return (response.status, html, response.headers[.location])
    }

    /// Signs in through the login form.
    func login(_ username: String, password: String = Fixture.password) async throws -> String? {
        try await get("/admin/login")
        return try await post("/admin/login", ["username": username, "password": password]).location
    }
}

extension WebSession {
    /// Registers a worker on the member site (SMS code from the development outbox) and stays signed in.
    static func worker(_ app: TestApp, phone: String) async throws -> WebSession {
        let site = WebSession(app)
        _ = try await site.get("/me/register")
        _ = try await site.post("/me/register", ["phone": phone, "action": "code"])
        let body = try await app.services.database.withConnection { sql in
            try await sql.raw("SELECT body FROM sms_outbox ORDER BY id DESC LIMIT 1").first()!.decode(column: "body", as: String.self)
        }
        let code = String(body.firstMatch(of: /\d{6}/)!.0)
        _ = try await site.post("/me/register", ["phone": phone, "code": code, "password": "Worker!2026", "action": "register"])
        return site
    }

    /// A `multipart/form-data` POST with text fields and at most one file; the CSRF token goes in the query.
    func postMultipart(_ uri: String, _ fields: [String: String], file: (name: String, data: Data)? = nil) async throws
        -> (status: HTTPResponse.Status, html: String, location: String?)
    {
        let boundary = "----wh\(UInt32.random(in: 0...UInt32.max))"
        var body = Data()
        for (k, v) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8))
        }
        if let file {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(file.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        headers[.cookie] = cookieHeader
        let sep = uri.contains("?") ? "&" : "?"
        let response = try await app.client.execute(uri: uri + sep + "_csrf=\(csrf)", method: .post, headers: headers, body: ByteBuffer(data: body))
        return absorb(response)
    }
}
