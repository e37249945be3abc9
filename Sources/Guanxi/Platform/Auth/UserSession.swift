import Fluent
import Foundation
import GuanxiCore

/// A signed-in browser. Kept in the database so sessions survive restarts and work on every app node;
/// the cookie holds a random token and only its SHA-256 is stored.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "user_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "ip") var ip: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $userID, $tokenHash, $ip, $userAgent, $createdAt, $lastSeenAt, $expiresAt, $revokedAt]
    }

    init(orgID: UUID, userID: UUID, tokenHash: String, ip: String?, userAgent: String?, now: Date, lifetime: TimeInterval) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.userID = userID
        self.tokenHash = tokenHash
        self.ip = ip
        self.userAgent = userAgent
        self.createdAt = now
        self.lastSeenAt = now
        self.expiresAt = now.addingTimeInterval(lifetime)
    }
}

/// A personal API token (bearer) created in the profile page.
final class ApiToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The first characters, shown so a user can tell tokens apart.
    @Field(key: "prefix") var prefix: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $userID, $name, $tokenHash, $prefix, $createdAt, $lastUsedAt, $revokedAt] }

    init(orgID: UUID, userID: UUID, name: String, tokenHash: String, prefix: String, now: Date) {
        self.id = UUID.v7(at: now)
        self.orgID = orgID
        self.userID = userID
        self.name = name
        self.tokenHash = tokenHash
        self.prefix = prefix
        self.createdAt = now
    }
}

/// One sign-in attempt (登录日志).
final class LoginRecord: Model, @unchecked Sendable {
    static let schema = "login_records"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "org_id") var orgID: UUID?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "account") var account: String
    @Field(key: "success") var success: Bool
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "ip") var ip: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @Field(key: "at") var at: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $userID, $account, $success, $reason, $ip, $userAgent, $at] }

    init(orgID: UUID?, userID: UUID?, account: String, success: Bool, reason: String?, ip: String?, userAgent: String?, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.userID = userID
        self.account = account
        self.success = success
        self.reason = reason
        self.ip = ip
        self.userAgent = userAgent
        self.at = at
    }
}

extension LoginRecord {
    /// Login records may have no organisation (unknown accounts); admins see their own organisation's.
    static func inOrg(of actor: Actor, on db: Database) -> QueryBuilder<LoginRecord> {
        LoginRecord.query(on: db).filter(\.$orgID == actor.orgID)
    }
}
