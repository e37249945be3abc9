import Fluent
import Foundation
import SQLKit

/// What is still owed per organisation, due day, owner and department, and on how many open
/// instalments: the aging report reads these few thousand rows instead of every instalment. Every
/// write that makes or pays instalments changes them in its own transaction, so they never drift.
enum ReceivableTally {
    /// Adds the open instalments `filter` selects (just made, or a bulk load).
    static func add(_ filter: SQLQueryString, orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO receivable_days (org_id, due_on, owner_id, department_id, n, owed)
            SELECT org_id, due_on, owner_id, COALESCE(department_id, \(bind: FollowUpTally.noDepartment)), COUNT(*), CAST(SUM(amount - received) AS BIGINT)
            FROM receivables WHERE org_id = \(bind: orgID) AND is_void = false AND received < amount AND \(filter)
            GROUP BY 1, 2, 3, 4
            ON CONFLICT (org_id, due_on, owner_id, department_id) DO UPDATE
            SET n = receivable_days.n + excluded.n, owed = receivable_days.owed + excluded.owed
            """).run()
    }

    /// Money applied to one instalment: taken off what its day owes, and the instalment off the count
    /// once it is paid. The change comes from the instalment's own UPDATE, so payments at once add up.
    static func paid(_ amount: Int64, closed: Bool, orgID: UUID, dueOn: String, ownerID: UUID, departmentID: UUID?, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO receivable_days (org_id, due_on, owner_id, department_id, n, owed)
            VALUES (\(bind: orgID), \(bind: dueOn), \(bind: ownerID), \(bind: departmentID ?? FollowUpTally.noDepartment), \(bind: closed ? -1 : 0), \(bind: -amount))
            ON CONFLICT (org_id, due_on, owner_id, department_id) DO UPDATE
            SET n = receivable_days.n + excluded.n, owed = receivable_days.owed + excluded.owed
            """).run()
    }

    /// Counts one organisation again from its instalments: after a bulk load.
    static func rebuild(orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM receivable_days WHERE org_id = \(bind: orgID)").run()
        try await add("1 = 1", orgID: orgID, on: db)
    }
}

struct CreateReceivableDays: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("receivable_days")
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("due_on", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid, .required)
            .field("n", .int64, .required)
            .field("owed", .int64, .required)
            .create()
        // The upserts' conflict target, and the aging read: an organisation's days, then who and where.
        try await db.raw("CREATE UNIQUE INDEX receivable_days_key ON receivable_days (org_id, due_on, owner_id, department_id)")
        for id in try await db.organizationIDs() { try await ReceivableTally.rebuild(orgID: id, on: db) }
    }

    func revert(on db: Database) async throws {
        try await db.schema("receivable_days").delete()
    }
}
