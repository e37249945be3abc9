import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Payments received (回款): recorded against a contract's instalments (earliest due first, or as the
/// user splits it), the rest kept as the customer's prepayment and applied later. Every fen moves in
/// conditional UPDATEs inside the payment's transaction, so concurrent payments never take an
/// instalment beyond its amount or spend a prepayment twice.
struct PaymentService {
    let db: Database
    let actor: Actor
    let now: Date

    var today: String { CalendarDate.of(now, in: actor.org.timeZone) }

    enum Apply: Sendable, Equatable {
        /// The earliest open instalments of the contract (or, without one, of the customer).
        case auto
        /// Kept whole as a prepayment.
        case none
        case to([Collections.Allocation])
    }

    struct Input: Sendable {
        var customerID: String?
        var contractID: String?
        /// Fen; nil when missing or not a number.
        var amount: Int64?
        var receivedOn: String?
        var method: String?
        var account: String?
        var reference: String?
        var note: String?
        var apply: Apply = .auto
    }

    struct ListQuery: Sendable {
        var customerID: UUID?
        var contractID: UUID?
        var withPrepayment = false
        var cursor: UUID?
        var limit = 50
    }

    func list(_ q: ListQuery) async throws -> (items: [Payment], next: UUID?) {
        let b = try actor.query(Payment.self, .view, on: db)
        if let c = q.customerID { b.filter(\.$customerID == c) }
        if let c = q.contractID {
            b.group(.or) { or in
                or.filter(\.$contractID == c)
                or.filter(.sql(embed: "\(ident: Payment.schema).\(ident: "id") IN (SELECT payment_id FROM payment_allocations WHERE contract_id = \(bind: c))"))
            }
        }
        if q.withPrepayment { b.filter(.sql(embed: "\(ident: Payment.schema).\(ident: "allocated") + \(ident: Payment.schema).\(ident: "refunded") < \(ident: Payment.schema).\(ident: "amount")")) }
        if let c = q.cursor { b.filter(\.$id < c) }
        let limit = max(1, min(q.limit, 200))
        let rows = try await b.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.id : nil)
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> Payment {
        try await actor.find(Payment.self, id, for: action, on: db)
    }

    func allocations(_ paymentID: UUID) async throws -> [PaymentAllocation] {
        try await actor.inOrg(PaymentAllocation.self, on: db).filter(\.$paymentID == paymentID).sort(\.$createdAt).limit(500).rows()
    }

    /// Open instalments the actor may see, earliest due first: a contract's, or all of a customer's.
    func open(customerID: UUID, contractID: UUID?) async throws -> [Receivable] {
        let b = try actor.query(Receivable.self, .view, on: db).filter(\.$customerID == customerID).filter(Receivable.open)
        if let c = contractID { b.filter(\.$contractID == c) }
        return try await b.sort(\.$dueOn).sort(\.$position).limit(500).rows()
    }

    /// The customer's prepayment still to apply or refund, in the actor's scope.
    func prepayment(customerID: UUID) async throws -> Int64 {
        guard let sql = db as? any SQLDatabase else { return 0 }
        struct Row: Decodable { let prepayment: Int64? }
        return try await sql.raw(try prepaymentSQL(customerID: customerID)).first(decoding: Row.self)?.prepayment ?? 0
    }

    /// The statement behind `prepayment`, one column `prepayment`.
    func prepaymentSQL(customerID: UUID) throws -> SQLQueryString {
        """
        SELECT CAST(SUM(amount - allocated - refunded) AS BIGINT) AS prepayment FROM payments
        WHERE \(try actor.scopeSQL(Payment.self)) AND customer_id = \(bind: customerID)
        """
    }

    func record(_ i: Input) async throws -> Payment {
        try actor.require(.edit, .contracts)
        var errors = FieldErrors()
        var contract: Contract?
        if let raw = Check.clean(i.contractID) {
            if let id = UUID(uuidString: raw), let c = try await actor.query(Contract.self, .edit, on: db).filter(\.$id == id).firstRow() {
                if [.active, .completed].contains(c.status) { contract = c } else { errors.add("contractID", "error.contractNotActive") }
            } else { errors.add("contractID", "error.invalidOption") }
        }
        var customerID = contract.map { $0.settlementCustomerID ?? $0.customerID }
        if let raw = Check.clean(i.customerID) {
            let id = try await actor.visibleCustomer(raw, field: "customerID", into: &errors, on: db)
            if let c = customerID, let id, id != c { errors.add("customerID", "error.notSettlementCustomer") }
            customerID = customerID ?? id
        } else if customerID == nil, errors["contractID"] == nil { errors.add("customerID", "error.required") }
        let amount = i.amount ?? -1
        if amount <= 0 || amount > 9_000_000_000_000_000 { errors.add("amount", "error.money") }
        let receivedOn = Check.clean(i.receivedOn) ?? today
        if !CalendarDate.isValid(receivedOn) { errors.add("receivedOn", "error.date") } else if receivedOn > today { errors.add("receivedOn", "error.dateInFuture") }
        let method = Check.clean(i.method).map { Payment.Method(rawValue: $0) } ?? .transfer
        if method == nil { errors.add("method", "error.invalidOption") }
        let account = Check.optional(i.account, "account", max: 60, into: &errors)
        let reference = Check.optional(i.reference, "reference", max: 60, into: &errors)
        let note = Check.optional(i.note, "note", max: 500, into: &errors)
        var manual: [Collections.Allocation] = []
        if errors.isEmpty, let customerID, case .to = i.apply {
            manual = try await plan(i.apply, amount: amount, customerID: customerID, contractID: contract?.id, into: &errors)
        }
        guard errors.isEmpty, let customerID, let method else { throw AppError.invalid(errors) }
        let auto = i.apply == .auto

        let owner = try await actor.financeOwner(contract: contract, customerID: customerID, on: db)
        let p = Payment()
        p.id = UUID.v7(at: now)
        p.orgID = actor.orgID
        p.customerID = customerID
        p.contractID = contract?.id
        p.receivedOn = receivedOn
        p.amount = amount
        p.allocated = 0
        p.refunded = 0
        p.method = method
        p.account = account
        p.reference = reference
        p.note = note
        p.ownerID = owner.0
        p.departmentID = owner.1
        p.createdBy = actor.userID
        p.createdAt = now
        try await db.writeTransaction { [actor, now, manual] tx in
            p.number = try await Numbering.next(.payment, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await p.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Payment.entity, p.id!, Self.values(p))
            let allocations = auto ? try await PaymentService(db: tx, actor: actor, now: now).earliest(amount, customerID: customerID, contractID: p.contractID) : manual
            try await Self.spend(p, allocations, actor: actor, now: now, on: tx)
        }
        return p
    }

    /// Inside the payment's transaction: the earliest open instalments, read after the payer's row is
    /// locked (PostgreSQL; SQLite has one writer), so payments arriving together fill them in turn
    /// instead of refusing each other.
    func earliest(_ amount: Int64, customerID: UUID, contractID: UUID?) async throws -> [Collections.Allocation] {
        if !db.isSQLite, let sql = db as? any SQLDatabase {
            try await sql.raw("SELECT id FROM customers WHERE id = \(bind: customerID) FOR UPDATE").run()
        }
        let open = try await open(customerID: customerID, contractID: contractID)
        return Collections.allocate(amount, to: open.map { .init(id: $0.id!, owed: $0.amount - $0.received) })
    }

    /// Applies part of a payment's prepayment to instalments of the same customer.
    func apply(_ id: UUID?, _ how: Apply) async throws -> Payment {
        let p = try await get(id, for: .edit)
        var errors = FieldErrors()
        let manual = try await plan(how, amount: p.unapplied, customerID: p.customerID, contractID: nil, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        try await db.writeTransaction { [actor, now, manual] tx in
            let svc = PaymentService(db: tx, actor: actor, now: now)
            let earliest = how == .auto ? try await svc.earliest(Int64.max, customerID: p.customerID, contractID: nil) : []
            guard let fresh = try await actor.inOrg(Payment.self, on: tx).filter(\.$id == p.id!).firstRow() else { throw AppError.notFound }
            let allocations = how == .auto ? Collections.allocate(fresh.unapplied, to: earliest.map { .init(id: $0.receivableID, owed: $0.amount) }) : manual
            guard !allocations.isEmpty else { throw AppError.conflict("error.nothingToApply") }
            try await Self.spend(fresh, allocations, actor: actor, now: now, on: tx)
        }
        return try await get(p.id)
    }

    /// The allocations a payment of `amount` makes, checked against what the instalments still owe.
    private func plan(_ how: Apply, amount: Int64, customerID: UUID, contractID: UUID?, into errors: inout FieldErrors) async throws -> [Collections.Allocation] {
        switch how {
        case .none, .auto:
            return []
        case .to(let wanted):
            let ids = wanted.map(\.receivableID)
            let rows = ids.isEmpty ? [] : try await actor.query(Receivable.self, .view, on: db).filter(\.$id ~~ ids)
                .filter(\.$customerID == customerID).filter(\.$isVoid == false).rows()
            switch Collections.check(wanted, available: amount, open: rows.map { .init(id: $0.id!, owed: $0.amount - $0.received) }) {
            case nil: break
            case .badAmount(let n)?: errors.add("allocations.\(n + 1).amount", "error.money")
            case .unknown(let n)?, .duplicate(let n)?: errors.add("allocations.\(n + 1).receivableID", "error.invalidOption")
            case .exceedsOwed(let n)?: errors.add("allocations.\(n + 1).amount", "error.exceedsOwed")
            case .exceedsAvailable?: errors.add("allocations", "error.exceedsPayment")
            }
            return wanted
        }
    }

    /// Moves money from the payment onto instalments, each step a conditional UPDATE: if anyone got
    /// there first (the instalment is paid, the prepayment spent), the whole transaction is refused.
    static func spend(_ p: Payment, _ allocations: [Collections.Allocation], actor: Actor, now: Date, on db: Database) async throws {
        guard !allocations.isEmpty, let sql = db as? any SQLDatabase else { return }
        let sum = allocations.reduce(Int64(0)) { $0 + $1.amount }
        guard try await sql.raw("""
            UPDATE payments SET allocated = allocated + \(bind: sum)
            WHERE id = \(bind: p.id!) AND amount - allocated - refunded >= \(bind: sum) RETURNING id
            """).first() != nil else { throw AppError.conflict("error.prepaymentSpent") }
        struct Hit: Decodable { let contract_id: UUID; let owner_id: UUID; let department_id: UUID?; let due_on: String; let amount: Int64; let received: Int64 }
        var perContract: [UUID: Int64] = [:]
        var batch = RowBatch(table: PaymentAllocation.schema, columns: ["id", "org_id", "payment_id", "receivable_id", "contract_id", "customer_id", "amount",
                                                                         "received_on", "owner_id", "department_id", "created_at"])
        for a in allocations {
            guard let hit = try await sql.raw("""
                UPDATE receivables SET received = received + \(bind: a.amount)
                WHERE id = \(bind: a.receivableID) AND org_id = \(bind: actor.orgID) AND customer_id = \(bind: p.customerID)
                  AND is_void = false AND received + \(bind: a.amount) <= amount
                RETURNING contract_id, owner_id, department_id, due_on, amount, received
                """).first(decoding: Hit.self) else { throw AppError.conflict("error.instalmentPaid") }
            try await ReceivableTally.paid(a.amount, closed: hit.received == hit.amount, orgID: actor.orgID, dueOn: hit.due_on, ownerID: hit.owner_id,
                                           departmentID: hit.department_id, on: db)
            try await MoneyTally.add(.init(received: a.amount), day: p.receivedOn, ownerID: hit.owner_id, departmentID: hit.department_id, orgID: actor.orgID, on: db)
            perContract[hit.contract_id, default: 0] += a.amount
            batch.add([UUID.v7(at: now), actor.orgID, p.id!, a.receivableID, hit.contract_id, p.customerID, a.amount, p.receivedOn, hit.owner_id,
                       hit.department_id, now])
        }
        try await batch.insert(on: db)
        let audit = Audit(actor: actor, db: db, now: now)
        for (contractID, amount) in perContract.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            try await sql.raw("UPDATE contracts SET received = received + \(bind: amount) WHERE id = \(bind: contractID)").run()
            try await audit.event(Contract.entity, contractID, .update, field: "received", new: "\(p.number) · \(amount)")
        }
        try await audit.event(Payment.entity, p.id!, .update, field: "allocated", new: String(sum))
        p.allocated += sum
    }

    static func values(_ p: Payment) -> FieldValues {
        ["number": p.number, "customer": p.customerID.uuidString, "contract": p.contractID?.uuidString ?? "", "receivedOn": p.receivedOn,
         "amount": String(p.amount), "method": p.method.rawValue, "account": p.account ?? "", "reference": p.reference ?? "", "note": p.note ?? ""]
    }
}
