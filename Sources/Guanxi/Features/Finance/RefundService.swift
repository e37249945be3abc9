import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Refunds (退款, CTR-08): of a customer's prepayment or against a contract (returns). The money is
/// held when the refund is asked for — a prepayment can then not be applied or refunded twice, a
/// contract not refunded beyond what it collected — and the refund goes through the refund approval
/// flow; a rejection or a withdrawal gives the money back.
struct RefundService {
    let db: Database
    let actor: Actor
    let now: Date

    var today: String { CalendarDate.of(now, in: actor.org.timeZone) }

    struct Input: Sendable {
        var kind: String?
        var customerID: String?
        var contractID: String?
        var amount: Int64?
        var refundedOn: String?
        var reason: String?
    }

    func list(customerID: UUID? = nil, contractID: UUID? = nil, cursor: UUID? = nil, limit: Int = 50) async throws -> (items: [Refund], next: UUID?) {
        let b = try actor.query(Refund.self, .view, on: db)
        if let c = customerID { b.filter(\.$customerID == c) }
        if let c = contractID { b.filter(\.$contractID == c) }
        if let c = cursor { b.filter(\.$id < c) }
        let rows = try await b.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.id : nil)
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> Refund {
        try await actor.find(Refund.self, id, for: action, on: db)
    }

    func create(_ i: Input) async throws -> Refund {
        try actor.require(.edit, .contracts)
        var errors = FieldErrors()
        let kind = Check.clean(i.kind).flatMap(Refund.Kind.init(rawValue:))
        if kind == nil { errors.add("kind", "error.invalidOption") }
        var contract: Contract?
        var customerID: UUID?
        if kind == .contract {
            if let id = Check.clean(i.contractID).flatMap(UUID.init(uuidString:)), let c = try await actor.query(Contract.self, .edit, on: db).filter(\.$id == id).firstRow() {
                contract = c
                customerID = c.settlementCustomerID ?? c.customerID
            } else { errors.add("contractID", Check.clean(i.contractID) == nil ? "error.required" : "error.invalidOption") }
        } else if kind == .prepayment {
            if Check.clean(i.customerID) == nil { errors.add("customerID", "error.required") }
            customerID = try await actor.visibleCustomer(i.customerID, field: "customerID", into: &errors, on: db)
        }
        let amount = i.amount ?? -1
        if amount <= 0 || amount > 9_000_000_000_000_000 { errors.add("amount", "error.money") }
        let on = Check.clean(i.refundedOn) ?? today
        if !CalendarDate.isValid(on) { errors.add("refundedOn", "error.date") }
        let reason = Check.required(i.reason, "reason", max: 500, into: &errors)
        guard errors.isEmpty, let kind, let customerID else { throw AppError.invalid(errors) }
        let owner = try await actor.financeOwner(contract: contract, customerID: customerID, on: db)
        let r = Refund()
        r.id = UUID.v7(at: now)
        r.orgID = actor.orgID
        r.kind = kind
        r.status = .pendingApproval
        r.customerID = customerID
        r.contractID = contract?.id
        r.amount = amount
        r.refundedOn = on
        r.reason = reason
        r.ownerID = owner.0
        r.departmentID = owner.1
        r.createdBy = actor.userID
        r.createdAt = now
        let customer = try await actor.inOrg(Customer.self, on: db).filter(\.$id == customerID).firstRow()?.name ?? ""
        try await db.writeTransaction { [actor, now] tx in
            r.number = try await Numbering.next(.refund, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await Self.hold(r, actor: actor, on: tx)
            try await r.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Refund.entity, r.id!, Self.values(r))
            let a = try await ApprovalService(db: tx, actor: actor, now: now)
                .submit(.refund, recordID: r.id!, title: "\(r.number) · \(customer)", amount: r.amount, link: Paths.refund(r.id!))
            try await Self.settle(r, a.approvalStatus, actor: actor, now: now, on: tx)
        }
        return r
    }

    /// Takes the refund's money out of the prepayments (oldest first) or the contract's collections.
    static func hold(_ r: Refund, actor: Actor, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        switch r.kind {
        case .contract:
            guard let c = r.contractID, try await sql.raw("""
                UPDATE contracts SET refunded = refunded + \(bind: r.amount) WHERE id = \(bind: c) AND received - refunded >= \(bind: r.amount) RETURNING id
                """).first() != nil else { throw AppError.conflict("error.refundExceedsReceived") }
        case .prepayment:
            let rows = try await actor.inOrg(Payment.self, on: db).filter(\.$customerID == r.customerID)
                .filter(.sql(embed: "allocated + refunded < amount")).sort(\.$receivedOn).sort(\.$id).limit(500).rows()
            guard let picks = Collections.draw(r.amount, from: rows.map { ($0.id!, $0.unapplied) }) else { throw AppError.conflict("error.refundExceedsPrepayment") }
            for p in picks {
                guard try await sql.raw("""
                    UPDATE payments SET refunded = refunded + \(bind: p.amount) WHERE id = \(bind: p.receivableID) AND amount - allocated - refunded >= \(bind: p.amount) RETURNING id
                    """).first() != nil else { throw AppError.conflict("error.refundExceedsPrepayment") }
            }
            r.sourcesJSON = String(decoding: try JSONEncoder().encode(picks), as: UTF8.self)
        }
    }

    static func release(_ r: Refund, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        switch r.kind {
        case .contract:
            if let c = r.contractID { try await sql.raw("UPDATE contracts SET refunded = refunded - \(bind: r.amount) WHERE id = \(bind: c)").run() }
        case .prepayment:
            let picks = r.sourcesJSON.flatMap { try? JSONDecoder().decode([Collections.Allocation].self, from: Data($0.utf8)) } ?? []
            for p in picks { try await sql.raw("UPDATE payments SET refunded = refunded - \(bind: p.amount) WHERE id = \(bind: p.receivableID)").run() }
            r.sourcesJSON = nil
        }
    }

    /// Where the approval leaves the refund: done once approved; cancelled (money back) when rejected
    /// or withdrawn; held again when resubmitted.
    static func settle(_ r: Refund, _ status: ApprovalStatus, actor: Actor, now: Date, on db: Database) async throws {
        let next: Refund.Status = switch status {
        case .pending: .pendingApproval
        case .approved: .approved
        case .rejected, .withdrawn: .cancelled
        }
        guard next != r.status else { return }
        if next == .cancelled { try await release(r, on: db) }
        if r.status == .cancelled { try await hold(r, actor: actor, on: db) }
        let before = r.status
        r.status = next
        try await r.save(on: db)
        try await Audit(actor: actor, db: db, now: now).event(Refund.entity, r.id!, .update, field: "status", old: before.rawValue, new: next.rawValue)
        if next == .approved {
            try await MoneyTally.add(.init(refunded: r.amount), day: r.refundedOn, ownerID: r.ownerID, departmentID: r.departmentID, orgID: r.orgID, on: db)
        }
        if let c = r.contractID, next == .approved {
            try await Audit(actor: actor, db: db, now: now).event(Contract.entity, c, .update, field: "refunded", new: "\(r.number) · \(r.amount)")
        }
    }

    static func values(_ r: Refund) -> FieldValues {
        ["number": r.number, "kind": r.kind.rawValue, "customer": r.customerID.uuidString, "contract": r.contractID?.uuidString ?? "",
         "amount": String(r.amount), "refundedOn": r.refundedOn, "reason": r.reason]
    }
}
