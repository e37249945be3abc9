import Fluent
import Foundation
import SQLKit

/// Substring search over a table's generated `search_text` (PLT-22), one interface for both databases:
/// SQLite answers from an FTS5 trigram index, PostgreSQL from a pg_trgm GIN index. Trigrams need three
/// characters, so shorter queries (two-character Chinese names such as 华为) scan the column instead.
enum SearchIndex {
    static func contains(_ text: String, table: String, on db: Database) -> DatabaseQuery.Filter {
        let q = text.lowercased()
        if db.isSQLite, q.unicodeScalars.count >= 3 {
            let phrase = "\"" + q.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return .sql(embed: "\(ident: table).rowid IN (SELECT rowid FROM \(ident: table + "_fts") WHERE \(ident: table + "_fts") MATCH \(bind: phrase))")
        }
        let pattern = "%" + q.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        return .sql(embed: "\(ident: table).\(ident: "search_text") LIKE \(bind: pattern) ESCAPE '\\'")
    }
}
