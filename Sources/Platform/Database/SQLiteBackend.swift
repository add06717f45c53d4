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
/// wait while holding a thread another connection needs.
final class SQLiteBackend: DatabaseBackend {
    let pool: SQLitePool
    let writeGate = AsyncGate()

    init(path: String, logger: Logger) {
        self.pool = SQLitePool(path: path, size: 4, logger: logger)
    }

    func serializingWrites<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await writeGate.withTurn(body)
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let conn = try await pool.acquire()
        do {
            let result = try await body(conn.sql(queryLogLevel: .trace))
            await pool.release(conn)
            return result
        } catch {
            await pool.release(conn)
            throw error
        }
    }

    var service: any Service { pool }

    var poolStatus: PoolStatus { pool.status }
}

actor SQLitePool: Service {
    let path: String
    let size: Int
    let logger: Logger
    private var idle: [SQLiteConnection] = []
    private var opened = 0
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var closed = false
    private let counters = Mutex<(inUse: Int, size: Int)>((0, 0))
    /// One thread per connection: a connection waiting on SQLite's lock never starves the others.
    private let threads: NIOThreadPool

    init(path: String, size: Int, logger: Logger) {
        self.path = path
        self.size = size
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
        counters.withLock { $0.size = size }
    }

    nonisolated var status: PoolStatus {
        counters.withLock { PoolStatus(inUse: $0.inUse, capacity: $0.size) }
    }

    func acquire() async throws -> SQLiteConnection {
        if closed { throw DatabaseError.closed }
        counters.withLock { $0.inUse += 1 }
        if let conn = idle.popLast() { return conn }
        if opened < size {
            opened += 1
            do {
                return try await open()
            } catch {
                opened -= 1
                counters.withLock { $0.inUse -= 1 }
                throw error
            }
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func release(_ conn: SQLiteConnection) async {
        counters.withLock { $0.inUse -= 1 }
        if closed {
            try? await conn.close().get()
            if counters.withLock({ $0.inUse }) == 0 { try? await threads.shutdownGracefully() }
        } else if !waiters.isEmpty {
            counters.withLock { $0.inUse += 1 }
            waiters.removeFirst().resume(returning: conn)
        } else {
            idle.append(conn)
        }
    }

    private func open() async throws -> SQLiteConnection {
        let conn = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threads, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        let sql = conn.sql()
        try await sql.raw("PRAGMA journal_mode = WAL").run()
        try await sql.raw("PRAGMA busy_timeout = 10000").run()
        try await sql.raw("PRAGMA foreign_keys = ON").run()
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        return conn
    }

    /// Waits for graceful shutdown, then closes every connection.
    func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    func shutdown() async {
        closed = true
        for waiter in waiters { waiter.resume(throwing: DatabaseError.closed) }
        waiters.removeAll()
        // The future-based close: the async one refuses to run in a cancelled task.
        for conn in idle { try? await conn.close().get() }
        idle.removeAll()
        if counters.withLock({ $0.inUse }) == 0 { try? await threads.shutdownGracefully() }
    }
}

/// A first-come, first-served turn for async work (an async mutex).
actor AsyncGate {
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    func withTurn<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { queue.append($0) }
        } else {
            busy = true
        }
        defer {
            if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
        }
        return try await body()
    }
}

public enum DatabaseError: Error {
    case closed
}
