import Foundation
import Hummingbird
import Platform
import WebUI

extension MembersConsole {
    func registerWorkflow(on group: RouterGroup<AppRequestContext>) {
        group.get("/applications") { request, context in
            let status = JoinApplication.Status(rawValue: request.query("status") ?? "pending")
            let result = try await joins.applications(actor: context.actor, status: status, page: try request.pageRequest())
            let names = try await unions.names(result.items.map(\.orgId))
            let model: [String: Any] = [
                "status": status?.rawValue ?? "",
                "tabs": [("pending", "待审核"), ("approved", "已批准"), ("rejected", "未批准")].map {
                    ["href": "/admin/applications?status=\($0.0)", "label": $0.1, "active": $0.0 == status?.rawValue]
                },
                "items": result.items.map { a -> [String: Any] in
                    ["id": a.id, "name": a.name, "gender": Gender(rawValue: a.gender)?.label ?? "", "birthDate": a.birthDate, "idMask": a.idMask,
                     "phoneMask": a.phoneMask, "workplace": a.workplace, "hasUnion": a.workplaceHasUnion, "union": names[a.orgId] ?? "",
                     "migrant": a.migrantWorker, "at": DisplayDate.minutes(a.createdAt), "pending": a.status == .pending,
                     "statusLabel": a.status.label, "reason": a.reason ?? "", "decidedBy": a.decidedBy ?? ""]
                },
                "empty": result.items.isEmpty,
                "next": result.nextCursor.map { "/admin/applications?status=\(status?.rawValue ?? "")&after=\($0)" } as Any,
            ]
            return page("members-applications", model, request, context)
        }
        group.post("/applications/:id/approve") { _, context in
            do {
                let member = try await joins.approve(try context.id(), actor: context.actor)
                return Response.redirect(to: "/admin/applications", flash: .ok("\(MemberWebText.approved)：\(member.name)（\(member.memberNo)）"))
            } catch let error as AppError where error.status == .conflict {
                return Response.redirect(to: "/admin/applications", flash: .error(error.message))
            }
        }
        group.post("/applications/:id/reject") { request, context in
            let form = try await request.decode(as: RevealForm.self, context: context)
            do {
                try await joins.reject(try context.id(), reason: form.reason ?? "", actor: context.actor)
            } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                return Response.redirect(to: "/admin/applications", flash: .error(error.fieldErrors.values.first ?? error.message))
            }
            return Response.redirect(to: "/admin/applications", flash: .ok(MemberWebText.rejected))
        }
        group.get("/transfers") { request, context in
            let result = try await transfers.pending(actor: context.actor, page: try request.pageRequest())
            let names = try await unions.names(result.items.flatMap { [$0.fromOrgId, $0.toOrgId] })
            let scope = context.actor.scope(.memberWrite)
            var memberNames: [Int64: String] = [:]
            for t in result.items where memberNames[t.memberId] == nil {
                memberNames[t.memberId] = (try? await members.get(t.memberId, actor: .system("names")))?.name ?? ""
            }
            let model: [String: Any] = [
                "items": result.items.map { t -> [String: Any] in
                    ["id": t.id, "member": memberNames[t.memberId] ?? "", "memberHref": "/admin/members/\(t.memberId)",
                     "from": names[t.fromOrgId] ?? "", "to": names[t.toOrgId] ?? "", "by": t.requestedBy, "at": DisplayDate.minutes(t.createdAt),
                     "released": t.releasedBy ?? "", "accepted": t.acceptedBy ?? "", "note": t.note ?? "",
                     "canRelease": t.releasedAt == nil && scope.covers(t.fromOrgPath), "canAccept": t.acceptedAt == nil && scope.covers(t.toOrgPath)]
                },
                "empty": result.items.isEmpty,
                "next": result.nextCursor.map { "/admin/transfers?after=\($0)" } as Any,
            ]
            return page("members-transfers", model, request, context)
        }
        for side in [TransferService.Side.release, .accept] {
            group.post("/transfers/:id/\(side.rawValue)") { _, context in
                do {
                    let t = try await transfers.act(try context.id(), side: side, actor: context.actor)
                    let text = t.status == .completed ? MemberWebText.transferDone : (side == .release ? MemberWebText.released : MemberWebText.accepted)
                    return Response.redirect(to: "/admin/transfers", flash: .ok(text))
                } catch let error as AppError where error.status == .conflict {
                    return Response.redirect(to: "/admin/transfers", flash: .error(error.message))
                }
            }
        }
        group.post("/transfers/:id/refuse") { request, context in
            let form = try await request.decode(as: RevealForm.self, context: context)
            do {
                try await transfers.refuse(try context.id(), reason: form.reason ?? "", actor: context.actor)
            } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                return Response.redirect(to: "/admin/transfers", flash: .error(error.fieldErrors.values.first ?? error.message))
            }
            return Response.redirect(to: "/admin/transfers", flash: .ok(MemberWebText.refused))
        }
        group.get("/imports") { request, context in
            try await importsPage(FormState(), request, context)
        }
        group.post("/imports") { request, context in
            // The union is in the form, checked after; who may not import at all is refused before the upload.
            _ = try context.actor.requireScope(.memberImport)
            let form = try await MultipartForm.receive(request, into: uploads, limit: ImportService.maxFileSize)
            guard let file = form.file else {
                return try await importsPage(FormState(errors: ["file": MemberWebText.chooseFile], message: MemberWebText.chooseFile), request, context)
            }
            do {
                let item = try await imports.start(file: file, fileName: form.fileName ?? "upload", unionId: Int64(form.fields["unionId"] ?? "") ?? 0,
                                                   actor: context.actor)
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
        group.get("/imports/template.xlsx") { _, _ in try await template(.xlsx) }
        group.get("/imports/template.csv") { _, _ in try await template(.csv) }
        group.get("/imports/:id") { request, context in
            let item = try await imports.get(try context.id(), actor: context.actor)
            let errors = try await imports.errors(of: item.id, actor: context.actor)
            let processed = max(item.lastRow - 1, 0)
            let running = item.status == .queued || item.status == .running
            var summary: [String: Any] = [
                "id": item.id, "fileName": item.fileName, "status": item.status.label, "running": running,
                "processed": DisplayNumber.grouped(processed), "good": DisplayNumber.grouped(item.goodRows),
                "bad": DisplayNumber.grouped(item.badRows), "message": item.message ?? "", "by": item.actorName,
                "at": DisplayDate.minutes(item.createdAt), "failed": item.status == .failed,
            ]
            // Absent until finished: the template engine takes "" as true.
            if let finished = item.finishedAt { summary["finished"] = DisplayDate.minutes(finished) }
            let model: [String: Any] = [
                "import": summary, "canReveal": context.actor.scope(.memberReveal).covers(item.orgPath),
                "errors": errors.prefix(100).map { ["row": $0.row, "reason": $0.reason] }, "hasErrors": !errors.isEmpty,
                "moreErrors": errors.count > 100,
            ]
            return page("members-import", model, request, context)
        }
        // The report masks ID and phone numbers; whoever may reveal them gets the rows in clear by POST, with a reason.
        group.get("/imports/:id/errors.csv") { _, context in
            let id = try context.id()
            let errors = try await imports.errors(of: id, actor: context.actor)
            try await imports.recordErrorDownload(of: id, actor: context.actor)
            return try await errorReport(errors, id: id)
        }
        group.post("/imports/:id/errors.csv") { request, context in
            let id = try context.id()
            let form = try await request.decode(as: RevealForm.self, context: context)
            return try await errorReport(try await imports.revealErrors(of: id, reason: form.reason ?? "", actor: context.actor), id: id)
        }
        group.get("/dashboard") { request, context in
            let sort = RollupService.SortKey(rawValue: request.query("sort") ?? "active") ?? .active
            let ascending = request.query("order") == "asc"
            let d = try await rollups.dashboard(actor: context.actor, orgId: try request.idQuery("unionId"), sort: sort,
                                                ascending: ascending)
            func pct(_ r: MemberRollup) -> String { String(format: "%.1f%%", r.cardCoverage * 100) }
            let n = DisplayNumber.grouped(_:) as (Int64) -> String
            let base = "/admin/dashboard?unionId=\(d.root.orgId)"
            let model: [String: Any] = [
                "rootName": d.rootName, "root": ["active": n(d.root.active), "joined": n(d.root.joined), "migrant": n(d.root.migrant),
                                                 "cards": n(d.root.cards), "coverage": pct(d.root), "pending": n(d.root.pending)],
                "computedAt": d.computedAt.map(DisplayDate.minutes) ?? "",
                "columns": [("name", "工会"), ("active", "会员"), ("joined", "本月入会"), ("migrant", "农民工"), ("cards", "持卡"),
                            ("coverage", "持卡率"), ("pending", "待审核申请")].map { key, label -> [String: Any] in
                    let current = key == sort.rawValue
                    return ["label": label, "href": "\(base)&sort=\(key)&order=\(current && !ascending ? "asc" : "desc")",
                            "current": current, "arrow": current ? (ascending ? "↑" : "↓") : "", "num": key != "name"]
                },
                "rows": d.children.map { r, name -> [String: Any] in
                    ["name": name, "href": "/admin/dashboard?unionId=\(r.orgId)", "active": n(r.active), "joined": n(r.joined),
                     "migrant": n(r.migrant), "cards": n(r.cards), "coverage": pct(r), "pending": n(r.pending),
                     "bar": Int((r.cardCoverage * 100).rounded())]
                },
                "empty": d.children.isEmpty,
            ]
            return page("members-dashboard", model, request, context)
        }
    }

    func importsPage(_ form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let list = try await imports.list(actor: context.actor, page: try request.pageRequest(defaultLimit: 20))
        let choices = (context.principal?.assignments ?? []).filter { $0.permissions.contains(.memberImport) }
        let model: [String: Any] = [
            "form": form.context,
            "unions": choices.map { ["id": $0.orgId, "name": $0.orgName] },
            "items": list.items.map { i -> [String: Any] in
                ["id": i.id, "fileName": i.fileName, "status": i.status.label, "good": DisplayNumber.grouped(i.goodRows),
                 "bad": DisplayNumber.grouped(i.badRows),
                 "at": DisplayDate.minutes(i.createdAt), "by": i.actorName]
            },
            "empty": list.items.isEmpty,
        ]
        return page("members-imports", model, request, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    func errorReport(_ errors: [(row: Int, reason: String, raw: String)], id: Int64) async throws -> Response {
        let url = exportsDirectory.appendingPathComponent("errors-\(randomToken(bytes: 8)).csv")
        try FileManager.default.createDirectory(at: exportsDirectory, withIntermediateDirectories: true)
        let writer = try CSVWriter(url: url)
        try writer.append(row: MemberWebText.errorsHeader)
        for e in errors { try writer.append(row: [String(e.row), e.reason, e.raw]) }
        try writer.close()
        return try await FileDownload.response(url, name: "导入错误行-\(id).csv", deleteAfter: true)
    }

    func template(_ format: ExportService.Format) async throws -> Response {
        try FileManager.default.createDirectory(at: exportsDirectory, withIntermediateDirectories: true)
        let url = exportsDirectory.appendingPathComponent("template-\(randomToken(bytes: 6)).\(format.rawValue)")
        let writer: any SpreadsheetWriter = format == .csv ? try CSVWriter(url: url) : try XLSXWriter(url: url, sheetName: "会员")
        try writer.append(row: ImportColumn.templateHeaders)
        try writer.close()
        return try await FileDownload.response(url, name: "会员导入模板.\(format.rawValue)", deleteAfter: true)
    }
}
