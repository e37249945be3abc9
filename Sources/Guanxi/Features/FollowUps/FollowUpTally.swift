import Fluent
import Foundation
import SQLKit

/// Running counts of follow-ups per local day, owner, department and method, and per local day,
/// owner, department and hour: the statistics read these few rows instead of grouping tens of
/// millions of follow-ups. Every write that adds, removes or moves a follow-up applies the same
/// grouped query to the tallies in its own transaction, so the counts never drift from the rows.
enum FollowUpTally {
    /// "No department" in a key column (NULLs would never meet in a unique index).
    static let noDepartment = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// Adds (sign +1) or takes away (sign -1) the live follow-ups that `filter` selects.
    static func apply(_ filter: SQLQueryString, sign: Int, orgID: UUID, timeZone: TimeZone, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for statement in statements(filter, sign: sign, orgID: orgID, timeZone: timeZone, on: db) { try await sql.raw(statement).run() }
    }

    /// The two upserts `apply` runs, for a caller that runs statements itself.
    static func statements(_ filter: SQLQueryString, sign: Int, orgID: UUID, timeZone: TimeZone, on db: Database) -> [SQLQueryString] {
        let day = Stats.period("happened_at", .day, db: db, timeZone: timeZone)
        let hour = Stats.hour("happened_at", db: db, timeZone: timeZone)
        let n: SQLQueryString = sign >= 0 ? "COUNT(*)" : "-COUNT(*)"
        let department: SQLQueryString = "COALESCE(department_id, \(bind: noDepartment))"
        let live: SQLQueryString = "org_id = \(bind: orgID) AND deleted_at IS NULL AND \(filter)"
        // Grouped by position: PostgreSQL cannot tell that two binds of the same time zone are one expression.
        return ["""
            INSERT INTO follow_up_method_days (org_id, day, owner_id, department_id, method, n)
            SELECT org_id, \(day), owner_id, \(department), method, \(n) FROM follow_ups WHERE \(live)
            GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT (org_id, day, owner_id, department_id, method) DO UPDATE SET n = follow_up_method_days.n + excluded.n
            """, """
            INSERT INTO follow_up_hour_days (org_id, day, owner_id, department_id, hour, n)
            SELECT org_id, \(day), owner_id, \(department), \(hour), \(n) FROM follow_ups WHERE \(live)
            GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT (org_id, day, owner_id, department_id, hour) DO UPDATE SET n = follow_up_hour_days.n + excluded.n
            """]
    }

    static func apply(_ filter: SQLQueryString, sign: Int, actor: Actor, on db: Database) async throws {
        try await apply(filter, sign: sign, orgID: actor.orgID, timeZone: actor.org.timeZone, on: db)
    }

    /// Counts one organisation again from its follow-ups: after a bulk load or a change of time zone.
    static func rebuild(orgID: UUID, timeZone: TimeZone, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM follow_up_method_days WHERE org_id = \(bind: orgID)").run()
        try await sql.raw("DELETE FROM follow_up_hour_days WHERE org_id = \(bind: orgID)").run()
        try await apply("1 = 1", sign: 1, orgID: orgID, timeZone: timeZone, on: db)
    }
}

struct CreateFollowUpTally: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("follow_up_method_days")
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("day", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid, .required)
            .field("method", .string, .required)
            .field("n", .int64, .required)
            .create()
        try await db.schema("follow_up_hour_days")
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("day", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid, .required)
            .field("hour", .string, .required)
            .field("n", .int64, .required)
            .create()
        // The conflict targets of the upserts, and the reads: an organisation's days, then who and where.
        try await db.raw("CREATE UNIQUE INDEX follow_up_method_days_key ON follow_up_method_days (org_id, day, owner_id, department_id, method)")
        try await db.raw("CREATE UNIQUE INDEX follow_up_hour_days_key ON follow_up_hour_days (org_id, day, owner_id, department_id, hour)")
        guard let sql = db as? any SQLDatabase else { return }
        for row in try await sql.raw("SELECT id, time_zone FROM organizations").all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let zone = TimeZone(identifier: try row.decode(column: "time_zone", as: String.self)) ?? TimeZone(identifier: "Asia/Shanghai")!
            try await FollowUpTally.rebuild(orgID: id, timeZone: zone, on: db)
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("follow_up_hour_days").delete()
        try await db.schema("follow_up_method_days").delete()
    }
}
