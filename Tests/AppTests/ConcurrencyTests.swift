import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

/// More signed-in requests at once than the pool has connections, of every kind, with an import
/// and the jobs running: all must complete, none may fail, and `/health` must answer throughout.
/// Before the pool rule (`Database`), four signed-in requests on SQLite froze the server for good.
@Suite struct ConcurrencyTests {
    /// A deadlocked pool never finishes; past this the test reports how far it got instead of hanging.
    static let deadline: Duration = .seconds(90)

    @Test func moreSignedInRequestsThanConnectionsAllCompleteAndHealthAnswers() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "county", role: Role.orgAdmin, at: f.countyA1)
            try await Fixture.account(app, "operator1", role: Role.hotlineOperator, at: f.countyA1)
            let county = try await app.token("county")
            let hotline = try await app.token("operator1")
            let console = WebSession(app)
            #expect(try await console.login("county") != nil)
            let worker = try await WebSession.worker(app, phone: "13812349876")
            _ = try await worker.get("/me")

            // An import of 4,000 rows waits in the queue; the job loop below runs it during the load.
            var lines = [ImportTests.header]
            for n in 0..<4000 { lines.append("会员\(n),,,,\(TestIDs.make(n, year: 1970 + n % 30)),,,,\(f.factory.id),,,") }
            let file = try ImportTests().write(lines.joined(separator: "\n"))
            let queued = try await app.services.imports.start(file: file, fileName: "load.csv", unionId: f.countyA1.id, actor: app.system)

            let connections = TestDatabase.dialect == .sqlite ? 64 : 4 * app.services.database.poolStatus.capacity
            let rounds = 12
            let requests: [@Sendable () async throws -> HTTPResponse.Status] = [
                { try await app.api(.get, "/api/v1/orgs/\(f.countyA1.id)", token: county).status },
                { try await app.api(.get, "/api/v1/members?q=%E4%BC%9A%E5%91%98", token: county).status },
                {
                    try await app.api(
                        .post, "/api/v1/work-orders", token: hotline,
                        json: [
                            "type": "consultation", "category": "labour_contract", "title": "来电咨询", "description": "劳动合同",
                            "unionId": f.townA1.id, "callerName": "李四", "callerPhone": "13900001111", "channel": "hotline",
                        ]
                    ).status
                },
                { try await app.api(.get, "/api/v1/work-orders?scope=subtree", token: county).status },
                { try await console.get("/admin/work-orders").status },
                { try await console.get("/admin/members").status },
                { try await worker.get("/me").status },
                { try await worker.get("/me/requests").status },
            ]

            let tally = Tally()
            let start = ContinuousClock.now
            // Unstructured on purpose: if the pool deadlocks, the test must still be able to report and end.
            let load = (0..<connections).map { client in
                Task {
                    for round in 0..<rounds {
                        let kind = (client + round) % requests.count
                        let outcome: String?
                        do {
                            let status = try await requests[kind]()
                            outcome = status.code < 400 ? nil : "request kind \(kind): \(status.code)"
                        } catch {
                            outcome = "request kind \(kind): \(error)"
                        }
                        tally.count(outcome)
                    }
                }
            }
            let jobs = Task {
                while !tally.finished {
                    _ = try await app.services.jobs.drain()
                    try await app.services.audit.seal()
                    _ = try await app.services.sla.run()
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let health = Task {
                var answers: [HTTPResponse.Status] = []
                while !tally.finished {
                    answers.append(try await app.client.execute(uri: "/health", method: .get, headers: [:], body: nil).status)
                    try await Task.sleep(for: .milliseconds(50))
                }
                return answers
            }

            let total = connections * rounds
            while tally.done < total && ContinuousClock.now - start < Self.deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            tally.finish()
            let (done, failures) = (tally.done, tally.failures)
            #expect(done == total, "froze: \(done) of \(total) requests completed within \(Self.deadline)")
            #expect(failures.isEmpty, "\(failures.count) requests failed, first: \(failures.prefix(3))")
            guard done == total else {
                for task in load { task.cancel() }
                return
            }
            for task in load { await task.value }
            try await jobs.value
            let answers = try await health.value
            #expect(!answers.isEmpty && answers.allSatisfy { $0 == .ok }, "health answered \(answers.filter { $0 != .ok })")
            // The import ran to its end under the load.
            _ = try await app.services.jobs.drain()
            let item = try await app.services.imports.get(queued.id, actor: app.system)
            #expect(item.status == .done && item.goodRows == 4000)
            #expect(app.services.database.poolStatus.waiting == 0 && app.services.database.poolStatus.inUse == 0)
        }
    }
}

/// What the load has done so far, shared by its tasks.
final class Tally: Sendable {
    private let state = Mutex<(done: Int, failures: [String], finished: Bool)>((0, [], false))

    func count(_ failure: String?) {
        state.withLock {
            $0.done += 1
            if let failure { $0.failures.append(failure) }
        }
    }

    func finish() { state.withLock { $0.finished = true } }
    var done: Int { state.withLock { $0.done } }
    var failures: [String] { state.withLock { $0.failures } }
    var finished: Bool { state.withLock { $0.finished } }
}
