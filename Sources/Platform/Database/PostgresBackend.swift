import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle
import Synchronization

/// PostgreSQL through postgres-nio's `PostgresClient`, which is itself a lifecycle service.
final class PostgresBackend: DatabaseBackend {
    let client: PostgresClient
    let logger: Logger
    private let inUse = Atomic<Int>(0)
    private let capacity: Int

    init(url: String, logger: Logger) throws {
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
        clientConfig.options.maximumConnections = 20
        self.capacity = clientConfig.options.maximumConnections
        self.client = PostgresClient(configuration: clientConfig, backgroundLogger: logger)
        self.logger = logger
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        inUse.add(1, ordering: .relaxed)
        defer { inUse.subtract(1, ordering: .relaxed) }
        let logger = self.logger
        return try await client.withConnection { conn in
            try await body(PostgresSessionDatabase(base: conn.sql(queryLogLevel: .trace, logger: logger), connection: conn))
        }
    }

    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T { try await body() }

    var service: any Service { client }

    var poolStatus: PoolStatus { PoolStatus(inUse: inUse.load(ordering: .relaxed), capacity: capacity) }
}
