import Foundation
import Hummingbird
import Mustache
import Platform

/// Renders the Mustache templates of every module from one library.
///
/// Each module ships a `Templates` folder; a template is named by its file name, so modules
/// prefix theirs (`orgs-tree`, `accounts-list`). Layouts and shared partials live in WebUI.
public struct Renderer: Sendable {
    let library: MustacheLibrary

    public init(templateDirectories: [URL]) throws {
        var templates: [String: MustacheTemplate] = [:]
        for directory in templateDirectories {
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            for file in files where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                precondition(templates[name] == nil, "two templates named \(name)")
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                templates[name] = try MustacheTemplate(string: text)
            }
        }
        self.library = MustacheLibrary(templates: templates)
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }
    public static var staticFiles: URL { Bundle.module.resourceURL!.appendingPathComponent("Static") }

    public func render(_ name: String, _ context: Any) -> String {
        let context = context is PageContext ? context : (PageContext.clean(context) ?? [String: Any]())
        guard let html = library.render(context, withTemplate: name) else {
            preconditionFailure("no template named \(name)")
        }
        return html
    }

    /// An HTML response; clears the flash cookie once it has been shown.
    public func page(_ name: String, _ context: Any, status: HTTPResponse.Status = .ok, clearFlash: Bool = false)
        -> Response
    {
        var response = Response.html(render(name, context), status: status)
        if clearFlash {
            response.setCookie(Cookie(name: Flash.cookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax))
        }
        return response
    }
}

extension Response {
    public static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Post/redirect/get with a one-time message for the next page.
    public static func redirect(to location: String, flash: Flash) -> Response {
        var response = Response.redirect(to: location, type: .normal)
        response.setCookie(flash.cookie)
        return response
    }
}

/// A one-time message shown on the next page (after a redirect).
public struct Flash: Sendable {
    public var ok: Bool
    public var text: String

    public static let cookie = "wh_flash"

    public static func ok(_ text: String) -> Flash { Flash(ok: true, text: text) }
    public static func error(_ text: String) -> Flash { Flash(ok: false, text: text) }

    var cookie: Cookie {
        let value = (ok ? "1" : "0") + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return Cookie(name: Self.cookie, value: value, maxAge: 60, path: "/", httpOnly: true, sameSite: .lax)
    }

    init(ok: Bool, text: String) {
        self.ok = ok
        self.text = text
    }

    init?(cookieValue: String) {
        guard let first = cookieValue.first, let text = String(cookieValue.dropFirst()).removingPercentEncoding,
            !text.isEmpty
        else { return nil }
        self.init(ok: first == "1", text: text)
    }
}
