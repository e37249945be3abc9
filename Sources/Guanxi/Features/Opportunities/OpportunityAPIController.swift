import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/opportunities, their stage moves, lines and analyses, and /api/v1/opportunity-stages.
struct OpportunityAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("opportunities", use: index)
        routes.post("opportunities", use: create)
        routes.get("opportunities", "board", use: board)
        routes.get("opportunities", "funnel", use: funnel)
        routes.get("opportunities", "forecast", use: forecast)
        routes.get("opportunities", ":id", use: show)
        routes.patch("opportunities", ":id", use: update)
        routes.delete("opportunities", ":id", use: delete)
        routes.post("opportunities", ":id", "stage", use: move)
        routes.post("opportunities", ":id", "close", use: close)
        routes.get("opportunities", ":id", "stage-history", use: history)
        routes.get("opportunities", ":id", "lines", use: lines)
        routes.post("opportunities", ":id", "lines", use: addLine)
        routes.delete("opportunities", ":id", "lines", ":line", use: removeLine)
        routes.get("opportunities", ":id", "contacts", use: contacts)
        routes.post("opportunities", ":id", "contacts", use: addContact)
        routes.delete("opportunities", ":id", "contacts", ":contact", use: removeContact)
        routes.get("opportunity-stages", use: stages)
        routes.post("opportunity-stages", use: addStage)
        routes.patch("opportunity-stages", ":id", use: updateStage)
    }

    func service(_ req: Request) throws -> OpportunityService { OpportunityService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ o: Opportunity, actor: Actor) -> JSONValue {
        var extra: [(String, JSONValue)] = [
            ("stageID", .string(o.stageID.uuidString)), ("status", .string(o.status)), ("probability", .int(o.probability)),
            ("weightedAmount", .int(Int(o.weighted))), ("stageChangedAt", .string(ISO8601.string(o.stageChangedAt))),
        ]
        if let c = o.contactID { extra.append(("contactID", .string(c.uuidString))) }
        if let d = o.closedOn { extra.append(("closedOn", .string(d))) }
        if let r = o.lostReason { extra.append(("lostReason", .string(r))) }
        if let n = o.closeNote { extra.append(("closeNote", .string(n))) }
        if let d = o.departmentID { extra.append(("departmentID", .string(d.uuidString))) }
        return actor.definition(Opportunity.definition).json(o, id: o.id!, actor: actor, extra: extra)
    }

    static let extraKeys: Set<String> = ["stageID", "ownerID", "contactID"]

    static func input(_ req: Request, actor: Actor, creating: Bool) throws -> (EntityInput, OpportunityService.Extra) {
        guard let body = try req.content.decode(JSONInput.self).object else { throw AppError.badRequest() }
        var input = actor.definition(Opportunity.definition).input(json: body, actor: actor, extraKeys: extraKeys)
        var extra = OpportunityService.Extra()
        for key in ["stageID", "ownerID", "contactID"] {
            let value: String?
            switch body[key] {
            case nil: continue
            case .null?: value = ""
            case .string(let s)?: value = s
            default: input.errors.add(key, "error.badValue"); continue
            }
            switch key {
            case "stageID":
                if creating { extra.stageID = value } else { input.errors.add(key, "error.useStageMove") }
            case "ownerID": extra.ownerID = value
            default: extra.contactID = value
            }
        }
        return (input, extra)
    }

    /// The API names references by their ids (`customerID`), as its bodies do.
    static func apiNames<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var e as AppError where e.status == .unprocessableEntity {
            e.fields = Dictionary(e.fields.map { ($0.key == "customer" ? "customerID" : $0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            throw e
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let page = try await svc.list(try OpportunityParams.list(req, views: svc.views))
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { Self.json($0, actor: actor) }))]
        if let next = page.next { pairs.append(("nextCursor", .string(next.token))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .opportunities)
        let (input, extra) = try Self.input(req, actor: actor, creating: true)
        let svc = try service(req)
        return JSONResponse.ok(Self.json(try await Self.apiNames { try await svc.create(input, extra) }, actor: actor), status: .created)
    }

    @Sendable func show(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).get(req.parameters.get("id", as: UUID.self)), actor: try req.actor))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let (input, extra) = try Self.input(req, actor: actor, creating: false)
        if !input.errors.isEmpty { throw AppError.invalid(input.errors) }
        return JSONResponse.ok(Self.json(try await Self.apiNames { try await svc.update(id, input, extra) }, actor: actor))
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func move(req: Request) async throws -> Response {
        struct Body: Content { var stageID: String? }
        let b = try req.content.decode(Body.self)
        return JSONResponse.ok(Self.json(try await service(req).move(req.parameters.get("id", as: UUID.self), stage: b.stageID), actor: try req.actor))
    }

    @Sendable func close(req: Request) async throws -> Response {
        struct Body: Content { var status: String?; var lostReason: String?; var note: String?; var stageID: String? }
        let b = try req.content.decode(Body.self)
        let o = try await service(req).close(req.parameters.get("id", as: UUID.self), .init(status: b.status, lostReason: b.lostReason, note: b.note, stageID: b.stageID))
        return JSONResponse.ok(Self.json(o, actor: try req.actor))
    }

    struct ChangeDTO: Content {
        var fromStageID: UUID?
        var toStageID: UUID
        var fromStatus: String?
        var toStatus: String
        var amount: Int64
        var changedBy: UUID
        var changedAt: Date
    }

    @Sendable func history(req: Request) async throws -> [ChangeDTO] {
        let svc = try service(req)
        let o = try await svc.get(req.parameters.get("id", as: UUID.self))
        return try await svc.stageHistory(o.id!).map {
            ChangeDTO(fromStageID: $0.fromStageID, toStageID: $0.toStageID, fromStatus: $0.fromStatus, toStatus: $0.toStatus, amount: $0.amount,
                      changedBy: $0.changedBy, changedAt: $0.changedAt)
        }
    }

    struct LineDTO: Content {
        var id: UUID
        var productID: UUID
        var quantity: Int64
        var unit: String?
        var price: Int64
        var total: Int64

        init(_ l: OpportunityLine) {
            id = l.id!
            productID = l.productID
            quantity = l.quantity
            unit = l.unit
            price = l.price
            total = l.total
        }
    }

    @Sendable func lines(req: Request) async throws -> [LineDTO] {
        let svc = try service(req)
        let o = try await svc.get(req.parameters.get("id", as: UUID.self))
        return try await svc.lines(o.id!).map(LineDTO.init)
    }

    @Sendable func addLine(req: Request) async throws -> Response {
        struct Body: Content { var productID: String?; var quantity: Int64?; var unit: String?; var price: Int64? }
        let b = try req.content.decode(Body.self)
        let line = try await service(req).addLine(req.parameters.get("id", as: UUID.self),
                                                  .init(productID: b.productID, quantity: b.quantity.map(String.init), unit: b.unit, price: b.price.map(String.init)),
                                                  priceInFen: true)
        return try await LineDTO(line).encodeResponse(status: .created, for: req)
    }

    @Sendable func removeLine(req: Request) async throws -> HTTPStatus {
        try await service(req).removeLine(req.parameters.get("id", as: UUID.self), line: req.parameters.get("line", as: UUID.self))
        return .noContent
    }

    static func contactJSON(_ i: OpportunityService.Involved) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("contactID", .string(i.contact.id!.uuidString)), ("name", .string(i.contact.name)), ("isKey", .bool(i.isKey))]
        if let r = i.role { pairs.append(("role", .string(r))) }
        return .object(pairs)
    }

    @Sendable func contacts(req: Request) async throws -> Response {
        let svc = try service(req)
        let o = try await svc.get(req.parameters.get("id", as: UUID.self))
        return JSONResponse.ok(.array(try await svc.contacts(o).map(Self.contactJSON)))
    }

    @Sendable func addContact(req: Request) async throws -> Response {
        struct Body: Content { var contactID: String?; var role: String? }
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let b = try req.content.decode(Body.self)
        _ = try await svc.addContact(id, contactID: b.contactID, role: b.role)
        return JSONResponse.ok(.array(try await svc.contacts(try await svc.get(id)).map(Self.contactJSON)), status: .created)
    }

    @Sendable func removeContact(req: Request) async throws -> HTTPStatus {
        try await service(req).removeContact(req.parameters.get("id", as: UUID.self), contactID: req.parameters.get("contact", as: UUID.self))
        return .noContent
    }

    struct ColumnDTO: Content {
        var stageID: UUID
        var name: String
        var probability: Int
        var count: Int
        var amount: Int64
        var weightedAmount: Int64
        var cards: [CardDTO]
    }

    struct CardDTO: Content {
        var id: UUID
        var name: String
        var customerID: UUID
        var amount: Int64
        var expectedCloseOn: String?
        var ownerID: UUID
    }

    @Sendable func board(req: Request) async throws -> [ColumnDTO] {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        let svc = try service(req)
        return try await svc.board(try OpportunityParams.view(req, views: svc.views)).map { c in
            ColumnDTO(stageID: c.stage.id!, name: c.stage.label(actor.locale), probability: c.stage.probability, count: c.count, amount: c.amount,
                      weightedAmount: c.weighted, cards: c.cards.map {
                          CardDTO(id: $0.id!, name: $0.name, customerID: $0.customerID, amount: $0.amount, expectedCloseOn: $0.expectedCloseOn, ownerID: $0.ownerID)
                      })
        }
    }

    struct FunnelDTO: Content {
        struct Row: Content {
            var stageID: UUID
            var name: String
            var count: Int
            var amount: Int64
            var weightedAmount: Int64
            var reached: Int
            var conversionPermille: Int
        }
        var stages: [Row]
        var wonCount: Int
        var wonAmount: Int64
        var lostCount: Int
        var lostAmount: Int64
    }

    @Sendable func funnel(req: Request) async throws -> FunnelDTO {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        let svc = try service(req)
        let from = try Self.date(req, "from"), to = try Self.date(req, "to")
        guard (from == nil) == (to == nil) else { throw AppError.badRequest("error.badParameter") }
        let f = try await svc.funnel(try OpportunityParams.view(req, views: svc.views), closedFrom: from, closedTo: to)
        return FunnelDTO(stages: f.rows.map { s, r in
            .init(stageID: s.id!, name: s.label(actor.locale), count: r.count, amount: r.amount, weightedAmount: r.weighted, reached: r.reached,
                  conversionPermille: r.conversionPermille)
        }, wonCount: f.won.count, wonAmount: f.won.amount, lostCount: f.lost.count, lostAmount: f.lost.amount)
    }

    struct MonthDTO: Content {
        var month: String
        var count: Int
        var amount: Int64
        var weightedAmount: Int64
        var wonAmount: Int64
    }

    @Sendable func forecast(req: Request) async throws -> [MonthDTO] {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        let svc = try service(req)
        let month = Check.clean(try? req.query.get(String.self, at: "month")) ?? String(CalendarDate.of(req.now, in: actor.org.timeZone).prefix(7))
        guard month.count == 7, CalendarDate.isValid(month + "-01") else { throw AppError.badRequest("error.badParameter") }
        let months = try (try? req.query.get(String.self, at: "months")).map { raw -> Int in
            guard let n = Int(raw), (1...24).contains(n) else { throw AppError.badRequest("error.badParameter") }
            return n
        } ?? 6
        return try await svc.forecast(try OpportunityParams.view(req, views: svc.views), fromMonth: month, months: months).map {
            MonthDTO(month: $0.month, count: $0.count, amount: $0.amount, weightedAmount: $0.weighted, wonAmount: $0.won)
        }
    }

    static func date(_ req: Request, _ key: String) throws -> String? {
        guard let raw = Check.clean(try? req.query.get(String.self, at: key)) else { return nil }
        guard CalendarDate.isValid(raw) else { throw AppError.badRequest("error.badParameter") }
        return raw
    }

    struct StageDTO: Content {
        var id: UUID
        var name: String
        var nameEn: String?
        var probability: Int
        var sortOrder: Int
        var isActive: Bool

        init(_ s: OpportunityStage) {
            id = s.id!
            name = s.name
            nameEn = s.nameEn
            probability = s.probability
            sortOrder = s.sortOrder
            isActive = s.isActive
        }
    }

    struct StageBody: Content {
        var name: String?
        var nameEn: String?
        var probability: Int?
        var sortOrder: Int?
        var isActive: Bool?
    }

    @Sendable func stages(req: Request) async throws -> [StageDTO] {
        let actor = try req.actor
        try actor.require(.view, .opportunities)
        return try await service(req).stages(includeInactive: true).map(StageDTO.init)
    }

    @Sendable func addStage(req: Request) async throws -> Response {
        let b = try req.content.decode(StageBody.self)
        let s = try await service(req).saveStage(nil, .init(name: b.name, nameEn: b.nameEn, probability: b.probability.map(String.init),
                                                             sortOrder: b.sortOrder.map(String.init), isActive: true))
        return try await StageDTO(s).encodeResponse(status: .created, for: req)
    }

    /// Changes a stage; fields left out keep their value.
    @Sendable func updateStage(req: Request) async throws -> StageDTO {
        let svc = try service(req)
        try svc.actor.require(.edit, .admin)
        let b = try req.content.decode(StageBody.self)
        guard let id = req.parameters.get("id", as: UUID.self),
              let s = try await svc.stages(includeInactive: true).first(where: { $0.id == id }) else { throw AppError.notFound }
        return StageDTO(try await svc.saveStage(id, .init(name: b.name ?? s.name, nameEn: b.nameEn ?? s.nameEn, probability: String(b.probability ?? s.probability),
                                                          sortOrder: String(b.sortOrder ?? s.sortOrder), isActive: b.isActive ?? s.isActive)))
    }
}
