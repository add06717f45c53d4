import Foundation
import ZIPFoundation

/// A streaming reader of the first visible worksheet of an .xlsx workbook.
///
/// Design: the package parts that are small (`_rels/.rels`, the workbook and its relationships)
/// are read whole. The shared-string table is streamed and kept, compactly, as one UTF-8 byte
/// array plus offsets, since any cell may refer to any entry. The worksheet XML is never held
/// whole: a helper thread inflates it with ZIPFoundation into a bounded queue of 64 KiB chunks
/// (at most `queueDepth` waiting), and `nextRow()` pulls chunks through a hand-written
/// incremental XML tokenizer, stopping as soon as a `</row>` completes. Memory is therefore the
/// shared strings plus a few hundred KiB, whatever the number of rows.
///
/// Cell values are raw text as stored: numbers exactly as written (`1.30102199003071E+17` stays
/// that), shared and inline strings (rich-text runs concatenated, phonetic runs dropped, `_xHHHH_`
/// escapes undone), formula results (`t="str"`), errors (`#N/A`), booleans as `TRUE`/`FALSE`.
/// Dates are number cells holding Excel serial numbers; see `ExcelSerialDate`.
public final class XLSXReader: SpreadsheetReader {
    public static let chunkSize = 64 * 1024
    static let queueDepth = 4
    /// The most shared-string text accepted, in bytes (a guard against decompression bombs).
    static let maxSharedStringBytes = 1 << 30

    public var format: SpreadsheetFormat { .xlsx }
    /// The worksheet read (its tab name).
    public let sheetName: String
    /// Whether the workbook uses the 1904 date system (matters for `ExcelSerialDate`).
    public let usesDate1904: Bool
    public var progress: Double {
        if parser.finished { return 1 }
        return sheetSize == 0 ? 0 : min(1, Double(parser.tokenizer.consumedBytes) / Double(sheetSize))
    }

    private let stream: ZipEntryStream
    private var parser: SheetParser
    private let sheetSize: UInt64
    /// A row read by `skip(to:)` that `nextRow()` has yet to return.
    private var pending: SpreadsheetRow?

    /// Opens `url`, reads the workbook structure and the shared strings, and starts streaming the
    /// first visible worksheet.
    public convenience init(url: URL) throws {
        try self.init(url: url, chunkSize: Self.chunkSize)
    }

    /// `chunkSize` is adjustable so that tests can exercise chunk boundaries; `sheetIndex` picks
    /// a worksheet by 0-based position in tab order instead of the first visible one.
    init(url: URL, chunkSize: Int, sheetIndex: Int? = nil) throws {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw SpreadsheetError.invalidWorkbook("not a ZIP archive: \(error)")
        }
        let package = try WorkbookPackage(archive: archive, sheetIndex: sheetIndex)
        sheetName = package.sheetName
        usesDate1904 = package.date1904
        let sharedStrings: SharedStringTable
        if let sharedPath = package.sharedStringsPath, let entry = package.entry(sharedPath) {
            let stream = ZipEntryStream(archiveURL: url, entryPath: entry.path, chunkSize: chunkSize)
            defer { stream.cancel() }
            sharedStrings = try SharedStringTable.load(from: XMLTokenizer(source: stream.next))
        } else {
            sharedStrings = SharedStringTable()
        }
        guard let sheetEntry = package.entry(package.sheetPath) else {
            throw SpreadsheetError.invalidWorkbook("missing part \(package.sheetPath)")
        }
        sheetSize = sheetEntry.uncompressedSize
        stream = ZipEntryStream(archiveURL: url, entryPath: sheetEntry.path, chunkSize: chunkSize)
        parser = SheetParser(tokenizer: XMLTokenizer(source: stream.next), sharedStrings: sharedStrings)
    }

    deinit { stream.cancel() }

    public func close() {
        parser.finished = true
        pending = nil
        stream.cancel()
    }

    public func nextRow() throws -> SpreadsheetRow? {
        if let row = pending {
            pending = nil
            return row
        }
        return try read(skipBelow: 0)
    }

    public func skip(to rowNumber: Int) throws {
        if let row = pending {
            if row.number >= rowNumber { return }
            pending = nil
        }
        // Rows below the target are dropped undecoded; the first one at or past it is kept.
        pending = try read(skipBelow: rowNumber)
    }

    private func read(skipBelow: Int) throws -> SpreadsheetRow? {
        let row = try parser.readRow(skipBelow: skipBelow)
        if parser.finished {
            // Past </sheetData> the rest of the part is of no interest; at the real end of the
            // stream surface any inflate or CRC failure.
            if parser.reachedEndOfStream { try stream.finish() } else { stream.cancel() }
        }
        return row
    }
}

/// The worksheet state machine. A struct driven through one mutating call per row, so that the
/// hot loop touches only statically checked storage.
struct SheetParser {
    var tokenizer: XMLTokenizer
    let sharedStrings: SharedStringTable
    var finished = false
    var reachedEndOfStream = false
    private var lastRowNumber = 0
    /// Cell capacity to reserve for the next row.
    private var widestRow = 0
    private var value: [UInt8] = []
    private var pendingText: [UInt8] = []  // raw text awaiting entity decoding

    init(tokenizer: XMLTokenizer, sharedStrings: SharedStringTable) {
        self.tokenizer = tokenizer
        self.sharedStrings = sharedStrings
        value.reserveCapacity(256)
        pendingText.reserveCapacity(256)
    }

    private enum Capture { case none, value, text }

    enum CellType {
        case number, sharedString, inlineString, formulaString, boolean, error, date

        init(_ raw: UnsafeBufferPointer<UInt8>) {
            switch raw.count {
            case 1:
                switch raw[0] {
                case 0x73: self = .sharedString  // s
                case 0x62: self = .boolean  // b
                case 0x65: self = .error  // e
                case 0x64: self = .date  // d
                default: self = .number
                }
            case 3: self = raw[0] == 0x73 && raw[1] == 0x74 && raw[2] == 0x72 ? .formulaString : .number  // str
            case 9: self = raw[0] == 0x69 && raw[6] == 0x53 ? .inlineString : .number  // inlineStr
            default: self = .number
            }
        }
    }

    /// Reads up to the end of the next row numbered `skipBelow` or more; rows below it are
    /// scanned without decoding their cells. Returns nil at the end of the sheet data.
    mutating func readRow(skipBelow: Int) throws -> SpreadsheetRow? {
        if finished { return nil }
        var cells: [String] = []
        cells.reserveCapacity(widestRow)
        defer { widestRow = max(widestRow, cells.count) }
        var inRow = false
        var rowNumber = 0
        var dropRow = false
        var column = 0
        var cellType = CellType.number
        var inCell = false
        var inInline = false
        var phoneticDepth = 0
        var capture = Capture.none
        var hasValue = false

        while let token = try tokenizer.next() {
            switch token.kind {
            case .text:
                if capture != .none { tokenizer.withBytes(token.range) { pendingText.append(contentsOf: $0) } }
            case .cdata:
                if capture != .none {
                    flushText()
                    tokenizer.withBytes(token.range) { value.append(contentsOf: $0) }
                }
            case .start, .empty:
                let isEmpty = token.kind == .empty
                switch tokenizer.elementName(token) {
                case .row:
                    inRow = true
                    let r = tokenizer.withAttribute(token, "r") { XMLText.parseInt($0) } ?? nil
                    rowNumber = r.map { max($0, 1) } ?? lastRowNumber + 1
                    lastRowNumber = rowNumber
                    dropRow = rowNumber < skipBelow
                    cells.removeAll(keepingCapacity: true)
                    column = 0
                    if isEmpty {
                        inRow = false
                        if dropRow { continue }
                        return SpreadsheetRow(number: rowNumber, cells: [])
                    }
                case .c:
                    guard inRow, !dropRow else { continue }
                    column = (tokenizer.withAttribute(token, "r") { XMLText.columnIndex($0) } ?? nil) ?? column + 1
                    cellType = tokenizer.withAttribute(token, "t") { CellType($0) } ?? .number
                    value.removeAll(keepingCapacity: true)
                    pendingText.removeAll(keepingCapacity: true)
                    hasValue = false
                    inCell = !isEmpty
                    inInline = false
                    phoneticDepth = 0
                case .v:
                    if inCell && !isEmpty && !inInline {
                        capture = .value
                        hasValue = true
                    }
                case .is:
                    if inCell {
                        inInline = !isEmpty
                        hasValue = true
                    }
                case .rPh:
                    if inCell && !isEmpty { phoneticDepth += 1 }
                case .t:
                    if inCell && inInline && phoneticDepth == 0 && !isEmpty { capture = .text }
                default:
                    break
                }
            case .end:
                switch tokenizer.elementName(token) {
                case .v, .t:
                    if capture != .none { flushText() }
                    capture = .none
                case .rPh:
                    phoneticDepth = max(0, phoneticDepth - 1)
                case .is:
                    inInline = false
                case .c:
                    guard inCell else { continue }
                    inCell = false
                    capture = .none
                    flushText()
                    guard hasValue, column >= 1, column <= SpreadsheetLimits.maxColumns else { continue }
                    let text = cellText(type: cellType)
                    if column <= cells.count {
                        cells[column - 1] = text
                    } else {
                        if column - 1 > cells.count {
                            cells.append(contentsOf: repeatElement("", count: column - 1 - cells.count))
                        }
                        cells.append(text)
                    }
                case .row:
                    guard inRow else { continue }
                    inRow = false
                    if dropRow { continue }
                    while let last = cells.last, last.isEmpty { cells.removeLast() }
                    return SpreadsheetRow(number: rowNumber, cells: cells)
                case .sheetData:
                    finished = true
                    return nil
                default:
                    break
                }
            }
        }
        finished = true
        reachedEndOfStream = true
        return nil
    }

    private mutating func flushText() {
        if !pendingText.isEmpty {
            XMLText.decodeEntities(pendingText, into: &value)
            pendingText.removeAll(keepingCapacity: true)
        }
    }

    private func cellText(type: CellType) -> String {
        switch type {
        case .sharedString:
            guard let index = XMLText.parseInt(value) else { return "" }
            return sharedStrings[index]
        case .inlineString, .formulaString:
            return XMLText.string(XMLText.unescapeOOXML(value))
        case .boolean:
            let raw = XMLText.string(value).trimmingCharacters(in: .whitespaces)
            return raw == "1" || raw.lowercased() == "true" ? "TRUE" : (raw.isEmpty ? "" : "FALSE")
        case .number, .error, .date:
            return XMLText.string(value)
        }
    }
}

// MARK: - Package structure

/// Finds the first worksheet and the shared strings through the package relationships.
private struct WorkbookPackage {
    let archive: Archive
    var sheetPath = ""
    var sheetName = ""
    var sharedStringsPath: String?
    var date1904 = false

    static let maxPartBytes = 64 << 20

    init(archive: Archive, sheetIndex: Int?) throws {
        self.archive = archive
        // The root relationships name the workbook part.
        var workbookPath = "xl/workbook.xml"
        if let rootRels = try readPart("_rels/.rels") {
            for rel in try Self.relationships(rootRels, base: "")
            where rel.type.hasSuffix("/officeDocument") {
                workbookPath = rel.target
                break
            }
        }
        guard let workbook = try readPart(workbookPath) else {
            throw SpreadsheetError.invalidWorkbook("missing part \(workbookPath)")
        }
        let directory = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relsPath =
            (directory.isEmpty ? "" : directory + "/") + "_rels/"
            + (workbookPath.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        let rels = try readPart(relsPath).map { try Self.relationships($0, base: directory) } ?? []
        let byId = Dictionary(rels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        sharedStringsPath = rels.first { $0.type.hasSuffix("/sharedStrings") }?.target
        if sharedStringsPath == nil, entry((directory.isEmpty ? "" : directory + "/") + "sharedStrings.xml") != nil {
            sharedStringsPath = (directory.isEmpty ? "" : directory + "/") + "sharedStrings.xml"
        }

        // Sheets in tab order; the first visible worksheet wins, else the first worksheet.
        var sheets: [(name: String, path: String, visible: Bool)] = []
        var tokenizer = XMLTokenizer(data: workbook)
        while let token = try tokenizer.next() {
            guard token.kind == .start || token.kind == .empty else { continue }
            switch tokenizer.elementName(token) {
            case .workbookPr:
                let value = tokenizer.attribute(token, "date1904") ?? "0"
                date1904 = value == "1" || value == "true"
            case .sheet:
                guard let id = tokenizer.attribute(token, "id"), let rel = byId[id],
                    rel.type.hasSuffix("/worksheet")
                else { continue }
                let state = tokenizer.attribute(token, "state") ?? "visible"
                sheets.append((tokenizer.attribute(token, "name") ?? "", rel.target, state == "visible"))
            default:
                break
            }
        }
        let chosen =
            sheetIndex.map { sheets.indices.contains($0) ? sheets[$0] : nil }
            ?? sheets.first(where: \.visible) ?? sheets.first
        guard let sheet = chosen else { throw SpreadsheetError.noWorksheet }
        sheetPath = sheet.path
        sheetName = sheet.name
    }

    /// The entry at `path`, matched exactly or else ignoring case and a leading slash.
    func entry(_ path: String) -> Entry? {
        if let entry = archive[path] { return entry }
        let wanted = path.lowercased()
        for entry in archive {
            var candidate = entry.path.lowercased()
            if candidate.hasPrefix("/") { candidate.removeFirst() }
            if candidate == wanted { return entry }
        }
        return nil
    }

    func readPart(_ path: String) throws -> Data? {
        guard let entry = entry(path) else { return nil }
        guard entry.uncompressedSize <= Self.maxPartBytes else {
            throw SpreadsheetError.invalidWorkbook("part \(path) too large")
        }
        var data = Data()
        do {
            _ = try archive.extract(entry, bufferSize: 64 * 1024) { chunk in
                data.append(chunk)
                if data.count > Self.maxPartBytes { throw SpreadsheetError.invalidWorkbook("part \(path) too large") }
            }
        } catch let error as SpreadsheetError {
            throw error
        } catch {
            throw SpreadsheetError.invalidWorkbook("cannot extract \(path): \(error)")
        }
        return data
    }

    struct Relationship {
        var id: String
        var type: String
        var target: String
    }

    static func relationships(_ data: Data, base: String) throws -> [Relationship] {
        var result: [Relationship] = []
        var tokenizer = XMLTokenizer(data: data)
        while let token = try tokenizer.next() {
            guard token.kind == .start || token.kind == .empty,
                tokenizer.elementName(token) == .relationship
            else { continue }
            if tokenizer.attribute(token, "TargetMode") == "External" { continue }
            guard let id = tokenizer.attribute(token, "Id"), let target = tokenizer.attribute(token, "Target") else {
                continue
            }
            result.append(
                Relationship(id: id, type: tokenizer.attribute(token, "Type") ?? "", target: resolve(target, base: base)))
        }
        return result
    }

    /// Resolves a relationship target against the directory of the part that names it.
    static func resolve(_ target: String, base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }
}

// MARK: - Shared strings

/// All shared strings as one UTF-8 byte array plus start offsets: a few bytes of overhead per
/// string instead of a `String` allocation each.
struct SharedStringTable: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]

    var count: Int { starts.count - 1 }

    subscript(index: Int) -> String {
        guard index >= 0, index < count else { return "" }
        return bytes.withUnsafeBufferPointer { buf in
            String(decoding: UnsafeBufferPointer(rebasing: buf[starts[index]..<starts[index + 1]]), as: UTF8.self)
        }
    }

    mutating func append(_ text: [UInt8]) {
        bytes.append(contentsOf: text)
        starts.append(bytes.count)
    }

    static func load(from tokenizer: XMLTokenizer, limit: Int = SpreadsheetLimits.maxSharedStrings) throws -> SharedStringTable {
        var tokenizer = tokenizer
        var table = SharedStringTable()
        var inItem = false
        var phoneticDepth = 0
        var capturing = false
        var value: [UInt8] = []
        var pendingText: [UInt8] = []
        func flush() {
            if !pendingText.isEmpty {
                XMLText.decodeEntities(pendingText, into: &value)
                pendingText.removeAll(keepingCapacity: true)
            }
        }
        while let token = try tokenizer.next() {
            switch token.kind {
            case .text:
                if capturing { tokenizer.withBytes(token.range) { pendingText.append(contentsOf: $0) } }
            case .cdata:
                if capturing {
                    flush()
                    tokenizer.withBytes(token.range) { value.append(contentsOf: $0) }
                }
            case .start, .empty:
                let isEmpty = token.kind == .empty
                switch tokenizer.elementName(token) {
                case .sst:
                    if let count = tokenizer.attribute(token, "uniqueCount").flatMap({ Int($0) }), count > 0 {
                        table.starts.reserveCapacity(min(count, 4_000_000) + 1)
                    }
                case .si:
                    if isEmpty {
                        table.append([])
                        if table.count > limit {
                            throw SpreadsheetError.invalidWorkbook("too many shared strings")
                        }
                    } else {
                        inItem = true
                        phoneticDepth = 0
                        value.removeAll(keepingCapacity: true)
                    }
                case .rPh:
                    if inItem && !isEmpty { phoneticDepth += 1 }
                case .t:
                    if inItem && phoneticDepth == 0 && !isEmpty { capturing = true }
                default:
                    break
                }
            case .end:
                switch tokenizer.elementName(token) {
                case .t:
                    if capturing { flush() }
                    capturing = false
                case .rPh:
                    phoneticDepth = max(0, phoneticDepth - 1)
                case .si:
                    guard inItem else { continue }
                    inItem = false
                    table.append(XMLText.unescapeOOXML(value))
                    if table.bytes.count > XLSXReader.maxSharedStringBytes {
                        throw SpreadsheetError.invalidWorkbook("shared strings too large")
                    }
                    if table.count > limit {
                        throw SpreadsheetError.invalidWorkbook("too many shared strings")
                    }
                default:
                    break
                }
            }
        }
        try tokenizer.finishSource()
        return table
    }
}

// MARK: - Streaming a ZIP entry from a helper thread

/// Inflates one ZIP entry on a helper thread into a bounded queue of chunks that `next()` pulls.
/// All mutable state is guarded by `condition`, hence `@unchecked Sendable`.
final class ZipEntryStream: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Data] = []
    private var done = false
    private var failure: (any Error)?
    private var cancelled = false
    private let depth: Int

    init(archiveURL: URL, entryPath: String, chunkSize: Int, depth: Int = XLSXReader.queueDepth) {
        self.depth = depth
        let thread = Thread { [self] in
            self.run(archiveURL: archiveURL, entryPath: entryPath, chunkSize: chunkSize)
        }
        thread.name = "xlsx-inflate"
        thread.start()
    }

    private func run(archiveURL: URL, entryPath: String, chunkSize: Int) {
        var error: (any Error)?
        do {
            let archive = try Archive(url: archiveURL, accessMode: .read)
            guard let entry = archive[entryPath] else {
                throw SpreadsheetError.invalidWorkbook("missing part \(entryPath)")
            }
            // ZIPFoundation inflates in 64 KiB steps; smaller chunks (tests) are cut from those.
            let checksum = try archive.extract(entry, bufferSize: max(chunkSize, XLSXReader.chunkSize)) { data in
                var offset = data.startIndex
                while offset < data.endIndex {
                    let end = min(offset + chunkSize, data.endIndex)
                    try self.push(data[offset..<end])
                    offset = end
                }
            }
            if checksum != entry.checksum {
                throw SpreadsheetError.invalidWorkbook("CRC mismatch in \(entryPath)")
            }
        } catch let caught {
            error = caught
        }
        condition.lock()
        done = true
        if !cancelled, let error {
            failure = error as? SpreadsheetError ?? SpreadsheetError.invalidWorkbook("\(entryPath): \(error)")
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Queues one chunk, waiting while the queue is full.
    private func push(_ chunk: Data) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && !cancelled { condition.wait() }
        if cancelled { throw CancellationError() }
        queue.append(chunk)
        condition.broadcast()
    }

    /// The next chunk (never empty), nil at the end; blocks while the helper thread inflates.
    func next() throws -> Data? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !done && !cancelled { condition.wait() }
        if !queue.isEmpty {
            let chunk = queue.removeFirst()
            condition.broadcast()
            return chunk
        }
        if let failure { throw failure }
        return nil
    }

    /// Throws the helper thread's failure, if any (after the last chunk was taken).
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        while !done && !cancelled { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops the helper thread; later `next()` calls return nil.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

// MARK: - XML tokenizer

/// The element and attribute names the reader cares about, matched by local name (prefixes such
/// as `x:` from some generators are ignored).
enum XMLName {
    case row, c, v, `is`, t, rPh, sheetData, si, sst, sheet, relationship, workbookPr, other
}

struct XMLToken {
    enum Kind { case start, end, empty, text, cdata }
    var kind: Kind
    /// For tags, the local name; for text and CDATA, the content.
    var range: Range<Int>
    /// For start and empty tags, the attribute text.
    var attributes: Range<Int>
}

/// A pull tokenizer over XML arriving in chunks. Tags, comments and CDATA sections are returned
/// whole (the buffer grows to hold one); text is returned in pieces as it arrives, undecoded.
/// Processing instructions, comments and DOCTYPE are skipped; entities declared in a DTD are never
/// expanded. Token ranges are valid until the next call to `next()`.
struct XMLTokenizer {
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEOF = false
    private let source: () throws -> Data?
    /// Bytes dropped from the front of the buffer so far plus the current position.
    var consumedBytes: UInt64 { droppedBytes + UInt64(position) }
    private var droppedBytes: UInt64 = 0
    static let maxTokenBytes = 64 << 20

    init(source: @escaping () throws -> Data?) {
        self.source = source
    }

    init(data: Data) {
        var delivered = false
        self.source = {
            if delivered { return nil }
            delivered = true
            return data
        }
    }

    /// Drains the source so that a failure behind the last chunk surfaces.
    mutating func finishSource() throws {
        while !atEOF { try fill() }
    }

    private mutating func fill() throws {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            droppedBytes += UInt64(position)
            position = 0
        }
        guard !atEOF else { return }
        // A source may hand out empty chunks before the end; only nil ends the stream.
        while let data = try source() {
            if data.isEmpty { continue }
            if buffer.isEmpty && droppedBytes == 0 && (data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])) {
                throw SpreadsheetError.invalidWorkbook("UTF-16 XML is not supported")
            }
            buffer.append(contentsOf: data)
            return
        }
        atEOF = true
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    mutating func next() throws -> XMLToken? {
        while true {
            if position >= buffer.count {
                if atEOF { return nil }
                try fill()
                continue
            }
            let start = position
            let scan: (token: XMLToken?, end: Int)? = buffer.withUnsafeBufferPointer { buf in
                Self.scan(buf, from: start, atEOF: atEOF)
            }
            guard let scan else {
                if atEOF { throw SpreadsheetError.invalidWorkbook("truncated XML") }
                if buffer.count - position > Self.maxTokenBytes {
                    throw SpreadsheetError.invalidWorkbook("XML token too large")
                }
                try fill()
                continue
            }
            position = scan.end
            if let token = scan.token { return token }
        }
    }

    /// Scans one token at `start`. Returns nil if it is incomplete in `buf`; a nil token with an
    /// end means something skipped (comment, PI, DOCTYPE).
    private static func scan(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, atEOF: Bool)
        -> (token: XMLToken?, end: Int)?
    {
        let n = buf.count
        let lt: UInt8 = 0x3C
        let gt: UInt8 = 0x3E
        if buf[start] != lt {
            var i = start
            while i < n && buf[i] != lt { i += 1 }
            return (XMLToken(kind: .text, range: start..<i, attributes: i..<i), i)
        }
        guard start + 1 < n else { return nil }
        switch buf[start + 1] {
        case 0x2F:  // </name>
            var i = start + 2
            while i < n && buf[i] != gt { i += 1 }
            guard i < n else { return nil }
            var nameEnd = start + 2
            while nameEnd < i && !isSpace(buf[nameEnd]) { nameEnd += 1 }
            return (XMLToken(kind: .end, range: localName(buf, start + 2, nameEnd), attributes: i..<i), i + 1)
        case 0x3F:  // <? … ?>
            guard let end = find(buf, [0x3F, 0x3E], from: start + 2) else { return nil }
            return (nil, end + 2)
        case 0x21:  // <!-- -->, <![CDATA[ ]]>, <!DOCTYPE …>
            if hasPrefix(buf, start, "<!--") {
                guard let end = find(buf, [0x2D, 0x2D, 0x3E], from: start + 4) else { return nil }
                return (nil, end + 3)
            }
            if n - start < 9 { return nil }
            if hasPrefix(buf, start, "<![CDATA[") {
                guard let end = find(buf, [0x5D, 0x5D, 0x3E], from: start + 9) else { return nil }
                return (XMLToken(kind: .cdata, range: (start + 9)..<end, attributes: end..<end), end + 3)
            }
            var depth = 0
            var i = start + 2
            while i < n {
                let b = buf[i]
                if b == 0x5B { depth += 1 } else if b == 0x5D { depth -= 1 } else if b == gt && depth <= 0 { break }
                i += 1
            }
            guard i < n else { return nil }
            return (nil, i + 1)
        default:  // <name attr="…" …> or …/>
            var i = start + 1
            var quote: UInt8 = 0
            while i < n {
                let b = buf[i]
                if quote != 0 {
                    if b == quote { quote = 0 }
                } else if b == 0x22 || b == 0x27 {
                    quote = b
                } else if b == gt {
                    break
                }
                i += 1
            }
            guard i < n else { return nil }
            let isEmpty = buf[i - 1] == 0x2F
            var nameEnd = start + 1
            while nameEnd < i && !isSpace(buf[nameEnd]) && buf[nameEnd] != 0x2F { nameEnd += 1 }
            return (
                XMLToken(
                    kind: isEmpty ? .empty : .start, range: localName(buf, start + 1, nameEnd),
                    attributes: nameEnd..<(isEmpty ? i - 1 : i)),
                i + 1
            )
        }
    }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    private static func localName(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var i = end
        while i > start {
            if buf[i - 1] == 0x3A { return i..<end }
            i -= 1
        }
        return start..<end
    }

    private static func hasPrefix(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard buf.count - start >= count else { return false }
        let p = prefix.utf8Start
        for k in 0..<count where buf[start + k] != p[k] { return false }
        return true
    }

    private static func find(_ buf: UnsafeBufferPointer<UInt8>, _ pattern: [UInt8], from start: Int) -> Int? {
        let first = pattern[0]
        var i = start
        let last = buf.count - pattern.count
        while i <= last {
            if buf[i] == first {
                var match = true
                for k in 1..<pattern.count where buf[i + k] != pattern[k] {
                    match = false
                    break
                }
                if match { return i }
            }
            i += 1
        }
        return nil
    }

    func elementName(_ token: XMLToken) -> XMLName {
        withBytes(token.range) { name in
            switch name.count {
            case 1:
                switch name[0] {
                case 0x63: .c
                case 0x76: .v
                case 0x74: .t
                default: .other
                }
            case 2: name[0] == 0x69 && name[1] == 0x73 ? .is : (name[0] == 0x73 && name[1] == 0x69 ? .si : .other)
            case 3:
                if Self.equals(name, "row") {
                    .row
                } else if Self.equals(name, "rPh") {
                    .rPh
                } else if Self.equals(name, "sst") {
                    .sst
                } else {
                    .other
                }
            case 5: Self.equals(name, "sheet") ? .sheet : .other
            case 9: Self.equals(name, "sheetData") ? .sheetData : .other
            case 10: Self.equals(name, "workbookPr") ? .workbookPr : .other
            case 12: Self.equals(name, "Relationship") ? .relationship : .other
            default: .other
            }
        }
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let p = text.utf8Start
        for k in 0..<bytes.count where bytes[k] != p[k] { return false }
        return true
    }

    /// Calls `body` with the raw (undecoded) value of the attribute whose local name is `name`;
    /// nil if the tag has no such attribute.
    func withAttribute<R>(_ token: XMLToken, _ name: StaticString, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        withBytes(token.attributes) { buf -> R? in
            let n = buf.count
            var i = 0
            while i < n {
                while i < n && Self.isSpace(buf[i]) { i += 1 }
                let nameStart = i
                while i < n && buf[i] != 0x3D && !Self.isSpace(buf[i]) { i += 1 }
                let nameRange = Self.localName(buf, nameStart, i)
                while i < n && buf[i] != 0x22 && buf[i] != 0x27 { i += 1 }
                guard i < n else { return nil }
                let quote = buf[i]
                i += 1
                let valueStart = i
                while i < n && buf[i] != quote { i += 1 }
                let valueRange = valueStart..<min(i, n)
                i += 1
                if Self.equals(UnsafeBufferPointer(rebasing: buf[nameRange]), name) {
                    return body(UnsafeBufferPointer(rebasing: buf[valueRange]))
                }
            }
            return nil
        }
    }

    /// The entity-decoded value of the attribute whose local name is `name`, if present.
    func attribute(_ token: XMLToken, _ name: StaticString) -> String? {
        withAttribute(token, name) { raw in
            var decoded: [UInt8] = []
            XMLText.decodeEntities(raw, into: &decoded)
            return String(decoding: decoded, as: UTF8.self)
        }
    }
}

/// Helpers on raw XML text.
enum XMLText {
    /// Appends `raw` to `out` with the five predefined entities and character references decoded.
    /// Unknown entities are kept as written.
    static func decodeEntities<C: Collection<UInt8>>(_ raw: C, into out: inout [UInt8]) where C.Index == Int {
        guard raw.contains(0x26) else {
            out.append(contentsOf: raw)
            return
        }
        var i = raw.startIndex
        let end = raw.endIndex
        while i < end {
            let b = raw[i]
            guard b == 0x26 else {
                out.append(b)
                i += 1
                continue
            }
            var semicolon = i + 1
            while semicolon < end && semicolon - i <= 12 && raw[semicolon] != 0x3B { semicolon += 1 }
            guard semicolon < end && raw[semicolon] == 0x3B else {
                out.append(b)
                i += 1
                continue
            }
            let name = String(decoding: raw[(i + 1)..<semicolon], as: UTF8.self)
            var scalar: Unicode.Scalar?
            switch name {
            case "amp": scalar = "&"
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if name.hasPrefix("#") {
                    scalar = UInt32(name.dropFirst(1)).flatMap(Unicode.Scalar.init)
                }
            }
            if let scalar {
                out.append(contentsOf: String(scalar).utf8)
                i = semicolon + 1
            } else {
                out.append(b)
                i += 1
            }
        }
    }

    /// Undoes the OOXML `_xHHHH_` escape Excel uses for characters XML cannot carry (`_x000D_` for
    /// a carriage return, `_x005F_` for a literal underscore before such a pattern).
    static func unescapeOOXML(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 7, bytes.contains(0x5F) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x5F, i + 6 < bytes.count, bytes[i + 1] == 0x78, bytes[i + 6] == 0x5F,
                let code = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                out.append(contentsOf: String(scalar).utf8)
                i += 7
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// A non-negative decimal integer, surrounding whitespace allowed.
    static func parseInt<C: Collection<UInt8>>(_ bytes: C) -> Int? {
        var value = 0
        var digits = 0
        for b in bytes {
            if b >= 0x30 && b <= 0x39 {
                guard digits < 18 else { return nil }
                value = value * 10 + Int(b - 0x30)
                digits += 1
            } else if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                continue
            } else {
                return nil
            }
        }
        return digits > 0 ? value : nil
    }

    /// The 1-based column of a cell reference such as "C5" (3) or "AA10" (27); nil if malformed.
    static func columnIndex(_ reference: UnsafeBufferPointer<UInt8>) -> Int? {
        var column = 0
        var letters = 0
        for b in reference {
            switch b {
            case 0x41...0x5A: column = column * 26 + Int(b - 0x40)
            case 0x61...0x7A: column = column * 26 + Int(b - 0x60)
            case 0x24: continue  // "$"
            default:
                return letters > 0 ? column : nil
            }
            letters += 1
            if letters > 3 { return nil }
        }
        return letters > 0 ? column : nil
    }
}
