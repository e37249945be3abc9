import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/customers — the same rules as the pages, through `CustomerService`.
struct CustomerAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        customers.get(use: index)
        customers.post(use: create)
        customers.get(":id", use: show)
        customers.patch(":id", use: update)
        customers.delete(":id", use: delete)
        customers.get(":id", "history", use: history)
    }

    func service(_ req: Request) throws -> CustomerService {
        CustomerService(db: req.db, actor: try req.actor, now: req.now)
    }

    @Sendable func index(req: Request) async throws -> PageDTO<CustomerDTO> {
        let actor = try req.actor
        let query = try CustomerListParams.parse(req)
        let svc = try service(req)
        let page = try await svc.list(query)
        let names = try await svc.ownerNames(page.items)
        return PageDTO(items: page.items.map { $0.toDTO(actor: actor, ownerName: $0.ownerID.flatMap { names[$0] }) },
                       nextCursor: page.next?.token)
    }

    @Sendable func show(req: Request) async throws -> CustomerDTO {
        let svc = try service(req)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        return c.toDTO(actor: try req.actor, ownerName: try await svc.ownerNames([c]).values.first)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let body = try req.content.decode(CreateCustomerDTO.self)
        let svc = try service(req)
        let c = try await svc.create(.init(name: body.name, phone: body.phone, ownerID: body.ownerID, notes: body.notes))
        let dto = c.toDTO(actor: try req.actor, ownerName: try await svc.ownerNames([c]).values.first)
        let res = Response(status: .created)
        try res.content.encode(dto)
        res.headers.replaceOrAdd(name: .location, value: "/api/v1/customers/\(dto.id.uuidString)")
        return res
    }

    @Sendable func update(req: Request) async throws -> CustomerDTO {
        let body = try req.content.decode(PatchCustomerDTO.self)
        let svc = try service(req)
        let c = try await svc.update(req.parameters.get("id", as: UUID.self),
                                     .init(name: body.name, phone: body.phone, ownerID: body.ownerID, notes: body.notes))
        return c.toDTO(actor: try req.actor, ownerName: try await svc.ownerNames([c]).values.first)
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func history(req: Request) async throws -> [AuditEntryDTO] {
        let c = try await service(req).get(req.parameters.get("id", as: UUID.self))
        return try await Audit.history(entity: Customer.entity, module: .customers, id: c.id!, actor: try req.actor, on: req.db).map(AuditEntryDTO.init)
    }
}

/// List parameters shared by the customer page and API: q, owner, sort, order, cursor, limit.
enum CustomerListParams {
    static func parse(_ req: Request) throws -> CustomerService.ListQuery {
        var q = CustomerService.ListQuery()
        q.q = try? req.query.get(String.self, at: "q")
        if let owner = try? req.query.get(String.self, at: "owner"), !owner.isEmpty {
            guard let id = UUID(uuidString: owner) else { throw AppError.badRequest("error.badParameter") }
            q.ownerID = id
        }
        if let sort = try? req.query.get(String.self, at: "sort"), !sort.isEmpty {
            guard let s = CustomerService.ListQuery.Sort(rawValue: sort) else { throw AppError.badRequest("error.badParameter") }
            q.sort = s
        }
        q.descending = (try? req.query.get(String.self, at: "order")) == "desc"
        if let cursor = try? req.query.get(String.self, at: "cursor"), !cursor.isEmpty {
            guard let c = PageCursor(token: cursor) else { throw AppError.badRequest("error.badParameter") }
            q.cursor = c
        }
        if let raw = try? req.query.get(String.self, at: "limit"), !raw.isEmpty {
            guard let limit = Int(raw), (1...200).contains(limit) else { throw AppError.badRequest("error.badParameter") }
            q.limit = limit
        }
        return q
    }
}

/// One audit entry in the API.
struct AuditEntryDTO: Content {
    var id: UUID
    var action: String
    var field: String?
    var oldValue: String?
    var newValue: String?
    var actorID: UUID?
    var actorName: String
    var at: Date

    init(_ e: AuditEntry) {
        id = e.id!
        action = e.action.rawValue
        field = e.field
        oldValue = e.oldValue
        newValue = e.newValue
        actorID = e.actorID
        actorName = e.actorName
        at = e.at
    }
}
