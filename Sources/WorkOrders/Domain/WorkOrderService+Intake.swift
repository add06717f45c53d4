import Foundation
import Platform

/// What any channel submits.
public struct IntakeInput: Sendable {
    public var typeCode: String?
    public var categoryCode: String?
    public var complexity: String?
    public var title: String?
    public var description: String?
    /// The union the request is for: required unless the worker or caller is a member.
    public var unionId: Int64?
    public var callerName: String?
    public var callerPhone: String?

    public init(
        typeCode: String? = nil, categoryCode: String? = nil, complexity: String? = nil, title: String? = nil, description: String? = nil,
        unionId: Int64? = nil, callerName: String? = nil, callerPhone: String? = nil
    ) {
        self.typeCode = typeCode
        self.categoryCode = categoryCode
        self.complexity = complexity
        self.title = title
        self.description = description
        self.unionId = unionId
        self.callerName = callerName
        self.callerPhone = callerPhone
    }
}

extension WorkOrderService {
    /// A worker files on the member site: the order goes to their union (or the one they chose).
    public func fileByWorker(_ input: IntakeInput, workerId: Int64, actor: Actor) async throws -> WorkOrder {
        var input = input
        let member = try await members.member(ofWorker: workerId)
        if let member, member.active { input.unionId = member.orgId }
        input.callerPhone = try await members.phone(ofWorker: workerId)
        input.complexity = nil
        return try await file(
            input, channel: .site, workerId: workerId, member: member, actor: actor, createdBy: input.callerName ?? member?.name ?? "")
    }

    /// A cadre records a call (hotline), a visit (walk-in) or a partner app submits (API).
    public func fileByStaff(_ input: IntakeInput, channel: WorkOrder.Channel, actor: Actor) async throws -> WorkOrder {
        let scope = try actor.requireScope(.workOrderIntake)
        var input = input
        var member: MemberContact?
        if let phone = Phone.contactNumber(input.callerPhone ?? "") {
            // Only a member the cadre may read names the caller and picks the union.
            member = try await members.members(phone: phone, readableBy: actor).readable.first { $0.active }
            if input.unionId == nil, let member { input.unionId = member.orgId }
        }
        return try await file(
            input, channel: channel, workerId: nil, member: member, actor: actor, createdBy: actorName(actor), scope: scope)
    }

    /// Files the order; staff channels pass their intake scope, which must cover the union it is for.
    func file(
        _ input: IntakeInput, channel: WorkOrder.Channel, workerId: Int64?, member: MemberContact?, actor: Actor,
        createdBy: String, scope: Scope? = nil
    ) async throws -> WorkOrder {
        let snapshot = try await catalog.snapshot()
        var v = Validator()
        let type = input.typeCode.flatMap { snapshot.type($0) }
        v.check(input.typeCode?.isEmpty == false, "typeCode", WorkOrderText.typeRequired)
        v.check(input.typeCode?.isEmpty != false || type?.active == true, "typeCode", WorkOrderText.typeUnknown)
        let category = input.categoryCode.flatMap { snapshot.category($0) }
        v.check(input.categoryCode?.isEmpty == false, "categoryCode", WorkOrderText.categoryRequired)
        v.check(input.categoryCode?.isEmpty != false || category?.active == true, "categoryCode", WorkOrderText.categoryUnknown)
        let complexity = input.complexity.map { WorkOrder.Complexity(rawValue: $0) } ?? .normal
        v.check(complexity != nil, "complexity", WorkOrderText.complexityUnknown)
        let title = Self.text(input.title, max: 100)
        v.check(title != nil, "title", WorkOrderText.titleRequired)
        let description = Self.text(input.description, max: 5000)
        v.check(description != nil, "description", WorkOrderText.descriptionRequired)
        let callerName = Self.text(input.callerName ?? member?.name, max: 50)
        v.check(callerName != nil, "callerName", channel == .site ? WorkOrderText.workerNameRequired : WorkOrderText.callerNameRequired)
        let phone = input.callerPhone.flatMap { $0.isEmpty ? nil : $0 }
        let normalizedPhone = phone.flatMap(Phone.contactNumber)
        v.check(phone == nil || normalizedPhone != nil, "callerPhone", WorkOrderText.phoneInvalid)
        let origin = try await input.unionId.asyncMap { try await orgs.org($0) } ?? nil
        v.check(input.unionId != nil, "unionId", WorkOrderText.unionRequired)
        v.check(input.unionId == nil || origin?.active == true, "unionId", WorkOrderText.unionUnknown)
        try v.validate()
        guard let type, let category, let complexity, let title, let description, let callerName, let origin else {
            throw AppError.forbidden
        }
        if let scope, !scope.covers(origin.path) { throw AppError.validation(["unionId": WorkOrderText.unionOutOfScope]) }

        let (handler, rule) = try await route(from: origin, type: type.code, category: category.code, snapshot: snapshot)
        let now = clock.now()
        let today = self.today
        let dueOn = due(days: type.days(complexity), from: today, calendar: snapshot.calendar)
        let sealedPhone = try normalizedPhone.map { try cipher.seal($0, for: WorkOrderFields.callerPhone) }
        let routing = rule.map { WorkOrderText.routedByRule($0.note) } ?? WorkOrderText.defaultRoute
        return try await intake.write(
            IntakeWriter.NewOrder(
                row: .init(
                    typeCode: type.code, categoryCode: category.code, complexity: complexity, channel: channel, title: title,
                    description: description, workerId: workerId, memberId: member?.memberId, callerName: callerName,
                    phoneCipher: sealedPhone, phoneIndex: normalizedPhone.map(phoneIndex), phoneMask: normalizedPhone.map(Phone.mask),
                    originOrgId: origin.id, org: (handler.id, handler.path), dueOn: dueOn, createdBy: createdBy),
                day: today, now: now,
                timeline: [
                    .init(
                        actor: callerName, action: "filed", note: WorkOrderText.channelLabels[channel], isPublic: true, orgName: origin.name
                    ),
                    .init(
                        actor: WorkOrderText.systemActor, action: "routed", note: "\(routing)；\(WorkOrderText.deadline(dueOn))",
                        isPublic: true, orgName: handler.name),
                ],
                actor: actor, auditDetail: ["channel": channel.rawValue, "org": handler.name]))
    }

    /// The org that handles a new order: the first matching rule's level above the origin, or the origin.
    func route(from origin: HandlingOrg, type: String, category: String, snapshot: WorkOrderCatalog.Snapshot) async throws
        -> (HandlingOrg, RoutingRule?)
    {
        guard let rule = snapshot.routes.first(where: { $0.matches(type: type, category: category, regionCode: origin.regionCode) }),
            origin.level != rule.targetLevel
        else { return (origin, nil) }
        let line = try await orgs.orgs(origin.path.ids)
        // The nearest org at that level above the origin; none (e.g. no county above) keeps the origin.
        guard let target = line.filter({ $0.level == rule.targetLevel && $0.active }).max(by: { $0.path.depth < $1.path.depth }) else {
            return (origin, nil)
        }
        return (target, rule)
    }

    /// `20261122` + the id: unique, sortable, and short enough to read out on the phone.
    static func number(id: Int64, day: CivilDate) -> String { day.yyyymmdd + String(format: "%06lld", id) }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
