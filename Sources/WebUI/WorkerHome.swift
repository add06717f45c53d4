/// One fact of a signed-in worker's own state on the member site's home page, linking to where it is handled.
public struct HomeTile: Sendable, Equatable {
    public var title: String
    public var value: String
    public var detail: String?
    public var href: String
    /// Something to do or to read: shown in the accent colour.
    public var attention: Bool

    public init(title: String, value: String, detail: String? = nil, href: String, attention: Bool = false) {
        self.title = title
        self.value = value
        self.detail = detail
        self.href = href
        self.attention = attention
    }
}

/// What a module shows a signed-in worker on the home page, assembled in App like the workbench.
public protocol WorkerHomeSource: Sendable {
    func tiles(forWorker workerId: Int64) async throws -> [HomeTile]
}
