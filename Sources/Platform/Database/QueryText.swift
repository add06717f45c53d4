import Foundation
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// A query whose SQL text SQLKit builds once per dialect, then runs with new binds each time.
/// For the statements of every request (the session resolve):
/// - serialising a wide SELECT of quoted, aliased identifiers cost more CPU than SQLite took to run it;
/// - on PostgreSQL the statement is prepared once per connection, so the server does not parse and
///   plan a five-table join on every request (planning was most of its work for a signed-in GET).
///
/// `build` must put its `SQLBind`s in the order `all` is given the values, and nothing else in the
/// query may vary between calls.
public final class QueryText: Sendable {
    private let build: @Sendable (any SQLDatabase) -> any SQLExpression
    private let texts = Mutex<[String: String]>([:])
    /// The statement's name on every PostgreSQL connection.
    private let name: String
    private static let count = Atomic<Int>(0)

    public init(_ build: @escaping @Sendable (any SQLDatabase) -> any SQLExpression) {
        self.build = build
        self.name = "wh_query_\(Self.count.add(1, ordering: .relaxed).newValue)"
    }

    public func all(_ binds: [any Encodable & Sendable], on sql: any SQLDatabase) async throws -> [any SQLRow] {
        let text = self.text(on: sql)
        if let pg = sql as? PostgresSessionDatabase, let values = Self.postgresValues(binds) {
            return try await rows(text, values, on: try pg.connection).map { $0.sql() }
        }
        return try await Fetcher(query: Fixed(text: text, binds: binds), database: sql).all()
    }

    private func text(on sql: any SQLDatabase) -> String {
        let dialect = sql.dialect.name
        if let text = texts.withLock({ $0[dialect] }) { return text }
        let text = sql.serialize(build(sql)).sql
        texts.withLock { $0[dialect] = text }
        return text
    }

    private func rows(_ text: String, _ values: PostgresBindings, on connection: PostgresConnection) async throws -> [PostgresRow] {
        // postgres-nio keeps prepared statements per connection by the statement type's static name
        // and text; this one type serves every QueryText by reading both from a task-local.
        try await Statement.$current.withValue((name, text)) {
            var rows: [PostgresRow] = []
            for try await row in try await connection.execute(Statement(bindings: values), logger: connection.logger) {
                rows.append(row)
            }
            return rows
        }
    }

    private struct Statement: PostgresPreparedStatement {
        typealias Row = PostgresRow
        @TaskLocal static var current: (name: String, sql: String) = ("", "")
        static var name: String { current.name }
        static var sql: String { current.sql }
        let bindings: PostgresBindings
        func makeBindings() throws -> PostgresBindings { bindings }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// The binds as PostgreSQL values, for the types this is used with; nil sends the query unprepared.
    private static func postgresValues(_ binds: [any Encodable & Sendable]) -> PostgresBindings? {
        var values = PostgresBindings()
        for bind in binds {
            switch bind {
            case let v as String: values.append(v)
            case let v as Int64: values.append(v)
            case let v as Int: values.append(v)
            default: return nil
            }
        }
        return values
    }

    private struct Fixed: SQLExpression {
        let text: String
        let binds: [any Encodable & Sendable]

        func serialize(to serializer: inout SQLSerializer) {
            serializer.write(text)
            serializer.binds.append(contentsOf: binds)
        }
    }

    private final class Fetcher: SQLQueryFetcher {
        let query: any SQLExpression
        let database: any SQLDatabase
        init(query: any SQLExpression, database: any SQLDatabase) {
            self.query = query
            self.database = database
        }
    }
}
