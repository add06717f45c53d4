import Foundation
import Hummingbird
import Platform

/// Member cards as JSON: the union's (`/members/{id}/cards`, `/cards/{id}/…`) and the worker's own (`/me/member-card`;
/// `/me/card` is the e-card view of the member database).
public struct CardsAPIController: Sendable {
    let cards: CardService
    let batches: CardBatchService

    public init(cards: CardService, batches: CardBatchService) {
        self.cards = cards
        self.batches = batches
    }

    public func register(staff api: APIRoutes<StaffRequestContext>, document: OpenAPIDocument) {
        document.schema("CardRecord", CardDTO.schema)
        let cards = self.cards
        let tag = "会员卡"
        api.add(.get, "/members/{id}/cards", summary: "会员的会员卡（新的在前，含已注销）", tag: tag, response: Schema.array(Schema.ref("CardRecord"))) {
            _, context in
            JSONBody(try await cards.cards(memberId: try context.id(), actor: context.actor).map(CardDTO.init))
        }
        api.add(.post, "/members/{id}/cards", summary: "发卡：为在册且没有会员卡的会员办卡", tag: tag, response: Schema.ref("CardRecord"), status: 201) {
            _, context in
            JSONBody(CardDTO(try await cards.issue(memberId: try context.id(), actor: context.actor)), status: .created)
        }
        api.add(.post, "/cards/{id}/report-lost", summary: "挂失", tag: tag, response: Schema.ref("CardRecord")) { _, context in
            JSONBody(CardDTO(try await cards.reportLost(try context.id(), actor: context.actor)))
        }
        api.add(.post, "/cards/{id}/reissue", summary: "补办：注销原卡，发新卡号", tag: tag, response: Schema.ref("CardRecord"), status: 201) {
            _, context in
            JSONBody(CardDTO(try await cards.reissue(try context.id(), actor: context.actor)), status: .created)
        }
        document.schema("CardBatch", CardBatchDTO.schema)
        let batches = self.batches
        api.add(.post, "/card-batches", summary: "批量发卡：为该工会及下级所有在册且无卡的会员发卡（后台任务，可查进度）", tag: tag,
                body: Schema.object([("unionId", Schema.id)], required: ["unionId"]), response: Schema.ref("CardBatch"), status: 202) {
            request, context in
            let body = try await request.decode(as: [String: Int64].self, context: context)
            return JSONBody(CardBatchDTO(try await batches.start(unionId: body["unionId"] ?? 0, actor: context.actor)), status: .accepted)
        }
        api.add(.get, "/card-batches", summary: "批量发卡批次（本级及下级，新的在前）", tag: tag, response: Schema.array(Schema.ref("CardBatch"))) {
            _, context in
            JSONBody(try await batches.batches(actor: context.actor).map(CardBatchDTO.init))
        }
        api.add(.get, "/card-batches/{id}", summary: "批量发卡进度", tag: tag, response: Schema.ref("CardBatch")) { _, context in
            JSONBody(CardBatchDTO(try await batches.batch(try context.id(), actor: context.actor)))
        }
        api.add(.post, "/cards/{id}/cancel", summary: "注销（须填写原因）", tag: tag, body: CancelDTO.schema, response: Schema.ref("CardRecord")) {
            request, context in
            let body = try await request.decode(as: CancelDTO.self, context: context)
            return JSONBody(CardDTO(try await cards.cancel(try context.id(), reason: body.reason ?? "", actor: context.actor)))
        }
    }

    public func register(worker api: APIRoutes<WorkerRequestContext>, document: OpenAPIDocument) {
        let cards = self.cards
        let tag = "职工"
        api.add(.get, "/me/member-card", summary: "我的会员卡（未办卡时 404）", tag: tag, response: Schema.ref("CardRecord")) { _, context in
            guard let card = try await cards.mine(workerId: context.worker.workerId) else {
                throw AppError.notFound(BenefitsText.cardNotFound)
            }
            return JSONBody(CardDTO(card))
        }
        api.add(.post, "/me/member-card", summary: "申领电子会员卡（会员即时办理；已有卡时返回该卡）", tag: tag, response: Schema.ref("CardRecord")) {
            _, context in
            JSONBody(CardDTO(try await cards.apply(workerId: context.worker.workerId, actor: context.actor)))
        }
        api.add(.post, "/me/member-card/report-lost", summary: "挂失我的会员卡", tag: tag, response: Schema.ref("CardRecord")) { _, context in
            guard let card = try await cards.mine(workerId: context.worker.workerId) else {
                throw AppError.notFound(BenefitsText.cardNotFound)
            }
            return JSONBody(CardDTO(try await cards.reportLost(card.id, workerId: context.worker.workerId, actor: context.actor)))
        }
        api.add(.post, "/me/member-card/reissue", summary: "补办我的会员卡（原卡注销，发新卡号）", tag: tag, response: Schema.ref("CardRecord"), status: 201)
        {
            _, context in
            guard let card = try await cards.mine(workerId: context.worker.workerId) else {
                throw AppError.notFound(BenefitsText.cardNotFound)
            }
            return JSONBody(
                CardDTO(try await cards.reissue(card.id, workerId: context.worker.workerId, actor: context.actor)), status: .created)
        }
    }
}

struct CardDTO: Encodable, Sendable {
    var id: Int64
    var cardNo: String
    var memberId: Int64
    var unionId: Int64
    var status: String
    var issuedAt: Date
    var endedAt: Date?
    var endReason: String?
    var replacedBy: Int64?

    init(_ c: MemberCard) {
        id = c.id
        cardNo = c.cardNo
        memberId = c.memberId
        unionId = c.orgId
        status = c.status.rawValue
        issuedAt = c.issuedAt
        endedAt = c.endedAt
        endReason = c.endReason
        replacedBy = c.replacedBy
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("cardNo", ["type": "string", "pattern": "^[0-9]{16,21}$"]), ("memberId", Schema.integer),
            ("unionId", Schema.integer), ("status", Schema.enumeration(MemberCard.Status.allCases.map(\.rawValue))),
            ("issuedAt", Schema.dateTime), ("endedAt", Schema.nullable("string", format: "date-time")),
            ("endReason", Schema.nullable("string")), ("replacedBy", Schema.nullable("integer")),
        ],
        required: ["id", "cardNo", "memberId", "unionId", "status", "issuedAt"])
}

struct CardBatchDTO: Encodable, Sendable {
    var id: Int64
    var unionId: Int64
    var unionName: String
    var status: String
    var total: Int64
    var done: Int64
    var createdAt: Date
    var finishedAt: Date?

    init(_ b: CardBatch) {
        id = b.id
        unionId = b.orgId
        unionName = b.orgName
        status = b.status.rawValue
        total = b.total
        done = b.done
        createdAt = b.createdAt
        finishedAt = b.finishedAt
    }

    static let schema = Schema.object(
        [
            ("id", Schema.integer), ("unionId", Schema.integer), ("unionName", Schema.string),
            ("status", Schema.enumeration(CardBatch.Status.allCases.map(\.rawValue))), ("total", Schema.integer), ("done", Schema.integer),
            ("createdAt", Schema.dateTime), ("finishedAt", Schema.nullable("string", format: "date-time")),
        ],
        required: ["id", "unionId", "unionName", "status", "total", "done", "createdAt"])
}

struct CancelDTO: Decodable, Sendable {
    var reason: String?

    static let schema = Schema.object([("reason", ["type": "string", "minLength": 1, "maxLength": 200])], required: ["reason"])
}
