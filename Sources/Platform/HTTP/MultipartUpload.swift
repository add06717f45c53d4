import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A `multipart/form-data` form received from a browser: its text fields, and its one file
/// streamed to disk as it arrives (never held in memory).
public struct MultipartForm: Sendable {
    public var fields: [String: String] = [:]
    public var file: URL?
    public var fileName: String?

    /// Reads the request body. The caller owns (and deletes) `file`.
    public static func receive(_ request: Request, into directory: URL, limit: Int) async throws -> MultipartForm {
        guard let type = request.headers[.contentType], let boundary = boundary(of: type) else {
            throw AppError.badRequest(PlatformText.malformedBody)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let state = PartState(directory: directory)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.complete() }
        var size = 0
        do {
            for try await buffer in request.body {
                size += buffer.readableBytes
                if size > limit { throw AppError(.contentTooLarge, code: "too_large", message: PlatformText.uploadTooLarge) }
                try parser.execute(buffer)
                if let error = state.error { throw error }
            }
        } catch {
            state.discard()
            if error is AppError { throw error }
            throw AppError.badRequest(PlatformText.malformedBody)
        }
        return state.form
    }

    /// The `boundary` parameter of a `multipart/form-data` content type, if it is one RFC 2046 allows
    /// (1–70 characters of its set, not ending in a space): MultipartKit traps on an empty one.
    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
            guard (1...70).contains(value.count), value.allSatisfy(allowed.contains), value.last != " " else { return nil }
            return value
        }
        return nil
    }

    /// Parser callbacks are synchronous and run on the receiving task only.
    final class PartState: @unchecked Sendable {
        let directory: URL
        var form = MultipartForm()
        var name: String?
        var fileName: String?
        var text = Data()
        var handle: FileHandle?
        var url: URL?
        var error: (any Error)?

        init(directory: URL) { self.directory = directory }

        func header(_ name: String, _ value: String) {
            guard name.lowercased() == "content-disposition" else { return }
            self.name = Self.parameter("name", in: value)
            self.fileName = Self.parameter("filename", in: value)
            if let fileName, !fileName.isEmpty, form.file == nil {
                let url = directory.appendingPathComponent("upload-\(randomToken(bytes: 9))")
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
                self.url = url
                handle = try? FileHandle(forWritingTo: url)
            }
        }

        func body(_ buffer: inout ByteBuffer) {
            if let handle {
                do { try handle.write(contentsOf: Data(buffer: buffer)) } catch { self.error = error }
            } else if text.count < 65_536 {
                text.append(contentsOf: buffer.readableBytesView)
            }
        }

        func complete() {
            if let handle {
                try? handle.close()
                form.file = url
                form.fileName = fileName
                self.handle = nil
            } else if let name {
                form.fields[name] = String(decoding: text, as: UTF8.self)
            }
            name = nil
            fileName = nil
            text = Data()
        }

        func discard() {
            try? handle?.close()
            for url in [url, form.file].compactMap({ $0 }) { try? FileManager.default.removeItem(at: url) }
        }

        static func parameter(_ key: String, in header: String) -> String? {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == key { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return nil
        }
    }
}
