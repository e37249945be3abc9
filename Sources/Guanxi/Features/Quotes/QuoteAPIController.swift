import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/quotes: drafts with their lines, the customer's answer, versions, and what was quoted
/// per product and customer. Money in fen, discount and tax rate in basis points.
struct QuoteAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("quotes", use: index)
        routes.post("quotes", use: create)
        routes.get("quotes", ":id", use: show)
        routes.patch("quotes", ":id", use: update)
        routes.delete("quotes", ":id", use: delete)
        routes.post("quotes", ":id", "status", use: status)
        routes.post("quotes", ":id", "approval", use: submitForApproval)
        routes.post("quotes", ":id", "versions", use: newVersion)
        routes.get("quote-lines", use: history)
    }

    func service(_ req: Request) throws -> QuoteService { QuoteService(db: req.db, actor: try req.actor, now: req.now) }

    struct LineDTO: Content {
        var productID: UUID
        var productName: String
        var quantity: Int64
        var unit: String?
        var price: Int64
        var discount: Int
        var taxRate: Int
        var net: Int64
        var tax: Int64
        var belowFloor: Bool

        init(_ l: QuoteLine) {
            productID = l.productID
            productName = l.productName
            quantity = l.quantity
            unit = l.unit
            price = l.price
            discount = l.discount
            taxRate = l.taxRate
            net = l.net
            tax = l.tax
            belowFloor = l.belowFloor
        }
    }

    struct QuoteDTO: Content {
        var id: UUID
        var number: String
        var version: Int
        var isCurrent: Bool
        var title: String
        var customerID: UUID
        var opportunityID: UUID?
        var quotedOn: String
        var validUntil: String?
        var terms: String?
        var status: String
        var subtotal: Int64
        var tax: Int64
        var total: Int64
        var belowFloor: Bool
        var ownerID: UUID
        var lines: [LineDTO]?

        init(_ q: Quote, lines: [QuoteLine]?) {
            id = q.id!
            number = q.number
            version = q.version
            isCurrent = q.isCurrent
            title = q.title
            customerID = q.customerID
            opportunityID = q.opportunityID
            quotedOn = q.quotedOn
            validUntil = q.validUntil
            terms = q.terms
            status = q.status.rawValue
            subtotal = q.subtotal
            tax = q.tax
            total = q.total
            belowFloor = q.belowFloor
            ownerID = q.ownerID
            self.lines = lines?.map(LineDTO.init)
        }
    }

    struct LineBody: Content {
        var productID: String?
        var quantity: Int64?
        var unit: String?
        var price: Int64?
        var discount: Int?
        var taxRate: Int?

        var input: QuoteService.LineInput {
            .init(productID: productID, quantity: quantity.map(String.init), unit: unit, price: price.map(String.init),
                  discount: discount.map(String.init), taxRate: taxRate.map(String.init))
        }
    }

    struct Body: Content {
        var customerID: String?
        var opportunityID: String?
        var title: String?
        var quotedOn: String?
        var validUntil: String?
        var terms: String?
        var ownerID: String?
        var lines: [LineBody]?

        var input: QuoteService.Input {
            .init(customerID: customerID, opportunityID: opportunityID, title: title, quotedOn: quotedOn, validUntil: validUntil, terms: terms, ownerID: ownerID,
                  lines: (lines ?? []).map(\.input))
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .quotes)
        let views = OpportunityService.View.available(to: actor, in: .quotes)
        var q = QuoteService.ListQuery()
        q.view = try OpportunityParams.view(req, views: views)
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard let st = Quote.Status(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.status = st
        }
        for (key, path) in [("customer", \QuoteService.ListQuery.customerID), ("opportunity", \.opportunityID), ("cursor", \.cursor)] {
            guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { continue }
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q[keyPath: path] = id
        }
        q.q = Check.clean(try? req.query.get(String.self, at: "q"))
        if let raw = try? req.query.get(String.self, at: "limit") {
            guard let n = Int(raw), (1...200).contains(n) else { throw AppError.badRequest("error.badParameter") }
            q.limit = n
        }
        let page = try await service(req).list(q)
        struct Page: Content { var items: [QuoteDTO]; var nextCursor: String? }
        return try await Page(items: page.items.map { QuoteDTO($0, lines: nil) }, nextCursor: page.next?.uuidString).encodeResponse(for: req)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let svc = try service(req)
        let made = try await svc.create(b.input, apiUnits: true)
        return try await QuoteDTO(made.quote, lines: made.lines).encodeResponse(status: .created, for: req)
    }

    @Sendable func show(req: Request) async throws -> QuoteDTO {
        let svc = try service(req)
        let q = try await svc.get(req.parameters.get("id", as: UUID.self))
        return QuoteDTO(q, lines: try await svc.lines(q.id!))
    }

    /// Changes a draft; `lines`, when given, replace all lines.
    @Sendable func update(req: Request) async throws -> QuoteDTO {
        let svc = try service(req)
        let q = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        let b = try req.content.decode(Body.self)
        var input = b.input
        if b.lines == nil {
            input.lines = try await svc.lines(q.id!).map {
                .init(productID: $0.productID.uuidString, quantity: String($0.quantity), unit: $0.unit, price: String($0.price), discount: String($0.discount),
                      taxRate: String($0.taxRate))
            }
        }
        if input.title == nil { input.title = q.title }
        let saved = try await svc.update(q.id, input, apiUnits: true)
        return QuoteDTO(saved, lines: try await svc.lines(saved.id!))
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func status(req: Request) async throws -> QuoteDTO {
        struct S: Content { var status: String? }
        return QuoteDTO(try await service(req).setStatus(req.parameters.get("id", as: UUID.self), try req.content.decode(S.self).status), lines: nil)
    }

    @Sendable func submitForApproval(req: Request) async throws -> Response {
        let r = try await service(req).submitForApproval(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(ApprovalAPIController.json(r), status: .created)
    }

    @Sendable func newVersion(req: Request) async throws -> Response {
        let svc = try service(req)
        let q = try await svc.newVersion(req.parameters.get("id", as: UUID.self))
        return try await QuoteDTO(q, lines: try await svc.lines(q.id!)).encodeResponse(status: .created, for: req)
    }

    struct HistoryDTO: Content {
        var quoteID: UUID
        var number: String
        var version: Int
        var quotedOn: String
        var customerID: UUID
        var status: String
        var line: LineDTO
    }

    @Sendable func history(req: Request) async throws -> [HistoryDTO] {
        let actor = try req.actor
        try actor.require(.view, .quotes)
        func id(_ key: String) throws -> UUID? {
            guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { return nil }
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            return id
        }
        let product = try id("product"), customer = try id("customer")
        guard product != nil || customer != nil else { throw AppError.badRequest("error.badParameter") }
        return try await service(req).history(productID: product, customerID: customer).map {
            HistoryDTO(quoteID: $0.quote.id!, number: $0.quote.number, version: $0.quote.version, quotedOn: $0.quote.quotedOn, customerID: $0.quote.customerID,
                       status: $0.quote.status.rawValue, line: LineDTO($0.line))
        }
    }
}
