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
}
