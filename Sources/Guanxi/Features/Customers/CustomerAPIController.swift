import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/customers — the same rules as the pages, through `CustomerService`; bodies and responses
/// follow the customer's field declaration (references as `<field>ID`, money in fen).
struct CustomerAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        let customers = routes.grouped("customers")
        customers.get(use: index)
        customers.post(use: create)
        customers.get(":id", use: show)
        customers.patch(":id", use: update)
        customers.delete(":id", use: delete)
        customers.get(":id", "history", use: history)
        customers.get("collisions", use: collisions)
        customers.get("export", use: export)
        customers.put(":id", "hot", use: hot)
        customers.post("bulk", use: bulk)
    }

    func service(_ req: Request) throws -> CustomerService {
        CustomerService(db: req.db, actor: try req.actor, now: req.now)
    }

    static func json(_ customers: [Customer], actor: Actor, svc: CustomerService) async throws -> [JSONValue] {
        let names = try await svc.ownerNames(customers)
        return customers.map { c in
            actor.definition(Customer.definition).json(c, id: c.id!, actor: actor, extra: [
                ("ownerName", c.ownerID.flatMap { names[$0] }.map(JSONValue.string) ?? .string("")),
                ("createdAt", .string(c.createdAt.map(ISO8601.string) ?? "")),
                ("updatedAt", .string(c.updatedAt.map(ISO8601.string) ?? "")),
            ])
        }
    }

    /// Listed customers as `json` shows their models (the list reads columns, not models).
    static func json(_ customers: [Listed], actor: Actor, on db: Database) async throws -> [JSONValue] {
        let names = try await actor.names(of: User.self, on: db)
        let def = actor.definition(Customer.definition)
        return customers.map { c in
            def.json(c, actor: actor, extra: [
                ("ownerName", .string(c["owner"].flatMap(UUID.parse).flatMap { names[$0] } ?? "")),
                ("createdAt", .string(c.times["created_at"].map(ISO8601.string) ?? "")),
                ("updatedAt", .string(c.times["updated_at"].map(ISO8601.string) ?? "")),
            ])
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let page = try await svc.listed(try CustomerListParams.parse(req), keys: svc.definition.fields.map(\.key), times: ["created_at", "updated_at"])
        var pairs: [(String, JSONValue)] = [("items", .array(try await Self.json(page.items, actor: actor, on: req.db)))]
        if let next = page.next { pairs.append(("nextCursor", .string(next.token))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func show(req: Request) async throws -> Response {
        let svc = try service(req)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(try await Self.json([c], actor: try req.actor, svc: svc)[0])
    }

    /// 409 with the likely duplicates; send `?force=true` to save anyway.
    static func collisionResponse(_ found: CollisionFound, actor: Actor) -> Response {
        JSONResponse.ok(.object([("code", "duplicate"), ("message", .string(actor.t("collision.found"))),
                                 ("matches", .array(found.matches.map(\.json)))]), status: .conflict)
    }

    static func force(_ req: Request) -> Bool { (try? req.query.get(Bool.self, at: "force")) ?? false }

    /// Looks for likely duplicates before saving: GET /api/v1/customers/collisions?name=&phone=&creditCode=
    @Sendable func collisions(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        let q: (String) -> String? = { key in (try? req.query.get(String.self, at: key)).map { String($0.prefix(200)) } }
        let matches = try await CollisionCheck(db: req.db, actor: actor).matches(name: q("name"), phone: q("phone"), creditCode: q("creditCode"))
        return JSONResponse.ok(.array(matches.map(\.json)))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let (input, owner) = try Self.input(req, actor: actor)
        let svc = try service(req)
        let c: Customer
        do {
            c = try await svc.create(input, ownerID: owner, allowDuplicates: Self.force(req))
        } catch let found as CollisionFound {
            return Self.collisionResponse(found, actor: actor)
        }
        let res = JSONResponse.ok(try await Self.json([c], actor: actor, svc: svc)[0], status: .created)
        res.headers.replaceOrAdd(name: .location, value: "/api/v1/customers/\(c.id!.uuidString)")
        return res
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let (input, owner) = try Self.input(req, actor: actor)
        let svc = try service(req)
        do {
            let c = try await svc.update(req.parameters.get("id", as: UUID.self), input, ownerID: owner, allowDuplicates: Self.force(req))
            return JSONResponse.ok(try await Self.json([c], actor: actor, svc: svc)[0])
        } catch let found as CollisionFound {
            return Self.collisionResponse(found, actor: actor)
        }
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func history(req: Request) async throws -> [AuditEntryDTO] {
        let c = try await service(req).get(req.parameters.get("id", as: UUID.self))
        return try await Audit.history(entity: Customer.entity, module: .customers, id: c.id!, actor: try req.actor, on: req.db).map(AuditEntryDTO.init)
    }

    @Sendable func export(req: Request) async throws -> Response { try await CustomerExport(req: req).run() }

    struct Hot: Content { var hot: Bool }

    @Sendable func hot(req: Request) async throws -> HTTPStatus {
        try await service(req).setHot(req.parameters.get("id", as: UUID.self), try req.content.decode(Hot.self).hot)
        return .noContent
    }

    @Sendable func bulk(req: Request) async throws -> PoolAPIController.Moved {
        let body = try req.content.decode(CustomerBulk.Request.self)
        return PoolAPIController.Moved(moved: try await CustomerBulk(db: req.db, actor: try req.actor, now: req.now).run(body))
    }

    /// The body as field values, with `ownerID` apart because changing it is an assignment.
    static func input(_ req: Request, actor: Actor) throws -> (EntityInput, UUID?) {
        guard let body = try req.content.decode(JSONInput.self).object else { throw AppError.badRequest() }
        var input = actor.definition(Customer.definition).input(json: body, actor: actor, extraKeys: ["ownerID"])
        var owner: UUID?
        switch body["ownerID"] {
        case .string(let s)?:
            if let id = UUID(uuidString: s) { owner = id } else { input.errors.add("ownerID", "error.unknownUser") }
        case nil, .null?:
            break
        default:
            input.errors.add("ownerID", "error.badValue")
        }
        return (input, owner)
    }
}

enum JSONResponse {
    static func ok(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(string: value.render()))
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
        let flag = { (key: String) -> Bool in ["1", "true"].contains((try? req.query.get(String.self, at: key)) ?? "") }
        q.hot = flag("hot")
        q.team = flag("team")
        q.recent = flag("recent")
        let list = { (key: String) -> [String] in (try? req.query.get([String].self, at: key)) ?? [] }
        if req.url.query?.contains("ff") == true {
            q.filters = try FilterSet.parse(fields: list("ff"), ops: list("fo"), values: list("fv"), join: try? req.query.get(String.self, at: "join"))
        }
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
