import Foundation
import ZIPFoundation

/// A streaming .xlsx writer.
///
/// Rows are written as XML to a hidden temporary file beside the destination, so memory stays
/// flat however many rows are appended (the temporary file takes about 1 KB per 15-column row
/// until `close()`). `close()` then assembles the package (content types, relationships,
/// workbook, styles, sheets) with ZIPFoundation, deflating the sheet XML from the temporary file
/// in chunks, and moves the result into place.
///
/// Every non-empty cell is an inline string (`t="inlineStr"`), so ID numbers and other long
/// digit strings stay text and are never shown as `1.30102E+17`. Empty strings leave the cell
/// out. Text is XML-escaped, characters XML 1.0 cannot carry are dropped, and cells are cut to
/// Excel's limit of 32,767 characters.
///
/// Column widths come from the first 100 rows (CJK characters count double). A sheet holds at
/// most 1,048,576 rows; beyond that the writer starts another sheet ("名称 (2)", …) that repeats
/// the first row as its header.
public final class XLSXWriter {
    public static let maxRowsPerSheet = 1_048_576
    public static let maxColumns = 16_384
    public static let maxCellCharacters = 32_767
    static let widthSampleRows = 100
    static let flushThreshold = 256 * 1024

    /// Rows appended so far (header repeats on continuation sheets not counted).
    public private(set) var rowCount = 0
    /// Columns (0-based) formatted as text (`@`), so what is typed into them later stays as typed:
    /// an 18-digit ID number typed into a number column loses its last three digits.
    public var textColumns: Set<Int> = []

    private let url: URL
    private let baseName: String
    private let rowsPerSheet: Int
    private var sheets: [Sheet] = []
    private var current: Sheet?
    private var header: [String]?
    private var widths: [Int] = []
    private var sampled: [[String]] = []
    private var widthsFixed = false
    private var out: [UInt8] = []
    private var closed = false

    private struct Sheet {
        var name: String
        var fileURL: URL
        var handle: FileHandle
        var rows = 0
    }

    /// Prepares to write one workbook at `url` (replaced on `close()` if it exists) whose first
    /// sheet is called `sheetName` (made valid for Excel: no `[]:*?/\`, at most 31 characters).
    public convenience init(url: URL, sheetName: String = "Sheet1") throws {
        try self.init(url: url, sheetName: sheetName, rowsPerSheet: Self.maxRowsPerSheet)
    }

    /// `rowsPerSheet` is adjustable so that tests can exercise continuation sheets.
    init(url: URL, sheetName: String, rowsPerSheet: Int) throws {
        precondition(rowsPerSheet >= 2 && rowsPerSheet <= Self.maxRowsPerSheet)
        self.url = url
        self.rowsPerSheet = rowsPerSheet
        self.baseName = Self.validSheetName(sheetName)
        out.reserveCapacity(Self.flushThreshold + 64 * 1024)
    }

    deinit {
        for sheet in sheets + (current.map { [$0] } ?? []) {
            try? sheet.handle.close()
            try? FileManager.default.removeItem(at: sheet.fileURL)
        }
    }

    /// Appends one row; cell i goes to column i+1.
    public func append(row: [String]) throws {
        guard !closed else { throw SpreadsheetError.writeFailed("writer is closed") }
        guard row.count <= Self.maxColumns else { throw SpreadsheetError.writeFailed("too many columns") }
        if header == nil { header = row }
        if !widthsFixed {
            // Hold the first rows back until the column widths are known.
            sampled.append(row)
            rowCount += 1
            if sampled.count >= Self.widthSampleRows { try flushSample() }
            return
        }
        try write(row)
        rowCount += 1
    }

    /// Finishes the sheets and writes the .xlsx file. The writer cannot be used afterwards.
    public func close() throws {
        guard !closed else { return }
        closed = true
        if !widthsFixed { try flushSample() }
        if current == nil { try startSheet() }
        try finishSheet()
        do {
            try assemble()
        } catch let error as SpreadsheetError {
            throw error
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        for sheet in sheets { try? FileManager.default.removeItem(at: sheet.fileURL) }
        sheets = []
    }

    // MARK: - Sheet XML

    private func flushSample() throws {
        widthsFixed = true
        for row in sampled {
            for (index, cell) in row.enumerated() {
                if index >= widths.count { widths.append(contentsOf: repeatElement(0, count: index + 1 - widths.count)) }
                widths[index] = max(widths[index], Self.displayWidth(cell))
            }
        }
        let rows = sampled
        sampled = []
        for row in rows { try write(row) }
    }

    private func write(_ row: [String]) throws {
        if current == nil || current!.rows >= rowsPerSheet {
            if current != nil { try finishSheet() }
            try startSheet()
            if sheets.count > 0, let header {
                // A continuation sheet repeats the header.
                writeRow(header)
            }
        }
        writeRow(row)
        if out.count >= Self.flushThreshold { try flush() }
    }

    private func writeRow(_ row: [String]) {
        current!.rows += 1
        // Work on a local buffer: appends to a class property pay for exclusivity checks.
        var out: [UInt8] = []
        swap(&out, &self.out)
        defer { swap(&out, &self.out) }
        Self.appendRow(row, number: current!.rows, to: &out)
    }

    static func appendRow(_ row: [String], number: Int, to out: inout [UInt8]) {
        out.append(contentsOf: "<row r=\"".utf8)
        appendNumber(number, to: &out)
        out.append(contentsOf: "\">".utf8)
        for (index, cell) in row.enumerated() where !cell.isEmpty {
            out.append(contentsOf: "<c r=\"".utf8)
            if index < 26 {
                out.append(UInt8(0x41 + index))
            } else {
                out.append(contentsOf: columnName(index + 1).utf8)
            }
            appendNumber(number, to: &out)
            out.append(contentsOf: "\" t=\"inlineStr\"><is><t".utf8)
            var text = cell
            text.withUTF8 { bytes in
                if needsPreserve(bytes) { out.append(contentsOf: " xml:space=\"preserve\"".utf8) }
                out.append(0x3E)
                appendEscaped(bytes, to: &out)
            }
            out.append(contentsOf: "</t></is></c>".utf8)
        }
        out.append(contentsOf: "</row>".utf8)
    }

    private static func appendNumber(_ value: Int, to out: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(rest / divisor) + 0x30)
            rest %= divisor
            divisor /= 10
        }
    }

    private func startSheet() throws {
        let index = sheets.count + 1
        let name = index == 1 ? baseName : Self.continuationName(baseName, index)
        // Beside the destination rather than in /tmp, which may be a small RAM disk.
        let fileURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).sheet\(index).\(UUID().uuidString).xml")
        guard FileManager.default.createFile(atPath: fileURL.path, contents: nil) else {
            throw SpreadsheetError.writeFailed("cannot create \(fileURL.path)")
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: fileURL)
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        current = Sheet(name: name, fileURL: fileURL, handle: handle)
        out.append(contentsOf: Self.sheetHeader.utf8)
        if !widths.isEmpty {
            out.append(contentsOf: "<cols>".utf8)
            for (index, width) in widths.enumerated() where width > 0 {
                let w = min(max(Double(width) + 2, 8), 60)
                let style = textColumns.contains(index) ? " style=\"1\"" : ""
                out.append(contentsOf: "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(w)\" customWidth=\"1\"\(style)/>".utf8)
            }
            out.append(contentsOf: "</cols>".utf8)
        }
        out.append(contentsOf: "<sheetData>".utf8)
    }

    private func finishSheet() throws {
        guard let sheet = current else { return }
        out.append(contentsOf: "</sheetData></worksheet>".utf8)
        try flush()
        do {
            try sheet.handle.close()
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        sheets.append(sheet)
        current = nil
    }

    private func flush() throws {
        guard let handle = current?.handle, !out.isEmpty else { return }
        do {
            try handle.write(contentsOf: out)
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        out.removeAll(keepingCapacity: true)
    }

    // MARK: - Package

    private func assemble() throws {
        var parts: [(String, Data)] = []
        var overrides = ""
        var workbookSheets = ""
        var workbookRels = ""
        for (index, sheet) in sheets.enumerated() {
            let n = index + 1
            overrides +=
                "<Override PartName=\"/xl/worksheets/sheet\(n).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            workbookSheets += "<sheet name=\"\(Self.escapeAttribute(sheet.name))\" sheetId=\"\(n)\" r:id=\"rId\(n)\"/>"
            workbookRels +=
                "<Relationship Id=\"rId\(n)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(n).xml\"/>"
        }
        let stylesId = sheets.count + 1
        parts.append(
            (
                "[Content_Types].xml",
                Data(
                    (Self.xmlDeclaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                        + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                        + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                        + overrides
                        + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
                        + "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
                        + "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
                        + "</Types>").utf8)
            ))
        parts.append(
            (
                "_rels/.rels",
                Data(
                    (Self.xmlDeclaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
                        + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
                        + "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>"
                        + "</Relationships>").utf8)
            ))
        let created = ISO8601DateFormatter().string(from: Date())
        parts.append(
            (
                "docProps/core.xml",
                Data(
                    (Self.xmlDeclaration
                        + "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                        + "<dcterms:created xsi:type=\"dcterms:W3CDTF\">\(created)</dcterms:created>"
                        + "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">\(created)</dcterms:modified>"
                        + "</cp:coreProperties>").utf8)
            ))
        parts.append(
            (
                "docProps/app.xml",
                Data(
                    (Self.xmlDeclaration
                        + "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>WorkersHome</Application></Properties>")
                        .utf8)
            ))
        parts.append(
            (
                "xl/workbook.xml",
                Data(
                    (Self.xmlDeclaration
                        + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                        + "<bookViews><workbookView/></bookViews><sheets>" + workbookSheets + "</sheets></workbook>").utf8)
            ))
        parts.append(
            (
                "xl/_rels/workbook.xml.rels",
                Data(
                    (Self.xmlDeclaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + workbookRels
                        + "<Relationship Id=\"rId\(stylesId)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
                        + "</Relationships>").utf8)
            ))
        parts.append(("xl/styles.xml", Data(Self.styles.utf8)))
        var files: [(String, URL)] = []
        for (index, sheet) in sheets.enumerated() { files.append(("xl/worksheets/sheet\(index + 1).xml", sheet.fileURL)) }
        try ZipPackageWriter.write(to: url, parts: parts, files: files)
    }

    // MARK: - Text

    private static let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    private static let sheetHeader =
        xmlDeclaration
        + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"

    /// The minimal style sheet Excel expects (one font, the two mandatory fills, one border), with two
    /// cell formats: general, and text (`@`, index 1) for `textColumns`.
    private static let styles =
        xmlDeclaration
        + "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        + "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"

    /// Excel column name of a 1-based index: 1 → A, 27 → AA.
    static func columnName(_ index: Int) -> String {
        if index <= 26 { return String(UnicodeScalar(UInt8(0x40 + index))) }
        var n = index
        var name: [UInt8] = []
        while n > 0 {
            let remainder = (n - 1) % 26
            name.append(UInt8(0x41 + remainder))
            n = (n - 1) / 26
        }
        return String(decoding: name.reversed(), as: UTF8.self)
    }

    static func validSheetName(_ name: String) -> String {
        var cleaned = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        cleaned = cleaned.filter { !($0.unicodeScalars.first.map { $0.value < 0x20 } ?? false) }
        while cleaned.hasPrefix("'") { cleaned.removeFirst() }
        while cleaned.hasSuffix("'") { cleaned.removeLast() }
        cleaned = String(cleaned.prefix(31))
        return cleaned.isEmpty ? "Sheet1" : cleaned
    }

    static func continuationName(_ base: String, _ index: Int) -> String {
        let suffix = " (\(index))"
        return String(base.prefix(31 - suffix.count)) + suffix
    }

    /// Approximate display width in character cells: East Asian wide characters count two.
    static func displayWidth(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            if scalar == "\n" { break }
            let v = scalar.value
            let wide =
                (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            width += wide ? 2 : 1
        }
        return width
    }

    /// Whether `xml:space="preserve"` is needed: whitespace at either end, tabs or line breaks.
    private static func needsPreserve(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if first == 0x20 || last == 0x20 { return true }
        for b in text where b == 0x09 || b == 0x0A || b == 0x0D { return true }
        return false
    }

    /// Appends `text` as XML character data: `&<>` escaped, CR as `&#13;` (XML parsers would turn
    /// a raw one into LF), characters not allowed in XML 1.0 dropped, `_xHHHH_` patterns protected
    /// with `_x005F_` so readers do not unescape them, and cut at 32,767 UTF-16 units.
    static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = text.count
        var i = 0
        var utf16Units = 0
        while i < n {
            let b = text[i]
            // Length of this UTF-8 sequence (the input is a valid Swift string).
            let length = b < 0x80 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4))
            utf16Units += length == 4 ? 2 : 1
            if utf16Units > maxCellCharacters { break }
            switch b {
            case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
            case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
            case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
            case 0x0D: out.append(contentsOf: [0x26, 0x23, 0x31, 0x33, 0x3B])  // &#13;
            case 0x09, 0x0A: out.append(b)
            case 0x00..<0x20: break  // not allowed in XML 1.0
            case 0x5F:
                if isOOXMLEscape(text, at: i) { out.append(contentsOf: Array("_x005F".utf8)) }
                out.append(b)
            case 0xEF where i + 2 < n && text[i + 1] == 0xBF && (text[i + 2] == 0xBE || text[i + 2] == 0xBF):
                break  // U+FFFE, U+FFFF: not allowed in XML 1.0
            default:
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[i..<min(i + length, n)]))
            }
            i += length
        }
    }

    /// Whether `_xHHHH_` starts at `i`.
    private static func isOOXMLEscape(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 6 < text.count, text[i + 1] == 0x78, text[i + 6] == 0x5F else { return false }
        for k in 2...5 {
            let c = text[i + k]
            let hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
            if !hex { return false }
        }
        return true
    }

    static func escapeAttribute(_ text: String) -> String {
        var out: [UInt8] = []
        var copy = text
        copy.withUTF8 { appendEscaped($0, to: &out) }
        return String(decoding: out, as: UTF8.self).replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Writes a ZIP package with ZIPFoundation: small parts from memory, large ones streamed from
/// files, all deflated. Also used by the tests to build hand-made workbooks.
enum ZipPackageWriter {
    static let bufferSize = 64 * 1024

    static func write(to url: URL, parts: [(String, Data)], files: [(String, URL)] = []) throws {
        let partial = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: partial) }
        do {
            let archive = try Archive(url: partial, accessMode: .create)
            for (path, data) in parts {
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                    bufferSize: bufferSize
                ) { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
            for (path, fileURL) in files {
                let handle = try FileHandle(forReadingFrom: fileURL)
                defer { try? handle.close() }
                let size = try handle.seekToEnd()
                try handle.seek(toOffset: 0)
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate,
                    bufferSize: bufferSize
                ) { position, size in
                    try handle.seek(toOffset: UInt64(position))
                    return try handle.read(upToCount: size) ?? Data()
                }
            }
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        do {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: partial, to: url)
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
    }
}
