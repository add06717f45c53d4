import Accounts
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

    func cardless(in path: OrgPath, after: Int64, limit: Int) async throws -> [(memberId: Int64, orgId: Int64, orgPath: OrgPath)] {
        try await members.cardless(in: path, after: after, limit: limit)
    }

    func cardlessCount(in path: OrgPath) async throws -> Int64 { try await members.cardlessCount(in: path) }

    func setNewCardNumbers(_ numbers: [(memberId: Int64, cardNo: String)], on sql: any SQLDatabase) async throws -> Set<Int64> {
        try await members.setNewCardNumbers(numbers, on: sql)
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

/// 普惠服务 sees the tree through this.
struct BenefitsUnionsAdapter: BenefitsUnions {
    let organizations: OrganizationService

    func union(_ id: Int64) async throws -> BenefitsUnion? {
        try await organizations.summaries([id]).first { $0.isActive }.map { BenefitsUnion(id: $0.id, name: $0.name, path: $0.path) }
    }

    func names(_ ids: [Int64]) async throws -> [Int64: String] {
        try await organizations.summaries(ids).reduce(into: [:]) { $0[$1.id] = $1.name }
    }

    /// The top two levels below each root and the roots themselves (province, cities, counties).
    func reviewers() async throws -> [BenefitsUnion] {
        let system = Actor.system("benefits")
        var result: [BenefitsUnion] = []
        var level = try await organizations.roots(actor: system).filter(\.isActive)
        for depth in 0..<3 {
            result += level.map { BenefitsUnion(id: $0.id, name: $0.name, path: $0.path) }
            guard depth < 2 else { break }
            var next: [Organization] = []
            for org in level {
                next += try await organizations.children(of: org.id, actor: system, page: PageRequest(limit: 200)).items
                    .filter { $0.isActive && [.province, .city, .county].contains($0.level) }
            }
            level = next
        }
        return result.sorted { $0.path < $1.path }
    }
}

/// Merchant cashiers get an ordinary sign-in account, homed at the reviewing union, with no role in it.
struct MerchantAccountsAdapter: MerchantAccounts {
    let accounts: AccountService

    func create(username: String, displayName: String, password: String, homeOrgId: Int64, actor: Actor) async throws -> Int64 {
        // Made in the name of the merchant's review, which the card domain has authorized and audits;
        // the reviewing cadre need not also hold the account-administration permission.
        try await accounts.create(
            NewAccount(username: username, displayName: displayName, password: password, homeOrgId: homeOrgId),
            actor: .system("merchant-review:\(actor.displayName)")
        ).id
    }
}

/// Members tell the card domain when a membership ends.
struct CardMembershipListener: MembershipEndListener {
    let endings: CardEndings

    func membershipEnded(memberId: Int64, reason: String, on sql: any SQLDatabase) async throws {
        try await endings.cancelCards(memberId: memberId, reason: reason, on: sql)
    }
}
