import Foundation
import Hummingbird
import NIOCore

/// Streams a file to the client in chunks, optionally deleting it once sent (exports).
public enum FileDownload {
    /// `inline` shows images and PDFs in the browser instead of saving them.
    /// What the API serves every download as: one binary type a generated client reads as bytes
    /// (openapi-python-client reads `image/*` or `text/csv` responses wrongly); the file name says the rest.
    public static let octetStream = "application/octet-stream"

    public static func response(_ url: URL, name: String, deleteAfter: Bool, contentType: String? = nil, inline: Bool = false) async throws
        -> Response
    {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        var headers = HTTPFields()
        let byExtension =
            switch url.pathExtension {
            case "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            case "csv": "text/csv; charset=utf-8"
            default: "application/octet-stream"
            }
        headers[.contentType] = contentType ?? byExtension
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "download"
        headers[.contentDisposition] = "\(inline ? "inline" : "attachment"); filename=\"download.\(url.pathExtension)\"; filename*=UTF-8''\(encoded)"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody(contentLength: size) { writer in
            let handle = try FileHandle(forReadingFrom: url)
            defer {
                try? handle.close()
                if deleteAfter { try? FileManager.default.removeItem(at: url) }
            }
            while let data = try handle.read(upToCount: 64 * 1024), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
