import Foundation
import Platform
import SQLKit

/// 结算: a union's month across the merchants it reviews, and the statement it confirms per merchant.
/// A statement never changes; redemptions recorded after it go on the month's next statement.
public struct SettlementService: Sendable {
    let database: Database
    let merchants: MerchantService
    let clock: AppClock
    let redemptions = RedemptionStore()

    public init(database: Database, merchants: MerchantService, clock: AppClock) {
        self.database = database
        self.merchants = merchants
        self.clock = clock
    }

    /// Each merchant the actor reviews with the month's redemptions, discount, subsidy and what is unsettled.
    public func month(_ month: CivilMonth, actor: Actor) async throws -> [MerchantMonth] {
        let scope = try actor.requireScope(.benefitsSettle)
        return try await database.withConnection { [redemptions] sql in
            try await redemptions.monthTotals(in: scope, month: month.iso, on: sql).map {
                MerchantMonth(
                    merchantId: $0.merchantId, name: $0.name, redemptions: $0.redemptions, discount: $0.discount, subsidy: $0.subsidy,
                    unsettled: $0.unsettled)
            }
        }
    }

    /// 普惠报表: redemptions and subsidy over `months` (oldest first) and the last month's use per offer.
    public func report(months: [CivilMonth], actor: Actor) async throws -> BenefitsReport {
        let scope = try actor.requireScope(.benefitsSettle)
        let keys = months.map(\.iso)
        return try await database.withConnection { [redemptions] sql in
            let byMonth = try await redemptions.months(in: scope, keys, on: sql)
            let offers = try await redemptions.offerTotals(in: scope, month: keys.last ?? "", on: sql)
            return BenefitsReport(
                months: keys, redemptions: keys.map { byMonth[$0]?.count ?? 0 }, subsidy: keys.map { byMonth[$0]?.subsidy ?? 0 },
                offers: offers.map { (title: $0.title, merchant: $0.merchant, redemptions: $0.redemptions, subsidy: $0.subsidy) })
        }
    }

    /// 确认结算单: the merchant's unsettled redemptions of a finished (or the current) month.
    public func settle(merchantId: Int64, month: CivilMonth, actor: Actor) async throws -> Statement {
        let merchant = try await merchants.managed(merchantId, actor: actor)
        try actor.require(.benefitsSettle, at: merchant.orgPath)
        guard month <= CivilMonth(CivilDate(date: clock.now())) else { throw AppError.validation(["month": BenefitsText.monthInFuture]) }
        let now = clock.now()
        return try await database.transaction { [redemptions] sql in
            guard
                let statement = try await redemptions.settle(
                    merchantId: merchantId, month: month.iso, by: actor.displayName, at: now, on: sql)
            else { throw AppError.conflict(BenefitsText.nothingToSettle) }
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "benefit.settle", objectType: "statement", objectId: String(statement.id),
                    orgPath: merchant.orgPath,
                    detail: [
                        "merchant": String(merchantId), "month": month.iso, "redemptions": String(statement.redemptions),
                        "subsidy": String(statement.subsidy),
                    ], at: now), on: sql)
            return statement
        }
    }

    /// A merchant's statements, for the union that reviews it or the merchant's own cashier.
    public func statements(merchantId: Int64?, actor: Actor) async throws -> (Merchant, [Statement]) {
        let managed = try await merchantId.asyncMap { try await merchants.managed($0, actor: actor) }
        let merchant: Merchant
        if let managed { merchant = managed } else { merchant = try await merchants.employer(of: actor) }
        return (
            merchant,
            try await database.withConnection { [redemptions] in try await redemptions.statements(merchantId: merchant.id, on: $0) }
        )
    }

    /// One statement with its redemptions (the .xlsx and the page), for the same readers.
    public func statement(_ id: Int64, actor: Actor) async throws -> (Merchant, Statement, [Redemption]) {
        guard let statement = try await database.withConnection({ [redemptions] in try await redemptions.statement(id, on: $0) }) else {
            throw AppError.notFound(BenefitsText.statementNotFound)
        }
        let merchant: Merchant
        if let own = try? await merchants.employer(of: actor), own.id == statement.merchantId {
            merchant = own
        } else {
            merchant = try await merchants.managed(statement.merchantId, actor: actor)
        }
        let rows = try await database.withConnection { [redemptions] in try await redemptions.redemptions(statementId: id, on: $0) }
        return (merchant, statement, rows)
    }
}

public struct MerchantMonth: Sendable {
    public var merchantId: Int64
    public var name: String
    public var redemptions: Int64
    public var discount: Int64
    public var subsidy: Int64
    public var unsettled: Int64
}

public struct BenefitsReport: Sendable {
    public var months: [String]
    public var redemptions: [Int64]
    public var subsidy: [Int64]
    public var offers: [(title: String, merchant: String, redemptions: Int64, subsidy: Int64)]
}
