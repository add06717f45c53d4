import Foundation
import Platform
import SQLKit

/// Builds the Hebei demo tree: the provincial federation, its 11 cities, their real counties and
/// townships (from the region catalogue), industrial unions, and generated grassroots unions.
/// Rows are bulk-inserted with ids chosen here, so a province-sized tree loads in seconds.
public struct DemoTree: Sendable {
    public enum Scale: String, Sendable, CaseIterable {
        case small, province

        /// Grassroots unions per township: about 55,000 unions in all at province scale.
        var grassrootsPerTownship: ClosedRange<Int> { self == .small ? 1...3 : 18...28 }
    }

    public struct Summary: Sendable {
        public var total: Int
        public var byLevel: [OrgLevel: Int]
        /// Org ids by region code (for demo accounts) and a few named ones.
        public var idsByRegion: [String: Int64]
    }

    let database: Database
    let regions: RegionCatalogue

    public init(database: Database, regions: RegionCatalogue = .shared) {
        self.database = database
        self.regions = regions
    }

    struct Row {
        var id: Int64
        var parentId: Int64?
        var path: String
        var depth: Int
        var level: OrgLevel
        var kind: OrgKind
        var regionCode: String?
        var name: String
        var address: String?
        var phone: String?
        var childCount = 0
    }

    public func isEmpty() async throws -> Bool {
        try await database.withConnection { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM organizations").first()!.decode(column: "n", as: Int.self) == 0
        }
    }

    public func build(scale: Scale, seed: UInt64, now: Date = Date()) async throws -> Summary {
        var rng = DemoRandom(seed: seed)
        var rows: [Row] = []
        var nextId: Int64 = 1
        func add(_ parent: Int?, _ level: OrgLevel, _ kind: OrgKind, _ name: String, region: String?, address: String?, phone: String?) -> Int {
            let id = nextId
            nextId += 1
            let parentRow = parent.map { rows[$0] }
            let path = (parentRow?.path ?? "/") + "\(id)/"
            rows.append(Row(id: id, parentId: parentRow?.id, path: path, depth: (parentRow?.depth ?? -1) + 1, level: level,
                            kind: kind, regionCode: region, name: name, address: address, phone: phone))
            if let parent { rows[parent].childCount += 1 }
            return rows.count - 1
        }
        func phone(_ code: String) -> String {
            "\(DemoNames.areaCodes[String(code.prefix(4))] ?? "0311")-\(Int.random(in: 6000_0000...8999_9999, using: &rng))"
        }

        let provinceCode = "130000"
        let province = add(nil, .province, .federation, "河北省总工会", region: provinceCode,
                           address: "河北省石家庄市长安区建设北大街", phone: "0311-12351")
        for (name, enterprises) in DemoNames.industrial {
            let union = add(province, .province, .industrial, name, region: nil, address: "河北省石家庄市", phone: phone(provinceCode))
            for enterprise in enterprises {
                _ = add(union, .grassroots, .grassroots, enterprise, region: nil, address: nil, phone: phone(provinceCode))
            }
        }
        for city in regions.children(of: provinceCode) where city.level == .city {
            let cityIdx = add(province, .city, .federation, city.name + "总工会", region: city.code,
                              address: "河北省\(city.name)", phone: phone(city.code))
            for county in regions.children(of: city.code) where county.level == .county {
                let countyIdx = add(cityIdx, .county, .federation, county.name + "总工会", region: county.code,
                                    address: "河北省\(city.name)\(county.name)", phone: phone(county.code))
                let countyShort = DemoNames.short(county.name)
                let federation = add(countyIdx, .county, .regionalFederation, "\(countyShort)建筑行业工会联合会", region: county.code,
                                     address: nil, phone: phone(county.code))
                for _ in 0..<2 {
                    _ = add(federation, .grassroots, .jointGrassroots,
                            "\(countyShort)\(rng.pick(DemoNames.brands))建筑劳务联合工会", region: county.code, address: nil, phone: nil)
                }
                for township in regions.children(of: county.code) where township.level == .township {
                    let townIdx = add(countyIdx, .township, .federation, township.name + "总工会", region: township.code,
                                      address: "河北省\(city.name)\(county.name)\(township.name)", phone: phone(township.code))
                    var used: Set<String> = []
                    for n in 0..<Int.random(in: scale.grassrootsPerTownship, using: &rng) {
                        var name = grassrootsName(county: countyShort, township: DemoNames.short(township.name), index: n, rng: &rng)
                        while used.contains(name) { name = grassrootsName(county: countyShort, township: DemoNames.short(township.name), index: n + 7, rng: &rng) }
                        used.insert(name)
                        let kind: OrgKind = name.hasSuffix("联合工会") ? .jointGrassroots : .grassroots
                        _ = add(townIdx, .grassroots, kind, name, region: township.code,
                                address: "\(county.name)\(township.name)\(rng.pick(DemoNames.roads))\(Int.random(in: 1...300, using: &rng))号",
                                phone: phone(township.code))
                    }
                }
            }
        }
        try await insert(rows, now: now)
        var byLevel: [OrgLevel: Int] = [:]
        var idsByRegion: [String: Int64] = [:]
        for row in rows {
            byLevel[row.level, default: 0] += 1
            if row.kind == .federation, let code = row.regionCode { idsByRegion[code] = row.id }
        }
        return Summary(total: rows.count, byLevel: byLevel, idsByRegion: idsByRegion)
    }

    func grassrootsName(county: String, township: String, index: Int, rng: inout DemoRandom) -> String {
        switch index {
        case 0 where rng.chance(0.5): return "\(township)中心小学工会"
        case 1 where rng.chance(0.4): return "\(township)卫生院工会"
        case 2 where rng.chance(0.3):
            return "\(township)\(rng.pick(DemoNames.villages))\(rng.pick(DemoNames.villageSuffixes))村联合工会"
        default:
            return "\(county)\(rng.pick(DemoNames.brands))\(rng.pick(DemoNames.trades))\(rng.pick(DemoNames.companyTypes))工会委员会"
        }
    }

    func insert(_ rows: [Row], now: Date) async throws {
        let dialect = database.dialect
        try await database.transaction { sql in
            for batch in stride(from: 0, to: rows.count, by: 500) {
                let insert = sql.insert(into: "organizations")
                    .columns("id", "parent_id", "path", "depth", "level", "kind", "region_code", "name", "address", "phone",
                             "status", "child_count", "created_at", "updated_at")
                for row in rows[batch..<min(batch + 500, rows.count)] {
                    insert.values(
                        SQLBind(row.id), SQLBind(row.parentId), SQLBind(row.path), SQLBind(row.depth), SQLBind(row.level.rawValue),
                        SQLBind(row.kind.rawValue), SQLBind(row.regionCode), SQLBind(row.name), SQLBind(row.address),
                        SQLBind(row.phone), SQLBind(OrgStatus.active.rawValue), SQLBind(row.childCount), SQLBind(now), SQLBind(now))
                }
                try await insert.run()
            }
            if dialect == .postgres {
                try await sql.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), (SELECT MAX(id) FROM organizations))").run()
            }
        }
    }
}
