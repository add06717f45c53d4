import Foundation
import Platform

/// Tells a worker what happened to their application or membership: an in-app notice written in the
/// use case's transaction (so a change that rolls back tells no one), and a text message to the
/// phone of their account once it has committed. A failed text loses nothing: the notice holds the news.
struct WorkerMessages: Sendable {
    let database: Database
    let records: MemberRecords
    let sms: any SMSSender
    let workers = WorkerStore()

    static func notice(_ workerId: Int64, kind: String, _ text: String, at now: Date) -> Notice {
        Notice(to: .worker(workerId), kind: kind, text: text, at: now)
    }

    func text(_ workerId: Int64?, _ body: String) async {
        guard let workerId else { return }
        let sealed = try? await database.withConnection { [workers] sql in try await workers.phoneCipher(workerId: workerId, on: sql) }
        guard let sealed, let phone = try? records.open(sealed, MemberFields.workerPhone) else { return }
        try? await sms.send(to: phone, body: body)
    }
}
