import Foundation
import Hummingbird
import Platform
import WebUI

/// 我的个人信息 on the member site, and the requests' queue in the console: a worker sees and
/// downloads what is held about them and asks for a correction or deletion; their union decides.
public struct PersonalDataWeb: Sendable {
    let service: PersonalDataService
    let renderer: Renderer
    let chrome: Chrome

    public init(service: PersonalDataService, renderer: Renderer, chrome: Chrome) {
        self.service = service
        self.renderer = renderer
        self.chrome = chrome
    }

    public static let navigation = [
        NavEntry(href: "/admin/personal-data", label: MemberWebText.navPersonalData, icon: "私", permission: .memberWrite, order: 24)
    ]

    public func registerSite(on group: RouterGroup<WorkerRequestContext>) {
        group.get("/me/data") { _, context in try await sitePage(FormState(), context) }
        group.post("/me/data/export") { _, context in try await export(context) }
        group.post("/me/data/requests", use: fileRequest)
    }

    public func registerConsole(on group: RouterGroup<StaffRequestContext>) {
        group.get("/personal-data") { request, context in try await queuePage(request, context) }
        group.post("/personal-data/:id", use: decide)
    }

    // MARK: Member site

    struct RequestForm: Decodable {
        var kind: String?
        var detail: String?
    }

    struct SitePage {
        struct Line {
            var kind: String
            var status: String
            var at: String
            var detail: String
            var outcome: String?
        }
        var requests: [Line]
        var hasRequests: Bool
        var form: FormState
        var isDeletion: Bool
        var signedIn = true
    }

    func sitePage(_ form: FormState, _ context: WorkerRequestContext) async throws -> Response {
        let requests = try await service.requests(ofWorker: context.worker.workerId).map {
            SitePage.Line(kind: $0.kind.label, status: $0.status.label, at: DisplayDate.minutes($0.createdAt), detail: $0.detail, outcome: $0.outcome)
        }
        let model = SitePage(
            requests: requests, hasRequests: !requests.isEmpty, form: form,
            isDeletion: form.values["kind"] == PersonalDataRequest.Kind.deletion.rawValue)
        return renderer.page("site-data", chrome.plain(model, context: context), status: form.status)
    }

    /// A JSON file of everything held about the worker (audited as an export).
    func export(_ context: WorkerRequestContext) async throws -> Response {
        let sections = try await service.export(workerId: context.worker.workerId, actor: context.actor)
        let value: JSONValue = .array(sections.map { section in
            ["类别": .string(section.title),
             "记录": .array(section.records.map { record in .object(record.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }) })]
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"personal-data.json\"; filename*=UTF-8''%E6%88%91%E7%9A%84%E4%B8%AA%E4%BA%BA%E4%BF%A1%E6%81%AF.json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    @Sendable func fileRequest(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        let form = try await request.decode(as: RequestForm.self, context: context)
        let values = ["kind": form.kind ?? "", "detail": form.detail ?? ""]
        do {
            guard let kind = form.kind.flatMap(PersonalDataRequest.Kind.init(rawValue:)) else {
                throw AppError.validation(["kind": MemberWebText.chooseRequestKind])
            }
            _ = try await service.request(workerId: context.worker.workerId, kind: kind, detail: form.detail ?? "", actor: context.actor)
            return Response.redirect(to: "/me/data", flash: .ok(MemberWebText.requestFiled))
        } catch let error as AppError where [.unprocessableContent, .conflict].contains(error.status) {
            return try await sitePage(FormState(values: values, error: error), context)
        }
    }

    // MARK: Console

    struct DecideForm: Decodable {
        var decision: String?
        var note: String?
    }

    struct QueuePage {
        struct Item {
            var id: Int64
            var kind: String
            var isDeletion: Bool
            var detail: String
            var at: String
            var memberHref: String?
        }
        var items: [Item]
        var empty: Bool
        var form: FormState
    }

    func queuePage(_ request: Request, _ context: StaffRequestContext, form: FormState = FormState()) async throws -> Response {
        let items = try await service.pending(actor: context.actor).map {
            QueuePage.Item(
                id: $0.id, kind: $0.kind.label, isDeletion: $0.kind == .deletion, detail: $0.detail, at: DisplayDate.minutes($0.createdAt),
                memberHref: $0.memberId.map { "/admin/members/\($0)" })
        }
        let model = QueuePage(items: items, empty: items.isEmpty, form: form)
        let status: HTTPResponse.Status = form.message == nil ? .ok : .unprocessableContent
        return renderer.page("members-personal-data", chrome.console(model, request: request, context: context), status: status)
    }

    @Sendable func decide(_ request: Request, context: StaffRequestContext) async throws -> Response {
        let form = try await request.decode(as: DecideForm.self, context: context)
        do {
            try await service.decide(try context.id(), grant: form.decision == "grant", note: form.note ?? "", actor: context.actor)
            return Response.redirect(to: "/admin/personal-data", flash: .ok(MemberWebText.requestDecided))
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await queuePage(request, context, form: FormState(values: ["note": form.note ?? ""], error: error))
        }
    }
}
