import Fluent
import Foundation
import GuanxiCore

/// A message in a user's notification centre (提醒消息). The text is a translation key with arguments,
/// so each user reads it in their own language.
final class UserNotification: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "message_key") var messageKey: String
    @Field(key: "args") var args: [String]
    @OptionalField(key: "link") var link: String?
    /// The same reminder is created once (e.g. one warning per customer and due date).
    @OptionalField(key: "dedupe_key") var dedupeKey: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    /// The email copy: nil when none is wanted, else queued, sent or failed (after a few attempts).
    @OptionalField(key: "mail_state") var mailState: MailState?
    @OptionalField(key: "mail_attempts") var mailAttempts: Int?
    @OptionalField(key: "mail_error") var mailError: String?
    /// A link for the email copy only (an approval's signed link); dropped once the copy is sent or given up.
    @OptionalField(key: "mail_link") var mailLink: String?

    enum MailState: String, Codable, Sendable { case queued, sent, failed }

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $userID, $kind, $messageKey, $args, $link, $dedupeKey, $createdAt, $readAt, $mailState, $mailAttempts,
         $mailError, $mailLink]
    }

    init(orgID: UUID, userID: UUID, kind: String, messageKey: String, args: [String], link: String?, dedupeKey: String?, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.userID = userID
        self.kind = kind
        self.messageKey = messageKey
        self.args = args
        self.link = link
        self.dedupeKey = dedupeKey
        self.createdAt = at
    }

    func text(_ t: Translator) -> String {
        var s = t(messageKey)
        for (i, a) in args.enumerated() { s = s.replacingOccurrences(of: "{\(i)}", with: a) }
        return s
    }
}

extension UserNotification: OrgScoped {}

enum Notifier {
    /// Adds a notification unless one with the same dedupe key exists for the user.
    @discardableResult
    static func send(_ n: UserNotification, on db: Database) async throws -> Bool {
        if let key = n.dedupeKey,
           try await UserNotification.query(on: db).filter(\.$userID == n.userID).filter(\.$dedupeKey == key).exists() {
            return false
        }
        // The copy is queued with the notification, in its transaction; the mail job sends it.
        if try await User.query(on: db).filter(\.$id == n.userID).filter(\.$notifyByEmail == true).filter(\.$email != nil).countRows() > 0 {
            n.mailState = .queued
        }
        if n.mailState != .queued { n.mailLink = nil }
        try await n.create(on: db)
        return true
    }

    /// The bell's count for the user a row names in its `user_id`, as a column of that row: up to 100,
    /// as the bell shows "99+" beyond 99.
    static func unreadColumn(of schema: String) -> (name: String, sql: String) {
        ("unread", """
            (SELECT COUNT(*) FROM (SELECT 1 FROM \(UserNotification.schema) WHERE user_id = "\(schema)"."user_id" AND read_at IS NULL LIMIT 100) u)
            """)
    }

    static func unreadCount(userID: UUID, on db: Database) async throws -> Int {
        try await UserNotification.query(on: db).filter(\.$userID == userID).filter(\.$readAt == nil).countRows()
    }
}
