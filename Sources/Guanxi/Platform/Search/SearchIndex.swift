import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Substring search over a table's generated `search_text` (PLT-22), one interface for both databases:
/// SQLite answers from an FTS5 trigram index, PostgreSQL from a pg_trgm GIN index. Trigrams need three
/// characters, so shorter queries (two-character Chinese names such as 华为) scan the column instead.
enum SearchIndex {
    /// Narrows `builder` to the rows whose search text contains `q`; a phone typed with dashes or
    /// spaces is also looked up by its digits.
    static func narrow<M: Model>(_ builder: QueryBuilder<M>, to q: String) {
        let digits = Check.digits(q)
        let terms = [q.lowercased()] + (digits.count >= 3 && digits != q ? [digits] : [])
        let table = M.schema
        if builder.database.isSQLite, terms.allSatisfy({ $0.unicodeScalars.count >= 3 }) {
            // The index leads: a join walks its matches once, where `rowid IN (…)` first copied them
            // into a temporary index (a quarter of a common search's time on a million customers).
            let fts = table + "_fts"
            let phrases = terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
            let join: SQLQueryString = "JOIN \(ident: fts) ON \(ident: fts).rowid = \(ident: table).rowid AND \(ident: fts) MATCH \(bind: phrases)"
            builder.query.joins.append(.custom(join))
            return
        }
        builder.group(.or) { or in
            for term in terms {
                let pattern = "%" + term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                or.filter(.sql(embed: "\(ident: table).\(ident: "search_text") LIKE \(bind: pattern) ESCAPE '\\'"))
            }
        }
    }
}
