import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/leads with the pool, follow-ups and conversion; /api/v1/lead-rules and /api/v1/web-forms.
struct LeadAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("leads", use: index)
        routes.post("leads", use: create)
        routes.post("leads", "assign", use: assign)
        routes.get("leads", ":id", use: show)
        routes.patch("leads", ":id", use: update)
        routes.delete("leads", ":id", use: delete)
        routes.post("leads", ":id", "claim", use: claim)
        routes.post("leads", ":id", "release", use: release)
        routes.get("leads", ":id", "follow-ups", use: followUps)
        routes.post("leads", ":id", "follow-ups", use: addFollowUp)
        routes.post("leads", ":id", "convert", use: convert)
        routes.get("lead-rules", use: rules)
        routes.post("lead-rules", use: addRule)
        routes.patch("lead-rules", ":id", use: updateRule)
        routes.delete("lead-rules", ":id", use: deleteRule)
        routes.get("web-forms", use: webForms)
        routes.post("web-forms", use: addWebForm)
        routes.patch("web-forms", ":id", use: updateWebForm)
    }

    func service(_ req: Request) throws -> LeadService { LeadService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ l: Lead, actor: Actor) -> JSONValue {
        var extra: [(String, JSONValue)] = [("createdAt", .string(ISO8601.string(l.createdAt ?? Date())))]
        for (key, id) in [("departmentID", l.departmentID), ("webFormID", l.webFormID), ("customerID", l.customerID),
                          ("contactID", l.contactID), ("opportunityID", l.opportunityID)] {
            if let id { extra.append((key, .string(id.uuidString))) }
        }
        if let d = l.convertedAt { extra.append(("convertedAt", .string(ISO8601.string(d)))) }
        if let d = l.lastContactedAt { extra.append(("lastContactedAt", .string(ISO8601.string(d)))) }
        return actor.definition(Lead.definition).json(l, id: l.id!, actor: actor, extra: extra)
    }

    static func input(_ req: Request, actor: Actor) throws -> (EntityInput, owner: String?) {
        guard let body = try req.content.decode(JSONInput.self).object else { throw AppError.badRequest() }
        var input = actor.definition(Lead.definition).input(json: body, actor: actor, extraKeys: ["ownerID"])
        var owner: String?
        switch body["ownerID"] {
        case nil, .null?: break
        case .string(let s)?: owner = s
        default: input.errors.add("ownerID", "error.badValue")
        }
        return (input, owner)
    }

    static func collision(_ found: LeadCollisionFound, actor: Actor) -> Response {
        JSONResponse.ok(.object([("code", "duplicate"), ("message", .string(actor.t("collision.found"))),
                                 ("matches", .array(found.matches.customers.map(\.json))),
                                 ("leads", .array(found.matches.leads.map { .object([("id", .string($0.id.uuidString)), ("name", .string($0.name)),
                                                                                     ("ownerName", .string($0.ownerName ?? ""))]) }))]),
                        status: .conflict)
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let page = try await svc.list(try LeadParams.list(req, views: svc.views))
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { Self.json($0, actor: actor) }))]
        if let next = page.next { pairs.append(("nextCursor", .string(next.token))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .leads)
        let (input, owner) = try Self.input(req, actor: actor)
        do {
            let l = try await service(req).create(input, assignment: owner, allowDuplicates: CustomerAPIController.force(req))
            let res = JSONResponse.ok(Self.json(l, actor: actor), status: .created)
            res.headers.replaceOrAdd(name: .location, value: "/api/v1/leads/\(l.id!.uuidString)")
            return res
        } catch let found as LeadCollisionFound {
            return Self.collision(found, actor: actor)
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).get(req.parameters.get("id", as: UUID.self)), actor: try req.actor))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let (input, owner) = try Self.input(req, actor: actor)
        var errors = input.errors
        if owner != nil { errors.add("ownerID", "error.useAssign") }
        if !errors.isEmpty { throw AppError.invalid(errors) }
        do {
            return JSONResponse.ok(Self.json(try await svc.update(id, input, allowDuplicates: CustomerAPIController.force(req)), actor: actor))
        } catch let found as LeadCollisionFound {
            return Self.collision(found, actor: actor)
        }
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func claim(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).claim(req.parameters.get("id", as: UUID.self)), actor: try req.actor))
    }

    @Sendable func release(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).release(req.parameters.get("id", as: UUID.self)), actor: try req.actor))
    }

    @Sendable func assign(req: Request) async throws -> Response {
        struct Body: Content { var ids: [UUID]; var ownerID: String }
        let b = try req.content.decode(Body.self)
        let n = try await service(req).assign(b.ids, to: b.ownerID)
        return JSONResponse.ok(["assigned": .int(n)])
    }

    static func followUpJSON(_ f: LeadFollowUp) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(f.id!.uuidString)), ("method", .string(f.method)), ("content", .string(f.content)),
                                            ("happenedAt", .string(ISO8601.string(f.happenedAt))), ("ownerID", .string(f.ownerID.uuidString))]
        if let n = f.nextContactOn { pairs.append(("nextContactOn", .string(n))) }
        return .object(pairs)
    }

    @Sendable func followUps(req: Request) async throws -> Response {
        let svc = try service(req)
        let l = try await svc.get(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(.array(try await svc.followUps(l.id!).map(Self.followUpJSON)))
    }

    @Sendable func addFollowUp(req: Request) async throws -> Response {
        let input = try req.content.decode(LeadService.FollowUpInput.self)
        let f = try await service(req).addFollowUp(req.parameters.get("id", as: UUID.self), input)
        return JSONResponse.ok(Self.followUpJSON(f), status: .created)
    }

    @Sendable func convert(req: Request) async throws -> Response {
        struct Body: Content {
            var customerID: String?
            var customerName: String?
            var contactName: String?
            var opportunityName: String?
            var amount: Int64?
            var stageID: String?
            var expectedCloseOn: String?
        }
        let actor = try req.actor
        let b = try req.content.decode(Body.self)
        if let a = b.amount, a < 0 {
            var e = FieldErrors()
            e.add("amount", "error.money")
            throw AppError.invalid(e)
        }
        do {
            let done = try await service(req).convert(req.parameters.get("id", as: UUID.self), .init(
                customerID: b.customerID, customerName: b.customerName, contactName: b.contactName, opportunityName: b.opportunityName,
                amount: b.amount.map(String.init), stageID: b.stageID, expectedCloseOn: b.expectedCloseOn, allowDuplicates: CustomerAPIController.force(req)))
            var pairs: [(String, JSONValue)] = [("customerID", .string(done.customer.id!.uuidString))]
            if let c = done.contact { pairs.append(("contactID", .string(c.id!.uuidString))) }
            if let o = done.opportunity { pairs.append(("opportunityID", .string(o.id!.uuidString))) }
            return JSONResponse.ok(.object(pairs), status: .created)
        } catch let found as CollisionFound {
            return CustomerAPIController.collisionResponse(found, actor: actor)
        }
    }

    // MARK: rules and forms (administrators)

    static func ruleJSON(_ r: LeadRule) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(r.id!.uuidString)), ("name", .string(r.name)), ("position", .int(r.position)),
                                            ("userIDs", .array(r.users.map { .string($0.uuidString) })), ("turn", .int(r.turn)), ("isActive", .bool(r.isActive))]
        if let s = r.source { pairs.append(("source", .string(s))) }
        if let g = r.regionID { pairs.append(("regionID", .string(g.uuidString))) }
        return .object(pairs)
    }

    struct RuleBody: Content {
        var name: String?
        var source: String?
        var regionID: String?
        var userIDs: [String]?
        var position: Int?
        var isActive: Bool?

        var input: LeadRuleService.Input {
            .init(name: name, source: source, regionID: regionID, userIDs: userIDs, position: position.map(String.init), isActive: isActive)
        }
    }

    @Sendable func rules(req: Request) async throws -> Response {
        JSONResponse.ok(.array(try await LeadRuleService(db: req.db, actor: try req.actor, now: req.now).list().map(Self.ruleJSON)))
    }

    @Sendable func addRule(req: Request) async throws -> Response {
        let svc = LeadRuleService(db: req.db, actor: try req.actor, now: req.now)
        try svc.actor.require(.edit, .admin)
        let b = try req.content.decode(RuleBody.self)
        return JSONResponse.ok(Self.ruleJSON(try await svc.save(nil, b.input)), status: .created)
    }

    @Sendable func updateRule(req: Request) async throws -> Response {
        let svc = LeadRuleService(db: req.db, actor: try req.actor, now: req.now)
        try svc.actor.require(.edit, .admin)
        let b = try req.content.decode(RuleBody.self)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        return JSONResponse.ok(Self.ruleJSON(try await svc.save(id, b.input)))
    }

    @Sendable func deleteRule(req: Request) async throws -> HTTPStatus {
        try await LeadRuleService(db: req.db, actor: try req.actor, now: req.now).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    static func webFormJSON(_ f: WebForm) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(f.id!.uuidString)), ("name", .string(f.name)), ("token", .string(f.token)), ("url", .string(Paths.publicForm(f.token))),
            ("heading", .string(f.heading)), ("thankYou", .string(f.thankYou)), ("fields", .array(f.fieldKeys.map { .string($0) })),
            ("requiredFields", .array(f.fieldKeys.filter(f.requiredKeys.contains).map { .string($0) })), ("rateLimit", .int(f.rateLimit)),
            ("isActive", .bool(f.isActive)), ("submissions", .int(f.submissions)), ("spamBlocked", .int(f.spamBlocked)),
        ]
        if let i = f.intro { pairs.append(("intro", .string(i))) }
        if let s = f.source { pairs.append(("source", .string(s))) }
        if let o = f.ownerID { pairs.append(("ownerID", .string(o.uuidString))) }
        return .object(pairs)
    }

    struct WebFormBody: Content {
        var name: String?
        var heading: String?
        var intro: String?
        var thankYou: String?
        var fields: [String]?
        var requiredFields: [String]?
        var source: String?
        var ownerID: String?
        var rateLimit: Int?
        var isActive: Bool?

        var input: WebFormService.Input {
            .init(name: name, heading: heading, intro: intro, thankYou: thankYou, fields: fields, requiredFields: requiredFields, source: source,
                  ownerID: ownerID, rateLimit: rateLimit.map(String.init), isActive: isActive)
        }
    }

    @Sendable func webForms(req: Request) async throws -> Response {
        JSONResponse.ok(.array(try await WebFormService(db: req.db, actor: try req.actor, now: req.now).list().map(Self.webFormJSON)))
    }

    @Sendable func addWebForm(req: Request) async throws -> Response {
        let svc = WebFormService(db: req.db, actor: try req.actor, now: req.now)
        try svc.actor.require(.edit, .admin)
        let b = try req.content.decode(WebFormBody.self)
        return JSONResponse.ok(Self.webFormJSON(try await svc.save(nil, b.input)), status: .created)
    }

    @Sendable func updateWebForm(req: Request) async throws -> Response {
        let svc = WebFormService(db: req.db, actor: try req.actor, now: req.now)
        try svc.actor.require(.edit, .admin)
        let b = try req.content.decode(WebFormBody.self)
        return JSONResponse.ok(Self.webFormJSON(try await svc.save(req.parameters.get("id", as: UUID.self) ?? UUID(), b.input)))
    }
}
