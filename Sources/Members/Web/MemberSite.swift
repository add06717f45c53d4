import Foundation
import Hummingbird
import Platform
import WebUI

/// The worker's side on the mobile member site: register and sign in (open routes); my membership,
/// joining, profile, transfer and card (worker routes).
public struct MemberSite: Sendable {
    let workers: WorkerService
    let joins: JoinService
    let transfers: TransferService
    let claims: ClaimService
    let portal: PortalService
    let unions: any UnionDirectory
    let renderer: Renderer
    let chrome: Chrome
    let secureCookies: Bool

    public init(workers: WorkerService, joins: JoinService, transfers: TransferService, claims: ClaimService, portal: PortalService,
                unions: any UnionDirectory, renderer: Renderer, chrome: Chrome, secureCookies: Bool) {
        self.workers = workers
        self.claims = claims
        self.joins = joins
        self.transfers = transfers
        self.portal = portal
        self.unions = unions
        self.renderer = renderer
        self.chrome = chrome
        self.secureCookies = secureCookies
    }

    public func registerOpen(on group: RouterGroup<AppRequestContext>) {
        group.get("/me/login", use: loginForm)
        group.post("/me/login", use: login)
        group.get("/me/register", use: registerForm)
        group.post("/me/register", use: register)
        group.get("/me/password/reset") { _, context in page("site-password-reset", SitePasswordResetPage(form: FormState(), codeSent: false), context) }
        group.post("/me/password/reset", use: resetPassword)
    }

    public func registerWorker(on group: RouterGroup<WorkerRequestContext>) {
        group.post("/me/logout", use: logout)
        group.get("/me", use: me)
        group.post("/me/claim", use: claim)
        group.get("/me/join", use: joinForm)
        group.post("/me/join", use: join)
        group.get("/me/profile", use: profileForm)
        group.post("/me/profile", use: updateProfile)
        group.get("/me/transfer", use: transferForm)
        group.post("/me/transfer", use: requestTransfer)
        group.get("/me/card", use: card)
        group.get("/me/password") { _, context in page("site-password", SitePasswordPage(form: FormState()), context) }
        group.post("/me/password", use: changePassword)
    }

    /// A member-site page; with the request, it shows the flash a redirect left for it.
    func page(_ name: String, _ model: Any, _ context: some AppContext, status: HTTPResponse.Status = .ok, request: Request? = nil) -> Response {
        renderer.page(name, chrome.plain(model, request: request, context: context), status: status)
    }

    func withSession(_ token: String, to location: String, flash: Flash? = nil) -> Response {
        var response = flash.map { Response.redirect(to: location, flash: $0) } ?? Response.redirect(to: location)
        response.setCookie(.secure(name: CookieName.member, value: token, maxAge: Int(WorkerService.absoluteLifetime), secure: secureCookies))
        return response
    }

    /// Only member-site paths: a `next` pointing elsewhere would make the login an open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next = next?.removingPercentEncoding, next.hasPrefix("/me"), !next.hasPrefix("//"), !next.contains("\\") else { return "/me" }
        return next
    }

    // MARK: Open

    @Sendable func loginForm(_ request: Request, context: AppRequestContext) -> Response {
        page("site-login", SiteLoginPage(form: FormState(), next: request.query("next"), codeSent: false), context, request: request)
    }

    /// By password, or by a code sent to the phone (`action=code` sends it). A refused attempt keeps
    /// the phone, the code and where the worker was going.
    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: WorkerForm.self, context: context)
        let (phone, code, password) = (form.phone ?? "", form.code ?? "", form.password ?? "")
        let values = ["phone": phone, "code": code]
        do {
            if form.action == "code" {
                try await workers.sendCode(to: phone, for: .login, session: context.csrfToken, actor: context.actor)
                return page("site-login", SiteLoginPage(form: FormState(values: values), next: form.next, codeSent: true), context)
            }
            let signedIn: WorkerToken
            if !password.isEmpty {
                signedIn = try await workers.login(phone: phone, password: password, actor: context.actor)
            } else if !code.isEmpty {
                signedIn = try await workers.login(phone: phone, code: code, actor: context.actor)
            } else {
                throw AppError.validation(["password": MemberText.passwordOrCode])
            }
            return withSession(signedIn.token, to: Self.safeNext(form.next))
        } catch let error as AppError where [.unauthorized, .tooManyRequests, .unprocessableContent].contains(error.status) {
            let state = FormState(values: values, errors: error.fieldErrors, message: error.fieldErrors.values.first ?? error.message)
            return page("site-login", SiteLoginPage(form: state, next: form.next, codeSent: false), context, status: error.status)
        }
    }

    @Sendable func registerForm(_ request: Request, context: AppRequestContext) -> Response {
        page("site-register", SiteRegisterPage(form: FormState(), codeSent: false), context)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: WorkerForm.self, context: context)
        let values = ["phone": form.phone ?? "", "code": form.code ?? ""]
        do {
            if form.action == "code" {
                try await workers.sendCode(to: form.phone ?? "", session: context.csrfToken, actor: context.actor)
                return page("site-register", SiteRegisterPage(form: FormState(values: values), codeSent: true), context)
            }
            let result = try await workers.register(phone: form.phone ?? "", code: form.code ?? "", password: form.password ?? "", actor: context.actor)
            return withSession(result.token, to: "/me/join", flash: .ok(MemberWebText.registered))
        } catch let error as AppError where [.unprocessableContent, .tooManyRequests].contains(error.status) {
            // Either the error or "code sent", never both at once.
            let model = SiteRegisterPage(form: FormState(values: values, error: error), codeSent: false)
            return page("site-register", model, context, status: error.status)
        }
    }

    /// 忘记密码: a code to the registered phone, then a new password; back to the login page.
    @Sendable func resetPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: WorkerForm.self, context: context)
        let values = ["phone": form.phone ?? "", "code": form.code ?? ""]
        do {
            if form.action == "code" {
                try await workers.sendCode(to: form.phone ?? "", for: .reset, session: context.csrfToken, actor: context.actor)
                return page("site-password-reset", SitePasswordResetPage(form: FormState(values: values), codeSent: true), context)
            }
            try await workers.resetPassword(phone: form.phone ?? "", code: form.code ?? "", password: form.password ?? "", actor: context.actor)
            return Response.redirect(to: "/me/login", flash: .ok(MemberWebText.passwordReset))
        } catch let error as AppError where [.unprocessableContent, .tooManyRequests].contains(error.status) {
            let model = SitePasswordResetPage(form: FormState(values: values, error: error), codeSent: false)
            return page("site-password-reset", model, context, status: error.status)
        }
    }

    // MARK: Signed in

    @Sendable func changePassword(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let form = try await request.decode(as: PasswordForm.self, context: context)
        do {
            try await workers.changePassword(context.worker, current: form.current ?? "", new: form.new ?? "", actor: context.actor)
            return Response.redirect(to: "/me", flash: .ok(MemberWebText.passwordChanged))
        } catch let error as AppError where error.status == .unprocessableContent {
            return page("site-password", SitePasswordPage(form: FormState(error: error)), context, status: error.status)
        }
    }

    @Sendable func logout(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try await workers.logout(context.worker)
        var response = Response.redirect(to: "/", flash: .ok(MemberWebText.loggedOut))
        response.setCookie(Cookie(name: CookieName.member, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax))
        return response
    }

    @Sendable func me(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try await mePage(FormState(), request, context)
    }

    func mePage(_ claimForm: FormState, _ request: Request, _ context: WorkerRequestContext) async throws -> Response {
        let workerId = context.worker.workerId
        let mine = try await portal.mine(workerId: workerId)
        let claim = try await claims.pendingClaim(ofWorker: workerId)
        let names = try await unions.names(mine.applications.map(\.orgId) + mine.transfers.map(\.toOrgId) + (claim.map { [$0.orgId] } ?? []))
        let model = SiteMePage(
            phoneMask: context.worker.phoneMask,
            applications: mine.applications.map {
                .init(union: names[$0.orgId] ?? "", status: $0.status.label, pending: $0.status == .pending, rejected: $0.status == .rejected,
                      reason: $0.reason, at: DisplayDate.minutes($0.createdAt))
            },
            history: mine.memberships.map { .init(union: $0.orgName, from: $0.startedOn, to: $0.endedOn ?? "至今", reason: $0.reason) },
            transfers: mine.transfers.map { .init(to: names[$0.toOrgId] ?? "", status: $0.status.label, reason: $0.reason) },
            canApply: mine.member?.isCounted != true && !mine.applications.contains { $0.status == .pending },
            member: mine.member.map { MemberRow($0, unionName: mine.union?.name ?? "") }, isMember: mine.member?.isCounted == true,
            union: mine.union.map { .init(name: $0.name, address: $0.address, phone: $0.phone, parent: $0.parentName) },
            claimForm: claimForm, claimPendingAt: claim.map { names[$0.orgId] ?? "" })
        return page("site-me", model, context, status: claimForm.status, request: request)
    }

    /// 认领会籍 from 我的: linked at once when the phone on record is this account's, else the union confirms.
    @Sendable func claim(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let form = try await request.decode(as: ClaimForm.self, context: context)
        do {
            let phone = try await workers.phone(of: context.worker.workerId)
            let outcome = try await claims.claim(
                workerId: context.worker.workerId, phone: phone, name: form.name ?? "", idNumber: form.idNumber ?? "", actor: context.actor)
            switch outcome {
            case .linked: return Response.redirect(to: "/me", flash: .ok(MemberWebText.claimLinked))
            case .asked(_, let union): return Response.redirect(to: "/me", flash: .ok(MemberWebText.claimAsked(union)))
            }
        } catch let error as AppError where [.unprocessableContent, .notFound, .conflict].contains(error.status) {
            let values = ["name": form.name, "idNumber": form.idNumber].compactMapValues { $0 }
            let errors = error.status == .unprocessableContent ? error.fieldErrors : ["idNumber": error.message]
            return try await mePage(FormState(values: values, errors: errors, message: errors.values.first ?? error.message), request, context)
        }
    }

    @Sendable func joinForm(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try await joinPage(FormState(values: ["migrantWorker": "否", "workplaceHasUnion": "1"]), request, context)
    }

    func joinPage(_ form: FormState, _ request: Request, _ context: WorkerRequestContext) async throws -> Response {
        let q = request.query("unionq") ?? ""
        let found = try await joins.joinableUnions(matching: q, keeping: form.values["unionId"].flatMap { Int64($0) })
        let choices = MemberChoices(form, ethnicity: "汉族", political: "群众")
        let model = SiteJoinPage(
            form: form, unionq: q, unions: found.map { UnionChoice($0, selected: form.values["unionId"]) }, searched: !q.isEmpty,
            ethnicities: choices.ethnicities, educations: choices.educations, politicals: choices.politicals,
            hasUnion: form.values["workplaceHasUnion"] != "0", migrant: form.values["migrantWorker"] == "是")
        return page("site-join", model, context, status: form.message == nil ? .ok : .unprocessableContent, request: request)
    }

    @Sendable func join(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let form = try await request.decode(as: MemberForm.self, context: context)
        do {
            let phone = try await workers.phone(of: context.worker.workerId)
            _ = try await joins.apply(
                workerId: context.worker.workerId, phone: phone, input: form.input, unionId: Int64(form.unionId ?? "") ?? 0,
                workplace: form.workplace ?? "", workplaceHasUnion: form.workplaceHasUnion != "0", actor: context.actor)
            return Response.redirect(to: "/me", flash: .ok(MemberWebText.applied))
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            var values = form.input.values
            values["unionId"] = form.unionId ?? ""
            values["workplace"] = form.workplace ?? ""
            values["workplaceHasUnion"] = form.workplaceHasUnion ?? "1"
            return try await joinPage(FormState(values: values, error: error), request, context)
        }
    }

    @Sendable func profileForm(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        guard let m = try await portal.mine(workerId: context.worker.workerId).member else { return Response.redirect(to: "/me") }
        let row = MemberRow(m)
        return profilePage(row, FormState(values: ["education": row.education, "politicalStatus": row.political, "job": row.job]), context)
    }

    func profilePage(_ row: MemberRow, _ form: FormState, _ context: WorkerRequestContext) -> Response {
        let choices = MemberChoices(form)
        let model = SiteProfilePage(member: row, form: form, educations: choices.educations, politicals: choices.politicals)
        return page("site-profile", model, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    @Sendable func updateProfile(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let form = try await request.decode(as: MemberForm.self, context: context)
        do {
            try await portal.updateProfile(
                workerId: context.worker.workerId, education: form.education, politicalStatus: form.politicalStatus, job: form.job,
                actor: context.actor)
            return Response.redirect(to: "/me", flash: .ok(MemberWebText.profileSaved))
        } catch let error as AppError where error.status == .unprocessableContent {
            // The member may have moved to another worker meanwhile (a rejoin approved for the same ID).
            guard let member = try await portal.mine(workerId: context.worker.workerId).member else { return Response.redirect(to: "/me") }
            return profilePage(MemberRow(member), FormState(values: form.input.values, error: error), context)
        }
    }

    @Sendable func transferForm(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try await transferPage(FormState(), unionq: request.query("unionq") ?? "", context)
    }

    func transferPage(_ form: FormState, unionq q: String, _ context: WorkerRequestContext) async throws -> Response {
        let found = try await joins.joinableUnions(matching: q)
        let model = SiteTransferPage(
            form: form, unionq: q, searched: !q.isEmpty, unions: found.map { UnionChoice($0, selected: form.values["unionId"]) })
        return page("site-transfer", model, context, status: form.status)
    }

    @Sendable func requestTransfer(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let form = try await request.decode(as: TransferForm.self, context: context)
        do {
            guard let member = try await portal.mine(workerId: context.worker.workerId).member else { return Response.redirect(to: "/me") }
            _ = try await transfers.request(
                memberId: member.id, toUnionId: Int64(form.unionId ?? "") ?? 0, note: form.note, actor: context.actor,
                byWorker: context.worker.workerId)
            return Response.redirect(to: "/me", flash: .ok(MemberWebText.transferRequested))
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            let values = ["unionId": form.unionId ?? "", "note": form.note ?? ""]
            return try await transferPage(FormState(values: values, error: error), unionq: form.unionq ?? "", context)
        }
    }

    @Sendable func card(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let mine = try await portal.mine(workerId: context.worker.workerId)
        guard let m = mine.member, m.isCounted else {
            // No card yet: say why and what comes next, rather than sending the worker elsewhere.
            let pending = mine.applications.first { $0.status == .pending }
            let claim = try await claims.pendingClaim(ofWorker: context.worker.workerId)
            let at = try await unions.names([pending?.orgId, claim?.orgId].compactMap { $0 })
            let waiting = pending.map { MemberWebText.cardAwaitsApproval(at[$0.orgId] ?? "") }
                ?? claim.map { MemberWebText.cardAwaitsClaim(at[$0.orgId] ?? "") }
            return page("site-card", SiteCardPage(member: nil, waiting: waiting), context, request: request)
        }
        return page("site-card", SiteCardPage(member: MemberRow(m, unionName: mine.union?.name ?? ""), waiting: nil), context, request: request)
    }
}
