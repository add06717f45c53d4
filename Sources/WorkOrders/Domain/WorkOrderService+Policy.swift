import Platform

/// What a cadre may do with one order: the order page shows exactly what the actions below allow.
public struct OrderActions: Sendable {
    public var accept = false
    public var handle = false
    public var resolve = false
    public var wait = false
    public var resume = false
    public var supervise = false
    public var followUp = false
    public var reveal = false
}

/// The orgs an order may go to from its page, each list under the rule its action checks.
public struct OrderTargets: Sendable {
    public var transfer: [HandlingOrg]
    public var assist: [HandlingOrg]
    public var reassign: [HandlingOrg]
}

extension WorkOrderService {
    public func actions(on order: WorkOrder, actor: Actor) -> OrderActions {
        var a = OrderActions()
        let open = order.status.isOpen
        a.handle = open && actor.scope(.workOrderHandle).covers(order.orgPath)
        a.accept = a.handle && order.status == .submitted
        a.resolve = a.handle && order.status == .accepted
        a.wait = a.handle && order.status == .accepted
        a.resume = a.handle && order.status == .waiting
        a.supervise = open && order.supervisorPath.map { actor.scope(.workOrderSupervise).covers($0) } == true
        let intake = actor.scope(.workOrderIntake).covers(order.orgPath)
        a.followUp = intake && (order.status == .resolved || order.status == .closed) && order.followupAt == nil
        a.reveal = intake && order.callerPhoneMask != nil
        return a
    }

    /// 转办: into the handler's own subtree, or up to the parent (上报).
    func mayTransfer(_ order: WorkOrder, to target: HandlingOrg, actor: Actor) -> Bool {
        actor.scope(.workOrderHandle).covers(target.path) || target.path == order.orgPath.parent
    }

    /// 协办: the handler's subtree, or any org under the same parent.
    func mayAskAssist(_ order: WorkOrder, of target: HandlingOrg, actor: Actor) -> Bool {
        actor.scope(.workOrderHandle).covers(target.path) || (order.orgPath.parent.map { $0.contains(target.path) } ?? false)
    }

    /// 改派: anywhere the supervising cadre supervises.
    func mayReassign(to target: HandlingOrg, actor: Actor) -> Bool {
        actor.scope(.workOrderSupervise).covers(target.path)
    }

    /// Where the order may go: its parent, its children, and orgs matching `text`, each filtered by its action's rule.
    public func targets(for order: WorkOrder, matching text: String, actor: Actor) async throws -> OrderTargets {
        var candidates: [HandlingOrg] = []
        if let parent = order.orgPath.parent, let p = try await orgs.org(parent.id) { candidates.append(p) }
        candidates += try await orgs.children(of: order.orgId, limit: 50)
        let text = text.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty { candidates += try await orgs.search(text, limit: 20) }
        var seen = Set<Int64>()
        let all = candidates.filter { $0.id != order.orgId && $0.active && seen.insert($0.id).inserted }
        return OrderTargets(
            transfer: all.filter { mayTransfer(order, to: $0, actor: actor) },
            assist: all.filter { mayAskAssist(order, of: $0, actor: actor) },
            reassign: all.filter { mayReassign(to: $0, actor: actor) })
    }

    /// Whether the cadre may answer this assist request.
    public func mayReply(to assist: WorkOrderAssist, actor: Actor) -> Bool {
        assist.reply == nil && actor.scope(.workOrderHandle).covers(assist.orgPath)
    }

    /// The queues a cadre's roles give: supervision to supervisors, follow-up to intake, own-org queues to handlers.
    public func queues(for actor: Actor) -> [QueueQuery.Queue] {
        QueueQuery.Queue.allCases.filter { q in
            switch q {
            case .supervision: actor.principal?.can(.workOrderSupervise) == true
            case .followup: actor.principal?.can(.workOrderIntake) == true
            case .org, .mine, .dueSoon, .assisting: actor.principal?.can(.workOrderHandle) == true
            default: true
            }
        }
    }

    /// Unions an order may be filed for: the cadre's own intake orgs, the one already chosen, and matches of `text`; active and in intake scope.
    public func intakeUnions(matching text: String, chosen: Int64?, actor: Actor) async throws -> [HandlingOrg] {
        let scope = actor.scope(.workOrderIntake)
        var unions = try await orgs.orgs(
            actor.principal?.assignments.filter { $0.permissions.contains(.workOrderIntake) }.map(\.orgId) ?? [])
        if let chosen, let o = try await orgs.org(chosen) { unions.insert(o, at: 0) }
        let text = text.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty { unions += try await orgs.search(text, limit: 30) }
        var seen = Set<Int64>()
        return unions.filter { scope.covers($0.path) && $0.active && seen.insert($0.id).inserted }
    }
}
