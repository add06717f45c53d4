import Foundation
import Hummingbird

/// A JSON response body with ISO 8601 dates and sorted keys.
public struct JSONBody<T: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var value: T
    public var status: HTTPResponse.Status

    public init(_ value: T, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

/// A keyset page as the API returns it.
public struct PageDTO<T: Encodable & Sendable>: Encodable, Sendable {
    public var items: [T]
    public var nextCursor: String?

    public init<S>(_ page: Page<S>, _ transform: (S) -> T) {
        self.items = page.items.map(transform)
        self.nextCursor = page.nextCursor
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)  // explicit null: clients test for it
    }
}

extension Request {
    /// The query parameters of a keyset page.
    public func pageRequest(defaultLimit: Int = 50) throws -> PageRequest {
        try PageRequest(after: uri.queryParameters["after"].map(String.init), limit: uri.queryParameters["limit"].map(String.init),
                        defaultLimit: defaultLimit)
    }

    public func query(_ name: String) -> String? { uri.queryParameters[name[...]].map(String.init) }

    /// A positive 64-bit id from the query, nil when absent or empty; anything else (text, zero,
    /// a number past Int64) is a 422 naming the parameter, never silently the default.
    public func idQuery(_ name: String) throws -> Int64? {
        guard let text = query(name), !text.isEmpty else { return nil }
        guard let id = Int64(text), id > 0 else { throw AppError.validation([name: PlatformText.badValue]) }
        return id
    }
}


