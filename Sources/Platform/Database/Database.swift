import Logging
import PostgresKit
import SQLKit
import SQLiteKit
import ServiceLifecycle
import Synchronization

/// The SQL dialect a deployment runs on. Migrations and the few dialect-specific queries switch on it.
public enum Dialect: String, Sendable {
    case postgres
    case sqlite
}

/// Where the data lives: a pool of connections to PostgreSQL or to one SQLite file.
///
/// Repositories never hold a connection: they ask for one per use case (`withConnection`)
/// or for a transaction (`transaction`), and pass the `SQLDatabase` they get down to helpers.
///
/// The rule that keeps the pool from freezing: **a task that holds a connection never asks for
/// another.** If it did, enough such tasks would hold every connection while each waited for one
/// more, for ever. Code that needs the database inside a held connection takes the caller's
/// `SQLDatabase` (or runs after the connection is released); asking again throws
/// `DatabaseError.nestedAcquisition` at once, in tests and in production alike. Waiting for a
/// connection is bounded by `DatabaseOptions.wait`: past it the request gets `DatabaseError.busy` (503).
public struct Database: Sendable {
    public let dialect: Dialect
    let backend: any DatabaseBackend
    /// A pool on a streaming replica (`DATABASE_READ_URL`), for reads that may lag the primary.
    let replica: (any DatabaseBackend)?

    init(dialect: Dialect, backend: any DatabaseBackend, replica: (any DatabaseBackend)? = nil) {
        self.dialect = dialect
        self.backend = backend
        self.replica = replica
    }

    /// The replica when `DATABASE_READ_URL` names one: only for reads that may be a few seconds
    /// behind the primary (a hot standby refuses writes). Nil without a replica.
    public var replicaReads: Database? { replica.map { Database(dialect: dialect, backend: $0) } }

    public func withConnection<T: Sendable>(
        fileID: StaticString = #fileID, line: UInt = #line, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let site = Lease.Site(fileID: fileID, line: line)
        try Lease.refuseNested(at: site)
        return try await backend.withConnection { sql in try await Lease.holding(site) { try await body(sql) } }
    }

    /// Runs `body` in one transaction: all of it commits or none of it does.
    public func transaction<T: Sendable>(
        fileID: StaticString = #fileID, line: UInt = #line, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let site = Lease.Site(fileID: fileID, line: line)
        try Lease.refuseNested(at: site)
        let dialect = self.dialect
        return try await backend.serializingWrites { [backend] in
            try await backend.withConnection { sql in
                try await Lease.holding(site) {
                    if dialect == .sqlite { try await sql.raw("PRAGMA query_only = OFF").run() }
                    // IMMEDIATE takes SQLite's write lock up front, so two writers wait instead of deadlocking.
                    try await sql.raw(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
                    do {
                        let result = try await body(sql)
                        try await sql.raw("COMMIT").run()
                        if dialect == .sqlite { try await sql.raw("PRAGMA query_only = ON").run() }
                        return result
                    } catch {
                        try? await sql.raw("ROLLBACK").run()
                        if dialect == .sqlite { try? await sql.raw("PRAGMA query_only = ON").run() }
                        throw error
                    }
                }
            }
        }
    }

    /// Asks the database `SELECT 1` on a connection of its own, outside the pool: a health check
    /// answers even when every pooled connection is busy.
    public func ping() async throws { try await backend.ping() }

    /// Whether `error` is the database refusing a duplicate key (a unique index or the primary key).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw }
        if let error = error as? SQLiteError {
            return [.constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed].contains(error.reason)
        }
        return false
    }

    /// A service for the lifecycle group: it runs the pool (and the replica's) and shuts it down on graceful shutdown.
    public var service: any Service {
        guard let replica else { return backend.service }
        return Pools(services: [backend.service, replica.service])
    }

    public var poolStatus: PoolStatus { backend.poolStatus }

    /// `readURL`, PostgreSQL only: a streaming replica for `replicaReads`, with a pool of its own.
    public static func open(
        url: String, readURL: String? = nil, options: DatabaseOptions = DatabaseOptions(), logger: Logger
    ) throws -> Database {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            let replica = try readURL.map { try PostgresBackend(url: $0, options: options, logger: logger, setting: "DATABASE_READ_URL") }
            return Database(dialect: .postgres, backend: try PostgresBackend(url: url, options: options, logger: logger), replica: replica)
        }
        let path = url.hasPrefix("sqlite://") ? String(url.dropFirst("sqlite://".count)) : url
        return Database(dialect: .sqlite, backend: SQLiteBackend(path: path, options: options, logger: logger))
    }
}

/// How many connections a process opens and how long a request waits for one.
public struct DatabaseOptions: Sendable {
    /// Connections in the pool; nil takes the dialect's default (PostgreSQL 20, SQLite 4).
    public var poolSize: Int?
    /// The longest a request waits for a connection (or SQLite's write turn) before it is refused.
    public var wait: Duration

    public init(poolSize: Int? = nil, wait: Duration = .seconds(5)) {
        self.poolSize = poolSize
        self.wait = wait
    }
}

public struct PoolStatus: Sendable {
    public var inUse: Int
    public var capacity: Int
    /// Requests waiting for a connection now (on SQLite, also for the write turn).
    public var waiting: Int
    /// Waits that ran out of time since the process started.
    public var timeouts: Int
}

public enum DatabaseError: Error, CustomStringConvertible {
    case closed
    /// No connection became free within `DatabaseOptions.wait`.
    case busy
    /// The server closed the connection (a restart, a failover): answered as `busy` too.
    case connectionLost
    /// A task asked for a connection (at `requested`) while holding one (taken at `held`): see `Database`.
    case nestedAcquisition(requested: String, held: String)

    public var description: String {
        switch self {
        case .closed: "the database pool is closed"
        case .busy: "no database connection became free in time"
        case .connectionLost: "the database closed the connection"
        case .nestedAcquisition(let requested, let held):
            "a connection was requested at \(requested) while this task holds one taken at \(held); pass the caller's SQLDatabase down instead"
        }
    }
}

/// The mark a task carries while it holds a connection. A task-local, so child tasks see it too:
/// a parent that waits for its children while holding a connection must not let them take more.
/// It ends with the scope, so an unstructured task that outlives the scope may take its own.
final class Lease: Sendable {
    @TaskLocal static var current: Lease?
    private let active = Atomic<Bool>(true)
    let site: Site

    /// Where in the code a connection was asked for, for the error message.
    struct Site: Sendable, CustomStringConvertible {
        var fileID: StaticString
        var line: UInt
        var description: String { "\(fileID):\(line)" }
    }

    private init(site: Site) { self.site = site }

    static func refuseNested(at site: Site) throws {
        if let lease = current, lease.active.load(ordering: .relaxed) {
            throw DatabaseError.nestedAcquisition(requested: site.description, held: lease.site.description)
        }
    }

    static func holding<T: Sendable>(_ site: Site, _ body: () async throws -> T) async throws -> T {
        let lease = Lease(site: site)
        defer { lease.active.store(false, ordering: .relaxed) }
        return try await $current.withValue(lease) { try await body() }
    }
}

/// The primary's pool and the replica's, run side by side.
struct Pools: Service {
    let services: [any Service]

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            try await group.waitForAll()
        }
    }
}

protocol DatabaseBackend: Sendable {
    /// Runs write transactions one at a time where the database itself allows only one writer.
    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func ping() async throws
    var service: any Service { get }
    var poolStatus: PoolStatus { get }
}
