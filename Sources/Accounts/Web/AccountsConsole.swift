import Foundation
import Hummingbird
import Platform
import WebUI

extension AccountsWeb {
    public func registerConsole(on group: RouterGroup<AppRequestContext>) {
        group.get("") { request, context in
            let p = context.principal!
            let model: [String: Any] = [
                "name": p.displayName,
                "assignments": p.assignments.map { ["orgName": $0.orgName, "roleName": $0.roleName, "orgHref": "/admin/orgs/\($0.orgId)"] },
                "permissions": p.permissions.sorted().map(\.label),
                "canOrgs": p.can(.orgRead), "canAccounts": p.can(.accountRead), "canAudit": p.can(.auditRead),
            ]
            return renderer.page("accounts-home", chrome.console(model, request: request, context: context))
        }
        group.get("/accounts") { request, context in
            let q = request.query("q") ?? ""
            let page = try await accounts.list(actor: context.actor, text: q, page: try request.pageRequest())
            let now = Date()
            let model: [String: Any] = [
                "q": q, "items": page.items.map { AccountRow($0, now: now) }, "empty": page.items.isEmpty,
                "next": page.nextCursor.map { "/admin/accounts?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&after=\($0)" } as Any,
                "canCreate": context.actor.principal!.can(.accountWrite),
            ]
            return renderer.page("accounts-list", chrome.console(model, request: request, context: context))
        }
        group.get("/accounts/new") { request, context in
            try await newAccountPage(form: FormState(), request, context)
        }
        group.post("/accounts/new") { request, context in
            let form = try await request.decode(as: NewAccountForm.self, context: context)
            do {
                let account = try await accounts.create(
                    NewAccount(username: form.username ?? "", displayName: form.displayName ?? "", password: form.password ?? "",
                               homeOrgId: Int64(form.homeOrgId ?? "") ?? 0), actor: context.actor)
                return Response.redirect(to: "/admin/accounts/\(account.id)", flash: .ok(AccountWebText.accountCreated))
            } catch let error as AppError where error.status == .unprocessableContent {
                let values = ["username": form.username ?? "", "displayName": form.displayName ?? "", "homeOrgId": form.homeOrgId ?? ""]
                return try await newAccountPage(form: FormState(values: values, error: error), request, context)
            }
        }
        group.get("/accounts/:id") { request, context in
            try await accountPage(form: FormState(), request, context)
        }
        group.post("/accounts/:id/grant") { request, context in
            let id = try context.id()
            let form = try await request.decode(as: GrantForm.self, context: context)
            do {
                _ = try await accounts.grant(accountId: id, roleCode: form.roleCode ?? "", orgId: Int64(form.orgId ?? "") ?? 0,
                                             actor: context.actor)
                return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(AccountWebText.granted))
            } catch let error as AppError where [.unprocessableContent, .conflict, .forbidden].contains(error.status) {
                let values = ["orgId": form.orgId ?? "", "roleCode": form.roleCode ?? ""]
                return try await accountPage(form: FormState(values: values, error: error), request, context)
            }
        }
        group.post("/accounts/:id/revoke/:assignment") { _, context in
            let id = try context.id()
            try await accounts.revoke(assignmentId: try context.id("assignment"), actor: context.actor)
            return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(AccountWebText.revoked))
        }
        group.post("/accounts/:id/status") { request, context in
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
        group.post("/accounts/:id/password") { request, context in
            let id = try context.id()
            let form = try await request.decode(as: PasswordForm.self, context: context)
            do {
                try await accounts.resetPassword(id, to: form.password ?? "", actor: context.actor)
            } catch let error as AppError where error.status == .unprocessableContent {
                return try await accountPage(form: FormState(error: error), request, context)
            }
            return Response.redirect(to: "/admin/accounts/\(id)", flash: .ok(AccountWebText.passwordReset))
        }
        group.get("/roles") { request, context in
            try await rolesPage(form: FormState(), request, context)
        }
        group.post("/roles") { request, context in
            let form = try await request.decode(as: RoleForm.self, context: context)
            do {
                _ = try await accounts.createRole(code: form.code ?? "", name: form.name ?? "", permissions: form.permissions ?? [],
                                                  actor: context.actor)
                return Response.redirect(to: "/admin/roles", flash: .ok(AccountWebText.roleCreated))
            } catch let error as AppError where error.status == .unprocessableContent {
                return try await rolesPage(form: FormState(values: ["code": form.code ?? "", "name": form.name ?? ""], error: error),
                                           request, context)
            }
        }
        group.get("/audit") { request, context in
            let filter = try AuditFilter.from(request)
            let page = try await audit.list(actor: context.actor, filter: filter, page: try request.pageRequest())
            var query = request.uri.queryParameters.filter { $0.key != "after" }.map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            query.sort()
            let model: [String: Any] = [
                "items": page.items.map(AuditRow.init), "empty": page.items.isEmpty,
                "filter": ["action": filter.action ?? "", "actor": filter.actorName ?? "", "objectId": filter.objectId ?? "",
                           "result": filter.result?.rawValue ?? ""],
                "results": ["ok", "denied", "failed"].map { ["value": $0, "label": AccountWebText.resultLabels[$0]!, "selected": $0 == filter.result?.rawValue] },
                "next": page.nextCursor.map { "/admin/audit?" + (query + ["after=\($0)"]).joined(separator: "&") } as Any,
            ]
            return renderer.page("accounts-audit", chrome.console(model, request: request, context: context))
        }
        group.get("/me") { request, context in
            mePage(form: FormState(), request, context)
        }
        group.post("/me/password") { request, context in
            let form = try await request.decode(as: ChangePasswordForm.self, context: context)
            do {
                try await accounts.changeOwnPassword(current: form.current ?? "", new: form.new ?? "", confirm: form.confirm ?? "",
                                                     sessionId: context.session!.id, actor: context.actor)
                return Response.redirect(to: "/admin/me", flash: .ok(AccountWebText.passwordChanged))
            } catch let error as AppError where error.status == .unprocessableContent {
                return mePage(form: FormState(error: error), request, context)
            }
        }
    }

    /// The orgs a form may name: those where the actor holds `permission` (their own assignments),
    /// and those found by the form's org search (`orgq`) inside that scope.
    func orgChoices(_ request: Request, _ context: AppRequestContext, _ permission: Permission, selected: String?) async throws
        -> [[String: Any]]
    {
        var seen: Set<Int64> = []
        var choices = (context.principal?.assignments ?? []).filter { $0.permissions.contains(permission) && seen.insert($0.orgId).inserted }
            .map { (String($0.orgId), $0.orgName) }
        let found = try await accounts.findOrgs(request.query("orgq") ?? "", holding: permission, actor: context.actor)
        choices += found.filter { seen.insert($0.id).inserted }.map { (String($0.id), $0.name) }
        let pick = selected ?? found.first.map { String($0.id) }
        return choices.map { ["id": $0.0, "name": $0.1, "selected": $0.0 == pick] }
    }

    func newAccountPage(form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let model: [String: Any] = [
            "form": form.context, "orgq": request.query("orgq") ?? "",
            "orgs": try await orgChoices(request, context, .accountWrite, selected: form.values["homeOrgId"]),
        ]
        return renderer.page("accounts-new", chrome.console(model, request: request, context: context),
                             status: form.message == nil ? .ok : .unprocessableContent)
    }

    func accountPage(form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let actor = context.actor
        let account = try await accounts.get(try context.id(), actor: actor)
        let assignments = try await accounts.assignments(of: account.id, actor: actor)
        let grantOrgs = try await orgChoices(request, context, .roleGrant, selected: form.values["orgId"])
        // Roles grantable somewhere the actor may grant; the service re-checks the chosen org.
        var grantable: [Role] = []
        for assignment in actor.principal!.assignments where assignment.permissions.contains(.roleGrant) {
            for role in try await accounts.grantableRoles(at: assignment.orgPath, actor: actor)
            where !grantable.contains(where: { $0.code == role.code }) { grantable.append(role) }
        }
        let canWrite = try await accounts.mayWrite(account, actor: actor)
        let allRoles = Dictionary(uniqueKeysWithValues: try await accounts.roles().map { ($0.code, $0) })
        let model: [String: Any] = [
            "account": AccountRow(account, now: Date()),
            "assignments": assignments.map { a -> [String: Any] in
                ["id": a.id, "roleName": a.roleName, "orgName": a.orgName,
                 "orgHref": actor.scope(.orgRead).covers(a.orgPath) ? "/admin/orgs/\(a.orgId)" : "",
                 "grantedBy": a.grantedBy, "grantedAt": DisplayDate.minutes(a.grantedAt),
                 "canRevoke": canWrite && allRoles[a.roleCode].map { AccountService.mayGrant($0, at: a.orgPath, actor: actor) } == true]
            },
            "hasAssignments": !assignments.isEmpty,
            "canGrant": canWrite && !grantable.isEmpty && !grantOrgs.isEmpty,
            "grantOrgs": grantOrgs,
            "roles": grantable.map { ["code": $0.code, "name": $0.name, "selected": $0.code == form.values["roleCode"]] },
            "canWrite": canWrite, "isSelf": actor.accountId == account.id,
            "heldAbove": !canWrite && actor.scope(.accountWrite).covers(account.homeOrgPath),
            "form": form.context, "orgq": request.query("orgq") ?? "",
        ]
        let status: HTTPResponse.Status = form.message == nil ? .ok : (form.errors.isEmpty ? .conflict : .unprocessableContent)
        return renderer.page("accounts-detail", chrome.console(model, request: request, context: context), status: status)
    }

    func rolesPage(form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        _ = try context.actor.requireScope(.accountRead)
        let roles = try await accounts.roles()
        let actor = context.actor
        let model: [String: Any] = [
            "roles": roles.map { r -> [String: Any] in
                ["code": r.code, "name": r.name, "builtin": r.builtin, "requiresTOTP": r.requiresTOTP,
                 "permissions": r.permissions.sorted().map(\.label).joined(separator: "、")]
            },
            "canManage": actor.scope(.roleManage).roots.contains { $0.depth == 0 },
            "catalogue": Permission.catalogue.map { ["value": $0.0.rawValue, "label": $0.1] },
            "form": form.context,
        ]
        return renderer.page("accounts-roles", chrome.console(model, request: request, context: context),
                             status: form.message == nil ? .ok : .unprocessableContent)
    }

    func mePage(form: FormState, _ request: Request, _ context: AppRequestContext) -> Response {
        let p = context.principal!
        let model: [String: Any] = [
            "username": p.username, "displayName": p.displayName,
            "assignments": p.assignments.map { ["orgName": $0.orgName, "roleName": $0.roleName] },
            "form": form.context,
        ]
        return renderer.page("accounts-me", chrome.console(model, request: request, context: context),
                             status: form.message == nil ? .ok : .unprocessableContent)
    }
}

struct AccountRow {
    var id: Int64
    var username: String
    var displayName: String
    var statusLabel: String
    var statusClass: String
    var active: Bool
    var locked: Bool
    var totpEnabled: Bool
    var lastLogin: String
    var href: String

    init(_ a: Account, now: Date) {
        id = a.id
        username = a.username
        displayName = a.displayName
        statusLabel = a.status.label
        statusClass = a.status == .active ? "badge-active" : "badge-closed"
        active = a.status == .active
        locked = (a.lockedUntil ?? .distantPast) > now
        totpEnabled = a.totpEnabled
        lastLogin = a.lastLoginAt.map(DisplayDate.minutes) ?? "—"
        href = "/admin/accounts/\(a.id)"
    }
}

struct AuditRow {
    var id: Int64
    var at: String
    var actor: String
    var action: String
    var object: String
    var result: String
    var resultClass: String
    var ip: String
    var detail: String
    var sealed: Bool

    init(_ e: AuditEntry) {
        id = e.id ?? 0
        at = DisplayDate.seconds(e.at)
        actor = e.actorName
        action = e.action
        object = "\(e.objectType) #\(e.objectId)"
        result = AccountWebText.resultLabels[e.result.rawValue] ?? e.result.rawValue
        resultClass = e.result == .ok ? "badge-active" : "badge-merged"
        ip = e.ip
        detail = e.detailFields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "，")
        sealed = e.seq != nil
    }
}

struct NewAccountForm: Decodable {
    var username: String?
    var displayName: String?
    var password: String?
    var homeOrgId: String?
}

struct GrantForm: Decodable {
    var roleCode: String?
    var orgId: String?
}

struct StatusForm: Decodable {
    var status: String?
}

struct PasswordForm: Decodable {
    var password: String?
}

struct ChangePasswordForm: Decodable {
    var current: String?
    var new: String?
    var confirm: String?
}

struct RoleForm: Decodable {
    var code: String?
    var name: String?
    var permissions: [String]?
}
