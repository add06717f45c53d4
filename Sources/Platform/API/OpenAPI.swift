import Foundation
import Hummingbird
import Synchronization

/// The OpenAPI 3.1 document of `/api/v1`, written as routes are registered (`APIRoutes`), so a
/// route cannot exist without its documentation. A test checks the document against the router.
public final class OpenAPIDocument: Sendable {
    struct Operation: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var summary: String
        var tag: String
        var parameters: [JSONValue]
        var requestBody: JSONValue?
        var bodyType: String
        var response: JSONValue?
        var responseType: String
        var successStatus: Int
        var authenticated: Bool
    }

    private let state = Mutex<(operations: [Operation], schemas: [(String, JSONValue)])>(([], []))
    public let title: String
    public let description: String
    public let version: String

    public init(title: String, description: String, version: String) {
        self.title = title
        self.description = description
        self.version = version
    }

    func add(_ operation: Operation) { state.withLock { $0.operations.append(operation) } }

    /// Registers a named schema under `components/schemas`.
    public func schema(_ name: String, _ schema: JSONValue) {
        state.withLock { s in if !s.schemas.contains(where: { $0.0 == name }) { s.schemas.append((name, schema)) } }
    }

    /// `(method, path)` of every documented operation, paths in OpenAPI form (`/orgs/{id}`).
    public var operations: [(method: String, path: String)] {
        state.withLock { $0.operations.map { ($0.method.rawValue, $0.path) } }
    }

    public var document: JSONValue {
        let (operations, schemas) = state.withLock { ($0.operations, $0.schemas) }
        var paths: [(String, JSONValue)] = []
        for path in operations.map(\.path).uniqued() {
            let ops: [(String, JSONValue)] = operations.filter { $0.path == path }.map { op in
                var o: [(String, JSONValue)] = [
                    ("summary", .string(op.summary)), ("tags", [.string(op.tag)]),
                    ("operationId", .string(Self.operationId(op))),
                ]
                if !op.parameters.isEmpty { o.append(("parameters", .array(op.parameters))) }
                if let body = op.requestBody {
                    let schema: JSONValue = ["schema": body]
                    let content: JSONValue = .object([(op.bodyType, schema)])
                    o.append(("requestBody", ["required": true, "content": content]))
                }
                var responses: [(String, JSONValue)] = []
                if let response = op.response {
                    let schema: JSONValue = ["schema": response]
                    let content: JSONValue = .object([(op.responseType, schema)])
                    responses.append(("\(op.successStatus)", ["description": "成功", "content": content]))
                } else {
                    responses.append(("\(op.successStatus)", ["description": "成功"]))
                }
                responses.append(("default", ["description": "错误", "content": ["application/problem+json": ["schema": Schema.ref("Problem")]]]))
                o.append(("responses", .object(responses)))
                if !op.authenticated { o.append(("security", [])) }
                return (op.method.rawValue.lowercased(), .object(o))
            }
            paths.append((path, .object(ops)))
        }
        let problem = Schema.object(
            [("type", Schema.string), ("title", Schema.string), ("status", Schema.integer), ("detail", Schema.string),
             ("instance", Schema.string), ("code", Schema.string), ("requestId", Schema.string),
             ("errors", ["type": "object", "additionalProperties": Schema.string])],
            required: ["type", "title", "status", "detail", "code"])
        return [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "description": .string(description), "version": .string(version)],
            "servers": [["url": "/api/v1"]],
            "security": [["bearer": []]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": .object([("Problem", problem)] + schemas),
            ],
        ]
    }

    static func operationId(_ op: Operation) -> String {
        let words = op.path.split(separator: "/").map { part -> String in
            part.hasPrefix("{") ? "By" + part.dropFirst().dropLast().capitalized : part.capitalized
        }
        return op.method.rawValue.lowercased() + words.joined()
    }
}

extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

/// A query parameter as the OpenAPI document describes it.
public struct APIParam: Sendable {
    var name: String
    var description: String
    var schema: JSONValue

    public static func query(_ name: String, _ description: String, _ schema: JSONValue = Schema.string) -> APIParam {
        APIParam(name: name, description: description, schema: schema)
    }

    /// `after` and `limit`, on every list.
    public static let paging: [APIParam] = [
        .query("after", "上一页返回的 nextCursor"),
        .query("limit", "每页条数（1–200，默认 50）", ["type": "integer", "minimum": 1, "maximum": .int(PageRequest.maxLimit)]),
    ]
}

/// Registers API routes on a router group and documents each in the OpenAPI document. Staff routes
/// are `APIRoutes<StaffRequestContext>`: their handlers have a principal, and the document marks them authenticated.
public struct APIRoutes<Context: AppContext> {
    let group: RouterGroup<Context>
    let document: OpenAPIDocument
    let authenticated: Bool

    public init(group: RouterGroup<Context>, document: OpenAPIDocument, authenticated: Bool) {
        self.group = group
        self.document = document
        self.authenticated = authenticated
    }

    /// `path` in OpenAPI form (`/orgs/{id}`); the router gets `/orgs/:id`. A file download says
    /// `responseType: FileDownload.octetStream` with a binary `response`.
    public func add<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, summary: String, tag: String, query: [APIParam] = [],
        body: JSONValue? = nil, bodyType: String = "application/json", response: JSONValue?, responseType: String = "application/json",
        status: Int = 200,
        handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) {
        var parameters: [JSONValue] = path.split(separator: "/").filter { $0.hasPrefix("{") }.map { part in
            ["name": .string(String(part.dropFirst().dropLast())), "in": "path", "required": true, "schema": Schema.id]
        }
        parameters += query.map { ["name": .string($0.name), "in": "query", "required": false, "description": .string($0.description), "schema": $0.schema] }
        document.add(
            .init(method: method, path: path, summary: summary, tag: tag, parameters: parameters, requestBody: body, bodyType: bodyType,
                  response: response, responseType: responseType, successStatus: status, authenticated: authenticated))
        let routerPath = RouterPath(
            path.split(separator: "/").map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : String($0) }
                .joined(separator: "/"))
        group.on(routerPath, method: method, use: handler)
    }
}
