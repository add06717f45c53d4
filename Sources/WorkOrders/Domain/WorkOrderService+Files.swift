import Crypto
import Foundation
import Platform

extension WorkOrderService {
    public static let maxFileSize = 10 * 1024 * 1024
    public static let maxFiles = 10

    /// Who is attaching: the worker who filed, or a handler of the order.
    public enum Uploader: Sendable {
        case worker(Int64)
        case staff
    }

    /// Checks an uploaded temp file by size and content, then keeps it under `directory`.
    /// The temp file is consumed either way.
    /// The order `uploader` may attach to, and who they are on its timeline; refuses otherwise.
    /// Asked before a file is received, so a refused upload never reaches the disk.
    public func attachable(_ id: Int64, by uploader: Uploader, actor: Actor) async throws -> (order: WorkOrder, who: String) {
        switch uploader {
        case .worker(let workerId):
            let order = try await self.order(id, ofWorker: workerId)
            return (order, order.callerName)
        case .staff:
            let order = try await get(id, actor: actor)
            try actor.require(.workOrderHandle, at: order.orgPath)
            return (order, actorName(actor))
        }
    }

    public func attach(_ id: Int64, file: URL, name: String, by uploader: Uploader, actor: Actor, directory: URL) async throws
        -> WorkOrderFile
    {
        defer { try? FileManager.default.removeItem(at: file) }
        let (order, who) = try await attachable(id, by: uploader, actor: actor)
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0, size <= Self.maxFileSize else { throw AppError.validation(["file": WorkOrderText.fileTooLarge]) }
        guard let kind = FileKind.sniff(fileAt: file) else { throw AppError.validation(["file": WorkOrderText.fileType]) }
        let ext = (name as NSString).pathExtension.lowercased()
        guard ext.isEmpty || kind.extensions.contains(ext) else { throw AppError.validation(["file": WorkOrderText.fileNameMismatch]) }
        guard try await files(of: id).count < Self.maxFiles else { throw AppError.validation(["file": WorkOrderText.tooManyFiles]) }
        let key = "\(CivilDate(date: clock.now()).yyyymmdd.prefix(6))/\(randomToken(bytes: 16)).\(kind.rawValue)"
        let target = directory.appendingPathComponent(key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let digest = hex(SHA256.hash(data: try Data(contentsOf: file)))
        try FileManager.default.moveItem(at: file, to: target)
        let cleanName = String(name.replacingOccurrences(of: "/", with: "_").suffix(100))
        do {
            let now = clock.now()
            return try await database.transaction { [store] sql in
                let row = try await store.insertFile(
                    .init(orderId: id, name: cleanName, kind: kind.rawValue, size: Int64(size), storageKey: key, sha256: digest, uploadedBy: who),
                    at: now, on: sql)
                try await store.event(id, actor: who, action: "file_added", note: cleanName, isPublic: true, at: now, on: sql)
                try await audit(actor, "attach", order, detail: ["file": cleanName, "sha256": digest], on: sql)
                return row
            }
        } catch {
            try? FileManager.default.removeItem(at: target)  // no orphan file when the row did not land
            throw error
        }
    }

    /// An attachment of an order the caller may see.
    public func file(_ fileId: Int64, of id: Int64, by uploader: Uploader, actor: Actor) async throws -> WorkOrderFile {
        switch uploader {
        case .worker(let workerId): _ = try await order(id, ofWorker: workerId)
        case .staff: _ = try await get(id, actor: actor)
        }
        guard let file = try await files(of: id).first(where: { $0.id == fileId }) else {
            throw AppError.notFound(WorkOrderText.fileNotFound)
        }
        return file
    }
}
