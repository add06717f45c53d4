import Foundation
import Platform
import SQLKit

/// 批量发卡: cards for every member on the rolls in a union's subtree who holds none, as a job that
/// works in chunks of a thousand. Each chunk takes its numbers, writes the cards and the members'
/// numbers and the batch's progress in one transaction, so a crash or a retried job resumes where
/// the last chunk ended and never issues twice.
public struct CardBatchService: Sendable {
    public static let jobKind = "benefits.card-batch"
    static let chunk = 1000

    let database: Database
    let holders: any CardHolders
    let unions: any BenefitsUnions
    let rule: CardNumberRule
    let clock: AppClock
    let enqueue: @Sendable (Int64) async throws -> Void
    let cards = CardStore()

    public init(
        database: Database, holders: any CardHolders, unions: any BenefitsUnions, rule: CardNumberRule, clock: AppClock,
        enqueue: @escaping @Sendable (Int64) async throws -> Void
    ) {
        self.database = database
        self.holders = holders
        self.unions = unions
        self.rule = rule
        self.clock = clock
        self.enqueue = enqueue
    }

    /// Queues a batch for the union's subtree; one batch per union runs at a time.
    public func start(unionId: Int64, actor: Actor) async throws -> CardBatch {
        let scope = try actor.requireScope(.cardIssue)
        guard let union = try await unions.union(unionId), scope.covers(union.path) else {
            throw AppError.validation(["unionId": BenefitsText.batchUnionInvalid])
        }
        let now = clock.now()
        let total = try await holders.cardlessCount(in: union.path)
        let batch = try await database.transaction { [cards] sql in
            if try await cards.openBatch(orgId: union.id, on: sql) != nil { throw AppError.conflict(BenefitsText.batchRunning) }
            let batch = CardBatch(
                id: 0, orgId: union.id, orgPath: union.path, orgName: union.name, status: .queued, total: total, done: 0, lastMember: 0,
                requestedBy: actor.displayName, createdAt: now)
            let id = try await cards.insert(batch, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "card.batch", objectType: "card_batch", objectId: String(id), orgPath: union.path,
                    detail: ["union": union.name, "members": String(total)], at: now), on: sql)
            return CardBatch(
                id: id, orgId: batch.orgId, orgPath: batch.orgPath, orgName: batch.orgName, status: batch.status, total: total, done: 0,
                lastMember: 0, requestedBy: batch.requestedBy, createdAt: now)
        }
        try await enqueue(batch.id)
        return batch
    }

    public func batches(actor: Actor) async throws -> [CardBatch] {
        let scope = try actor.requireScope(.cardRead)
        return try await database.withConnection { [cards] in try await cards.batches(in: scope, on: $0) }
    }

    public func batch(_ id: Int64, actor: Actor) async throws -> CardBatch {
        let scope = try actor.requireScope(.cardRead)
        guard let batch = try await database.withConnection({ [cards] in try await cards.batch(id, on: $0) }), scope.covers(batch.orgPath)
        else { throw AppError.notFound(BenefitsText.batchNotFound) }
        return batch
    }

    /// The job: chunk after chunk from where the batch stands.
    public func run(_ id: Int64, heartbeat: @Sendable () async throws -> Void = {}) async throws {
        guard var batch = try await database.withConnection({ [cards] in try await cards.batch(id, on: $0) }),
            batch.status == .queued || batch.status == .running
        else { return }
        var regions: [Int64: String] = [:]
        while true {
            let members = try await holders.cardless(in: batch.orgPath, after: batch.lastMember, limit: Self.chunk)
            guard let last = members.last?.memberId else { break }
            for m in members where regions[m.orgId] == nil { regions[m.orgId] = try await holders.region(of: m.orgPath) }
            let now = clock.now()
            let done = try await database.transaction { [cards, holders, rule, regions, batch] sql -> Int in
                // A member whose card was reported lost holds no number but still a card: not theirs to get.
                let holding = try await cards.holdingCards(members.map(\.memberId), on: sql)
                let due = members.filter { !holding.contains($0.memberId) }
                var next = try await cards.takeSequences(due.count, on: sql)
                let numbers = due.map { m -> (memberId: Int64, cardNo: String) in
                    defer { next += 1 }
                    return (m.memberId, rule.number(region: regions[m.orgId] ?? "000000", sequence: next))
                }
                let written = try await holders.setNewCardNumbers(numbers, on: sql)
                let byMember = Dictionary(uniqueKeysWithValues: due.map { ($0.memberId, $0) })
                let issued = numbers.filter { written.contains($0.memberId) }.compactMap { n -> MemberCard? in
                    guard let m = byMember[n.memberId] else { return nil }
                    return MemberCard(
                        id: 0, cardNo: n.cardNo, memberId: m.memberId, orgId: m.orgId, orgPath: m.orgPath, status: .active,
                        issuedBy: batch.requestedBy, issuedAt: now)
                }
                try await cards.insertMany(issued, on: sql)
                try await cards.progress(batch.id, done: issued.count, lastMember: last, on: sql)
                return issued.count
            }
            batch.done += Int64(done)
            batch.lastMember = last
            try await heartbeat()
        }
        let now = clock.now()
        try await database.transaction { [cards, batch] sql in
            try await cards.finish(batch.id, at: now, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: .system("card-batch"), action: "card.batch.done", objectType: "card_batch", objectId: String(batch.id),
                    orgPath: batch.orgPath, detail: ["issued": String(batch.done)], at: now), on: sql)
        }
    }
}

/// A batch issue and how far it has come.
public struct CardBatch: Sendable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case queued, running, done
        public var label: String { BenefitsText.batchStatusLabels[self] ?? rawValue }
    }
    public var id: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var orgName: String
    public var status: Status
    /// Members without a card when the batch was asked for.
    public var total: Int64
    public var done: Int64
    public var lastMember: Int64
    public var requestedBy: String
    public var createdAt: Date
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, status, total, done
        case orgId = "org_id", orgPath = "org_path", orgName = "org_name", lastMember = "last_member", requestedBy = "requested_by"
        case createdAt = "created_at", finishedAt = "finished_at"
    }
}
