/// A JSON document built in code: OpenAPI schemas and free-form details.
public indirect enum JSONValue: Sendable, Encodable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case (.null, .null): true
        default: false
        }
    }

    struct StringKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .int(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .bool(let v):
            var c = encoder.singleValueContainer()
            try c.encode(v)
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let pairs):
            var c = encoder.container(keyedBy: StringKey.self)
            for (k, v) in pairs { try c.encode(v, forKey: StringKey(stringValue: k)) }
        }
    }
}

/// Shorthands for the JSON Schemas of the OpenAPI document.
public enum Schema {
    public static let string: JSONValue = ["type": "string"]
    public static let integer: JSONValue = ["type": "integer", "format": "int64"]
    public static let boolean: JSONValue = ["type": "boolean"]
    public static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    public static func nullable(_ type: String, format: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", [.string(type), "null"])]
        if let format { pairs.append(("format", .string(format))) }
        return .object(pairs)
    }

    /// Text of `min`…`max` characters (what the server's validation allows), with an optional pattern.
    public static func text(_ min: Int = 1, _ max: Int, pattern: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "string"), ("minLength", .int(min)), ("maxLength", .int(max))]
        if let pattern { pairs.append(("pattern", .string(pattern))) }
        return .object(pairs)
    }

    /// A positive id.
    public static let id: JSONValue = ["type": "integer", "format": "int64", "minimum": 1]
    public static let idNumber = text(15, 18, pattern: "^[0-9]{15}([0-9]{2}[0-9Xx])?$")

    public static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    public static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    public static func enumeration(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }

    public static func object(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        [
            "type": "object", "properties": .object(properties),
            "required": .array(required.map { .string($0) }),
        ]
    }

    /// A keyset-paginated list of `item`.
    public static func page(_ item: String) -> JSONValue {
        object([("items", array(ref(item))), ("nextCursor", nullable("string"))], required: ["items", "nextCursor"])
    }
}
