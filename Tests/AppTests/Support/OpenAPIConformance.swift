import Foundation
import HTTPTypes
import Synchronization
import Testing

/// Checks real API responses against the OpenAPI document the server publishes: the operation
/// exists, a success has the documented status and matches its schema, an error is problem+json.
/// Every `TestApp.api` call goes through it, so the whole suite exercises the document.
///
/// The schema checks are the subset of JSON Schema the document uses (`$ref`, `oneOf`, `type` with `null`,
/// `properties`, `required`, `additionalProperties`, `items`, `enum`, `minimum`/`maximum`,
/// `minLength`/`maxLength`, `pattern`, `format` date and date-time). Objects are closed unless the
/// schema says `additionalProperties`: a field a DTO sends but the document does not declare is an error.
struct OpenAPIConformance {
    let document: [String: Any]

    private static let cache = Mutex<Data?>(nil)
    private static let log = Mutex(())

    private static func append(_ line: String, to file: String) {
        log.withLock { _ in
            if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: file) else { return }
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            handle.closeFile()
        }
    }

    /// The document, fetched once per test process (it does not depend on the test's data).
    static func shared(fetch: () async throws -> Data) async throws -> OpenAPIConformance {
        let data: Data
        if let cached = cache.withLock({ $0 }) {
            data = cached
        } else {
            data = try await fetch()
            cache.withLock { $0 = data }
        }
        return OpenAPIConformance(document: try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
    }

    /// Problems with one response; empty when it conforms.
    func problems(method: HTTPRequest.Method, uri: String, status: HTTPResponse.Status, contentType: String?, raw: String) -> [String] {
        let path = String(uri.dropFirst("/api/v1".count).prefix { $0 != "?" })
        guard let (template, operation) = self.operation(method, path) else {
            // An undocumented route answers 404/405 from the router; that is what the test asked for.
            return status.code == 404 || status.code == 405 ? [] : ["\(method) \(path): no such operation in the document"]
        }
        let name = "\(method) \(template) → \(status.code)"
        if let file = ProcessInfo.processInfo.environment["WH_OPENAPI_COVERAGE"] {
            // Which operations and statuses the suite exercised (for the note on API coverage).
            Self.append(name + "\n", to: file)
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        let body = raw.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed])
        if status.code >= 400 {
            guard contentType?.hasPrefix("application/problem+json") == true, let body else {
                return ["\(name): an error must be application/problem+json, got \(contentType ?? "none")"]
            }
            return validate(body, against: ["$ref": "#/components/schemas/Problem"], at: name)
        }
        guard let documented = responses["\(status.code)"] as? [String: Any] else {
            return ["\(name): status not documented (documented: \(responses.keys.sorted().joined(separator: ", ")))"]
        }
        let content = documented["content"] as? [String: Any]
        if let content, content["application/json"] == nil {
            // A file: any type the document names (`*/*` for a download of what was uploaded).
            let sent = contentType ?? ""
            return content.keys.contains { $0 == "*/*" || sent.hasPrefix($0) } ? [] : ["\(name): \(sent) is not among \(content.keys.sorted())"]
        }
        guard let schema = (content?["application/json"] as? [String: Any])?["schema"] else {
            return raw.isEmpty ? [] : ["\(name): documented without a body, but sent \(raw.prefix(80))"]
        }
        guard contentType?.hasPrefix("application/json") == true, let body else {
            return ["\(name): expected a JSON body, got \(contentType ?? "none")"]
        }
        return validate(body, against: schema, at: name)
    }

    /// The documented operation for a concrete path; literal segments win over `{parameters}`.
    func operation(_ method: HTTPRequest.Method, _ path: String) -> (String, [String: Any])? {
        let parts = path.split(separator: "/")
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let matches = paths.compactMap { template, ops -> (String, [String: Any], Int)? in
            let t = template.split(separator: "/")
            guard t.count == parts.count, let op = ops[method.rawValue.lowercased()] as? [String: Any] else { return nil }
            var literals = 0
            for (a, b) in zip(t, parts) {
                if a.hasPrefix("{") { continue }
                guard a == b else { return nil }
                literals += 1
            }
            return (template, op, literals)
        }
        return matches.max { $0.2 < $1.2 }.map { ($0.0, $0.1) }
    }

    func validate(_ value: Any, against schema: Any, at pointer: String) -> [String] {
        guard var s = schema as? [String: Any] else { return ["\(pointer): schema is not an object"] }
        if let ref = s["$ref"] as? String {
            let name = String(ref.split(separator: "/").last ?? "")
            guard let target = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] else {
                return ["\(pointer): unknown $ref \(ref)"]
            }
            s = target as? [String: Any] ?? [:]
        }
        if let branches = s["oneOf"] as? [Any] {
            let outcomes = branches.map { validate(value, against: $0, at: pointer) }
            let passed = outcomes.filter(\.isEmpty).count
            if passed == 1 { return [] }
            return passed == 0 ? outcomes.flatMap { $0 } : ["\(pointer): matches \(passed) branches of oneOf"]
        }
        let types: [String] = (s["type"] as? String).map { [$0] } ?? (s["type"] as? [String]) ?? []
        if value is NSNull {
            return types.isEmpty || types.contains("null") ? [] : ["\(pointer): null where \(types.joined(separator: "|")) is required"]
        }
        if !types.isEmpty, !types.contains(where: { Self.matches(value, type: $0) }) {
            return ["\(pointer): \(Self.describe(value)) is not \(types.joined(separator: "|"))"]
        }
        var problems: [String] = []
        if let allowed = s["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(pointer): \(value) is not one of \(allowed)")
        }
        if let n = value as? NSNumber, !Self.isBool(value) {
            if let min = s["minimum"] as? NSNumber, n.doubleValue < min.doubleValue { problems.append("\(pointer): \(n) < minimum \(min)") }
            if let max = s["maximum"] as? NSNumber, n.doubleValue > max.doubleValue { problems.append("\(pointer): \(n) > maximum \(max)") }
        }
        if let text = value as? String {
            problems += checkString(text, s, at: pointer)
        }
        if let array = value as? [Any], let items = s["items"] {
            for (i, item) in array.enumerated() { problems += validate(item, against: items, at: "\(pointer)/\(i)") }
        }
        if let object = value as? [String: Any], types.contains("object") || s["properties"] != nil {
            let properties = s["properties"] as? [String: Any] ?? [:]
            for key in s["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(pointer): missing required \(key)")
            }
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                if let p = properties[key] {
                    problems += validate(item, against: p, at: "\(pointer)/\(key)")
                } else if let extra = s["additionalProperties"] {
                    if let schema = extra as? [String: Any] {
                        problems += validate(item, against: schema, at: "\(pointer)/\(key)")
                    } else if (extra as? Bool) == false {
                        problems.append("\(pointer): property \(key) is not in the schema")
                    }
                } else {
                    problems.append("\(pointer): property \(key) is not in the schema")
                }
            }
        }
        return problems
    }

    private func checkString(_ text: String, _ s: [String: Any], at pointer: String) -> [String] {
        var problems: [String] = []
        if let min = s["minLength"] as? Int, text.count < min { problems.append("\(pointer): shorter than \(min)") }
        if let max = s["maxLength"] as? Int, text.count > max { problems.append("\(pointer): longer than \(max)") }
        if let pattern = s["pattern"] as? String, let regex = try? Regex(pattern), (try? regex.firstMatch(in: text)).flatMap({ $0 }) == nil {
            problems.append("\(pointer): \(text) does not match \(pattern)")
        }
        switch s["format"] as? String {
        case "date-time":
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if ISO8601DateFormatter().date(from: text) == nil && iso.date(from: text) == nil {
                problems.append("\(pointer): \(text) is not a date-time")
            }
        case "date":
            if text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) == nil { problems.append("\(pointer): \(text) is not a date") }
        default: break
        }
        return problems
    }

    /// JSONSerialization on Linux gives booleans as `__NSCFBoolean`, numbers as `NSNumber`.
    static func isBool(_ v: Any) -> Bool { String(describing: type(of: v)) == "__NSCFBoolean" }

    static func matches(_ v: Any, type: String) -> Bool {
        switch type {
        case "string": v is String
        case "boolean": isBool(v)
        case "integer": !isBool(v) && (v as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } == true
        case "number": !isBool(v) && v is NSNumber
        case "array": v is [Any]
        case "object": v is [String: Any]
        case "null": v is NSNull
        default: false
        }
    }

    static func describe(_ v: Any) -> String {
        let text = isBool(v) ? "boolean \(v)" : "\(v)"
        return String(text.prefix(60))
    }
}
