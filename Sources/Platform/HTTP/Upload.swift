import Foundation
import Hummingbird
import NIOCore

/// Streams a request body to a new file, chunk by chunk, refusing more than `limit` bytes.
public enum Upload {
    public static func save(_ body: RequestBody, into directory: URL, limit: Int) async throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("upload-\(randomToken(bytes: 9))")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        var size = 0
        do {
            for try await buffer in body {
                size += buffer.readableBytes
                if size > limit { throw AppError(.contentTooLarge, code: "too_large", message: PlatformText.uploadTooLarge) }
                try handle.write(contentsOf: Data(buffer: buffer))
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        return url
    }

    /// Deletes files in `directory` older than `age` that `keep` does not name: uploads a crash left
    /// behind (they may hold ID numbers). Run at start-up.
    public static func sweep(_ directory: URL, olderThan age: TimeInterval, keep: Set<String>, now: Date = Date()) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        var removed = 0
        for file in files where !keep.contains(file.path) {
            let modified = (try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? now
            if now.timeIntervalSince(modified) > age, (try? FileManager.default.removeItem(at: file)) != nil { removed += 1 }
        }
        return removed
    }
}
