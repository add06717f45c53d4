import Foundation

// Streaming spreadsheet access for member import and export.
//
// Reading: `openSpreadsheet(at:)` looks at the file's first bytes (not its name) and returns a
// `CSVReader` or an `XLSXReader`. Both hand out one `SpreadsheetRow` at a time and keep memory
// bounded however long the file is (the XLSX shared-string table is the one part that has to be
// held whole). Readers do blocking file I/O: drive them from a job, not from a request handler's
// hot path. A reader is not `Sendable`; create it and consume it in the same task.
//
// Writing: `CSVWriter` and `XLSXWriter` (see their files).

/// The user-facing messages of the spreadsheet code, in one place for translation.
public enum SpreadsheetText {
    public static let unreadableFile = "无法读取上传的文件，请重新上传"
    public static let notUTF8 =
        "文件编码不是 UTF-8，也无法按 GB18030/GBK 识别。请在 Excel 中选择“另存为 → CSV UTF-8（逗号分隔）”后重新上传"
    public static let legacyExcel = "不支持旧版 Excel（.xls）或已加密的工作簿，请另存为 .xlsx 或 CSV UTF-8 后重新上传"
    public static let invalidWorkbook = "文件不是有效的 Excel（.xlsx）工作簿，或文件已损坏"
    public static let noWorksheet = "工作簿中没有可读取的工作表"
    public static func rowTooLarge(_ row: Int) -> String { "第 \(row) 行内容过长，可能是引号未配对，请检查文件" }
    public static let writeFailed = "生成文件失败，请稍后重试"
    public static let brokenEncoding = "该行含有无法识别的字符（编码错误），请检查后重新导入"
    public static let unclosedQuote = "该行的引号未配对，内容可能不完整"
}

/// What is wrong with a row that was still returned.
public enum SpreadsheetRowProblem: String, Sendable, Equatable, CaseIterable {
    /// Some bytes of the row were not valid in the file's encoding; the cells hold a best-effort
    /// decoding (invalid bytes become U+FFFD).
    case brokenEncoding
    /// A quoted CSV field was still open at the end of the file; the cell holds everything up to the end.
    case unclosedQuote

    /// A message for the user, in Chinese.
    public var message: String {
        switch self {
        case .brokenEncoding: SpreadsheetText.brokenEncoding
        case .unclosedQuote: SpreadsheetText.unclosedQuote
        }
    }
}

/// One row of a sheet.
public struct SpreadsheetRow: Sendable, Equatable {
    /// 1-based row number as the user sees it in Excel, the header being row 1. For CSV this is
    /// the record number (a quoted field spanning lines is still one row); for XLSX it is the
    /// sheet's own `r` attribute, so rows absent from the file leave gaps in the numbering.
    public var number: Int
    /// Raw cell text, left to right from column A, with nothing trimmed (only line terminators are
    /// removed). A CSV row has as many cells as the line has fields, an empty line has none; an
    /// XLSX row has empty strings for skipped cells and no trailing empty cells.
    public var cells: [String]
    /// Set when the row itself is damaged; the importer should report it and go on.
    public var problem: SpreadsheetRowProblem?

    public init(number: Int, cells: [String], problem: SpreadsheetRowProblem? = nil) {
        self.number = number
        self.cells = cells
        self.problem = problem
    }

    /// The cell in 0-based `column`, or "" past the end of the row.
    public subscript(column: Int) -> String {
        column >= 0 && column < cells.count ? cells[column] : ""
    }

    /// True when no cell holds anything but whitespace (an empty line, `,,,`, or an XLSX row of
    /// formatted empty cells). Importers usually skip such rows.
    public var isBlank: Bool {
        cells.allSatisfy { $0.allSatisfy(\.isWhitespace) }
    }
}

/// Which kind of file a reader reads.
public enum SpreadsheetFormat: String, Sendable {
    case csv
    case xlsx
}

/// Failures that stop reading or writing a whole file. Row-level damage is reported per row instead
/// (`SpreadsheetRow.problem`).
/// Bounds on what a spreadsheet may make the readers hold, whatever the file claims: a few bytes
/// of crafted XML or commas must not expand into gigabytes of empty cells.
public enum SpreadsheetLimits {
    /// Cells kept per row; later ones are dropped (import templates have a dozen columns).
    public static let maxColumns = 256
    /// Entries in an XLSX shared-string table.
    public static let maxSharedStrings = 4_000_000
}

public enum SpreadsheetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read; the detail is for logs.
    case unreadableFile(String)
    /// A CSV in an encoding that is neither UTF-8 nor GB18030 (for example UTF-16).
    case notUTF8
    /// An OLE2 compound file: legacy .xls or a password-protected .xlsx.
    case legacyExcel
    /// A ZIP that is not a readable workbook; the detail is for logs.
    case invalidWorkbook(String)
    /// The workbook has no worksheet.
    case noWorksheet
    /// One row is larger than the reader's safety limit (usually a stray quote in a CSV).
    case rowTooLarge(row: Int)
    /// Writing failed; the detail is for logs.
    case writeFailed(String)

    /// A message for the user, in Chinese.
    public var message: String {
        switch self {
        case .unreadableFile: SpreadsheetText.unreadableFile
        case .notUTF8: SpreadsheetText.notUTF8
        case .legacyExcel: SpreadsheetText.legacyExcel
        case .invalidWorkbook: SpreadsheetText.invalidWorkbook
        case .noWorksheet: SpreadsheetText.noWorksheet
        case .rowTooLarge(let row): SpreadsheetText.rowTooLarge(row)
        case .writeFailed: SpreadsheetText.writeFailed
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let detail): "spreadsheet: unreadable file: \(detail)"
        case .notUTF8: "spreadsheet: CSV is neither UTF-8 nor GB18030"
        case .legacyExcel: "spreadsheet: OLE2 file (legacy .xls or encrypted workbook)"
        case .invalidWorkbook(let detail): "spreadsheet: invalid workbook: \(detail)"
        case .noWorksheet: "spreadsheet: workbook has no worksheet"
        case .rowTooLarge(let row): "spreadsheet: row \(row) exceeds the size limit"
        case .writeFailed(let detail): "spreadsheet: write failed: \(detail)"
        }
    }
}

/// A pull-style, streaming reader of the rows of one sheet.
///
/// ```swift
/// var reader = try openSpreadsheet(at: upload)
/// try reader.skip(to: resumeRow)          // optional
/// while let row = try reader.nextRow() { … }
/// ```
public protocol SpreadsheetReader {
    /// The format detected from the file's content.
    var format: SpreadsheetFormat { get }

    /// How far through the file the reader is, from 0 to 1 (by bytes; for progress display only).
    var progress: Double { get }

    /// The next row, or nil at the end of the sheet. Throws only when the file as a whole cannot be
    /// read further; a damaged row comes back with `problem` set.
    mutating func nextRow() throws -> SpreadsheetRow?

    /// Drops rows so that the next `nextRow()` returns the first row numbered `rowNumber` or later.
    /// Skipped rows are scanned but not decoded. Does nothing if the reader is already past it.
    mutating func skip(to rowNumber: Int) throws

    /// Releases the file and any helper thread early; also done on deinit. `nextRow()` then returns nil.
    mutating func close()
}

/// Opens a CSV or XLSX file for reading, choosing by content: the ZIP signature `PK\x03\x04`
/// means XLSX, an OLE2 signature is refused as legacy .xls, anything else is read as CSV.
public func openSpreadsheet(at url: URL) throws -> any SpreadsheetReader {
    let magic: Data
    do {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        magic = try handle.read(upToCount: 8) ?? Data()
    } catch {
        throw SpreadsheetError.unreadableFile("\(url.path): \(error)")
    }
    let bytes = [UInt8](magic)
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
        return try XLSXReader(url: url)
    }
    if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        throw SpreadsheetError.legacyExcel
    }
    return try CSVReader(url: url)
}

/// Excel stores dates as serial day numbers in number cells (the cell's format, which this reader
/// does not read, makes them look like dates). Importers that expect a date in a column can turn
/// such a value back into a calendar date with this.
public enum ExcelSerialDate {
    /// The date of an Excel serial number such as "45123" or "45123.5" (the time of day is dropped),
    /// or nil if `text` is not a plausible serial number. `date1904` is the workbook's date system
    /// (`XLSXReader.usesDate1904`).
    public static func components(from text: String, date1904: Bool = false) -> DateComponents? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite,
            value >= (date1904 ? 0 : 1), value < 2_958_466
        else { return nil }
        let serial = Int(value.rounded(.down))
        let unixDay: Int
        if date1904 {
            unixDay = serial - 24_107  // serial 0 is 1904-01-01
        } else {
            // Serial 1 is 1900-01-01, and Excel counts a 1900-02-29 that never was (serial 60).
            if serial == 60 { return nil }
            unixDay = serial < 60 ? serial - 25_568 : serial - 25_569
        }
        // Civil-from-days (Howard Hinnant), with day 0 = 1970-01-01.
        let z = unixDay + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return DateComponents(year: year, month: month, day: day)
    }
}
