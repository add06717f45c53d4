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
    let claims: ClaimService
    let imports: ImportService
    let exports: ExportService
    let rollups: RollupService
    let unions: any UnionDirectory
    let renderer: Renderer
    let chrome: Chrome
    let uploads: URL
    let exportsDirectory: URL
    let onImportQueued: @Sendable () -> Void

    public init(members: MemberService, joins: JoinService, transfers: TransferService, claims: ClaimService, imports: ImportService,
                exports: ExportService,
                rollups: RollupService, unions: any UnionDirectory, renderer: Renderer, chrome: Chrome, uploads: URL, exportsDirectory: URL,
                onImportQueued: @escaping @Sendable () -> Void) {
        self.members = members
        self.joins = joins
        self.transfers = transfers
        self.claims = claims
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
        NavEntry(href: "/admin/claims", label: MemberWebText.navClaims, icon: "认", permission: .memberWrite, order: 22),
        NavEntry(href: "/admin/imports", label: MemberWebText.navImports, icon: "导", permission: .memberImport, order: 23),
    ]

    func page(_ name: String, _ model: Any, _ request: Request, _ context: StaffRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    public func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("/members", use: list)
        group.get("/members/new", use: newMember)
        group.post("/members/new", use: create)
        group.get("/members/export", use: export)
        group.get("/members/:id", use: detail)
        group.post("/members/:id/reveal", use: reveal)
        group.get("/members/:id/edit", use: editForm)
        group.post("/members/:id/edit", use: edit)
        group.post("/members/:id/status", use: setStatus)
        group.post("/members/:id/transfer", use: requestTransfer)
        registerWorkflow(on: group)
        ClaimsConsole(claims: claims, unions: unions, renderer: renderer, chrome: chrome).register(on: group)
    }

    // MARK: The register

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let query = try MemberQuery(request: request)
        let result = try await members.search(query, actor: context.actor, page: try request.pageRequest())
        let names = try await unions.names(result.items.map(\.orgId))
        let params = request.uri.queryParameters.filter { $0.key != "after" }
            .map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.sorted()
        let p = context.principal
        let model = MemberListPage(
            q: query.text, unionId: query.orgId.map(String.init) ?? "", migrant: request.query("migrantWorker") ?? "",
            statuses: MembershipStatus.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == query.status) },
            items: result.items.map { MemberRow($0, unionName: names[$0.orgId] ?? "") }, empty: result.items.isEmpty,
            next: result.nextCursor.map { "/admin/members?" + (params + ["after=\($0)"]).joined(separator: "&") },
            exportQuery: params.joined(separator: "&"), canCreate: p.can(.memberWrite), canExport: p.can(.memberExport),
            canReveal: p.can(.memberReveal))
        return page("members-list", model, request, context)
    }

    @Sendable func newMember(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await newPage(FormState(values: ["migrantWorker": "否"]), request, context)
    }

    func newPage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let found = try await members.placeableUnions(matching: request.query("unionq") ?? "", actor: context.actor)
        let choices = MemberChoices(form)
        let model = NewMemberPage(
            form: form, unionq: request.query("unionq") ?? "", unions: found.map { UnionChoice($0, selected: form.values["unionId"]) },
            ethnicities: choices.ethnicities, educations: choices.educations, politicals: choices.politicals,
            migrant: form.values["migrantWorker"] == "是")
        return page("members-new", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
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

    @Sendable func export(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let query = try MemberQuery(request: request)
        let format = ExportService.Format(rawValue: request.query("format") ?? "xlsx") ?? .xlsx
        let file = try await exports.export(
            query, format: format, reveal: request.query("reveal") == "1", reason: request.query("reason"), actor: context.actor,
            directory: exportsDirectory)
        return try await FileDownload.response(file.url, name: "会员名册.\(format.rawValue)", deleteAfter: true)
    }

    // MARK: One member

    @Sendable func detail(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await detailPage(request, context, revealed: nil, form: FormState())
    }

    func detailPage(_ request: Request, _ context: StaffRequestContext, revealed: MemberDetailPage.Revealed?, form: FormState)
        async throws -> Response
    {
        let actor = context.actor
        let m = try await members.get(try context.id(), actor: actor)
        let history = try await members.memberships(of: m.id, actor: actor)
        let moves = try await transfers.transfers(ofMember: m.id)
        let names = try await unions.names([m.orgId] + moves.flatMap { [$0.fromOrgId, $0.toOrgId] })
        let candidates = try await joins.joinableUnions(matching: request.query("unionq") ?? "").filter { $0.id != m.orgId }
        let next = MemberService.nextStatuses(m.membershipStatus)
        let model = MemberDetailPage(
            member: MemberRow(m, unionName: names[m.orgId] ?? ""),
            history: history.map { .init(union: $0.orgName, from: $0.startedOn, to: $0.endedOn ?? "至今", reason: $0.reason, endReason: $0.endReason) },
            transfers: moves.map {
                .init(from: names[$0.fromOrgId] ?? "", to: names[$0.toOrgId] ?? "", status: $0.status.label, by: $0.requestedBy,
                      at: DisplayDate.minutes($0.createdAt), reason: $0.reason)
            },
            canWrite: actor.scope(.memberWrite).covers(m.orgPath), canReveal: actor.scope(.memberReveal).covers(m.orgPath),
            revealFields: Option.list(
                [(MemberService.RevealField.idNumber.rawValue, MemberWebText.idNumber), (MemberService.RevealField.phone.rawValue, MemberWebText.phone)],
                selected: form.values["field"]),
            statusOptions: Option.list(next.map { ($0.rawValue, $0.label) }, selected: form.values["status"]), hasStatusOptions: !next.isEmpty,
            // Only a member on the rolls transfers (TransferService.request): no form for the others.
            canTransfer: m.isCounted,
            unionq: request.query("unionq") ?? "", candidates: candidates.map { UnionChoice($0, selected: form.values["unionId"]) },
            hasCandidates: !candidates.isEmpty,
            hasTransfers: !moves.isEmpty, revealed: revealed, form: form)
        return page("members-detail", model, request, context, status: form.status)
    }

    @Sendable func reveal(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: RevealForm.self, context: context)
        let field = MemberService.RevealField(rawValue: form.field ?? "") ?? .idNumber
        do {
            let value = try await members.reveal(try context.id(), field: field, reason: form.reason ?? "", actor: context.actor)
            let revealed = MemberDetailPage.Revealed(label: field == .idNumber ? MemberWebText.idNumber : MemberWebText.phone, value: value)
            return try await detailPage(request, context, revealed: revealed, form: FormState())
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await detailPage(request, context, revealed: nil, form: FormState(values: ["field": field.rawValue], error: error))
        }
    }

    @Sendable func editForm(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let m = try await members.get(try context.id(), actor: context.actor)
        let row = MemberRow(m)
        let values = [
            "name": m.name, "ethnicity": row.ethnicity, "phone": "", "education": row.education, "politicalStatus": row.political,
            "job": row.job, "migrantWorker": m.migrantWorker ? "是" : "否",
        ]
        return editPage(m, FormState(values: values), request, context)
    }

    func editPage(_ m: Member, _ form: FormState, _ request: Request, _ context: StaffRequestContext) -> Response {
        let choices = MemberChoices(form)
        let model = EditMemberPage(
            member: MemberRow(m), form: form, ethnicities: choices.ethnicities, educations: choices.educations,
            politicals: choices.politicals, migrant: form.values["migrantWorker"] == "是")
        return page("members-edit", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    @Sendable func edit(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let m = try await members.get(try context.id(), actor: context.actor)
        let form = try await request.decode(as: MemberForm.self, context: context)
        var patch = MemberPatch(full: form.input)
        // The form never shows the number unmasked: an empty phone field keeps the one on file.
        if (form.phone ?? "").isEmpty { patch.phone = .absent }
        do {
            _ = try await members.update(m.id, patch, actor: context.actor)
            return Response.redirect(to: "/admin/members/\(m.id)", flash: .ok(MemberWebText.saved))
        } catch let error as AppError where error.status == .unprocessableContent {
            return editPage(m, FormState(values: form.input.values, error: error), request, context)
        }
    }

    @Sendable func setStatus(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: StatusForm.self, context: context)
        guard let status = MembershipStatus(rawValue: form.status ?? "") else { throw AppError.badRequest(MemberText.badStatusChange) }
        do {
            try await members.setStatus(id, to: status, note: form.note, confirmed: form.confirm == "on", actor: context.actor)
        } catch let error as AppError where error.status == .conflict {
            let values = ["status": status.rawValue, "note": form.note ?? "", "confirm": form.confirm ?? ""]
            return try await detailPage(request, context, revealed: nil, form: FormState(values: values, errors: ["status": error.message]))
        }
        return Response.redirect(to: "/admin/members/\(id)", flash: .ok(MemberWebText.statusChanged))
    }

    @Sendable func requestTransfer(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: TransferForm.self, context: context)
        do {
            _ = try await transfers.request(memberId: id, toUnionId: Int64(form.unionId ?? "") ?? 0, note: form.note, actor: context.actor)
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            let values = ["unionId": form.unionId ?? "", "transferNote": form.note ?? ""]
            let message = error.fieldErrors.values.first ?? error.message
            return try await detailPage(request, context, revealed: nil, form: FormState(values: values, errors: ["transfer": message]))
        }
        return Response.redirect(to: "/admin/members/\(id)", flash: .ok(MemberWebText.transferRequested))
    }
}
