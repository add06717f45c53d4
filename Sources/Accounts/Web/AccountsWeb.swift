import Foundation
import Hummingbird
import Platform
import WebUI

/// The Accounts module's web side: sign-in and the second factor (open routes), and the console's
/// home, accounts, roles, audit log and one's own settings (`AccountsConsole`, staff routes).
public struct AccountsWeb: Sendable {
    let auth: AuthService
    let accounts: AccountService
    let renderer: Renderer
    let chrome: Chrome
    let secureCookies: Bool
    let partnerKeys: PartnerKeyService
    let clock: AppClock
    let workbench: Workbench

    public init(auth: AuthService, accounts: AccountService, partnerKeys: PartnerKeyService, renderer: Renderer, chrome: Chrome,
                secureCookies: Bool, clock: AppClock, workbench: Workbench) {
        self.auth = auth
        self.workbench = workbench
        self.partnerKeys = partnerKeys
        self.clock = clock
        self.accounts = accounts
        self.renderer = renderer
        self.chrome = chrome
        self.secureCookies = secureCookies
    }

    public static var templates: URL { Bundle.module.resourceURL!.appendingPathComponent("Templates") }

    public static let navigation = [
        NavEntry(href: "/admin", label: AccountWebText.navHome, icon: "台", permission: nil, order: 0),
        NavEntry(href: "/admin/accounts", label: AccountWebText.navAccounts, icon: "账", permission: .accountRead, order: 80),
        NavEntry(href: "/admin/roles", label: AccountWebText.navRoles, icon: "权", permission: .accountRead, order: 81),
        NavEntry(href: "/admin/partner-keys", label: AccountWebText.navPartnerKeys, icon: "钥", permission: .roleManage, order: 82),
        NavEntry(href: "/admin/audit", label: AccountWebText.navAudit, icon: "审", permission: .auditRead, order: 90),
    ]

    public func registerOpen(on group: RouterGroup<AppRequestContext>) {
        group.get("/admin/login", use: loginForm)
        group.post("/admin/login", use: login)
        group.get("/admin/login/totp", use: codeForm)
        group.post("/admin/login/totp", use: verifyCode)
        // Enrolment changes state only by POST: the page shows, `start` makes a secret, the code confirms it.
        group.get("/admin/totp/enrol", use: enrolment)
        group.post("/admin/totp/enrol/start", use: startEnrolment)
        group.post("/admin/totp/enrol", use: confirmEnrolment)
        group.post("/admin/logout", use: logout)
    }

    public func registerConsole(on group: RouterGroup<StaffRequestContext>) {
        AccountsConsole(accounts: accounts, workbench: workbench, renderer: renderer, chrome: chrome).register(on: group)
        PartnerKeysConsole(keys: partnerKeys, catalogue: accounts.catalogue, renderer: renderer, chrome: chrome, clock: clock).register(on: group)
    }

    // MARK: Sign-in

    @Sendable func loginForm(_ request: Request, context: AppRequestContext) -> Response {
        if context.principal != nil { return Response.redirect(to: "/admin") }
        return loginPage(FormState(), next: request.query("next"), context)
    }

    func loginPage(_ form: FormState, next: String?, _ context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page("accounts-login", chrome.plain(LoginPage(form: form, next: next ?? ""), context: context), status: status)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: LoginForm.self, context: context)
        do {
            let result = try await auth.login(username: form.username ?? "", password: form.password ?? "", kind: .web, actor: context.actor)
            var response: Response
            switch result.stage {
            case .full: response = .redirect(to: Self.safeNext(form.next))
            case .needsTOTP: response = .redirect(to: "/admin/login/totp")
            case .needsEnrolment: response = .redirect(to: "/admin/totp/enrol")
            }
            response.setCookie(.secure(name: CookieName.session, value: result.token, maxAge: Int(AuthService.absoluteLifetime), secure: secureCookies))
            return response
        } catch let error as AppError where error.status != .forbidden || error.code == "disabled" {
            return loginPage(FormState(values: ["username": form.username ?? ""], message: error.message), next: form.next, context, status: error.status)
        }
    }

    @Sendable func codeForm(_ request: Request, context: AppRequestContext) -> Response {
        guard context.session?.stage == .needsTOTP else { return Response.redirect(to: "/admin/login") }
        return renderer.page("accounts-totp", chrome.plain(CodePage(form: FormState()), context: context))
    }

    @Sendable func verifyCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = context.session, session.stage == .needsTOTP else { return Response.redirect(to: "/admin/login") }
        let form = try await request.decode(as: CodeForm.self, context: context)
        do {
            try await auth.verifyTOTP(session: session, code: form.code ?? "", actor: context.actor)
            return Response.redirect(to: "/admin")
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .tooManyRequests {
            return renderer.page("accounts-totp", chrome.plain(CodePage(form: FormState(error: error)), context: context), status: error.status)
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let session = context.session { try await auth.logout(session: session, actor: context.actor) }
        var response = Response.redirect(to: "/admin/login", flash: .ok(AccountWebText.loggedOut))
        response.setCookie(Cookie(name: CookieName.session, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax))
        return response
    }

    // MARK: The second factor

    /// A session past its password (or fully signed in) that may enrol; nil sends the visitor to sign in.
    func enrollingSession(_ context: AppRequestContext) -> SessionInfo? {
        guard let session = context.session, session.stage != .needsTOTP else { return nil }
        return session
    }

    @Sendable func enrolment(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = enrollingSession(context) else { return Response.redirect(to: "/admin/login") }
        return try await enrolPage(session: session, form: FormState(), context)
    }

    @Sendable func startEnrolment(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = enrollingSession(context) else { return Response.redirect(to: "/admin/login") }
        let form = try await request.decode(as: CodeForm.self, context: context)
        do {
            try await auth.startEnrolment(session: session, code: form.code, actor: context.actor)
            return Response.redirect(to: "/admin/totp/enrol")
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .tooManyRequests {
            return try await enrolPage(session: session, form: FormState(error: error), context)
        }
    }

    @Sendable func confirmEnrolment(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = enrollingSession(context) else { return Response.redirect(to: "/admin/login") }
        let form = try await request.decode(as: CodeForm.self, context: context)
        do {
            let codes = try await auth.confirmEnrolment(session: session, code: form.code ?? "", actor: context.actor)
            // Shown this once; only their hashes are kept.
            return renderer.page("accounts-recovery", chrome.plain(RecoveryPage(codes: codes), context: context))
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await enrolPage(session: session, form: FormState(error: error), context)
        }
    }

    func enrolPage(session: SessionInfo, form: FormState, _ context: AppRequestContext) async throws -> Response {
        let status: HTTPResponse.Status = form.message == nil ? .ok : (form.errors.isEmpty ? .tooManyRequests : .unprocessableContent)
        let replacing = try await auth.hasSecondFactor(session: session)
        guard let (secret, url) = try await auth.pendingEnrolment(session: session) else {
            return renderer.page("accounts-enrol-start", chrome.plain(EnrolStartPage(replacing: replacing, form: form), context: context), status: status)
        }
        let grouped = stride(from: 0, to: secret.count, by: 4).map { i -> String in
            let start = secret.index(secret.startIndex, offsetBy: i)
            return String(secret[start..<(secret.index(start, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex)])
        }.joined(separator: " ")
        let model = EnrolPage(
            secret: grouped, url: url, qr: QRCode.svg(url, size: 200, label: AccountWebText.qrLabel) ?? "", replacing: replacing, form: form)
        return renderer.page("accounts-enrol", chrome.plain(model, context: context), status: status)
    }

    /// Only local staff paths (the console and the merchant desk): a `next` pointing elsewhere would make
    /// the login page an open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next = next?.removingPercentEncoding, next.hasPrefix("/admin") || next.hasPrefix("/merchant"), !next.hasPrefix("//"),
            !next.contains("\\")
        else {
            return "/admin"
        }
        return next
    }
}
