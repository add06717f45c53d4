import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// PostgreSQL through postgres-nio's `PostgresClient`, which is itself a lifecycle service.
/// `permits` admits as many requests as the client has connections, and bounds the wait of the rest.
///
/// When the server restarts or goes away, a request never waits past `DatabaseOptions.wait` and
/// fails as `DatabaseError.busy` (503, try again), and the pool opens new connections by itself once
/// the server is back (postgres-nio retries with a backoff of 0.1 s × 1.25ⁿ).
final class PostgresBackend: DatabaseBackend {
    let client: PostgresClient
    let logger: Logger
    let permits: Permits
    let probe: PostgresProbe

    /// `setting` names the variable the URL came from, for the error.
    init(url: String, options: DatabaseOptions, logger: Logger, setting: String = "DATABASE_URL") throws {
        guard let config = try? SQLPostgresConfiguration(url: url) else {
            throw ConfigError.invalid(setting, url)
        }
        let core = config.coreConfiguration
        guard let host = core.host, let port = core.port else {
            throw ConfigError.invalid(setting, "host and port are required")
        }
        var clientConfig = PostgresClient.Configuration(
            host: host, port: port, username: core.username, password: core.password,
            database: core.database, tls: .disable)
        clientConfig.options.maximumConnections = options.poolSize ?? 20
        self.permits = Permits(capacity: clientConfig.options.maximumConnections, timeout: options.wait)
        self.client = PostgresClient(configuration: clientConfig, backgroundLogger: logger)
        self.probe = PostgresProbe(
            configuration: PostgresConnection.Configuration(
                host: host, port: port, username: core.username, password: core.password, database: core.database, tls: .disable),
            logger: logger)
        self.logger = logger
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let logger = self.logger
        let deadline = ContinuousClock.now + permits.timeout
        return try await permits.withPermit {
            do {
                return try await lease(until: deadline) { conn in
                    try await body(PostgresSessionDatabase(base: conn.sql(queryLogLevel: .trace, logger: logger), connection: conn))
                }
            } catch let error where Self.isConnectionLost(error) {
                // A restart or a failover, not a bug: the client may try again (503 with Retry-After).
                logger.warning("database connection lost", metadata: ["error": "\(String(reflecting: error))"])
                throw DatabaseError.busy
            }
        }
    }

    /// Runs `body` on a pooled connection, given no later than `deadline`.
    ///
    /// With a permit the pool always has a connection to spare, except while it cannot open one (the
    /// server restarting or gone): then postgres-nio keeps the request queued until a connection opens
    /// or, after 60 s of failures, its circuit breaker trips. Every request would hang that long, and
    /// shutdown with them; so a timer cancels the lease at the deadline unless a connection came first.
    /// The lease runs in a task of its own (started in place, so the usual case costs no hop) because
    /// cancelling it must not cancel the request.
    private func lease<T: Sendable>(
        until deadline: ContinuousClock.Instant, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let race = LeaseRace()
        let work = Task.immediate { [client] in
            // A connection the server ended (a terminated backend, a restart) goes back to the pool
            // and is handed out again until the pool sees it closed: wait a moment and take another.
            // The timer below bounds the retries like any other wait.
            while true {
                do {
                    return try await client.withConnection { conn in
                        if conn.isClosed { throw StaleConnection() }
                        guard race.settle(.leased) else { throw DatabaseError.busy }
                        return try await body(conn)
                    }
                } catch is StaleConnection {
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        }
        let left = ContinuousClock.now.duration(to: deadline).components
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(
            in: .seconds(left.seconds) + .nanoseconds(left.attoseconds / 1_000_000_000)
        ) {
            if race.settle(.timedOut) { work.cancel() }
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
        } catch {
            // Without a connection (the deadline passed, the breaker tripped, the pool is closing): busy.
            if race.outcome != .leased { throw DatabaseError.busy }
            throw error
        }
    }

    private struct StaleConnection: Error {}

    /// Errors that mean the server went away under a query: shut down or restarting (SQLSTATE
    /// 57P01–57P03), a connection exception (class 08), or the connection closed.
    static func isConnectionLost(_ error: any Error) -> Bool {
        if case DatabaseError.connectionLost = error { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("57P") || state.hasPrefix("08")
        default:
            return false
        }
    }

    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T { try await body() }

    func ping() async throws { try await probe.ping() }

    var service: any Service { PostgresService(client: client, probe: probe) }

    var poolStatus: PoolStatus {
        PoolStatus(inUse: permits.inUse, capacity: permits.capacity, waiting: permits.waiting, timeouts: permits.timeouts)
    }
}

/// Who settled a bounded lease first: the pool, handing out a connection, or the deadline.
private final class LeaseRace: Sendable {
    enum Outcome: Int { case pending, leased, timedOut }
    private let state = Atomic<Int>(Outcome.pending.rawValue)

    /// True for the first caller only.
    func settle(_ outcome: Outcome) -> Bool {
        state.compareExchange(expected: Outcome.pending.rawValue, desired: outcome.rawValue, ordering: .acquiringAndReleasing).exchanged
    }

    var outcome: Outcome { Outcome(rawValue: state.load(ordering: .acquiring)) ?? .pending }
}

/// Runs the client, and closes the probe's connection when the client stops.
struct PostgresService: Service {
    let client: PostgresClient
    let probe: PostgresProbe

    func run() async throws {
        await client.run()
        await probe.close()
    }
}

/// The health check's own connection, outside the pool, opened on first use and again after a failure.
actor PostgresProbe {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    private var conn: PostgresConnection?
    private var closed = false
    private var nextId = 0

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func ping() async throws {
        let conn = try await connection()
        do {
            _ = try await conn.query("SELECT 1", logger: logger).collect()
        } catch {
            if self.conn === conn { self.conn = nil }
            try? await conn.close()
            throw error
        }
    }

    func close() async {
        closed = true
        try? await conn?.close()
        conn = nil
    }

    private func connection() async throws -> PostgresConnection {
        if let conn, !conn.isClosed { return conn }
        if closed { throw DatabaseError.closed }
        nextId += 1
        let conn = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: nextId, logger: logger)
        if closed || (self.conn.map { !$0.isClosed } ?? false) {  // shut down, or another ping connected meanwhile
            try? await conn.close()
        }
        if closed { throw DatabaseError.closed }
        if let existing = self.conn, !existing.isClosed { return existing }
        self.conn = conn
        return conn
    }
}
