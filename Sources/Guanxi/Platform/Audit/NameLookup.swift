import Fluent
import Foundation
import GuanxiCore

/// Turns user and department ids in audit values into names, in two queries.
struct NameLookup {
    var users: [UUID: String] = [:]
    var departments: [UUID: String] = [:]

    static func load(for entries: [AuditEntry], orgID: UUID, extraUsers: [UUID] = [], extraDepartments: [UUID] = [],
                     on db: Database) async throws -> NameLookup {
        let ids = Set(entries.flatMap { [$0.oldValue, $0.newValue] }.compactMap { $0.flatMap(UUID.init(uuidString:)) })
        let userIDs = Array(ids.union(extraUsers))
        let deptIDs = Array(ids.union(extraDepartments))
        var lookup = NameLookup()
        if !userIDs.isEmpty {
            for u in try await User.query(on: db).filter(\.$orgID == orgID).filter(\.$id ~~ userIDs).rows() { lookup.users[u.id!] = u.name }
        }
        if !deptIDs.isEmpty {
            for d in try await Department.query(on: db).filter(\.$orgID == orgID).filter(\.$id ~~ deptIDs).rows() { lookup.departments[d.id!] = d.name }
        }
        return lookup
    }

    func display<M>(field kind: EntityField<M>.Kind?, _ value: String) -> String {
        guard let id = UUID(uuidString: value) else { return value }
        switch kind {
        case .user: return users[id] ?? value
        case .department: return departments[id] ?? value
        default: return users[id] ?? departments[id] ?? value
        }
    }
}
