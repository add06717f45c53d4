import Foundation
import Platform
import SQLKit

/// Demo work orders: many plain ones at one org (bulk, for benchmarks and lists), and a few
/// stories a newcomer can follow, filed and handled through the service like real ones.
public struct WorkOrderDemo: Sendable {
    let database: Database
    let orders: WorkOrderService

    public init(database: Database, orders: WorkOrderService) {
        self.database = database
        self.orders = orders
    }

    static let categories = ["wage_arrears", "labour_contract", "social_insurance", "work_injury", "hardship", "rights_consultation"]

    /// `count` submitted orders at `org`, titled `讨薪 1`…`讨薪 N` (searchable), in batches.
    public func bulk(count: Int, org: HandlingOrg, seed: UInt64) async throws {
        let snapshot = try await orders.catalog.snapshot()
        let today = CivilDate(date: orders.clock.now())
        let due = snapshot.calendar.adding(workingDays: 5, to: today).iso
        let now = orders.clock.now()
        var rng = DemoRandom(seed: seed)
        var done = 0
        while done < count {
            let n = min(5000, count - done)
            let offset = done
            let phones = (0..<n).map { _ in "139" + String(format: "%08d", Int(rng.next() % 100_000_000)) }
            try await database.transaction { sql in
                let start = try await Self.nextId(on: sql)
                var rows: [[BulkValue]] = []
                for i in 0..<n {
                    let k = offset + i + 1
                    let phone = phones[i]
                    rows.append([
                        .text(today.yyyymmdd + String(format: "%06lld", start + Int64(i))), .text("assistance"),
                        .text(Self.categories[k % Self.categories.count]), .text("normal"), .text("hotline"), .text("讨薪 \(k)"),
                        .text("工资拖欠三个月，共 13 人"), .text("submitted"), .text("职工\(k)"), .text(try orders.cipher.seal(phone, for: WorkOrderFields.callerPhone)),
                        .text(orders.phoneIndex(phone)), .text(Phone.mask(phone)), .int(org.id), .int(org.id),
                        .text(org.path.rawValue),
                        .text(due), .text(due), .text("12351 热线（演示数据）"), .date(now), .date(now),
                    ])
                }
                try await Database.bulkInsert(
                    into: "work_orders",
                    columns: [
                        "number", "type_code", "category_code", "complexity", "channel", "title", "description", "status", "caller_name",
                        "caller_phone_cipher", "caller_phone_index", "caller_phone_mask", "origin_org_id", "org_id", "org_path", "due_on",
                        "escalate_on", "created_by", "created_at", "updated_at",
                    ],
                    rows: rows, on: sql)
                var perCategory: [String: Int64] = [:]
                for i in 0..<n { perCategory[Self.categories[(offset + i + 1) % Self.categories.count], default: 0] += 1 }
                for (category, created) in perCategory {
                    try await orders.store.count(
                        WorkOrder.demo(type: "assistance", category: category), org: (org.id, org.path), on: today,
                        Counters(created: created), on: sql)
                }
            }
            done += n
        }
    }

    /// The id the next inserted order will get, so bulk rows can carry their number (ids are only a hint; numbers stay unique by the index).
    static func nextId(on sql: any SQLDatabase) async throws -> Int64 {
        let row = try await sql.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM work_orders").first()
        return try row?.decode(column: "n", as: Int64.self) ?? 1
    }

    /// A few orders in different states: the wage-arrears story resolved and rated, others waiting.
    public func stories(
        worker: (id: Int64, name: String)?, grassroots: HandlingOrg, township: HandlingOrg, handler: Actor, operatorActor: Actor
    )
        async throws
    {
        let call = try await orders.fileByStaff(
            IntakeInput(
                typeCode: "assistance", categoryCode: "wage_arrears", title: "建筑工地拖欠 13 名农民工工资",
                description: "某建筑公司拖欠 13 名农民工 2026 年 8 月至 10 月工资共 11.5 万元，多次讨要未果。", unionId: township.id,
                callerName: "赵大勇", callerPhone: "13903110001"), channel: .hotline, actor: operatorActor)
        _ = try await orders.accept(call.id, actor: handler)
        _ = try await orders.resolve(
            call.id,
            Resolution(
                outcome: "经工作站协调劳动监察部门约谈企业，11.5 万元工资已全部发放到 13 名职工手中。",
                amountRecovered: "115000", peopleHelped: "13"), actor: handler)
        _ = try await orders.followUp(call.id, note: "电话回访，职工表示满意", rating: 5, actor: operatorActor)
        let contract = try await orders.fileByStaff(
            IntakeInput(
                typeCode: "consultation", categoryCode: "labour_contract", title: "试用期被辞退是否有补偿",
                description: "入职两个月，试用期内被口头辞退，想咨询能否要求经济补偿。", unionId: grassroots.id, callerName: "孙丽",
                callerPhone: "13903110002"), channel: .hotline, actor: operatorActor)
        _ = try await orders.accept(contract.id, actor: handler)
        _ = try await orders.fileByStaff(
            IntakeInput(
                typeCode: "legal_aid", categoryCode: "work_injury", title: "工伤认定后企业拒不支付伤残补助",
                description: "去年工伤认定为九级伤残，企业至今未支付一次性伤残补助金，请求法律援助。", unionId: grassroots.id,
                callerName: "周建军", callerPhone: "13903110003"), channel: .walkIn, actor: operatorActor)
        _ = try await orders.fileByStaff(
            IntakeInput(
                typeCode: "assistance", categoryCode: "hardship", title: "家属重病，申请困难帮扶",
                description: "爱人患重病住院，家庭收入微薄，申请困难职工帮扶。", unionId: grassroots.id, callerName: "吴秀兰",
                callerPhone: "13903110004"), channel: .walkIn, actor: operatorActor)
    }
}

extension WorkOrder {
    /// Just enough of an order to key a counter row.
    static func demo(type: String, category: String) -> WorkOrder {
        WorkOrder(
            id: 0, number: "", typeCode: type, categoryCode: category, complexity: .normal, channel: .hotline, title: "", description: "",
            status: .submitted, callerName: "", originOrgId: 0, orgId: 0, orgPath: .root(1), escalationLevel: 0, wasOverdue: false,
            dueOn: "", reopenCount: 0, createdBy: "", version: 0, createdAt: Date(), updatedAt: Date())
    }
}
