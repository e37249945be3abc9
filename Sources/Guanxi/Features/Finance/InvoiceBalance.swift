import Fluent
import Foundation
import SQLKit

/// What is still to invoice (待开票) per organisation, owner and department: the part of active and
/// completed contracts not yet invoiced. The statistics read these few rows instead of every
/// contract; activation, termination and each invoice's hold and release change them in their own
/// transaction, reading the contract's row after writing it, so changes at once add up.
enum InvoiceBalance {
    static let counted: Set<String> = [Contract.Status.active.rawValue, Contract.Status.completed.rawValue]

    static func add(_ amount: Int64, ownerID: UUID, departmentID: UUID?, orgID: UUID, on db: Database) async throws {
        guard amount != 0, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO invoice_balances (org_id, owner_id, department_id, to_invoice)
            VALUES (\(bind: orgID), \(bind: ownerID), \(bind: departmentID ?? FollowUpTally.noDepartment), \(bind: amount))
            ON CONFLICT (org_id, owner_id, department_id) DO UPDATE SET to_invoice = invoice_balances.to_invoice + excluded.to_invoice
            """).run()
    }

    /// A contract that has just started or stopped counting (activated, or terminated), read from its row in this transaction.
    static func contract(_ id: UUID, sign: Int64, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        struct Row: Decodable { let org_id: UUID; let owner_id: UUID; let department_id: UUID?; let open: Int64 }
        guard let r = try await sql.raw("""
            SELECT org_id, owner_id, department_id, total - invoiced AS open FROM contracts WHERE id = \(bind: id)
            """).first(decoding: Row.self) else { return }
        try await add(sign * r.open, ownerID: r.owner_id, departmentID: r.department_id, orgID: r.org_id, on: db)
    }

    /// Counts one organisation again from its contracts: after a bulk load, and once when the table is made.
    static func rebuild(orgID: UUID, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM invoice_balances WHERE org_id = \(bind: orgID)").run()
        try await sql.raw("""
            INSERT INTO invoice_balances (org_id, owner_id, department_id, to_invoice)
            SELECT org_id, owner_id, COALESCE(department_id, \(bind: FollowUpTally.noDepartment)), CAST(SUM(total - invoiced) AS BIGINT) FROM contracts
            WHERE org_id = \(bind: orgID) AND deleted_at IS NULL AND status IN ('active', 'completed') GROUP BY 1, 2, 3
            ON CONFLICT (org_id, owner_id, department_id) DO UPDATE SET to_invoice = invoice_balances.to_invoice + excluded.to_invoice
            """).run()
    }
}

struct CreateInvoiceBalances: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("invoice_balances")
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid, .required)
            .field("to_invoice", .int64, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX invoice_balances_key ON invoice_balances (org_id, owner_id, department_id)")
        for id in try await db.organizationIDs() { try await InvoiceBalance.rebuild(orgID: id, on: db) }
    }

    func revert(on db: Database) async throws {
        try await db.schema("invoice_balances").delete()
    }
}
