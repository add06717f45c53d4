import Platform

/// One line of the console's 工作台: what waits for this cadre, how many, and the list that holds them.
public struct Todo: Sendable, Equatable {
    public var label: String
    public var count: Int
    public var href: String
    /// Past or near a deadline: shown in the warning colour while the count is not zero.
    public var urgent: Bool

    public init(label: String, count: Int, href: String, urgent: Bool = false) {
        self.label = label
        self.count = count
        self.href = href
        self.urgent = urgent
    }
}

/// What a module adds to the workbench. Only the to-dos the cadre's permissions allow are returned,
/// counted in their scope; a module with nothing for this cadre returns none. Shortcuts are the
/// pages a role starts its day on (the hotline operator's 12351 热线).
public protocol TodoSource: Sendable {
    func todos(for actor: Actor) async throws -> [Todo]
    func shortcuts(for principal: Principal) -> [Shortcut]
}

extension TodoSource {
    public func shortcuts(for principal: Principal) -> [Shortcut] { [] }
}

/// A link among the workbench's 常用功能.
public struct Shortcut: Sendable, Equatable {
    public var label: String
    public var href: String

    public init(label: String, href: String) {
        self.label = label
        self.href = href
    }
}

/// The workbench's sources, assembled in App like `Navigation`.
public struct Workbench: Sendable {
    let sources: [any TodoSource]

    public init(_ sources: [any TodoSource]) { self.sources = sources }

    /// Every source's to-dos in the order of the sources.
    public func todos(for actor: Actor) async throws -> [Todo] {
        var all: [Todo] = []
        for source in sources { all += try await source.todos(for: actor) }
        return all
    }

    public func shortcuts(for principal: Principal) -> [Shortcut] { sources.flatMap { $0.shortcuts(for: principal) } }
}
