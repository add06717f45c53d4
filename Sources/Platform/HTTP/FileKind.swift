import Foundation

/// The kinds of file users may attach, recognised by their first bytes, never by their name.
public enum FileKind: String, Sendable, CaseIterable {
    case jpeg, png, gif, webp, pdf

    public var contentType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        }
    }

    /// Extensions a file of this kind may carry.
    public var extensions: Set<String> {
        switch self {
        case .jpeg: ["jpg", "jpeg"]
        case .png: ["png"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .pdf: ["pdf"]
        }
    }

    public var isImage: Bool { self != .pdf }

    /// The kind whose signature `head` starts with, if any.
    public static func sniff(_ head: Data) -> FileKind? {
        let b = [UInt8](head.prefix(12))
        func starts(_ sig: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + sig.count && Array(b[offset..<offset + sig.count]) == sig
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        return nil
    }

    /// Reads the first bytes of a file on disk.
    public static func sniff(fileAt url: URL) -> FileKind? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        return sniff((try? handle.read(upToCount: 12)) ?? Data())
    }
}
