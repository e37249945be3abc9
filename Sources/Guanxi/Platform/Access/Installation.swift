import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Questions about the installation as a whole, asked before any organisation or actor exists.
enum Installation {
    static func isSetUp(on db: Database) async throws -> Bool {
        try await Organization.query(on: db).exists()
    }

    /// Accounts are unique across organisations, so signing in needs only the account name.
    static func accountTaken(_ account: String, except id: UUID? = nil, on db: Database) async throws -> Bool {
        let q = User.query(on: db).filter(\.$account == account)
        if let id { q.filter(\.$id != id) }
        return try await q.exists()
    }
}

/// Remembers that set-up is done, so the gate stops asking the database.
final class SetupFlag: Sendable {
    private let box = NIOLockedValueBox(false)
    func load() -> Bool { box.withLockedValue { $0 } }
    func store(_ v: Bool) { box.withLockedValue { $0 = v } }
}

struct SetupFlagKey: StorageKey { typealias Value = SetupFlag }

extension Application {
    var setupDone: SetupFlag {
        if let f = storage[SetupFlagKey.self] { return f }
        let f = SetupFlag()
        storage[SetupFlagKey.self] = f
        return f
    }
}

/// For scheduled jobs that act as the system inside one organisation: no user, so no data scope,
/// but never across organisations.
enum SystemAccess {
    static func organizations(on db: Database) async throws -> [Organization] {
        try await Organization.query(on: db).rows()
    }

    /// A web-to-lead form by its public token, whichever organisation it belongs to.
    static func webForm(token: String, on db: Database) async throws -> WebForm? {
        try await WebForm.query(on: db).filter(\.$token == token).firstRow()
    }

    /// An approver's task by its id, whichever organisation it belongs to: the email link names it,
    /// and the caller checks the link's token against the task before anything else.
    static func approvalTask(_ id: UUID, on db: Database) async throws -> ApprovalTask? {
        try await ApprovalTask.query(on: db).filter(\.$id == id).firstRow()
    }

    static func inOrg<M: OrgScoped>(_ type: M.Type, _ orgID: UUID, on db: Database) -> QueryBuilder<M> {
        let query = M.query(on: db).filter(.path(["org_id"], schema: M.schema), .equal, .bind(orgID))
        if M.self is any SoftDeleted.Type { query.filter(.path(["deleted_at"], schema: M.schema), .equal, .null).withDeleted() }
        return query
    }
}
