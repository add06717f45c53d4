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

    /// The chart kit: months as 1月 (the year at its start and at January), a legend above the plot,
    /// each value in a hover title, and a width that follows its card.
    @Test func monthChoicesAreChineseNewestFirstAcrossTheYear() throws {
        let today = try #require(CivilDate(year: 2026, month: 2, day: 10))
        let months = DisplayDate.monthOptions(through: today, count: 3, selected: "2025-12")
        #expect(months.map(\.value) == ["2026-02", "2026-01", "2025-12"])
        #expect(months.map(\.label) == ["2026年2月", "2026年1月", "2025年12月"])
        #expect(months.filter(\.selected).map(\.value) == ["2025-12"])
        // A month typed in the address, older than the list, stays chosen.
        #expect(DisplayDate.monthOptions(through: today, count: 3, selected: "2020-05").last?.selected == true)
    }

    @Test func chartsLabelMonthsInChineseAndCarryTheirValues() throws {
        let svg = Chart.lines(
            months: ["2025-11", "2025-12", "2026-01", "2026-02"],
            series: [Chart.Series(name: "按期办结率", color: Chart.green, values: [0.5, nil, 1, 0.75])])
        #expect(svg.contains(">2025年11月<") && svg.contains(">12月<") && svg.contains(">2026年1月<") && svg.contains(">2月<"))
        #expect(svg.contains("<title>按期办结率 2026年2月：75.0%</title>") && !svg.contains("2025年12月：") && svg.contains(#"width="100%""#))
        let legendY = try #require(svg.firstMatch(of: /<text x="\d+" y="(\d+)" font-size="12" fill="#333">按期办结率/)).1
        #expect(Int(legendY)! < 30)  // the legend's row, above the plot (which starts at 32)
        let ring = Chart.ring([("在职", 410, Chart.red), ("退休保留会籍", 3, Chart.grey)], centre: "413")
        #expect(ring.contains("<title>在职：410</title>") && ring.contains("（99.3%）") && ring.contains(">413<"))
        let bars = Chart.bars([("<工会>", 0.172)], format: { String(format: "%.1f%%", $0 * 100) })
        #expect(bars.contains("&lt;工会&gt;：17.2%") && !bars.contains("<工会>"))
    }
}
