import Foundation
import Hummingbird
import Platform
import WebUI

/// The union tree in the staff console, and "find your union" on the member site.
public struct OrganizationsWeb: Sendable {
    let service: OrganizationService
    let renderer: Renderer
    let chrome: Chrome

    public init(service: OrganizationService, renderer: Renderer, chrome: Chrome) {
        self.service = service
        self.renderer = renderer
        self.chrome = chrome
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }

    public static let navigation = [
        NavEntry(href: "/admin/orgs", label: OrgWebText.navTree, icon: "组", permission: .orgRead, order: 10)
    ]

    // MARK: Member site

    public func registerPublic(on group: RouterGroup<AppRequestContext>) {
        group.get("/unions") { request, context in
            let q = request.query("q") ?? ""
            let page = try await service.publicSearch(q, page: try request.pageRequest(defaultLimit: 20))
            let items = page.items.map { o -> [String: Any?] in
                ["id": o.id, "name": o.name, "level": o.level.label, "kind": o.kind.label, "address": o.address,
                 "phone": o.phone, "parentName": o.parentName]
            }
            let model: [String: Any] = [
                "q": q, "searched": !q.trimmingCharacters(in: .whitespaces).isEmpty, "items": items, "empty": items.isEmpty,
                "next": page.nextCursor.map { "/unions?q=\(q.urlQueryEncoded)&after=\($0)" } as Any,
            ]
            return renderer.page("site-unions", chrome.plain(model, context: context))
        }
        group.get("/unions/:id") { _, context in
            let o = try await service.publicOrg(try context.id())
            let model: [String: Any?] = [
                "name": o.name, "level": o.level.label, "kind": o.kind.label, "address": o.address, "phone": o.phone,
                "parentName": o.parentName, "regionCode": o.regionCode,
            ]
            return renderer.page("site-union", chrome.plain(model, context: context))
        }
    }

    // MARK: Console

    public func registerConsole(on group: RouterGroup<AppRequestContext>) {
        group.get("/orgs") { request, context in
            let q = (request.query("q") ?? "").trimmingCharacters(in: .whitespaces)
            var model: [String: Any] = ["q": q]
            if q.isEmpty {
                model["roots"] = try await service.roots(actor: context.actor).map(OrgNode.init)
            } else {
                let page = try await service.search(q, actor: context.actor, includeInactive: request.query("all") == "1",
                                                    page: try request.pageRequest())
                model["results"] = page.items.map(OrgNode.init)
                model["searched"] = true
                model["empty"] = page.items.isEmpty
                model["next"] = page.nextCursor.map { "/admin/orgs?q=\(q.urlQueryEncoded)&after=\($0)" } as Any
            }
            return renderer.page("orgs-tree", chrome.console(model, request: request, context: context))
        }
        group.get("/orgs/:id/children") { request, context in
            let id = try context.id()
            let page = try await service.children(of: id, actor: context.actor, page: try request.pageRequest(defaultLimit: 100))
            let model: [String: Any] = [
                "items": page.items.map(OrgNode.init),
                "more": page.nextCursor.map { "/admin/orgs/\(id)?after=\($0)#children" } as Any,
            ]
            return renderer.page("orgs-children", model)
        }
        group.get("/orgs/:id") { request, context in
            try await detail(request, context)
        }
        group.get("/orgs/:id/edit") { request, context in
            let org = try await service.get(try context.id(), actor: context.actor)
            return formPage(org: org, creating: false, form: FormState(values: Self.values(org)), request, context)
        }
        group.post("/orgs/:id/edit") { request, context in
            let org = try await service.get(try context.id(), actor: context.actor)
            let form = try await request.decode(as: OrgForm.self, context: context)
            do {
                _ = try await service.edit(org.id, form.input, actor: context.actor)
                return Response.redirect(to: "/admin/orgs/\(org.id)", flash: .ok(OrgWebText.saved))
            } catch let error as AppError where error.status == .unprocessableContent {
                return formPage(org: org, creating: false, form: FormState(values: form.values, error: error), request, context)
            }
        }
        group.get("/orgs/:id/new") { request, context in
            let parent = try await service.get(try context.id(), actor: context.actor)
            return formPage(org: parent, creating: true, form: FormState(values: ["level": "grassroots", "kind": "grassroots"]), request, context)
        }
        group.post("/orgs/:id/new") { request, context in
            let parent = try await service.get(try context.id(), actor: context.actor)
            let form = try await request.decode(as: OrgForm.self, context: context)
            do {
                let org = try await service.createChild(of: parent.id, form.input, actor: context.actor)
                return Response.redirect(to: "/admin/orgs/\(org.id)", flash: .ok(OrgWebText.created))
            } catch let error as AppError where error.status == .unprocessableContent {
                return formPage(org: parent, creating: true, form: FormState(values: form.values, error: error), request, context)
            }
        }
        for action in ["move", "merge"] {
            group.get("/orgs/:id/\(action)") { request, context in
                try await pickPage(action: action, form: FormState(), request, context)
            }
            group.post("/orgs/:id/\(action)") { request, context in
                let id = try context.id()
                let form = try await request.decode(as: PickForm.self, context: context)
                guard let target = form.target.flatMap(Int64.init) else {
                    return try await pickPage(action: action, form: FormState(errors: ["target": OrgWebText.pickTarget]), request, context)
                }
                do {
                    if action == "move" {
                        _ = try await service.move(id, to: target, note: form.note, actor: context.actor)
                    } else {
                        _ = try await service.merge(id, into: target, note: form.note, actor: context.actor)
                    }
                } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                    let state = FormState(values: ["note": form.note ?? ""], errors: error.fieldErrors, message: error.message)
                    return try await pickPage(action: action, form: state, request, context)
                }
                return Response.redirect(to: "/admin/orgs/\(id)", flash: .ok(action == "move" ? OrgWebText.moved : OrgWebText.merged))
            }
        }
        group.post("/orgs/:id/close") { request, context in
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

    func detail(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let actor = context.actor
        let org = try await service.get(try context.id(), actor: actor)
        async let ancestors = service.ancestors(of: org, actor: actor)
        async let children = service.children(of: org.id, actor: actor, page: try request.pageRequest(defaultLimit: 50))
        async let history = service.history(of: org.id, actor: actor, page: PageRequest(limit: 50))
        let childPage = try await children
        let parentPath = org.path.parent
        let canReorganize = org.isActive && parentPath.map { actor.scope(.orgReorganize).covers($0) } == true
        let model: [String: Any] = [
            "org": OrgNode(org),
            "breadcrumb": try await ancestors.map(OrgNode.init),
            "children": childPage.items.map(OrgNode.init),
            "hasChildren": !childPage.items.isEmpty,
            "moreChildren": childPage.nextCursor.map { "/admin/orgs/\(org.id)?after=\($0)#children" } as Any,
            "history": try await history.items.map(HistoryView.init),
            "canWrite": org.isActive && actor.scope(.orgWrite).covers(org.path),
            "canAddChild": org.isActive && org.level != .grassroots && actor.scope(.orgWrite).covers(org.path),
            "canReorganize": canReorganize,
            "canClose": canReorganize && org.childCount == 0,
        ]
        return renderer.page("orgs-detail", chrome.console(model, request: request, context: context))
    }

    func formPage(org: Organization, creating: Bool, form: FormState, _ request: Request, _ context: AppRequestContext) -> Response {
        let model: [String: Any] = [
            "org": OrgNode(org), "creating": creating, "form": form.context,
            "action": creating ? "/admin/orgs/\(org.id)/new" : "/admin/orgs/\(org.id)/edit",
            "levels": OrgOptions.levels(selected: form.values["level"]),
            "kinds": OrgOptions.kinds(selected: form.values["kind"]),
        ]
        return renderer.page("orgs-form", chrome.console(model, request: request, context: context),
                             status: form.errors.isEmpty && form.message == nil ? .ok : .unprocessableContent)
    }

    /// Choose the target of a move or merge: search in scope, pick one, give a reason.
    func pickPage(action: String, form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let org = try await service.get(try context.id(), actor: context.actor)
        let q = (request.query("q") ?? "").trimmingCharacters(in: .whitespaces)
        var candidates: [OrgNode] = []
        if !q.isEmpty {
            let found = try await service.search(q, actor: context.actor, page: PageRequest(limit: 30)).items
                .filter { c in !org.path.contains(c.path) && (action == "merge" || (c.level != .grassroots && c.id != org.parentId)) }
            // Same-named unions (four 新华路街道总工会 in Hebei) are told apart by their parents.
            let parents = Dictionary(try await service.lookup(found.compactMap(\.parentId)).map { ($0.id, $0.name) },
                                     uniquingKeysWith: { a, _ in a })
            candidates = found.map { o in
                var node = OrgNode(o)
                node.parentName = o.parentId.flatMap { parents[$0] }
                return node
            }
        }
        let model: [String: Any] = [
            "org": OrgNode(org), "q": q, "candidates": candidates, "searched": !q.isEmpty, "empty": candidates.isEmpty,
            "isMove": action == "move", "action": "/admin/orgs/\(org.id)/\(action)", "form": form.context,
        ]
        let failed = !form.errors.isEmpty || form.message != nil
        return renderer.page("orgs-pick", chrome.console(model, request: request, context: context), status: failed ? .unprocessableContent : .ok)
    }

    static func values(_ o: Organization) -> [String: String] {
        ["name": o.name, "shortName": o.shortName ?? "", "regionCode": o.regionCode ?? "", "address": o.address ?? "",
         "phone": o.phone ?? "", "kind": o.kind.rawValue, "level": o.level.rawValue]
    }
}

struct OrgForm: Decodable {
    var name: String?
    var shortName: String?
    var level: String?
    var kind: String?
    var regionCode: String?
    var address: String?
    var phone: String?

    var input: OrgInput {
        OrgInput(name: name ?? "", shortName: shortName, level: level.flatMap(OrgLevel.init), kind: kind.flatMap(OrgKind.init),
                 regionCode: regionCode, address: address, phone: phone)
    }

    var values: [String: String] {
        ["name": name ?? "", "shortName": shortName ?? "", "level": level ?? "", "kind": kind ?? "",
         "regionCode": regionCode ?? "", "address": address ?? "", "phone": phone ?? ""]
    }
}

struct PickForm: Decodable {
    var target: String?
    var note: String?
}

extension String {
    var urlQueryEncoded: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
