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

    /// PostgreSQL COPY text format: `\N` for null, backslash escapes for tab, newline and backslash.
    var copyText: String {
        switch self {
        case .null: return "\\N"
        case .int(let v): return String(v)
        case .bool(let v): return v ? "t" : "f"
        case .date(let v): return v.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        case .text(let v):
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
                for row in rows {
                    buffer.writeString(row.map(\.copyText).joined(separator: "\t"))
                    buffer.writeString("\n")
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
struct PostgresSessionDatabase: SQLDatabase {
    let base: any SQLDatabase
    let connection: PostgresConnection

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
