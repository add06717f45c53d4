import Logging
import ServiceLifecycle

/// Runs `work` every `interval` until graceful shutdown; a failure is logged and retried next time.
public struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(name: String, interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await work()
            } catch {
                logger.error("periodic task failed", metadata: ["task": "\(name)", "error": "\(error)"])
            }
            // A plain sleep would hold shutdown up for a whole interval (ten minutes for the session purge).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
