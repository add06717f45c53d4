import Foundation
import Hummingbird
import Platform
import WebUI

/// The console's home, accounts and roles, the audit log and one's own settings (staff routes).
struct AccountsConsole: Sendable {
    let accounts: AccountService
    let workbench: Workbench
    let renderer: Renderer
    let chrome: Chrome

    func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("", use: home)
        group.get("/accounts", use: list)
        group.get("/accounts/new", use: newAccount)
        group.post("/accounts/new", use: create)
        group.get("/accounts/:id", use: account)
        group.post("/accounts/:id/grant", use: grant)
        group.post("/accounts/:id/revoke/:assignment", use: revoke)
        group.post("/accounts/:id/status", use: setStatus)
        group.post("/accounts/:id/password", use: resetPassword)
        group.get("/roles", use: roles)
        group.post("/roles", use: createRole)
        group.get("/audit", use: auditLog)
        group.get("/me", use: me)
        group.post("/me/password", use: changePassword)
    }

    func page(_ name: String, _ model: Any, _ request: Request, _ context: StaffRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(name, chrome.console(model, request: request, context: context), status: status)
    }

    // MARK: Pages

    /// 工作台: what waits for this cadre, counted in their scope, then their roles and shortcuts.
    @Sendable func home(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let todos = try await workbench.todos(for: context.actor)
        return page(
            "accounts-home", HomePage(context.principal, todos: todos, shortcuts: workbench.shortcuts(for: context.principal)), request, context)
    }

    @Sendable func list(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let q = request.query("q") ?? ""
        let result = try await accounts.list(actor: context.actor, text: q, page: try request.pageRequest())
        let now = Date()
        let model = AccountListPage(
            q: q, items: result.items.map { AccountRow($0, now: now) }, empty: result.items.isEmpty,
            next: result.nextCursor.map { "/admin/accounts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&after=\($0)" },
            canCreate: context.principal.can(.accountWrite))
        return page("accounts-list", model, request, context)
    }

    @Sendable func newAccount(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await newAccountPage(FormState(), request, context)
    }

    func newAccountPage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let model = NewAccountPage(
            form: form, orgq: request.query("orgq") ?? "",
            orgs: try await orgChoices(request, context, .accountWrite, selected: form.values["homeOrgId"]))
        return page("accounts-new", model, request, context, status: form.status)
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: NewAccountForm.self, context: context)
        do {
            let account = try await accounts.create(
                NewAccount(username: form.username ?? "", displayName: form.displayName ?? "", password: form.password ?? "",
                           homeOrgId: Int64(form.homeOrgId ?? "") ?? 0), actor: context.actor)
            return Response.redirect(to: "/admin/accounts/\(account.id)", flash: .ok(AccountWebText.accountCreated))
        } catch let error as AppError where error.status == .unprocessableContent {
            let values = ["username": form.username ?? "", "displayName": form.displayName ?? "", "homeOrgId": form.homeOrgId ?? ""]
            return try await newAccountPage(FormState(values: values, error: error), request, context)
        }
    }

    @Sendable func account(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await accountPage(FormState(), request, context)
    }

    func accountPage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        let actor = context.actor
        let view = try await accounts.view(try context.id(), actor: actor)
        let grantOrgs = try await orgChoices(request, context, .roleGrant, selected: form.values["orgId"])
        let model = AccountPage(
            account: AccountRow(view.account, now: Date()),
            assignments: view.assignments.map { a in
                AccountPage.Assignment(
                    id: a.id, roleName: a.roleName, orgName: a.orgName,
                    orgHref: actor.scope(.orgRead).covers(a.orgPath) ? "/admin/orgs/\(a.orgId)" : nil, grantedBy: a.grantedBy,
                    grantedAt: DisplayDate.minutes(a.grantedAt), canRevoke: view.revocable.contains(a.id))
            },
            hasAssignments: !view.assignments.isEmpty, canGrant: view.canWrite && !view.grantableRoles.isEmpty && !grantOrgs.isEmpty,
            grantOrgs: grantOrgs,
            roles: view.grantableRoles.map { .init(code: $0.code, name: $0.name, selected: $0.code == form.values["roleCode"]) },
            canWrite: view.canWrite, isSelf: actor.accountId == view.account.id, heldAbove: view.heldAbove, form: form,
            orgq: request.query("orgq") ?? "")
        return page("accounts-detail", model, request, context, status: form.status)
    }

    /// The orgs a form may name: those where the actor holds `permission` (their own assignments),
    /// and those found by the form's org search (`orgq`) inside that scope.
    func orgChoices(_ request: Request, _ context: StaffRequestContext, _ permission: Permission, selected: String?) async throws
        -> [OrgChoice]
    {
        var seen: Set<Int64> = []
        var choices = context.principal.assignments.filter { $0.permissions.contains(permission) && seen.insert($0.orgId).inserted }
            .map { (String($0.orgId), $0.orgName) }
        let found = try await accounts.findOrgs(request.query("orgq") ?? "", holding: permission, actor: context.actor)
        choices += found.filter { seen.insert($0.id).inserted }.map { (String($0.id), $0.name) }
        let pick = selected ?? found.first.map { String($0.id) }
        return choices.map { OrgChoice(id: $0.0, name: $0.1, selected: $0.0 == pick) }
    }

    // MARK: Actions

    @Sendable func grant(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: GrantForm.self, context: context)
        do {
            _ = try await accounts.grant(accountId: id, roleCode: form.roleCode ?? "", orgId: Int64(form.orgId ?? "") ?? 0, actor: context.actor)
            return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(AccountWebText.granted))
        } catch let error as AppError where [.unprocessableContent, .conflict, .forbidden].contains(error.status) {
            let values = ["orgId": form.orgId ?? "", "roleCode": form.roleCode ?? ""]
            return try await accountPage(FormState(values: values, error: error), request, context)
        }
    }

    @Sendable func revoke(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        try await accounts.revoke(assignmentId: try context.id("assignment"), actor: context.actor)
        return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(AccountWebText.revoked))
    }

    @Sendable func setStatus(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: StatusForm.self, context: context)
        let status: Account.Status = form.status == "active" ? .active : .disabled
        do {
            try await accounts.setStatus(id, status, actor: context.actor)
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: "/admin/accounts/\(id)", flash: .error(error.message))
        }
        return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(status == .active ? AccountWebText.enabled : AccountWebText.disabled))
    }

    @Sendable func resetPassword(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let id = try context.id()
        let form = try await request.decode(as: PasswordForm.self, context: context)
        do {
            try await accounts.resetPassword(id, to: form.password ?? "", actor: context.actor)
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await accountPage(FormState(error: error), request, context)
        }
        return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(AccountWebText.passwordReset))
    }

    // MARK: Roles, audit, me

    @Sendable func roles(_ request: Request, context: StaffRequestContext) async throws -> Response {
        try await rolesPage(FormState(), request, context)
    }

    func rolesPage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) async throws -> Response {
        _ = try context.actor.requireScope(.accountRead)
        let model = RolesPage(
            roles: try await accounts.roles().map {
                .init(code: $0.code, name: $0.name, builtin: $0.builtin, requiresTOTP: $0.requiresTOTP,
                      permissions: $0.permissions.sorted().map(accounts.catalogue.label).joined(separator: "、"))
            },
            canManage: try await accounts.mayManageRoles(context.actor),
            catalogue: accounts.catalogue.entries.map { .init(value: $0.permission.rawValue, label: $0.label) }, form: form)
        return page("accounts-roles", model, request, context, status: form.status)
    }

    @Sendable func createRole(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: RoleForm.self, context: context)
        do {
            _ = try await accounts.createRole(code: form.code ?? "", name: form.name ?? "", permissions: form.permissions ?? [], actor: context.actor)
            return Response.redirect(to: "/admin/roles", flash: .ok(AccountWebText.roleCreated))
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await rolesPage(FormState(values: ["code": form.code ?? "", "name": form.name ?? ""], error: error), request, context)
        }
    }

    @Sendable func auditLog(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let filter = try AuditFilter.from(request)
        let result = try await accounts.auditEntries(actor: context.actor, filter: filter, page: try request.pageRequest())
        let query = request.uri.queryParameters.filter { $0.key != "after" }
            .map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.sorted()
        let model = AuditPage(
            items: result.items.map(AuditRow.init), empty: result.items.isEmpty,
            filter: .init(action: filter.action ?? "", actor: filter.actorName ?? "", objectId: filter.objectId ?? "",
                          result: filter.result?.rawValue ?? ""),
            results: AuditEntry.Result.allCases.map {
                .init(value: $0.rawValue, label: AccountWebText.resultLabels[$0.rawValue] ?? $0.rawValue, selected: $0 == filter.result)
            },
            next: result.nextCursor.map { "/admin/audit?" + (query + ["after=\($0)"]).joined(separator: "&") })
        return page("accounts-audit", model, request, context)
    }

    @Sendable func me(_ request: Request, context: StaffRequestContext) -> Response {
        mePage(FormState(), request, context)
    }

    func mePage(_ form: FormState, _ request: Request, _ context: StaffRequestContext) -> Response {
        let p = context.principal
        let model = MePage(
            username: p.username, displayName: p.displayName,
            assignments: p.assignments.map { .init(orgName: $0.orgName, roleName: $0.roleName) }, form: form)
        return page("accounts-me", model, request, context, status: form.status)
    }

    @Sendable func changePassword(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: ChangePasswordForm.self, context: context)
        do {
            try await accounts.changeOwnPassword(
                current: form.current ?? "", new: form.new ?? "", confirm: form.confirm ?? "", sessionId: context.session.id,
                actor: context.actor)
            return Response.redirect(to: "/admin/me", flash: .ok(AccountWebText.passwordChanged))
        } catch let error as AppError where error.status == .unprocessableContent {
            return mePage(FormState(error: error), request, context)
        }
    }
}
