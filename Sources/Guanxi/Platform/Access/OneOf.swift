import Foundation
import SQLKit

/// `IN (?, ?, …)` over ids after a column; on PostgreSQL `= ANY(?)` with the ids as one array bind, so
/// the statement's text, kept prepared per connection (`PostgresReads`), is the same for a department
/// tree of any size, and a large tree does not pass the binds a kept statement may have.
struct OneOf: SQLExpression {
    let ids: [UUID]

    init(_ ids: [UUID]) { self.ids = ids }

    func serialize(to serializer: inout SQLSerializer) {
        if serializer.dialect.name == "postgresql" {
            serializer.write("= ANY(")
            serializer.write(bind: ids)
            serializer.write(")")
            return
        }
        serializer.write("IN (")
        for (i, id) in ids.enumerated() {
            if i > 0 { serializer.write(", ") }
            serializer.write(bind: id)
        }
        serializer.write(")")
    }
}
