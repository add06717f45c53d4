import Foundation
import Platform
import SQLKit

/// What a handler records when resolving.
public struct Resolution: Sendable {
    public var outcome: String?
    /// Yuan as typed (`115000`, `115000.50`): stored in fen.
    public var amountRecovered: String?
    public var peopleHelped: String?

    public init(outcome: String?, amountRecovered: String? = nil, peopleHelped: String? = nil) {
        self.outcome = outcome
        self.amountRecovered = amountRecovered
        self.peopleHelped = peopleHelped
    }
}

extension WorkOrderService {
    /// An order the actor may handle: `workorder.handle` over its current org.
    func handleable(_ id: Int64, actor: Actor) async throws -> WorkOrder {
        let order = try await get(id, actor: actor)
        try actor.require(.workOrderHandle, at: order.orgPath)
        guard order.status.isOpen else { throw AppError.conflict(WorkOrderText.notOpen) }
        return order
    }

    public func accept(_ id: Int64, actor: Actor) async throws -> WorkOrder {
        let order = try await handleable(id, actor: actor)
        guard order.status == .submitted else { throw AppError.conflict(WorkOrderText.notSubmitted) }
        let org = try await orgs.org(order.orgId)
        let accepted = try await change(
            order, actor: actor, action: "accepted", isPublic: true, orgName: org?.name,
            ["status": WorkOrder.Status.accepted.rawValue, "assignee_id": actor.accountId, "assignee_name": actorName(actor)]
        ) {
            sql, now in
            if let worker = order.workerId {
                try await store.notify(
                    .worker(worker), orderId: order.id, kind: "accepted",
                    text: WorkOrderText.acceptedByUnion(order.number, org?.name ?? ""), at: now, on: sql)
            }
        }
        await textCaller(order, WorkOrderText.acceptedSMS(order.number, org?.name ?? ""))
        return accepted
    }

    /// 转办: hand the order to another org in the actor's scope or to the parent org (上报);
    /// the new org gets the type's full time limit from today. The 转办说明 stays internal unless
    /// `tellWorker`: the worker is told the new union and deadline either way.
    public func transfer(_ id: Int64, to targetId: Int64?, note: String?, tellWorker: Bool = false, actor: Actor) async throws -> WorkOrder {
        let order = try await handleable(id, actor: actor)
        guard let targetId, let target = try await orgs.org(targetId), target.active else {
            throw AppError.validation(["targetOrgId": WorkOrderText.targetRequired])
        }
        guard target.id != order.orgId else { throw AppError.validation(["targetOrgId": WorkOrderText.targetSame]) }
        guard mayTransfer(order, to: target, actor: actor) else {
            throw AppError.validation(["targetOrgId": WorkOrderText.targetOutOfScope])
        }
        return try await move(order, to: target, action: "transferred", note: Self.text(note, max: 1000), tellWorker: tellWorker, actor: actor)
    }

    /// Moves an order to `target` with a fresh deadline; shared by transfer, reassign and take-over.
    /// The timeline's public entry names the unions and the deadline; the cadre's note is a separate
    /// internal entry unless it is meant for the worker.
    func move(_ order: WorkOrder, to target: HandlingOrg, action: String, note: String?, tellWorker: Bool = false, actor: Actor)
        async throws -> WorkOrder
    {
        let snapshot = try await catalog.snapshot()
        let dueOn = due(days: limitDays(order, snapshot), from: today, calendar: snapshot.calendar)
        let from = try await orgs.org(order.orgId)?.name ?? ""
        let shown = tellWorker ? note : nil
        let publicNote = ["\(from) → \(target.name)", shown, WorkOrderText.deadline(dueOn)].compactMap { $0 }.joined(separator: "；")
        let who = actorName(actor)
        let moved = try await change(
            order, actor: actor, action: action, note: publicNote, isPublic: true, orgName: target.name,
            [
                "status": WorkOrder.Status.submitted.rawValue, "org_id": target.id, "org_path": target.path.rawValue,
                "assignee_id": Int64?.none,
                "assignee_name": String?.none, "supervisor_org_id": Int64?.none, "supervisor_path": String?.none, "escalation_level": 0,
                "due_on": dueOn, "escalate_on": dueOn, "warned": false, "paused_on": String?.none,
            ]
        ) { sql, now in
            if let note, !tellWorker {
                try await store.event(order.id, actor: who, action: "note", note: note, isPublic: false, orgName: from, at: now, on: sql)
            }
            try await store.notify(
                .org(target.id), orderId: order.id, kind: "assigned", text: WorkOrderText.transferredIn(order.number, from),
                at: now, on: sql)
            if let worker = order.workerId {
                try await store.notify(
                    .worker(worker), orderId: order.id, kind: "transferred",
                    text: WorkOrderText.transferredForWorker(order.number, target.name, dueOn, note: shown), at: now, on: sql)
            }
        }
        await textCaller(order, WorkOrderText.transferredSMS(order.number, target.name, dueOn))
        return moved
    }

    /// 协办: ask another org to help; it sees the order until it replies.
    public func requestAssist(_ id: Int64, orgId: Int64?, note: String?, actor: Actor) async throws {
        let order = try await handleable(id, actor: actor)
        guard let orgId, let target = try await orgs.org(orgId), target.active else {
            throw AppError.validation(["targetOrgId": WorkOrderText.targetRequired])
        }
        guard target.id != order.orgId else { throw AppError.validation(["targetOrgId": WorkOrderText.targetSame]) }
        guard mayAskAssist(order, of: target, actor: actor) else {
            throw AppError.validation(["targetOrgId": WorkOrderText.assistOutOfScope])
        }
        guard let note = Self.text(note, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        let org = try await orgs.org(order.orgId)
        _ = try await change(
            order, actor: actor, action: "assist_requested", note: "\(target.name)：\(note)", isPublic: false, orgName: org?.name,
            [:]
        ) { sql, now in
            try await store.insertAssist(order: order.id, org: target, request: note, by: actorName(actor), at: now, on: sql)
            try await store.notify(
                .org(target.id), orderId: order.id, kind: "assist", text: WorkOrderText.assistAsked(order.number, org?.name ?? ""),
                at: now, on: sql)
        }
    }

    /// The assisting org answers.
    public func replyAssist(_ assistId: Int64, reply: String?, actor: Actor) async throws {
        let scope = try actor.requireScope(.workOrderHandle)
        let assist = try await database.withConnection { sql in try await store.assist(assistId, on: sql) }
        guard let assist, assist.reply == nil, scope.covers(assist.orgPath) else { throw AppError.notFound(WorkOrderText.assistNotFound) }
        guard let reply = Self.text(reply, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        let order = try await get(assist.orderId, actor: actor)
        _ = try await change(
            order, actor: actor, action: "assist_replied", note: "\(assist.orgName)：\(reply)", isPublic: false,
            orgName: assist.orgName, [:]
        ) { sql, now in
            try await store.replyAssist(assistId, reply: reply, by: actorName(actor), at: now, on: sql)
            try await store.notify(
                .org(order.orgId), orderId: order.id, kind: "assist", text: "\(assist.orgName)：\(reply)", at: now, on: sql)
        }
    }

    /// An internal note on the timeline.
    public func addNote(_ id: Int64, note: String?, actor: Actor) async throws {
        let order = try await handleable(id, actor: actor)
        guard let note = Self.text(note, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        _ = try await change(order, actor: actor, action: "note", note: note, isPublic: false, orgName: nil, [:])
    }

    /// Ask the worker for something: the deadline stops until they answer or the handler resumes.
    public func waitForWorker(_ id: Int64, note: String?, actor: Actor) async throws -> WorkOrder {
        let order = try await handleable(id, actor: actor)
        guard order.status == .accepted else { throw AppError.conflict(WorkOrderText.notAccepted) }
        guard let note = Self.text(note, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        return try await change(
            order, actor: actor, action: "waiting", note: note, isPublic: true, orgName: nil,
            ["status": WorkOrder.Status.waiting.rawValue, "paused_on": today.iso, "escalate_on": String?.none]
        ) { sql, now in
            if let worker = order.workerId {
                try await store.notify(
                    .worker(worker), orderId: order.id, kind: "waiting", text: WorkOrderText.waitingForYou(order.number, note),
                    at: now, on: sql)
            }
        }
    }

    /// Restart the clock after a pause: the deadline moves by the working days spent waiting.
    func resumeChanges(_ order: WorkOrder) async throws -> [String: any Encodable & Sendable] {
        let calendar = try await catalog.snapshot().calendar
        let paused = order.pausedOn.flatMap { CivilDate(iso: $0) } ?? today
        let lost = calendar.workingDays(after: paused, through: today)
        let dueOn = calendar.adding(workingDays: lost, to: CivilDate(iso: order.dueOn) ?? today).iso
        let escalateOn = order.escalationLevel == 0 ? dueOn : calendar.adding(workingDays: Self.escalationStepDays, to: today).iso
        return ["status": WorkOrder.Status.accepted.rawValue, "paused_on": String?.none, "due_on": dueOn, "escalate_on": escalateOn]
    }

    public func resume(_ id: Int64, actor: Actor) async throws -> WorkOrder {
        let order = try await handleable(id, actor: actor)
        guard order.status == .waiting else { throw AppError.conflict(WorkOrderText.notWaiting) }
        return try await change(order, actor: actor, action: "resumed", isPublic: true, orgName: nil, try await resumeChanges(order))
    }

    /// 办结: the outcome, with the amount recovered and people helped where it applies.
    public func resolve(_ id: Int64, _ resolution: Resolution, actor: Actor) async throws -> WorkOrder {
        let order = try await handleable(id, actor: actor)
        guard order.status == .accepted else { throw AppError.conflict(WorkOrderText.notAccepted) }
        var v = Validator()
        let outcome = Self.text(resolution.outcome, max: 2000)
        v.check(outcome != nil, "outcome", WorkOrderText.outcomeRequired)
        let amount = Self.fen(resolution.amountRecovered)
        v.check(amount != nil, "amountRecovered", WorkOrderText.amountInvalid)
        let people = Self.count(resolution.peopleHelped)
        v.check(people != nil, "peopleHelped", WorkOrderText.peopleInvalid)
        try v.validate()
        let today = self.today
        let onTime = !order.wasOverdue && today.iso <= order.dueOn
        let days = Int64(max(0, today.dayNumber - CivilDate(date: order.createdAt).dayNumber))
        let org = try await orgs.org(order.orgId)
        let closeAfter = today.adding(days: Self.ratingWindowDays)!.iso
        let resolved = try await change(
            order, actor: actor, action: "resolved", note: outcome, isPublic: true, orgName: org?.name,
            [
                "status": WorkOrder.Status.resolved.rawValue, "outcome": outcome!, "amount_recovered": amount!, "people_helped": people!,
                "resolved_at": clock.now(), "resolved_on_time": onTime, "escalate_on": String?.none, "close_after": closeAfter,
            ]
        ) { sql, now in
            try await store.count(
                order, org: (order.orgId, order.orgPath), on: today,
                Counters(resolved: 1, onTime: onTime ? 1 : 0, handlingDays: days), on: sql)
            if let worker = order.workerId {
                try await store.notify(
                    .worker(worker), orderId: order.id, kind: "resolved", text: WorkOrderText.resolvedForWorker(order.number),
                    at: now, on: sql)
            }
        }
        await textCaller(order, WorkOrderText.resolvedSMS(order.number))
        return resolved
    }

    /// A text message to the caller once the change has committed; a failed send loses nothing
    /// (the in-app notice and the timeline hold the same news).
    func textCaller(_ order: WorkOrder, _ body: String) async {
        guard let phone = try? await callerPhone(order.id) else { return }
        try? await messenger.send(to: phone, body: body)
    }

    func callerPhone(_ id: Int64) async throws -> String? {
        let sealed = try await database.withConnection { sql in try await store.callerPhoneCipher(id, on: sql) }
        return try sealed.map { try cipher.open($0, for: WorkOrderFields.callerPhone) }
    }

    // MARK: Supervision (督办)

    /// Orders escalated to an org in the actor's supervision scope, oldest deadline first.
    func supervisable(_ id: Int64, actor: Actor) async throws -> WorkOrder {
        let order = try await get(id, actor: actor)
        guard let supervisor = order.supervisorPath else { throw AppError.conflict(WorkOrderText.notEscalated) }
        guard actor.scope(.workOrderSupervise).covers(supervisor) else {
            throw AppError(.forbidden, code: "forbidden", message: WorkOrderText.superviseOutOfScope)
        }
        guard order.status.isOpen else { throw AppError.conflict(WorkOrderText.notOpen) }
        return order
    }

    public func urge(_ id: Int64, note: String?, actor: Actor) async throws {
        let order = try await supervisable(id, actor: actor)
        guard let note = Self.text(note, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        _ = try await change(order, actor: actor, action: "urged", note: note, isPublic: false, orgName: nil, [:]) { sql, now in
            try await store.notify(
                .org(order.orgId), orderId: order.id, kind: "urged", text: WorkOrderText.urged(order.number, note), at: now, on: sql)
            if let assignee = order.assigneeId {
                try await store.notify(
                    .account(assignee), orderId: order.id, kind: "urged", text: WorkOrderText.urged(order.number, note), at: now, on: sql)
            }
        }
    }

    /// 改派: the supervising org sends the order to another org of its subtree.
    public func reassign(_ id: Int64, to targetId: Int64?, note: String?, actor: Actor) async throws -> WorkOrder {
        let order = try await supervisable(id, actor: actor)
        guard let targetId, let target = try await orgs.org(targetId), target.active else {
            throw AppError.validation(["targetOrgId": WorkOrderText.targetRequired])
        }
        guard mayReassign(to: target, actor: actor) else {
            throw AppError.validation(["targetOrgId": WorkOrderText.targetOutOfScope])
        }
        guard target.id != order.orgId else { throw AppError.validation(["targetOrgId": WorkOrderText.targetSame]) }
        return try await move(order, to: target, action: "reassigned", note: Self.text(note, max: 1000), actor: actor)
    }

    /// 提级办理: the supervising org handles the order itself.
    public func takeOver(_ id: Int64, actor: Actor) async throws -> WorkOrder {
        let order = try await supervisable(id, actor: actor)
        guard let supervisorId = order.supervisorOrgId, let target = try await orgs.org(supervisorId) else {
            throw AppError.conflict(WorkOrderText.notEscalated)
        }
        return try await move(order, to: target, action: "taken_over", note: nil, actor: actor)
    }

    // MARK: Follow-up (回访)

    /// An operator's follow-up call; a rating given on the call counts if the worker has not rated.
    public func followUp(_ id: Int64, note: String?, rating: Int?, actor: Actor) async throws -> WorkOrder {
        let order = try await get(id, actor: actor)
        try actor.require(.workOrderIntake, at: order.orgPath)
        guard order.status == .resolved || order.status == .closed else { throw AppError.conflict(WorkOrderText.notResolved) }
        guard order.followupAt == nil else { throw AppError.conflict(WorkOrderText.followupDone) }
        guard let note = Self.text(note, max: 1000) else { throw AppError.validation(["note": WorkOrderText.noteRequired]) }
        if let rating, !(1...5).contains(rating) { throw AppError.validation(["rating": WorkOrderText.ratingInvalid]) }
        let now = clock.now()
        var changes: [String: any Encodable & Sendable] = ["followup_at": now, "followup_note": note]
        let counted = order.rating == nil ? rating : nil
        if let counted {
            changes["rating"] = counted
            changes["rated_at"] = now
            changes["status"] = WorkOrder.Status.closed.rawValue
            changes["closed_at"] = now
        }
        let text = rating.map { note + WorkOrderText.followupRating($0) } ?? note
        return try await change(order, actor: actor, action: "followup", note: text, isPublic: false, orgName: nil, changes) { sql, _ in
            if let counted { try await store.count(order, org: (order.orgId, order.orgPath), on: today, Counters.rating(counted), on: sql) }
        }
    }

    // MARK: The one write path

    /// Applies `changes` to an order that must not have changed since it was read, with its timeline
    /// entry, any side effects and the audit entry, in one transaction; returns the order as stored.
    func change(
        _ order: WorkOrder, actor: Actor, by: String? = nil, action: String, note: String? = nil, isPublic: Bool, orgName: String?,
        _ changes: [String: any Encodable & Sendable],
        also: (@Sendable (any SQLDatabase, Date) async throws -> Void)? = nil
    ) async throws -> WorkOrder {
        let now = clock.now()
        let who = by ?? actorName(actor)
        return try await database.transaction { [store] sql in
            try await store.update(order, changes, now: now, on: sql)
            try await store.event(order.id, actor: who, action: action, note: note, isPublic: isPublic, orgName: orgName, at: now, on: sql)
            try await also?(sql, now)
            try await audit(actor, action, order, on: sql)
            guard let changed = try await store.order(order.id, on: sql) else { throw AppError.notFound(WorkOrderText.notFound) }
            return changed
        }
    }

    /// Yuan as typed → fen; empty → 0.
    static func fen(_ raw: String?) -> Int64? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? 0 : Fen(yuan: t)?.value
    }

    static func count(_ raw: String?) -> Int? {
        let t = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return 0 }
        guard let n = Int(t), (0...100_000).contains(n) else { return nil }
        return n
    }
}

extension Counters {
    /// A rating of 4 or 5 counts as satisfied (满意 / 基本满意).
    static func rating(_ stars: Int) -> Counters {
        Counters(rated: 1, satisfied: stars >= 4 ? 1 : 0, ratingSum: Int64(stars))
    }
}
