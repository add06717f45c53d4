import Foundation
import Hummingbird
import Platform
import WebUI

/// The union tree in the staff console, and "find your union" on the member site.
public struct OrganizationsWeb: Sendable {
    let service: OrganizationService
    let renderer: Renderer
    let chrome: Chrome
    let figures: (any OrgFigures)?

    public init(service: OrganizationService, renderer: Renderer, chrome: Chrome, figures: (any OrgFigures)? = nil) {
        self.service = service
        self.renderer = renderer
        self.chrome = chrome
        self.figures = figures
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }

    public static let navigation = [
        NavEntry(href: "/admin/orgs", label: OrgWebText.navTree, icon: "组", permission: .orgRead, order: 10)
    ]

    public func registerPublic(on group: RouterGroup<AppRequestContext>) {
        group.get("/unions", use: findUnion)
        group.get("/unions/:id", use: union)
    }

    public func registerConsole(on group: RouterGroup<StaffRequestContext>) {
        OrgConsole(service: service, renderer: renderer, chrome: chrome, figures: figures).register(on: group)
    }

    // MARK: Member site

    @Sendable func findUnion(_ request: Request, context: AppRequestContext) async throws -> Response {
        let q = request.query("q") ?? ""
        let result = try await service.publicSearch(q, page: try request.pageRequest(defaultLimit: 20))
        let model = UnionSearchPage(
            q: q, searched: !q.trimmingCharacters(in: .whitespaces).isEmpty, items: result.items.map(PublicUnionView.init),
            empty: result.items.isEmpty, next: result.nextCursor.map { "/unions?q=\(q.urlQueryEncoded)&after=\($0)" })
        return renderer.page("site-unions", chrome.plain(model, context: context))
    }

    @Sendable func union(_ request: Request, context: AppRequestContext) async throws -> Response {
        renderer.page("site-union", chrome.plain(PublicUnionView(try await service.publicOrg(try context.id())), context: context))
    }
}

/// The union tree in the console: browse, search, edit, add, move, merge, close (staff routes).
struct OrgConsole: Sendable {
    let service: OrganizationService
    let renderer: Renderer
    let chrome: Chrome
    let figures: (any OrgFigures)?

    func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("/orgs", use: tree)
        group.get("/orgs/:id/children", use: children)
        group.get("/orgs/:id", use: detail)
        group.get("/orgs/:id/edit", use: editForm)
        group.post("/orgs/:id/edit", use: edit)
        group.get("/orgs/:id/new", use: newForm)
        group.post("/orgs/:id/new", use: create)
        for action in PickAction.allCases {
            group.get("/orgs/:id/\(action.rawValue)") { request, context in try await pickPage(action, FormState(), request, context) }
            group.post("/orgs/:id/\(action.rawValue)") { request, context in try await reorganize(action, request, context) }
        }
        group.post("/orgs/:id/close", use: close)
    }

    enum PickAction: String, CaseIterable { case move, merge }

    func page(_ name: String, _ model: Any, _ request: Request, _ context: StaffRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    @Sendable func tree(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let q = (request.query("q") ?? "").trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else {
            let roots = try await service.roots(actor: context.actor).map { OrgNode($0) }
            return page("orgs-tree", TreePage(q: q, roots: roots, results: nil, searched: false, empty: false, next: nil), request, context)
        }
        let result = try await service.search(q, actor: context.actor, includeInactive: request.query("all") == "1", page: try request.pageRequest())
        let model = TreePage(
            q: q, roots: nil, results: result.items.map { OrgNode($0) }, searched: true, empty: result.items.isEmpty,
            next: result.nextCursor.map { "/admin/orgs?q=\(q.urlQueryEncoded)&after=\($0)" })
        return page("orgs-tree", model, request, context)
    }

    /// The children of a tree node, as a fragment the page inserts.
    @Sendable func children(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let result = try await service.children(of: id, actor: context.actor, page: try request.pageRequest(defaultLimit: 100))
        let model = ChildrenFragment(items: result.items.map { OrgNode($0) }, more: result.nextCursor.map { "/admin/orgs/\(id)?after=\($0)#children" })
        return renderer.page("orgs-children", model)
    }

    @Sendable func detail(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let actor = context.actor
        let org = try await service.get(try context.id(), actor: actor)
        async let ancestors = service.ancestors(of: org, actor: actor)
        async let children = service.children(of: org.id, actor: actor, page: try request.pageRequest(defaultLimit: 50))
        async let history = service.history(of: org.id, actor: actor, page: PageRequest(limit: 50))
        let childPage = try await children
        let actions = service.actions(on: org, actor: actor)
        let members = try await figures?.members(of: org.id)
        let model = OrgDetailPage(
            members: members.map { OrgWebText.memberCount($0.total, retired: $0.retired) },
            org: OrgNode(org), breadcrumb: try await ancestors.map { OrgNode($0) }, children: childPage.items.map { OrgNode($0) },
            hasChildren: !childPage.items.isEmpty, moreChildren: childPage.nextCursor.map { "/admin/orgs/\(org.id)?after=\($0)#children" },
            history: try await history.items.map(HistoryView.init), canWrite: actions.edit, canAddChild: actions.addChild,
            canReorganize: actions.reorganize, canClose: actions.close)
        return page("orgs-detail", model, request, context)
    }

    func formPage(_ org: Organization, creating: Bool, _ form: FormState, _ request: Request, _ context: StaffRequestContext) -> Response {
        let model = OrgFormPage(
            org: OrgNode(org), creating: creating, form: form,
            action: creating ? "/admin/orgs/\(org.id)/new" : "/admin/orgs/\(org.id)/edit",
            levels: OrgOptions.levels(selected: form.values["level"]), kinds: OrgOptions.kinds(selected: form.values["kind"]))
        return page("orgs-form", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    @Sendable func editForm(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let org = try await service.get(try context.id(), actor: context.actor)
        let values = [
            "name": org.name, "shortName": org.shortName ?? "", "regionCode": org.regionCode ?? "", "address": org.address ?? "",
            "phone": org.phone ?? "", "kind": org.kind.rawValue, "level": org.level.rawValue,
        ]
        return formPage(org, creating: false, FormState(values: values), request, context)
    }

    @Sendable func edit(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let org = try await service.get(try context.id(), actor: context.actor)
        let form = try await request.decode(as: OrgForm.self, context: context)
        do {
            _ = try await service.edit(org.id, form.input, actor: context.actor)
            return Response.redirect(to: "/admin/orgs/\(org.id)", flash: .ok(OrgWebText.saved))
        } catch let error as AppError where error.status == .unprocessableContent {
            return formPage(org, creating: false, FormState(values: form.values, error: error), request, context)
        }
    }

    @Sendable func newForm(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let parent = try await service.get(try context.id(), actor: context.actor)
        return formPage(parent, creating: true, FormState(values: ["level": "grassroots", "kind": "grassroots"]), request, context)
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let parent = try await service.get(try context.id(), actor: context.actor)
        let form = try await request.decode(as: OrgForm.self, context: context)
        do {
            let org = try await service.createChild(of: parent.id, form.input, actor: context.actor)
            return Response.redirect(to: "/admin/orgs/\(org.id)", flash: .ok(OrgWebText.created))
        } catch let error as AppError where error.status == .unprocessableContent {
            return formPage(parent, creating: true, FormState(values: form.values, error: error), request, context)
        }
    }

    /// Choose the target of a move or merge: search in scope, pick one, give a reason.
    func pickPage(_ action: PickAction, _ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let org = try await service.get(try context.id(), actor: context.actor)
        let q = (request.query("q") ?? "").trimmingCharacters(in: .whitespaces)
        let candidates = try await service.targets(for: org, merging: action == .merge, matching: q, actor: context.actor)
            .map { OrgNode($0.org, parentName: $0.parentName) }
        let model = PickPage(
            org: OrgNode(org), q: q, candidates: candidates, searched: !q.isEmpty, empty: candidates.isEmpty, isMove: action == .move,
            action: "/admin/orgs/\(org.id)/\(action.rawValue)", form: form)
        return page("orgs-pick", model, request, context, status: form.message == nil && form.errors.isEmpty ? .ok : .unprocessableContent)
    }

    func reorganize(_ action: PickAction, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: PickForm.self, context: context)
        guard let target = form.target.flatMap(Int64.init) else {
            return try await pickPage(action, FormState(errors: ["target": OrgWebText.pickTarget]), request, context)
        }
        do {
            switch action {
            case .move: _ = try await service.move(id, to: target, note: form.note, actor: context.actor)
            case .merge: _ = try await service.merge(id, into: target, note: form.note, actor: context.actor)
            }
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return try await pickPage(action, FormState(values: ["note": form.note ?? ""], errors: error.fieldErrors, message: error.message), request, context)
        }
        return Response.redirect(to: "/admin/orgs/\(id)", flash: .ok(action == .move ? OrgWebText.moved : OrgWebText.merged))
    }

    @Sendable func close(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: PickForm.self, context: context)
        do {
            _ = try await service.close(id, note: form.note, actor: context.actor)
            return Response.redirect(to: "/admin/orgs/\(id)", flash: .ok(OrgWebText.closed))
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return Response.redirect(to: "/admin/orgs/\(id)", flash: .error(error.message))
        }
    }
}
