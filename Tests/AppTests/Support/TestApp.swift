import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Synchronization
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

/// A clock the test moves by hand (lockouts, idle timeouts).
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var appClock: AppClock { AppClock { [self] in self.now } }
}

/// The database of one test: a fresh SQLite file, or a fresh PostgreSQL database when
/// `WH_TEST_POSTGRES` names a server (`postgres://user:pass@host:port/maintenance_db`).
struct TestDatabase {
    let url: String
    let cleanup: @Sendable () async throws -> Void

    static var dialect: Dialect { ProcessInfo.processInfo.environment["WH_TEST_POSTGRES"] == nil ? .sqlite : .postgres }

    static func make() async throws -> TestDatabase {
        let name = "wh_test_\(UInt64.random(in: 0...UInt64.max))"
        guard let admin = ProcessInfo.processInfo.environment["WH_TEST_POSTGRES"] else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("workershome-tests")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("\(name).sqlite").path
            return TestDatabase(url: "sqlite://\(path)") {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        try await adminQuery(admin, "CREATE DATABASE \(name)")
        let base = admin[..<admin.lastIndex(of: "/")!]
        return TestDatabase(url: "\(base)/\(name)") {
            try await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    static func adminQuery(_ url: String, _ sql: String) async throws {
        // A fresh pool's first connection, while the whole suite starts at once, may take longer than
        // production's bounded wait (it covers opening connections too); see TestApp.run.
        let database = try Database.open(url: url, options: DatabaseOptions(wait: .seconds(30)), logger: Logger(label: "test-admin"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.service.run() }
            try await database.withConnection { try await $0.raw(SQLQueryString(sql)).run() }
            group.cancelAll()
        }
    }
}

/// One running app over a fresh database, with its services for direct use.
struct TestApp: Sendable {
    let services: Services
    let clock: TestClock
    let client: any TestClientProtocol

    static let dataKey = SymmetricKey(data: Data(repeating: 7, count: 32))

    /// Builds the app on a fresh database, runs `body` with a router test client, and cleans up.
    static func run<T: Sendable>(_ body: @escaping @Sendable (TestApp) async throws -> T) async throws -> T {
        let database = try await TestDatabase.make()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        // Uploads, exports and attachments of this test only, removed with it.
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("workershome-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        var config = AppConfig(databaseURL: database.url, dataDirectory: dataDirectory.path, dataKey: dataKey, logLevel: .warning)
        // The whole suite runs in parallel on two cores: a request may wait longer for a connection than
        // production allows; no test is about that bound.
        config.databaseOptions.wait = .seconds(30)
        let clock = TestClock()
        let services = try Services(config: config, logger: logger, clock: clock.appClock, bcryptCost: 4)
        let app = try buildApplication(services: services, logger: logger, runJobs: false)
        do {
            let result = try await app.test(.router) { client in
                try await body(TestApp(services: services, clock: clock, client: client))
            }
            try await database.cleanup()
            return result
        } catch {
            try? await database.cleanup()
            throw error
        }
    }

    var system: Actor { .system("test") }
}
