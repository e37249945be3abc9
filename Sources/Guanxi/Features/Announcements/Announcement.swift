import Fluent
import Foundation
import GuanxiCore

/// An internal announcement (内部公告, TSK-03) to everyone or to chosen people and departments.
final class Announcement: Model, @unchecked Sendable {
    static let schema = "announcements"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "author_name") var authorName: String
    /// How it was addressed, as the author chose: everyone, or these users and departments.
    @Field(key: "to_everyone") var toEveryone: Bool
    @Field(key: "published_at") var publishedAt: Date
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $title, $body, $authorID, $authorName, $toEveryone, $publishedAt, $deletedAt]
    }

    init(orgID: UUID, title: String, body: String, authorID: UUID, authorName: String, toEveryone: Bool, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.title = title
        self.body = body
        self.authorID = authorID
        self.authorName = authorName
        self.toEveryone = toEveryone
        self.publishedAt = at
    }
}

extension Announcement: OrgScoped {}

/// One recipient of an announcement; `readAt` is the read receipt.
final class AnnouncementRead: Model, @unchecked Sendable {
    static let schema = "announcement_reads"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "announcement_id") var announcementID: UUID
    @Field(key: "user_id") var userID: UUID
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $announcementID, $userID, $readAt] }

    init(orgID: UUID, announcementID: UUID, userID: UUID) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.announcementID = announcementID
        self.userID = userID
    }
}

extension AnnouncementRead: OrgScoped {}

/// Publishing and reading announcements. Administrators publish; recipients are fixed when it is
/// published (departments include those below them), each is notified and each read is recorded.
struct AnnouncementService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Input: Sendable {
        var title: String?
        var body: String?
        var everyone = true
        var userIDs: [UUID] = []
        var departmentIDs: [UUID] = []
    }

    func publish(_ input: Input) async throws -> Announcement {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let title = Check.required(input.title, "title", max: 100, into: &errors)
        let body = Check.required(input.body, "body", max: 10_000, into: &errors)
        var recipients: Set<UUID> = []
        let active = actor.inOrg(User.self, on: db).filter(\.$status == .active)
        if input.everyone {
            recipients = Set(try await active.rows().map { $0.id! })
        } else {
            var departments: Set<UUID> = []
            for d in input.departmentIDs {
                guard try await actor.inOrg(Department.self, on: db).filter(\.$id == d).exists() else { errors.add("departmentIDs", "error.invalidOption"); continue }
                departments.insert(d)
                departments.formUnion(try await Hierarchy.descendants(of: d, table: "departments", parentColumn: "parent_id", orgID: actor.orgID, on: db))
            }
            let chosen = input.userIDs.isEmpty ? [] : try await actor.inOrg(User.self, on: db).filter(\.$status == .active).filter(\.$id ~~ input.userIDs).rows()
            if chosen.count != Set(input.userIDs).count { errors.add("userIDs", "error.unknownUser") }
            recipients = Set(chosen.map { $0.id! })
            if !departments.isEmpty {
                recipients.formUnion(try await actor.inOrg(User.self, on: db).filter(\.$status == .active).filter(\.$departmentID ~~ Array(departments)).rows().map { $0.id! })
            }
            if errors.isEmpty && recipients.isEmpty { errors.add("audience", "error.noRecipients") }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let a = Announcement(orgID: actor.orgID, title: title, body: body, authorID: actor.userID, authorName: actor.name, toEveryone: input.everyone, at: now)
        try await db.writeTransaction { [actor, now, recipients] tx in
            try await a.create(on: tx)
            try await recipients.sorted { $0.uuidString < $1.uuidString }.map { AnnouncementRead(orgID: actor.orgID, announcementID: a.id!, userID: $0) }.create(on: tx)
            for user in recipients where user != actor.userID {
                try await UserNotification(orgID: actor.orgID, userID: user, kind: "announcement", messageKey: "notify.announcement", args: [title],
                                           link: Paths.announcement(a.id!), dedupeKey: "announcement:\(a.id!.uuidString)", at: now).create(on: tx)
            }
            try await Audit(actor: actor, db: tx, now: now).created("announcement", a.id!, ["title": title, "recipients": String(recipients.count)])
        }
        return a
    }

    /// Announcements addressed to the actor, newest first, with whether each was read.
    func mine(limit: Int = 50) async throws -> [(Announcement, read: Bool)] {
        let reads = try await actor.inOrg(AnnouncementRead.self, on: db).filter(\.$userID == actor.userID).rows()
        guard !reads.isEmpty else { return [] }
        let readAt = Dictionary(reads.map { ($0.announcementID, $0.readAt != nil) }) { a, _ in a }
        let items = try await actor.inOrg(Announcement.self, on: db).filter(\.$id ~~ Array(readAt.keys)).sort(\.$publishedAt, .descending).limit(limit).rows()
        return items.map { ($0, readAt[$0.id!] ?? false) }
    }

    /// Opens an announcement: recipients get a read receipt; administrators may open any.
    func open(_ id: UUID?) async throws -> Announcement {
        guard let id, let a = try await actor.inOrg(Announcement.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        let receipt = try await actor.inOrg(AnnouncementRead.self, on: db).filter(\.$announcementID == id).filter(\.$userID == actor.userID).firstRow()
        guard receipt != nil || actor.isAdmin else { throw AppError.notFound }
        if let receipt, receipt.readAt == nil {
            try await db.writeTransaction { [actor, now] tx in
                try await actor.inOrg(AnnouncementRead.self, on: tx).filter(\.$id == receipt.id!).filter(\.$readAt == nil).set(\.$readAt, to: now).update()
            }
        }
        return a
    }

    /// Who has read it and who has not (the author and administrators).
    func receipts(_ id: UUID?) async throws -> (read: [(String, Date)], unread: [String]) {
        guard let id, let a = try await actor.inOrg(Announcement.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        guard a.authorID == actor.userID || actor.isAdmin else { throw AppError.forbidden }
        let rows = try await actor.inOrg(AnnouncementRead.self, on: db).filter(\.$announcementID == id).rows()
        let names = Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: db).filter(\.$id ~~ rows.map(\.userID)).rows().map { ($0.id!, $0.name) })
        let read = rows.compactMap { r in r.readAt.map { (names[r.userID] ?? "?", $0) } }.sorted { $0.1 < $1.1 }
        let unread = rows.filter { $0.readAt == nil }.compactMap { names[$0.userID] }.sorted()
        return (read, unread)
    }
}
