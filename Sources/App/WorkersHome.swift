import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Platform
import ServiceLifecycle

@main
enum Entrypoint {
    static func main() async {
        // Tasks run on NIO's event loops, so an await on I/O needs no thread hop (see bench/README.md); blocking work uses NIOThreadPool.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await WorkersHome.main()
    }
}

struct WorkersHome: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workershome",
        abstract: "网上职工之家 — the online home of union members and cadres.",
        subcommands: [
            Serve.self, Worker.self, Migrate.self, Demo.self, ImportCommand.self, WorkOrderCommand.self, AdminCommand.self,
            AuditCommand.self, KeysCommand.self,
        ],
        defaultSubcommand: Serve.self)
}

/// Flags every command takes; each overrides its environment variable.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Listen address (WH_HOST, default 127.0.0.1)") var host: String?
    @Option(help: "Listen port (WH_PORT, default 8080)") var port: Int?
    @Option(help: "Database URL: postgres://… or sqlite://path (DATABASE_URL, default sqlite://./data/workershome.sqlite)")
    var database: String?
    @Option(help: "Data directory (WH_DATA_DIR, default ./data)") var dataDir: String?
    @Option(help: "development or production (WH_ENV)") var env: String?
    @Option(help: "Log level (LOG_LEVEL, default info)") var logLevel: String?

    func load() throws -> (AppConfig, Logger) {
        var logger = Logger(label: "workershome")
        let config = try AppConfig.load(
            flags: .init(host: host, port: port, databaseURL: database, dataDirectory: dataDir, environment: env, logLevel: logLevel),
            logger: logger)
        logger.logLevel = config.logLevel
        return (config, logger)
    }
}

/// Runs `body` with the services up (the pool running), then shuts them down cleanly.
func withServices<T: Sendable>(
    _ options: GlobalOptions, verifyKeys: Bool = true, _ body: @escaping @Sendable (Services, Logger) async throws -> T
) async throws -> T {
    let (config, logger) = try options.load()
    let services = try Services(config: config, logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await services.database.service.run()
            return nil
        }
        group.addTask {
            do {
                try await services.migrate(logger: logger, verifyKeys: verifyKeys)
                return try await body(services, logger)
            } catch {
                // Database errors hide their details from `description`; an operator at a terminal needs them.
                throw CLIError(message: String(reflecting: error))
            }
        }
        var result: T?
        for try await value in group {
            if let value {
                result = value
                group.cancelAll()
            }
        }
        return result!
    }
}

struct CLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (and the job loop unless --no-jobs).")
    @OptionGroup var options: GlobalOptions
    @Flag(help: "Leave jobs to `workershome worker`") var noJobs = false
    static let gracePeriod: Duration = .seconds(15)

    func run() async throws {
        let (config, logger) = try options.load()
        let services = try Services(config: config, logger: logger)
        let app = try buildApplication(services: services, logger: logger, runJobs: config.runJobs && !noJobs)
        logger.info(
            "网上职工之家 listening", metadata: ["url": "http://\(config.host):\(config.port)/", "database": "\(services.database.dialect)"])
        // SIGTERM lets requests in flight finish (none waits longer than the pool's bounded wait),
        // and is never held up past the grace period, so a supervisor's restart is prompt.
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = Self.gracePeriod
        group.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: group).run()
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run only the background jobs (audit sealing, session purge…).")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await withServices(options) { _, _ in }  // migrations first, on their own pool
        let (config, logger) = try options.load()
        let services = try Services(config: config, logger: logger)
        let group = ServiceGroup(
            services: [services.database.service] + backgroundJobs(services: services, logger: logger),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await withServices(options) { _, _ in
            print("数据库已是最新结构 (migrations applied).")
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit log tools.", subcommands: [Verify.self, Archive.self])

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move sealed entries older than --before (at least 183 days ago) to a file with the chain's seal.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Archive entries before this date (YYYY-MM-DD, China time)") var before: String
        @Option(help: "The archive file to write (must not exist)") var to: String

        func run() async throws {
            guard let day = CivilDate(iso: before) else { throw ValidationError("--before must be YYYY-MM-DD") }
            let cut = Date(timeIntervalSince1970: TimeInterval(day.dayNumber) * 86400 - 8 * 3600)
            let file = URL(fileURLWithPath: to)
            let result = try await withServices(options) { services, _ in
                try await AuditArchive(database: services.database, clock: services.clock).archive(before: cut, to: file)
            }
            print("归档 \(result.entries) 条 (through seq \(result.throughSeq)); file sha256 \(result.fileSHA256)")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the hash chain and report the first broken link.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Seal pending entries before checking") var seal = false

        func run() async throws {
            let result = try await withServices(options) { services, _ in
                if seal { try await services.audit.seal() }
                return try await services.audit.verify()
            }
            if let broken = result.firstBroken {
                print("BROKEN at seq \(broken.seq) (entry id \(broken.id.map(String.init) ?? "missing")): \(broken.reason)")
                print("\(result.checked) entries before it verified.")
                throw ExitCode(1)
            }
            print("OK: \(result.checked) entries verified; \(result.unsealed) not yet sealed.")
        }
    }
}
