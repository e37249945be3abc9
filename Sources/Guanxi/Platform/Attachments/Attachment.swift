import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// A file attached to a record (附件, PLT-16): a product's pictures and data sheets, a customer's
/// business licence, a lead's enquiry. The bytes live in the database beside the record, so every
/// app node serves them and a backup of the database is a backup of the files.
final class Attachment: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "entity") var entity: String
    @Field(key: "record_id") var recordID: UUID
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $entity, $recordID, $fileName, $contentType, $size, $uploadedBy, $createdAt]
    }

    init(orgID: UUID, entity: String, recordID: UUID, fileName: String, contentType: String, size: Int, by: UUID, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.entity = entity
        self.recordID = recordID
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.uploadedBy = by
        self.createdAt = at
    }

    var isImage: Bool { contentType.hasPrefix("image/") }
}

extension Attachment: OrgScoped {}

/// The bytes of an attachment, kept apart so lists never read them.
final class AttachmentContent: Model, @unchecked Sendable {
    static let schema = "attachment_contents"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "data") var data: Data

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $data] }

    init(id: UUID, orgID: UUID, data: Data) {
        self.id = id
        self.orgID = orgID
        self.data = data
    }
}

extension AttachmentContent: OrgScoped {}

/// Attaching, listing, reading and removing files. Whoever may see the record sees its files;
/// whoever may change it attaches and removes them.
struct AttachmentService {
    let db: Database
    let actor: Actor
    let now: Date

    static let maxSize = 10 * 1024 * 1024
    static let maxPerRecord = 50

    /// Extensions people attach, with the type a browser is told; pictures and PDFs must also look like one.
    static let types: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
        "pdf": "application/pdf", "txt": "text/plain", "csv": "text/csv",
        "doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint", "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip": "application/zip",
    ]

    /// The entities files can be attached to, and the module whose rights decide.
    static let entities: [String: Module] = [Customer.entity: .customers, Contact.entity: .customers, Product.entity: .products,
                                             Lead.entity: .leads, Opportunity.entity: .opportunities, Quote.entity: .quotes, Contract.entity: .contracts]

    /// Refuses unless the actor may see (view) or change (anything else) the record.
    func authorize(_ entity: String, _ recordID: UUID?, _ action: Action) async throws {
        guard let recordID else { throw AppError.notFound }
        let need: Action = action == .view ? .view : .edit
        switch entity {
        case Customer.entity: _ = try await actor.find(Customer.self, recordID, for: need, on: db)
        case Contact.entity:
            guard let c = try await actor.inOrg(Contact.self, on: db).filter(\.$id == recordID).firstRow() else { throw AppError.notFound }
            _ = try await actor.find(Customer.self, c.customerID, for: need, on: db)
        case Product.entity:
            try actor.require(need, .products)
            guard try await actor.inOrg(Product.self, on: db).filter(\.$id == recordID).exists() else { throw AppError.notFound }
        case Lead.entity: _ = try await actor.find(Lead.self, recordID, for: need, on: db)
        case Opportunity.entity: _ = try await actor.find(Opportunity.self, recordID, for: need, on: db)
        case Quote.entity: _ = try await actor.find(Quote.self, recordID, for: need, on: db)
        case Contract.entity: _ = try await actor.find(Contract.self, recordID, for: need, on: db)
        default: throw AppError.badRequest("error.badParameter")
        }
    }

    func list(_ entity: String, _ recordID: UUID?) async throws -> [Attachment] {
        try await authorize(entity, recordID, .view)
        return try await actor.inOrg(Attachment.self, on: db).filter(\.$entity == entity).filter(\.$recordID == recordID!)
            .sort(\.$createdAt).limit(Self.maxPerRecord).rows()
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> Attachment {
        guard let id, let a = try await actor.inOrg(Attachment.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        try await authorize(a.entity, a.recordID, action)
        return a
    }

    func content(_ a: Attachment) async throws -> Data {
        guard let c = try await actor.inOrg(AttachmentContent.self, on: db).filter(\.$id == a.id!).firstRow() else { throw AppError.notFound }
        return c.data
    }

    /// Checks the name, size and kind of a file, then stores it with an audit entry on its record.
    func attach(_ entity: String, _ recordID: UUID?, fileName raw: String?, data: Data) async throws -> Attachment {
        try await authorize(entity, recordID, .edit)
        var errors = FieldErrors()
        let name = Self.safeName(raw)
        let ext = name.flatMap { n in n.split(separator: ".").count > 1 ? n.split(separator: ".").last.map { $0.lowercased() } : nil }
        if name == nil { errors.add("file", "error.fileName") }
        else if data.isEmpty { errors.add("file", "error.fileMissing") }
        else if data.count > Self.maxSize { errors.add("file", "error.fileTooLarge") }
        else if ext.flatMap({ Self.types[$0] }) == nil || !Self.looksLike(ext!, data) { errors.add("file", "error.attachmentType") }
        let count = try await actor.inOrg(Attachment.self, on: db).filter(\.$entity == entity).filter(\.$recordID == recordID!).countRows()
        if count >= Self.maxPerRecord { errors.add("file", "error.tooManyFiles") }
        guard errors.isEmpty, let name, let ext, let type = Self.types[ext] else { throw AppError.invalid(errors) }
        let a = Attachment(orgID: actor.orgID, entity: entity, recordID: recordID!, fileName: name, contentType: type, size: data.count, by: actor.userID, at: now)
        try await db.writeTransaction { [actor, now] tx in
            try await a.create(on: tx)
            try await AttachmentContent(id: a.id!, orgID: actor.orgID, data: data).create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(entity, recordID!, .update, field: "attachments", new: name)
        }
        return a
    }

    func delete(_ id: UUID?) async throws {
        let a = try await get(id, for: .edit)
        try await db.writeTransaction { [actor, now] tx in
            try await actor.inOrg(AttachmentContent.self, on: tx).filter(\.$id == a.id!).delete()
            try await a.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(a.entity, a.recordID, .update, field: "attachments", old: a.fileName)
        }
    }

    /// Removes the files of records being purged (part of the purge's transaction).
    static func purge(entity: String, records: [UUID], orgID: UUID, on db: Database) async throws {
        guard !records.isEmpty, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            DELETE FROM attachment_contents WHERE id IN (SELECT id FROM attachments WHERE org_id = \(bind: orgID) AND entity = \(bind: entity) AND record_id IN (\(binds: records)))
            """).run()
        try await sql.raw("DELETE FROM attachments WHERE org_id = \(bind: orgID) AND entity = \(bind: entity) AND record_id IN (\(binds: records))").run()
    }

    /// The file's own name, without any folder: a name that tries to climb out of one is refused.
    static func safeName(_ raw: String?) -> String? {
        guard let raw = Check.clean(raw), raw.count <= 200 else { return nil }
        if raw.contains("/") || raw.contains("\\") || raw.contains("..") || raw.hasPrefix(".") { return nil }
        if raw.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) { return nil }
        return raw
    }

    /// Pictures and PDFs must start as one; other kinds are served as downloads only.
    static func looksLike(_ ext: String, _ data: Data) -> Bool {
        let head = [UInt8](data.prefix(12))
        func starts(_ bytes: [UInt8]) -> Bool { head.count >= bytes.count && Array(head.prefix(bytes.count)) == bytes }
        switch ext {
        case "jpg", "jpeg": return starts([0xFF, 0xD8, 0xFF])
        case "png": return starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "gif": return starts(Array("GIF8".utf8))
        case "webp": return starts(Array("RIFF".utf8)) && head.count >= 12 && Array(head[8..<12]) == Array("WEBP".utf8)
        case "pdf": return starts(Array("%PDF".utf8))
        default: return true
        }
    }
}
