import ArgumentParser
import Foundation
import Platform
import WorkOrders

/// `workershome workorders sla`: one run of the deadline job, now (ops, benchmarks).
struct WorkOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workorders", abstract: "Work-order tools.", subcommands: [SLA.self])

    struct SLA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sla", abstract: "Escalate overdue orders, warn of due ones, close unrated ones; print counts and time.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let line = try await withServices(options) { services, _ in
                let start = ContinuousClock.now
                let s = try await services.sla.run()
                let elapsed = start.duration(to: .now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                return String(format: "sla: %d escalated, %d warned, %d closed in %.2f s", s.escalated, s.warned, s.closed, seconds)
            }
            print(line)
        }
    }
}
