import Foundation
import Platform
import SQLKit

/// A membership that ends (退会, 去世, erasure) cancels the member's card, in the member database's
/// transaction (App adapts this to Members' `MembershipEndListener`).
public struct CardEndings: Sendable {
    let clock: AppClock
    let store = CardStore()

    public init(clock: AppClock) { self.clock = clock }

    public func cancelCards(memberId: Int64, reason: String, on sql: any SQLDatabase) async throws {
        let now = clock.now()
        for card in try await store.cancelAll(memberId: memberId, reason: reason, now: now, on: sql) {
            try await AuditLog.record(
                AuditEntry(
                    actor: .system("membership"), action: "card.cancel", objectType: "member_card", objectId: String(card.id),
                    orgPath: card.orgPath, detail: ["member": String(memberId), "cardNo": card.cardNo, "reason": reason], at: now),
                on: sql)
        }
    }
}
