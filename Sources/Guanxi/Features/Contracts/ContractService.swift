import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Contracts: made from an accepted quote or with lines of their own, sent through the contract
/// approval flow, active once approved, then completed, terminated or (while a draft) voided.
struct ContractService {
    let db: Database
    let actor: Actor
    let now: Date

    struct ListQuery: Sendable {
        var status: Contract.Status?
        var customerID: UUID?
        var parentID: UUID?
        var cursor: UUID?
        var limit = 50
    }

    func list(_ q: ListQuery) async throws -> (items: [Contract], next: UUID?) {
        let b = try actor.query(Contract.self, .view, on: db)
        if let s = q.status { b.filter(\.$status == s) }
        if let c = q.customerID { b.filter(\.$customerID == c) }
        if let p = q.parentID { b.filter(\.$parentID == p) }
        if let c = q.cursor { b.filter(\.$id < c) }
        let limit = max(1, min(q.limit, 200))
        let rows = try await b.sort(\.$id, .descending).limit(limit + 1).rows()
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.id : nil)
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> Contract {
        try await actor.find(Contract.self, id, for: action, on: db)
    }

    func lines(_ id: UUID) async throws -> [ContractLine] {
        try await actor.inOrg(ContractLine.self, on: db).filter(\.$contractID == id).sort(\.$position).limit(1000).rows()
    }

    struct Input: Sendable {
        var title: String?
        var kind: String?
        var signedOn: String?
        var startsOn: String?
        var endsOn: String?
        var terms: String?
        var settlementCustomerID: String?
        var parentID: String?
        /// A contract without a quote: its customer (on creation) and its lines (nil keeps a draft's lines).
        var customerID: String?
        var lines: [QuoteService.LineInput]?
        /// Custom field values, read through the contract's declaration.
        var custom = EntityInput()
    }

    private struct Valid {
        var title: String?
        var kind: Contract.Kind?
        var signedOn: String??
        var startsOn: String??
        var endsOn: String??
        var terms: String??
        var settlement: UUID??
        var parent: UUID??
        var custom = EntityInput()
    }

    /// Checks what was given; nil fields stay as they are.
    private func validate(_ i: Input, current: Contract?, customerID: UUID, into errors: inout FieldErrors) async throws -> Valid {
        var v = Valid()
        if let t = i.title { v.title = Check.required(t, "title", max: 100, into: &errors) }
        if let k = i.kind {
            if let kind = Contract.Kind(rawValue: k) { v.kind = kind } else { errors.add("kind", "error.invalidOption") }
        }
        func date(_ raw: String?, _ key: String) -> String?? {
            guard let raw else { return nil }
            guard let d = Check.clean(raw) else { return .some(nil) }
            if !CalendarDate.isValid(d) { errors.add(key, "error.date") }
            return .some(d)
        }
        v.signedOn = date(i.signedOn, "signedOn")
        v.startsOn = date(i.startsOn, "startsOn")
        v.endsOn = date(i.endsOn, "endsOn")
        let start = (v.startsOn ?? current?.startsOn) ?? nil, end = (v.endsOn ?? current?.endsOn) ?? nil
        if let s = start, let e = end, errors["startsOn"] == nil, errors["endsOn"] == nil, e < s { errors.add("endsOn", "error.endBeforeStart") }
        if let t = i.terms { v.terms = .some(Check.optional(t, "terms", max: 4000, into: &errors)) }
        if let raw = i.settlementCustomerID {
            v.settlement = .some(try await actor.visibleCustomer(raw, field: "settlementCustomerID", into: &errors, on: db))
        }
        if let raw = i.parentID {
            v.parent = .some(try await framework(raw, for: current, customerID: customerID, into: &errors))
        }
        let def = actor.definition(Contract.definition)
        v.custom = i.custom
        try await def.validateReferences(&v.custom, actor: actor, on: db)
        def.requireCustom(&v.custom, record: current, actor: actor)
        for (key, message) in v.custom.errors.messages { errors.add(key, message) }
        return v
    }

    /// A framework contract the contract may call off: one the actor sees, of the same customer, not
    /// itself a call-off (one level, so no cycles), not void.
    private func framework(_ raw: String, for current: Contract?, customerID: UUID, into errors: inout FieldErrors) async throws -> UUID? {
        guard let raw = Check.clean(raw) else { return nil }
        guard let id = UUID(uuidString: raw), id != current?.id,
              let p = try await actor.query(Contract.self, .view, on: db).filter(\.$id == id).firstRow(),
              p.customerID == customerID, p.parentID == nil, p.status != .void else {
            errors.add("parentID", "error.invalidOption")
            return nil
        }
        if let current, try await actor.inOrg(Contract.self, on: db).filter(\.$parentID == current.id!).exists() {
            errors.add("parentID", "error.contractHasCallOffs")
        }
        return id
    }

    private func apply(_ v: Valid, to c: Contract) {
        if let t = v.title { c.title = t }
        if let k = v.kind { c.kind = k }
        if let d = v.signedOn { c.signedOn = d }
        if let d = v.startsOn { c.startsOn = d }
        if let d = v.endsOn { c.endsOn = d }
        if let t = v.terms { c.terms = t }
        if let s = v.settlement { c.settlementCustomerID = s }
        if let p = v.parent { c.parentID = p }
        actor.definition(Contract.definition).apply(v.custom, to: c)
    }

    /// What the products cost per unit today (deleted products keep theirs).
    private func unitCosts(_ productIDs: [UUID]) async throws -> [UUID: Int64] {
        Dictionary(uniqueKeysWithValues: try await actor.inOrgWithDeleted(Product.self, on: db)
            .filter(\.$id ~~ Array(Set(productIDs))).rows().map { ($0.id!, $0.costPrice ?? 0) })
    }

    /// Checked line rows as contract lines with today's cost prices, and the totals they make.
    private func contractLines(_ rows: [QuoteService.LineInput], customerID: UUID?, contractID: UUID, apiUnits: Bool,
                               into errors: inout FieldErrors) async throws -> [ContractLine] {
        try actor.require(.view, .products)
        let checked = try await QuoteService(db: db, actor: actor, now: now).checkLines(rows, customerID: customerID, apiUnits: apiUnits, into: &errors)
        guard errors.isEmpty else { return [] }
        for (n, l) in checked.enumerated() { l.position = n + 1 }
        let costs = try await unitCosts(checked.map(\.productID))
        return checked.map { ContractLine(orgID: actor.orgID, contractID: contractID, as: $0, unitCost: costs[$0.productID] ?? 0, at: now) }
    }

    private static func total(_ c: Contract, _ lines: [ContractLine]) {
        c.subtotal = lines.reduce(0) { $0 + $1.net }
        c.tax = lines.reduce(0) { $0 + $1.tax }
        c.total = c.subtotal + c.tax
        c.cost = lines.reduce(0) { $0 + $1.cost }
    }

    /// A draft contract with lines of its own, for a customer the actor sees: prices from the price
    /// strategy where none is given, the floor policy as for quotes, the products' cost prices of today.
    /// The maker owns it.
    func create(_ input: Input, apiUnits: Bool) async throws -> Contract {
        try actor.require(.create, .contracts)
        var errors = FieldErrors()
        var customer: Customer?
        if let raw = Check.clean(input.customerID) {
            if let id = UUID(uuidString: raw), actor.can(.view, .customers) {
                customer = try await actor.query(Customer.self, .view, on: db).filter(\.$id == id).firstRow()
            }
            if customer == nil { errors.add("customerID", "error.invalidOption") }
        } else {
            errors.add("customerID", "error.required")
        }
        var i = input
        if i.title == nil { i.title = "" }
        if i.kind == nil { i.kind = Contract.Kind.contract.rawValue }
        let v = try await validate(i, current: nil, customerID: customer?.id ?? UUID.zero, into: &errors)
        let c = Contract(draftOf: customer?.id ?? UUID.zero, ownerID: actor.userID, departmentID: actor.departmentID, orgID: actor.orgID,
                         createdBy: actor.userID, at: now)
        let lines = try await contractLines(input.lines ?? [], customerID: customer?.id, contractID: c.id!, apiUnits: apiUnits, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        apply(v, to: c)
        Self.total(c, lines)
        try await insert(c, lines: lines)
        return c
    }

    /// A draft contract from an accepted quote: its lines, prices and totals as agreed, the products'
    /// cost prices of today. A quote becomes one contract.
    func createFromQuote(_ quoteID: UUID?, _ input: Input) async throws -> Contract {
        try actor.require(.create, .contracts)
        let quote = try await actor.find(Quote.self, quoteID, for: .view, on: db)
        guard quote.status == .accepted else { throw AppError.conflict("error.quoteNotAccepted") }
        if input.lines != nil { throw AppError.invalid({ var e = FieldErrors(); e.add("lines", "error.contractLinesFromQuote"); return e }()) }
        if try await actor.inOrg(Contract.self, on: db).filter(\.$quoteID == quote.id!).exists() { throw AppError.conflict("error.quoteHasContract") }
        var errors = FieldErrors()
        var i = input
        if Check.clean(i.title) == nil { i.title = quote.title }
        if i.kind == nil { i.kind = Contract.Kind.contract.rawValue }
        let v = try await validate(i, current: nil, customerID: quote.customerID, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let quoteLines = try await actor.inOrg(QuoteLine.self, on: db).filter(\.$quoteID == quote.id!).sort(\.$position).rows()
        let costs = try await unitCosts(quoteLines.map(\.productID))
        let c = Contract(draftOf: quote.customerID, ownerID: quote.ownerID, departmentID: quote.departmentID, orgID: actor.orgID,
                         createdBy: actor.userID, at: now)
        c.opportunityID = quote.opportunityID
        c.quoteID = quote.id
        c.subtotal = quote.subtotal
        c.tax = quote.tax
        c.total = quote.total
        c.terms = quote.terms
        apply(v, to: c)
        let lines = quoteLines.map { ContractLine(orgID: actor.orgID, contractID: c.id!, as: $0, unitCost: costs[$0.productID] ?? 0, at: now) }
        c.cost = lines.reduce(0) { $0 + $1.cost }
        try await insert(c, lines: lines)
        return c
    }

    /// Numbers and saves a new draft with its lines; under the "block" credit policy a draft that would
    /// already take the payer over the limit is refused.
    private func insert(_ c: Contract, lines: [ContractLine]) async throws {
        let policy = try await Organization.find(actor.orgID, on: db)?.financePolicy ?? FinancePolicy()
        if policy.credit == .block, try await Self.overCredit(c, policy: policy, lock: false, actor: actor, on: db) { throw AppError.conflict("error.creditLimit") }
        try await db.writeTransaction { [actor, now] tx in
            c.number = try await Numbering.next(.contract, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await c.create(on: tx)
            try await lines.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Contract.entity, c.id!, Self.values(c))
        }
    }

    /// A new draft like the contract (CTR-03): its lines as agreed, terms, plan and framework, without
    /// the quote, numbered afresh; the copy belongs to whoever makes it.
    func copy(_ id: UUID?) async throws -> Contract {
        try actor.require(.create, .contracts)
        let from = try await get(id)
        let fromLines = try await lines(from.id!)
        let c = Contract(draftOf: from.customerID, ownerID: actor.userID, departmentID: actor.departmentID, orgID: actor.orgID,
                         createdBy: actor.userID, at: now)
        c.kind = from.kind
        c.title = String((from.title + actor.t("contract.copySuffix")).prefix(100))
        c.settlementCustomerID = from.settlementCustomerID
        c.opportunityID = from.opportunityID
        c.parentID = from.parentID
        c.startsOn = from.startsOn
        c.endsOn = from.endsOn
        c.terms = from.terms
        c.planJSON = from.planJSON
        c.subtotal = from.subtotal
        c.tax = from.tax
        c.total = from.total
        c.cost = from.cost
        let lines = fromLines.map { ContractLine(orgID: actor.orgID, contractID: c.id!, as: $0, unitCost: $0.unitCost, at: now) }
        try await db.writeTransaction { [actor, now] tx in
            c.number = try await Numbering.next(.contract, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await c.create(on: tx)
            try await lines.create(on: tx)
            let audit = Audit(actor: actor, db: tx, now: now)
            try await audit.created(Contract.entity, c.id!, Self.values(c))
            try await audit.event(Contract.entity, c.id!, .update, field: "copiedFrom", new: from.number)
        }
        return c
    }

    /// Changes a draft's terms, dates and custom fields, and the lines of one made without a quote
    /// (a quote's lines stay as agreed). New lines that change the total drop a plan that no longer adds up.
    func update(_ id: UUID?, _ input: Input, apiUnits: Bool) async throws -> Contract {
        let c = try await get(id, for: .edit)
        guard c.status == .draft else { throw AppError.conflict("error.contractNotDraft") }
        var errors = FieldErrors()
        let v = try await validate(input, current: c, customerID: c.customerID, into: &errors)
        var lines: [ContractLine]?
        if let rows = input.lines {
            if c.quoteID != nil {
                errors.add("lines", "error.contractLinesFromQuote")
            } else {
                lines = try await contractLines(rows, customerID: c.customerID, contractID: c.id!, apiUnits: apiUnits, into: &errors)
            }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = Self.values(c)
        let oldLines = lines == nil ? [] : try await self.lines(c.id!)
        apply(v, to: c)
        if let lines {
            Self.total(c, lines)
            if let plan = c.plan, Receivables.check(plan, total: c.total) != nil { c.planJSON = nil }
        }
        let after = Self.values(c)
        let linesChanged = lines.map { Self.describe($0) != Self.describe(oldLines) } ?? false
        guard before != after || linesChanged else { return c }
        try await db.writeTransaction { [actor, now, oldLines, lines] tx in
            try await c.save(on: tx)
            if let lines, linesChanged {
                try await actor.inOrg(ContractLine.self, on: tx).filter(\.$contractID == c.id!).delete()
                try await lines.create(on: tx)
            }
            let audit = Audit(actor: actor, db: tx, now: now)
            try await audit.updated(Contract.entity, c.id!, before: before, after: after)
            if linesChanged { try await audit.event(Contract.entity, c.id!, .update, field: "lines", old: Self.describe(oldLines), new: Self.describe(lines ?? [])) }
        }
        return c
    }

    /// Lines as the history shows them.
    static func describe(_ lines: [ContractLine]) -> String {
        lines.map { "\($0.productName) × \($0.quantity) @ \($0.price) −\($0.discount)bp +\($0.taxRate)bp" }.joined(separator: "; ")
    }

    /// Sends a draft through the contract approval flow; a flow with no step for its amount makes it active at once.
    func submit(_ id: UUID?) async throws -> Contract {
        let c = try await get(id, for: .edit)
        guard c.status == .draft else { throw AppError.conflict("error.contractNotDraft") }
        let customer = try await actor.inOrg(Customer.self, on: db).filter(\.$id == c.customerID).firstRow()?.name ?? ""
        let policy = try await Organization.find(actor.orgID, on: db)?.financePolicy ?? FinancePolicy()
        try await db.writeTransaction { [actor, now] tx in
            let over = try await Self.overCredit(c, policy: policy, lock: true, actor: actor, on: tx)
            if over, policy.credit == .block { throw AppError.conflict("error.creditLimit") }
            let title = "\(c.number) · \(customer)" + (over ? " · \(actor.t("contract.overCredit"))" : "")
            let r = try await ApprovalService(db: tx, actor: actor, now: now)
                .submit(.contract, recordID: c.id!, title: title, amount: c.total, link: Paths.contract(c.id!), mustApprove: over)
            try await Self.settle(c, r.approvalStatus, actor: actor, now: now, on: tx)
        }
        return c
    }

    /// What the settlement customer owes and has committed: unpaid instalments, plus contracts waiting
    /// for approval (they will owe their total once active).
    static func openBalance(payer: UUID, excluding: UUID?, actor: Actor, on db: Database) async throws -> Int64 {
        guard let sql = db as? any SQLDatabase else { return 0 }
        struct Row: Decodable { let n: Int64? }
        let owed = try await sql.raw("""
            SELECT CAST(SUM(amount - received) AS BIGINT) AS n FROM receivables
            WHERE org_id = \(bind: actor.orgID) AND customer_id = \(bind: payer) AND is_void = false AND received < amount
            """).first(decoding: Row.self)?.n ?? 0
        let pending = try await sql.raw("""
            SELECT CAST(SUM(total) AS BIGINT) AS n FROM contracts
            WHERE org_id = \(bind: actor.orgID) AND status = 'pendingApproval' AND deleted_at IS NULL AND id <> \(bind: excluding ?? UUID())
              AND id IN (SELECT id FROM contracts WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL AND settlement_customer_id = \(bind: payer)
                         UNION SELECT id FROM contracts WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL AND customer_id = \(bind: payer) AND settlement_customer_id IS NULL)
            """).first(decoding: Row.self)?.n ?? 0
        return owed + pending
    }

    /// Whether the contract would take its settlement customer over the credit limit (CUS-11, CTR-05).
    /// With `lock`, the customer's row is locked first (PostgreSQL; SQLite has one writer at a time), so
    /// two contracts for the same payer submitted at once are checked one after the other.
    static func overCredit(_ c: Contract, policy: FinancePolicy, lock: Bool, actor: Actor, on db: Database) async throws -> Bool {
        guard policy.credit != .off else { return false }
        let payer = c.settlementCustomerID ?? c.customerID
        if lock, !db.isSQLite, let sql = db as? any SQLDatabase {
            try await sql.raw("SELECT id FROM customers WHERE id = \(bind: payer) FOR UPDATE").run()
        }
        guard let limit = try await actor.inOrg(Customer.self, on: db).filter(\.$id == payer).firstRow()?.creditLimit, limit > 0 else { return false }
        let open = try await openBalance(payer: payer, excluding: c.id, actor: actor, on: db)
        return !Collections.withinCredit(limit: limit, open: open, adding: c.total)
    }

    /// Where the approval leaves the contract: pending, active once approved, back to draft otherwise.
    static func settle(_ c: Contract, _ status: ApprovalStatus, actor: Actor, now: Date, on db: Database) async throws {
        let next: Contract.Status = switch status {
        case .pending: .pendingApproval
        case .approved: .active
        case .rejected, .withdrawn: .draft
        }
        guard next != c.status else { return }
        let before = c.status
        c.status = next
        if next == .active, c.signedOn == nil { c.signedOn = CalendarDate.of(now, in: actor.org.timeZone) }
        try await c.save(on: db)
        try await Audit(actor: actor, db: db, now: now).event(Contract.entity, c.id!, .update, field: "status", old: before.rawValue, new: next.rawValue)
        if next == .active {
            try await makeReceivables(c, actor: actor, now: now, on: db)
            try await MoneyTally.activated(c, on: db)
            try await InvoiceBalance.contract(c.id!, sign: 1, on: db)
        }
    }

    /// The receivables of a contract that has just become active, in its activation's transaction: the
    /// agreed plan, or one instalment of the whole total due 30 days after signing.
    static func makeReceivables(_ c: Contract, actor: Actor, now: Date, on db: Database) async throws {
        let signed = c.signedOn ?? CalendarDate.of(now, in: actor.org.timeZone)
        let plan = c.plan ?? [Receivables.Instalment(dueOn: CalendarDate.adding(30, to: signed) ?? signed, amount: c.total)]
        var batch = RowBatch(table: Receivable.schema, columns: ["id", "org_id", "contract_id", "customer_id", "position", "due_on", "amount", "received",
                                                                 "is_void", "owner_id", "department_id", "created_at"])
        for (i, p) in plan.enumerated() where p.amount > 0 {
            batch.add([UUID.v7(at: now), actor.orgID, c.id!, c.settlementCustomerID ?? c.customerID, i + 1, p.dueOn, p.amount, Int64(0), false,
                       c.ownerID, c.departmentID, now])
        }
        try await batch.insert(on: db)
        try await ReceivableTally.add("contract_id = \(bind: c.id!)", orgID: actor.orgID, on: db)
        try await Audit(actor: actor, db: db, now: now).event(Contract.entity, c.id!, .update, field: "receivables", new: "\(plan.count) · \(c.total)")
    }

    /// Sets a draft's receivable plan: instalments with due dates adding up to the total.
    func setPlan(_ id: UUID?, _ plan: [Receivables.Instalment]) async throws -> Contract {
        let c = try await get(id, for: .edit)
        guard c.status == .draft else { throw AppError.conflict("error.contractNotDraft") }
        var errors = FieldErrors()
        switch Receivables.check(plan, total: c.total) {
        case nil: break
        case .empty?: errors.add("plan", "error.required")
        case .tooMany?: errors.add("plan", "error.tooMany")
        case .badDate(let i)?: errors.add("plan.\(i + 1).dueOn", "error.date")
        case .badAmount(let i)?: errors.add("plan.\(i + 1).amount", "error.money")
        case .sumMismatch?: errors.add("plan", "error.planSum")
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = c.planJSON ?? ""
        c.planJSON = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        try await db.writeTransaction { [actor, now] tx in
            try await c.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Contract.entity, c.id!, .update, field: "plan", old: before, new: c.planJSON)
        }
        return c
    }

    func receivables(_ contractID: UUID) async throws -> [Receivable] {
        try await actor.inOrg(Receivable.self, on: db).filter(\.$contractID == contractID).sort(\.$position).limit(500).rows()
    }

    /// Complete or terminate an active contract, or void a draft.
    func setStatus(_ id: UUID?, _ raw: String?) async throws -> Contract {
        let c = try await get(id, for: .edit)
        guard let next = Check.clean(raw).flatMap(Contract.Status.init(rawValue:)), c.status.canMove(to: next) else {
            var e = FieldErrors()
            e.add("status", "error.contractStatusMove")
            throw AppError.invalid(e)
        }
        let before = c.status
        c.status = next
        try await db.writeTransaction { [actor, now] tx in
            try await c.save(on: tx)
            // A terminated contract leaves what it had still to invoice (a completed one keeps it).
            if next == .terminated { try await InvoiceBalance.contract(c.id!, sign: -1, on: tx) }
            try await Audit(actor: actor, db: tx, now: now).event(Contract.entity, c.id!, .update, field: "status", old: before.rawValue, new: next.rawValue)
        }
        return c
    }

    static func values(_ c: Contract) -> FieldValues {
        ["number": c.number, "kind": c.kind.rawValue, "title": c.title, "status": c.status.rawValue, "signedOn": c.signedOn ?? "",
         "startsOn": c.startsOn ?? "", "endsOn": c.endsOn ?? "", "terms": c.terms ?? "", "total": String(c.total), "cost": String(c.cost),
         "settlementCustomer": c.settlementCustomerID?.uuidString ?? "", "owner": c.ownerID.uuidString, "parent": c.parentID?.uuidString ?? "",
         "plan": c.planJSON ?? ""].merging(c.customValues) { a, _ in a }
    }
}

/// What a finished approval does to its document, in the approval's own transaction.
enum ApprovalHooks {
    static func settled(_ r: ApprovalRequest, _ status: ApprovalStatus, actor: Actor, now: Date, on db: Database) async throws {
        switch ApprovalDocument(rawValue: r.documentType) {
        case .contract?:
            guard let c = try await actor.inOrg(Contract.self, on: db).filter(\.$id == r.recordID).firstRow() else { return }
            try await ContractService.settle(c, status, actor: actor, now: now, on: db)
        case .refund?:
            guard let f = try await actor.inOrg(Refund.self, on: db).filter(\.$id == r.recordID).firstRow() else { return }
            try await RefundService.settle(f, status, actor: actor, now: now, on: db)
        case .invoice?:
            guard let inv = try await actor.inOrg(Invoice.self, on: db).filter(\.$id == r.recordID).firstRow() else { return }
            try await InvoiceService.settle(inv, status, actor: actor, now: now, on: db)
        case .quote?, nil:
            break
        }
    }
}
