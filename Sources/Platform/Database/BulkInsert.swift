import Foundation
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A typed value for bulk inserts.
public enum BulkValue: Sendable {
    case text(String)
    case int(Int64)
    case bool(Bool)
    case date(Date)
    case null

    public init(_ text: String?) { self = text.map(BulkValue.text) ?? .null }

    var bind: any Encodable & Sendable {
        switch self {
        case .text(let v): v
        case .int(let v): v
        case .bool(let v): v
        case .date(let v): v
        case .null: Optional<String>.none
        }
    }

    /// `2026-11-22 03:04:05.123456+00`, built by hand: Foundation's formatters cost microseconds a call.
    static func copyTimestamp(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = Int64(t.rounded(.down))
        let micros = Int64(((t - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 { seconds += 1 }
        let days = Int(seconds.quotientAndRemainder(dividingBy: 86_400).quotient) - (seconds < 0 && seconds % 86_400 != 0 ? 1 : 0)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int(micros % 1_000_000), 6))+00"
    }

    /// PostgreSQL COPY text format: `\N` for null, backslash escapes for tab, newline and backslash.
    var copyText: String {
        switch self {
        case .null: return "\\N"
        case .int(let v): return String(v)
        case .bool(let v): return v ? "t" : "f"
        case .date(let v): return Self.copyTimestamp(v)
        case .text(let v):
            // Most text needs no escaping: check the bytes once and hand it over as is.
            if !v.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return v }
            var out = ""
            out.reserveCapacity(v.utf8.count)
            for ch in v.unicodeScalars {
                switch ch {
                case "\\": out += "\\\\"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                default: out.unicodeScalars.append(ch)
                }
            }
            return out
        }
    }
}

extension Database {
    /// Inserts many rows fast, on `sql` (normally a transaction): PostgreSQL `COPY … FROM STDIN`
    /// on the transaction's own connection, SQLite multi-row `INSERT`s.
    public static func bulkInsert(into table: String, columns: [String], rows: [[BulkValue]], on sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        if let pg = sql as? PostgresSessionDatabase {
            try await pg.connection.copyFrom(table: table, columns: columns, logger: pg.logger) { writer in
                var buffer = ByteBuffer()
                // Rows of a batch mostly share their timestamps: format each once.
                var lastDate: (date: Date, text: String)?
                for row in rows {
                    for (i, value) in row.enumerated() {
                        if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                        if case .date(let date) = value {
                            if lastDate?.date != date { lastDate = (date, BulkValue.copyTimestamp(date)) }
                            buffer.writeString(lastDate!.text)
                        } else {
                            buffer.writeString(value.copyText)
                        }
                    }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    if buffer.readableBytes > 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            return
        }
        // SQLite allows 32,766 bound variables per statement.
        let perStatement = max(1, 30_000 / columns.count)
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<min(start + perStatement, rows.count)] {
                insert.values(row.map { SQLBind($0.bind) })
            }
            try await insert.run()
        }
    }
}

/// A PostgreSQL connection as an `SQLDatabase` that still knows its connection (for COPY).
///
/// Nothing is sent on a connection that has closed (the server restarted or ended it): postgres-nio
/// would write the query to a channel with no handler left to answer it, and the query would wait
/// for ever — a transaction's ROLLBACK after its connection was ended hung that way, holding the
/// request and everything queued behind it.
struct PostgresSessionDatabase: SQLDatabase {
    let base: any SQLDatabase
    private let session: PostgresConnection

    init(base: any SQLDatabase, connection: PostgresConnection) {
        self.base = base
        self.session = connection
    }

    /// The connection, unless it has closed.
    var connection: PostgresConnection {
        get throws {
            if session.isClosed { throw DatabaseError.connectionLost }
            return session
        }
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        if session.isClosed { return eventLoop.makeFailedFuture(DatabaseError.connectionLost) }
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        if session.isClosed { throw DatabaseError.connectionLost }
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
