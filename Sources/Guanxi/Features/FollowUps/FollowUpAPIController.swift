import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1 follow-ups: a customer's timeline, lists in scope, the due list, comments and templates.
struct FollowUpAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", ":id", "follow-ups", use: timeline)
        routes.post("customers", ":id", "follow-ups", use: create)
        routes.get("follow-ups", use: index)
        routes.get("follow-ups", "due", use: due)
        routes.get("follow-ups", ":id", use: show)
        routes.patch("follow-ups", ":id", use: update)
        routes.delete("follow-ups", ":id", use: delete)
        routes.get("follow-ups", ":id", "comments", use: comments)
        routes.post("follow-ups", ":id", "comments", use: comment)
        routes.get("follow-up-templates", use: templates)
    }

    struct FollowUpDTO: Content {
        var id: UUID
        var customerID: UUID
        var contactID: UUID?
        var ownerID: UUID
        var method: String
        var content: String
        var result: String?
        var happenedAt: Date
        var nextContactOn: String?
        var nextPlan: String?

        init(_ f: FollowUp) {
            id = f.id!
            customerID = f.customerID
            contactID = f.contactID
            ownerID = f.ownerID
            method = f.method
            content = f.content
            result = f.result
            happenedAt = f.happenedAt
            nextContactOn = f.nextContactOn
            nextPlan = f.nextPlan
        }

        /// The JSON `Content` would write (absent optionals left out, times in ISO 8601), written without
        /// JSONEncoder: encoding a day's hundred due follow-ups through it was an eighth of the request.
        var json: JSONValue {
            var pairs: [(String, JSONValue)] = [("id", .string(id.uuidString)), ("customerID", .string(customerID.uuidString))]
            if let contactID { pairs.append(("contactID", .string(contactID.uuidString))) }
            pairs += [("ownerID", .string(ownerID.uuidString)), ("method", .string(method)), ("content", .string(content))]
            if let result { pairs.append(("result", .string(result))) }
            pairs.append(("happenedAt", .string(ISO8601.string(happenedAt))))
            if let nextContactOn { pairs.append(("nextContactOn", .string(nextContactOn))) }
            if let nextPlan { pairs.append(("nextPlan", .string(nextPlan))) }
            return .object(pairs)
        }
    }

    static func page(_ items: [FollowUp], next: PageCursor?) -> Response {
        var pairs: [(String, JSONValue)] = [("items", .array(items.map { FollowUpDTO($0).json }))]
        if let next { pairs.append(("nextCursor", .string(next.token))) }
        return JSONResponse.ok(.object(pairs))
    }

    struct CommentDTO: Content {
        var id: UUID
        var authorID: UUID
        var authorName: String
        var content: String
        var createdAt: Date

        init(_ c: FollowUpComment) {
            id = c.id!
            authorID = c.authorID
            authorName = c.authorName
            content = c.content
            createdAt = c.createdAt
        }
    }

    struct TemplateDTO: Content {
        var id: UUID
        var name: String
        var method: String?
        var content: String
    }

    func service(_ req: Request) throws -> FollowUpService {
        FollowUpService(db: req.db, actor: try req.actor, now: req.now, writer: req.application.followUpWriter)
    }

    func cursor(_ req: Request) throws -> PageCursor? {
        guard let raw = Check.clean(try? req.query.get(String.self, at: "cursor")) else { return nil }
        guard let c = PageCursor(token: raw) else { throw AppError.badRequest("error.badParameter") }
        return c
    }

    @Sendable func timeline(req: Request) async throws -> Response {
        let page = try await service(req).timeline(customerID: req.parameters.get("id", as: UUID.self), before: try cursor(req))
        return Self.page(page.items, next: page.next)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let f = try await service(req).create(customerID: req.parameters.get("id", as: UUID.self), try req.content.decode(FollowUpService.Input.self))
        return JSONResponse.ok(FollowUpDTO(f).json, status: .created)
    }

    @Sendable func index(req: Request) async throws -> Response {
        let page = try await service(req).list(try FollowUpListParams.parse(req, actor: try req.actor))
        return Self.page(page.items, next: page.next)
    }

    @Sendable func due(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .followUps)
        return JSONResponse.ok(.array(try await service(req).due(on: CalendarDate.of(req.now, in: actor.org.timeZone)).map { FollowUpDTO($0).json }))
    }

    @Sendable func show(req: Request) async throws -> FollowUpDTO {
        FollowUpDTO(try await service(req).visible(req.parameters.get("id", as: UUID.self)))
    }

    @Sendable func update(req: Request) async throws -> FollowUpDTO {
        let actor = try req.actor
        let f = try await actor.find(FollowUp.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        // Absent members stay as they are; an empty string clears an optional one.
        let b = try req.content.decode(FollowUpService.Input.self)
        let input = FollowUpService.Input(
            method: b.method ?? f.method, content: b.content ?? f.content, result: b.result ?? f.result,
            happenedAt: b.happenedAt ?? ISO8601.string(f.happenedAt), nextContactOn: b.nextContactOn ?? f.nextContactOn,
            nextPlan: b.nextPlan ?? f.nextPlan, contactID: b.contactID ?? f.contactID?.uuidString, templateID: nil)
        return FollowUpDTO(try await service(req).update(f.id, input))
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func comments(req: Request) async throws -> [CommentDTO] {
        let svc = try service(req)
        let f = try await svc.visible(req.parameters.get("id", as: UUID.self))
        return (try await svc.comments([f.id!])[f.id!] ?? []).map(CommentDTO.init)
    }

    @Sendable func comment(req: Request) async throws -> Response {
        struct CommentBody: Content { var content: String? }
        let c = try await service(req).comment(req.parameters.get("id", as: UUID.self), content: try req.content.decode(CommentBody.self).content)
        return try await CommentDTO(c).encodeResponse(status: .created, for: req)
    }

    @Sendable func templates(req: Request) async throws -> [TemplateDTO] {
        let actor = try req.actor
        return try await FollowUpTemplateService(db: req.db, actor: actor, now: req.now).list()
            .map { TemplateDTO(id: $0.id!, name: $0.name, method: $0.method, content: $0.content) }
    }
}
