import Fluent
import Foundation
import SQLKit

extension QueryBuilder {
    /// The rows after a keyset cursor in `(key, id)` order, as one row-value comparison that SQLite and
    /// PostgreSQL both answer as a range of the `(org_id, key, id)` index. Written as
    /// `key > x OR (key = x AND id > y)` it made both walk the index from its start: a page 400,000
    /// customers deep took 57 ms instead of 10 on SQLite, 23 ms instead of 0.07 on PostgreSQL.
    @discardableResult
    func after(_ key: FieldKey, _ value: some Encodable & Sendable, id: UUID, descending: Bool) -> Self {
        let table = SQLIdentifier(Model.schemaOrAlias)
        return filter(.sql(embed: "(\(table).\(ident: key.description), \(table).\(ident: "id")) \(unsafeRaw: descending ? "<" : ">") (\(bind: value), \(bind: id))"))
    }
}
