import Hummingbird
import Platform

extension MemberQuery {
    /// A member search from query parameters (`q`, `unionId`, `status`, `migrantWorker`), as the
    /// console's list and the API's search both take it.
    init(request: Request) throws {
        var status: MembershipStatus?
        if let text = request.query("status"), !text.isEmpty {
            guard let s = MembershipStatus(rawValue: text) else { throw AppError.badRequest(MemberText.badStatusFilter) }
            status = s
        }
        self.init(
            text: request.query("q") ?? "", orgId: try request.idQuery("unionId"), status: status,
            migrantWorker: request.query("migrantWorker").flatMap { $0 == "true" ? true : $0 == "false" ? false : nil })
    }
}
