import Platform
import Foundation

/// Lookup key for the code tables: no spaces of any width, full-width letters and digits as ASCII.
func codeTableKey(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for s in text.unicodeScalars {
        let c = CivilDate.halfWidth(s)
        if c.properties.isWhitespace || c.value == 0xFEFF || (0x200B...0x200D).contains(c.value) { continue }
        out.append(c)
    }
    return String(out)
}

/// A code given with one digit (`1`) or two (`01`), as two digits.
func twoDigitCode(_ key: String) -> String? {
    guard (1...2).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    return key.utf8.count == 1 ? "0" + key : key
}

/// A table of coded values (民族, 学历, 政治面貌) looked up by code or by what people write.
protocol CodeTable {
    static var byCode: [String: Self] { get }
    /// Names, short names and aliases.
    static var byName: [String: Self] { get }
}

extension CodeTable {
    public init?(code: String) {
        guard let value = Self.byCode[code] else { return nil }
        self = value
    }

    /// A name or an alias (`汉族`, `汉`, `本科`, `党员`), or the code (`01`, `1`).
    public init?(name: String) {
        let key = codeTableKey(name)
        guard let value = Self.byName[key] ?? twoDigitCode(key).flatMap({ Self.byCode[$0] }) else { return nil }
        self = value
    }
}

// MARK: - Gender

/// Gender as recorded on the ID card (GB/T 2261.1: 1 男, 2 女). Stored as the raw value.
public enum Gender: String, Sendable, Hashable, Codable, CaseIterable {
    case male
    case female

    /// GB/T 2261.1 code.
    public var code: String {
        switch self {
        case .male: "1"
        case .female: "2"
        }
    }

    public var label: String {
        switch self {
        case .male: ValueText.male
        case .female: ValueText.female
        }
    }

    /// `男`/`女` (also `男性`/`女性`) or the GB/T 2261.1 code `1`/`2`.
    public init?(label: String) {
        switch codeTableKey(label) {
        case "男", "男性", "1", "male": self = .male
        case "女", "女性", "2", "female": self = .female
        default: return nil
        }
    }

    public init?(code: String) {
        switch code {
        case "1": self = .male
        case "2": self = .female
        default: return nil
        }
    }
}

// MARK: - Ethnicity (GB/T 3304-1991)

/// One of the 56 ethnic groups (民族), with its GB/T 3304 two-digit code. Stored as `code`.
public struct Ethnicity: CodeTable, Sendable, Hashable, Codable, Identifiable {
    public let code: String
    public let name: String
    public var id: String { code }

    init(_ code: String, _ name: String) {
        self.code = code
        self.name = name
    }

    /// The name without the trailing `族` (`汉`, `蒙古`, `维吾尔`).
    public var shortName: String { name.hasSuffix("族") ? String(name.dropLast()) : name }

    /// All 56, in code order (01 汉族 … 56 基诺族).
    public static let all: [Ethnicity] = [
        .init("01", "汉族"), .init("02", "蒙古族"), .init("03", "回族"), .init("04", "藏族"),
        .init("05", "维吾尔族"), .init("06", "苗族"), .init("07", "彝族"), .init("08", "壮族"),
        .init("09", "布依族"), .init("10", "朝鲜族"), .init("11", "满族"), .init("12", "侗族"),
        .init("13", "瑶族"), .init("14", "白族"), .init("15", "土家族"), .init("16", "哈尼族"),
        .init("17", "哈萨克族"), .init("18", "傣族"), .init("19", "黎族"), .init("20", "傈僳族"),
        .init("21", "佤族"), .init("22", "畲族"), .init("23", "高山族"), .init("24", "拉祜族"),
        .init("25", "水族"), .init("26", "东乡族"), .init("27", "纳西族"), .init("28", "景颇族"),
        .init("29", "柯尔克孜族"), .init("30", "土族"), .init("31", "达斡尔族"), .init("32", "仫佬族"),
        .init("33", "羌族"), .init("34", "布朗族"), .init("35", "撒拉族"), .init("36", "毛南族"),
        .init("37", "仡佬族"), .init("38", "锡伯族"), .init("39", "阿昌族"), .init("40", "普米族"),
        .init("41", "塔吉克族"), .init("42", "怒族"), .init("43", "乌孜别克族"), .init("44", "俄罗斯族"),
        .init("45", "鄂温克族"), .init("46", "德昂族"), .init("47", "保安族"), .init("48", "裕固族"),
        .init("49", "京族"), .init("50", "塔塔尔族"), .init("51", "独龙族"), .init("52", "鄂伦春族"),
        .init("53", "赫哲族"), .init("54", "门巴族"), .init("55", "珞巴族"), .init("56", "基诺族"),
    ]

    /// Former official names and a common variant spelling, still found in old records.
    static let formerNames: [String: String] = [
        "崩龙族": "46",  // renamed 德昂族 in 1985
        "毛难族": "36",  // renamed 毛南族 in 1986
        "乌兹别克族": "43",
    ]

    static let byCode: [String: Ethnicity] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    static let byName: [String: Ethnicity] = {
        var map: [String: Ethnicity] = [:]
        for e in all {
            map[e.name] = e
            map[e.shortName] = e
        }
        for (name, code) in formerNames {
            map[name] = byCode[code]
            map[String(name.dropLast())] = byCode[code]
        }
        return map
    }()

}

// MARK: - Education (GB/T 4658-2006, simplified)

/// Highest education (学历), simplified to the levels members are asked about. `code` is the
/// GB/T 4658-2006 code of the graduate (毕业) entry of the level; 研究生 (10) is the group code,
/// for records that do not say whether it is a doctorate or a master's.
public struct Education: CodeTable, Sendable, Hashable, Codable, Identifiable {
    public let code: String
    public let name: String
    /// Other names accepted on input (the standard's own wording, common abbreviations).
    public let aliases: [String]
    public var id: String { code }

    init(_ code: String, _ name: String, _ aliases: [String]) {
        self.code = code
        self.name = name
        self.aliases = aliases
    }

    /// In code order, highest level first.
    public static let all: [Education] = [
        .init("10", "研究生", ["研究生教育", "研究生毕业"]),
        .init("11", "博士研究生", ["博士", "博士研究生毕业"]),
        .init("14", "硕士研究生", ["硕士", "硕士研究生毕业"]),
        .init("21", "大学本科", ["本科", "大学本科毕业", "大学本科教育"]),
        .init("31", "大学专科", ["专科", "大专", "大学专科毕业", "大学专科教育"]),
        .init("41", "中等专科", ["中专", "中等专科毕业"]),
        .init("44", "职业高中", ["职高", "职业高中毕业"]),
        .init("47", "技工学校", ["技校", "技工学校毕业"]),
        .init("61", "高中", ["普通高中", "普通高中毕业", "高中毕业"]),
        .init("71", "初中", ["初中毕业", "初级中学"]),
        .init("81", "小学", ["小学毕业"]),
        .init("90", "其他", ["其它"]),
    ]

    static let byCode: [String: Education] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
    static let byName: [String: Education] = {
        var map: [String: Education] = [:]
        for e in all {
            map[e.name] = e
            for a in e.aliases { map[a] = e }
        }
        return map
    }()

}

// MARK: - Political status (GB/T 4762-1984)

/// Political status (政治面貌), GB/T 4762 two-digit codes 01-13. `name` is the standard's short
/// name (`中共党员`), `fullName` the full one (`中国共产党党员`).
public struct PoliticalStatus: CodeTable, Sendable, Hashable, Codable, Identifiable {
    public let code: String
    public let name: String
    public let fullName: String
    public let aliases: [String]
    public var id: String { code }

    init(_ code: String, _ name: String, _ fullName: String, _ aliases: [String]) {
        self.code = code
        self.name = name
        self.fullName = fullName
        self.aliases = aliases
    }

    public static let all: [PoliticalStatus] = [
        .init("01", "中共党员", "中国共产党党员", ["党员", "共产党员"]),
        .init("02", "中共预备党员", "中国共产党预备党员", ["预备党员"]),
        .init("03", "共青团员", "中国共产主义青年团团员", ["团员"]),
        .init("04", "民革会员", "中国国民党革命委员会会员", ["民革党员", "民革"]),
        .init("05", "民盟盟员", "中国民主同盟盟员", ["民盟"]),
        .init("06", "民建会员", "中国民主建国会会员", ["民建"]),
        .init("07", "民进会员", "中国民主促进会会员", ["民进"]),
        .init("08", "农工党党员", "中国农工民主党党员", ["农工党", "农工民主党党员"]),
        .init("09", "致公党党员", "中国致公党党员", ["致公党"]),
        .init("10", "九三学社社员", "九三学社社员", ["九三学社"]),
        .init("11", "台盟盟员", "台湾民主自治同盟盟员", ["台盟"]),
        .init("12", "无党派人士", "无党派民主人士", ["无党派"]),
        .init("13", "群众", "群众", []),
    ]

    static let byCode: [String: PoliticalStatus] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
    static let byName: [String: PoliticalStatus] = {
        var map: [String: PoliticalStatus] = [:]
        for p in all {
            map[p.name] = p
            map[p.fullName] = p
            for a in p.aliases { map[a] = p }
        }
        return map
    }()

}

// MARK: - Membership status

/// Where a member's membership (会籍) stands. Raw values are stored.
public enum MembershipStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// 在会: a member of a union now.
    case active
    /// 已转出: moved to a union outside this system.
    case transferredOut = "transferred_out"
    /// 退休保留会籍: retired, membership kept (no dues, still counted).
    case retiredKept = "retired_kept"
    /// 已退会: left, or deemed to have left (《中国工会章程》: six months without dues or union life), or expelled.
    case lapsed
    /// 已故.
    case deceased

    /// On the rolls: counted as a member (working or retired-kept).
    public var isCounted: Bool { self == .active || self == .retiredKept }

    public var label: String {
        switch self {
        case .active: ValueText.statusActive
        case .transferredOut: ValueText.statusTransferredOut
        case .retiredKept: ValueText.statusRetiredKept
        case .lapsed: ValueText.statusLapsed
        case .deceased: ValueText.statusDeceased
        }
    }
}
