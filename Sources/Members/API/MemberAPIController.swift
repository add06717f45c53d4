import Foundation
import Hummingbird
import Platform

/// `/api/v1/members…`, join applications, transfers, imports and the dashboard, as JSON.
public struct MemberAPIController: Sendable {
    let members: MemberService
    let joins: JoinService
    let transfers: TransferService
    let claims: ClaimService
    let imports: ImportService
    let rollups: RollupService
    let exports: ExportService
    let uploads: URL
    let exportsDirectory: URL

    public init(members: MemberService, joins: JoinService, transfers: TransferService, claims: ClaimService, imports: ImportService,
                rollups: RollupService, exports: ExportService, uploads: URL, exportsDirectory: URL) {
        self.exports = exports
        self.exportsDirectory = exportsDirectory
        self.members = members
        self.joins = joins
        self.transfers = transfers
        self.claims = claims
        self.imports = imports
        self.rollups = rollups
        self.uploads = uploads
    }

    public func register(staff api: APIRoutes<StaffRequestContext>, document: OpenAPIDocument) {
        for (name, schema) in [
            ("Member", MemberDTO.schema), ("Membership", MembershipDTO.schema), ("MemberInput", MemberInputDTO.schema),
            ("JoinApplication", JoinApplicationDTO.schema), ("MembershipTransfer", TransferDTO.schema), ("MembershipClaim", ClaimDTO.schema), ("MemberImport", ImportDTO.schema),
            ("MemberRollup", RollupDTO.schema),
        ] { document.schema(name, schema) }
        for item in ["Member", "JoinApplication", "MembershipTransfer", "MembershipClaim", "MemberImport"] { document.schema(item + "Page", Schema.page(item)) }
        let (members, joins, transfers, imports, rollups, uploads) = (self.members, self.joins, self.transfers, self.imports, self.rollups, self.uploads)
        let tag = "会员"

        api.add(.get, "/members", summary: "查找会员：姓名前缀、身份证号、手机号或会员编号；可按工会（含下级）、会籍状态、农民工筛选", tag: tag,
                query: [.query("q", "姓名前缀 / 身份证号 / 手机号 / 会员编号"), .query("unionId", "工会组织编号（含下级）", Schema.id),
                        .query("status", "会籍状态"), .query("migrantWorker", "true / false")] + APIParam.paging,
                response: Schema.ref("MemberPage")) { request, context in
            let page = try await members.search(try MemberQuery(request: request), actor: context.actor, page: try request.pageRequest())
            return JSONBody(PageDTO(page, MemberDTO.init))
        }
        api.add(.post, "/members", summary: "登记会员（工作人员代为办理）", tag: tag, body: Schema.ref("MemberInput"),
                response: Schema.ref("Member"), status: 201) { request, context in
            let dto = try await request.decode(as: MemberInputDTO.self, context: context)
            guard let unionId = dto.unionId else { throw AppError.validation(["unionId": MemberText.unionRequired]) }
            return JSONBody(MemberDTO(try await members.create(dto.input, unionId: unionId, actor: context.actor)), status: .created)
        }
        let (exports, exportsDirectory) = (self.exports, self.exportsDirectory)
        api.add(.get, "/members/export", summary: "导出会员名册（与查找相同的条件；证件号、手机号脱敏，reveal=1 并填写 reason 可导出明文，记入审计）",
                tag: tag,
                query: [.query("q", "同查找"), .query("unionId", "工会组织编号（含下级）", Schema.id), .query("status", "会籍状态"),
                        .query("migrantWorker", "true / false"), .query("format", "xlsx（默认）/ csv"), .query("reveal", "1：导出明文（须有查看权限）"),
                        .query("reason", "导出明文的理由")],
                response: ["type": "string", "format": "binary"],
                responseType: FileDownload.octetStream) { request, context in
            guard let format = ExportService.Format(rawValue: request.query("format") ?? "xlsx") else {
                throw AppError.badRequest(MemberText.badExportFormat)
            }
            let file = try await exports.export(
                try MemberQuery(request: request), format: format, reveal: request.query("reveal") == "1", reason: request.query("reason"),
                actor: context.actor, directory: exportsDirectory)
            return try await FileDownload.response(
                file.url, name: "会员名册.\(format.rawValue)", deleteAfter: true, contentType: FileDownload.octetStream)
        }
        api.add(.get, "/members/{id}", summary: "会员详情（证件号、手机号脱敏）", tag: tag, response: Schema.ref("Member")) { _, context in
            JSONBody(MemberDTO(try await members.get(try context.id(), actor: context.actor)))
        }
        api.add(.patch, "/members/{id}", summary: "修改会员信息（只改所提交的字段，null 清空可空字段；身份证号不可改）", tag: tag,
                body: MemberPatchDTO.schema, response: Schema.ref("Member")) { request, context in
            let dto = try await request.decode(as: MemberPatchDTO.self, context: context)
            return JSONBody(MemberDTO(try await members.update(try context.id(), dto.patch, actor: context.actor)))
        }
        api.add(.get, "/members/{id}/memberships", summary: "会籍历史", tag: tag, response: Schema.array(Schema.ref("Membership"))) { _, context in
            JSONBody(try await members.memberships(of: try context.id(), actor: context.actor).map(MembershipDTO.init))
        }
        api.add(.post, "/members/{id}/reveal", summary: "查看完整身份证号或手机号（须有权限并填写理由，记入审计）", tag: tag,
                body: RevealDTO.schema, response: Schema.object([("value", Schema.string)], required: ["value"])) { request, context in
            let dto = try await request.decode(as: RevealDTO.self, context: context)
            guard let field = MemberService.RevealField(rawValue: dto.field) else { throw AppError.validation(["field": MemberText.badRevealField]) }
            return JSONBody(["value": try await members.reveal(try context.id(), field: field, reason: dto.reason, actor: context.actor)])
        }
        api.add(.post, "/members/{id}/status", summary: "变更会籍状态（退休保留、中止、已故、恢复）", tag: tag, body: StatusChangeDTO.schema,
                response: Schema.ref("Member")) { request, context in
            let dto = try await request.decode(as: StatusChangeDTO.self, context: context)
            guard let status = MembershipStatus(rawValue: dto.status) else { throw AppError.validation(["status": MemberText.badStatusChange]) }
            try await members.setStatus(try context.id(), to: status, note: dto.note, confirmed: dto.confirm ?? false, actor: context.actor)
            return JSONBody(MemberDTO(try await members.get(try context.id(), actor: context.actor)))
        }
        api.add(.post, "/members/{id}/transfers", summary: "发起会籍接转", tag: tag, body: TransferRequestDTO.schema,
                response: Schema.ref("MembershipTransfer"), status: 201) { request, context in
            let dto = try await request.decode(as: TransferRequestDTO.self, context: context)
            let t = try await transfers.request(memberId: try context.id(), toUnionId: dto.unionId, note: dto.note, actor: context.actor)
            return JSONBody(TransferDTO(t), status: .created)
        }
        api.add(.post, "/transfers/incoming", summary: "接收转入：本级基层工会按身份证号和姓名发起接转（视为已同意接收，待转出工会同意）",
                tag: tag, body: IncomingTransferDTO.schema, response: Schema.ref("MembershipTransfer"), status: 201) { request, context in
            let dto = try await request.decode(as: IncomingTransferDTO.self, context: context)
            let t = try await transfers.requestIncoming(
                idNumber: dto.idNumber, name: dto.name, toUnionId: dto.unionId, note: dto.note, actor: context.actor)
            return JSONBody(TransferDTO(t), status: .created)
        }
        api.add(.get, "/transfers", summary: "本人范围内工会转出或转入的会籍接转（默认办理中；已完成、未通过的可查原因和去向）", tag: tag,
                query: [.query("status", "pending（默认）/ completed / refused")] + APIParam.paging,
                response: Schema.ref("MembershipTransferPage")) { request, context in
            var status = MembershipTransfer.Status.pending
            if let text = request.query("status"), !text.isEmpty {
                guard let s = MembershipTransfer.Status(rawValue: text) else { throw AppError.badRequest(MemberText.badTransferStatus) }
                status = s
            }
            return JSONBody(PageDTO(try await transfers.list(actor: context.actor, status: status, page: try request.pageRequest()), TransferDTO.init))
        }
        for side in [TransferService.Side.release, .accept] {
            api.add(.post, "/transfers/{id}/\(side.rawValue)", summary: side == .release ? "转出工会同意转出" : "转入工会同意接收", tag: tag,
                    response: Schema.ref("MembershipTransfer")) { _, context in
                JSONBody(TransferDTO(try await transfers.act(try context.id(), side: side, actor: context.actor)))
            }
        }
        api.add(.post, "/transfers/{id}/refuse", summary: "拒绝会籍接转（须填写理由）", tag: tag, body: ReasonDTO.schema, response: nil,
                status: 204) { request, context in
            let dto = try await request.decode(as: ReasonDTO.self, context: context)
            try await transfers.refuse(try context.id(), reason: dto.reason, actor: context.actor)
            return Response(status: .noContent)
        }
        let claims = self.claims
        api.add(.get, "/membership-claims", summary: "待确认的会籍认领（本人范围）", tag: tag, query: APIParam.paging,
                response: Schema.ref("MembershipClaimPage")) { request, context in
            JSONBody(PageDTO(try await claims.pending(actor: context.actor, page: try request.pageRequest()), ClaimDTO.init))
        }
        api.add(.post, "/membership-claims/{id}/approve", summary: "确认会籍认领：账号与会籍关联", tag: tag,
                response: Schema.ref("Member")) { _, context in
            JSONBody(MemberDTO(try await claims.approve(try context.id(), actor: context.actor)))
        }
        api.add(.post, "/membership-claims/{id}/refuse", summary: "不予确认会籍认领（须填写理由）", tag: tag, body: ReasonDTO.schema,
                response: nil, status: 204) { request, context in
            let dto = try await request.decode(as: ReasonDTO.self, context: context)
            try await claims.refuse(try context.id(), reason: dto.reason, actor: context.actor)
            return Response(status: .noContent)
        }
        api.add(.get, "/join-applications", summary: "入会申请（本人范围）", tag: tag,
                query: [.query("status", "pending / approved / rejected")] + APIParam.paging,
                response: Schema.ref("JoinApplicationPage")) { request, context in
            let status = request.query("status").flatMap(JoinApplication.Status.init)
            return JSONBody(PageDTO(try await joins.applications(actor: context.actor, status: status, page: try request.pageRequest()),
                                    JoinApplicationDTO.init))
        }
        api.add(.post, "/join-applications/{id}/approve", summary: "批准入会", tag: tag, response: Schema.ref("Member")) { _, context in
            JSONBody(MemberDTO(try await joins.approve(try context.id(), actor: context.actor)))
        }
        api.add(.post, "/join-applications/{id}/reject", summary: "不予批准（须填写理由）", tag: tag, body: ReasonDTO.schema, response: nil,
                status: 204) { request, context in
            let dto = try await request.decode(as: ReasonDTO.self, context: context)
            try await joins.reject(try context.id(), reason: dto.reason, actor: context.actor)
            return Response(status: .noContent)
        }
        api.add(.post, "/member-imports", summary: "上传表格导入会员（请求体为 .xlsx 或 .csv 文件本身）", tag: tag,
                query: [.query("unionId", "导入到哪个工会（含下级）", Schema.id), .query("fileName", "原文件名")],
                body: ["type": "string", "format": "binary"], bodyType: "application/octet-stream", response: Schema.ref("MemberImport"),
                status: 202) { request, context in
            guard let unionId = try request.idQuery("unionId") else { throw AppError.validation(["unionId": MemberText.unionRequired]) }
            // Nothing is written to disk before the permission check.
            try await imports.checkMayImport(into: unionId, actor: context.actor)
            let file = try await Upload.save(request.body, into: uploads, limit: ImportService.maxFileSize)
            do {
                let item = try await imports.start(file: file, fileName: request.query("fileName") ?? "upload", unionId: unionId, actor: context.actor)
                return JSONBody(ImportDTO(item), status: .accepted)
            } catch {
                try? FileManager.default.removeItem(at: file)
                throw error
            }
        }
        api.add(.get, "/member-imports", summary: "导入任务", tag: tag, query: APIParam.paging,
                response: Schema.ref("MemberImportPage")) { request, context in
            JSONBody(PageDTO(try await imports.list(actor: context.actor, page: try request.pageRequest()), ImportDTO.init))
        }
        api.add(.get, "/member-imports/{id}", summary: "导入进度", tag: tag, response: Schema.ref("MemberImport")) { _, context in
            JSONBody(ImportDTO(try await imports.get(try context.id(), actor: context.actor)))
        }
        api.add(.get, "/member-imports/{id}/errors", summary: "错误行：行号与原因", tag: tag,
                response: Schema.array(Schema.object([("row", Schema.integer), ("reason", Schema.string)], required: ["row", "reason"]))) { _, context in
            JSONBody(try await imports.errors(of: try context.id(), actor: context.actor).map { ImportErrorDTO(row: $0.row, reason: $0.reason) })
        }
        api.add(.get, "/member-dashboard", summary: "会员统计：本级合计与各下级工会（来自汇总表）", tag: tag,
                query: [.query("unionId", "工会组织编号（默认本人范围最上层）", Schema.id), .query("sort", "name/active/working/retired/joined/migrant/cards/coverage/pending"),
                        .query("order", "asc / desc")],
                response: Schema.object([("total", Schema.ref("MemberRollup")), ("children", Schema.array(Schema.ref("MemberRollup")))],
                                        required: ["total", "children"])) { request, context in
            let d = try await rollups.dashboard(actor: context.actor, orgId: try request.idQuery("unionId"),
                                                sort: request.query("sort").flatMap(RollupService.SortKey.init) ?? .active,
                                                ascending: request.query("order") == "asc")
            return JSONBody(DashboardDTO(total: RollupDTO(d.root, name: d.rootName), children: d.children.map { RollupDTO($0.rollup, name: $0.name) }))
        }
    }
}

struct ImportErrorDTO: Encodable, Sendable {
    var row: Int
    var reason: String
}

struct DashboardDTO: Encodable, Sendable {
    var total: RollupDTO
    var children: [RollupDTO]
}
