import Platform
import Testing

@testable import WorkOrders

@Suite struct WorkCalendarTests {
    let calendar = WorkCalendar(exceptions: WorkCalendar.bundled)

    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    @Test func weekdayOfKnownDates() {
        #expect(WorkCalendar.weekday(d("1970-01-01")) == 4)  // Thursday
        #expect(WorkCalendar.weekday(d("1969-12-31")) == 3)  // before the epoch: negative day number
        #expect(WorkCalendar.weekday(d("2000-01-01")) == 6)
        #expect(WorkCalendar.weekday(d("2026-10-01")) == 4)
        #expect(WorkCalendar.weekday(d("2026-10-10")) == 6)
        #expect(WorkCalendar.weekday(d("2026-10-11")) == 7)
        #expect(WorkCalendar.weekday(d("2026-10-12")) == 1)
        #expect(WorkCalendar.weekday(d("2027-02-05")) == 5)
    }

    @Test func plainWeekWithoutExceptions() {
        let plain = WorkCalendar(exceptions: [])
        #expect(plain.isWorkingDay(d("2026-10-01")))  // a Thursday is a working day when nothing says otherwise
        #expect(!plain.isWorkingDay(d("2026-10-10")))
        #expect(plain.adding(workingDays: 1, to: d("2026-10-09")) == d("2026-10-12"))
    }

    @Test func nationalDay2026() {
        for day in 1...7 {
            #expect(!calendar.isWorkingDay(CivilDate(year: 2026, month: 10, day: day)!))
        }
        #expect(calendar.isWorkingDay(d("2026-09-20")))  // Sunday, adjusted working day
        #expect(calendar.isWorkingDay(d("2026-10-08")))
        #expect(calendar.isWorkingDay(d("2026-10-10")))  // Saturday, adjusted working day
        #expect(!calendar.isWorkingDay(d("2026-10-11")))  // ordinary Sunday
        #expect(!calendar.isWorkingDay(d("2026-09-25")))  // 中秋节, a Friday
    }

    @Test func deadlineAcrossNationalDay() {
        // 9-30 (1), Oct 1–7 off, 10-08 (2), 10-09 (3), 10-10 Saturday 调休 (4), 10-12 Monday (5).
        #expect(calendar.adding(workingDays: 5, to: d("2026-09-29")) == d("2026-10-12"))
        #expect(calendar.adding(workingDays: 1, to: d("2026-09-30")) == d("2026-10-08"))
        #expect(calendar.adding(workingDays: 3, to: d("2026-10-03")) == d("2026-10-10"))
        #expect(calendar.workingDays(after: d("2026-09-29"), through: d("2026-10-12")) == 5)
    }

    @Test func deadlineAcrossSpringFestival2026() {
        // Friday 2-13 → Saturday 2-14 (调休), Feb 15–23 off, 24–27, Saturday 2-28 (调休), Monday 3-2.
        #expect(calendar.isWorkingDay(d("2026-02-14")))
        #expect(calendar.isWorkingDay(d("2026-02-28")))
        #expect(!calendar.isWorkingDay(d("2026-02-23")))  // a Monday inside the holiday
        #expect(calendar.adding(workingDays: 1, to: d("2026-02-13")) == d("2026-02-14"))
        #expect(calendar.adding(workingDays: 2, to: d("2026-02-13")) == d("2026-02-24"))
        #expect(calendar.adding(workingDays: 5, to: d("2026-02-13")) == d("2026-02-27"))
        #expect(calendar.adding(workingDays: 6, to: d("2026-02-13")) == d("2026-02-28"))
        #expect(calendar.adding(workingDays: 7, to: d("2026-02-13")) == d("2026-03-02"))
        #expect(calendar.workingDays(after: d("2026-02-13"), through: d("2026-03-02")) == 7)
    }

    @Test func zeroWorkingDaysAndNextWorkingDay() {
        #expect(calendar.adding(workingDays: 0, to: d("2026-10-10")) == d("2026-10-10"))
        #expect(calendar.adding(workingDays: 0, to: d("2026-10-03")) == d("2026-10-08"))
        #expect(calendar.nextWorkingDay(onOrAfter: d("2026-10-01")) == d("2026-10-08"))
        #expect(calendar.nextWorkingDay(onOrAfter: d("2026-10-09")) == d("2026-10-09"))
        #expect(calendar.nextWorkingDay(onOrAfter: d("2026-10-11")) == d("2026-10-12"))
    }

    @Test func workingDaysIsZeroWhenRangeIsEmpty() {
        #expect(calendar.workingDays(after: d("2026-10-12"), through: d("2026-10-12")) == 0)
        #expect(calendar.workingDays(after: d("2026-10-12"), through: d("2026-09-29")) == 0)
        #expect(calendar.workingDays(after: d("2026-10-09"), through: d("2026-10-10")) == 1)
    }

    @Test func workingDaysIsTheInverseOfAdding() {
        var start = d("2025-12-01")
        while start <= d("2028-01-31") {
            for n in 0...30 {
                let due = calendar.adding(workingDays: n, to: start)
                #expect(calendar.isWorkingDay(due))
                if n == 0 {
                    // The first working day on or after start: exactly one working day in [start, due].
                    #expect(due >= start)
                    #expect(calendar.workingDays(after: start.adding(days: -1)!, through: due) == 1)
                } else {
                    #expect(calendar.workingDays(after: start, through: due) == n, "n=\(n) from \(start)")
                    // and it is the earliest such day
                    #expect(calendar.workingDays(after: start, through: due.adding(days: -1)!) == n - 1)
                }
            }
            start = start.adding(days: 1)!
        }
    }

    @Test func longRunOfDaysOffStopsInsteadOfLooping() {
        let first = d("2030-01-01")
        let allOff = (0..<4000).map { CalendarException(day: first.adding(days: $0)!, working: false, name: "test") }
        let broken = WorkCalendar(exceptions: allOff)
        let reached = broken.nextWorkingDay(onOrAfter: first)
        #expect(reached == first.adding(days: WorkCalendar.maxDaysOff)!)
        #expect(broken.adding(workingDays: 2, to: first) > first)
    }

    @Test func parsesCommentsBlankLinesAndCRLF() throws {
        let text = "# header\r\n\r\n2026-10-10\twork\t国庆节调休上班\r\n2026-10-01\toff\t国庆节\n"
        let parsed = try WorkCalendar.parse(text)
        #expect(parsed == [
            CalendarException(day: d("2026-10-10"), working: true, name: "国庆节调休上班"),
            CalendarException(day: d("2026-10-01"), working: false, name: "国庆节"),
        ])
    }

    @Test(arguments: [
        ("2026-13-01\toff\t国庆节", "not a YYYY-MM-DD date"),
        ("2026-10-01\tholiday\t国庆节", "expected off or work"),
        ("2026-10-01\toff", "expected 3 tab-separated fields"),
        ("2026-10-01 off 国庆节", "expected 3 tab-separated fields"),
        ("2026-10-01\toff\t", "missing name"),
        ("2026-10-10\toff\t国庆节", "already given on line 2"),
    ])
    func parseErrorNamesTheLine(badLine: String, reason: String) {
        let text = "# header\n2026-10-10\twork\t国庆节调休上班\n\(badLine)\n2026-10-02\toff\t国庆节\n"
        #expect {
            try WorkCalendar.parse(text)
        } throws: { error in
            guard let error = error as? WorkCalendar.ParseError else { return false }
            return error.line == 3 && error.reason.contains(reason) && "\(error)".hasPrefix("holidays line 3: ")
        }
    }

    @Test func bundledFileLoads() {
        let bundled = WorkCalendar.bundled
        #expect(bundled.contains(CalendarException(day: d("2026-10-10"), working: true, name: "国庆节调休上班")))
        let in2026 = bundled.filter { $0.day.year == 2026 }
        #expect(in2026.filter { !$0.working }.count == 33)
        #expect(in2026.filter(\.working).map(\.day.iso) == [
            "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
        ])
        // Adjusted working days only make sense on a weekend; a holiday on a weekday is what "off" is for.
        for e in bundled where e.working { #expect(WorkCalendar.weekday(e.day) >= 6, "\(e.day)") }
        // 2027 (provisional statutory days): 除夕 and 国庆节.
        #expect(!calendar.isWorkingDay(d("2027-02-05")))
        #expect(!calendar.isWorkingDay(d("2027-10-01")))
    }
}
