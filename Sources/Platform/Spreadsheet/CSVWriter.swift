import Foundation

/// A streaming CSV writer for exports.
///
/// Writes UTF-8 with a BOM (so Excel opens Chinese text correctly), CRLF line ends, and quotes a
/// field only when it holds a comma, a quote or a line break (quotes doubled), as RFC 4180 says.
/// Output is buffered and written in 256 KiB blocks, so memory stays flat.
///
/// Formula injection guard (on by default, as OWASP recommends): a cell starting with `=`, `+`,
/// `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet shows it as text instead of running
/// it. Plain numbers such as `-12.5` and single characters are left alone, as they cannot be
/// formulas. Note that the guard changes the data: turn it off for files meant for programs.
///
/// Excel shows long digit strings in a CSV (ID numbers) in scientific notation when it opens the
/// file; prefer `XLSXWriter` for exports that people open in Excel.
public final class CSVWriter {
    static let flushThreshold = 256 * 1024

    /// Rows appended so far.
    public private(set) var rowCount = 0

    private var handle: FileHandle?
    private let guardFormulas: Bool
    private var out: [UInt8] = []

    /// Creates (or truncates) the file at `url`.
    public init(url: URL, guardFormulas: Bool = true, byteOrderMark: Bool = true) throws {
        self.guardFormulas = guardFormulas
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw SpreadsheetError.writeFailed("cannot create \(url.path)")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        out.reserveCapacity(Self.flushThreshold + 64 * 1024)
        if byteOrderMark { out.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    deinit { try? handle?.close() }

    /// Appends one record.
    public func append(row: [String]) throws {
        guard handle != nil else { throw SpreadsheetError.writeFailed("writer is closed") }
        for (index, cell) in row.enumerated() {
            if index > 0 { out.append(0x2C) }
            var text = cell
            text.withUTF8 { appendField($0) }
        }
        out.append(contentsOf: [0x0D, 0x0A])
        rowCount += 1
        if out.count >= Self.flushThreshold { try flush() }
    }

    /// Writes what is buffered and closes the file.
    public func close() throws {
        guard let handle else { return }
        try flush()
        self.handle = nil
        do {
            try handle.close()
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
    }

    private func flush() throws {
        guard let handle, !out.isEmpty else { return }
        do {
            try handle.write(contentsOf: out)
        } catch {
            throw SpreadsheetError.writeFailed("\(error)")
        }
        out.removeAll(keepingCapacity: true)
    }

    private func appendField(_ bytes: UnsafeBufferPointer<UInt8>) {
        let prefix = guardFormulas && Self.looksLikeFormula(bytes)
        var needsQuotes = false
        for b in bytes where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        if !needsQuotes {
            if prefix { out.append(0x27) }
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        if prefix { out.append(0x27) }
        for b in bytes {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }

    /// Whether a spreadsheet could take the cell for a formula.
    static func looksLikeFormula(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count > 1, let first = bytes.first else { return false }
        switch first {
        case 0x3D, 0x40, 0x09, 0x0D:  // = @ tab CR
            return true
        case 0x2B, 0x2D:  // + -
            return !isPlainNumber(UnsafeBufferPointer(rebasing: bytes[1...]))
        default:
            return false
        }
    }

    /// Digits with at most one decimal point, e.g. "12" or "12.50".
    private static func isPlainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0
        var points = 0
        for b in bytes {
            if b >= 0x30 && b <= 0x39 {
                digits += 1
            } else if b == 0x2E && points == 0 {
                points += 1
            } else {
                return false
            }
        }
        return digits > 0
    }
}
