import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import ServiceLifecycle
import Synchronization

/// One SQLite file with a small pool of connections in WAL mode: readers run side by side,
/// write transactions take turns at an in-process gate, so no connection sits in SQLite's busy
/// wait while holding a thread another connection needs. Both waits are bounded (`DatabaseOptions.wait`).
final class SQLiteBackend: DatabaseBackend {
    let pool: SQLitePool
    let writes: Permits

    init(path: String, options: DatabaseOptions, logger: Logger) {
        self.pool = SQLitePool(path: path, size: options.poolSize ?? 4, wait: options.wait, logger: logger)
        self.writes = Permits(capacity: 1, timeout: options.wait)
    }

    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await writes.withPermit(body)
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await pool.permits.withPermit {
            let conn = try await pool.take()
            do {
                let result = try await body(conn.sql(queryLogLevel: .trace))
                await pool.put(conn)
                return result
            } catch {
                await pool.put(conn)
                throw error
            }
        }
    }

    func ping() async throws { try await pool.probe.ping() }

    var service: any Service { pool }

    var poolStatus: PoolStatus {
        PoolStatus(
            inUse: pool.permits.inUse, capacity: pool.permits.capacity, waiting: pool.permits.waiting + writes.waiting,
            timeouts: pool.permits.timeouts + writes.timeouts)
    }

    static func open(path: String, threads: NIOThreadPool, logger: Logger) async throws -> SQLiteConnection {
        let conn = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threads, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        let sql = conn.sql()
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await sql.raw("PRAGMA busy_timeout = 10000").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        // Writes go through `Database.transaction`, which takes the write turn; one outside it fails at once.
        try await sql.raw("PRAGMA query_only = ON").run()
        return conn
    }
}

/// The connections of the pool. `permits` bounds how many are out at once, so `take` finds an
/// idle one or opens one more, never waits. A mutex, not an actor: two hops per request saved.
final class SQLitePool: Service, Sendable {
    let path: String
    let logger: Logger
    let permits: Permits
    let probe: SQLiteProbe
    private let state = Mutex<(idle: [SQLiteConnection], out: Int, closed: Bool)>(([], 0, false))
    /// One thread per connection, and one for the probe: a connection waiting on SQLite's lock
    /// never starves the others.
    private let threads: NIOThreadPool

    init(path: String, size: Int, wait: Duration, logger: Logger) {
        self.path = path
        self.logger = logger
        self.permits = Permits(capacity: size, timeout: wait)
        self.threads = NIOThreadPool(numberOfThreads: size + 1)
        threads.start()
        self.probe = SQLiteProbe(path: path, threads: threads, logger: logger)
    }

    func take() async throws -> SQLiteConnection {
        let idle = try state.withLock { state -> SQLiteConnection? in
            if state.closed { throw DatabaseError.closed }
            state.out += 1
            return state.idle.popLast()
        }
        if let idle { return idle }
        do {
            return try await SQLiteBackend.open(path: path, threads: threads, logger: logger)
        } catch {
            state.withLock { $0.out -= 1 }
            throw error
        }
    }

    func put(_ conn: SQLiteConnection) async {
        let (closed, last) = state.withLock { state in
            state.out -= 1
            if !state.closed { state.idle.append(conn) }
            return (state.closed, state.out == 0)
        }
        guard closed else { return }
        try? await conn.close().get()
        if last { try? await threads.shutdownGracefully() }
    }

    /// Waits for graceful shutdown, then closes every connection.
    func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    func shutdown() async {
        let (idle, none) = state.withLock { state in
            state.closed = true
            defer { state.idle.removeAll() }
            return (state.idle, state.out == 0)
        }
        await probe.close()
        // The future-based close: the async one refuses to run in a cancelled task.
        for conn in idle { try? await conn.close().get() }
        if none { try? await threads.shutdownGracefully() }
    }
}

/// The health check's own connection (with a thread of its own in the pool's threads), opened on first use.
actor SQLiteProbe {
    let path: String
    let logger: Logger
    let threads: NIOThreadPool
    private var conn: SQLiteConnection?
    private var closed = false

    init(path: String, threads: NIOThreadPool, logger: Logger) {
        self.path = path
        self.threads = threads
        self.logger = logger
    }

    func close() async {
        closed = true
        try? await conn?.close().get()
        conn = nil
    }

    func ping() async throws {
        let conn = try await connection()
        do {
            _ = try await conn.query("SELECT 1").get()
        } catch {
            self.conn = nil
            try? await conn.close().get()
            throw error
        }
    }

    private func connection() async throws -> SQLiteConnection {
        if let conn { return conn }
        if closed { throw DatabaseError.closed }
        let conn = try await SQLiteBackend.open(path: path, threads: threads, logger: logger)
        if closed || self.conn != nil {  // shut down, or another ping opened one meanwhile
            try? await conn.close().get()
        }
        if closed { throw DatabaseError.closed }
        if let existing = self.conn { return existing }
        self.conn = conn
        return conn
    }
}
