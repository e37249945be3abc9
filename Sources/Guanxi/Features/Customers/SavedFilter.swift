import Fluent
import Foundation
import GuanxiCore
import Vapor

/// A saved list filter (场景): a name and the list's query string, per user.
final class SavedFilter: Model, @unchecked Sendable {
    static let schema = "saved_filters"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "entity") var entity: String
    @Field(key: "name") var name: String
    @Field(key: "query") var query: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $userID, $entity, $name, $query, $createdAt] }
}

extension SavedFilter: OrgScoped {}

struct SavedFilterPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.post("customers", "filters", use: save)
        routes.post("customers", "filters", ":id", "delete", use: delete)
    }

    static func list(_ actor: Actor, on db: Database) async throws -> [SavedFilter] {
        try await actor.inOrg(SavedFilter.self, on: db).filter(\.$userID == actor.userID).filter(\.$entity == Customer.entity).sort(\.$name).limit(50).rows()
    }

    @Sendable func save(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        var errors = FieldErrors()
        let name = Check.required(try? req.content.get(String.self, at: "name"), "name", max: 30, into: &errors)
        let query = (try? req.content.get(String.self, at: "query")) ?? ""
        guard errors.isEmpty, query.count <= 2000, !query.contains("cursor=") else {
            return req.redirect(Paths.customers + (query.isEmpty ? "" : "?" + query), flash: Flash(.error, errors.messages.values.first ?? "error.badParameter"))
        }
        let f = SavedFilter()
        f.id = UUID.v7(at: req.now)
        f.orgID = actor.orgID
        f.userID = actor.userID
        f.entity = Customer.entity
        f.name = name
        f.query = query
        f.createdAt = req.now
        try await req.db.writeTransaction { tx in try await f.create(on: tx) }
        return req.redirect(Paths.customers + "?" + query, flash: Flash(.success, "flash.saved"))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let id = req.parameters.get("id", as: UUID.self),
              let f = try await actor.inOrg(SavedFilter.self, on: req.db).filter(\.$id == id).filter(\.$userID == actor.userID).firstRow() else { throw AppError.notFound }
        try await req.db.writeTransaction { tx in try await f.delete(on: tx) }
        return req.redirect(Paths.customers, flash: Flash(.success, "flash.deleted"))
    }
}
