import Benefits
import Members
import Organizations
import Platform
import SQLKit

/// The card domain sees members through this: the member database's record and counters, and the
/// union's region code from the tree for the card number.
struct MemberCardHolders: CardHolders {
    let members: MemberService
    let organizations: OrganizationService

    func holder(memberId: Int64) async throws -> CardHolder? {
        try await holder(try await members.cardHolder(memberId: memberId))
    }

    func holder(workerId: Int64) async throws -> CardHolder? {
        try await holder(try await members.cardHolder(workerId: workerId))
    }

    func setCardNumber(_ cardNo: String?, memberId: Int64, on sql: any SQLDatabase) async throws {
        try await members.setCardNumber(cardNo, memberId: memberId, on: sql)
    }

    private func holder(_ member: Member?) async throws -> CardHolder? {
        guard let member else { return nil }
        // A workplace union often has no region code of its own: the nearest ancestor's is used.
        var region = "000000"
        for id in member.orgPath.ids.reversed() {
            if let code = try? await organizations.get(id, actor: .system("cards")).regionCode, !code.isEmpty {
                region = code
                break
            }
        }
        return CardHolder(
            memberId: member.id, name: member.name, orgId: member.orgId, orgPath: member.orgPath, region: region, counted: member.isCounted,
            workerId: member.workerId)
    }
}
