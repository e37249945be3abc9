import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Quotes: drafting them with their lines in one transaction, the floor-price policy, versions,
/// sending and the customer's answer, the history per product and customer, and the print template.
struct QuoteService {
    let db: Database
    let actor: Actor
    let now: Date

    struct LineInput: Sendable {
        var productID: String?
        var quantity: String?
        var unit: String?
        /// Per unit: as typed (yuan) from a form, fen from the API; empty takes the price strategy's.
        var price: String?
        /// Percent as typed from a form ("5", "12.5"); basis points from the API.
        var discount: String?
        var taxRate: String?
    }

    struct Input: Sendable {
        var customerID: String?
        var opportunityID: String?
        var title: String?
        var quotedOn: String?
        var validUntil: String?
        var terms: String?
        var ownerID: String?
        var lines: [LineInput] = []
    }

    /// Checked input, ready to save.
    private struct Draft {
        var customer: Customer
        var opportunityID: UUID?
        var title: String
        var quotedOn: String
        var validUntil: String?
        var terms: String?
        var owner: User
        var lines: [QuoteLine]
    }

    // MARK: reading

    func get(_ id: UUID?, for action: Action = .view) async throws -> Quote {
        try await actor.find(Quote.self, id, for: action, on: db)
    }

    func lines(_ id: UUID) async throws -> [QuoteLine] {
        try await actor.inOrg(QuoteLine.self, on: db).filter(\.$quoteID == id).sort(\.$position).rows()
    }

    /// Every version of a quote's number the actor may see, newest first.
    func versions(of q: Quote) async throws -> [Quote] {
        try await actor.query(Quote.self, .view, on: db).filter(\.$number == q.number).sort(\.$version, .descending).limit(50).rows()
    }

    struct ListQuery: Sendable {
        var view: OpportunityService.View = .mine
        var status: Quote.Status?
        var customerID: UUID?
        var opportunityID: UUID?
        var q: String?
        var cursor: UUID?
        var limit = 50
    }

    /// Current versions, newest first.
    func list(_ query: ListQuery) async throws -> (items: [Quote], next: UUID?) {
        let q = try actor.query(Quote.self, .view, on: db).filter(\.$isCurrent == true)
        if query.customerID == nil, query.opportunityID == nil {
            switch query.view {
            case .mine: q.filter(\.$ownerID == actor.userID)
            case .team: actor.narrowToTeam(q)
            case .all: break
            }
        }
        if let s = query.status { q.filter(\.$status == s) }
        if let c = query.customerID { q.filter(\.$customerID == c) }
        if let o = query.opportunityID { q.filter(\.$opportunityID == o) }
        if let text = Check.clean(query.q) {
            let like = "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            q.group(.or) { $0.filter(\.$number, .custom("LIKE"), like.uppercased()).filter(\.$title, .custom("LIKE"), like) }
        }
        if let c = query.cursor { q.filter(\.$id < c) }
        let limit = max(1, min(query.limit, 200))
        let rows = try await q.sort(\.$id, .descending).limit(limit + 1).rows()
        let items = Array(rows.prefix(limit))
        return (items, rows.count > limit ? items.last?.id : nil)
    }

    struct HistoryRow: Sendable {
        let line: QuoteLine
        let quote: Quote
    }

    /// What was quoted (报价明细, QUO-02): lines of current quotes for a product or a customer, newest first.
    func history(productID: UUID? = nil, customerID: UUID? = nil, limit: Int = 50) async throws -> [HistoryRow] {
        let q = try actor.query(Quote.self, .view, on: db).filter(\.$isCurrent == true)
        if let customerID { q.filter(\.$customerID == customerID) }
        if let productID {
            q.filter(.sql(embed: "quotes.id IN (SELECT quote_id FROM quote_lines WHERE org_id = \(bind: actor.orgID) AND product_id = \(bind: productID))"))
        }
        let quotes = try await q.sort(\.$id, .descending).limit(limit).rows()
        guard !quotes.isEmpty else { return [] }
        let lq = actor.inOrg(QuoteLine.self, on: db).filter(\.$quoteID ~~ quotes.map { $0.id! })
        if let productID { lq.filter(\.$productID == productID) }
        let byQuote = Dictionary(uniqueKeysWithValues: quotes.map { ($0.id!, $0) })
        return try await lq.sort(\.$position).rows().compactMap { l in byQuote[l.quoteID].map { HistoryRow(line: l, quote: $0) } }
            .sorted { $0.quote.id!.uuidString > $1.quote.id!.uuidString }
    }

    // MARK: writing

    /// The new quote and its lines as saved.
    func create(_ input: Input, apiUnits: Bool) async throws -> (quote: Quote, lines: [QuoteLine]) {
        try actor.require(.create, .quotes)
        let d = try await checked(input, apiUnits: apiUnits, record: nil)
        let quote = Quote(orgID: actor.orgID, customerID: d.customer.id!, owner: d.owner, createdBy: actor.userID, now: now)
        apply(d, to: quote)
        try await db.writeTransaction { [actor, now] tx in
            quote.number = try await Numbering.next(.quote, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await quote.create(on: tx)
            try await Self.insert(d.lines, into: quote, on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Quote.entity, quote.id!, Self.values(quote, d.lines))
        }
        return (quote, d.lines)
    }

    /// Changes a draft; its lines are replaced by those given.
    func update(_ id: UUID?, _ input: Input, apiUnits: Bool) async throws -> Quote {
        let quote = try await get(id, for: .edit)
        guard quote.status == .draft, quote.isCurrent else { throw AppError.conflict("error.quoteNotDraft") }
        let old = try await lines(quote.id!)
        let d = try await checked(input, apiUnits: apiUnits, record: quote)
        let before = Self.values(quote, old)
        apply(d, to: quote)
        try await db.writeTransaction { [actor, now] tx in
            try await quote.save(on: tx)
            try await actor.inOrg(QuoteLine.self, on: tx).filter(\.$quoteID == quote.id!).delete()
            try await Self.insert(d.lines, into: quote, on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Quote.entity, quote.id!, before: before, after: Self.values(quote, d.lines))
        }
        return quote
    }

    func setStatus(_ id: UUID?, _ raw: String?) async throws -> Quote {
        let quote = try await get(id, for: .edit)
        var errors = FieldErrors()
        guard let next = Check.clean(raw).flatMap(Quote.Status.init(rawValue:)), quote.isCurrent, quote.status.canMove(to: next) else {
            errors.add("status", "error.quoteStatusMove")
            throw AppError.invalid(errors)
        }
        if next == .sent, try await needsApproval(quote), try await !ApprovalService(db: db, actor: actor, now: now).isApproved(.quote, recordID: quote.id!) {
            throw AppError.conflict("error.needsApproval")
        }
        let before = quote.status
        quote.status = next
        try await db.writeTransaction { [actor, now] tx in
            try await quote.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Quote.entity, quote.id!, .update, field: "status", old: before.rawValue, new: next.rawValue)
        }
        return quote
    }

    /// A quote below the floor, where the organisation's policy wants such prices approved.
    func needsApproval(_ quote: Quote) async throws -> Bool {
        guard quote.belowFloor else { return false }
        return try await ProductService(db: db, actor: actor, now: now).policy().floor == .approve
    }

    /// Sends a draft below the floor through the quote approval flow; sending waits for its approval.
    func submitForApproval(_ id: UUID?) async throws -> ApprovalRequest {
        let quote = try await get(id, for: .edit)
        guard quote.isCurrent, quote.status == .draft, try await needsApproval(quote) else { throw AppError.conflict("error.noApprovalNeeded") }
        let customer = try await actor.inOrg(Customer.self, on: db).filter(\.$id == quote.customerID).firstRow()?.name ?? ""
        return try await ApprovalService(db: db, actor: actor, now: now)
            .submit(.quote, recordID: quote.id!, title: "\(quote.number) v\(quote.version) · \(customer)", amount: quote.total, link: Paths.quote(quote.id!))
    }

    /// A new draft version under the same number, copied from the current one; the old one stays as it was.
    func newVersion(_ id: UUID?) async throws -> Quote {
        let old = try await get(id, for: .edit)
        try actor.require(.create, .quotes)
        guard old.isCurrent else { throw AppError.conflict("error.quoteNotCurrent") }
        let copy = Quote(orgID: actor.orgID, customerID: old.customerID, owner: try await ownerOf(old), createdBy: actor.userID, now: now)
        copy.number = old.number
        copy.version = old.version + 1
        copy.title = old.title
        copy.quotedOn = CalendarDate.of(now, in: actor.org.timeZone)
        copy.validUntil = old.validUntil
        copy.terms = old.terms
        copy.opportunityID = old.opportunityID
        copy.subtotal = old.subtotal
        copy.tax = old.tax
        copy.total = old.total
        copy.belowFloor = old.belowFloor
        let lines = try await lines(old.id!)
        try await db.writeTransaction { [actor, now] tx in
            // Only one current version per number, even when two people ask at once.
            try await actor.inOrg(Quote.self, on: tx).filter(\.$id == old.id!).filter(\.$isCurrent == true).set(\.$isCurrent, to: false).update()
            guard try await actor.inOrg(Quote.self, on: tx).filter(\.$id == old.id!).firstRow()?.isCurrent == false,
                  try await !actor.inOrgWithDeleted(Quote.self, on: tx).filter(\.$number == old.number).filter(\.$version == copy.version).exists()
            else { throw AppError.conflict("error.quoteNotCurrent") }
            try await copy.create(on: tx)
            try await Self.insert(lines, into: copy, on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Quote.entity, copy.id!, Self.values(copy, lines))
        }
        return copy
    }

    func delete(_ id: UUID?) async throws {
        let quote = try await get(id, for: .delete)
        try await db.writeTransaction { [actor, now] tx in
            quote.deletedBy = actor.userID
            try await quote.save(on: tx)
            try await quote.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Quote.entity, quote.id!, .delete, old: "\(quote.number) v\(quote.version)")
        }
    }

    private func ownerOf(_ q: Quote) async throws -> User {
        if let u = try await actor.inOrg(User.self, on: db).filter(\.$id == q.ownerID).firstRow() { return u }
        throw AppError.notFound
    }

    private func apply(_ d: Draft, to quote: Quote) {
        quote.customerID = d.customer.id!
        quote.opportunityID = d.opportunityID
        quote.title = d.title
        quote.quotedOn = d.quotedOn
        quote.validUntil = d.validUntil
        quote.terms = d.terms
        quote.ownerID = d.owner.id!
        quote.departmentID = d.owner.departmentID
        quote.subtotal = d.lines.reduce(0) { $0 + $1.net }
        quote.tax = d.lines.reduce(0) { $0 + $1.tax }
        quote.total = quote.subtotal + quote.tax
        quote.belowFloor = d.lines.contains { $0.belowFloor }
    }

    /// Lines go in with multi-row INSERTs: a 200-line quote is a handful of statements.
    private static func insert(_ lines: [QuoteLine], into quote: Quote, on db: Database) async throws {
        var batch = RowBatch(table: QuoteLine.schema, columns: ["id", "org_id", "quote_id", "position", "product_id", "product_name", "quantity", "unit",
                                                                "price", "discount", "tax_rate", "net", "tax", "below_floor"])
        for (i, l) in lines.enumerated() {
            l.id = UUID.v7()
            l.quoteID = quote.id!
            l.position = i + 1
            batch.add([l.id!, quote.orgID, quote.id!, i + 1, l.productID, l.productName, l.quantity, l.unit, l.price, l.discount, l.taxRate,
                       l.net, l.tax, l.belowFloor])
        }
        try await batch.insert(on: db)
    }

    static func values(_ q: Quote, _ lines: [QuoteLine]) -> FieldValues {
        ["number": q.number, "version": String(q.version), "title": q.title, "customer": q.customerID.uuidString,
         "opportunity": q.opportunityID?.uuidString ?? "", "quotedOn": q.quotedOn, "validUntil": q.validUntil ?? "", "terms": q.terms ?? "",
         "owner": q.ownerID.uuidString, "status": q.status.rawValue, "total": String(q.total), "belowFloor": String(q.belowFloor),
         "lines": lines.map { "\($0.productName) × \($0.quantity) @ \($0.price) −\($0.discount)bp" }.joined(separator: "; ")]
    }

    /// Field errors name lines `lines.<n>.<field>`, counting from 1 among the lines that name a product.
    private func checked(_ input: Input, apiUnits: Bool, record: Quote?) async throws -> Draft {
        // Quoting means picking products: without the right to look them up there is nothing to quote.
        try actor.require(.view, .products)
        var errors = FieldErrors()
        let title = Check.required(input.title, "title", max: 100, into: &errors)
        let terms = Check.optional(input.terms, "terms", max: 4000, into: &errors)
        let quotedOn = Check.clean(input.quotedOn) ?? CalendarDate.of(now, in: actor.org.timeZone)
        if !CalendarDate.isValid(quotedOn) { errors.add("quotedOn", "error.date") }
        let validUntil = Check.clean(input.validUntil)
        if let v = validUntil, !CalendarDate.isValid(v) { errors.add("validUntil", "error.date") }
        if let v = validUntil, CalendarDate.isValid(v), CalendarDate.isValid(quotedOn), v < quotedOn { errors.add("validUntil", "error.validBeforeQuoted") }
        var customer: Customer?
        if let raw = Check.clean(input.customerID) {
            if let id = UUID(uuidString: raw), actor.can(.view, .customers) {
                customer = try await actor.query(Customer.self, .view, on: db).filter(\.$id == id).firstRow()
            }
            if customer == nil { errors.add("customerID", "error.invalidOption") }
        } else if let record {
            customer = try await actor.inOrg(Customer.self, on: db).filter(\.$id == record.customerID).firstRow()
        } else {
            errors.add("customerID", "error.required")
        }
        var opportunityID: UUID? = record?.opportunityID
        if let raw = input.opportunityID {
            if let text = Check.clean(raw) {
                let found = try await UUID(uuidString: text).asyncMap { id in
                    actor.can(.view, .opportunities) ? try await actor.query(Opportunity.self, .view, on: db).filter(\.$id == id).firstRow() : nil
                }
                if let found, found.customerID == customer?.id { opportunityID = found.id } else { errors.add("opportunityID", "error.invalidOption") }
            } else {
                opportunityID = nil
            }
        }
        let ownerRaw = Check.clean(input.ownerID)
        let owner: User? = ownerRaw == nil && record != nil
            ? try await ownerOf(record!)
            : try await actor.assignee(ownerRaw.flatMap(UUID.init(uuidString:)) ?? (ownerRaw == nil ? nil : UUID.zero), module: .quotes, on: db)
        if owner == nil { errors.add("ownerID", "error.assignNotAllowed") }

        let lines = try await checkLines(input.lines, customerID: customer?.id, apiUnits: apiUnits, into: &errors)
        guard errors.isEmpty, let customer, let owner else { throw AppError.invalid(errors) }
        return Draft(customer: customer, opportunityID: opportunityID, title: title, quotedOn: quotedOn, validUntil: validUntil, terms: terms,
                     owner: owner, lines: lines)
    }

    /// Checks line rows as typed (form) or sent (API) against the catalogue, the price strategy and
    /// the floor policy. Blank rows (no product) are ignored; at least one line. Field errors name
    /// lines `lines.<n>.<field>`, counting from 1 among the lines that name a product. Contracts
    /// made without a quote check their lines here too.
    func checkLines(_ rows: [LineInput], customerID: UUID?, apiUnits: Bool, into errors: inout FieldErrors) async throws -> [QuoteLine] {
        let given = rows.filter { Check.clean($0.productID) != nil }
        if given.isEmpty { errors.add("lines", "error.quoteNoLines") }
        if given.count > 500 { errors.add("lines", "error.tooManyLines") }
        let ids = Set(given.compactMap { Check.clean($0.productID).flatMap(UUID.init(uuidString:)) })
        let products = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Product.self, on: db).filter(\.$id ~~ Array(ids)).rows().map { ($0.id!, $0) })
        let policy = try await ProductService(db: db, actor: actor, now: now).policy()
        let pricing = ProductService(db: db, actor: actor, now: now)
        var lines: [QuoteLine] = []
        for (i, l) in given.prefix(500).enumerated() {
            let key = "lines.\(i + 1)"
            guard let pid = Check.clean(l.productID).flatMap(UUID.init(uuidString:)), let product = products[pid] else {
                errors.add("\(key).productID", "error.invalidOption")
                continue
            }
            let qtyText = Check.clean(l.quantity) ?? "1"
            guard let qty = Int64(qtyText), (1...10_000_000).contains(qty) else { errors.add("\(key).quantity", "error.quantity"); continue }
            let unit = Check.clean(l.unit) ?? product.unit
            if let u = unit, u.count > 10 { errors.add("\(key).unit", "error.tooLong"); continue }
            var price: Int64?
            if let raw = Check.clean(l.price) {
                price = apiUnits ? Int64(raw) : Money.parse(raw, decimals: actor.org.moneyDecimals)
                if price.map({ $0 < 0 || $0 > 900_000_000_000 }) ?? true { errors.add("\(key).price", "error.money"); continue }
            } else {
                price = try await pricing.price(pid, customerID: customerID, unit: unit)?.price
                if price == nil { errors.add("\(key).price", "error.noPrice"); continue }
            }
            func rate(_ raw: String?, _ field: String) -> Int? {
                guard let text = Check.clean(raw) else { return 0 }
                let bp = apiUnits ? Int(text) : QuoteMath.basisPoints(text)
                guard let bp, (0...10_000).contains(bp) else { errors.add("\(key).\(field)", "error.percent"); return nil }
                return bp
            }
            guard let discount = rate(l.discount, "discount"), let taxRate = rate(l.taxRate, "taxRate"), let price else { continue }
            let math = QuoteMath.line(quantity: qty, price: price, discount: discount, taxRate: taxRate)
            let check = PriceStrategy.checkFloor(price: math.effectiveUnitPrice, floor: product.floorPrice, policy: policy.floor)
            if check == .blocked { errors.add("\(key).price", "error.belowFloor"); continue }
            let line = QuoteLine()
            line.orgID = actor.orgID
            line.productID = pid
            line.productName = product.name
            line.quantity = qty
            line.unit = unit
            line.price = price
            line.discount = discount
            line.taxRate = taxRate
            line.net = math.net
            line.tax = math.tax
            line.belowFloor = check == .flagged
            lines.append(line)
        }
        return lines
    }

    // MARK: print template

    func template() async throws -> QuoteTemplate {
        try await Organization.find(actor.orgID, on: db)?.quoteTemplate ?? QuoteTemplate()
    }

    func saveTemplate(_ new: QuoteTemplate) async throws {
        try actor.require(.edit, .admin)
        guard new.problems.isEmpty else { throw AppError.invalid(new.problems) }
        guard let org = try await Organization.find(actor.orgID, on: db) else { throw AppError.notFound }
        let old = org.quoteTemplate ?? QuoteTemplate()
        guard old != new else { return }
        org.quoteTemplate = new
        try await db.writeTransaction { [actor, now] tx in
            try await org.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("organization", org.id!, .update, field: "quoteTemplate",
                                                                  old: "\(old.title)\n\(old.header)\n\(old.footer)", new: "\(new.title)\n\(new.header)\n\(new.footer)")
        }
    }
}
