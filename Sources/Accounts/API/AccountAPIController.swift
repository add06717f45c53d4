import Hummingbird
import Platform

/// `/api/v1/session`, `/accounts`, `/roles`, `/audit`.
public struct AccountAPIController: Sendable {
    let auth: AuthService
    let accounts: AccountService

    public init(auth: AuthService, accounts: AccountService) {
        self.auth = auth
        self.accounts = accounts
    }

    /// Sign-in needs no session; everything else in `staff` does.
    public func register(open: APIRoutes<AppRequestContext>, staff api: APIRoutes<StaffRequestContext>, document: OpenAPIDocument) {
        document.schema("Account", AccountDTO.schema)
        document.schema("AccountPage", Schema.page("Account"))
        document.schema("Assignment", AssignmentDTO.schema)
        document.schema("Role", RoleDTO.schema)
        document.schema("AuditEntry", AuditEntryDTO.schema)
        document.schema("AuditEntryPage", Schema.page("AuditEntry"))
        document.schema("Session", SessionDTO.schema)
        document.schema("Me", MeDTO.schema)
        let (auth, accounts) = (self.auth, self.accounts)

        open.add(.post, "/session", summary: "登录，取得访问令牌（有动态口令的账号须同时提交 totpCode）", tag: "会话",
                 body: LoginDTO.schema, response: Schema.ref("Session"), status: 201) { request, context in
            let dto = try await request.decode(as: LoginDTO.self, context: context)
            let result = try await auth.login(username: dto.username, password: dto.password, totpCode: dto.totpCode, kind: .api,
                                              actor: context.actor)
            return JSONBody(SessionDTO(token: result.token, expiresAt: result.expiresAt), status: .created)
        }
        api.add(.get, "/session", summary: "当前账号、角色与权限", tag: "会话", response: Schema.ref("Me")) { _, context in
            let p = context.principal
            return JSONBody(MeDTO(accountId: p.accountId, username: p.username, displayName: p.displayName,
                                  assignments: p.assignments.map(AssignmentDTO.init), permissions: p.permissions.map(\.rawValue).sorted()))
        }
        api.add(.delete, "/session", summary: "注销当前令牌", tag: "会话", response: nil, status: 204) { _, context in
            try await auth.logout(session: context.session, actor: context.actor)
            return Response(status: .noContent)
        }

        let tag = "账号与角色"
        api.add(.get, "/accounts", summary: "本人范围内的工作人员账号", tag: tag,
                query: [.query("q", "用户名或姓名关键字")] + APIParam.paging, response: Schema.ref("AccountPage")) { request, context in
            let page = try await accounts.list(actor: context.actor, text: request.query("q") ?? "", page: try request.pageRequest())
            return JSONBody(PageDTO(page) { AccountDTO($0) })
        }
        api.add(.post, "/accounts", summary: "新建账号", tag: tag, body: NewAccountDTO.schema, response: Schema.ref("Account"),
                status: 201) { request, context in
            let dto = try await request.decode(as: NewAccountDTO.self, context: context)
            let account = try await accounts.create(
                NewAccount(username: dto.username, displayName: dto.displayName, password: dto.password, homeOrgId: dto.homeOrgId),
                actor: context.actor)
            return JSONBody(AccountDTO(account), status: .created)
        }
        api.add(.get, "/accounts/{id}", summary: "账号详情", tag: tag, response: Schema.ref("Account")) { _, context in
            JSONBody(AccountDTO(try await accounts.get(try context.id(), actor: context.actor)))
        }
        api.add(.patch, "/accounts/{id}", summary: "启用或停用账号", tag: tag, body: StatusDTO.schema, response: Schema.ref("Account")) { request, context in
            let dto = try await request.decode(as: StatusDTO.self, context: context)
            try await accounts.setStatus(try context.id(), dto.status, actor: context.actor)
            return JSONBody(AccountDTO(try await accounts.get(try context.id(), actor: context.actor)))
        }
        api.add(.post, "/accounts/{id}/password", summary: "重置密码（同时解除锁定并注销其会话）", tag: tag,
                body: PasswordDTO.schema, response: nil, status: 204) { request, context in
            let dto = try await request.decode(as: PasswordDTO.self, context: context)
            try await accounts.resetPassword(try context.id(), to: dto.password, actor: context.actor)
            return Response(status: .noContent)
        }
        api.add(.get, "/accounts/{id}/assignments", summary: "账号的角色授权", tag: tag,
                response: Schema.array(Schema.ref("Assignment"))) { _, context in
            JSONBody(try await accounts.assignments(of: try context.id(), actor: context.actor).map(AssignmentDTO.init))
        }
        api.add(.post, "/accounts/{id}/assignments", summary: "授予角色（不能超出授予人自身范围）", tag: tag,
                body: GrantDTO.schema, response: IdDTO.schema, status: 201) { request, context in
            let dto = try await request.decode(as: GrantDTO.self, context: context)
            let id = try await accounts.grant(accountId: try context.id(), roleCode: dto.roleCode, orgId: dto.orgId, actor: context.actor)
            return JSONBody(IdDTO(id: id), status: .created)
        }
        api.add(.delete, "/assignments/{id}", summary: "收回角色", tag: tag, response: nil, status: 204) { _, context in
            try await accounts.revoke(assignmentId: try context.id(), actor: context.actor)
            return Response(status: .noContent)
        }
        api.add(.get, "/roles", summary: "角色及其权限", tag: tag, response: Schema.array(Schema.ref("Role"))) { _, context in
            _ = try context.actor.requireScope(.accountRead)
            return JSONBody(try await accounts.roles().map(RoleDTO.init))
        }
        api.add(.post, "/roles", summary: "新建角色（系统管理员）", tag: tag, body: NewRoleDTO.schema, response: Schema.ref("Role"),
                status: 201) { request, context in
            let dto = try await request.decode(as: NewRoleDTO.self, context: context)
            let role = try await accounts.createRole(code: dto.code, name: dto.name, permissions: dto.permissions, actor: context.actor)
            return JSONBody(RoleDTO(role), status: .created)
        }
        api.add(.get, "/audit", summary: "审计日志（本人范围，新的在前）", tag: "审计",
                query: [.query("action", "操作，如 org.move"), .query("actor", "操作人用户名"), .query("objectType", "对象类型"),
                        .query("objectId", "对象编号"), .query("result", "ok / denied / failed")] + APIParam.paging,
                response: Schema.ref("AuditEntryPage")) { request, context in
            let filter = try AuditFilter.from(request)
            let page = try await accounts.auditEntries(actor: context.actor, filter: filter, page: try request.pageRequest())
            return JSONBody(PageDTO(page, AuditEntryDTO.init))
        }
    }
}

extension AuditFilter {
    static func from(_ request: Request) throws -> AuditFilter {
        var result: AuditEntry.Result?
        if let text = request.query("result"), !text.isEmpty {
            guard let r = AuditEntry.Result(rawValue: text) else { throw AppError.badRequest(AccountText.badResultFilter) }
            result = r
        }
        return AuditFilter(action: request.query("action"), actorName: request.query("actor"), objectType: request.query("objectType"),
                           objectId: request.query("objectId"), result: result)
    }
}
