import Foundation
import Hummingbird
import Metrics
import Platform
import Prometheus
import SQLKit
import Synchronization

/// `GET /health`: 200 when the database answers, 503 when it does not.
struct HealthCheck {
    let database: Database

    func response() async -> JSONBody<JSONValue> {
        let start = ContinuousClock.now
        var ok = true
        do {
            _ = try await database.withConnection { try await $0.raw("SELECT 1 AS ok").first() }
        } catch {
            ok = false
        }
        let ms = (ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000
        let body: JSONValue = [
            "status": .string(ok ? "ok" : "unavailable"),
            "database": [
                "status": .string(ok ? "ok" : "unavailable"), "dialect": .string(database.dialect.rawValue),
                "latencyMs": .int(Int(ms)),
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
    let inUse: Prometheus.Gauge
    let capacity: Prometheus.Gauge

    init(database: Database) {
        self.database = database
        let registry = Self.registry
        self.inUse = registry.makeGauge(name: "db_pool_connections_in_use", labels: [], help: "Database connections leased now")
        self.capacity = registry.makeGauge(name: "db_pool_connections_max", labels: [], help: "Database connections at most")
    }

    func response() -> Response {
        let status = database.poolStatus
        inUse.set(to: Double(status.inUse))
        capacity.set(to: Double(status.capacity))
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Self.registry.emitToBuffer())))
    }
}
