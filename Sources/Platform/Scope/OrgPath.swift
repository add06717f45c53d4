/// The materialized path of an organization: the ids of its ancestors and itself, `/1/12/345/`.
///
/// Paths make "this subtree" one range condition on an index (`path >= p AND path < upper(p)`):
/// every path in the subtree starts with `p`, and `upper(p)` replaces the trailing `/` with `0`,
/// the next byte, so the range holds exactly the paths that start with `p`.
public struct OrgPath: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard rawValue.hasPrefix("/"), rawValue.hasSuffix("/"), rawValue.count >= 3,
            rawValue.dropFirst().dropLast().split(separator: "/", omittingEmptySubsequences: false)
                .allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int64($0) != nil })
        else { return nil }
        self.rawValue = rawValue
    }

    public static func root(_ id: Int64) -> OrgPath { OrgPath(unchecked: "/\(id)/") }

    init(unchecked: String) { self.rawValue = unchecked }

    public func child(_ id: Int64) -> OrgPath { OrgPath(unchecked: rawValue + "\(id)/") }

    /// Ids from the root down to this org.
    public var ids: [Int64] { rawValue.split(separator: "/").compactMap { Int64($0) } }

    public var id: Int64 { ids.last! }

    public var depth: Int { ids.count - 1 }

    public var parent: OrgPath? {
        let ids = self.ids.dropLast()
        return ids.isEmpty ? nil : OrgPath(unchecked: "/" + ids.map(String.init).joined(separator: "/") + "/")
    }

    /// True when `other` is this org or lies below it.
    public func contains(_ other: OrgPath) -> Bool { other.rawValue.hasPrefix(rawValue) }

    /// The exclusive upper bound of the subtree range.
    public var upperBound: String { String(rawValue.dropLast()) + "0" }

    /// The path of `descendant` after this subtree moves to `newPath`.
    public func rebase(_ descendant: OrgPath, onto newPath: OrgPath) -> OrgPath {
        precondition(contains(descendant))
        return OrgPath(unchecked: newPath.rawValue + descendant.rawValue.dropFirst(rawValue.count))
    }

    public var description: String { rawValue }

    public static func < (lhs: OrgPath, rhs: OrgPath) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let path = OrgPath(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad org path \(raw)"))
        }
        self = path
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
