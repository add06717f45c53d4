import Hummingbird
import Platform

/// The member site's home page (网上职工之家): the signed-in worker's own state first (card, requests,
/// messages), then finding a union in one step and the services.
public struct SiteHome: Sendable {
    let renderer: Renderer
    let chrome: Chrome
    let sources: [any WorkerHomeSource]

    public init(renderer: Renderer, chrome: Chrome, sources: [any WorkerHomeSource]) {
        self.renderer = renderer
        self.chrome = chrome
        self.sources = sources
    }

    /// `signedIn` comes from the chrome, as on every member-site page.
    struct Page {
        var tiles: [HomeTile]
    }

    public func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/") { request, context in
            var tiles: [HomeTile] = []
            if let worker = context.workerSession {
                for source in sources { tiles += try await source.tiles(forWorker: worker.workerId) }
            }
            return renderer.page("site-home", chrome.plain(Page(tiles: tiles), request: request, context: context))
        }
    }
}

/// Error pages of the web side: the status, what happened, and a way back.
public struct ErrorPages: Sendable {
    let renderer: Renderer

    public init(renderer: Renderer) { self.renderer = renderer }

    public func render(_ error: AppError, _ request: Request, _ context: AppRequestContext) -> Response {
        let inConsole = request.uri.path.hasPrefix("/admin")
        let model: [String: Any] = [
            "status": error.status.code,
            "title": WebText.errorTitle(error.status.code),
            "detail": error.fieldErrors.isEmpty ? error.message : error.fieldErrors.values.sorted().joined(separator: "；"),
            "backHref": inConsole ? "/admin" : "/",
        ]
        return renderer.page("error", model, status: error.status)
    }
}

/// WebUI's own user-facing strings.
public enum WebText {
    public static func errorTitle(_ status: Int) -> String {
        switch status {
        case 400: "请求有误"
        case 403: "没有权限"
        case 404: "页面不存在"
        case 409: "操作冲突"
        case 422: "提交的内容有误"
        case 429: "操作过于频繁"
        default: "系统繁忙"
        }
    }

    public static let previousPage = "上一页"
    public static let nextPage = "下一页"
}
