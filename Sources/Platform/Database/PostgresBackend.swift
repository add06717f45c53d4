import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// PostgreSQL through postgres-nio's `PostgresClient`, which is itself a lifecycle service.
/// `permits` admits as many requests as the client has connections, and bounds the wait of the rest.
final class PostgresBackend: DatabaseBackend {
    let client: PostgresClient
    let logger: Logger
    let permits: Permits
    let probe: PostgresProbe

    init(url: String, options: DatabaseOptions, logger: Logger) throws {
        guard let config = try? SQLPostgresConfiguration(url: url) else {
            throw ConfigError.invalid("DATABASE_URL", url)
        }
        let core = config.coreConfiguration
        guard let host = core.host, let port = core.port else {
            throw ConfigError.invalid("DATABASE_URL", "host and port are required")
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
        return try await permits.withPermit {
            try await client.withConnection { conn in
                try await body(PostgresSessionDatabase(base: conn.sql(queryLogLevel: .trace, logger: logger), connection: conn))
            }
        }
    }

    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T { try await body() }

    func ping() async throws { try await probe.ping() }

    var service: any Service { PostgresService(client: client, probe: probe) }

    var poolStatus: PoolStatus {
        PoolStatus(inUse: permits.inUse, capacity: permits.capacity, waiting: permits.waiting, timeouts: permits.timeouts)
    }
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
