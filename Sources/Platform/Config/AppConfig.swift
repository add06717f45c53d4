import Crypto
import Foundation
import Logging

/// Settings of one running deployment, read from command-line flags over environment
/// variables over defaults.
public struct AppConfig: Sendable {
    public enum Environment: String, Sendable {
        case development
        case production
    }

    public var host: String
    public var port: Int
    public var databaseURL: String
    /// A streaming replica for reads that may lag (`DATABASE_READ_URL`, PostgreSQL only): the member dashboard's.
    public var databaseReadURL: String?
    public var dataDirectory: String
    public var dataKey: SymmetricKey
    /// Keys that sealed data before the current one (`WH_DATA_KEY_OLD`, comma separated): they still open it.
    public var previousDataKeys: [SymmetricKey] = []
    /// The blind-index key (`WH_INDEX_KEY`); without it, the data key. See `FieldCipher`.
    public var indexKey: SymmetricKey?
    public var environment: Environment
    public var logLevel: Logger.Level
    /// Run the job loop inside `serve` (default) or leave jobs to `workershome worker`.
    public var runJobs: Bool
    /// The first characters of member numbers: the province's two-digit GB/T 2260 code.
    public var memberNumberPrefix: String
    /// The first digits of member card numbers (`WH_CARD_NO_PREFIX`, 1–6 digits).
    public var cardNumberPrefix = "88"
    /// Pool size and the longest wait for a connection (`WH_DB_POOL`, `WH_DB_WAIT_MS`).
    public var databaseOptions: DatabaseOptions
    /// Who may read `/metrics`: loopback always, these IPv4 networks (`WH_METRICS_FROM`, CIDR, comma
    /// separated), and anyone presenting `WH_METRICS_TOKEN` as a bearer token.
    public var metricsNetworks: [IPv4Network] = []
    public var metricsToken: String?

    public var secureCookies: Bool { environment == .production }

    /// The values given on the command line; nil means "not given".
    public struct Flags: Sendable {
        public var host: String?
        public var port: Int?
        public var databaseURL: String?
        public var dataDirectory: String?
        public var environment: String?
        public var logLevel: String?
        public var runJobs: Bool?

        public init(
            host: String? = nil, port: Int? = nil, databaseURL: String? = nil, dataDirectory: String? = nil,
            environment: String? = nil, logLevel: String? = nil, runJobs: Bool? = nil
        ) {
            self.host = host
            self.port = port
            self.databaseURL = databaseURL
            self.dataDirectory = dataDirectory
            self.environment = environment
            self.logLevel = logLevel
            self.runJobs = runJobs
        }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databaseURL: String, dataDirectory: String = "./data",
        dataKey: SymmetricKey, environment: Environment = .development, logLevel: Logger.Level = .info,
        runJobs: Bool = true, memberNumberPrefix: String = "13", databaseOptions: DatabaseOptions = DatabaseOptions()
    ) {
        self.memberNumberPrefix = memberNumberPrefix
        self.databaseOptions = databaseOptions
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.dataDirectory = dataDirectory
        self.dataKey = dataKey
        self.environment = environment
        self.logLevel = logLevel
        self.runJobs = runJobs
    }

    public static func load(
        flags: Flags, environment env: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) throws -> AppConfig {
        let dataDirectory = flags.dataDirectory ?? env["WH_DATA_DIR"] ?? "./data"
        let envName = flags.environment ?? env["WH_ENV"] ?? "development"
        guard let environment = Environment(rawValue: envName) else {
            throw ConfigError.invalid("WH_ENV", envName)
        }
        let portText = flags.port.map(String.init) ?? env["WH_PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else { throw ConfigError.invalid("WH_PORT", portText) }
        let levelText = flags.logLevel ?? env["LOG_LEVEL"] ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText) else { throw ConfigError.invalid("LOG_LEVEL", levelText) }
        let databaseURL = flags.databaseURL ?? env["DATABASE_URL"] ?? "sqlite://\(dataDirectory)/workershome.sqlite"
        let databaseReadURL = env["DATABASE_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let url = databaseReadURL, !(url.hasPrefix("postgres") && databaseURL.hasPrefix("postgres")) {
            throw ConfigError.invalid("DATABASE_READ_URL", "a postgres:// URL, with DATABASE_URL on PostgreSQL too")
        }
        let runJobs = flags.runJobs ?? (env["WH_RUN_JOBS"].map { $0 != "0" && $0 != "false" } ?? true)
        var databaseOptions = DatabaseOptions()
        if let text = env["WH_DB_POOL"] {
            guard let size = Int(text), (1...500).contains(size) else { throw ConfigError.invalid("WH_DB_POOL", text) }
            databaseOptions.poolSize = size
        }
        if let text = env["WH_DB_WAIT_MS"] {
            guard let ms = Int(text), (1...600_000).contains(ms) else { throw ConfigError.invalid("WH_DB_WAIT_MS", text) }
            databaseOptions.wait = .milliseconds(ms)
        }
        let metricsNetworks = try (env["WH_METRICS_FROM"] ?? "").split(separator: ",").map {
            guard let network = IPv4Network(String($0).trimmingCharacters(in: .whitespaces)) else {
                throw ConfigError.invalid("WH_METRICS_FROM", String($0))
            }
            return network
        }
        if let token = env["WH_METRICS_TOKEN"], token.count < 20 { throw ConfigError.invalid("WH_METRICS_TOKEN", "at least 20 characters") }
        let key = try loadDataKey(env: env, dataDirectory: dataDirectory, environment: environment, logger: logger)
        if !databaseURL.hasPrefix("postgres") {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        }
        var config = AppConfig(
            host: flags.host ?? env["WH_HOST"] ?? "127.0.0.1", port: port, databaseURL: databaseURL,
            dataDirectory: dataDirectory, dataKey: key, environment: environment, logLevel: logLevel, runJobs: runJobs,
            memberNumberPrefix: env["WH_MEMBER_NO_PREFIX"] ?? "13", databaseOptions: databaseOptions)
        config.metricsNetworks = metricsNetworks
        if let prefix = env["WH_CARD_NO_PREFIX"] {
            guard (1...6).contains(prefix.count), prefix.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ConfigError.invalid("WH_CARD_NO_PREFIX", "1–6 digits")
            }
            config.cardNumberPrefix = prefix
        }
        config.databaseReadURL = databaseReadURL
        config.previousDataKeys = try (env["WH_DATA_KEY_OLD"] ?? "").split(separator: ",").map {
            guard let key = SymmetricKey(base64: String($0)) else { throw ConfigError.invalid("WH_DATA_KEY_OLD", "32 bytes in base64 each") }
            return key
        }
        if let text = env["WH_INDEX_KEY"] {
            guard let key = SymmetricKey(base64: text) else { throw ConfigError.invalid("WH_INDEX_KEY", "must be 32 bytes in base64") }
            config.indexKey = key
        }
        config.metricsToken = env["WH_METRICS_TOKEN"]
        return config
    }

    /// The data key from `WH_DATA_KEY` (base64, 32 bytes). In development one is generated into
    /// the data directory on first run; production refuses to start without one.
    static func loadDataKey(env: [String: String], dataDirectory: String, environment: Environment, logger: Logger)
        throws -> SymmetricKey
    {
        if let text = env["WH_DATA_KEY"] {
            guard let key = SymmetricKey(base64: text) else {
                throw ConfigError.invalid("WH_DATA_KEY", "must be 32 bytes in base64")
            }
            return key
        }
        guard environment == .development else {
            throw ConfigError.invalid("WH_DATA_KEY", "required in production")
        }
        let path = dataDirectory + "/data.key"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let key = SymmetricKey(base64: text) else { throw ConfigError.invalid(path, "not a 32-byte base64 key") }
            return key
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(key.base64.utf8), attributes: [.posixPermissions: 0o600])
        logger.warning(
            "generated a development data key; set WH_DATA_KEY in production and keep it out of the data directory",
            metadata: ["path": "\(path)"])
        return key
    }
}

/// The time source of services, replaceable in tests (lockout windows, idle timeouts, deadlines).
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = AppClock { Date() }
}

/// An IPv4 network in CIDR form (`10.0.0.0/8`), for address allow-lists.
public struct IPv4Network: Sendable, Equatable {
    let base: UInt32
    let mask: UInt32

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = Self.address(String(parts[0])) else { return nil }
        let bits = parts.count == 2 ? Int(parts[1]) : 32
        guard let bits, (0...32).contains(bits) else { return nil }
        mask = bits == 0 ? 0 : UInt32.max << (32 - bits)
        base = address & mask
    }

    public func contains(_ ip: String) -> Bool { Self.address(ip).map { $0 & mask == base } ?? false }

    static func address(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ ($0 ?? 256) < 256 }) else { return nil }
        return octets.reduce(0) { ($0 << 8) | ($1 ?? 0) }
    }
}
