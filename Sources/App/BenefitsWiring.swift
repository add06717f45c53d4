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
        holder(try await members.cardHolder(memberId: memberId))
    }

    func holder(workerId: Int64) async throws -> CardHolder? {
        holder(try await members.cardHolder(workerId: workerId))
    }

    func setCardNumber(_ cardNo: String?, memberId: Int64, on sql: any SQLDatabase) async throws {
        try await members.setCardNumber(cardNo, memberId: memberId, on: sql)
    }

    func region(of orgPath: OrgPath) async throws -> String {
        // A workplace union often has no region code of its own: the nearest ancestor's is used.
        for id in orgPath.ids.reversed() {
            if let code = try? await organizations.get(id, actor: .system("cards")).regionCode, !code.isEmpty { return code }
        }
        return "000000"
    }

    private func holder(_ member: Member?) -> CardHolder? {
        member.map {
            CardHolder(memberId: $0.id, name: $0.name, orgId: $0.orgId, orgPath: $0.orgPath, counted: $0.isCounted, workerId: $0.workerId)
        }
    }
}
