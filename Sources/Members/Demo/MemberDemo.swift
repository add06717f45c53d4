import Foundation
import Platform
import SQLKit

/// A grassroots union the demo fills with members.
public struct DemoUnion: Sendable {
    public var id: Int64
    public var path: OrgPath
    public var name: String
    /// The 6-digit county code for the members' ID numbers.
    public var county: String

    public init(id: Int64, path: OrgPath, name: String, county: String) {
        self.id = id
        self.path = path
        self.name = name
        self.county = county
    }
}

/// Generates members with valid, unique ID numbers, deterministically from a seed, and
/// bulk-loads them (COPY on PostgreSQL). Then fills the counters and the rollups once.
public struct MemberDemo: Sendable {
    let database: Database
    let records: MemberRecords

    public init(database: Database, records: MemberRecords) {
        self.database = database
        self.records = records
    }

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文").map(String.init)
    static let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强海燕晓东春雨佳怡子轩浩然欣怡梓涵宇航思远建华淑珍凤英桂芳立新振华雪松文静").map(String.init)
    /// Birth dates spread over 1965–2004; the multiplier is coprime with the span, so
    /// (date, sequence) pairs never repeat within a county.
    static let firstBirthDay = CivilDate(year: 1965, month: 1, day: 1)!.dayNumber
    static let birthSpan = 14_610
    static let stride = 7_919

    public struct Summary: Sendable {
        public var members: Int
        public var seconds: Double
    }

    /// `perUnion` members on average per union (0...2× at random).
    public func load(unions: [DemoUnion], perUnion: Int, seed: UInt64, now: Date = Date(), progress: @Sendable (Int) -> Void = { _ in })
        async throws -> Summary
    {
        let start = ContinuousClock.now
        // How many in each union, and where each union starts in its county's numbering.
        var rng = DemoRandom(seed: seed)
        var counts: [Int] = []
        var offsets: [Int] = []
        var next: [String: Int] = [:]
        for union in unions {
            let n = Int(rng.next() % UInt64(2 * perUnion + 1))
            counts.append(n)
            offsets.append(next[union.county, default: 0])
            next[union.county, default: 0] += n
        }
        // Card coverage differs by county, so the dashboard has leaders and laggards.
        var coverage: [String: Double] = [:]
        for county in next.keys.sorted() { coverage[county] = 0.35 + Double(rng.next() % 55) / 100 }
        let dialect = database.dialect
        let firstId = try await database.withConnection { sql in
            try await sql.raw("SELECT COALESCE(MAX(id), 0) AS id FROM members").first()!.decode(column: "id", as: Int64.self)
        }
        var memberIds: [Int64] = []
        var running = firstId
        for c in counts { memberIds.append(running + 1); running += Int64(c) }
        let total = Int(running - firstId)
        let chunk = 200
        var loaded = 0
        let unionNames = Dictionary(unions.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        for batchStart in Swift.stride(from: 0, to: unions.count, by: chunk) {
            let range = batchStart..<min(batchStart + chunk, unions.count)
            // Generation (sealing, hashing) on all cores; loading in order.
            let members = await withTaskGroup(of: [Member].self) { group in
                for i in range {
                    let (union, count, offset, firstMemberId, share) = (unions[i], counts[i], offsets[i], memberIds[i], coverage[unions[i].county] ?? 0.5)
                    group.addTask {
                        (try? make(union: union, count: count, countyOffset: offset, firstId: firstMemberId, cardShare: share, seed: seed, now: now)) ?? []
                    }
                }
                var all: [Member] = []
                for await part in group { all += part }
                return all
            }
            try await database.transaction { sql in
                try await MemberStore().insert(members, importJob: nil, on: sql)
                try await Database.bulkInsert(
                    into: "memberships", columns: ["member_id", "org_id", "org_name", "started_on", "reason", "created_at"],
                    rows: members.map { m in [.int(m.id), .int(m.orgId), .text(unionNames[m.orgId] ?? ""), .text(m.joinDate), .text("入会"), .date(now)] },
                    on: sql)
            }
            loaded += members.count
            progress(loaded)
        }
        try await database.transaction { sql in
            if dialect == .postgres {
                try await sql.raw("SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT MAX(id) FROM members))").run()
            }
            try await sql.raw("DELETE FROM member_counters").run()
            // Counted: status IN ('active', 'retired_kept'), as MembershipStatus.isCounted says.
            try await sql.raw("INSERT INTO member_counters (org_id, metric, period, value) SELECT org_id, 'active', '', COUNT(*) FROM members WHERE status IN ('active', 'retired_kept') GROUP BY org_id").run()
            try await sql.raw("INSERT INTO member_counters (org_id, metric, period, value) SELECT org_id, 'retired', '', COUNT(*) FROM members WHERE status = 'retired_kept' GROUP BY org_id").run()
            try await sql.raw("INSERT INTO member_counters (org_id, metric, period, value) SELECT org_id, 'migrant', '', COUNT(*) FROM members WHERE status IN ('active', 'retired_kept') AND migrant_worker GROUP BY org_id").run()
            try await sql.raw("INSERT INTO member_counters (org_id, metric, period, value) SELECT org_id, 'cards', '', COUNT(*) FROM members WHERE status IN ('active', 'retired_kept') AND card_no IS NOT NULL GROUP BY org_id").run()
            try await sql.raw("INSERT INTO member_counters (org_id, metric, period, value) SELECT org_id, 'joined', substr(join_date, 1, 7), COUNT(*) FROM members GROUP BY org_id, substr(join_date, 1, 7)").run()
        }
        return Summary(members: total, seconds: Double((ContinuousClock.now - start).components.seconds))
    }

    func make(union: DemoUnion, count: Int, countyOffset: Int, firstId: Int64, cardShare: Double, seed: UInt64, now: Date) throws -> [Member] {
        var rng = DemoRandom(seed: seed &+ UInt64(union.id) &* 0x9E37_79B9)
        let today = CivilDate(date: now)
        var out: [Member] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            let j = countyOffset + k
            let day = (j * Self.stride) % Self.birthSpan
            let birth = CivilDate(dayNumber: Self.firstBirthDay + day)!
            let sequence = 2 * (j / Self.birthSpan) + Int(rng.next() % 2)
            let idNumber = IDNumber.make(region: union.county, birth: birth, sequence: sequence % 1000)
            let name = Self.surnames[Int(rng.next() % UInt64(Self.surnames.count))]
                + (0..<(1 + Int(rng.next() % 2))).map { _ in Self.given[Int(rng.next() % UInt64(Self.given.count))] }.joined()
            let phone = "1\([3, 5, 7, 8, 9][Int(rng.next() % 5)])\(String(format: "%09llu", rng.next() % 1_000_000_000))"
            let joinYear = max(birth.year + 18, 2000) + Int(rng.next() % UInt64(max(1, today.year - max(birth.year + 18, 2000) + 1)))
            let join = CivilDate(year: min(joinYear, today.year), month: 1 + Int(rng.next() % 12), day: 1 + Int(rng.next() % 28)).map { min($0, today) } ?? today
            let valid = ValidMember(
                name: name, gender: idNumber.gender, birthDate: birth, ethnicity: Self.ethnicity(rng.next()), idNumber: idNumber, phone: phone,
                education: Education.all[Int(rng.next() % UInt64(Education.all.count))].code,
                politicalStatus: rng.next() % 5 == 0 ? "01" : "13", job: nil, migrantWorker: rng.next() % 4 == 0, joinDate: join)
            var member = try records.make(valid, id: firstId + Int64(k), union: UnionRef(id: union.id, path: union.path, name: union.name,
                isGrassroots: true, isLocalFederation: false, active: true, address: nil, phone: nil, parentName: nil), workerId: nil, now: now)
            if Double(rng.next() % 1000) / 1000 < cardShare { member.cardNo = "6217" + String(format: "%012lld", member.id) }
            if birth.age(on: today) >= 60 && rng.next() % 2 == 0 { member.status = MembershipStatus.retiredKept.rawValue }
            out.append(member)
        }
        return out
    }

    /// Hebei is mostly 汉族, with 满族, 回族 and 蒙古族 communities.
    static func ethnicity(_ r: UInt64) -> String {
        switch r % 100 {
        case 0..<4: "11"
        case 4..<6: "03"
        case 6: "02"
        default: "01"
        }
    }
}
