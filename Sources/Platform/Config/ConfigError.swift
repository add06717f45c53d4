public enum ConfigError: Error, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let key, let value): "invalid configuration \(key): \(value)"
        }
    }
}
