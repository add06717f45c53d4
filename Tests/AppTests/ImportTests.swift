import Platform
import Foundation
import Hummingbird
import NIOCore
import SQLKit
import Testing
import ZIPFoundation

@testable import Accounts
@testable import App
@testable import Members
@testable import Organizations
@testable import Platform

@Suite struct ImportTests {
    static let header = "姓名,性别,出生日期,民族,身份证号,手机号,学历,政治面貌,工会组织编号,工作岗位,是否农民工,入会日期"

    func write(_ text: String, bom: Bool = false, raw: [UInt8]? = nil) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).csv")
        var data = Data()
        if bom { data.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        data.append(Data(text.utf8))
        if let raw { data.append(contentsOf: raw) }
        try data.write(to: url)
        return url
    }

    func run(_ app: TestApp, file: URL, into union: Organization, batch: Int = 5000) async throws -> MemberImport {
        let item = try await app.services.imports.start(file: file, fileName: "test.csv", unionId: union.id, actor: app.system)
        var service = app.services.imports
        service.batchSize = batch
        try await service.run(item.id)
        return try await app.services.imports.get(item.id, actor: app.system)
    }

    @Test func badRowsCorpusIsReportedRowByRowAndGoodRowsKept() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let u = f.factory.id
            let good1 = TestIDs.make(1)
            let good2 = TestIDs.make(2)
            let male = IDNumber.make(region: "130123", birth: CivilDate(year: 1988, month: 5, day: 6)!, sequence: 11).value
            var wrongCheck = TestIDs.make(3)
            wrongCheck = String(wrongCheck.dropLast()) + (wrongCheck.last == "1" ? "2" : "1")
            let fullWidth = TestIDs.make(4).map { c -> String in
                guard let d = c.wholeNumberValue else { return String(c) }
                return String(UnicodeScalar(0xFF10 + d)!)
            }.joined()
            let lines = [
                Self.header,
                "张三,,,汉族,\(good1),13800000001,大学本科,群众,\(u),钳工,是,2020-05-01",     // 2 good
                "",                                                                          // 3 empty: skipped, not an error
                "李四,,,,1.30123E+17,,,,\(u),,,",                                             // 4 Excel scientific notation
                "王五,,,,\(wrongCheck),,,,\(u),,,",                                           // 5 wrong check digit
                "赵六,,,,130123199902300011,,,,\(u),,,",                                      // 6 impossible date
                "钱七,,,,990123199001011234,,,,\(u),,,",                                      // 7 unknown region
                "孙八,女,,,\(male),,,,\(u),,,",                                               // 8 gender mismatch
                "周九,,,,\(good2),12345,,,\(u),,,",                                           // 9 bad phone
                "吴十,,,,\(good1),,,,\(u),,,",                                                // 10 duplicate of row 2
                "郑一,,,,\(TestIDs.make(5)),,,,999999,,,",                                    // 11 unknown union
                ",,,,\(TestIDs.make(6)),,,,\(u),,,",                                          // 12 missing name
                "冯二,,,火星族,\(TestIDs.make(7)),,,,\(u),,,",                                 // 13 unknown ethnicity
                "陈三,,,,\(fullWidth),,,,\(u),,否,",                                          // 14 full-width digits: fine
                "褚四,,,,\(TestIDs.make(8)),,,,\(f.townA1.id),,,",                            // 15 township union: an import takes grassroots only
            ]
            let file = try write(lines.joined(separator: "\r\n") + "\r\n", bom: true)
            let result = try await run(app, file: file, into: f.countyA1)
            #expect(result.status == .done)
            let errors = try await app.services.imports.errors(of: result.id, actor: app.system)
            let byRow = Dictionary(errors.map { ($0.row, $0.reason) }, uniquingKeysWith: { a, _ in a })
            #expect(byRow[4]?.contains("科学计数法") == true)
            #expect(byRow[5] == IDNumberProblem.badCheckDigit.message)
            #expect(byRow[6] == IDNumberProblem.impossibleBirthDate.message)
            #expect(byRow[7]?.contains("990123") == true)
            #expect(byRow[8] == IDNumberProblem.genderMismatch.message)
            #expect(byRow[9] == PhoneProblem.badFormat.message || byRow[9]?.contains("手机号") == true)
            #expect(byRow[10] == MemberText.duplicateInFile(2))
            #expect(byRow[11] == MemberText.unknownUnion)
            #expect(byRow[12] == MemberText.nameRequired)
            #expect(byRow[13] == MemberText.unknownEthnicity)
            #expect(byRow[15] == MemberText.importNotGrassroots)
            #expect(Set(byRow.keys) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15], "\(byRow)")
            #expect(result.goodRows == 2 && result.badRows == 11)
            // The good rows are members, with what the file said.
            let zhang = try await app.services.members.search(MemberQuery(text: good1), actor: app.system, page: PageRequest()).items
            #expect(zhang.count == 1 && zhang[0].migrantWorker && zhang[0].joinDate == "2020-05-01" && zhang[0].job == "钳工")
            // Importing the same file again adds nobody: every row is reported as already a member or bad.
            let again = try await run(app, file: try write(lines.joined(separator: "\n")), into: f.countyA1)
            #expect(again.goodRows == 0 && again.badRows == 13)
        }
    }

    @Test func wrongColumnsAndBrokenEncodingAreClearErrors() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let wrong = try await run(app, file: try write("名字,证件\n张三,1\n"), into: f.countyA1)
            #expect(wrong.status == .failed && wrong.message?.contains("身份证号") == true && wrong.message?.contains("工会组织编号") == true)
            // One line with bytes that are not UTF-8: that row is reported, the others imported.
            let text = Self.header + "\n张三,,,,\(TestIDs.make(1)),,,,\(f.factory.id),,,\n"
            let file = try write(text + "李", raw: [0xC0, 0xC1] + Array(",,,,\(TestIDs.make(2)),,,,\(f.factory.id),,,\n王五,,,,\(TestIDs.make(3)),,,,\(f.factory.id),,,\n".utf8))
            let result = try await run(app, file: file, into: f.countyA1)
            #expect(result.goodRows == 2 && result.badRows == 1)
            let errors = try await app.services.imports.errors(of: result.id, actor: app.system)
            #expect(errors.first?.row == 3)
        }
    }

    @Test func aCrashMidImportResumesAndImportsEveryGoodRowExactlyOnce() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            var lines = [Self.header]
            for n in 0..<1000 {
                // Every 50th row is bad (a wrong check digit).
                var id = TestIDs.make(n, year: 1970 + n % 30)
                if n % 50 == 49 { id = String(id.dropLast()) + (id.last == "1" ? "2" : "1") }
                lines.append("会员\(n),,,,\(id),,,,\(f.factory.id),,,")
            }
            let file = try write(lines.joined(separator: "\n"))
            let item = try await app.services.imports.start(file: file, fileName: "big.csv", unionId: f.countyA1.id, actor: app.system)
            // The import dies inside the transaction of its fourth batch of 100.
            var crashing = app.services.imports
            crashing.batchSize = 100
            crashing.failInBatch = 4
            await #expect(throws: ImportCrash.self) { try await crashing.run(item.id) }
            let halfway = try await app.services.imports.get(item.id, actor: app.system)
            #expect(halfway.lastRow == 301 && halfway.goodRows + halfway.badRows == 300)
            // Restarted (as the job queue does after the lease runs out), it carries on from row 302.
            var resumed = app.services.imports
            resumed.batchSize = 100
            try await resumed.run(item.id)
            let done = try await app.services.imports.get(item.id, actor: app.system)
            #expect(done.status == .done && done.goodRows == 980 && done.badRows == 20)
            let count = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n, COUNT(DISTINCT id_index) AS d FROM members WHERE import_job_id = \(bind: item.id)").first()!
            }
            #expect(try count.decode(column: "n", as: Int.self) == 980 && count.decode(column: "d", as: Int.self) == 980)
            // The dashboard shows them after the rollup.
            try await app.services.rollups.run()
            let d = try await app.services.rollups.dashboard(actor: app.system, orgId: f.province.id, sort: .active, ascending: false)
            #expect(d.root.active == 980)
            #expect(d.children.first?.name == f.cityA.name && d.children.first?.rollup.active == 980)
        }
    }

    @Test func anIDNumberTakenWhileTheBatchWasPreparedIsReportedAndTheRestCommitted() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            var lines = [Self.header]
            for n in 0..<200 { lines.append("会员\(n),,,,\(TestIDs.make(n, year: 1980)),,,,\(f.factory.id),,,") }
            let file = try write(lines.joined(separator: "\n"))
            let item = try await app.services.imports.start(file: file, fileName: "race.csv", unionId: f.countyA1.id, actor: app.system)
            // Row 150's person joins after the second batch is prepared, before it commits: the unique
            // index refuses the batch, which is written again without that row.
            var service = app.services.imports
            service.batchSize = 100
            let members = app.services.members
            let system = app.system
            service.beforeCommit = { batch in
                guard batch == 2 else { return }
                _ = try await members.create(MemberInput(name: "抢先", idNumber: TestIDs.make(148, year: 1980)), unionId: f.factory.id, actor: system)
            }
            try await service.run(item.id)
            let done = try await app.services.imports.get(item.id, actor: app.system)
            #expect(done.status == .done && done.goodRows == 199 && done.badRows == 1)
            let errors = try await app.services.imports.errors(of: item.id, actor: app.system)
            #expect(errors.map(\.row) == [150] && errors.first?.reason == MemberText.alreadyMember)
            let count = try await app.services.database.withConnection { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM members WHERE import_job_id = \(bind: item.id)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 199)
        }
    }

    @Test func importingTheSameFileAgainReportsEveryRowAsAlreadyAMember() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let old = (0..<300).map { "老会员\($0),,,,\(TestIDs.make($0, year: 1975)),,,,\(f.factory.id),,," }
            let first = try await run(app, file: try write(([Self.header] + old).joined(separator: "\n")), into: f.countyA1, batch: 100)
            #expect(first.goodRows == 300 && first.badRows == 0)
            // Again, with 50 new people among them: rows 2–301 are taken, 302–351 new.
            let new = (300..<350).map { "新会员\($0),,,,\(TestIDs.make($0, year: 1975)),,,,\(f.factory.id),,," }
            let again = try await run(app, file: try write(([Self.header] + old + new).joined(separator: "\n")), into: f.countyA1, batch: 100)
            #expect(again.status == .done && again.goodRows == 50 && again.badRows == 300)
            let errors = try await app.services.imports.errors(of: again.id, actor: app.system)
            #expect(errors.map(\.row) == Array(2...301) && errors.allSatisfy { $0.reason == MemberText.alreadyMember })
            try await app.services.rollups.run()
            let d = try await app.services.rollups.dashboard(actor: app.system, orgId: f.province.id, sort: .active, ascending: false)
            #expect(d.root.active == 350)
        }
    }

    /// A file for one grassroots union needs no 工会组织编号; a row naming a township union is refused
    /// (the template's "须为基层工会"); an ID whose last digits Excel turned into 000 gets that reason.
    @Test func aFileForOneUnionNeedsNoUnionColumnAndOnlyGrassrootsUnionsTakeMembers() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            // An ID number as Excel keeps it: 15 digits, then 000 (one whose check digit then fails, as nearly all do).
            let truncated = try #require(
                (151..<200).lazy.map { String(TestIDs.make($0).prefix(15)) + "000" }
                    .first { (try? IDNumber.parse($0, regions: IDRegions.bundled).get()) == nil })
            let noUnionColumn = try write(
                ["姓名,身份证号,手机号", "甲,\(TestIDs.make(150)),", "乙,\(truncated),"].joined(separator: "\n"))
            let item = try await run(app, file: noUnionColumn, into: f.factory)
            #expect(item.status == .done && item.goodRows == 1 && item.badRows == 1)
            let errors = try await app.services.imports.errors(of: item.id, actor: app.system)
            #expect(errors.map(\.row) == [3] && errors.first?.reason.contains("Excel") == true)
            let members = try await app.services.members.search(MemberQuery(text: "甲"), actor: app.system, page: PageRequest())
            #expect(members.items.map(\.orgId) == [f.factory.id])

            // Uploaded for the township, rows must name their grassroots union; the township itself is refused.
            let township = try write(
                [Self.header, "丙,,,,\(TestIDs.make(152)),,,,\(f.townA1.id),,,", "丁,,,,\(TestIDs.make(153)),,,,\(f.factory.id),,,"]
                    .joined(separator: "\n"))
            let second = try await run(app, file: township, into: f.townA1)
            #expect(second.goodRows == 1 && second.badRows == 1)
            let reasons = try await app.services.imports.errors(of: second.id, actor: app.system).map(\.reason)
            #expect(reasons.count == 1 && reasons[0].contains("须为基层工会"))
            let missing = try write(["姓名,身份证号", "戊,\(TestIDs.make(154))"].joined(separator: "\n"))
            let third = try await run(app, file: missing, into: f.townA1)
            #expect(third.status == .failed && third.message?.contains("工会组织编号") == true)
        }
    }

    /// The template's ID number, phone and union columns are text in the .xlsx (`@`), so Excel keeps
    /// 18 digits as typed: the writer's text columns, and the template asking for them.
    @Test func theTemplatesIDColumnIsText() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("template-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try XLSXWriter(url: url, sheetName: "会员")
        writer.textColumns = MembersConsole.templateTextColumns
        try writer.append(row: ImportColumn.templateHeaders)
        try writer.close()
        let archive = try Archive(url: url, accessMode: .read)
        func part(_ name: String) throws -> String {
            var data = Data()
            _ = try archive.extract(try #require(archive[name]), consumer: { data.append($0) })
            return String(decoding: data, as: UTF8.self)
        }
        let sheet = try part("xl/worksheets/sheet1.xml")
        for column in [ImportColumn.idNumber, .phone, .unionId] {
            let n = try #require(ImportColumn.allCases.firstIndex(of: column)) + 1
            #expect(sheet.contains(try Regex(#"<col min="\#(n)" max="\#(n)" [^>]*style="1"/>"#)), "\(column)")
        }
        let name = try #require(ImportColumn.allCases.firstIndex(of: .name)) + 1
        #expect(!sheet.contains(try Regex(#"<col min="\#(name)" max="\#(name)" [^>]*style="1"/>"#)))
        #expect(try part("xl/styles.xml").contains(#"numFmtId="49""#))
    }

    @Test func blindIndexesAreRememberedAsTwoIntegers() {
        let a = "0123456789abcdef" + "fedcba9876543210"
        #expect(IndexKey(a).high == 0x0123_4567_89ab_cdef && IndexKey(a).low == 0xfedc_ba98_7654_3210)
        #expect(IndexKey(a) == IndexKey(String(a)) && IndexKey(a) != IndexKey(String(a.dropLast()) + "1"))
    }

    @Test func xlsxImportThroughTheConsoleWithProgressAndErrorsFile() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString).xlsx")
            let writer = try XLSXWriter(url: url, sheetName: "会员")
            try writer.append(row: ImportColumn.templateHeaders)
            try writer.append(row: ["甲", "", "", "汉族", TestIDs.make(1), "", "", "", String(f.factory.id), "", "否", ""])
            try writer.append(row: ["乙", "", "", "", "bad", "", "", "", String(f.factory.id), "", "", ""])
            try writer.close()
            let web = WebSession(app)
            #expect(try await web.login("county") == "/admin")
            _ = try await web.get("/admin/imports")
            let boundary = "----wh\(UUID().uuidString)"
            var body = Data()
            func part(_ name: String, _ value: String) {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
            }
            part("unionId", String(f.countyA1.id))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"会员.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(try Data(contentsOf: url))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let response = try await app.client.execute(
                uri: "/admin/imports?_csrf=\(web.csrf)", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: web.cookieHeader], body: ByteBuffer(data: body))
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            #expect(try await web.get(location).html.contains("排队中"))
            #expect(try await app.services.jobs.drain() >= 1)
            let page = try await web.get(location)
            #expect(page.html.contains("已完成") && page.html.contains("id=\"import-good\">1<") && page.html.contains("id=\"import-bad\">1<"))
            let errors = try await web.get(location + "/errors.csv")
            #expect(errors.status == .ok && errors.html.contains("行号") && errors.html.contains("3,"))
            // Without the token: refused.
            let forged = try await app.client.execute(
                uri: "/admin/imports", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: web.cookieHeader], body: ByteBuffer(data: body))
            #expect(forged.status == .forbidden)
        }
    }
}
