import Foundation

#if canImport(CoreFoundation)
    import CoreFoundation
#endif

/// A streaming RFC 4180 reader.
///
/// The file is read in 64 KiB chunks; only the current chunk and the record being parsed are held,
/// so memory stays bounded (one record may grow the buffer up to `maxRecordBytes`, after which the
/// reader throws `SpreadsheetError.rowTooLarge`: typically a stray quote swallowing the file). Accepted input:
/// - UTF-8 with or without BOM; GB18030/GBK (what Chinese Excel writes as "CSV") is detected from
///   the first chunk and decoded transparently. Other encodings (UTF-16…) are refused up front.
/// - Fields separated by commas, quoted fields with commas, doubled quotes and line breaks inside.
/// - Records ended by CRLF, LF or a lone CR; the last record may lack a terminator.
/// - Lenient where RFC 4180 is strict: a quote inside an unquoted field is kept as text, and text
///   after a closing quote is appended to the field.
/// A record with invalid bytes comes back with `problem == .brokenEncoding`; a quoted field left
/// open at the end of the file with `problem == .unclosedQuote`.
public final class CSVReader: SpreadsheetReader {
    /// The text encoding in use.
    public enum TextEncoding: String, Sendable {
        case utf8
        case gb18030
    }

    public static let defaultChunkSize = 64 * 1024
    /// The largest record accepted, in bytes.
    public static let maxRecordBytes = 16 * 1024 * 1024

    public let encoding: TextEncoding
    public var format: SpreadsheetFormat { .csv }
    public var progress: Double {
        fileSize == 0 ? 1 : min(1, Double(consumedBytes) / Double(fileSize))
    }

    private var handle: FileHandle?
    private let chunkSize: Int
    private let fileSize: UInt64
    /// Bytes of the file that were taken into `buffer` before `bufferStart`… plus parsed ones.
    private var consumedBytes: UInt64 = 0
    /// Unparsed bytes are `buffer[position...]`.
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEOF = false
    /// The previous record ended with a lone CR: a LF right after it belongs to it.
    private var skipLineFeed = false
    private var nextNumber = 1
    private var scratch: [UInt8] = []
    /// Cell capacity to reserve for the next row.
    private var widestRow = 0
    /// The largest capacity the buffer reached (for tests of the memory bound): about two chunks,
    /// or twice the longest record.
    private(set) var peakBufferCapacity = 0

    /// Opens `url` and detects its encoding from the first chunk.
    public convenience init(url: URL) throws {
        try self.init(url: url, chunkSize: Self.defaultChunkSize)
    }

    /// `chunkSize` is adjustable so that tests can exercise chunk boundaries.
    init(url: URL, chunkSize: Int) throws {
        precondition(chunkSize > 0)
        self.chunkSize = chunkSize
        // Detection looks at the first 64 KiB whatever the chunk size.
        var sample: [UInt8] = []
        var eof = false
        do {
            let handle = try FileHandle(forReadingFrom: url)
            self.handle = handle
            fileSize = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            while sample.count < Self.defaultChunkSize {
                guard let data = try handle.read(upToCount: Self.defaultChunkSize - sample.count), !data.isEmpty
                else {
                    eof = true
                    break
                }
                sample.append(contentsOf: data)
            }
        } catch {
            throw SpreadsheetError.unreadableFile("\(url.path): \(error)")
        }
        var bomLength = 0
        let head = sample.prefix(4)
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            encoding = .utf8
            bomLength = 3
        } else if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw SpreadsheetError.notUTF8
        } else if head.starts(with: [0x84, 0x31, 0x95, 0x33]) {
            guard Self.gb18030 != nil else { throw SpreadsheetError.notUTF8 }
            encoding = .gb18030
            bomLength = 4
        } else {
            encoding = try Self.detectEncoding(sample, complete: eof)
        }
        sample.reserveCapacity(Self.defaultChunkSize + chunkSize)
        buffer = sample
        atEOF = eof
        position = bomLength
        consumedBytes = UInt64(bomLength)
        peakBufferCapacity = buffer.capacity
    }

    deinit { try? handle?.close() }

    public func close() {
        try? handle?.close()
        handle = nil
        buffer = []
        position = 0
        atEOF = true
    }

    public func nextRow() throws -> SpreadsheetRow? {
        var cells: [String] = []
        cells.reserveCapacity(widestRow)
        guard let problem = try readRecord(into: &cells, keep: true) else { return nil }
        widestRow = max(widestRow, cells.count)
        let number = nextNumber
        nextNumber += 1
        return SpreadsheetRow(number: number, cells: cells, problem: problem.value)
    }

    public func skip(to rowNumber: Int) throws {
        var cells: [String] = []
        while nextNumber < rowNumber {
            guard try readRecord(into: &cells, keep: false) != nil else { return }
            nextNumber += 1
        }
    }

    // MARK: - Records

    /// Wraps an optional problem so that "no record" (nil) differs from "a record without problem".
    private struct Outcome {
        var value: SpreadsheetRowProblem?
    }

    /// Parses the next record into `cells` (decoding only if `keep`), or returns nil at the end.
    private func readRecord(into cells: inout [String], keep: Bool) throws -> Outcome? {
        while true {
            if skipLineFeed {
                if position == buffer.count, !atEOF { try refill() }
                if position < buffer.count {
                    skipLineFeed = false
                    if buffer[position] == 0x0A {
                        position += 1
                        consumedBytes += 1
                    }
                } else {
                    skipLineFeed = false
                }
            }
            if position == buffer.count {
                if atEOF { return nil }
                try refill()
                continue
            }
            cells.removeAll(keepingCapacity: true)
            let encoding = self.encoding
            let eof = atEOF
            let start = position
            let parsed: ParseResult? = buffer.withUnsafeBufferPointer { buf in
                Self.parseRecord(
                    buf, from: start, atEOF: eof, keep: keep, encoding: encoding, cells: &cells,
                    scratch: &scratch)
            }
            guard let parsed else {
                if buffer.count - position >= Self.maxRecordBytes {
                    throw SpreadsheetError.rowTooLarge(row: nextNumber)
                }
                try refill()
                continue
            }
            consumedBytes += UInt64(parsed.end - position)
            position = parsed.end
            skipLineFeed = parsed.endedWithCR
            return Outcome(value: parsed.problem)
        }
    }

    /// Drops parsed bytes and appends the next chunk. While one record outgrows the buffer the
    /// reads double in size, so that re-parsing the record from its start stays linear overall.
    private func refill() throws {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        try fill(max(chunkSize, buffer.count))
    }

    private func fill(_ count: Int) throws {
        guard let handle, !atEOF else {
            atEOF = true
            return
        }
        let data: Data?
        do {
            data = try handle.read(upToCount: count)
        } catch {
            throw SpreadsheetError.unreadableFile("\(error)")
        }
        if let data, !data.isEmpty {
            buffer.append(contentsOf: data)
            peakBufferCapacity = max(peakBufferCapacity, buffer.capacity)
        } else {
            atEOF = true
        }
    }

    private struct ParseResult {
        var end: Int
        var endedWithCR: Bool
        var problem: SpreadsheetRowProblem?
    }

    private static let quote: UInt8 = 0x22
    private static let comma: UInt8 = 0x2C
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D

    /// Parses one record starting at `start`. Returns nil when the record does not end within `buf`
    /// and more input may follow; the caller then refills and parses the record again from its start.
    private static func parseRecord(
        _ buf: UnsafeBufferPointer<UInt8>, from start: Int, atEOF: Bool, keep: Bool, encoding: TextEncoding,
        cells: inout [String], scratch: inout [UInt8]
    ) -> ParseResult? {
        let n = buf.count
        var i = start
        var broken = false
        var unclosed = false
        // An empty line is a record without cells.
        if buf[i] == lf || buf[i] == cr {
            return ParseResult(end: i + 1, endedWithCR: buf[i] == cr, problem: nil)
        }
        while true {
            // One field starting at i.
            if i < n && buf[i] == quote {
                i += 1
                var segment = i
                scratch.removeAll(keepingCapacity: true)
                var closed = false
                while !closed {
                    var q = segment
                    while q < n && buf[q] != quote { q += 1 }
                    if q == n {
                        guard atEOF else { return nil }
                        // Unclosed quoted field: take everything to the end of the file.
                        if keep { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[segment..<n])) }
                        unclosed = true
                        i = n
                        break
                    }
                    if q + 1 < n && buf[q + 1] == quote {
                        if keep { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[segment...q])) }
                        segment = q + 2
                        continue
                    }
                    if q + 1 == n && !atEOF { return nil }
                    if keep { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[segment..<q])) }
                    i = q + 1
                    closed = true
                }
                // Text after the closing quote, up to the delimiter, is kept (lenient).
                var j = i
                while j < n {
                    let b = buf[j]
                    if b == comma || b == lf || b == cr { break }
                    j += 1
                }
                if j == n && !atEOF { return nil }
                if keep && cells.count < SpreadsheetLimits.maxColumns {
                    if j > i { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<j])) }
                    let text = scratch.withUnsafeBufferPointer { decode($0, encoding, &broken) }
                    cells.append(text)
                }
                i = j
            } else {
                var j = i
                while j < n {
                    let b = buf[j]
                    if b == comma || b == lf || b == cr { break }
                    j += 1
                }
                if j == n && !atEOF { return nil }
                if keep && cells.count < SpreadsheetLimits.maxColumns {
                    cells.append(decode(UnsafeBufferPointer(rebasing: buf[i..<j]), encoding, &broken))
                }
                i = j
            }
            // After a field: delimiter, terminator or end of file.
            let problem: SpreadsheetRowProblem? = unclosed ? .unclosedQuote : (broken ? .brokenEncoding : nil)
            if i == n {
                return ParseResult(end: n, endedWithCR: false, problem: problem)
            }
            let b = buf[i]
            if b == comma {
                i += 1
                continue
            }
            // A CR right before LF in the same buffer is consumed here; a CR at the end of the
            // buffer is resolved by `skipLineFeed` on the next read.
            if b == cr && i + 1 < n && buf[i + 1] == lf {
                return ParseResult(end: i + 2, endedWithCR: false, problem: problem)
            }
            return ParseResult(end: i + 1, endedWithCR: b == cr, problem: problem)
        }
    }

    /// Decodes one field. Invalid input is decoded with replacement characters and flags the row.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding, _ broken: inout Bool)
        -> String
    {
        if bytes.isEmpty { return "" }
        if encoding == .utf8 || isASCII(bytes) {
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            broken = true
            return String(decoding: bytes, as: UTF8.self)
        }
        if let gb18030, let text = String(bytes: bytes, encoding: gb18030) { return text }
        broken = true
        return bestEffortGB18030(bytes)
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        return high < 0x80
    }

    /// Decodes GB18030 character by character, replacing what does not decode with U+FFFD.
    private static func bestEffortGB18030(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard let gb18030 else { return String(decoding: bytes, as: UTF8.self) }
        var result = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                result.unicodeScalars.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            var decoded = false
            for length in [2, 4] where i + length <= bytes.count {
                if let text = String(bytes: UnsafeBufferPointer(rebasing: bytes[i..<(i + length)]), encoding: gb18030) {
                    result += text
                    i += length
                    decoded = true
                    break
                }
            }
            if !decoded {
                result += "\u{FFFD}"
                i += 1
            }
        }
        return result
    }

    // MARK: - Encoding detection

    /// GB18030 as Foundation knows it, or nil where this Foundation cannot decode it.
    static let gb18030: String.Encoding? = {
        #if canImport(CoreFoundation)
            let raw = CFStringConvertEncodingToNSStringEncoding(
                CFStringEncoding(CFStringEncodings.GB_18030_2000.rawValue))
            let encoding = String.Encoding(rawValue: raw)
        #else
            let encoding = String.Encoding(rawValue: 0x8000_0632)
        #endif
        // "中" is D6 D0; U+20AC is A2 E3; U+20000 is the four-byte 95 32 82 36.
        let probe: [UInt8] = [0xD6, 0xD0, 0xA2, 0xE3, 0x95, 0x32, 0x82, 0x36]
        return String(bytes: probe, encoding: encoding) == "中\u{20AC}\u{20000}" ? encoding : nil
    }()

    /// Decides between UTF-8 and GB18030 from the start of the file. Each line holding non-ASCII
    /// bytes votes: valid UTF-8 or not.
    /// - No invalid line, or more valid than invalid ones: UTF-8 (broken lines are flagged per row).
    /// - Otherwise GB18030, if the sample decodes as GB18030.
    /// - Otherwise refused when no line is valid and several are not (or GB18030 is unavailable);
    ///   with thinner evidence read as UTF-8, flagging the broken rows.
    static func detectEncoding(_ sample: [UInt8], complete: Bool) throws -> TextEncoding {
        // Only whole lines: a chunk may end inside a character.
        var end = sample.count
        if !complete, let lastLF = sample.lastIndex(of: lf) { end = lastLF + 1 }
        var valid = 0
        var invalid = 0
        sample.withUnsafeBufferPointer { buf in
            var lineStart = 0
            var high: UInt8 = 0
            for i in 0...end {
                if i == end || buf[i] == lf {
                    if high >= 0x80 {
                        let line = UnsafeBufferPointer(rebasing: buf[lineStart..<i])
                        if String(validating: line, as: UTF8.self) != nil { valid += 1 } else { invalid += 1 }
                    }
                    lineStart = i + 1
                    high = 0
                } else {
                    high |= buf[i]
                }
            }
        }
        if invalid == 0 || valid > invalid { return .utf8 }
        if let gb18030, String(bytes: sample[..<end], encoding: gb18030) != nil { return .gb18030 }
        if valid == 0 && (invalid >= 3 || gb18030 == nil) { throw SpreadsheetError.notUTF8 }
        return .utf8
    }
}
