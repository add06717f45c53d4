import Logging
import PostgresKit
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// The SQL dialect a deployment runs on. Migrations and the few dialect-specific queries switch on it.
public enum Dialect: String, Sendable {
    case postgres
    case sqlite
}

/// Where the data lives: a pool of connections to PostgreSQL or to one SQLite file.
///
/// Repositories never hold a connection: they ask for one per use case (`withConnection`)
/// or for a transaction (`transaction`), and pass the `SQLDatabase` they get down to helpers.
public struct Database: Sendable {
    public let dialect: Dialect
    let backend: any DatabaseBackend

    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await backend.withConnection(body)
    }

    /// Runs `body` in one transaction: all of it commits or none of it does.
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let dialect = self.dialect
        return try await backend.serializingWrites { [backend] in
            try await backend.withConnection { sql in
                // IMMEDIATE takes SQLite's write lock up front, so two writers wait instead of deadlocking.
                try await sql.raw(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
                do {
                    let result = try await body(sql)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Whether `error` is the database refusing a duplicate key (a unique index or the primary key).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw }
        if let error = error as? SQLiteError {
            return [.constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason)
        }
        return false
    }

    /// A service for the lifecycle group: it runs the pool and shuts it down on graceful shutdown.
    public var service: any Service { backend.service }

    public var poolStatus: PoolStatus { backend.poolStatus }

    public static func open(url: String, logger: Logger) throws -> Database {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return Database(dialect: .postgres, backend: try PostgresBackend(url: url, logger: logger))
        }
        let path = url.hasPrefix("sqlite://") ? String(url.dropFirst("sqlite://".count)) : url
        return Database(dialect: .sqlite, backend: SQLiteBackend(path: path, logger: logger))
    }
}

public struct PoolStatus: Sendable {
    public var inUse: Int
    public var capacity: Int
}

protocol DatabaseBackend: Sendable {
    /// Runs write transactions one at a time where the database itself allows only one writer.
    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    var service: any Service { get }
    var poolStatus: PoolStatus { get }
}
