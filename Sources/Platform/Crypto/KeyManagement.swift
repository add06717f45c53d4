import Foundation
import SQLKit

/// A sealed column and the key that finds its rows (one or two columns), for re-sealing.
public struct SealedColumn: Sendable {
    public let field: SealedField
    public let key: [String]

    public init(_ field: SealedField, key: [String] = ["id"]) {
        self.field = field
        self.key = key
    }
}

/// A blind-index column made from a sealed one: `index(plaintext)` is what the domain hashes.
public struct IndexedColumn: Sendable {
    public let sealed: SealedColumn
    public let indexColumn: String
    public let input: @Sendable (String) -> String

    public init(_ sealed: SealedColumn, index indexColumn: String, input: @escaping @Sendable (String) -> String) {
        self.sealed = sealed
        self.indexColumn = indexColumn
        self.input = input
    }
}

/// The keys of sensitive fields over time: a check that the configured keys are the ones the
/// data was sealed and indexed with, re-sealing under a new data key (a background job), and
/// re-making blind indexes under a new index key (a command).
public struct KeyManagement: Sendable {
    public static let jobKind = "keys.rotate"
    static let checkText = "workershome key check"
    static let checkField = SealedField("key_checks", "seal")

    public static let migrations: [Migration] = [
        Migration(
            domain: "platform", number: 4, name: "key_checks",
            statements: ["CREATE TABLE key_checks (id INTEGER PRIMARY KEY, seal TEXT NOT NULL, index_check TEXT NOT NULL)"])
    ]

    let database: Database
    let cipher: FieldCipher
    /// Every sealed column of the deployment (each domain lists its own).
    let columns: [SealedColumn]
    let indexes: [IndexedColumn]

    public init(database: Database, cipher: FieldCipher, columns: [SealedColumn], indexes: [IndexedColumn]) {
        self.database = database
        self.cipher = cipher
        self.columns = columns + [SealedColumn(Self.checkField)]
        self.indexes = indexes
    }

    /// At start-up: the data keys must open what is stored, and the index key must be the one the
    /// indexes were made with; otherwise lookups would silently find nothing. The first start records both.
    public func verify() async throws {
        let stored = try await database.withConnection { sql in
            try await sql.select().columns("seal", "index_check").from("key_checks").where("id", .equal, 1).first().map {
                (seal: try $0.decode(column: "seal", as: String.self), index: try $0.decode(column: "index_check", as: String.self))
            }
        }
        guard let stored else {
            let seal = try cipher.seal(Self.checkText, for: Self.checkField)
            try await database.transaction { [cipher] sql in
                try await sql.insert(into: "key_checks").columns("id", "seal", "index_check")
                    .values(SQLBind(1), SQLBind(seal), SQLBind(cipher.blindIndex(Self.checkText))).run()
            }
            return
        }
        guard (try? cipher.open(stored.seal, for: Self.checkField)) == Self.checkText else {
            throw ConfigError.invalid("WH_DATA_KEY", "no configured key (WH_DATA_KEY, WH_DATA_KEY_OLD) opens the stored data")
        }
        guard stored.index == cipher.blindIndex(Self.checkText) else {
            throw ConfigError.invalid(
                "WH_INDEX_KEY", "the blind indexes were made with another key: set it back, or run `workershome keys reindex`")
        }
    }

    /// Values per column not yet sealed by the current key.
    public func remaining() async throws -> [(column: String, values: Int)] {
        var result: [(String, Int)] = []
        for column in columns {
            let n = try await database.withConnection { [cipher] sql in
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(column.field.table)
                    .where(SQLColumn(column.field.column), .isNot, SQLLiteral.null).where(SQLColumn(column.field.column), .notEqual, SQLBind(""))
                    .where(SQLColumn(column.field.column), .notLike, SQLBind(cipher.currentPrefix + "%"))
                    .first()?.decode(column: "n", as: Int.self) ?? 0
            }
            result.append((column.field.description, n))
        }
        return result
    }

    /// Re-seals every value not sealed by the current key, a batch at a time in short transactions,
    /// so the deployment keeps running (both keys open meanwhile). Returns how many were re-sealed;
    /// values no configured key opens are left and reported by `remaining()`.
    @discardableResult
    public func rotate(batch: Int = 500, progress: @Sendable (String, Int) async throws -> Void = { _, _ in }) async throws -> Int {
        var total = 0
        for column in columns {
            var after: [String]?
            var done = 0
            while true {
                let rows = try await page(column, after: after, limit: batch, onlyStale: true)
                if rows.isEmpty { break }
                after = rows.last?.key
                let resealed = rows.compactMap { row -> (key: [String], value: String)? in
                    guard let plain = try? cipher.open(row.value, for: column.field),
                        let sealed = try? cipher.seal(plain, for: column.field)
                    else { return nil }
                    return (row.key, sealed)
                }
                try await write(column, column.field.column, resealed)
                done += resealed.count
                try await progress(column.field.description, done)
            }
            total += done
        }
        return total
    }

    /// Makes every blind index again with the current index key (after `WH_INDEX_KEY` changed),
    /// then records the new key as the one the indexes are made with.
    @discardableResult
    public func reindex(batch: Int = 500, progress: @Sendable (String, Int) async throws -> Void = { _, _ in }) async throws -> Int {
        var total = 0
        for index in indexes {
            var after: [String]?
            var done = 0
            while true {
                let rows = try await page(index.sealed, after: after, limit: batch, onlyStale: false)
                if rows.isEmpty { break }
                after = rows.last?.key
                let made = try rows.map { ($0.key, cipher.blindIndex(index.input(try cipher.open($0.value, for: index.sealed.field)))) }
                try await write(index.sealed, index.indexColumn, made)
                done += made.count
                try await progress("\(index.sealed.field.table).\(index.indexColumn)", done)
            }
            total += done
        }
        try await database.transaction { [cipher] sql in
            try await sql.update("key_checks").set("index_check", to: cipher.blindIndex(Self.checkText)).where("id", .equal, 1).run()
        }
        return total
    }

    /// The next rows of a sealed column in key order, as text keys and the sealed value.
    private func page(_ column: SealedColumn, after: [String]?, limit: Int, onlyStale: Bool) async throws -> [(key: [String], value: String)] {
        try await database.withConnection { [cipher] sql in
            let query = sql.select().columns(column.key.map { SQLColumn($0) }).column(SQLColumn(column.field.column))
                .from(column.field.table).where(SQLColumn(column.field.column), .isNot, SQLLiteral.null)
                .where(SQLColumn(column.field.column), .notEqual, SQLBind(""))
            if onlyStale { query.where(SQLColumn(column.field.column), .notLike, SQLBind(cipher.currentPrefix + "%")) }
            if let after { query.where(Self.after(column.key, after)) }
            for key in column.key { query.orderBy(key) }
            return try await query.limit(limit).all().map { row in
                let key = try column.key.map { name -> String in
                    if let n = try? row.decode(column: name, as: Int64.self) { return String(n) }
                    return try row.decode(column: name, as: String.self)
                }
                return (key, try row.decode(column: column.field.column, as: String.self))
            }
        }
    }

    private func write(_ column: SealedColumn, _ target: String, _ values: [(key: [String], value: String)]) async throws {
        guard !values.isEmpty else { return }
        try await database.transaction { sql in
            for (key, value) in values {
                let update = sql.update(column.field.table).set(SQLIdentifier(target), to: value)
                for (name, part) in zip(column.key, key) { update.where(SQLColumn(name), .equal, Self.bind(part)) }
                try await update.run()
            }
        }
    }

    /// `(a, b) > (x, y)` spelled out, which both dialects plan as a range on the key.
    static func after(_ key: [String], _ values: [String]) -> any SQLExpression {
        if key.count == 1 { return SQLBinaryExpression(SQLColumn(key[0]), .greaterThan, bind(values[0])) }
        return SQLGroupExpression(
            SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn(key[0]), .greaterThan, bind(values[0])), .or,
                SQLGroupExpression(
                    SQLBinaryExpression(
                        SQLBinaryExpression(SQLColumn(key[0]), .equal, bind(values[0])), .and,
                        SQLBinaryExpression(SQLColumn(key[1]), .greaterThan, bind(values[1]))))))
    }

    /// Numeric keys compare as numbers.
    static func bind(_ text: String) -> SQLBind { Int64(text).map { SQLBind($0) } ?? SQLBind(text) }
}
