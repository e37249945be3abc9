import Fluent
import Foundation
import SQLKit

/// Running sums of opportunities per owner, department, stage, status and month (the expected close
/// month while open, the close month once won or lost): the board's totals, the funnel and the
/// forecast read these few rows instead of grouping a team's hundred thousand opportunities. Every
/// write that adds, removes or changes an opportunity takes its old row out and puts the new one in,
/// in its own transaction, so the sums never drift from the rows.
enum OpportunityTally {
    /// Adds (sign +1) or takes away (sign -1) the live opportunities that `filter` selects.
    static func apply(_ filter: SQLQueryString, sign: Int, orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let s: SQLQueryString = sign >= 0 ? "" : "-"
        let month: SQLQueryString = "COALESCE(substr(CASE WHEN status = 'open' THEN expected_close_on ELSE closed_on END, 1, 7), '')"
        try await sql.raw("""
            INSERT INTO opportunity_tallies (org_id, owner_id, department_id, stage_id, status, month, n, amount, weighted)
            SELECT org_id, owner_id, COALESCE(department_id, \(bind: FollowUpTally.noDepartment)), stage_id, status, \(month),
                   \(s)COUNT(*), \(s)CAST(SUM(amount) AS BIGINT), \(s)CAST(SUM(amount * probability) AS BIGINT)
            FROM opportunities WHERE org_id = \(bind: orgID) AND deleted_at IS NULL AND \(filter)
            GROUP BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (org_id, owner_id, department_id, stage_id, status, month) DO UPDATE SET
              n = opportunity_tallies.n + excluded.n, amount = opportunity_tallies.amount + excluded.amount,
              weighted = opportunity_tallies.weighted + excluded.weighted
            """).run()
    }

    /// Runs `change` on one opportunity with its tally taken out before and put back after.
    static func around<T>(_ id: UUID, orgID: UUID, on db: Database, _ change: () async throws -> T) async throws -> T {
        try await apply("id = \(bind: id)", sign: -1, orgID: orgID, on: db)
        let out = try await change()
        try await apply("id = \(bind: id)", sign: 1, orgID: orgID, on: db)
        return out
    }

    /// Counts one organisation again from its opportunities: after a bulk load.
    static func rebuild(orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM opportunity_tallies WHERE org_id = \(bind: orgID)").run()
        try await apply("1 = 1", sign: 1, orgID: orgID, on: db)
    }
}
