import SQLKit

extension OrgPath {
    /// Rewrites the copies of org paths in `table.column` after the subtree at `old` moved to `new`:
    /// every value that starts with `old` starts with `new` instead. One indexed range update.
    public static func rebase(_ table: String, _ column: String, from old: OrgPath, to new: OrgPath, on sql: any SQLDatabase)
        async throws
    {
        try await sql.raw(
            """
            UPDATE \(ident: table) SET \(ident: column) = CAST(\(bind: new.rawValue) AS TEXT) || substr(\(ident: column), CAST(\(bind: old.rawValue.utf8.count + 1) AS INTEGER))
            WHERE \(ident: column) >= \(bind: old.rawValue) AND \(ident: column) < \(bind: old.upperBound)
            """
        ).run()
    }
}
