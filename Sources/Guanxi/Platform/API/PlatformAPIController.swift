import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /api/v1/me, the organisation's departments and users, and the recycle bin.
struct PlatformAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("me", use: me)
        routes.patch("me", use: updateMe)
        routes.get("departments", use: departments)
        routes.get("users", use: users)
        routes.get("recycle-bin", use: recycleBin)
        routes.post("recycle-bin", ":entity", ":id", "restore", use: restore)
        routes.delete("recycle-bin", ":entity", ":id", use: purge)
    }

    struct MeDTO: Content {
        var id: UUID
        var name: String
        var account: String
        var organizationID: UUID
        var organizationName: String
        var locale: String
        var permissions: [String: [String]]
        var scopes: [String: String]
        var email: String?
        var notifyByEmail: Bool
    }

    struct DepartmentDTO: Content {
        var id: UUID
        var name: String
        var parentID: UUID?
        var depth: Int
        var isActive: Bool
    }

    struct UserSummaryDTO: Content {
        var id: UUID
        var name: String
        var account: String
        var departmentID: UUID?
        var supervisorID: UUID?
        var status: String
    }

    struct DeletedItemDTO: Content {
        var entity: String
        var id: UUID
        var title: String
        var deletedAt: Date?
        var deletedBy: UUID?
    }

    /// Email copies of notifications on or off.
    @Sendable func updateMe(req: Request) async throws -> MeDTO {
        struct Body: Content { var notifyByEmail: Bool? }
        if let on = try req.content.decode(Body.self).notifyByEmail {
            try await ProfileService(db: req.db, actor: try req.actor, now: req.now).setNotifyByEmail(on)
        }
        return try await me(req: req)
    }

    @Sendable func me(req: Request) async throws -> MeDTO {
        let a = try req.actor
        let user = try await a.inOrg(User.self, on: req.db).filter(\.$id == a.userID).firstRow()
        var perms: [String: [String]] = [:]
        var scopes: [String: String] = [:]
        for m in Module.allCases {
            let granted = m.actions.filter { a.can($0, m) }.map(\.rawValue)
            if !granted.isEmpty { perms[m.rawValue] = granted }
            if m.isScoped, !granted.isEmpty { scopes[m.rawValue] = a.policy.scope(for: m).rawValue }
        }
        return MeDTO(id: a.userID, name: a.name, account: a.account, organizationID: a.orgID, organizationName: a.org.name,
                     locale: a.locale.rawValue, permissions: perms, scopes: scopes, email: user?.email, notifyByEmail: user?.notifyByEmail == true)
    }

    @Sendable func departments(req: Request) async throws -> [DepartmentDTO] {
        let a = try req.actor
        return try await DepartmentService(db: req.db, actor: a, now: req.now).tree().map {
            DepartmentDTO(id: $0.node.id!, name: $0.node.name, parentID: $0.node.parentID, depth: $0.depth, isActive: $0.node.isActive)
        }
    }

    @Sendable func users(req: Request) async throws -> [UserSummaryDTO] {
        let a = try req.actor
        return try await a.inOrg(User.self, on: req.db).sort(\.$name).limit(5000).rows().map {
            UserSummaryDTO(id: $0.id!, name: $0.name, account: $0.account, departmentID: $0.departmentID, supervisorID: $0.supervisorID,
                           status: $0.status.rawValue)
        }
    }

    @Sendable func recycleBin(req: Request) async throws -> [DeletedItemDTO] {
        let a = try req.actor
        try a.require(.view, .admin)
        var out: [DeletedItemDTO] = []
        for kind in RecycleBin.kinds {
            out += try await kind.list(a, req.db, 200).map { DeletedItemDTO(entity: $0.entity, id: $0.id, title: $0.title, deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        }
        return out
    }

    @Sendable func restore(req: Request) async throws -> HTTPStatus {
        let a = try req.actor
        guard let kind = req.parameters.get("entity").flatMap(RecycleBin.kind), let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        try await kind.restore(a, req.db, id, req.now)
        return .noContent
    }

    @Sendable func purge(req: Request) async throws -> HTTPStatus {
        let a = try req.actor
        guard let kind = req.parameters.get("entity").flatMap(RecycleBin.kind), let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        try await kind.purge(a, req.db, id, req.now)
        return .noContent
    }
}
