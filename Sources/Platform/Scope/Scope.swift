import SQLKit

/// The subtrees a request may act on for one permission: the union of the subtrees of the
/// account's role assignments that grant it. Every scoped read, list and write takes one.
public struct Scope: Sendable, Equatable, CustomStringConvertible {
    /// Minimal set of subtree roots: none lies inside another.
    public let roots: [OrgPath]
    /// The whole deployment: for the CLI and jobs, never for a request.
    public let isAll: Bool

    public static let all = Scope(roots: [], isAll: true)

    private init(roots: [OrgPath], isAll: Bool) {
        self.roots = roots
        self.isAll = isAll
    }

    public init(_ paths: [OrgPath]) {
        self.isAll = false
        let sorted = Set(paths).sorted()
        var roots: [OrgPath] = []
        for path in sorted where !roots.contains(where: { $0.contains(path) }) {
            roots.append(path)
        }
        self.roots = roots
    }

    public static let none = Scope([])

    public var isEmpty: Bool { !isAll && roots.isEmpty }

    public func covers(_ path: OrgPath) -> Bool { isAll || roots.contains { $0.contains(path) } }

    /// True when every subtree of `other` lies inside this scope.
    public func covers(_ other: Scope) -> Bool { isAll || (!other.isAll && other.roots.allSatisfy(covers)) }

    /// The one place a scope becomes SQL: a range condition per subtree root on `column`,
    /// with bound parameters only. An empty scope matches nothing.
    public func condition(_ column: String) -> any SQLExpression {
        if isAll { return SQLRaw("1 = 1") }
        if roots.isEmpty { return SQLRaw("1 = 0") }
        let parts: [any SQLExpression] = roots.map { root in
            SQLGroupExpression(
                SQLBinaryExpression(
                    SQLBinaryExpression(Self.column(column), .greaterThanOrEqual, SQLBind(root.rawValue)),
                    .and,
                    SQLBinaryExpression(Self.column(column), .lessThan, SQLBind(root.upperBound))))
        }
        return SQLGroupExpression(SQLList(parts, separator: SQLRaw(" OR ")))
    }

    /// `"o.path"` → column `path` of table `o`.
    static func column(_ name: String) -> SQLColumn {
        let parts = name.split(separator: ".")
        return parts.count == 2 ? SQLColumn(String(parts[1]), table: String(parts[0])) : SQLColumn(name)
    }

    public var description: String { isAll ? "*" : roots.map(\.rawValue).joined(separator: ",") }
}

extension SQLPredicateBuilder {
    /// `WHERE <column> in scope`.
    @discardableResult
    public func `where`(_ column: String, in scope: Scope) -> Self {
        self.where(scope.condition(column))
    }
}
