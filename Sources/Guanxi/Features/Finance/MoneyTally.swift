import Fluent
import Foundation
import SQLKit

/// The collection statistics per organisation, day, owner and department: contracts signed (count,
/// amount, margin), instalments falling due, money received, refunded and invoiced. The statistics
/// read these rows instead of grouping every contract, instalment and payment; each write that
/// signs, makes instalments, applies money, refunds or invoices adds its change in its own transaction.
enum MoneyTally {
    struct Change: Sendable {
        var newCount: Int64 = 0
        var newAmount: Int64 = 0
        var margin: Int64 = 0
        var due: Int64 = 0
        var received: Int64 = 0
        var refunded: Int64 = 0
        var invoiced: Int64 = 0
    }

    static let measures = ["new_n", "new_amount", "margin", "due", "received", "refunded", "invoiced"]

    private static var upsert: SQLQueryString {
        SQLQueryString("""
            ON CONFLICT (org_id, day, owner_id, department_id) DO UPDATE SET
            \(measures.map { "\($0) = money_days.\($0) + excluded.\($0)" }.joined(separator: ", "))
            """)
    }

    /// Adds one change to a day of an owner and department.
    static func add(_ c: Change, day: String, ownerID: UUID, departmentID: UUID?, orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO money_days (org_id, day, owner_id, department_id, new_n, new_amount, margin, due, received, refunded, invoiced)
            VALUES (\(bind: orgID), \(bind: day), \(bind: ownerID), \(bind: departmentID ?? FollowUpTally.noDepartment), \(bind: c.newCount),
                    \(bind: c.newAmount), \(bind: c.margin), \(bind: c.due), \(bind: c.received), \(bind: c.refunded), \(bind: c.invoiced))
            \(upsert)
            """).run()
    }

    /// A contract that has just become active: signed on its day, and its instalments falling due on theirs.
    static func activated(_ c: Contract, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase, let signed = c.signedOn else { return }
        try await add(Change(newCount: 1, newAmount: c.total, margin: c.margin), day: signed, ownerID: c.ownerID, departmentID: c.departmentID, orgID: c.orgID, on: db)
        try await sql.raw("""
            INSERT INTO money_days (org_id, day, owner_id, department_id, new_n, new_amount, margin, due, received, refunded, invoiced)
            SELECT org_id, due_on, owner_id, COALESCE(department_id, \(bind: FollowUpTally.noDepartment)), 0, 0, 0, CAST(SUM(amount) AS BIGINT), 0, 0, 0
            FROM receivables WHERE contract_id = \(bind: c.id!) AND is_void = false GROUP BY 1, 2, 3, 4
            \(upsert)
            """).run()
    }

    /// Counts one organisation again from its records: after a bulk load, and once when the table is made.
    static func rebuild(orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM money_days WHERE org_id = \(bind: orgID)").run()
        let none = FollowUpTally.noDepartment
        let sources: [SQLQueryString] = [
            """
            SELECT org_id, signed_on, owner_id, COALESCE(department_id, \(bind: none)), COUNT(*), CAST(SUM(total) AS BIGINT), CAST(SUM(subtotal - cost) AS BIGINT), 0, 0, 0, 0
            FROM contracts WHERE org_id = \(bind: orgID) AND deleted_at IS NULL AND status IN ('active', 'completed', 'terminated') AND signed_on IS NOT NULL
            GROUP BY 1, 2, 3, 4
            """,
            """
            SELECT org_id, due_on, owner_id, COALESCE(department_id, \(bind: none)), 0, 0, 0, CAST(SUM(amount) AS BIGINT), 0, 0, 0
            FROM receivables WHERE org_id = \(bind: orgID) AND is_void = false GROUP BY 1, 2, 3, 4
            """,
            """
            SELECT org_id, received_on, owner_id, COALESCE(department_id, \(bind: none)), 0, 0, 0, 0, CAST(SUM(amount) AS BIGINT), 0, 0
            FROM payment_allocations WHERE org_id = \(bind: orgID) GROUP BY 1, 2, 3, 4
            """,
            """
            SELECT org_id, refunded_on, owner_id, COALESCE(department_id, \(bind: none)), 0, 0, 0, 0, 0, CAST(SUM(amount) AS BIGINT), 0
            FROM refunds WHERE org_id = \(bind: orgID) AND status = 'approved' GROUP BY 1, 2, 3, 4
            """,
            """
            SELECT org_id, issued_on, owner_id, COALESCE(department_id, \(bind: none)), 0, 0, 0, 0, 0, 0, CAST(SUM(amount) AS BIGINT)
            FROM invoices WHERE org_id = \(bind: orgID) AND status = 'issued' GROUP BY 1, 2, 3, 4
            """,
        ]
        for source in sources {
            try await sql.raw("""
                INSERT INTO money_days (org_id, day, owner_id, department_id, new_n, new_amount, margin, due, received, refunded, invoiced)
                \(source)
                \(upsert)
                """).run()
        }
    }
}

struct CreateMoneyDays: AsyncMigration {
    func prepare(on db: Database) async throws {
        var schema = db.schema("money_days")
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("day", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid, .required)
        for m in MoneyTally.measures { schema = schema.field(FieldKey(stringLiteral: m), .int64, .required) }
        try await schema.create()
        // The upserts' conflict target, and the statistics' read: an organisation's days, then who and where.
        try await db.raw("CREATE UNIQUE INDEX money_days_key ON money_days (org_id, day, owner_id, department_id)")
        for id in try await db.organizationIDs() { try await MoneyTally.rebuild(orgID: id, on: db) }
    }

    func revert(on db: Database) async throws {
        try await db.schema("money_days").delete()
    }
}
