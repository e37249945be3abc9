import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Customer statistics (CUS-20): new customers per period, distributions, pool movements — all counted
/// in the database over the actor's data scope.
struct CustomerStats {
    let db: Database
    let actor: Actor

    typealias Granularity = Stats.Granularity
    typealias Row = Stats.Row

    enum Dimension: String, CaseIterable {
        case owner, department, industry, level, source, status, region

        var column: String {
            switch self {
            case .owner: "owner_id"
            case .department: "department_id"
            case .region: "region_id"
            case .industry, .level, .source, .status: rawValue
            }
        }

        var labelKey: String {
            switch self {
            case .owner: "customer.owner"
            case .department: "customer.department"
            case .industry: "dict.industry"
            case .level: "dict.level"
            case .source: "dict.source"
            case .status: "dict.customerStatus"
            case .region: "customer.region"
            }
        }
    }

    private var sql: any SQLDatabase { db as! any SQLDatabase }

    func period(_ column: String, _ g: Granularity) -> SQLQueryString { Stats.period(column, g, db: db, timeZone: actor.org.timeZone) }

    private func range(_ column: String, from: Date, to: Date) -> SQLQueryString { Stats.range(column, from: from, to: to) }

    /// New customers per period between two instants.
    func newCustomers(_ g: Granularity, from: Date, to: Date) async throws -> [Row] {
        let rows = try await sql.raw("""
            SELECT \(period("created_at", g)) AS k, COUNT(*) AS n FROM customers
            WHERE deleted_at IS NULL AND \(try actor.scopeSQL(Customer.self)) AND \(range("created_at", from: from, to: to))
            GROUP BY k ORDER BY k
            """).all()
        return try rows.map { Row(key: try $0.decode(column: "k", as: String?.self) ?? "", count: try $0.decode(column: "n", as: Int.self)) }
    }

    /// Customers by a field, largest first.
    func distribution(_ d: Dimension, from: Date? = nil, to: Date? = nil) async throws -> [Row] {
        var filter: SQLQueryString = "1 = 1"
        if let from, let to { filter = range("created_at", from: from, to: to) }
        let rows = try await sql.raw("""
            SELECT \(ident: d.column) AS k, COUNT(*) AS n FROM customers
            WHERE deleted_at IS NULL AND \(try actor.scopeSQL(Customer.self)) AND \(filter)
            GROUP BY \(ident: d.column) ORDER BY n DESC LIMIT 50
            """).all()
        return try rows.map { row in
            let key: String
            if d == .owner || d == .department || d == .region {
                key = try row.decode(column: "k", as: UUID?.self)?.uuidString ?? ""
            } else {
                key = try row.decode(column: "k", as: String?.self) ?? ""
            }
            return Row(key: key, count: try row.decode(column: "n", as: Int.self))
        }
    }

    /// Claims (owner set from none) and releases (owner cleared) per period, for customers in scope.
    func poolMovements(_ g: Granularity, from: Date, to: Date) async throws -> (claims: [Row], releases: [Row]) {
        func count(_ condition: SQLQueryString) async throws -> [Row] {
            let rows = try await sql.raw("""
                SELECT \(period("at", g)) AS k, COUNT(*) AS n FROM audit_entries a
                WHERE a.org_id = \(bind: actor.orgID) AND a.entity = 'customer' AND a.action = 'assign' AND a.field = 'owner'
                  AND \(condition) AND \(range("at", from: from, to: to))
                  AND a.record_id IN (SELECT c.id FROM customers c WHERE c.deleted_at IS NULL AND \(try actor.scopeSQL(Customer.self, alias: "c")))
                GROUP BY k ORDER BY k
                """).all()
            return try rows.map { Row(key: try $0.decode(column: "k", as: String?.self) ?? "", count: try $0.decode(column: "n", as: Int.self)) }
        }
        return (try await count("a.old_value IS NULL"), try await count("a.new_value IS NULL"))
    }

    /// Human labels for the keys of a dimension.
    func labels(_ d: Dimension, keys: [String], t: Translator) async throws -> [String: String] {
        var out: [String: String] = [:]
        let ids = keys.compactMap(UUID.init(uuidString:))
        switch d {
        case .owner:
            for u in try await actor.inOrg(User.self, on: db).filter(\.$id ~~ ids).rows() { out[u.id!.uuidString] = u.name }
        case .department:
            for x in try await actor.inOrg(Department.self, on: db).filter(\.$id ~~ ids).rows() { out[x.id!.uuidString] = x.name }
        case .region:
            let paths = try await RegionService(db: db, actor: actor, now: Date()).paths()
            for id in ids { out[id.uuidString] = paths[id] }
        case .industry, .level, .source, .status:
            let kind: DictionaryKind = d == .industry ? .industry : d == .level ? .level : d == .source ? .source : .customerStatus
            for o in try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == kind.rawValue).rows() { out[o.value] = o.label(t.locale) }
        }
        out[""] = t(d == .owner ? "customer.noOwner" : "stats.unset")
        return out
    }
}
