import Fluent
import Foundation
import GuanxiCore

/// A ready-made follow-up text (跟进模板) the organisation keeps for common contacts.
final class FollowUpTemplate: Model, @unchecked Sendable {
    static let schema = "follow_up_templates"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "name") var name: String
    @OptionalField(key: "method") var method: String?
    @Field(key: "content") var content: String

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $createdAt, $name, $method, $content] }

    init(orgID: UUID, name: String, method: String?, content: String) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.name = name
        self.method = method
        self.content = content
    }
}

extension FollowUpTemplate: OrgScoped {}

/// Administrators keep the templates; everyone who records follow-ups picks from them.
struct FollowUpTemplateService {
    let db: Database
    let actor: Actor
    let now: Date

    func list() async throws -> [FollowUpTemplate] {
        try await actor.shared("followUpTemplates") { try await actor.inOrg(FollowUpTemplate.self, on: db).sort(\.$name).limit(200).rows() }
    }

    func create(name: String?, method: String?, content: String?) async throws -> FollowUpTemplate {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let name = Check.required(name, "name", max: 50, into: &errors)
        let content = Check.required(content, "content", max: 4000, into: &errors)
        let method = Check.clean(method)
        if let m = method, try await !DictionaryService(db: db, actor: actor, now: now).isValid(.followUpMethod, m) { errors.add("method", "error.invalidOption") }
        if try await actor.inOrg(FollowUpTemplate.self, on: db).filter(\.$name == name).exists() { errors.add("name", "error.nameTaken") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let t = FollowUpTemplate(orgID: actor.orgID, name: name, method: method, content: content)
        try await db.writeTransaction { [actor, now] tx in
            try await t.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created("followUpTemplate", t.id!, ["name": name, "method": method ?? "", "content": content])
        }
        return t
    }

    func delete(_ id: UUID?) async throws {
        try actor.require(.edit, .admin)
        guard let id, let t = try await actor.inOrg(FollowUpTemplate.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        try await db.writeTransaction { [actor, now] tx in
            try await t.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("followUpTemplate", id, .delete, old: t.name)
        }
    }
}
