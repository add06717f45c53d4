import Foundation
import Logging
import SQLKit
import Testing

@testable import App
@testable import Members
@testable import Platform

/// What a node does when PostgreSQL restarts or is gone: a request fails within its bounded wait as
/// `DatabaseError.busy` (answered 503 with Retry-After), never hangs, and the pool reconnects by itself.
@Suite struct DatabaseFailureTests {
    /// Nothing listens there: every connection attempt is refused at once.
    static let gone = "postgres://postgres@127.0.0.1:1/gone"

    /// Runs `body` while the database's pools run.
    func running<T: Sendable>(_ database: Database, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await database.service.run()
                return nil
            }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }

    func expectBusy(_ work: @Sendable () async throws -> Void) async {
        do {
            try await work()
            Issue.record("no error")
        } catch DatabaseError.busy {
        } catch {
            Issue.record("expected DatabaseError.busy, got \(String(reflecting: error))")
        }
    }

    /// postgres-nio queues a request while it cannot connect, until its circuit breaker trips after 60 s.
    @Test func aServerThatIsGoneAnswersBusyWithinTheWait() async throws {
        let database = try Database.open(
            url: Self.gone, options: DatabaseOptions(poolSize: 2, wait: .milliseconds(300)), logger: Logger(label: "test"))
        try await running(database) {
            for _ in 0..<4 {
                let start = ContinuousClock.now
                await expectBusy { try await database.withConnection { try await $0.raw("SELECT 1").run() } }
                // Bounded, not fast: postgres-nio alone would queue the request for 60 s. A CI machine
                // loaded by the whole suite once took 3.4 s for this 300 ms wait.
                #expect(ContinuousClock.now - start < .seconds(15))
            }
            #expect(database.poolStatus.inUse == 0)
        }
    }

    /// A fast shutdown ends every backend the way `pg_terminate_backend` does (SQLSTATE 57P01). The
    /// transaction's ROLLBACK then goes to a closed connection: postgres-nio never answered it, and
    /// the transaction hung for good.
    @Test(.enabled(if: TestDatabase.dialect == .postgres), .timeLimit(.minutes(1)))
    func aConnectionEndedUnderATransactionAnswersBusyAndThePoolReconnects() async throws {
        let db = try await TestDatabase.make()
        // The wait the test suite's own databases use: on a machine loaded by the whole suite, opening
        // a connection (SCRAM in a debug build) once took longer than the default 5 s in CI.
        let database = try Database.open(url: db.url, options: DatabaseOptions(wait: .seconds(30)), logger: Logger(label: "test"))
        try await running(database) {
            let slow = Task { try await database.transaction { try await $0.raw("SELECT pg_sleep(30)").run() } }
            var ended = false
            for _ in 0..<100 where !ended {
                try await Task.sleep(for: .milliseconds(50))
                ended = try await database.withConnection { sql in
                    try await sql.raw(
                        """
                        SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
                        WHERE query = 'SELECT pg_sleep(30)' AND pid <> pg_backend_pid()
                        """
                    ).all().first?.decode(column: "ended", as: Bool.self) ?? false
                }
            }
            #expect(ended)
            await expectBusy { try await slow.value }
            // The ended connection goes back to the pool closed: the next request must not be given it.
            let one = try await database.withConnection { try await $0.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) }
            #expect(one == 1)
        }
        try await db.cleanup()
    }

    @Test(.enabled(if: TestDatabase.dialect == .postgres))
    func replicaReadsGoToTheReplicaAndTheDashboardFallsBackToThePrimary() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let database = try Database.open(
                // The wait bounds the primary's connections too: long enough for a loaded machine to open one
                // (300 ms failed there once), short enough that the gone replica's refusal is quick to see.
                url: app.services.config.databaseURL, readURL: Self.gone, options: DatabaseOptions(wait: .seconds(3)),
                logger: Logger(label: "test"))
            try await running(database) {
                let replica = try #require(database.replicaReads)
                await expectBusy { try await replica.withConnection { try await $0.raw("SELECT 1").run() } }
                let rollups = RollupService(database: database, unions: app.services.unions, clock: app.clock.appClock)
                try await rollups.run()
                let d = try await rollups.dashboard(actor: app.system, orgId: f.province.id, sort: .name, ascending: true)
                #expect(d.root.orgId == f.province.id)
            }
        }
    }

    @Test func aReadURLNeedsPostgreSQL() throws {
        let key = TestApp.dataKey.base64
        let logger = Logger(label: "test")
        let pg = "postgres://u@127.0.0.1:5432/db"
        let config = try AppConfig.load(
            flags: .init(), environment: ["WH_DATA_KEY": key, "DATABASE_URL": pg, "DATABASE_READ_URL": pg + "?replica"], logger: logger)
        #expect(config.databaseReadURL == pg + "?replica")
        #expect(throws: ConfigError.self) {
            try AppConfig.load(
                flags: .init(), environment: ["WH_DATA_KEY": key, "DATABASE_URL": "sqlite:///tmp/x.sqlite", "DATABASE_READ_URL": pg],
                logger: logger)
        }
    }
}
