import Crypto
import Foundation
import Platform
import SQLKit

/// The union as 普惠服务 sees it: names and paths, and the unions that review merchants.
public protocol BenefitsUnions: Sendable {
    func union(_ id: Int64) async throws -> BenefitsUnion?
    func names(_ ids: [Int64]) async throws -> [Int64: String]
    /// The province, city and county unions: the ones a merchant applies to.
    func reviewers() async throws -> [BenefitsUnion]
}

public struct BenefitsUnion: Sendable {
    public var id: Int64
    public var name: String
    public var path: OrgPath
    public init(id: Int64, name: String, path: OrgPath) {
        self.id = id
        self.name = name
        self.path = path
    }
}

/// 合作商户: the online application, the union's review with an agreement period, and cashier accounts.
public struct MerchantService: Sendable {
    public static let maxLicenceSize = 5 << 20

    let database: Database
    let unions: any BenefitsUnions
    let accounts: any MerchantAccounts
    let clock: AppClock
    let store = MerchantStore()

    public init(database: Database, unions: any BenefitsUnions, accounts: any MerchantAccounts, clock: AppClock) {
        self.database = database
        self.unions = unions
        self.accounts = accounts
        self.clock = clock
    }

    /// A merchant's application (or a cadre filing one for it). The licence must be an image.
    public func apply(_ input: MerchantApplication, licence: URL?, directory: URL, actor: Actor) async throws -> Merchant {
        defer { if let licence { try? FileManager.default.removeItem(at: licence) } }
        var v = Validator()
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        v.check(!name.isEmpty && name.count <= 60, "name", BenefitsText.merchantNameRequired)
        let code = CreditCode.normalized(input.creditCode)
        v.check(code != nil, "creditCode", BenefitsText.creditCodeInvalid)
        v.check(Merchant.categories.contains(input.category), "category", BenefitsText.categoryRequired)
        let contact = input.contactName.trimmingCharacters(in: .whitespacesAndNewlines)
        v.check(!contact.isEmpty && contact.count <= 30, "contactName", BenefitsText.contactRequired)
        let phone = try? Phone.parse(input.contactPhone).get()
        v.check(phone != nil, "contactPhone", BenefitsText.phoneInvalid)
        let union = try await input.unionId.asyncMap { try await unions.union($0) } ?? nil
        v.check(union != nil, "unionId", BenefitsText.unionRequired)
        let outletName = input.outletName.trimmingCharacters(in: .whitespacesAndNewlines)
        let address = input.outletAddress.trimmingCharacters(in: .whitespacesAndNewlines)
        v.check(!address.isEmpty && address.count <= 120, "outletAddress", BenefitsText.addressRequired)
        let coordinates = Self.coordinates(lat: input.lat, lng: input.lng)
        v.check(coordinates != nil, "lat", BenefitsText.coordinatesInvalid)
        var kind: FileKind?
        if let licence {
            let size = (try? FileManager.default.attributesOfItem(atPath: licence.path)[.size] as? NSNumber)?.intValue ?? 0
            kind = FileKind.sniff(fileAt: licence)
            v.check(size > 0 && size <= Self.maxLicenceSize && kind?.isImage == true, "licence", BenefitsText.licenceNotImage)
        } else {
            v.fail("licence", BenefitsText.licenceRequired)
        }
        if let code, try await database.withConnection({ [store] in try await store.merchant(creditCode: code, on: $0) }) != nil {
            v.fail("creditCode", BenefitsText.creditCodeTaken)
        }
        try v.validate()
        guard let code, let union, let licence, let kind else { throw AppError.validation(["name": BenefitsText.merchantNameRequired]) }
        let key = "licences/\(randomToken(bytes: 16)).\(kind.rawValue)"
        let target = directory.appendingPathComponent(key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: licence, to: target)
        let now = clock.now()
        var merchant = Merchant(
            id: 0, name: name, creditCode: code, category: input.category, orgId: union.id, orgPath: union.path, contactName: contact,
            contactPhone: phone?.value ?? "", licenceKey: key, licenceKind: kind.rawValue, status: .pending, appliedAt: now)
        do {
            merchant.id = try await database.transaction { [store, merchant] sql in
                let id = try await store.insert(merchant, on: sql)
                try await store.insertOutlet(
                    Outlet(
                        id: 0, merchantId: id, name: outletName.isEmpty ? name : String(outletName.prefix(60)), address: address,
                        latE6: coordinates?.lat, lngE6: coordinates?.lng), on: sql)
                try await AuditLog.record(
                    AuditEntry(
                        actor: actor, action: "merchant.apply", objectType: "merchant", objectId: String(id), orgPath: union.path,
                        detail: ["name": name, "creditCode": code], at: now), on: sql)
                return id
            }
        } catch {
            try? FileManager.default.removeItem(at: target)
            if Database.isUniqueViolation(error) { throw AppError.validation(["creditCode": BenefitsText.creditCodeTaken]) }
            throw error
        }
        return merchant
    }

    /// Both empty (no coordinates) or both valid degrees; in millionths.
    static func coordinates(lat: String?, lng: String?) -> (lat: Int64?, lng: Int64?)? {
        let (a, b) = ((lat ?? "").trimmingCharacters(in: .whitespaces), (lng ?? "").trimmingCharacters(in: .whitespaces))
        if a.isEmpty && b.isEmpty { return (nil, nil) }
        guard let la = Double(a), let lo = Double(b), (-90...90).contains(la), (-180...180).contains(lo) else { return nil }
        return (Int64((la * 1e6).rounded()), Int64((lo * 1e6).rounded()))
    }

    /// 审核: approve with an agreement period, or reject with a reason.
    public func review(_ id: Int64, approve: Bool, from: String?, to: String?, note: String?, actor: Actor) async throws -> Merchant {
        let merchant = try await managed(id, actor: actor)
        guard merchant.status == .pending else { throw AppError.conflict(BenefitsText.alreadyReviewed) }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200).description
        var range: (String, String)?
        if approve {
            guard let a = from.flatMap({ CivilDate(text: $0) }), let b = to.flatMap({ CivilDate(text: $0) }), a <= b else {
                throw AppError.validation(["agreementTo": BenefitsText.agreementInvalid])
            }
            range = (a.iso, b.iso)
        } else if note?.isEmpty ?? true {
            throw AppError.validation(["note": BenefitsText.rejectReasonRequired])
        }
        let now = clock.now()
        try await database.transaction { [store, range] sql in
            guard
                try await store.review(
                    id, to: approve ? .approved : .rejected, from: range?.0, to: range?.1, note: note, by: actor.displayName, at: now,
                    on: sql)
            else { throw AppError.conflict(BenefitsText.alreadyReviewed) }
            var detail = ["decision": approve ? "approved" : "rejected"]
            if let range { detail["agreement"] = "\(range.0)~\(range.1)" }
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "merchant.review", objectType: "merchant", objectId: String(id), orgPath: merchant.orgPath,
                    detail: detail, at: now), on: sql)
        }
        return try await managed(id, actor: actor)
    }

    /// A cashier account for an approved merchant: signs in like staff, sees only the merchant console.
    public func addStaff(_ merchantId: Int64, username: String, displayName: String, password: String, actor: Actor) async throws
        -> MerchantStaff
    {
        let merchant = try await managed(merchantId, actor: actor)
        guard merchant.status == .approved else { throw AppError.conflict(BenefitsText.notApproved) }
        let accountId = try await accounts.create(
            username: username, displayName: displayName, password: password, homeOrgId: merchant.orgId, actor: actor)
        let staff = MerchantStaff(
            accountId: accountId, merchantId: merchantId, name: displayName.trimmingCharacters(in: .whitespacesAndNewlines),
            addedBy: actor.displayName, addedAt: clock.now())
        try await database.transaction { [store] sql in
            try await store.insertStaff(staff, on: sql)
            try await AuditLog.record(
                AuditEntry(
                    actor: actor, action: "merchant.staff.add", objectType: "merchant", objectId: String(merchantId),
                    orgPath: merchant.orgPath, detail: ["account": String(accountId), "name": staff.name], at: staff.addedAt), on: sql)
        }
        return staff
    }

    public func merchants(status: Merchant.Status?, actor: Actor) async throws -> [Merchant] {
        let scope = try actor.requireScope(.merchantManage)
        return try await database.withConnection { [store] in try await store.merchants(in: scope, status: status, on: $0) }
    }

    /// A merchant the actor reviews (404 outside scope).
    public func managed(_ id: Int64, actor: Actor) async throws -> Merchant {
        let scope = try actor.requireScope(.merchantManage)
        guard let m = try await database.withConnection({ [store] in try await store.merchant(id, on: $0) }), scope.covers(m.orgPath) else {
            throw AppError.notFound(BenefitsText.merchantNotFound)
        }
        return m
    }

    public func outlets(of merchantIds: [Int64]) async throws -> [Outlet] {
        try await database.withConnection { [store] in try await store.outlets(of: merchantIds, on: $0) }
    }

    public func staff(of merchantId: Int64, actor: Actor) async throws -> [MerchantStaff] {
        _ = try await managed(merchantId, actor: actor)
        return try await database.withConnection { [store] in try await store.staff(of: merchantId, on: $0) }
    }

    /// The merchant a signed-in cashier works for; 403 for anyone else.
    public func employer(of actor: Actor) async throws -> Merchant {
        guard let accountId = actor.principal?.accountId, !(actor.principal?.isPartnerKey ?? true),
            let merchant = try await database.withConnection({ [store] sql -> Merchant? in
                guard let staff = try await store.staff(accountId: accountId, on: sql) else { return nil }
                return try await store.merchant(staff.merchantId, on: sql)
            })
        else { throw AppError.forbidden }
        return merchant
    }

    /// Whether the account is a merchant's cashier (the console then opens the merchant console).
    public func isCashier(accountId: Int64) async throws -> Bool {
        try await database.withConnection { [store] in try await store.staff(accountId: accountId, on: $0) } != nil
    }

    public func reviewers() async throws -> [BenefitsUnion] { try await unions.reviewers() }

    /// The licence image of a merchant the actor reviews.
    public func licence(_ id: Int64, directory: URL, actor: Actor) async throws -> (url: URL, kind: FileKind) {
        let m = try await managed(id, actor: actor)
        guard let key = m.licenceKey, let kind = m.licenceKind.flatMap(FileKind.init(rawValue:)) else {
            throw AppError.notFound(BenefitsText.merchantNotFound)
        }
        return (directory.appendingPathComponent(key), kind)
    }
}

/// What a merchant applies with (the form and the API body).
public struct MerchantApplication: Sendable, Codable {
    public var name: String
    public var creditCode: String
    public var category: String
    public var contactName: String
    public var contactPhone: String
    public var unionId: Int64?
    public var outletName: String
    public var outletAddress: String
    public var lat: String?
    public var lng: String?

    public init(
        name: String, creditCode: String, category: String, contactName: String, contactPhone: String, unionId: Int64?,
        outletName: String, outletAddress: String, lat: String? = nil, lng: String? = nil
    ) {
        self.name = name
        self.creditCode = creditCode
        self.category = category
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.unionId = unionId
        self.outletName = outletName
        self.outletAddress = outletAddress
        self.lat = lat
        self.lng = lng
    }
}

extension Optional {
    func asyncMap<T>(_ body: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await body(self)
    }
}
