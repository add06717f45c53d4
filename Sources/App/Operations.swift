import Foundation
import Hummingbird
import Metrics
import Platform
import Prometheus
import SQLKit
import Synchronization

/// `GET /health`: 200 when the database answers within two seconds, 503 when it does not.
/// It asks on a connection of its own, so it never queues behind application requests; the
/// pool's figures say whether those are waiting.
struct HealthCheck {
    let database: Database
    static let deadline: Duration = .seconds(2)

    func response() async -> JSONBody<JSONValue> {
        let start = ContinuousClock.now
        let ok = await withTaskGroup(of: Bool.self) { group in
            group.addTask { [database] in (try? await database.ping()) != nil }
            group.addTask {
                try? await Task.sleep(for: Self.deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let ms = (ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000
        let pool = database.poolStatus
        let body: JSONValue = [
            "status": .string(ok ? "ok" : "unavailable"),
            "database": [
                "status": .string(ok ? "ok" : "unavailable"), "dialect": .string(database.dialect.rawValue),
                "latencyMs": .int(Int(ms)),
                "pool": ["inUse": .int(pool.inUse), "capacity": .int(pool.capacity), "waiting": .int(pool.waiting)],
            ],
        ]
        return JSONBody(body, status: ok ? .ok : .serviceUnavailable)
    }
}

/// Prometheus metrics: Hummingbird's request counters and latencies by route (through swift-metrics),
/// plus the connection pool's usage, read when scraped.
struct MetricsEndpoint: Sendable {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    let database: Database
    let networks: [IPv4Network]
    let token: String?
    let inUse: Prometheus.Gauge
    let capacity: Prometheus.Gauge
    let waiting: Prometheus.Gauge
    let timeouts: Prometheus.Gauge

    init(database: Database, networks: [IPv4Network], token: String?) {
        self.database = database
        self.networks = networks
        self.token = token
        let registry = Self.registry
        func gauge(_ name: String, _ help: String) -> Prometheus.Gauge {
            // No unit suffix: the names are the ones dashboards already use.
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
        }
        self.inUse = gauge("db_pool_connections_in_use", "Database connections leased now")
        self.capacity = gauge("db_pool_connections_max", "Database connections at most")
        self.waiting = gauge("db_pool_waiting", "Requests waiting for a database connection now")
        self.timeouts = gauge("db_pool_wait_timeouts", "Requests refused (503) since start: no connection free in time")
    }

    /// Loopback, a configured network, or the configured token: the figures describe the deployment.
    func allows(_ request: Request, ip: String) -> Bool {
        if ip == "127.0.0.1" || ip == "::1" || networks.contains(where: { $0.contains(ip) }) { return true }
        guard let token, let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") else { return false }
        return constantTimeEqual(String(auth.dropFirst(7)), token)
    }

    /// The Prometheus text exposition, with the pool gauges read now.
    func exposition() -> [UInt8] {
        let status = database.poolStatus
        inUse.set(to: Double(status.inUse))
        capacity.set(to: Double(status.capacity))
        waiting.set(to: Double(status.waiting))
        timeouts.set(to: Double(status.timeouts))
        return Self.registry.emitToBuffer()
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: exposition())))
    }
}
