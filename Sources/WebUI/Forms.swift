import Hummingbird
import Platform

/// One choice of a `<select>` on any page.
public struct Option: Sendable {
    public var value: String
    public var label: String
    public var selected: Bool

    public init(value: String, label: String, selected: Bool) {
        self.value = value
        self.label = label
        self.selected = selected
    }

    /// Options from (value, label) pairs, with `selected` marked.
    public static func list(_ pairs: [(String, String)], selected: String?) -> [Option] {
        pairs.map { Option(value: $0.0, label: $0.1, selected: $0.0 == selected) }
    }
}

/// Values and errors of a submitted form, to show it again with messages beside the fields.
public struct FormState: Sendable {
    public var values: [String: String]
    public var errors: [String: String]
    public var message: String?

    public init(values: [String: String] = [:], errors: [String: String] = [:], message: String? = nil) {
        self.values = values
        self.errors = errors
        self.message = message
    }

    public init(values: [String: String] = [:], error: AppError) {
        self.init(values: values, errors: error.fieldErrors, message: error.message)
    }

    /// The status a page showing this form answers with: 200, or 422 with field errors, 409 with a message only.
    public var status: HTTPResponse.Status {
        if !errors.isEmpty { return .unprocessableContent }
        return message == nil ? .ok : .conflict
    }

    /// Mustache context: `form.values.name`, `form.errors.name`, `form.message`.
    public var context: [String: Any] {
        var c: [String: Any] = ["values": values, "errors": errors]
        if let message { c["message"] = message }
        return c
    }
}
