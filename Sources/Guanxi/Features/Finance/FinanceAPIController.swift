import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/payments, /refunds, /invoices, /collections and /finance-policy: the same services and
/// scope as the pages; amounts in fen.
struct FinanceAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("payments", use: payments)
        routes.post("payments", use: recordPayment)
        routes.get("payments", ":id", use: payment)
        routes.post("payments", ":id", "apply", use: applyPayment)
        routes.get("customers", ":id", "finance", use: customerFinance)
        routes.get("refunds", use: refunds)
        routes.post("refunds", use: createRefund)
        routes.get("refunds", ":id", use: refund)
        routes.get("invoices", use: invoices)
        routes.post("invoices", use: createInvoice)
        routes.get("invoices", ":id", use: invoice)
        routes.post("invoices", ":id", "void", use: voidInvoice)
        routes.put("invoices", ":id", "number", use: invoiceNumber)
        routes.get("collections", use: collections)
        routes.get("finance-policy", use: policy)
        routes.put("finance-policy", use: savePolicy)
    }

    static func uuid(_ req: Request, _ key: String) throws -> UUID? {
        guard let raw = try? req.query.get(String.self, at: key) else { return nil }
        guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
        return id
    }

    static func page(_ items: [JSONValue], next: UUID?) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("items", .array(items))]
        if let n = next { pairs.append(("nextCursor", .string(n.uuidString))) }
        return .object(pairs)
    }

    static func optional(_ pairs: inout [(String, JSONValue)], _ values: [(String, String?)]) {
        for (k, v) in values { if let v { pairs.append((k, .string(v))) } }
    }

    // MARK: payments

    static func json(_ p: Payment, allocations: [PaymentAllocation]? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(p.id!.uuidString)), ("number", .string(p.number)), ("customerID", .string(p.customerID.uuidString)),
            ("receivedOn", .string(p.receivedOn)), ("amount", .int(Int(p.amount))), ("allocated", .int(Int(p.allocated))), ("refunded", .int(Int(p.refunded))),
            ("unapplied", .int(Int(p.unapplied))), ("method", .string(p.method.rawValue)), ("ownerID", .string(p.ownerID.uuidString)),
        ]
        optional(&pairs, [("contractID", p.contractID?.uuidString), ("account", p.account), ("reference", p.reference), ("note", p.note)])
        if let allocations {
            pairs.append(("allocations", .array(allocations.map { a in .object([
                ("receivableID", .string(a.receivableID.uuidString)), ("contractID", .string(a.contractID.uuidString)), ("amount", .int(Int(a.amount))),
            ]) })))
        }
        return .object(pairs)
    }

    struct AllocationBody: Content { var receivableID: UUID; var amount: Int64 }

    struct PaymentBody: Content {
        var customerID: String?
        var contractID: String?
        var amount: Int64?
        var receivedOn: String?
        var method: String?
        var account: String?
        var reference: String?
        var note: String?
        var apply: String?
        var allocations: [AllocationBody]?
    }

    static func apply(_ mode: String?, _ list: [AllocationBody]?) throws -> PaymentService.Apply {
        if let list { return .to(list.map { .init(receivableID: $0.receivableID, amount: $0.amount) }) }
        switch mode {
        case nil, "auto": return .auto
        case "none": return .none
        default:
            var e = FieldErrors()
            e.add("apply", "error.invalidOption")
            throw AppError.invalid(e)
        }
    }

    @Sendable func payments(req: Request) async throws -> Response {
        var q = PaymentService.ListQuery()
        q.customerID = try Self.uuid(req, "customer")
        q.contractID = try Self.uuid(req, "contract")
        q.cursor = try Self.uuid(req, "cursor")
        q.withPrepayment = (try? req.query.get(Bool.self, at: "prepayment")) ?? false
        let page = try await PaymentService(db: req.db, actor: try req.actor, now: req.now).list(q)
        return JSONResponse.ok(Self.page(page.items.map { Self.json($0) }, next: page.next))
    }

    @Sendable func recordPayment(req: Request) async throws -> Response {
        try (try req.actor).require(.edit, .contracts)
        let b = try req.content.decode(PaymentBody.self)
        let svc = PaymentService(db: req.db, actor: try req.actor, now: req.now)
        let p = try await svc.record(.init(customerID: b.customerID, contractID: b.contractID, amount: b.amount, receivedOn: b.receivedOn, method: b.method,
                                           account: b.account, reference: b.reference, note: b.note, apply: try Self.apply(b.apply, b.allocations)))
        return JSONResponse.ok(Self.json(p, allocations: try await svc.allocations(p.id!)), status: .created)
    }

    @Sendable func payment(req: Request) async throws -> Response {
        let svc = PaymentService(db: req.db, actor: try req.actor, now: req.now)
        let p = try await svc.get(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(Self.json(p, allocations: try await svc.allocations(p.id!)))
    }

    @Sendable func applyPayment(req: Request) async throws -> Response {
        struct Body: Content { var allocations: [AllocationBody]? }
        let svc = PaymentService(db: req.db, actor: try req.actor, now: req.now)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let b = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(Body.self) : Body()
        let p = try await svc.apply(id, try Self.apply(nil, b.allocations))
        return JSONResponse.ok(Self.json(p, allocations: try await svc.allocations(p.id!)))
    }

    @Sendable func customerFinance(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        guard let id = req.parameters.get("id", as: UUID.self),
              let (f, creditLimit) = try await FinanceCards.figures(ofVisible: id, actor: actor, today: CalendarDate.of(req.now, in: actor.org.timeZone), on: req.db)
        else { throw AppError.notFound }
        var pairs: [(String, JSONValue)] = [
            ("contracts", .int(f.contracts)), ("amount", .int(Int(f.amount))), ("owed", .int(Int(f.owed))), ("overdue", .int(Int(f.overdue))),
            ("received", .int(Int(f.received))), ("invoiced", .int(Int(f.invoiced))), ("prepayment", .int(Int(f.prepayment))),
        ]
        if let l = creditLimit { pairs.append(("creditLimit", .int(Int(l)))) }
        return JSONResponse.ok(.object(pairs))
    }

    // MARK: refunds

    static func json(_ r: Refund) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(r.id!.uuidString)), ("number", .string(r.number)), ("kind", .string(r.kind.rawValue)), ("status", .string(r.status.rawValue)),
            ("customerID", .string(r.customerID.uuidString)), ("amount", .int(Int(r.amount))), ("refundedOn", .string(r.refundedOn)), ("reason", .string(r.reason)),
        ]
        optional(&pairs, [("contractID", r.contractID?.uuidString)])
        return .object(pairs)
    }

    struct RefundBody: Content {
        var kind: String?
        var customerID: String?
        var contractID: String?
        var amount: Int64?
        var refundedOn: String?
        var reason: String?
    }

    @Sendable func refunds(req: Request) async throws -> Response {
        let page = try await RefundService(db: req.db, actor: try req.actor, now: req.now)
            .list(customerID: try Self.uuid(req, "customer"), contractID: try Self.uuid(req, "contract"), cursor: try Self.uuid(req, "cursor"))
        return JSONResponse.ok(Self.page(page.items.map { Self.json($0) }, next: page.next))
    }

    @Sendable func createRefund(req: Request) async throws -> Response {
        try (try req.actor).require(.edit, .contracts)
        let b = try req.content.decode(RefundBody.self)
        let r = try await RefundService(db: req.db, actor: try req.actor, now: req.now)
            .create(.init(kind: b.kind, customerID: b.customerID, contractID: b.contractID, amount: b.amount, refundedOn: b.refundedOn, reason: b.reason))
        return JSONResponse.ok(Self.json(r), status: .created)
    }

    @Sendable func refund(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await RefundService(db: req.db, actor: try req.actor, now: req.now).get(req.parameters.get("id", as: UUID.self))))
    }

    // MARK: invoices

    static func json(_ i: Invoice) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(i.id!.uuidString)), ("number", .string(i.number)), ("kind", .string(i.kind.rawValue)), ("status", .string(i.status.rawValue)),
            ("contractID", .string(i.contractID.uuidString)), ("customerID", .string(i.customerID.uuidString)), ("buyer", .string(i.buyer)),
            ("amount", .int(Int(i.amount))), ("issuedOn", .string(i.issuedOn)),
        ]
        optional(&pairs, [("taxNumber", i.taxNumber), ("invoiceNo", i.invoiceNo), ("note", i.note)])
        return .object(pairs)
    }

    struct InvoiceBody: Content {
        var contractID: String?
        var kind: String?
        var buyer: String?
        var taxNumber: String?
        var amount: Int64?
        var issuedOn: String?
        var invoiceNo: String?
        var note: String?
    }

    @Sendable func invoices(req: Request) async throws -> Response {
        var status: Invoice.Status?
        if let raw = try? req.query.get(String.self, at: "status") {
            guard let s = Invoice.Status(rawValue: raw) else { throw AppError.badRequest("error.badParameter") }
            status = s
        }
        let page = try await InvoiceService(db: req.db, actor: try req.actor, now: req.now)
            .list(contractID: try Self.uuid(req, "contract"), customerID: try Self.uuid(req, "customer"), status: status, cursor: try Self.uuid(req, "cursor"))
        return JSONResponse.ok(Self.page(page.items.map { Self.json($0) }, next: page.next))
    }

    @Sendable func createInvoice(req: Request) async throws -> Response {
        try (try req.actor).require(.edit, .contracts)
        let b = try req.content.decode(InvoiceBody.self)
        let inv = try await InvoiceService(db: req.db, actor: try req.actor, now: req.now)
            .create(.init(contractID: b.contractID, kind: b.kind, buyer: b.buyer, taxNumber: b.taxNumber, amount: b.amount, issuedOn: b.issuedOn,
                          invoiceNo: b.invoiceNo, note: b.note))
        return JSONResponse.ok(Self.json(inv), status: .created)
    }

    @Sendable func invoice(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await InvoiceService(db: req.db, actor: try req.actor, now: req.now).get(req.parameters.get("id", as: UUID.self))))
    }

    @Sendable func voidInvoice(req: Request) async throws -> Response {
        struct Body: Content { var reason: String? }
        let svc = InvoiceService(db: req.db, actor: try req.actor, now: req.now)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        return JSONResponse.ok(Self.json(try await svc.void(id, reason: try req.content.decode(Body.self).reason)))
    }

    @Sendable func invoiceNumber(req: Request) async throws -> Response {
        struct Body: Content { var invoiceNo: String? }
        let svc = InvoiceService(db: req.db, actor: try req.actor, now: req.now)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        return JSONResponse.ok(Self.json(try await svc.setInvoiceNo(id, try req.content.decode(Body.self).invoiceNo)))
    }

    // MARK: statistics and policy

    @Sendable func collections(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        let (range, by) = try CollectionPages.params(req, actor: actor)
        let stats = CollectionStats(db: req.db, actor: actor)
        let result = try await stats.run(from: range.fromText, to: range.toText, by: by)
        let trend = try await stats.receivedTrend(range.granularity, from: range.fromText, to: range.toText)
        let labels = try await stats.labels(result.rows, by: by)
        let row = { (r: CollectionStats.Row) -> JSONValue in
            var pairs: [(String, JSONValue)] = CollectionStats.Row.figures.map { ($0, .int(Int(r.value($0)))) }
            if let k = r.key { pairs.append(("key", .string(k.uuidString))); pairs.append(("name", .string(labels[k] ?? ""))) }
            return .object(pairs)
        }
        return JSONResponse.ok(.object([
            ("from", .string(range.fromText)), ("to", .string(range.toText)), ("by", .string(by.rawValue)),
            ("rows", .array(result.rows.map(row))), ("total", row(result.total)),
            ("trend", .array(trend.map { .object([("period", .string($0.0)), ("received", .int(Int($0.1)))]) })),
        ]))
    }

    static func json(_ p: FinancePolicy) -> JSONValue {
        .object([("credit", .string(p.credit.rawValue)), ("reminderDays", .int(p.reminderDays))])
    }

    @Sendable func policy(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .contracts)
        return JSONResponse.ok(Self.json(try await FinancePolicyService(db: req.db, actor: actor, now: req.now).get()))
    }

    @Sendable func savePolicy(req: Request) async throws -> Response {
        struct Body: Content { var credit: String?; var reminderDays: Int? }
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let b = try req.content.decode(Body.self)
        let svc = FinancePolicyService(db: req.db, actor: actor, now: req.now)
        try await svc.save(credit: b.credit, reminderDays: b.reminderDays.map(String.init))
        return JSONResponse.ok(Self.json(try await svc.get()))
    }
}
