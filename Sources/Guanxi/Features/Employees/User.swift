import Fluent
import Foundation
import GuanxiCore

/// An employee with a sign-in account (员工/用户).
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    enum Status: String, Codable, CaseIterable, Sendable {
        case active, disabled, left
        var labelKey: String { "userStatus.\(rawValue)" }
    }

    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "account") var account: String
    @Field(key: "name") var name: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "mobile") var mobile: String?
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "status") var status: Status
    @OptionalField(key: "locale") var locale: String?
    /// The home dashboard's widgets in order ("numbers,due,…"); nil for the defaults.
    @OptionalField(key: "dashboard") var dashboard: String?
    /// Wants an email copy of each notification (when the server has mail configured).
    @OptionalField(key: "notify_by_email") var notifyByEmail: Bool?
    @Field(key: "failed_attempts") var failedAttempts: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?

    // relationships
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "supervisor_id") var supervisorID: UUID?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $createdAt, $updatedAt, $account, $name, $email, $mobile, $passwordHash, $status, $locale, $dashboard,
         $notifyByEmail, $failedAttempts, $lockedUntil, $departmentID, $supervisorID]
    }

    init(orgID: UUID, account: String, name: String, passwordHash: String, departmentID: UUID?, supervisorID: UUID?) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.account = account
        self.name = name
        self.passwordHash = passwordHash
        self.status = .active
        self.failedAttempts = 0
        self.departmentID = departmentID
        self.supervisorID = supervisorID
    }

    var appLocale: AppLocale? { locale.flatMap(AppLocale.init(rawValue:)) }
}

/// Which roles a user holds.
final class UserRole: Model, @unchecked Sendable {
    static let schema = "user_roles"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role_id") var roleID: UUID

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $userID, $roleID] }

    init(orgID: UUID, userID: UUID, roleID: UUID) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.userID = userID
        self.roleID = roleID
    }
}
