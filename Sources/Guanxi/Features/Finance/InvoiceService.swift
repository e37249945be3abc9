import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Invoices (发票, FIN-03) against active contracts, before or after payment. The amount is held on the
/// contract from the request (one conditional UPDATE), so however many are asked for at once the
/// contract is never invoiced beyond its total; the invoice approval flow decides, a rejection,
/// withdrawal or voiding (红冲) gives the amount back.
struct InvoiceService {
    let db: Database
    let actor: Actor
    let now: Date

    var today: String { CalendarDate.of(now, in: actor.org.timeZone) }

    struct Input: Sendable {
        var contractID: String?
        var kind: String?
        var buyer: String?
        var taxNumber: String?
        var amount: Int64?
        var issuedOn: String?
        var invoiceNo: String?
        var note: String?
    }

    func list(contractID: UUID? = nil, customerID: UUID? = nil, status: Invoice.Status? = nil, cursor: UUID? = nil, limit: Int = 50) async throws -> (items: [Invoice], next: UUID?) {
        let b = try actor.query(Invoice.self, .view, on: db)
        if let c = contractID { b.filter(\.$contractID == c) }
        if let c = customerID { b.filter(\.$customerID == c) }
        if let s = status { b.filter(\.$status == s) }
        if let c = cursor { b.filter(\.$id < c) }
        let rows = try await b.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.id : nil)
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> Invoice {
        try await actor.find(Invoice.self, id, for: action, on: db)
    }

    func create(_ i: Input) async throws -> Invoice {
        try actor.require(.edit, .contracts)
        var errors = FieldErrors()
        var contract: Contract?
        if let id = Check.clean(i.contractID).flatMap(UUID.init(uuidString:)), let c = try await actor.query(Contract.self, .edit, on: db).filter(\.$id == id).firstRow() {
            if [.active, .completed].contains(c.status) { contract = c } else { errors.add("contractID", "error.contractNotActive") }
        } else { errors.add("contractID", Check.clean(i.contractID) == nil ? "error.required" : "error.invalidOption") }
        let kind = Check.clean(i.kind).map { Invoice.Kind(rawValue: $0) } ?? .ordinary
        if kind == nil { errors.add("kind", "error.invalidOption") }
        let customerID = contract.map { $0.settlementCustomerID ?? $0.customerID }
        let customerName = try await customerID.asyncMap { id in try await actor.inOrg(Customer.self, on: db).filter(\.$id == id).firstRow()?.name } ?? nil
        let buyer = Check.optional(i.buyer, "buyer", max: 100, into: &errors) ?? customerName ?? ""
        if buyer.isEmpty, errors["contractID"] == nil { errors.add("buyer", "error.required") }
        let taxNumber = Check.clean(i.taxNumber)?.uppercased()
        if let n = taxNumber, !Collections.isTaxNumber(n) { errors.add("taxNumber", "error.taxNumber") }
        if kind == .special, taxNumber == nil { errors.add("taxNumber", "error.taxNumberRequired") }
        let amount = i.amount ?? -1
        if amount <= 0 || amount > 9_000_000_000_000_000 { errors.add("amount", "error.money") }
        let issuedOn = Check.clean(i.issuedOn) ?? today
        if !CalendarDate.isValid(issuedOn) { errors.add("issuedOn", "error.date") }
        let invoiceNo = Check.optional(i.invoiceNo, "invoiceNo", max: 30, into: &errors)
        let note = Check.optional(i.note, "note", max: 500, into: &errors)
        guard errors.isEmpty, let contract, let kind, let customerID else { throw AppError.invalid(errors) }
        let inv = Invoice()
        inv.id = UUID.v7(at: now)
        inv.orgID = actor.orgID
        inv.kind = kind
        inv.status = .pendingApproval
        inv.contractID = contract.id!
        inv.customerID = customerID
        inv.buyer = buyer
        inv.taxNumber = taxNumber
        inv.amount = amount
        inv.issuedOn = issuedOn
        inv.invoiceNo = invoiceNo
        inv.note = note
        inv.ownerID = contract.ownerID
        inv.departmentID = contract.departmentID
        inv.createdBy = actor.userID
        inv.createdAt = now
        try await db.writeTransaction { [actor, now] tx in
            inv.number = try await Numbering.next(.invoice, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await Self.hold(inv, on: tx)
            try await inv.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Invoice.entity, inv.id!, Self.values(inv))
            let a = try await ApprovalService(db: tx, actor: actor, now: now)
                .submit(.invoice, recordID: inv.id!, title: "\(inv.number) · \(buyer)", amount: amount, link: Paths.invoice(inv.id!))
            try await Self.settle(inv, a.approvalStatus, actor: actor, now: now, on: tx)
        }
        return inv
    }

    static func hold(_ inv: Invoice, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        guard let c = try await sql.raw("""
            UPDATE contracts SET invoiced = invoiced + \(bind: inv.amount) WHERE id = \(bind: inv.contractID) AND invoiced + \(bind: inv.amount) <= total
            RETURNING status, owner_id, department_id
            """).first(decoding: Held.self) else { throw AppError.conflict("error.invoiceExceedsContract") }
        if InvoiceBalance.counted.contains(c.status) {
            try await InvoiceBalance.add(-inv.amount, ownerID: c.owner_id, departmentID: c.department_id, orgID: inv.orgID, on: db)
        }
    }

    private struct Held: Decodable { let status: String; let owner_id: UUID; let department_id: UUID? }

    static func release(_ inv: Invoice, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        guard let c = try await sql.raw("""
            UPDATE contracts SET invoiced = invoiced - \(bind: inv.amount) WHERE id = \(bind: inv.contractID) RETURNING status, owner_id, department_id
            """).first(decoding: Held.self) else { return }
        if InvoiceBalance.counted.contains(c.status) {
            try await InvoiceBalance.add(inv.amount, ownerID: c.owner_id, departmentID: c.department_id, orgID: inv.orgID, on: db)
        }
    }

    /// Issued once approved; cancelled (amount released) when rejected or withdrawn; held again when resubmitted.
    static func settle(_ inv: Invoice, _ status: ApprovalStatus, actor: Actor, now: Date, on db: Database) async throws {
        let next: Invoice.Status = switch status {
        case .pending: .pendingApproval
        case .approved: .issued
        case .rejected, .withdrawn: .cancelled
        }
        guard next != inv.status, inv.status != .void else { return }
        if next == .cancelled { try await release(inv, on: db) }
        if inv.status == .cancelled { try await hold(inv, on: db) }
        let before = inv.status
        inv.status = next
        try await inv.save(on: db)
        let audit = Audit(actor: actor, db: db, now: now)
        try await audit.event(Invoice.entity, inv.id!, .update, field: "status", old: before.rawValue, new: next.rawValue)
        if next == .issued {
            try await MoneyTally.add(.init(invoiced: inv.amount), day: inv.issuedOn, ownerID: inv.ownerID, departmentID: inv.departmentID, orgID: inv.orgID, on: db)
            try await audit.event(Contract.entity, inv.contractID, .update, field: "invoiced", new: "\(inv.number) · \(inv.amount)")
        }
    }

    /// 红冲: an issued invoice is voided and its amount may be invoiced again.
    func void(_ id: UUID?, reason: String?) async throws -> Invoice {
        let inv = try await get(id, for: .edit)
        guard inv.status == .issued else { throw AppError.conflict("error.invoiceNotIssued") }
        var errors = FieldErrors()
        let why = Check.required(reason, "reason", max: 200, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        try await db.writeTransaction { [actor, now] tx in
            // Read again in the write: two people voiding at once release the amount once.
            guard let sql = tx as? any SQLDatabase, try await sql.raw("""
                UPDATE invoices SET status = 'void' WHERE id = \(bind: inv.id!) AND status = 'issued' RETURNING id
                """).first() != nil else { throw AppError.conflict("error.invoiceNotIssued") }
            try await Self.release(inv, on: tx)
            try await MoneyTally.add(.init(invoiced: -inv.amount), day: inv.issuedOn, ownerID: inv.ownerID, departmentID: inv.departmentID, orgID: inv.orgID, on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Invoice.entity, inv.id!, .update, field: "status", old: "issued", new: "void · \(why)")
        }
        inv.status = .void
        return inv
    }

    /// Records the number the tax system gave an issued invoice.
    func setInvoiceNo(_ id: UUID?, _ raw: String?) async throws -> Invoice {
        let inv = try await get(id, for: .edit)
        var errors = FieldErrors()
        let no = Check.required(raw, "invoiceNo", max: 30, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        guard inv.status == .issued || inv.status == .pendingApproval else { throw AppError.conflict("error.invoiceNotIssued") }
        let before = inv.invoiceNo ?? ""
        guard before != no else { return inv }
        inv.invoiceNo = no
        try await db.writeTransaction { [actor, now] tx in
            try await inv.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Invoice.entity, inv.id!, .update, field: "invoiceNo", old: before, new: no)
        }
        return inv
    }

    static func values(_ i: Invoice) -> FieldValues {
        ["number": i.number, "kind": i.kind.rawValue, "contract": i.contractID.uuidString, "buyer": i.buyer, "taxNumber": i.taxNumber ?? "",
         "amount": String(i.amount), "issuedOn": i.issuedOn, "invoiceNo": i.invoiceNo ?? "", "note": i.note ?? ""]
    }
}
