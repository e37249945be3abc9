import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/pools and the ownership moves of customers.
struct PoolAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("pools", use: pools)
        routes.get("pools", ":id", "customers", use: members)
        routes.post("pools", ":id", "claim", use: claimRandom)
        routes.post("customers", ":id", "claim", use: claim)
        routes.post("customers", ":id", "release", use: release)
        routes.post("customers", "assign", use: assign)
    }

    struct PoolDTO: Content {
        var id: UUID
        var name: String
        var isDefault: Bool
        var customers: Int
        var bulkClaimLimit: Int
    }

    struct Moved: Content { var moved: Int }
    struct RandomClaim: Content { var count: Int }
    struct Release: Content { var reason: String?; var poolID: UUID? }
    struct Assign: Content { var customerIDs: [UUID]; var ownerID: UUID }

    func service(_ req: Request) throws -> PoolService { PoolService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func pools(req: Request) async throws -> [PoolDTO] {
        let svc = try service(req)
        try (try req.actor).require(.view, .customers)
        let counts = try await svc.counts()
        return try await svc.pools().map {
            PoolDTO(id: $0.id!, name: $0.name, isDefault: $0.isDefault, customers: counts[$0.id!] ?? 0, bulkClaimLimit: $0.settings.bulkClaimLimit)
        }
    }

    @Sendable func members(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let pool = try await svc.pool(req.parameters.get("id", as: UUID.self))
        var after: UUID?
        if let raw = try? req.query.get(String.self, at: "cursor"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            after = id
        }
        let page = try await svc.members(pool.id!, q: try? req.query.get(String.self, at: "q"), after: after)
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { actor.definition(Customer.definition).json($0, id: $0.id!, actor: actor) }))]
        if let next = page.next { pairs.append(("nextCursor", .string(next.uuidString))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func claimRandom(req: Request) async throws -> Moved {
        let body = try req.content.decode(RandomClaim.self)
        return Moved(moved: try await service(req).claimRandom(poolID: req.parameters.get("id", as: UUID.self), count: body.count))
    }

    @Sendable func claim(req: Request) async throws -> Moved {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        return Moved(moved: try await service(req).claim([id]))
    }

    @Sendable func release(req: Request) async throws -> Moved {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        let body = try req.content.decode(Release.self)
        return Moved(moved: try await service(req).release([id], reason: body.reason, poolID: body.poolID))
    }

    @Sendable func assign(req: Request) async throws -> Moved {
        let body = try req.content.decode(Assign.self)
        return Moved(moved: try await service(req).assign(body.customerIDs, to: body.ownerID))
    }
}
