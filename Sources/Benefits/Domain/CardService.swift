import Foundation
import Platform
import SQLKit

/// Member cards: issue (by the union, or the member applying for the e-card), report lost,
/// reissue with a new number, cancel. Each change writes the member's current card number
/// through `CardHolders` in the same transaction, so card coverage on the dashboard is exact.
public struct CardService: Sendable {
    let database: Database
    let holders: any CardHolders
    let rule: CardNumberRule
    let clock: AppClock
    let store = CardStore()

    public init(database: Database, holders: any CardHolders, rule: CardNumberRule, clock: AppClock) {
        self.database = database
        self.holders = holders
        self.rule = rule
        self.clock = clock
    }

    /// The member's cards, newest first, for a cadre who may see the member's union.
    public func cards(memberId: Int64, actor: Actor) async throws -> [MemberCard] {
        let holder = try await holder(memberId, actor: actor, permission: .cardRead)
        return try await database.withConnection { [store] sql in try await store.cards(memberId: holder.memberId, on: sql) }
    }

    /// The member as the card pages name them, and whether the actor may issue and change cards (404 out of scope).
    public func holder(memberId: Int64, actor: Actor) async throws -> (holder: CardHolder, mayIssue: Bool) {
        let holder = try await holder(memberId, actor: actor, permission: .cardRead)
        return (holder, actor.scope(.cardIssue).covers(holder.orgPath))
    }

    /// One card, for a cadre who may issue cards in its union.
    public func card(_ id: Int64, actor: Actor) async throws -> MemberCard { try await card(id, workerId: nil, actor: actor) }

    /// 发卡: a new card for a member on the rolls who holds none.
    public func issue(memberId: Int64, actor: Actor) async throws -> MemberCard {
        let holder = try await holder(memberId, actor: actor, permission: .cardIssue)
        return try await issue(to: holder, actor: actor, action: "card.issue")
    }

    /// 申领电子会员卡: the member's own card, issued at once; the card they hold if they have one.
    public func apply(workerId: Int64, actor: Actor) async throws -> MemberCard {
        guard let holder = try await holders.holder(workerId: workerId), holder.counted else {
            throw AppError.conflict(BenefitsText.notAMember)
        }
        if let card = try await database.withConnection({ [store] sql in try await store.current(memberId: holder.memberId, on: sql) }) {
            return card
        }
        return try await issue(to: holder, actor: actor, action: "card.apply")
    }

    /// The worker's current card (not cancelled), if any.
    public func mine(workerId: Int64) async throws -> MemberCard? {
        guard let holder = try await holders.holder(workerId: workerId) else { return nil }
        return try await database.withConnection { [store] sql in try await store.current(memberId: holder.memberId, on: sql) }
    }

    /// 挂失: an active card stops being accepted; by the union, or by the member (`workerId`).
    public func reportLost(_ cardId: Int64, workerId: Int64? = nil, actor: Actor) async throws -> MemberCard {
        let card = try await card(cardId, workerId: workerId, actor: actor)
        guard card.status == .active else { throw AppError.conflict(BenefitsText.notActive) }
        return try await change(card, to: .lost, reason: nil, actor: actor, action: "card.lost")
    }

    /// 补办: the old card is cancelled and a new number issued, in one transaction.
    public func reissue(_ cardId: Int64, workerId: Int64? = nil, actor: Actor) async throws -> MemberCard {
        let old = try await card(cardId, workerId: workerId, actor: actor)
        guard old.status != .cancelled else { throw AppError.conflict(BenefitsText.cannotReissue) }
        guard let holder = try await holders.holder(memberId: old.memberId), holder.counted else {
            throw AppError.conflict(BenefitsText.notCounted)
        }
        let region = try await holders.region(of: holder.orgPath)
        let now = clock.now()
        return try await database.transaction { [store, holders, rule] sql in
            guard try await store.setStatus(old.id, from: old.status, to: .cancelled, reason: BenefitsText.reissued, now: now, on: sql)
            else {
                throw AppError.conflict(BenefitsText.alreadyCancelled)
            }
            let new = try await Self.insert(for: holder, region: region, rule: rule, actor: actor, now: now, store: store, on: sql)
            try await store.markReplaced(old.id, by: new.id, on: sql)
            try await holders.setCardNumber(new.cardNo, memberId: holder.memberId, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "card.reissue", objectType: "member_card", objectId: String(new.id), orgPath: holder.orgPath,
                    detail: ["member": String(holder.memberId), "old": old.cardNo, "new": new.cardNo], at: now), on: sql)
            return new
        }
    }

    /// 注销 by the union, with a reason.
    public func cancel(_ cardId: Int64, reason: String, actor: Actor) async throws -> MemberCard {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw AppError.validation(["reason": BenefitsText.reasonRequired]) }
        let card = try await card(cardId, workerId: nil, actor: actor)
        guard card.status != .cancelled else { throw AppError.conflict(BenefitsText.alreadyCancelled) }
        return try await change(card, to: .cancelled, reason: String(reason.prefix(200)), actor: actor, action: "card.cancel")
    }

    /// Adopts the card numbers the member rolls hold without a card record (see `CardStore.adoptRecorded`).
    @discardableResult
    public func adoptRecorded(actor: Actor) async throws -> Int {
        let now = clock.now()
        return try await database.transaction { [store] sql in try await store.adoptRecorded(issuedBy: actor.displayName, now: now, on: sql)
        }
    }

    // MARK: Steps

    func issue(to holder: CardHolder, actor: Actor, action: String) async throws -> MemberCard {
        guard holder.counted else { throw AppError.conflict(BenefitsText.notCounted) }
        let region = try await holders.region(of: holder.orgPath)
        let now = clock.now()
        do {
            return try await database.transaction { [store, holders, rule] sql in
                guard try await store.current(memberId: holder.memberId, on: sql) == nil else {
                    throw AppError.conflict(BenefitsText.alreadyHolds)
                }
                let card = try await Self.insert(for: holder, region: region, rule: rule, actor: actor, now: now, store: store, on: sql)
                try await holders.setCardNumber(card.cardNo, memberId: holder.memberId, on: sql)
                try await AuditLog.record(
                    AuditEntry(
                        actor: actor, action: action, objectType: "member_card", objectId: String(card.id), orgPath: holder.orgPath,
                        detail: ["member": String(holder.memberId), "cardNo": card.cardNo], at: now), on: sql)
                return card
            }
        } catch  where Database.isUniqueViolation(error) {
            // Two issues for one member at once: the partial unique index lets one through.
            throw AppError.conflict(BenefitsText.alreadyHolds)
        }
    }

    static func insert(
        for holder: CardHolder, region: String, rule: CardNumberRule, actor: Actor, now: Date, store: CardStore, on sql: any SQLDatabase
    ) async throws -> MemberCard {
        let number = rule.number(region: region, sequence: try await store.nextSequence(on: sql))
        var card = MemberCard(
            id: 0, cardNo: number, memberId: holder.memberId, orgId: holder.orgId, orgPath: holder.orgPath, status: .active,
            issuedBy: actor.displayName, issuedAt: now)
        card.id = try await store.insert(card, on: sql)
        return card
    }

    /// Reports lost or cancels: either way the member holds no usable card until one is issued again.
    func change(_ card: MemberCard, to status: MemberCard.Status, reason: String?, actor: Actor, action: String) async throws -> MemberCard
    {
        let now = clock.now()
        return try await database.transaction { [store, holders] sql in
            guard try await store.setStatus(card.id, from: card.status, to: status, reason: reason, now: now, on: sql) else {
                throw AppError.conflict(BenefitsText.alreadyCancelled)
            }
            try await holders.setCardNumber(nil, memberId: card.memberId, on: sql)
            var detail = ["member": String(card.memberId), "cardNo": card.cardNo]
            detail["reason"] = reason
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: action, objectType: "member_card", objectId: String(card.id), orgPath: card.orgPath,
                    detail: detail, at: now),
                on: sql)
            guard let updated = try await store.card(card.id, on: sql) else { throw AppError.notFound(BenefitsText.cardNotFound) }
            return updated
        }
    }

    /// The member, if the actor holds `permission` over the member's union; 404 otherwise (no hint outside scope).
    func holder(_ memberId: Int64, actor: Actor, permission: Permission) async throws -> CardHolder {
        let scope = try actor.requireScope(permission)
        guard let holder = try await holders.holder(memberId: memberId), scope.covers(holder.orgPath) else {
            throw AppError.notFound(BenefitsText.memberNotFound)
        }
        return holder
    }

    /// The card, if the worker holds it or the actor may issue cards in its union.
    func card(_ id: Int64, workerId: Int64?, actor: Actor) async throws -> MemberCard {
        guard let card = try await database.withConnection({ [store] sql in try await store.card(id, on: sql) }) else {
            throw AppError.notFound(BenefitsText.cardNotFound)
        }
        if let workerId {
            guard try await holders.holder(workerId: workerId)?.memberId == card.memberId else {
                throw AppError.notFound(BenefitsText.cardNotFound)
            }
        } else {
            // The member's union now, not the one that issued the card: after a transfer the new union
            // looks after it and the old one no longer sees it.
            let scope = try actor.requireScope(.cardIssue)
            guard let holder = try await holders.holder(memberId: card.memberId), scope.covers(holder.orgPath) else {
                throw AppError.notFound(BenefitsText.cardNotFound)
            }
        }
        return card
    }
}
