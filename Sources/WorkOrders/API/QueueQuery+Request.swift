import Hummingbird
import Platform

extension QueueQuery {
    /// A queue query from parameters (`queue`, `status`, `type`, `category`, `q`), as the console's
    /// queue and the API's list both take it.
    init(request: Request) throws {
        self.init()
        if let raw = request.query("queue"), !raw.isEmpty {
            guard let queue = Queue(rawValue: raw) else { throw AppError.badRequest(WorkOrderText.queueInvalid) }
            self.queue = queue
        }
        if let raw = request.query("status"), !raw.isEmpty {
            guard let status = WorkOrder.Status(rawValue: raw) else { throw AppError.badRequest(WorkOrderText.statusInvalid) }
            self.status = status
        }
        typeCode = request.query("type")
        categoryCode = request.query("category")
        text = request.query("q")
    }
}

/// The months a stats report covers: `from`/`to` parameters, January to this month by default.
struct StatsPeriod {
    var from: String
    var to: String

    init(request: Request, today: CivilDate) {
        from = request.query("from").flatMap { $0.isEmpty ? nil : $0 } ?? String(today.year) + "-01"
        to = request.query("to").flatMap { $0.isEmpty ? nil : $0 } ?? String(today.iso.prefix(7))
    }
}
