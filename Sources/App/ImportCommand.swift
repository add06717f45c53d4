import ArgumentParser
import Foundation
import Members
import Platform

/// `workershome import`: the same import as the console's, run here and now (ops, benchmarks).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import members from an .xlsx or .csv file into a union's subtree, now, and report.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "The spreadsheet") var file: String
    @Option(help: "The union (organization id) whose subtree the rows may name") var union: Int64
    @Option(help: "Rows per committed batch") var batch: Int = 5000

    func run() async throws {
        let (file, union, batch) = (self.file, self.union, self.batch)
        let line = try await withServices(options) { services, _ in
            // The import deletes its upload when done: give it a copy, not the operator's file.
            try FileManager.default.createDirectory(at: services.uploads, withIntermediateDirectories: true)
            let copy = services.uploads.appendingPathComponent("upload-\(randomToken(bytes: 9))")
            try FileManager.default.copyItem(at: URL(fileURLWithPath: file), to: copy)
            let start = ContinuousClock.now
            let item = try await services.imports.start(
                file: copy, fileName: URL(fileURLWithPath: file).lastPathComponent, unionId: union, actor: .system("cli"))
            var imports = services.imports
            imports.batchSize = batch
            try await imports.run(item.id)
            let elapsed = start.duration(to: .now)
            let done = try await services.imports.get(item.id, actor: .system("cli"))
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rows = done.goodRows + done.badRows
            try await services.rollups.run()
            return String(format: "import %lld: %@; %d good, %d bad rows in %.2f s (%.0f rows/s)%@", done.id, done.status.rawValue,
                          done.goodRows, done.badRows, seconds, Double(rows) / max(seconds, 0.001), done.message.map { " — \($0)" } ?? "")
        }
        print(line)
    }
}
