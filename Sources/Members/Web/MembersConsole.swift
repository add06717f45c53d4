import Foundation
import Hummingbird
import Platform
import WebUI

/// The member database in the staff console: search, detail with reveal, registration, joining
/// approvals, transfers, imports with progress, export, and the dashboard.
public struct MembersConsole: Sendable {
    let members: MemberService
    let joins: JoinService
    let transfers: TransferService
    let imports: ImportService
    let exports: ExportService
    let rollups: RollupService
    let unions: any UnionDirectory
    let renderer: Renderer
    let chrome: Chrome
    let uploads: URL
    let exportsDirectory: URL
    let onImportQueued: @Sendable () -> Void

    public init(members: MemberService, joins: JoinService, transfers: TransferService, imports: ImportService, exports: ExportService,
                rollups: RollupService, unions: any UnionDirectory, renderer: Renderer, chrome: Chrome, uploads: URL, exportsDirectory: URL,
                onImportQueued: @escaping @Sendable () -> Void) {
        self.members = members
        self.joins = joins
        self.transfers = transfers
        self.imports = imports
        self.exports = exports
        self.rollups = rollups
        self.unions = unions
        self.renderer = renderer
        self.chrome = chrome
        self.uploads = uploads
        self.exportsDirectory = exportsDirectory
        self.onImportQueued = onImportQueued
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }

    public static let navigation = [
        NavEntry(href: "/admin/dashboard", label: MemberWebText.navDashboard, icon: "统", permission: .memberRead, order: 5),
        NavEntry(href: "/admin/members", label: MemberWebText.navMembers, icon: "会", permission: .memberRead, order: 20),
        NavEntry(href: "/admin/applications", label: MemberWebText.navApplications, icon: "审", permission: .memberWrite, order: 21),
        NavEntry(href: "/admin/transfers", label: MemberWebText.navTransfers, icon: "转", permission: .memberWrite, order: 22),
        NavEntry(href: "/admin/imports", label: MemberWebText.navImports, icon: "导", permission: .memberImport, order: 23),
    ]

    func page(_ name: String, _ model: [String: Any], _ request: Request, _ context: AppRequestContext,
              status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    public func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/members") { request, context in
            let query = try MemberAPIController.query(request)
            let result = try await members.search(query, actor: context.actor, page: try request.pageRequest())
            let names = try await unions.names(result.items.map(\.orgId))
            var params = request.uri.queryParameters.filter { $0.key != "after" }.map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            params.sort()
            let model: [String: Any] = [
                "q": query.text, "unionId": query.orgId.map(String.init) ?? "", "migrant": request.query("migrantWorker") ?? "",
                "statuses": MemberOptions.statuses(query.status?.rawValue),
                "items": result.items.map { MemberRow($0, unionName: names[$0.orgId] ?? "") }, "empty": result.items.isEmpty,
                "next": result.nextCursor.map { "/admin/members?" + (params + ["after=\($0)"]).joined(separator: "&") } as Any,
                "exportQuery": params.joined(separator: "&"),
                "canCreate": context.actor.principal!.can(.memberWrite), "canExport": context.actor.principal!.can(.memberExport),
                "canReveal": context.actor.principal!.can(.memberReveal),
            ]
            return page("members-list", model, request, context)
        }
        group.get("/members/new") { request, context in
            try await newPage(FormState(values: ["migrantWorker": "否"]), request, context)
        }
        group.post("/members/new") { request, context in
            let form = try await request.decode(as: MemberForm.self, context: context)
            do {
                let member = try await members.create(form.input, unionId: Int64(form.unionId ?? "") ?? 0, actor: context.actor)
                return Response.redirect(to: "/admin/members/\(member.id)", flash: .ok(MemberWebText.created))
            } catch let error as AppError where error.status == .unprocessableContent {
                var values = form.input.values
                values["unionId"] = form.unionId ?? ""
                return try await newPage(FormState(values: values, error: error), request, context)
            }
        }
        group.get("/members/:id") { request, context in
            try await detail(request, context, revealed: nil, form: FormState())
        }
        group.post("/members/:id/reveal") { request, context in
            let form = try await request.decode(as: RevealForm.self, context: context)
            let field = MemberService.RevealField(rawValue: form.field ?? "") ?? .idNumber
            do {
                let value = try await members.reveal(try context.id(), field: field, reason: form.reason ?? "", actor: context.actor)
                return try await detail(request, context, revealed: (field, value), form: FormState())
            } catch let error as AppError where error.status == .unprocessableContent {
                return try await detail(request, context, revealed: nil, form: FormState(error: error))
            }
        }
        group.get("/members/:id/edit") { request, context in
            let m = try await members.get(try context.id(), actor: context.actor)
            let values = ["name": m.name, "ethnicity": m.ethnicity.flatMap { Ethnicity(code: $0)?.name } ?? "", "phone": "",
                          "education": m.education.flatMap { Education(code: $0)?.name } ?? "",
                          "politicalStatus": m.politicalStatus.flatMap { PoliticalStatus(code: $0)?.name } ?? "", "job": m.job ?? "",
                          "migrantWorker": m.migrantWorker ? "是" : "否"]
            return editPage(m, FormState(values: values), request, context)
        }
        group.post("/members/:id/edit") { request, context in
            let m = try await members.get(try context.id(), actor: context.actor)
            let form = try await request.decode(as: MemberForm.self, context: context)
            var input = form.input
            input.joinDate = m.joinDate
            // An empty phone field keeps the number on file (the form never shows it unmasked).
            if (input.phone ?? "").isEmpty, let sealed = m.phoneCipher { input.phone = try members.records.open(sealed, MemberFields.phone) }
            do {
                _ = try await members.update(m.id, input, actor: context.actor)
                return Response.redirect(to: "/admin/members/\(m.id)", flash: .ok(MemberWebText.saved))
            } catch let error as AppError where error.status == .unprocessableContent {
                return editPage(m, FormState(values: form.input.values, error: error), request, context)
            }
        }
        group.post("/members/:id/status") { request, context in
            let id = try context.id()
            let form = try await request.decode(as: StatusForm.self, context: context)
            guard let status = MembershipStatus(rawValue: form.status ?? "") else { throw AppError.badRequest(MemberText.badStatusChange) }
            do {
                try await members.setStatus(id, to: status, note: form.note, actor: context.actor)
            } catch let error as AppError where error.status == .conflict {
                return Response.redirect(to: "/admin/members/\(id)", flash: .error(error.message))
            }
            return Response.redirect(to: "/admin/members/\(id)", flash: .ok(MemberWebText.statusChanged))
        }
        group.post("/members/:id/transfer") { request, context in
            let id = try context.id()
            let form = try await request.decode(as: TransferForm.self, context: context)
            do {
                _ = try await transfers.request(memberId: id, toUnionId: Int64(form.unionId ?? "") ?? 0, note: form.note, actor: context.actor)
            } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                return Response.redirect(to: "/admin/members/\(id)", flash: .error(error.fieldErrors.values.first ?? error.message))
            }
            return Response.redirect(to: "/admin/members/\(id)", flash: .ok(MemberWebText.transferRequested))
        }
        group.get("/members/export") { request, context in
            let query = try MemberAPIController.query(request)
            let format = ExportService.Format(rawValue: request.query("format") ?? "xlsx") ?? .xlsx
            let reveal = request.query("reveal") == "1"
            let file = try await exports.export(query, format: format, reveal: reveal, reason: request.query("reason"), actor: context.actor,
                                                directory: exportsDirectory)
            return try await FileDownload.response(file.url, name: "会员名册.\(format.rawValue)", deleteAfter: true)
        }
        registerWorkflow(on: group)
    }

    func detail(_ request: Request, _ context: AppRequestContext, revealed: (MemberService.RevealField, String)?, form: FormState)
        async throws -> Response
    {
        let actor = context.actor
        let m = try await members.get(try context.id(), actor: actor)
        let history = try await members.memberships(of: m.id, actor: actor)
        let moves = try await transfers.transfers(ofMember: m.id)
        let names = try await unions.names([m.orgId] + moves.flatMap { [$0.fromOrgId, $0.toOrgId] })
        let candidates = try await unions.search(request.query("unionq") ?? "", limit: 20).filter { $0.acceptsMembers && $0.id != m.orgId }
        let canWrite = actor.scope(.memberWrite).covers(m.orgPath)
        var model: [String: Any] = [
            "member": MemberRow(m, unionName: names[m.orgId] ?? ""),
            "history": history.map { ["union": $0.orgName, "from": $0.startedOn, "to": $0.endedOn ?? "至今", "reason": $0.reason,
                                      "endReason": $0.endReason ?? ""] },
            "transfers": moves.map { t -> [String: Any] in
                ["from": names[t.fromOrgId] ?? "", "to": names[t.toOrgId] ?? "", "status": t.status.label, "by": t.requestedBy,
                 "at": DisplayDate.minutes(t.createdAt), "reason": t.reason ?? ""]
            },
            "canWrite": canWrite, "canReveal": actor.scope(.memberReveal).covers(m.orgPath),
            "statusOptions": Self.nextStatuses(m.membershipStatus).map { ["value": $0.rawValue, "label": $0.label] },
            "unionq": request.query("unionq") ?? "", "candidates": candidates.map { ["id": $0.id, "name": $0.name, "parent": $0.parentName ?? ""] },
            "hasCandidates": !candidates.isEmpty, "hasTransfers": !moves.isEmpty,
            "hasStatusOptions": !Self.nextStatuses(m.membershipStatus).isEmpty, "form": form.context,
        ]
        if let revealed {
            model["revealed"] = ["label": revealed.0 == .idNumber ? "身份证号" : "手机号", "value": revealed.1]
        }
        return page("members-detail", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    static func nextStatuses(_ s: MembershipStatus) -> [MembershipStatus] {
        switch s {
        case .active: [.retiredKept, .lapsed, .deceased]
        case .retiredKept: [.active, .lapsed, .deceased]
        case .lapsed: [.active]
        case .transferredOut, .deceased: []
        }
    }

    func newPage(_ form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let found = try await unions.search(request.query("unionq") ?? "", limit: 30)
            .filter { $0.acceptsMembers && context.actor.scope(.memberWrite).covers($0.path) }
        let model: [String: Any] = [
            "form": form.context, "unionq": request.query("unionq") ?? "",
            "unions": found.map { ["id": String($0.id), "name": $0.name, "selected": String($0.id) == form.values["unionId"]] },
            "ethnicities": MemberOptions.ethnicities(form.values["ethnicity"]), "educations": MemberOptions.educations(form.values["education"]),
            "politicals": MemberOptions.politicals(form.values["politicalStatus"]), "migrant": form.values["migrantWorker"] == "是",
        ]
        return page("members-new", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    func editPage(_ m: Member, _ form: FormState, _ request: Request, _ context: AppRequestContext) -> Response {
        let model: [String: Any] = [
            "member": MemberRow(m), "form": form.context,
            "ethnicities": MemberOptions.ethnicities(form.values["ethnicity"]), "educations": MemberOptions.educations(form.values["education"]),
            "politicals": MemberOptions.politicals(form.values["politicalStatus"]), "migrant": form.values["migrantWorker"] == "是",
        ]
        return page("members-edit", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }
}

struct RevealForm: Decodable {
    var field: String?
    var reason: String?
}

struct StatusForm: Decodable {
    var status: String?
    var note: String?
}

struct TransferForm: Decodable {
    var unionId: String?
    var note: String?
}
