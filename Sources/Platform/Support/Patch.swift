/// One field of a partial update (JSON merge patch, RFC 7396): not sent, sent as null (clear it),
/// or a new value. A PATCH changes only the fields it sends.
public enum Patch<Value: Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    /// The field after the patch, given its current value.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: current
        case .null: nil
        case .value(let v): v
        }
    }

    public var isAbsent: Bool {
        if case .absent = self { true } else { false }
    }
}

extension Patch: Equatable where Value: Equatable {}

extension KeyedDecodingContainer {
    /// Tells a missing key from an explicit null, which `decodeIfPresent` does not.
    public func patch<T: Decodable & Sendable>(_ key: Key, as type: T.Type = T.self) throws -> Patch<T> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(T.self, forKey: key))
    }
}
