import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Synchronization

/// One unit of background work, stored in the `jobs` table so any node can run it and a crash
/// loses nothing: a job whose runner died is taken up again when its lease runs out.
public struct Job: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case queued, running, done, failed
    }

    public var id: Int64
    public var kind: String
    public var payload: String
    public var status: Status
    public var runAt: Date
    public var attempts: Int
    public var maxAttempts: Int
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, payload, status, runAt = "run_at", attempts, maxAttempts = "max_attempts", lastError = "last_error"
    }
}

/// The table-backed job queue: `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers share it;
/// on SQLite one worker loop per process claims under the write gate.
public final class JobQueue: Sendable {
    public typealias Handler = @Sendable (Job, JobContext) async throws -> Void

    let database: Database
    let clock: AppClock
    let logger: Logger
    let workerId: String
    /// A job is someone else's to restart when its runner has not been heard of for this long.
    public static let lease: TimeInterval = 120
    private let handlers = Mutex<[String: Handler]>([:])
    private let wakeup = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(database: Database, clock: AppClock = .system, logger: Logger) {
        self.database = database
        self.clock = clock
        self.logger = logger
        self.workerId = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(randomToken(bytes: 4))"
    }

    public static let migrations: [Migration] = [
        Migration(
            domain: "platform", number: 2, name: "jobs",
            statements: [
                """
                CREATE TABLE jobs (
                    id {id}, kind TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, run_at {ts} NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 5, locked_by TEXT,
                    locked_at {ts}, last_error TEXT, created_at {ts} NOT NULL, finished_at {ts})
                """,
                "CREATE INDEX jobs_ready ON jobs (status, run_at, id)",
            ])
    ]

    public func register(_ kind: String, handler: @escaping Handler) {
        handlers.withLock { $0[kind] = handler }
    }

    /// Queues a job in the caller's transaction (so it exists exactly when the caller's change does).
    @discardableResult
    public static func enqueue(
        kind: String, payload: String, runAt: Date, maxAttempts: Int = 5, on sql: any SQLDatabase
    ) async throws -> Int64 {
        return try await sql.insert(into: "jobs")
            .columns("kind", "payload", "status", "run_at", "attempts", "max_attempts", "created_at")
            .values(SQLBind(kind), SQLBind(payload), SQLBind(Job.Status.queued.rawValue), SQLBind(runAt), SQLBind(0),
                    SQLBind(maxAttempts), SQLBind(runAt))
            .insertedId()
    }

    @discardableResult
    public func enqueue(kind: String, payload: String, maxAttempts: Int = 5) async throws -> Int64 {
        let now = clock.now()
        let id = try await database.transaction { try await Self.enqueue(kind: kind, payload: payload, runAt: now, maxAttempts: maxAttempts, on: $0) }
        poke()
        return id
    }

    /// Tells the local worker loop there is work, so it need not wait for its next poll.
    public func poke() { wakeup.continuation.yield() }

    /// Claims the next due job, or one whose runner's lease ran out.
    func claim() async throws -> Job? {
        let now = clock.now()
        let stale = now.addingTimeInterval(-Self.lease)
        let dialect = database.dialect
        return try await database.transaction { [workerId] sql in
            // A job whose runner died on every attempt (its lease ran out each time) fails rather than
            // being taken up again: a job that kills its process must not do so after every restart.
            try await sql.raw(
                """
                UPDATE jobs SET status = 'failed', finished_at = \(bind: now), locked_by = NULL,
                last_error = 'the runner stopped during every attempt (lease expired)'
                WHERE status = 'running' AND locked_at < \(bind: stale) AND attempts >= max_attempts
                """
            ).run()
            let pick: SQLQueryString = """
                SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= \(bind: now))
                   OR (status = 'running' AND locked_at < \(bind: stale))
                ORDER BY run_at, id LIMIT 1
                """
            let query = dialect == .postgres ? pick + " FOR UPDATE SKIP LOCKED" : pick
            guard let row = try await sql.raw(query).first() else { return nil }
            let id = try row.decode(column: "id", as: Int64.self)
            return try await sql.raw(
                """
                UPDATE jobs SET status = 'running', locked_by = \(bind: workerId), locked_at = \(bind: now),
                attempts = attempts + 1 WHERE id = \(bind: id)
                RETURNING id, kind, payload, status, run_at, attempts, max_attempts, last_error
                """
            ).first(decoding: Job.self)
        }
    }

    /// Runs due jobs until none is left. Returns how many ran.
    @discardableResult
    public func drain() async throws -> Int {
        var ran = 0
        while let job = try await claim() {
            await run(job)
            ran += 1
        }
        return ran
    }

    func run(_ job: Job) async {
        guard let handler = handlers.withLock({ $0[job.kind] }) else {
            logger.error("no handler for job", metadata: ["kind": "\(job.kind)", "job": "\(job.id)"])
            try? await finish(job, error: "no handler for \(job.kind)", retry: false)
            return
        }
        let context = JobContext(queue: self, jobId: job.id)
        do {
            try await handler(job, context)
            try await finish(job, error: nil, retry: false)
        } catch {
            logger.error("job failed", metadata: ["kind": "\(job.kind)", "job": "\(job.id)", "error": "\(error)"])
            try? await finish(job, error: String(describing: error), retry: job.attempts < job.maxAttempts)
        }
    }

    func finish(_ job: Job, error: String?, retry: Bool) async throws {
        let now = clock.now()
        try await database.transaction { sql in
            if let error {
                // Back off 2^attempts seconds before the next try.
                let next = now.addingTimeInterval(pow(2, Double(job.attempts)))
                try await sql.update("jobs").set("status", to: retry ? "queued" : "failed").set("run_at", to: next)
                    .set("last_error", to: String(error.prefix(2000))).set("locked_by", to: Optional<String>.none)
                    .set("finished_at", to: retry ? nil : now).where("id", .equal, job.id).run()
            } else {
                try await sql.update("jobs").set("status", to: "done").set("finished_at", to: now).set("locked_by", to: Optional<String>.none)
                    .where("id", .equal, job.id).run()
            }
        }
    }

    /// Keeps the lease of a long job (an import) while it works.
    func heartbeat(_ jobId: Int64) async throws {
        let now = clock.now()
        try await database.transaction { sql in
            try await sql.update("jobs").set("locked_at", to: now).where("id", .equal, jobId).run()
        }
    }

    /// The worker loop for the lifecycle group: runs jobs as they come, polls every `interval`.
    public func service(interval: Duration = .seconds(2)) -> any Service { Loop(queue: self, interval: interval) }

    struct Loop: Service {
        let queue: JobQueue
        let interval: Duration

        func run() async throws {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Wake up at least every interval.
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                        queue.poke()
                    }
                }
                group.addTask {
                    for await _ in queue.wakeup.stream {
                        if Task.isShuttingDownGracefully || Task.isCancelled { break }
                        do { try await queue.drain() } catch { queue.logger.error("job loop", metadata: ["error": "\(error)"]) }
                    }
                }
                await gracefulShutdownOrCancel()
                queue.wakeup.continuation.finish()
                group.cancelAll()
            }
        }

        func gracefulShutdownOrCancel() async {
            try? await gracefulShutdown()
        }
    }
}

/// What a running job may do besides its work: keep its lease.
public struct JobContext: Sendable {
    let queue: JobQueue
    public let jobId: Int64

    public func heartbeat() async throws { try await queue.heartbeat(jobId) }
}
