import Foundation
import Hummingbird
import Platform
import WebUI

/// 合作方密钥 in the console: a system administrator lists, creates and revokes partner keys.
struct PartnerKeysConsole: Sendable {
    let keys: PartnerKeyService
    let catalogue: PermissionCatalogue
    let renderer: Renderer
    let chrome: Chrome
    let clock: AppClock

    func register(on group: RouterGroup<StaffRequestContext>) {
        group.get("/partner-keys") { request, context in try await listPage(FormState(values: Self.defaults), secret: nil, request, context) }
        group.post("/partner-keys", use: create)
        group.post("/partner-keys/:id/revoke", use: revoke)
    }

    static let defaults = ["ratePerMinute": "60", "days": "365"]

    func listPage(_ form: FormState, secret: (name: String, value: String)?, _ request: Request, _ context: StaffRequestContext,
                  status: HTTPResponse.Status? = nil) async throws -> Response {
        let now = clock.now()
        let chosen = Set(form.values["permissions"]?.split(separator: ",").map(String.init) ?? [])
        let model = PartnerKeysPage(
            keys: try await keys.list(actor: context.actor).map { key in
                .init(id: key.id, name: key.name, prefix: key.prefix, org: key.orgName,
                      permissions: key.permissions.map(catalogue.label).joined(separator: "、"), rate: key.ratePerMinute,
                      expires: DisplayDate.minutes(key.expiresAt), lastUsed: key.lastUsedAt.map(DisplayDate.minutes) ?? "—",
                      state: key.revokedAt != nil ? AccountWebText.keyRevoked : (key.isUsable(at: now) ? AccountWebText.keyActive : AccountWebText.keyExpired),
                      usable: key.isUsable(at: now))
            },
            catalogue: catalogue.entries.map { .init(value: $0.permission.rawValue, label: $0.label, checked: chosen.contains($0.permission.rawValue)) },
            form: form, secret: secret.map { .init(name: $0.name, value: $0.value) })
        return renderer.page("accounts-partner-keys", chrome.console(model, request: request, context: context), status: status ?? form.status)
    }

    struct KeyForm: Decodable {
        var name: String?
        var permissions: [String]?
        var orgId: String?
        var ratePerMinute: String?
        var days: String?
    }

    @Sendable func create(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: KeyForm.self, context: context)
        let values = [
            "name": form.name ?? "", "permissions": (form.permissions ?? []).joined(separator: ","), "orgId": form.orgId ?? "",
            "ratePerMinute": form.ratePerMinute ?? "", "days": form.days ?? "",
        ]
        do {
            let days = Int(form.days ?? "") ?? 0
            let input = PartnerKeyInput(
                name: form.name ?? "", permissions: form.permissions ?? [], orgId: Int64(form.orgId ?? "") ?? 0,
                ratePerMinute: Int(form.ratePerMinute ?? "") ?? 0, expiresAt: clock.now().addingTimeInterval(TimeInterval(days) * 86400))
            let (key, secret) = try await keys.create(input, actor: context.actor)
            // The secret is shown on this answer only; it is not stored in clear anywhere.
            return try await listPage(FormState(values: Self.defaults), secret: (key.name, secret), request, context, status: .created)
        } catch var error as AppError where error.status == .unprocessableContent {
            if let problem = error.fieldErrors.removeValue(forKey: "expiresAt") { error.fieldErrors["days"] = problem }
            return try await listPage(FormState(values: values, error: error), secret: nil, request, context)
        }
    }

    @Sendable func revoke(_ request: Request, context: StaffRequestContext) async throws -> Response {
        do {
            let key = try await keys.revoke(try context.id(), actor: context.actor)
            return Response.redirect(to: "/admin/partner-keys", flash: .ok(AccountWebText.keyRevokedFlash(key.name)))
        } catch let error as AppError where error.status == .conflict {
            return Response.redirect(to: "/admin/partner-keys", flash: .error(error.message))
        }
    }
}

struct PartnerKeysPage {
    struct Line {
        var id: Int64
        var name: String
        var prefix: String
        var org: String
        var permissions: String
        var rate: Int
        var expires: String
        var lastUsed: String
        var state: String
        var usable: Bool
    }
    struct Choice {
        var value: String
        var label: String
        var checked: Bool
    }
    struct Secret {
        var name: String
        var value: String
    }
    var keys: [Line]
    var catalogue: [Choice]
    var form: FormState
    var secret: Secret?
}
