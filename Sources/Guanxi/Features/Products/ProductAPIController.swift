import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/products, /api/v1/product-categories and the price a customer would be offered.
struct ProductAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("products", use: index)
        routes.post("products", use: create)
        routes.get("products", ":id", use: show)
        routes.patch("products", ":id", use: update)
        routes.delete("products", ":id", use: delete)
        routes.get("products", ":id", "prices", use: prices)
        routes.post("products", ":id", "prices", use: addPrice)
        routes.delete("products", ":id", "prices", ":price", use: removePrice)
        routes.get("products", ":id", "price", use: price)
        routes.get("product-categories", use: categories)
        routes.post("product-categories", use: addCategory)
    }

    func service(_ req: Request) throws -> ProductService { ProductService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ p: Product, actor: Actor) -> JSONValue {
        actor.definition(Product.definition).json(p, id: p.id!, actor: actor,
                                                  extra: p.categoryID.map { [("categoryID", .string($0.uuidString))] } ?? [])
    }

    static let extraKeys: Set<String> = ["categoryID", "confirmDuplicate"]

    static func input(_ req: Request, actor: Actor) throws -> (EntityInput, ProductService.Extra) {
        guard let body = try req.content.decode(JSONInput.self).object else { throw AppError.badRequest() }
        var input = actor.definition(Product.definition).input(json: body, actor: actor, extraKeys: extraKeys)
        var extra = ProductService.Extra()
        switch body["categoryID"] {
        case nil: break
        case .null?: extra.categoryID = ""
        case .string(let s)?: extra.categoryID = s
        default: input.errors.add("categoryID", "error.badValue")
        }
        switch body["confirmDuplicate"] {
        case nil, .null?: break
        case .bool(let b)?: extra.confirmDuplicate = b
        default: input.errors.add("confirmDuplicate", "error.badValue")
        }
        return (input, extra)
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let page = try await service(req).list(try ProductListParams.parse(req))
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { Self.json($0, actor: actor) }))]
        if let next = page.next { pairs.append(("nextCursor", .string(next.token))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let (input, extra) = try Self.input(req, actor: actor)
        let p = try await service(req).create(input, extra)
        return JSONResponse.ok(Self.json(p, actor: actor), status: .created)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        return JSONResponse.ok(Self.json(try await service(req).get(req.parameters.get("id", as: UUID.self)), actor: actor))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let (input, extra) = try Self.input(req, actor: actor)
        let p = try await service(req).update(req.parameters.get("id", as: UUID.self), input, extra)
        return JSONResponse.ok(Self.json(p, actor: actor))
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    struct PriceDTO: Content {
        var id: UUID
        var unit: String?
        var customerCategory: String?
        var customerLevel: String?
        var departmentID: UUID?
        var price: Int64

        init(_ p: ProductPrice) {
            id = p.id!
            unit = p.unit
            customerCategory = p.customerCategory
            customerLevel = p.customerLevel
            departmentID = p.departmentID
            price = p.price
        }
    }

    struct PriceBody: Content {
        var unit: String?
        var customerCategory: String?
        var customerLevel: String?
        var departmentID: String?
        var price: Int64?
    }

    @Sendable func prices(req: Request) async throws -> [PriceDTO] {
        let svc = try service(req)
        let p = try await svc.get(req.parameters.get("id", as: UUID.self))
        return try await svc.prices(p.id!).map(PriceDTO.init)
    }

    @Sendable func addPrice(req: Request) async throws -> Response {
        let b = try req.content.decode(PriceBody.self)
        let row = try await service(req).addPrice(req.parameters.get("id", as: UUID.self),
                                                  .init(unit: b.unit, customerCategory: b.customerCategory, customerLevel: b.customerLevel,
                                                        departmentID: b.departmentID, price: b.price.map(String.init)), priceInFen: true)
        return try await PriceDTO(row).encodeResponse(status: .created, for: req)
    }

    @Sendable func removePrice(req: Request) async throws -> HTTPStatus {
        try await service(req).removePrice(req.parameters.get("id", as: UUID.self), req.parameters.get("price", as: UUID.self))
        return .noContent
    }

    struct QuotedPrice: Content {
        var price: Int64
        /// "rule" or "listPrice"; a rule's criteria come with it.
        var source: String
        var unit: String?
        var customerCategory: String?
        var customerLevel: String?
        var departmentID: UUID?
    }

    /// The price offered to a customer (optional) for a unit (optional), by the caller's department.
    @Sendable func price(req: Request) async throws -> QuotedPrice {
        var customer: UUID?
        if let raw = try? req.query.get(String.self, at: "customer") {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            customer = id
        }
        let unit = try? req.query.get(String.self, at: "unit")
        guard let quoted = try await service(req).price(req.parameters.get("id", as: UUID.self), customerID: customer, unit: unit) else {
            throw AppError(status: .notFound, code: "no_price", messageKey: "error.noPrice")
        }
        switch quoted.source {
        case .listPrice: return QuotedPrice(price: quoted.price, source: "listPrice")
        case .rule(let r):
            return QuotedPrice(price: quoted.price, source: "rule", unit: r.unit, customerCategory: r.customerCategory,
                               customerLevel: r.customerLevel, departmentID: r.departmentID)
        }
    }

    struct CategoryDTO: Content {
        var id: UUID
        var name: String
        var parentID: UUID?
        var depth: Int
    }

    @Sendable func categories(req: Request) async throws -> [CategoryDTO] {
        try await service(req).categoryTree().map { CategoryDTO(id: $0.node.id!, name: $0.node.name, parentID: $0.node.parentID, depth: $0.depth) }
    }

    @Sendable func addCategory(req: Request) async throws -> Response {
        struct Body: Content { var name: String?; var parentID: String? }
        let b = try req.content.decode(Body.self)
        let c = try await service(req).addCategory(name: b.name, parentID: b.parentID)
        return try await CategoryDTO(id: c.id!, name: c.name, parentID: c.parentID, depth: 0).encodeResponse(status: .created, for: req)
    }
}
