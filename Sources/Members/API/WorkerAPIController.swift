import Foundation
import Hummingbird
import Platform

/// The worker API: what a worker does on the member site, for apps. Registration and sign-in are
/// open; everything else runs in `WorkerRequestContext` with the bearer token sign-in returned.
public struct WorkerAPIController: Sendable {
    let workers: WorkerService
    let joins: JoinService
    let transfers: TransferService
    let claims: ClaimService
    let portal: PortalService
    let personalData: PersonalDataService

    public init(workers: WorkerService, joins: JoinService, transfers: TransferService, claims: ClaimService, portal: PortalService,
                personalData: PersonalDataService) {
        self.workers = workers
        self.claims = claims
        self.joins = joins
        self.transfers = transfers
        self.portal = portal
        self.personalData = personalData
    }

    static let tag = "职工"

    public func register(open api: APIRoutes<AppRequestContext>, worker: APIRoutes<WorkerRequestContext>, document: OpenAPIDocument) {
        for (name, schema) in [
            ("WorkerToken", WorkerTokenDTO.schema), ("MyMembership", MyMembershipDTO.schema), ("MemberCard", MemberCardDTO.schema),
            ("JoinableUnion", JoinableUnionDTO.schema), ("JoinRequest", JoinRequestDTO.schema),
            ("PersonalDataRequest", PersonalDataRequestDTO.schema),
        ] { document.schema(name, schema) }
        registerSession(open: api, worker: worker)
        registerMembership(worker)
        registerPersonalData(worker)
    }

    func registerSession(open api: APIRoutes<AppRequestContext>, worker: APIRoutes<WorkerRequestContext>) {
        let (workers, tag) = (self.workers, Self.tag)
        api.add(.post, "/worker-registrations/code", summary: "职工注册：发送短信验证码", tag: tag, body: PhoneDTO.schema, response: nil,
                status: 202) { request, context in
            let body = try await request.decode(as: PhoneDTO.self, context: context)
            // An app has no browser session: the address stands in for it in the per-session limit.
            try await workers.sendCode(to: body.phone, for: .register, session: "api:\(context.remoteIP)", actor: context.actor)
            return Response(status: .accepted)
        }
        api.add(.post, "/worker-registrations", summary: "职工注册（手机号、验证码、密码），成功即登录并返回令牌", tag: tag,
                body: RegistrationDTO.schema, response: Schema.ref("WorkerToken"), status: 201) { request, context in
            let body = try await request.decode(as: RegistrationDTO.self, context: context)
            let signedIn = try await workers.register(phone: body.phone, code: body.code, password: body.password, kind: .api, actor: context.actor)
            return JSONBody(WorkerTokenDTO(signedIn), status: .created)
        }
        api.add(.post, "/worker-session/code", summary: "职工登录：发送短信验证码（未注册的号码不发送，应答相同）", tag: tag,
                body: PhoneDTO.schema, response: nil, status: 202) { request, context in
            let body = try await request.decode(as: PhoneDTO.self, context: context)
            try await workers.sendCode(to: body.phone, for: .login, session: "api:\(context.remoteIP)", actor: context.actor)
            return Response(status: .accepted)
        }
        api.add(.post, "/worker-session", summary: "职工登录（手机号加密码或短信验证码），返回令牌（Authorization: Bearer）", tag: tag,
                body: WorkerLoginDTO.schema, response: Schema.ref("WorkerToken"), status: 201) { request, context in
            let body = try await request.decode(as: WorkerLoginDTO.self, context: context)
            let signedIn: WorkerToken
            switch (body.password, body.code) {
            case (let password?, nil): signedIn = try await workers.login(phone: body.phone, password: password, kind: .api, actor: context.actor)
            case (nil, let code?): signedIn = try await workers.login(phone: body.phone, code: code, kind: .api, actor: context.actor)
            default: throw AppError.validation(["password": MemberText.passwordOrCode])
            }
            return JSONBody(WorkerTokenDTO(signedIn), status: .created)
        }
        api.add(.post, "/worker-password-resets/code", summary: "找回密码：发送短信验证码（未注册的号码不发送，应答相同）", tag: tag,
                body: PhoneDTO.schema, response: nil, status: 202) { request, context in
            let body = try await request.decode(as: PhoneDTO.self, context: context)
            try await workers.sendCode(to: body.phone, for: .reset, session: "api:\(context.remoteIP)", actor: context.actor)
            return Response(status: .accepted)
        }
        api.add(.post, "/worker-password-resets", summary: "找回密码：验证码加新密码（所有登录随之失效）", tag: tag, body: RegistrationDTO.schema,
                response: nil, status: 204) { request, context in
            let body = try await request.decode(as: RegistrationDTO.self, context: context)
            try await workers.resetPassword(phone: body.phone, code: body.code, password: body.password, actor: context.actor)
            return Response(status: .noContent)
        }
        worker.add(.post, "/me/password", summary: "修改密码（当前密码加新密码；其他设备上的登录失效）", tag: tag, body: PasswordChangeDTO.schema,
                   response: nil, status: 204) { request, context in
            let body = try await request.decode(as: PasswordChangeDTO.self, context: context)
            try await workers.changePassword(context.worker, current: body.current, new: body.new, actor: context.actor)
            return Response(status: .noContent)
        }
        worker.add(.delete, "/worker-session", summary: "职工退出登录（令牌作废）", tag: tag, response: nil, status: 204) { _, context in
            try await workers.logout(context.worker)
            return Response(status: .noContent)
        }
    }

    func registerMembership(_ api: APIRoutes<WorkerRequestContext>) {
        let (workers, joins, transfers, portal, tag) = (self.workers, self.joins, self.transfers, self.portal, Self.tag)
        api.add(.get, "/me", summary: "我的会籍：会员信息、所在工会、会籍历史、入会申请与接转", tag: tag, response: Schema.ref("MyMembership")) {
            _, context in
            let mine = try await portal.mine(workerId: context.worker.workerId)
            return JSONBody(MyMembershipDTO(mine, phone: context.worker.phoneMask))
        }
        api.add(.patch, "/me", summary: "修改本人可改的信息（学历、政治面貌、职业；只改所提交的字段）", tag: tag, body: ProfilePatchDTO.schema,
                response: Schema.ref("MyMembership")) { request, context in
            let body = try await request.decode(as: ProfilePatchDTO.self, context: context)
            let workerId = context.worker.workerId
            try await portal.patchProfile(
                workerId: workerId, education: body.education, politicalStatus: body.politicalStatus, job: body.job, actor: context.actor)
            return JSONBody(MyMembershipDTO(try await portal.mine(workerId: workerId), phone: context.worker.phoneMask))
        }
        api.add(.get, "/me/card", summary: "电子会员证（正式会员）", tag: tag, response: Schema.ref("MemberCard")) { _, context in
            let mine = try await portal.mine(workerId: context.worker.workerId)
            guard let member = mine.member, member.isCounted else { throw AppError.notFound(MemberText.notAMemberYet) }
            return JSONBody(MemberCardDTO(member, union: mine.union?.name ?? ""))
        }
        api.add(.get, "/joinable-unions", summary: "可申请加入或转入的工会（按名称查找）", tag: tag,
                query: [.query("q", "工会名称关键词")], response: Schema.array(Schema.ref("JoinableUnion"))) { request, _ in
            JSONBody(try await joins.joinableUnions(matching: request.query("q") ?? "").map(JoinableUnionDTO.init))
        }
        api.add(.post, "/me/join-applications", summary: "申请入会（由所选工会审批）", tag: tag, body: Schema.ref("JoinRequest"),
                response: Schema.ref("JoinApplication"), status: 201) { request, context in
            let body = try await request.decode(as: JoinRequestDTO.self, context: context)
            let phone = try await workers.phone(of: context.worker.workerId)
            let application = try await joins.apply(
                workerId: context.worker.workerId, phone: phone, input: body.input, unionId: body.unionId, workplace: body.workplace,
                workplaceHasUnion: body.workplaceHasUnion ?? true, actor: context.actor)
            return JSONBody(JoinApplicationDTO(application), status: .created)
        }
        let claims = self.claims
        api.add(.post, "/me/membership-claims", summary: "认领会籍：按姓名和身份证号找到工会已登记的会籍（手机号一致即认领，否则待工会确认）",
                tag: tag, body: ClaimRequestDTO.schema, response: ClaimResultDTO.schema, status: 201) { request, context in
            let body = try await request.decode(as: ClaimRequestDTO.self, context: context)
            let phone = try await workers.phone(of: context.worker.workerId)
            let outcome = try await claims.claim(
                workerId: context.worker.workerId, phone: phone, name: body.name, idNumber: body.idNumber, actor: context.actor)
            switch outcome {
            case .linked(_, let union): return JSONBody(ClaimResultDTO(status: "linked", union: union), status: .created)
            case .asked(_, let union): return JSONBody(ClaimResultDTO(status: "pending", union: union), status: .created)
            }
        }
        api.add(.post, "/me/transfers", summary: "申请会籍接转到另一工会", tag: tag, body: TransferRequestDTO.schema,
                response: Schema.ref("MembershipTransfer"), status: 201) { request, context in
            let body = try await request.decode(as: TransferRequestDTO.self, context: context)
            guard let member = try await portal.mine(workerId: context.worker.workerId).member else {
                throw AppError.conflict(MemberText.notAMemberYet)
            }
            let transfer = try await transfers.request(
                memberId: member.id, toUnionId: body.unionId, note: body.note, actor: context.actor, byWorker: context.worker.workerId)
            return JSONBody(TransferDTO(transfer), status: .created)
        }
    }

    func registerPersonalData(_ api: APIRoutes<WorkerRequestContext>) {
        let (personalData, tag) = (self.personalData, Self.tag)
        api.add(.get, "/me/personal-data", summary: "下载本人在系统中的全部个人信息（记入审计）", tag: tag,
                response: Schema.array(PersonalDataSectionDTO.schema)) { _, context in
            let sections = try await personalData.export(workerId: context.worker.workerId, actor: context.actor)
            return JSONBody(sections.map(PersonalDataSectionDTO.init))
        }
        api.add(.get, "/me/personal-data-requests", summary: "本人提出的更正、删除个人信息申请", tag: tag,
                response: Schema.array(Schema.ref("PersonalDataRequest"))) { _, context in
            JSONBody(try await personalData.requests(ofWorker: context.worker.workerId).map(PersonalDataRequestDTO.init))
        }
        api.add(.post, "/me/personal-data-requests", summary: "申请更正或删除个人信息（由所在工会处理）", tag: tag,
                body: PersonalDataRequestBody.schema, response: Schema.ref("PersonalDataRequest"), status: 201) { request, context in
            let body = try await request.decode(as: PersonalDataRequestBody.self, context: context)
            let filed = try await personalData.request(workerId: context.worker.workerId, kind: body.kind, detail: body.detail, actor: context.actor)
            return JSONBody(PersonalDataRequestDTO(filed), status: .created)
        }
    }
}
