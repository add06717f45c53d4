import Platform
import Foundation
import Testing

@testable import Members

/// Value types of the Members module: ID numbers (GB 11643-1999), phones, code tables.
@Suite struct MemberValueTests {
    static let regions = IDRegions(codes: ["110105", "130102", "130104", "422301", "440524"])
    static let today = CivilDate(year: 2026, month: 11, day: 22)!

    func parse(_ raw: String) -> Result<IDNumber, IDNumberProblem> {
        IDNumber.parse(raw, regions: Self.regions, today: Self.today)
    }

    func problem(_ raw: String) -> IDNumberProblem? {
        if case .failure(let p) = parse(raw) { return p }
        return nil
    }

    // MARK: ID numbers

    @Test(arguments: [
        ("130102199003071233", "130102199003071233"),
        ("11010519491231002X", "11010519491231002X"),  // the standard's own example, X check character
        ("11010519491231002x", "11010519491231002X"),  // lower-case x
        ("11010519491231002ｘ", "11010519491231002X"),  // full-width x
        ("１３０１０２１９９００３０７１２３３", "130102199003071233"),  // full-width digits
        ("  130102 19900307 1233\t", "130102199003071233"),  // spaces outside and inside
        ("\u{3000}130102199003071233\u{00A0}", "130102199003071233"),  // ideographic and no-break space
        ("'130102199003071233", "130102199003071233"),  // Excel text marker
        ("422301197001010054", "422301197001010054"),  // 咸宁市, abolished 1998
    ])
    func validNumbers(raw: String, normalized: String) throws {
        let id = try parse(raw).get()
        #expect(id.value == normalized)
    }

    @Test func fields() throws {
        let id = try parse("130102199003071233").get()
        #expect(id.regionCode == "130102")
        #expect(id.birthDate == CivilDate(year: 1990, month: 3, day: 7))
        #expect(id.gender == .male)  // 17th digit 3
        let woman = try parse("130102198511200025").get()
        #expect(woman.gender == .female)  // 17th digit 2
        #expect(woman.birthDate.iso == "1985-11-20")
        let x = try parse("11010519491231002X").get()
        #expect(x.gender == .female)
        #expect(x.birthDate == CivilDate(year: 1949, month: 12, day: 31))
    }

    @Test func throwingInit() throws {
        #expect(try IDNumber("130102199003071233", regions: Self.regions, today: Self.today).value == "130102199003071233")
        #expect(throws: IDNumberProblem.badCheckDigit) {
            try IDNumber("130102199003071234", regions: Self.regions, today: Self.today)
        }
    }

    @Test func existentialRegionSet() {
        let any: any RegionCodeSet = Self.regions
        #expect((try? IDNumber.parse("130102199003071233", regions: any).get()) != nil)
        #expect((try? IDNumber.parse("999999199003071233", regions: AnyRegionCode()).get()) == nil)  // check digit
    }

    @Test func wrongCheckDigit() {
        #expect(problem("130102199003071234") == .badCheckDigit)
        #expect(problem("110105194912310020") == .badCheckDigit)
        #expect(problem("130102199003071X33") == .misplacedX)
    }

    @Test func impossibleDates() {
        // 1999-02-30, 1999-13-01, 1999-00-10 and 2023-02-29 do not exist; 2024-02-29 does.
        for body in ["13010219990230123", "13010219991301123", "13010219990010123", "13010220230229123"] {
            #expect(problem(Self.withCheck(body)) == .impossibleBirthDate, "\(body)")
        }
        #expect(problem(Self.withCheck("13010220240229123")) == nil)
    }

    @Test func futureAndEarlyDates() {
        #expect(problem(Self.withCheck("13010220261123123")) == .birthDateInFuture)
        #expect(problem(Self.withCheck("13010220261122123")) == nil)  // today is fine
        #expect(problem("440524188001010014") == .birthDateTooEarly)  // the standard's example, born 1880
        #expect(problem(Self.withCheck("13010219000101123")) == nil)
    }

    @Test func unknownRegion() {
        #expect(problem(Self.withCheck("99010219900307123")) == .unknownRegion("990102"))
        #expect(problem(Self.withCheck("13010319900307123")) == .unknownRegion("130103"))
        #expect(IDNumberProblem.unknownRegion("990102").message.contains("990102"))
    }

    @Test(arguments: [
        "1.30102E+17", "1.30102e+17", "1.30102E17", "1.30102e17", "1,30102E+17", "1.30102199003071E+17",
        "1.30102Ｅ＋17", " 1.30102E+17 ",
    ])
    func excelScientificNotation(raw: String) {
        #expect(problem(raw) == .scientificNotation)
        #expect(IDNumberProblem.scientificNotation.message.contains("科学计数法"))
    }

    @Test func roundedByExcelGetsTheExcelReason() {
        // Excel keeps 15 significant digits: 130102199003071233 becomes 130102199003071000. A real
        // number may end in 000 too, so only a failing check digit says so, and the reason names both.
        #expect(problem("130102199003071000") == .excelTruncated)
        #expect(IDNumberProblem.excelTruncated.message.contains("Excel") && IDNumberProblem.excelTruncated.message.contains("核对"))
        #expect(problem("130102199003071234") == .badCheckDigit)  // not 000: a plain wrong check digit
    }

    @Test func lengthAndCharacters() {
        #expect(problem("") == .empty)
        #expect(problem("   ") == .empty)
        #expect(problem("13010219900307123") == .wrongLength(17))
        #expect(problem("1301021990030712331") == .wrongLength(19))
        #expect(problem("130102900307123") == .fifteenDigits)
        #expect(problem("13010219900307123A") == .badCharacters)
        #expect(problem("130102-19900307-1233") == .badCharacters)
        #expect(problem("X30102199003071233") == .misplacedX)
        #expect(IDNumberProblem.wrongLength(17).message.contains("17"))
    }

    @Test func problemOrder() {
        // Unknown region wins over an impossible date, which wins over the check digit.
        #expect(problem("990102199902301230") == .unknownRegion("990102"))
        #expect(problem("130102199902301230") == .impossibleBirthDate)
    }

    @Test func consistencyWithRecord() throws {
        let id = try parse("130102199003071233").get()
        #expect(id.check(birthDate: CivilDate(year: 1990, month: 3, day: 7), gender: .male).isEmpty)
        #expect(id.check(birthDate: nil, gender: nil).isEmpty)
        #expect(id.check(birthDate: nil, gender: .female) == [.genderMismatch])
        #expect(id.check(birthDate: CivilDate(year: 1990, month: 7, day: 3), gender: nil) == [.birthDateMismatch])
        #expect(id.check(birthDate: CivilDate(year: 1990, month: 7, day: 3), gender: .female) == [.birthDateMismatch, .genderMismatch])
        #expect(IDNumberProblem.genderMismatch.message == "身份证号与性别不一致")
        #expect(IDNumberProblem.birthDateMismatch.message == "身份证号与出生日期不一致")
    }

    @Test func masking() throws {
        let id = try parse("130102199003071233").get()
        #expect(id.masked == "130102********1233")
        #expect("\(id)" == "130102********1233")
        #expect(try parse("11010519491231002X").get().masked == "110105********002X")
    }

    @Test func generatorRoundTrip() throws {
        var rng = MemberValueRNG(seed: 2026)
        let regionList = Array(Self.regions.codes).sorted()
        let first = CivilDate(year: 1900, month: 1, day: 1)!.dayNumber
        let last = Self.today.dayNumber
        for _ in 0..<5000 {
            let region = regionList[Int(rng.next() % UInt64(regionList.count))]
            let birth = CivilDate(dayNumber: first + Int(rng.next() % UInt64(last - first + 1)))!
            let sequence = Int(rng.next() % 1000)
            let made = IDNumber.make(region: region, birth: birth, sequence: sequence)
            let parsed = try parse(made.value).get()
            #expect(parsed == made)
            #expect(parsed.birthDate == birth)
            #expect(parsed.regionCode == region)
            #expect(parsed.gender == (sequence % 2 == 1 ? .male : .female))
            let g: Gender = rng.next() % 2 == 0 ? .male : .female
            #expect(IDNumber.make(region: region, birth: birth, gender: g, serial: Int(rng.next() % 500)).gender == g)
            // Any single-digit change in the first 17 is caught by the check character (or earlier).
            let i = Int(rng.next() % 17)
            var chars = Array(made.value)
            let old = chars[i].wholeNumberValue!
            chars[i] = Character(String((old + 1 + Int(rng.next() % 9)) % 10))
            #expect((try? parse(String(chars)).get()) == nil)
        }
    }

    @Test func generatorKnownValue() {
        let id = IDNumber.make(region: "110105", birth: CivilDate(year: 1949, month: 12, day: 31)!, sequence: 2)
        #expect(id.value == "11010519491231002X")
    }

    // MARK: Region list

    @Test func bundledRegions() throws {
        let regions = try IDRegions()
        #expect(regions.count > 6000)
        for code in ["110101", "130104", "130181", "139004", "422301", "510219", "440301", "542400", "110000", "130100", "830000"] {
            #expect(regions.contains(code), "\(code)")
        }
        #expect(!regions.contains("999999"))
        #expect(!regions.contains("# GB"))
        #expect(IDRegions(text: "# header\n110101\n\n110102\r\n").codes == ["110101", "110102"])
    }

    // MARK: Civil dates

    @Test func civilDates() throws {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CivilDate(yyyymmdd: "20261122")?.iso == "2026-11-22")
        #expect(CivilDate(yyyymmdd: "2026112") == nil)
        #expect(CivilDate(iso: "2026-11-22") == CivilDate(year: 2026, month: 11, day: 22))
        #expect(CivilDate(iso: "2026-1-22") == nil)
        for text in ["2026-01-31", "2026/1/31", "2026.1.31", "2026年1月31日", "20260131", "２０２６-０１-３１", " 2026-01-31 00:00:00 "] {
            #expect(CivilDate(text: text) == CivilDate(year: 2026, month: 1, day: 31), "\(text)")
        }
        #expect(CivilDate(text: "2026-02-30") == nil)
        #expect(CivilDate(text: "31/01/2026") == nil)
        #expect(CivilDate(year: 1990, month: 3, day: 7)! < CivilDate(year: 1990, month: 3, day: 8)!)
        #expect(CivilDate(dayNumber: 0)?.iso == "1970-01-01")
        #expect(CivilDate(year: 2000, month: 3, day: 1)!.dayNumber == 11017)
        #expect(CivilDate(year: 1990, month: 3, day: 7)!.age(on: Self.today) == 36)
        #expect(CivilDate(year: 1990, month: 11, day: 23)!.age(on: Self.today) == 35)
        let data = try JSONEncoder().encode([Self.today])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-11-22\"]")
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [Self.today])
        // 2026-11-21 16:30 UTC is already the 22nd in China.
        #expect(CivilDate(date: Date(timeIntervalSince1970: 1_795_278_600)) == Self.today)
    }

    @Test func dayNumberRoundTrip() {
        var n = CivilDate(year: 1800, month: 1, day: 1)!.dayNumber
        var previous = CivilDate(dayNumber: n - 1)!
        var failures: [Int] = []
        while n < CivilDate(year: 2101, month: 1, day: 1)!.dayNumber {
            guard let d = CivilDate(dayNumber: n), d.dayNumber == n, previous < d,
                previous.adding(days: 1) == d
            else {
                failures.append(n)
                break
            }
            previous = d
            n += 1
        }
        #expect(failures.isEmpty)
        #expect(previous.iso == "2100-12-31")
    }

    // MARK: Phones

    @Test(arguments: [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("＋８６ １９９１２３４５６７８", "19912345678"),
    ])
    func validPhones(raw: String, value: String) throws {
        #expect(try Phone.parse(raw).get().value == value)
    }

    @Test(arguments: [
        ("", PhoneProblem.empty),
        ("  ", .empty),
        ("12812345678", .badFormat),
        ("1381234567", .badFormat),
        ("138123456789", .badFormat),
        ("1381234567a", .badFormat),
        ("1.38123E+10", .badFormat),
        ("010-12345678", .landline),
        ("0311-8765432", .landline),
    ])
    func badPhones(raw: String, expected: PhoneProblem) {
        #expect(throws: expected) { try Phone.parse(raw).get() }
    }

    @Test func phoneMasking() throws {
        #expect(try Phone.parse("13812345678").get().masked == "138****5678")
        #expect(Phone.mask("13812345678") == "138****5678")
        #expect(Phone.mask("123") == "***")
        #expect(PhoneProblem.badFormat.message.contains("手机号格式不正确"))
    }

    // MARK: Code tables

    @Test func ethnicities() {
        #expect(Ethnicity.all.count == 56)
        #expect(Set(Ethnicity.all.map(\.name)).count == 56)
        #expect(Set(Ethnicity.all.map(\.shortName)).count == 56)
        #expect(Ethnicity.all.map(\.code) == (1...56).map { String(format: "%02d", $0) })
        #expect(Ethnicity(name: "汉族")?.code == "01")
        #expect(Ethnicity(name: "汉")?.code == "01")
        #expect(Ethnicity(name: " 汉 族 ")?.code == "01")
        #expect(Ethnicity(name: "蒙古")?.name == "蒙古族")
        #expect(Ethnicity(name: "基诺族")?.code == "56")
        #expect(Ethnicity(name: "崩龙族")?.name == "德昂族")
        #expect(Ethnicity(name: "1")?.name == "汉族")
        #expect(Ethnicity(name: "08")?.name == "壮族")
        #expect(Ethnicity(name: "57") == nil)
        #expect(Ethnicity(name: "火星族") == nil)
        #expect(Ethnicity(name: "") == nil)
        #expect(Ethnicity(code: "46")?.name == "德昂族")
    }

    @Test func educations() {
        #expect(Set(Education.all.map(\.code)).count == Education.all.count)
        let names = Education.all.flatMap { [$0.name] + $0.aliases }
        #expect(Set(names).count == names.count)
        #expect(Education(name: "大学本科")?.code == "21")
        #expect(Education(name: "本科")?.code == "21")
        #expect(Education(name: "大专")?.code == "31")
        #expect(Education(name: "中专")?.code == "41")
        #expect(Education(name: "技工学校")?.code == "47")
        #expect(Education(name: "博士")?.code == "11")
        #expect(Education(name: "硕士研究生")?.code == "14")
        #expect(Education(name: "高中")?.code == "61")
        #expect(Education(name: "初中")?.code == "71")
        #expect(Education(name: "小学")?.code == "81")
        #expect(Education(name: "其他")?.code == "90")
        #expect(Education(name: "21")?.name == "大学本科")
        #expect(Education(name: "幼儿园") == nil)
    }

    @Test func politicalStatuses() {
        #expect(PoliticalStatus.all.count == 13)
        #expect(PoliticalStatus.all.map(\.code) == (1...13).map { String(format: "%02d", $0) })
        let names = PoliticalStatus.all.flatMap { Set([$0.name, $0.fullName] + $0.aliases) }
        #expect(Set(names).count == names.count)
        #expect(PoliticalStatus(name: "中共党员")?.code == "01")
        #expect(PoliticalStatus(name: "中国共产党党员")?.code == "01")
        #expect(PoliticalStatus(name: "中共预备党员")?.code == "02")
        #expect(PoliticalStatus(name: "共青团员")?.code == "03")
        #expect(PoliticalStatus(name: "民革党员")?.code == "04")
        #expect(PoliticalStatus(name: "九三学社社员")?.code == "10")
        #expect(PoliticalStatus(name: "群众")?.code == "13")
        #expect(PoliticalStatus(name: "13")?.name == "群众")
        #expect(PoliticalStatus(name: "14") == nil)
    }

    @Test func genders() {
        #expect(Gender(label: "男") == .male)
        #expect(Gender(label: "女性") == .female)
        #expect(Gender(label: "1") == .male)
        #expect(Gender(label: "2") == .female)
        #expect(Gender(label: "未知") == nil)
        #expect(Gender.male.code == "1" && Gender.female.code == "2")
        #expect(Gender.male.label == "男" && Gender.female.label == "女")
    }

    @Test func membershipStatuses() {
        #expect(MembershipStatus.allCases.map(\.rawValue) == ["active", "transferred_out", "retired_kept", "lapsed", "deceased"])
        #expect(MembershipStatus.allCases.map(\.label) == ["在会", "已转出", "退休保留会籍", "已退会", "已故"])
        #expect(MembershipStatus(rawValue: "retired_kept") == .retiredKept)
    }

    // MARK: Helpers

    static func withCheck(_ body: String) -> String {
        body + String(UnicodeScalar(IDNumber.checkCharacter(ArraySlice(Array(body.utf8)))))
    }
}

/// SplitMix64: a small deterministic generator for repeatable random inputs.
private struct MemberValueRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
