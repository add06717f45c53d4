import Foundation

/// A request for one page of a keyset-paginated list: at most `limit` items after `cursor`.
public struct PageRequest: Sendable {
    public var cursor: String?
    public var limit: Int

    public static let maxLimit = 200

    public init(cursor: String? = nil, limit: Int = 50) {
        self.cursor = cursor
        self.limit = min(max(limit, 1), Self.maxLimit)
    }

    /// Reads `after` and `limit` from query parameters, rejecting nonsense instead of guessing.
    public init(after: String?, limit: String?, defaultLimit: Int = 50) throws {
        var n = defaultLimit
        if let limit, !limit.isEmpty {
            guard let parsed = Int(limit), (1...Self.maxLimit).contains(parsed) else {
                throw AppError.badRequest(PlatformText.badLimit)
            }
            n = parsed
        }
        self.init(cursor: after?.isEmpty == true ? nil : after, limit: n)
    }

    /// The cursor decoded as the sort key parts it was made from.
    public func keys() throws -> [String]? {
        guard let cursor else { return nil }
        guard let data = Data(base64URLEncoded: cursor), let text = String(data: data, encoding: .utf8) else {
            throw AppError.badRequest(PlatformText.badCursor)
        }
        return text.components(separatedBy: "\u{1F}")
    }

    public func keyID() throws -> Int64? {
        guard let keys = try keys() else { return nil }
        guard keys.count == 1, let id = Int64(keys[0]) else { throw AppError.badRequest(PlatformText.badCursor) }
        return id
    }
}

/// One page of results and the cursor of the next one, if any.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched rows: the extra row only says that there is more.
    public init(fetched: [Item], limit: Int, key: (Item) -> [String]) {
        if fetched.count > limit {
            let items = Array(fetched.prefix(limit))
            self.init(items: items, nextCursor: Self.cursor(key(items[items.count - 1])))
        } else {
            self.init(items: fetched, nextCursor: nil)
        }
    }

    public static func cursor(_ keys: [String]) -> String {
        Data(keys.joined(separator: "\u{1F}").utf8).base64URLEncodedString()
    }

    public func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextCursor: nextCursor)
    }
}

extension Data {
    public init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }

    public func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
