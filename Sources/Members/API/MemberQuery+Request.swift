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
        // An unknown value is refused, not ignored: ignoring it would answer with everyone.
        var migrant: Bool?
        switch request.query("migrantWorker") {
        case nil, "": migrant = nil
        case "true", "1", "是": migrant = true
        case "false", "0", "否": migrant = false
        default: throw AppError.badRequest(MemberText.badMigrantFilter)
        }
        self.init(text: request.query("q") ?? "", orgId: try request.idQuery("unionId"), status: status, migrantWorker: migrant)
    }
}
