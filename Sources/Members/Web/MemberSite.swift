import Foundation
import Hummingbird
import Platform
import WebUI

/// The worker's side on the mobile member site: register, sign in, join, my membership, my card.
public struct MemberSite: Sendable {
    let workers: WorkerService
    let joins: JoinService
    let transfers: TransferService
    let portal: PortalService
    let unions: any UnionDirectory
    let renderer: Renderer
    let chrome: Chrome
    let secureCookies: Bool

    public init(workers: WorkerService, joins: JoinService, transfers: TransferService, portal: PortalService, unions: any UnionDirectory,
                renderer: Renderer, chrome: Chrome, secureCookies: Bool) {
        self.workers = workers
        self.joins = joins
        self.transfers = transfers
        self.portal = portal
        self.unions = unions
        self.renderer = renderer
        self.chrome = chrome
        self.secureCookies = secureCookies
    }

    func page(_ name: String, _ model: [String: Any], _ context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(name, chrome.plain(model.merging(["signedIn": context.workerSession != nil]) { a, _ in a }, context: context), status: status)
    }

    func withSession(_ token: String, to location: String, flash: Flash? = nil) -> Response {
        var response = flash.map { Response.redirect(to: location, flash: $0) } ?? Response.redirect(to: location)
        response.setCookie(.secure(name: CookieName.member, value: token, maxAge: Int(WorkerService.absoluteLifetime), secure: secureCookies))
        return response
    }

    public func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/me/login") { _, context in page("site-login", ["form": FormState().context], context) }
        group.post("/me/login") { request, context in
            let form = try await request.decode(as: WorkerForm.self, context: context)
            do {
                let token = try await workers.login(phone: form.phone ?? "", password: form.password ?? "", actor: context.actor)
                return withSession(token, to: "/me")
            } catch let error as AppError where error.status == .unauthorized || error.status == .tooManyRequests {
                return page("site-login", ["form": FormState(values: ["phone": form.phone ?? ""], message: error.message).context], context,
                            status: error.status)
            }
        }
        group.get("/me/register") { _, context in page("site-register", ["form": FormState().context], context) }
        group.post("/me/register") { request, context in
            let form = try await request.decode(as: WorkerForm.self, context: context)
            let values = ["phone": form.phone ?? ""]
            do {
                if form.action == "code" {
                    try await workers.sendCode(to: form.phone ?? "", session: context.csrfToken, actor: context.actor)
                    return page("site-register", ["form": FormState(values: values).context, "codeSent": true], context)
                }
                let result = try await workers.register(phone: form.phone ?? "", code: form.code ?? "", password: form.password ?? "",
                                                        actor: context.actor)
                return withSession(result.token, to: "/me/join", flash: .ok(MemberWebText.registered))
            } catch let error as AppError where [.unprocessableContent, .tooManyRequests].contains(error.status) {
                return page("site-register", ["form": FormState(values: values, error: error).context, "codeSent": form.action == "code"],
                            context, status: error.status)
            }
        }
        group.post("/me/logout") { _, context in
            if let session = context.workerSession { try await workers.logout(session) }
            var response = Response.redirect(to: "/", flash: .ok(MemberWebText.loggedOut))
            response.setCookie(Cookie(name: CookieName.member, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .lax))
            return response
        }
        group.get("/me") { _, context in
            guard let session = context.workerSession else { return Response.redirect(to: "/me/login") }
            let mine = try await portal.mine(workerId: session.workerId)
            let names = try await unions.names(mine.applications.map(\.orgId) + mine.transfers.map(\.toOrgId))
            var model: [String: Any] = [
                "phoneMask": session.phoneMask,
                "applications": mine.applications.map { a -> [String: Any] in
                    ["union": names[a.orgId] ?? "", "status": a.status.label, "pending": a.status == .pending,
                     "rejected": a.status == .rejected, "reason": a.reason ?? "", "at": DisplayDate.minutes(a.createdAt)]
                },
                "history": mine.memberships.map { ["union": $0.orgName, "from": $0.startedOn, "to": $0.endedOn ?? "至今", "reason": $0.reason] },
                "transfers": mine.transfers.map { ["to": names[$0.toOrgId] ?? "", "status": $0.status.label, "reason": $0.reason ?? ""] },
                "canApply": mine.member?.isCounted != true && !mine.applications.contains { $0.status == .pending },
            ]
            if let m = mine.member {
                model["member"] = MemberRow(m, unionName: mine.union?.name ?? "")
                model["isMember"] = m.isCounted
            }
            if let u = mine.union {
                model["union"] = ["name": u.name, "address": u.address ?? "", "phone": u.phone ?? "", "parent": u.parentName ?? ""]
            }
            return page("site-me", model, context)
        }
        group.get("/me/join") { request, context in
            guard context.workerSession != nil else { return Response.redirect(to: "/me/login") }
            return try await joinPage(FormState(values: ["migrantWorker": "否", "workplaceHasUnion": "1"]), request, context)
        }
        group.post("/me/join") { request, context in
            guard let session = context.workerSession else { return Response.redirect(to: "/me/login") }
            let form = try await request.decode(as: MemberForm.self, context: context)
            do {
                let phone = try await workers.phone(of: session.workerId)
                _ = try await joins.apply(workerId: session.workerId, phone: phone, input: form.input, unionId: Int64(form.unionId ?? "") ?? 0,
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
        group.get("/me/profile") { _, context in
            guard let session = context.workerSession else { return Response.redirect(to: "/me/login") }
            let mine = try await portal.mine(workerId: session.workerId)
            guard let m = mine.member else { return Response.redirect(to: "/me") }
            let row = MemberRow(m)
            return profilePage(row, FormState(values: ["education": row.education, "politicalStatus": row.political, "job": row.job]), context)
        }
        group.post("/me/profile") { request, context in
            guard let session = context.workerSession else { return Response.redirect(to: "/me/login") }
            let form = try await request.decode(as: MemberForm.self, context: context)
            do {
                try await portal.updateProfile(workerId: session.workerId, education: form.education, politicalStatus: form.politicalStatus,
                                               job: form.job, actor: context.actor)
                return Response.redirect(to: "/me", flash: .ok(MemberWebText.profileSaved))
            } catch let error as AppError where error.status == .unprocessableContent {
                // The member may have moved to another worker meanwhile (a rejoin approved for the same ID).
                guard let member = try await portal.mine(workerId: session.workerId).member else { return Response.redirect(to: "/me") }
                return profilePage(MemberRow(member), FormState(values: form.input.values, error: error), context)
            }
        }
        group.get("/me/transfer") { request, context in
            guard context.workerSession != nil else { return Response.redirect(to: "/me/login") }
            return try await transferPage(FormState(), request, context)
        }
        group.post("/me/transfer") { request, context in
            guard let session = context.workerSession else { return Response.redirect(to: "/me/login") }
            let form = try await request.decode(as: TransferForm.self, context: context)
            do {
                guard let member = try await portal.mine(workerId: session.workerId).member else { return Response.redirect(to: "/me") }
                _ = try await transfers.request(memberId: member.id, toUnionId: Int64(form.unionId ?? "") ?? 0, note: form.note,
                                                actor: context.actor, byWorker: session.workerId)
                return Response.redirect(to: "/me", flash: .ok(MemberWebText.transferRequested))
            } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
                return try await transferPage(FormState(error: error), request, context)
            }
        }
        group.get("/me/card") { _, context in
            guard let session = context.workerSession else { return Response.redirect(to: "/me/login") }
            let mine = try await portal.mine(workerId: session.workerId)
            guard let m = mine.member, m.isCounted else { return Response.redirect(to: "/me") }
            return page("site-card", ["member": MemberRow(m, unionName: mine.union?.name ?? "")], context)
        }
    }

    func joinPage(_ form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let q = request.query("unionq") ?? ""
        let found = try await unions.search(q, limit: 20).filter(\.acceptsMembers)
        let selected = form.values["unionId"]
        var choices = found.map { ["id": String($0.id), "name": $0.name, "parent": $0.parentName ?? "", "selected": String($0.id) == selected] }
        if let selected, let id = Int64(selected), !found.contains(where: { $0.id == id }), let u = try await unions.unions([id]).first {
            choices.insert(["id": selected, "name": u.name, "parent": u.parentName ?? "", "selected": true], at: 0)
        }
        let model: [String: Any] = [
            "form": form.context, "unionq": q, "unions": choices, "searched": !q.isEmpty,
            "ethnicities": MemberOptions.ethnicities(form.values["ethnicity"] ?? "汉族"), "educations": MemberOptions.educations(form.values["education"]),
            "politicals": MemberOptions.politicals(form.values["politicalStatus"] ?? "群众"),
            "hasUnion": form.values["workplaceHasUnion"] != "0", "migrant": form.values["migrantWorker"] == "是",
        ]
        return page("site-join", model, context, status: form.message == nil ? .ok : .unprocessableContent)
    }

    func profilePage(_ row: MemberRow, _ form: FormState, _ context: AppRequestContext) -> Response {
        page("site-profile", ["member": row, "form": form.context, "educations": MemberOptions.educations(form.values["education"]),
                              "politicals": MemberOptions.politicals(form.values["politicalStatus"])], context,
             status: form.message == nil ? .ok : .unprocessableContent)
    }

    func transferPage(_ form: FormState, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let q = request.query("unionq") ?? ""
        let found = try await unions.search(q, limit: 20).filter(\.acceptsMembers)
        return page("site-transfer", ["form": form.context, "unionq": q, "searched": !q.isEmpty,
                                      "unions": found.map { ["id": $0.id, "name": $0.name, "parent": $0.parentName ?? ""] }], context,
                    status: form.message == nil ? .ok : .unprocessableContent)
    }
}

struct WorkerForm: Decodable {
    var phone: String?
    var password: String?
    var code: String?
    var action: String?
}
