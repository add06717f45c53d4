import Testing

@testable import Platform
@testable import WebUI

/// Numbers and dates as people read them: 万 and 亿 at a glance, 年月日 on the member site.
@Suite struct DisplayTests {
    @Test(arguments: [
        (0, "0"), (9_999, "9,999"), (10_000, "1万"), (24_400, "2.44万"), (24_449, "2.44万"), (99_999, "10万"),
        (115_000, "11.5万"), (12_345_000, "1,234.5万"), (15_010_715, "1,501.1万"), (120_000_000, "1.2亿"), (-24_400, "-2.44万"),
    ])
    func countsReadAtAGlance(n: Int, text: String) {
        #expect(DisplayNumber.compact(n) == text)
    }

    @Test func amountsAndRates() {
        #expect(DisplayNumber.yuan(fen: 11_500_000) == "11.5万元")
        #expect(DisplayNumber.yuan(fen: 360_000) == "3,600元")
        #expect(DisplayNumber.percent(0, of: 0) == "—")
        #expect(DisplayNumber.percent(1, of: 3) == "33.3%")
    }

    @Test func daysAsWritten() {
        let today = CivilDate(iso: "2026-12-02")!
        #expect(DisplayDate.long("2026-12-01") == "2026年12月1日")
        #expect(DisplayDate.short("2026-12-01", today: today) == "12月1日")
        #expect(DisplayDate.short("2025-12-01", today: today) == "2025年12月1日")
        #expect(DisplayDate.long("不是日期") == "不是日期")
    }
}
