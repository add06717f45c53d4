import Foundation
import Hummingbird
import Platform
import WebUI

/// The console's joining approvals, transfers, imports and dashboard (the same controller's other pages).
extension MembersConsole {
    func registerWorkflow(on group: RouterGroup<StaffRequestContext>) {
        group.get("/applications", use: applications)
        group.post("/applications/:id/approve", use: approve)
        group.post("/applications/:id/reject", use: reject)
        group.get("/transfers", use: transfersList)
        group.post("/transfers/:id/release") { request, context in try await act(.release, request, context) }
        group.post("/transfers/:id/accept") { request, context in try await act(.accept, request, context) }
        group.post("/transfers/:id/refuse", use: refuseTransfer)
        group.post("/transfers/incoming", use: receiveTransfer)
        group.get("/imports", use: importsList)
        group.post("/imports", use: startImport)
        group.get("/imports/template.xlsx") { _, _ in try await template(.xlsx) }
        group.get("/imports/template.csv") { _, _ in try await template(.csv) }
        group.get("/imports/:id", use: importProgress)
        // The report masks ID and phone numbers; whoever may reveal them gets the rows in clear by POST, with a reason.
        group.get("/imports/:id/errors.csv", use: errorReport)
        group.post("/imports/:id/errors.csv", use: revealedErrorReport)
        group.get("/dashboard", use: dashboard)
        group.get("/dashboard/founding", use: founding)
    }

    // MARK: Joining

    @Sendable func applications(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let status = JoinApplication.Status(rawValue: request.query("status") ?? "pending")
        let result = try await joins.applications(actor: context.actor, status: status, page: try request.pageRequest())
        let names = try await unions.names(result.items.map(\.orgId))
        let model = ApplicationsPage(
            status: status?.rawValue ?? "",
            tabs: [JoinApplication.Status.pending, .approved, .rejected].map {
                .init(href: "/admin/applications?status=\($0.rawValue)", label: $0.label, active: $0 == status)
            },
            items: result.items.map { a in
                .init(
                    id: a.id, name: a.name, gender: Gender(rawValue: a.gender)?.label ?? "", birthDate: a.birthDate, idMask: a.idMask,
                    phoneMask: a.phoneMask, workplace: a.workplace, hasUnion: a.workplaceHasUnion, union: names[a.orgId] ?? "",
                    migrant: a.migrantWorker, at: DisplayDate.minutes(a.createdAt), pending: a.status == .pending, statusLabel: a.status.label,
                    reason: a.reason, decidedBy: a.decidedBy)
            },
            empty: result.items.isEmpty, next: result.nextCursor.map { "/admin/applications?status=\(status?.rawValue ?? "")&after=\($0)" })
        return page("members-applications", model, request, context)
    }

    @Sendable func approve(_ request: Request, context: StaffRequestContext) async throws -> Response {
        do {
            let member = try await joins.approve(try context.id(), actor: context.actor)
            return Response.redirect(to: "/admin/applications", flash: .ok("\(MemberWebText.approved)：\(member.name)（\(member.memberNo)）"))
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: "/admin/applications", flash: .error(error.message))
        }
    }

    @Sendable func reject(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: RevealForm.self, context: context)
        do {
            try await joins.reject(try context.id(), reason: form.reason ?? "", actor: context.actor)
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return Response.redirect(to: "/admin/applications", flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: "/admin/applications", flash: .ok(MemberWebText.rejected))
    }

    // MARK: Transfers

    @Sendable func transfersList(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await transfersPage(FormState(), unionq: "", request, context)
    }

    func transfersPage(_ form: FormState, unionq: String, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let status = MembershipTransfer.Status(rawValue: request.query("status") ?? "") ?? .pending
        let result = try await transfers.listWithNames(actor: context.actor, status: status, page: try request.pageRequest())
        let names = try await unions.names(result.items.flatMap { [$0.transfer.fromOrgId, $0.transfer.toOrgId] })
        let found = try await members.placeableUnions(matching: unionq, actor: context.actor)
        let model = TransfersPage(
            tabs: [MembershipTransfer.Status.pending, .completed, .refused].map {
                .init(href: "/admin/transfers?status=\($0.rawValue)", label: $0.label, active: $0 == status)
            },
            pending: status == .pending,
            items: result.items.map { p in
                let t = p.transfer
                return .init(
                    id: t.id, member: p.memberName, memberHref: p.memberVisible ? "/admin/members/\(t.memberId)" : nil,
                    from: names[t.fromOrgId] ?? "", to: names[t.toOrgId] ?? "", by: t.requestedBy, at: DisplayDate.minutes(t.createdAt),
                    released: t.releasedBy, accepted: t.acceptedBy, note: t.note, reason: t.reason, canRelease: p.canRelease,
                    canAccept: p.canAccept)
            },
            empty: result.items.isEmpty, next: result.nextCursor.map { "/admin/transfers?status=\(status.rawValue)&after=\($0)" },
            form: form, unionq: unionq, unions: found.map { UnionChoice($0, selected: form.values["unionId"]) })
        return page("members-transfers", model, request, context, status: form.status)
    }

    /// 接收转入 from the console; a refused form comes back with what was typed.
    @Sendable func receiveTransfer(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: IncomingTransferForm.self, context: context)
        let values = ["idNumber": form.idNumber, "name": form.name, "unionId": form.unionId, "note": form.note].compactMapValues { $0 }
        // 查找 searches unions inside the form, keeping what was typed.
        if form.action == "search" { return try await transfersPage(FormState(values: values), unionq: form.unionq ?? "", request, context) }
        do {
            _ = try await transfers.requestIncoming(
                idNumber: form.idNumber ?? "", name: form.name ?? "", toUnionId: form.unionId.flatMap { Int64($0) }, note: form.note,
                actor: context.actor)
            return Response.redirect(to: "/admin/transfers", flash: .ok(MemberWebText.incomingStarted))
        } catch let error as AppError where [.unprocessableContent, .notFound, .conflict].contains(error.status) {
            let errors = error.status == .unprocessableContent ? error.fieldErrors : ["idNumber": error.message]
            return try await transfersPage(
                FormState(values: values, errors: errors, message: errors.values.first ?? error.message), unionq: form.unionq ?? "", request,
                context)
        }
    }

    func act(_ side: TransferService.Side, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        do {
            let t = try await transfers.act(try context.id(), side: side, actor: context.actor)
            let text = t.status == .completed ? MemberWebText.transferDone : (side == .release ? MemberWebText.released : MemberWebText.accepted)
            return Response.redirect(to: "/admin/transfers", flash: .ok(text))
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: "/admin/transfers", flash: .error(error.message))
        }
    }

    @Sendable func refuseTransfer(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: RevealForm.self, context: context)
        do {
            try await transfers.refuse(try context.id(), reason: form.reason ?? "", actor: context.actor)
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return Response.redirect(to: "/admin/transfers", flash: .error(error.fieldErrors.values.first ?? error.message))
        }
        return Response.redirect(to: "/admin/transfers", flash: .ok(MemberWebText.refused))
    }

    // MARK: Imports

    @Sendable func importsList(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await importsPage(FormState(), request, context)
    }

    func importsPage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let list = try await imports.list(actor: context.actor, page: try request.pageRequest(defaultLimit: 20))
        let model = ImportsPage(
            form: form,
            unions: context.principal.assignments.filter { $0.permissions.contains(.memberImport) }.map { .init(id: $0.orgId, name: $0.orgName) },
            items: list.items.map {
                .init(
                    id: $0.id, fileName: $0.fileName, status: $0.status.label, good: DisplayNumber.grouped($0.goodRows),
                    bad: DisplayNumber.grouped($0.badRows), at: DisplayDate.minutes($0.createdAt), by: $0.actorName)
            },
            empty: list.items.isEmpty)
        return page("members-imports", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    @Sendable func startImport(_ request: Request, context: StaffRequestContext) async throws -> Response {
        // The union is in the form, checked after; who may not import at all is refused before the upload.
        _ = try context.actor.requireScope(.memberImport)
        let form = try await MultipartForm.receive(request, into: uploads, limit: ImportService.maxFileSize)
        guard let file = form.file else {
            return try await importsPage(FormState(errors: ["file": MemberWebText.chooseFile], message: MemberWebText.chooseFile), request, context)
        }
        do {
            let item = try await imports.start(
                file: file, fileName: form.fileName ?? "upload", unionId: Int64(form.fields["unionId"] ?? "") ?? 0, actor: context.actor)
            onImportQueued()
            return Response.redirect(to: "/admin/imports/\(item.id)", flash: .ok(MemberWebText.importStarted))
        } catch {
            // A refused or failed upload never stays on disk.
            try? FileManager.default.removeItem(at: file)
            if let error = error as? AppError, error.status == .unprocessableContent {
                return try await importsPage(FormState(error: error), request, context)
            }
            throw error
        }
    }

    @Sendable func importProgress(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let item = try await imports.get(try context.id(), actor: context.actor)
        let errors = try await imports.errors(of: item.id, actor: context.actor)
        let summary = ImportPage.Summary(
            id: item.id, fileName: item.fileName, status: item.status.label, running: item.status == .queued || item.status == .running,
            processed: DisplayNumber.grouped(max(item.lastRow - 1, 0)), good: DisplayNumber.grouped(item.goodRows),
            bad: DisplayNumber.grouped(item.badRows), message: item.message, by: item.actorName, at: DisplayDate.minutes(item.createdAt),
            failed: item.status == .failed, finished: item.finishedAt.map(DisplayDate.minutes))
        let model = ImportPage(
            import: summary, canReveal: context.actor.scope(.memberReveal).covers(item.orgPath),
            errors: errors.prefix(100).map { .init(row: $0.row, reason: $0.reason) }, hasErrors: !errors.isEmpty, moreErrors: errors.count > 100)
        return page("members-import", model, request, context)
    }

    @Sendable func errorReport(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let errors = try await imports.errors(of: id, actor: context.actor)
        try await imports.recordErrorDownload(of: id, actor: context.actor)
        return try await errorFile(errors, id: id)
    }

    @Sendable func revealedErrorReport(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: RevealForm.self, context: context)
        return try await errorFile(try await imports.revealErrors(of: id, reason: form.reason ?? "", actor: context.actor), id: id)
    }

    func errorFile(_ errors: [(row: Int, reason: String, raw: String)], id: Int64) async throws -> Response {
        let url = exportsDirectory.appendingPathComponent("errors-\(randomToken(bytes: 8)).csv")
        try FileManager.default.createDirectory(at: exportsDirectory, withIntermediateDirectories: true)
        let writer = try CSVWriter(url: url)
        try writer.append(row: MemberWebText.errorsHeader)
        for e in errors { try writer.append(row: [String(e.row), e.reason, e.raw]) }
        try writer.close()
        return try await FileDownload.response(url, name: "导入错误行-\(id).csv", deleteAfter: true)
    }

    /// The template's columns typed as text: numbers Excel would otherwise round or reformat.
    static let templateTextColumns = Set([ImportColumn.idNumber, .phone, .unionId].compactMap { ImportColumn.allCases.firstIndex(of: $0) })

    func template(_ format: ExportService.Format) async throws -> Response {
        try FileManager.default.createDirectory(at: exportsDirectory, withIntermediateDirectories: true)
        let url = exportsDirectory.appendingPathComponent("template-\(randomToken(bytes: 6)).\(format.rawValue)")
        let writer: any SpreadsheetWriter
        if format == .csv {
            writer = try CSVWriter(url: url)
        } else {
            // The ID number and phone columns are text, so Excel keeps all 18 digits as typed.
            let xlsx = try XLSXWriter(url: url, sheetName: "会员")
            xlsx.textColumns = Self.templateTextColumns
            writer = xlsx
        }
        try writer.append(row: ImportColumn.templateHeaders)
        try writer.close()
        return try await FileDownload.response(url, name: "会员导入模板.\(format.rawValue)", deleteAfter: true)
    }

    // MARK: Dashboard

    /// 工会法 art. 11: the unions of the cadre's scope that have grown to a committee's size.
    @Sendable func founding(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let rows = try await rollups.foundingFlagged(actor: context.actor)
        let model = FoundingPage(
            rule: MemberText.foundingNeedsCommittee,
            items: rows.map { .init(name: $0.name, href: "/admin/orgs/\($0.rollup.orgId)", members: DisplayNumber.grouped($0.rollup.active)) },
            empty: rows.isEmpty)
        return page("members-founding", model, request, context)
    }

    @Sendable func dashboard(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let sort = RollupService.SortKey(rawValue: request.query("sort") ?? "active") ?? .active
        let ascending = request.query("order") == "asc"
        let d = try await rollups.dashboard(actor: context.actor, orgId: try request.idQuery("unionId"), sort: sort, ascending: ascending)
        let joins = rollups.joinsByMonth(under: d.root)
        let joinsTop = Double(max(joins.map(\.joined).max() ?? 0, 1))
        let base = "/admin/dashboard?unionId=\(d.root.orgId)"
        let columns: [(RollupService.SortKey, String)] = [
            (.name, "工会"), (.active, "会员合计"), (.working, "在职"), (.retired, "退休保留"), (.joined, "本月入会"), (.migrant, "农民工"), (.cards, "持卡"), (.coverage, "持卡率"),
            (.pending, "待审核申请"),
        ]
        let model = DashboardPage(
            rootName: d.rootName, root: .init(d.root), computedAt: d.computedAt.map(DisplayDate.minutes),
            sortNote: MemberWebText.sortNote(columns.first { $0.0 == sort }?.1 ?? "", ascending: ascending, byName: sort == .name),
            foundingFlagged: d.foundingFlagged > 0 ? d.foundingFlagged : nil,
            columns: columns.map { key, label in
                let current = key == sort
                return .init(
                    label: label, href: "\(base)&sort=\(key.rawValue)&order=\(current && !ascending ? "asc" : "desc")", current: current,
                    arrow: current ? (ascending ? "↑" : "↓") : "", num: key != .name)
            },
            rows: d.children.map { r, name in
                let f = DashboardPage.Figures(r)
                return .init(
                    name: name, href: "/admin/dashboard?unionId=\(r.orgId)", active: f.active, working: f.working, retired: f.retired,
                    joined: f.joined, migrant: f.migrant,
                    cards: f.cards, coverage: f.coverage, pending: f.pending, bar: Int((r.cardCoverage * 100).rounded()))
            },
            empty: d.children.isEmpty,
            joinsChart: Chart.lines(
                months: joins.map(\.period),
                series: [Chart.Series(name: MemberWebText.joinedPerMonth, color: Chart.red, values: joins.map { Double($0.joined) })],
                maxValue: joinsTop, percent: false),
            compositionChart: Chart.ring(
                [(MemberWebText.working, Double(d.root.working), Chart.red), (MemberWebText.retiredKept, Double(d.root.retired), Chart.grey)],
                centre: DisplayNumber.compact(d.root.active)),
            coverageChart: d.children.isEmpty
                ? nil
                : Chart.bars(
                    d.children.prefix(15).map { ($0.name, $0.rollup.active == 0 ? 0 : $0.rollup.cardCoverage) }, color: Chart.blue,
                    format: { String(format: "%.1f%%", $0 * 100) }),
            membersChart: d.children.isEmpty
                ? nil
                : Chart.stackedBars(
                    d.children.prefix(15).map { ($0.name, [Double($0.rollup.working), Double($0.rollup.retired)]) },
                    parts: [(MemberWebText.working, Chart.red), (MemberWebText.retiredKept, Chart.grey)]))
        return page("members-dashboard", model, request, context)
    }
}
