import Foundation
import Platform
import SQLKit

/// A member card (会员卡). A member holds at most one card that is not cancelled; reissuing
/// cancels the old card and issues one with a new number.
public struct MemberCard: Sendable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// In use (正常).
        case active
        /// Reported lost by the member or the union (已挂失): not accepted, can be reissued.
        case lost
        /// Ended: reissued, the membership ended, or cancelled by the union (已注销).
        case cancelled

        public var label: String { BenefitsText.statusLabels[self] ?? rawValue }
    }

    public var id: Int64
    public var cardNo: String
    public var memberId: Int64
    public var orgId: Int64
    public var orgPath: OrgPath
    public var status: Status
    public var issuedBy: String
    public var issuedAt: Date
    public var endedAt: Date?
    public var endReason: String?
    /// The card issued in place of this one.
    public var replacedBy: Int64?

    enum CodingKeys: String, CodingKey {
        case id, status
        case cardNo = "card_no", memberId = "member_id", orgId = "org_id", orgPath = "org_path", issuedBy = "issued_by"
        case issuedAt = "issued_at", endedAt = "ended_at", endReason = "end_reason", replacedBy = "replaced_by"
    }
}

/// What the card domain needs of a member, from the member database (an adapter in App).
public struct CardHolder: Sendable {
    public var memberId: Int64
    public var name: String
    public var orgId: Int64
    public var orgPath: OrgPath
    /// On the rolls (working or retired-kept): only they hold a usable card.
    public var counted: Bool
    public var workerId: Int64?

    public init(memberId: Int64, name: String, orgId: Int64, orgPath: OrgPath, counted: Bool, workerId: Int64?) {
        self.memberId = memberId
        self.name = name
        self.orgId = orgId
        self.orgPath = orgPath
        self.counted = counted
        self.workerId = workerId
    }
}

/// The member database as the card domain sees it.
public protocol CardHolders: Sendable {
    func holder(memberId: Int64) async throws -> CardHolder?
    func holder(workerId: Int64) async throws -> CardHolder?
    /// The 6-digit region code for a card number of a member of the union at `orgPath`; asked only
    /// when a number is made, not on every lookup.
    func region(of orgPath: OrgPath) async throws -> String
    /// Writes the member's current card number (nil: none) in the caller's transaction, so the
    /// member rollups count cards exactly (card coverage on the dashboard).
    func setCardNumber(_ cardNo: String?, memberId: Int64, on sql: any SQLDatabase) async throws
    /// Members on the rolls under `path` without a card, by id after `after` (batch issue).
    func cardless(in path: OrgPath, after: Int64, limit: Int) async throws -> [(memberId: Int64, orgId: Int64, orgPath: OrgPath)]
    func cardlessCount(in path: OrgPath) async throws -> Int64
    /// Writes the numbers of members who still hold none, in the caller's transaction; the ids written.
    func setNewCardNumbers(_ numbers: [(memberId: Int64, cardNo: String)], on sql: any SQLDatabase) async throws -> Set<Int64>
}
