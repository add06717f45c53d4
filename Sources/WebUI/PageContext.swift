import Foundation
import Hummingbird
import Mustache
import Platform

/// What every console page shows around its content: navigation, the signed-in user, the CSRF
/// token for forms, and a one-time flash message.
public struct Chrome: Sendable {
    public let navigation: Navigation

    public init(navigation: Navigation) { self.navigation = navigation }

    /// The context for a console page: the page's model first, then the chrome's names.
    public func console(_ model: Any, request: Request, context: some AppContext) -> PageContext {
        var chrome: [String: Any] = ["csrf": context.csrfToken]
        if let principal = context.staff {
            chrome["nav"] = navigation.visible(to: principal, path: request.uri.path)
            let roles = principal.assignments.map { "\($0.orgName) · \($0.roleName)" }
            chrome["user"] = [
                "displayName": principal.displayName, "username": principal.username,
                "rolesText": roles.prefix(2).joined(separator: "；") + (roles.count > 2 ? " 等" : ""),
            ]
        }
        if let flash = request.cookies[Flash.cookie].flatMap({ Flash(cookieValue: $0.value) }) {
            chrome["flash"] = ["ok": flash.ok, "text": flash.text]
        }
        return PageContext(model: model, chrome: chrome)
    }

    /// The context for a page outside the console (login, member site).
    public func plain(_ model: Any, request: Request? = nil, context: some AppContext) -> PageContext {
        var chrome: [String: Any] = ["csrf": context.csrfToken, "signedIn": context.signedInWorker != nil]
        if let flash = request?.cookies[Flash.cookie].flatMap({ Flash(cookieValue: $0.value) }) {
            chrome["flash"] = ["ok": flash.ok, "text": flash.text]
        }
        return PageContext(model: model, chrome: chrome)
    }
}

/// Looks a name up in the page model, then in the chrome.
public struct PageContext: MustacheParent {
    let model: Any
    let chrome: [String: Any]

    public func child(named name: String) -> Any? {
        if let parent = model as? any MustacheParent, let value = parent.child(named: name) { return PageContext.clean(value) }
        if let value = Mirror(reflecting: model).children.first(where: { $0.label == name })?.value {
            return PageContext.clean(value)
        }
        return chrome[name].flatMap(PageContext.clean)
    }

    /// Drops nils from dictionaries (and unwraps optionals) all the way down: swift-mustache would
    /// otherwise render a dictionary's `nil` value as the text "nil".
    public static func clean(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            return mirror.children.first.flatMap { clean($0.value) }
        }
        if let dictionary = value as? [String: Any] {
            return dictionary.compactMapValues(clean)
        }
        if let array = value as? [Any], !(value is String) {
            return array.compactMap(clean)
        }
        return value
    }

    public var hasFlash: Bool { chrome["flash"] != nil }
}

extension Renderer {
    /// Renders a console page and clears the flash it showed.
    public func page(_ name: String, _ context: PageContext, status: HTTPResponse.Status = .ok) -> Response {
        page(name, context as Any, status: status, clearFlash: context.hasFlash)
    }
}
