import Foundation
import Testing

@testable import Platform

/// A scratch directory removed when the value goes away.
private final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("spreadsheet-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    func file(_ name: String, _ text: String) throws -> URL {
        try file(name, Array(text.utf8))
    }
}

private func readAll(_ reader: inout any SpreadsheetReader) throws -> [SpreadsheetRow] {
    var rows: [SpreadsheetRow] = []
    while let row = try reader.nextRow() { rows.append(row) }
    return rows
}

private func readAll(_ url: URL) throws -> [SpreadsheetRow] {
    var reader = try openSpreadsheet(at: url)
    return try readAll(&reader)
}

private func cells(_ rows: [SpreadsheetRow]) -> [[String]] { rows.map(\.cells) }

// MARK: - CSV reading

@Suite struct CSVReaderTests {
    @Test func utf8WithAndWithoutBOM() throws {
        let dir = try TempDir()
        let body = "姓名,身份证号,手机\n张三,110101199003071234,13800000000\n"
        for text in ["\u{FEFF}" + body, body] {
            let url = try dir.file("m.csv", text)
            var reader = try openSpreadsheet(at: url)
            #expect(reader.format == .csv)
            #expect((reader as? CSVReader)?.encoding == .utf8)
            let rows = try readAll(&reader)
            #expect(cells(rows) == [["姓名", "身份证号", "手机"], ["张三", "110101199003071234", "13800000000"]])
            #expect(rows.map(\.number) == [1, 2])
            #expect(rows.allSatisfy { $0.problem == nil })
            #expect(reader.progress == 1)
        }
    }

    @Test func lineEndings() throws {
        let dir = try TempDir()
        #expect(cells(try readAll(try dir.file("crlf.csv", "a,b\r\nc,d\r\n"))) == [["a", "b"], ["c", "d"]])
        #expect(cells(try readAll(try dir.file("cr.csv", "a,b\rc,d"))) == [["a", "b"], ["c", "d"]])
        #expect(cells(try readAll(try dir.file("mixed.csv", "a\r\nb\nc\rd"))) == [["a"], ["b"], ["c"], ["d"]])
        // A trailing space or tab is data; only the terminator goes.
        #expect(cells(try readAll(try dir.file("sp.csv", "a ,\tb \r\n"))) == [["a ", "\tb "]])
        #expect(try readAll(try dir.file("empty.csv", "")).isEmpty)
        #expect(try readAll(try dir.file("bom.csv", "\u{FEFF}")).isEmpty)
    }

    @Test func quotedFields() throws {
        let dir = try TempDir()
        let text = "\"x, y\",\"line1\r\nline2\",z\r\n\"say \"\"hi\"\"\",\"\"\"\",\"\",end\nnext,row\n"
        let rows = try readAll(try dir.file("q.csv", text))
        #expect(cells(rows) == [["x, y", "line1\r\nline2", "z"], ["say \"hi\"", "\"", "", "end"], ["next", "row"]])
        // The record spanning two lines is still row 1; the next record is row 2.
        #expect(rows.map(\.number) == [1, 2, 3])
    }

    @Test func lenientQuotes() throws {
        let dir = try TempDir()
        let rows = try readAll(try dir.file("l.csv", "ab\"c,\"q\"tail,d\n"))
        #expect(cells(rows) == [["ab\"c", "qtail", "d"]])
    }

    @Test func emptyLinesAreRowsWithoutCells() throws {
        let dir = try TempDir()
        let rows = try readAll(try dir.file("e.csv", "a,b\n\n,,\r\n\r\nc,d\n"))
        #expect(cells(rows) == [["a", "b"], [], ["", "", ""], [], ["c", "d"]])
        #expect(rows.map(\.number) == [1, 2, 3, 4, 5])
        #expect(rows.map(\.isBlank) == [false, true, true, true, false])
    }

    @Test func wrongColumnCountsComeBackAsIs() throws {
        let dir = try TempDir()
        let rows = try readAll(try dir.file("w.csv", "a,b,c\n1\n1,2,3,4,5\n1,2,\n"))
        #expect(cells(rows) == [["a", "b", "c"], ["1"], ["1", "2", "3", "4", "5"], ["1", "2", ""]])
        #expect(rows[1][2] == "", "subscript past the end is empty")
    }

    @Test func invalidUTF8RowIsFlaggedAndReadingGoesOn() throws {
        let dir = try TempDir()
        var bytes = Array("姓名,单位\n张三,总工会\n李四,".utf8)
        bytes += [0xD5, 0xC5, 0xFF]  // broken bytes in the middle of the file
        bytes += Array("工会\n王五,河北省总工会\n赵六,石家庄\n".utf8)
        var reader = try openSpreadsheet(at: try dir.file("bad.csv", bytes))
        #expect((reader as? CSVReader)?.encoding == .utf8)
        let rows = try readAll(&reader)
        #expect(rows.count == 5)
        #expect(rows.map(\.problem) == [nil, nil, .brokenEncoding, nil, nil])
        #expect(rows[2].number == 3)
        #expect(rows[2][0] == "李四")
        #expect(rows[2][1].contains("\u{FFFD}") && rows[2][1].hasSuffix("工会"))
        #expect(cells(Array(rows[3...])) == [["王五", "河北省总工会"], ["赵六", "石家庄"]])
        #expect(SpreadsheetRowProblem.brokenEncoding.message.contains("编码"))
    }

    @Test func gb18030IsDecodedOrClearlyRefused() throws {
        let dir = try TempDir()
        let text = "姓名,性别,单位\r\n张三,男,中华全国总工会\r\n李四,女,\"河北省总工会,石家庄市\"\r\n𠀀生僻字,女,€\r\n"
        guard let gb18030 = CSVReader.gb18030 else {
            // Without GB18030 support a GBK file ("中华,张三" three times) is refused.
            let line: [UInt8] = [0xD6, 0xD0, 0xBB, 0xAA, 0x2C, 0xD5, 0xC5, 0xC8, 0xFD, 0x0A]
            let url = try dir.file("gbk.csv", line + line + line)
            #expect(throws: SpreadsheetError.notUTF8) { _ = try openSpreadsheet(at: url) }
            return
        }
        let encoded = try #require(text.data(using: gb18030))
        #expect(String(data: encoded, encoding: .utf8) == nil, "the sample must not be valid UTF-8")
        let url = try dir.file("gb.csv", [UInt8](encoded))
        var reader = try openSpreadsheet(at: url)
        #expect((reader as? CSVReader)?.encoding == .gb18030)
        let rows = try readAll(&reader)
        #expect(
            cells(rows) == [
                ["姓名", "性别", "单位"], ["张三", "男", "中华全国总工会"], ["李四", "女", "河北省总工会,石家庄市"],
                ["𠀀生僻字", "女", "€"],
            ])
        #expect(rows.allSatisfy { $0.problem == nil })
    }

    @Test func otherEncodingsAreRefused() throws {
        let dir = try TempDir()
        let utf16 = try #require("姓名,单位\n张三,总工会\n".data(using: .utf16LittleEndian))
        let url = try dir.file("u16.csv", [0xFF, 0xFE] + [UInt8](utf16))
        #expect(throws: SpreadsheetError.notUTF8) { _ = try openSpreadsheet(at: url) }
        // Lines that are neither UTF-8 nor GB18030 (0xFF never starts a GB18030 character).
        let junk = try dir.file("junk.csv", Array(repeating: [0x61, 0xFF, 0xFE, 0x2C, 0x62, 0xFF, 0x0A], count: 5).flatMap { $0 })
        let error = #expect(throws: SpreadsheetError.self) { _ = try openSpreadsheet(at: junk) }
        #expect(error == .notUTF8)
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test func unclosedQuoteIsFlagged() throws {
        let dir = try TempDir()
        let rows = try readAll(try dir.file("u.csv", "a,b\nc,\"open\nd,e\n"))
        #expect(rows.count == 2)
        #expect(rows[1].cells == ["c", "open\nd,e\n"])
        #expect(rows[1].problem == .unclosedQuote)
    }

    @Test func runawayQuoteStopsAtTheRecordLimit() throws {
        let dir = try TempDir()
        let url = try dir.file("runaway.csv", Array("a,b\nc,\"".utf8) + Array(repeating: 0x78, count: CSVReader.maxRecordBytes + 10))
        let reader = try CSVReader(url: url)
        #expect(try reader.nextRow()?.cells == ["a", "b"])
        #expect(throws: SpreadsheetError.rowTooLarge(row: 2)) { _ = try reader.nextRow() }
        #expect(SpreadsheetError.rowTooLarge(row: 2).message.contains("第 2 行"))
        #expect(reader.peakBufferCapacity <= 3 * CSVReader.maxRecordBytes)
    }

    @Test func chunkBoundariesDoNotMatter() throws {
        let dir = try TempDir()
        var text = "\u{FEFF}编号,\"名称\",备注\r\n"
        for i in 0..<60 {
            text += "\(i),\"会员\"\"\(i)\"\"\",\"多行\r\n文本,含逗号\"\r\n"
            if i % 7 == 0 { text += "\r\n" }
            if i % 5 == 0 { text += "x\ry\n" }
        }
        text += "last,\"q\""
        let url = try dir.file("c.csv", text)
        let reference = try readAll(url)
        #expect(reference.count > 60)
        for chunk in [1, 2, 3, 7, 64, 65_536] {
            var reader: any SpreadsheetReader = try CSVReader(url: url, chunkSize: chunk)
            #expect(try readAll(&reader) == reference, "chunk size \(chunk)")
        }
    }

    @Test func skipToRow() throws {
        let dir = try TempDir()
        let text = "h\n" + (2...100).map { "r\($0),\"a\nb\"\n" }.joined()
        let url = try dir.file("s.csv", text)
        var reader = try openSpreadsheet(at: url)
        try reader.skip(to: 50)
        #expect(try reader.nextRow() == SpreadsheetRow(number: 50, cells: ["r50", "a\nb"]))
        try reader.skip(to: 10)  // already past: no-op
        #expect(try reader.nextRow()?.number == 51)
        try reader.skip(to: 1_000)
        #expect(try reader.nextRow() == nil)
    }

    @Test func hundredThousandRowsWithBoundedMemory() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("big.csv")
        let writer = try CSVWriter(url: url)
        try writer.append(row: (1...15).map { "列\($0)" })
        for i in 1...100_000 {
            try writer.append(row: [
                "\(i)", "会员\(i)", "13010219900101\(String(format: "%04d", i % 10_000))", "中华全国总工会/河北省总工会",
                "a,b", "x", "y", "z", "1", "2", "3", "4", "5", "6", i % 10 == 0 ? "多行\n备注" : "",
            ])
        }
        try writer.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        #expect(size > 10_000_000)
        let reader = try CSVReader(url: url)
        var count = 0
        var last = 0
        while let row = try reader.nextRow() {
            count += 1
            last = row.number
            if row.number == 100_001 { #expect(row.cells.count == 15 && row[14] == "多行\n备注") }
        }
        #expect(count == 100_001 && last == 100_001)
        // Only the chunk buffer is held: at most two chunks whatever the file size.
        #expect(reader.peakBufferCapacity <= 4 * CSVReader.defaultChunkSize)
        #expect(reader.progress == 1)
    }
}

// MARK: - CSV writing

@Suite struct CSVWriterTests {
    @Test func bomQuotingAndFormulaGuard() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("out.csv")
        let writer = try CSVWriter(url: url)
        try writer.append(row: ["姓名", "a,b", "say \"hi\"", "two\nlines", "=SUM(A1:A2)", "+86 138", "-5", "-1+2", "@cmd", "-", ""])
        try writer.close()
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "姓名,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=SUM(A1:A2),'+86 138,-5,'-1+2,'@cmd,-,\r\n")
        #expect(
            cells(try readAll(url)) == [
                ["姓名", "a,b", "say \"hi\"", "two\nlines", "'=SUM(A1:A2)", "'+86 138", "-5", "'-1+2", "'@cmd", "-", ""]
            ])
    }

    @Test func guardCanBeTurnedOff() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("raw.csv")
        let writer = try CSVWriter(url: url, guardFormulas: false, byteOrderMark: false)
        try writer.append(row: ["=1+1", "@x"])
        try writer.append(row: ["130102199003071234"])
        try writer.close()
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self) == "=1+1,@x\r\n130102199003071234\r\n")
        #expect(writer.rowCount == 2)
    }
}

// MARK: - XLSX

@Suite struct XLSXTests {
    @Test func writtenWorkbookReadsBack() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("会员.xlsx")
        let writer = try XLSXWriter(url: url, sheetName: "会员名单")
        let header = ["序号", "姓名", "身份证号", "备注", "单位"]
        try writer.append(row: header)
        var expected = [header]
        for i in 1...10_000 {
            let row = [
                "\(i)", "张三\(i)", "13010219900307\(String(format: "%04d", i % 10_000))",
                i % 3 == 0 ? "" : "<&> \"引号\" 'x' _x0041_ \(i)",
                i % 4 == 0 ? " 前后空格 " : "中华全国总工会\n第\(i)基层工会",
            ]
            try writer.append(row: row)
            expected.append(row)
        }
        try writer.append(row: ["控制\u{1}字符\u{B}去掉", "", "", "", "\r\n回车"])
        expected.append(["控制字符去掉", "", "", "", "\r\n回车"])
        try writer.append(row: [])
        expected.append([])
        try writer.close()
        #expect(writer.rowCount == 10_003)

        var reader = try openSpreadsheet(at: url)
        #expect(reader.format == .xlsx)
        #expect((reader as? XLSXReader)?.sheetName == "会员名单")
        let rows = try readAll(&reader)
        #expect(rows.map(\.number) == Array(1...10_003))
        // The reader drops trailing empty cells.
        let trimmed = expected.map { row in Array(row.reversed().drop(while: \.isEmpty).reversed()) }
        #expect(cells(rows) == trimmed)
        #expect(rows[3][2] == "130102199003070003", "18-digit IDs stay text")
        #expect(rows[3][3] == "" && rows[3][4] == "中华全国总工会\n第3基层工会", "empty cell in the middle")
        #expect(reader.progress == 1)
        // No temporary sheet files are left beside the workbook.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["会员.xlsx"])

        // Stopping early releases the helper thread (it would otherwise block on the full queue).
        for _ in 0..<20 {
            var partial = try openSpreadsheet(at: url)
            #expect(try partial.nextRow()?.number == 1)
            partial.close()
            #expect(try partial.nextRow() == nil)
            var dropped: (any SpreadsheetReader)? = try openSpreadsheet(at: url)
            _ = try dropped?.nextRow()
            dropped = nil
        }
    }

    @Test func continuationSheetsRepeatTheHeader() throws {
        let dir = try TempDir()
        let url = dir.url.appendingPathComponent("many.xlsx")
        let writer = try XLSXWriter(url: url, sheetName: "一个很长很长很长很长很长很长很长很长很长很长的工作表名称[]", rowsPerSheet: 3)
        try writer.append(row: ["h1", "h2"])
        for i in 1...7 { try writer.append(row: ["\(i)", "v\(i)"]) }
        try writer.close()
        var sheets: [[[String]]] = []
        var names: [String] = []
        for index in 0..<4 {
            let reader = try XLSXReader(url: url, chunkSize: XLSXReader.chunkSize, sheetIndex: index)
            var any: any SpreadsheetReader = reader
            sheets.append(cells(try readAll(&any)))
            names.append(reader.sheetName)
        }
        #expect(
            sheets == [
                [["h1", "h2"], ["1", "v1"], ["2", "v2"]], [["h1", "h2"], ["3", "v3"], ["4", "v4"]],
                [["h1", "h2"], ["5", "v5"], ["6", "v6"]], [["h1", "h2"], ["7", "v7"]],
            ])
        #expect(names.allSatisfy { $0.count <= 31 && !$0.contains("[") })
        #expect(names[1].hasSuffix(" (2)"))
        #expect(throws: SpreadsheetError.noWorksheet) {
            _ = try XLSXReader(url: url, chunkSize: XLSXReader.chunkSize, sheetIndex: 4)
        }
    }

    /// A workbook as other software writes it: the first tab is not sheet1.xml, shared strings
    /// with rich text and phonetic runs, a number-stored ID, skipped columns and rows, and more.
    private func handMadeWorkbook(in dir: TempDir, prefix: String = "") throws -> URL {
        let p = prefix.isEmpty ? "" : prefix + ":"
        let ns = prefix.isEmpty ? "xmlns" : "xmlns:\(prefix)"
        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
            (
                "xl/workbook.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><\(p)workbook \(ns)=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><\(p)workbookPr date1904=\"false\"/><\(p)sheets><\(p)sheet name=\"隐藏\" sheetId=\"3\" state=\"hidden\" r:id=\"rId3\"/><\(p)sheet name=\"会员 &amp; 职工\" sheetId=\"2\" r:id=\"rId2\"/><\(p)sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></\(p)sheets></\(p)workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"./worksheets/../worksheets/hidden.xml\"/><Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"
            ),
            (
                "xl/sharedStrings.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<\(p)sst \(ns)=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"7\" uniqueCount=\"7\">"
                    + "<\(p)si><\(p)t>姓名</\(p)t></\(p)si>"
                    + "<\(p)si><\(p)t>身份证号</\(p)t></\(p)si>"
                    + "<\(p)si><\(p)r><\(p)rPr><\(p)b/></\(p)rPr><\(p)t>中华</\(p)t></\(p)r><\(p)r><\(p)t xml:space=\"preserve\"> 全国总工会</\(p)t></\(p)r><\(p)rPh sb=\"0\" eb=\"1\"><\(p)t>ふりがな</\(p)t></\(p)rPh></\(p)si>"
                    + "<\(p)si><\(p)t>A &amp; B &lt;c&gt; &#x4E2D;&#22269; &quot;q&quot; &apos;</\(p)t></\(p)si>"
                    + "<\(p)si><\(p)t>第一行_x000D_\n第二行 _x005F_x0041_</\(p)t></\(p)si>"
                    + "<\(p)si/>"
                    + "<\(p)si><\(p)t><![CDATA[<原样> & 保留]]></\(p)t></\(p)si>"
                    + "</\(p)sst>"
            ),
            (
                "xl/worksheets/data.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<\(p)worksheet \(ns)=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><!-- a comment with <row> inside --><\(p)dimension ref=\"A1:E9\"/><\(p)sheetData>"
                    + "<\(p)row r=\"1\" spans=\"1:3\"><\(p)c r=\"A1\" t=\"s\"><\(p)v>0</\(p)v></\(p)c><\(p)c r=\"C1\" t=\"s\"><\(p)v>1</\(p)v></\(p)c></\(p)row>"
                    + "<\(p)row r=\"2\"><\(p)c r=\"A2\" t=\"s\" s=\"1\"><\(p)v>2</\(p)v></\(p)c><\(p)c r=\"C2\" s=\"3\"><\(p)v>1.30102199003071E+17</\(p)v></\(p)c><\(p)c r=\"D2\" s=\"4\"/><\(p)c r=\"E2\" s=\"4\"/></\(p)row>"
                    + "<\(p)row r=\"5\"><\(p)c r=\"B5\" t=\"inlineStr\"><\(p)is><\(p)t xml:space=\"preserve\">  内联 &amp; 文本 </\(p)t></\(p)is></\(p)c><\(p)c r=\"C5\" t=\"b\"><\(p)v>1</\(p)v></\(p)c><\(p)c r=\"D5\" t=\"b\"><\(p)v>0</\(p)v></\(p)c></\(p)row>"
                    + "<\(p)row r=\"6\"><\(p)c r=\"A6\" t=\"str\"><\(p)f>CONCAT(\"a\",\"b\")</\(p)f><\(p)v>ab</\(p)v></\(p)c><\(p)c r=\"B6\" t=\"e\"><\(p)v>#N/A</\(p)v></\(p)c><\(p)c r=\"C6\"><\(p)f>1+1</\(p)f><\(p)v>2</\(p)v></\(p)c><\(p)c r=\"D6\"><\(p)v>45123</\(p)v></\(p)c></\(p)row>"
                    + "<\(p)row r=\"7\"/>"
                    + "<\(p)row r=\"8\"><\(p)c r=\"A8\" t=\"s\"><\(p)v>3</\(p)v></\(p)c><\(p)c t=\"s\"><\(p)v>4</\(p)v></\(p)c><\(p)c r=\"C8\" t=\"s\"><\(p)v>5</\(p)v></\(p)c><\(p)c r=\"D8\" t=\"s\"><\(p)v>6</\(p)v></\(p)c></\(p)row>"
                    + "<\(p)row><\(p)c><\(p)v>-0.5</\(p)v></\(p)c><\(p)c r=\"AB9\"><\(p)v>28</\(p)v></\(p)c></\(p)row>"
                    + "</\(p)sheetData><\(p)mergeCells count=\"1\"><\(p)mergeCell ref=\"A1:B1\"/></\(p)mergeCells></\(p)worksheet>"
            ),
            (
                "xl/worksheets/hidden.xml",
                "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>hidden</t></is></c></row></sheetData></worksheet>"
            ),
            (
                "xl/worksheets/sheet1.xml",
                "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>"
            ),
        ]
        let url = dir.url.appendingPathComponent("handmade\(prefix).xlsx")
        try ZipPackageWriter.write(to: url, parts: parts.map { ($0.0, Data($0.1.utf8)) })
        return url
    }

    private let handMadeRows: [SpreadsheetRow] = [
        SpreadsheetRow(number: 1, cells: ["姓名", "", "身份证号"]),
        SpreadsheetRow(number: 2, cells: ["中华 全国总工会", "", "1.30102199003071E+17"]),
        SpreadsheetRow(number: 5, cells: ["", "  内联 & 文本 ", "TRUE", "FALSE"]),
        SpreadsheetRow(number: 6, cells: ["ab", "#N/A", "2", "45123"]),
        SpreadsheetRow(number: 7, cells: []),
        SpreadsheetRow(
            number: 8, cells: ["A & B <c> 中国 \"q\" '", "第一行\r\n第二行 _x0041_", "", "<原样> & 保留"]),
        SpreadsheetRow(number: 9, cells: ["-0.5"] + Array(repeating: "", count: 26) + ["28"]),
    ]

    @Test func handMadeWorkbook() throws {
        let dir = try TempDir()
        let url = try handMadeWorkbook(in: dir)
        var reader = try openSpreadsheet(at: url)
        let xlsx = try #require(reader as? XLSXReader)
        #expect(xlsx.sheetName == "会员 & 职工")
        #expect(!xlsx.usesDate1904)
        let rows = try readAll(&reader)
        #expect(rows == handMadeRows)
        #expect(ExcelSerialDate.components(from: rows[3][3]) == DateComponents(year: 2023, month: 7, day: 16))
    }

    @Test func prefixedNamespacesAndTinyChunks() throws {
        let dir = try TempDir()
        for prefix in ["", "x"] {
            let url = try handMadeWorkbook(in: dir, prefix: prefix)
            for chunk in [1, 2, 3, 7, 64, 65_536] {
                var reader: any SpreadsheetReader = try XLSXReader(url: url, chunkSize: chunk)
                #expect(try readAll(&reader) == handMadeRows, "prefix \(prefix) chunk \(chunk)")
            }
        }
    }

    @Test func skipToRow() throws {
        let dir = try TempDir()
        var reader = try openSpreadsheet(at: try handMadeWorkbook(in: dir))
        try reader.skip(to: 3)  // rows 3 and 4 do not exist: the next row is 5
        try reader.skip(to: 4)
        #expect(try reader.nextRow()?.number == 5)
        try reader.skip(to: 8)
        #expect(try reader.nextRow() == handMadeRows[5])
        try reader.skip(to: 100)
        #expect(try reader.nextRow() == nil)
        #expect(try reader.nextRow() == nil)
    }

    @Test func contentDecidesTheFormatNotTheName() throws {
        let dir = try TempDir()
        let xlsx = try handMadeWorkbook(in: dir)
        let disguised = dir.url.appendingPathComponent("members.csv")
        try FileManager.default.copyItem(at: xlsx, to: disguised)
        #expect(try openSpreadsheet(at: disguised).format == .xlsx)
        #expect(try openSpreadsheet(at: try dir.file("members.xlsx", "a,b\n")).format == .csv)
        let ole = try dir.file("old.xls", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 504))
        #expect(throws: SpreadsheetError.legacyExcel) { _ = try openSpreadsheet(at: ole) }
        let broken = try dir.file("broken.xlsx", [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 7, count: 100))
        let error = #expect(throws: SpreadsheetError.self) { _ = try openSpreadsheet(at: broken) }
        #expect(error?.message == SpreadsheetText.invalidWorkbook)
        #expect(throws: SpreadsheetError.self) {
            _ = try openSpreadsheet(at: dir.url.appendingPathComponent("missing.csv"))
        }
    }

    @Test func excelSerialDates() {
        #expect(ExcelSerialDate.components(from: "1") == DateComponents(year: 1900, month: 1, day: 1))
        #expect(ExcelSerialDate.components(from: "59") == DateComponents(year: 1900, month: 2, day: 28))
        #expect(ExcelSerialDate.components(from: "61") == DateComponents(year: 1900, month: 3, day: 1))
        #expect(ExcelSerialDate.components(from: "25569.75") == DateComponents(year: 1970, month: 1, day: 1))
        #expect(ExcelSerialDate.components(from: "0", date1904: true) == DateComponents(year: 1904, month: 1, day: 1))
        #expect(ExcelSerialDate.components(from: "1990-01-01") == nil)
        #expect(ExcelSerialDate.components(from: "1.30102199003071E+17") == nil)
    }

    @Test func columnNames() {
        #expect(XLSXWriter.columnName(1) == "A")
        #expect(XLSXWriter.columnName(26) == "Z")
        #expect(XLSXWriter.columnName(27) == "AA")
        #expect(XLSXWriter.columnName(16_384) == "XFD")
        for index in [1, 26, 27, 52, 53, 702, 703, 16_384] {
            var name = XLSXWriter.columnName(index) + "7"
            #expect(name.withUTF8 { XMLText.columnIndex($0) } == index)
        }
    }
}

/// What a crafted file can make the readers hold is bounded (issue 11: a few KB expanding to GB).
@Suite struct SpreadsheetLimitTests {
    @Test func aRowOfCommasKeepsAtMostTheColumnLimit() throws {
        let dir = try TempDir()
        let url = try dir.file("wide.csv", "a,b\n" + String(repeating: ",", count: 100_000) + "\nc,d\n")
        let rows = try readAll(url)
        #expect(rows.map(\.cells.count) == [2, SpreadsheetLimits.maxColumns, 2])
        #expect(rows[2].cells == ["c", "d"])
    }

    @Test func aCellAtTheLastExcelColumnIsDropped() throws {
        let dir = try TempDir()
        let sheet =
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c><c r=\"XFD1\" t=\"inlineStr\"><is><t>far</t></is></c></row>"
            + "</sheetData></worksheet>"
        let parts: [(String, String)] = [
            ("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            (
                "_rels/.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
            (
                "xl/workbook.xml",
                "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        let url = dir.url.appendingPathComponent("far.xlsx")
        try ZipPackageWriter.write(to: url, parts: parts.map { ($0.0, Data($0.1.utf8)) })
        #expect(try readAll(url).map(\.cells) == [["x"]])
    }

    @Test func tooManySharedStringsIsRefused() throws {
        let xml = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + String(repeating: "<si/>", count: 11) + "</sst>"
        #expect(throws: SpreadsheetError.invalidWorkbook("too many shared strings")) {
            _ = try SharedStringTable.load(from: XMLTokenizer(data: Data(xml.utf8)), limit: 10)
        }
        #expect(try SharedStringTable.load(from: XMLTokenizer(data: Data(xml.utf8)), limit: 11).count == 11)
    }
}
