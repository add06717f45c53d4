import ArgumentParser
import Foundation
import Platform

/// The keys of sensitive fields: see `FieldCipher` and `KeyManagement`, and docs/operations.md.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Data and index keys: re-seal under a new data key, re-make blind indexes, show progress.",
        subcommands: [Rotate.self, Status.self, Reindex.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every sealed value under WH_DATA_KEY (old keys in WH_DATA_KEY_OLD keep opening meanwhile).")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Run here and now instead of queueing the background job") var now = false

        func run() async throws {
            let now = self.now
            try await withServices(options) { services, _ in
                if now {
                    let total = try await services.keys.rotate { column, done in print("\(column): \(done)") }
                    print("已重新加密 \(total) 个字段值 (re-sealed).")
                } else {
                    try await services.jobs.enqueue(kind: KeyManagement.jobKind, payload: "", maxAttempts: 3)
                    print("已排入后台任务 (queued); `workershome keys status` shows what is left.")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Values per column not yet sealed by the current data key.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let left = try await withServices(options) { services, _ in try await services.keys.remaining() }
            for (column, values) in left { print("\(column)\t\(values)") }
            print(left.allSatisfy { $0.values == 0 } ? "all sealed by the current key" : "re-sealing not finished")
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-make every blind index with WH_INDEX_KEY (stop the servers first; they refuse to start until this is done).")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let total = try await withServices(options, verifyKeys: false) { services, _ in
                try await services.keys.reindex { column, done in print("\(column): \(done)") }
            }
            print("已重建 \(total) 个索引值 (blind indexes made again).")
        }
    }
}
