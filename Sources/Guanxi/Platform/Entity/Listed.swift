import FluentKit
import Foundation
import GuanxiCore

/// A record as a list shows it: the canonical text of some of its fields, read straight from their
/// columns. A page of 50 customers built 50 Fluent models of 45 property wrappers each (every one
/// made, filled, read and freed through the runtime's generic metadata), which cost a third of the
/// page; a list needs only the columns it shows.
struct Listed: Sendable {
    let id: UUID
    /// By field key; a field without a value is absent, as `read` gives nil.
    let values: [String: String]
    /// Times the list asked for besides the fields (`created_at`), by column.
    var times: [FieldKey: Date] = [:]

    subscript(_ key: String) -> String? { values[key] }
}

extension EntityField {
    /// The column a core field is stored in: its API name in snake case (`regionID` → `region_id`).
    /// Custom fields live in the record's `custom` JSON.
    var column: FieldKey { FieldKey(stringLiteral: isCustom ? "custom" : CaseConversion.snake(apiKey)) }
}

extension EntityDefinition where M: Model, M.IDValue == UUID {
    /// The `keys` fields of the records the builder selects, in its order, read as `read` reads them.
    /// Holds for definitions whose fields read their column as it is (all list pages' entities; a test
    /// compares every field with the model's).
    func listed(_ builder: QueryBuilder<M>, keys: [String], times: [FieldKey] = []) async throws -> [Listed] {
        let chosen = fields.filter { keys.contains($0.key) }
        var columns: [FieldKey] = [.id] + times
        for f in chosen where !columns.contains(f.column) { columns.append(f.column) }
        guard let outputs = try await builder.outputs(fields: columns) else {
            // Queries Fluent must run itself (joins, its own soft-delete filter) read whole models.
            return try await builder.all().map { m in
                var listed = Listed(id: m.id!, values: Dictionary(chosen.compactMap { f in f.read(m).map { (f.key, $0) } }) { a, _ in a })
                for p in m.properties {
                    if let p = p as? any AnyDatabaseProperty, let t = times.first(where: { p.keys == [$0] }) { listed.times[t] = p.anyValue as? Date }
                }
                return listed
            }
        }
        let readsCustom = chosen.contains(where: \.isCustom)
        let chosenColumns = chosen.map { ($0, $0.column) }
        return try outputs.map { row in
            var values: [String: String] = [:]
            let custom = readsCustom ? CustomValues.parse(try row.decode("custom", as: String?.self)) : [:]
            for (f, column) in chosenColumns {
                let value: String?
                switch f.kind {
                case _ where f.isCustom: value = custom[f.key]
                case .money: value = try row.decode(column, as: Int64?.self).map(String.init)
                case .bool: value = try row.decode(column, as: Bool?.self).map { $0 ? "true" : "false" }
                case .user, .department, .region, .customer: value = try row.decode(column, as: UUID?.self)?.uuidString
                default: value = try row.decode(column, as: String?.self)
                }
                values[f.key] = value
            }
            var listed = Listed(id: try row.decode(.id, as: UUID.self), values: values)
            for t in times { listed.times[t] = try row.decode(t, as: Date?.self) }
            return listed
        }
    }
}
