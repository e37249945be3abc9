import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Designing web-to-lead forms (administrators).
struct WebFormService {
    let db: Database
    let actor: Actor
    let now: Date

    func list() async throws -> [WebForm] {
        try actor.require(.view, .admin)
        return try await actor.inOrg(WebForm.self, on: db).sort(\.$name).limit(500).rows()
    }

    func get(_ id: UUID?) async throws -> WebForm {
        try actor.require(.view, .admin)
        guard let id, let f = try await actor.inOrg(WebForm.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return f
    }

    struct Input: Sendable {
        var name: String?
        var heading: String?
        var intro: String?
        var thankYou: String?
        var fields: [String]?
        var requiredFields: [String]?
        var source: String?
        /// Empty: the assignment rules decide.
        var ownerID: String?
        var rateLimit: String?
        var isActive: Bool?
    }

    func save(_ id: UUID?, _ input: Input) async throws -> WebForm {
        try actor.require(.edit, .admin)
        let existing = try await id.asyncMap { try await get($0) }
        var errors = FieldErrors()
        let form = existing ?? WebForm(orgID: actor.orgID, name: "", token: Tokens.random(bytes: 12))
        let before = Self.values(form)
        if existing == nil || input.name != nil { form.name = Check.required(input.name, "name", max: 50, into: &errors) }
        // Without a heading of its own the form is headed by its name.
        if let h = Check.optional(input.heading, "heading", max: 100, into: &errors) { form.heading = h }
        else if existing == nil || input.heading != nil { form.heading = form.name }
        if let i = input.intro { form.intro = Check.optional(i, "intro", max: 1000, into: &errors) }
        if let t = input.thankYou { form.thankYou = Check.optional(t, "thankYou", max: 1000, into: &errors) ?? "" }
        if let fields = input.fields {
            let unknown = fields.filter { !WebForm.availableFields.contains($0) }
            if !unknown.isEmpty { errors.add("fields", "error.invalidOption") }
            let chosen = WebForm.availableFields.filter(fields.contains)
            if !chosen.contains("person"), !chosen.contains("company") { errors.add("fields", "error.companyOrPerson") }
            form.fields = chosen.joined(separator: ",")
        }
        if let required = input.requiredFields {
            if required.contains(where: { !form.fieldKeys.contains($0) }) { errors.add("requiredFields", "error.invalidOption") }
            form.requiredFields = form.fieldKeys.filter(required.contains).joined(separator: ",")
        }
        if let s = input.source {
            let v = Check.clean(s)
            if let v, try await !DictionaryService(db: db, actor: actor, now: now).isValid(.source, v) { errors.add("source", "error.invalidOption") }
            form.source = v
        }
        if let raw = input.ownerID {
            if let text = Check.clean(raw) {
                if let id = UUID(uuidString: text), try await actor.inOrg(User.self, on: db).filter(\.$id == id).filter(\.$status == .active).exists() {
                    form.ownerID = id
                } else {
                    errors.add("ownerID", "error.unknownUser")
                }
            } else {
                form.ownerID = nil
            }
        }
        if let raw = input.rateLimit {
            if let n = Int(raw.trimmingCharacters(in: .whitespaces)), (1...1000).contains(n) { form.rateLimit = n } else { errors.add("rateLimit", "error.number") }
        }
        if let a = input.isActive { form.isActive = a }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let after = Self.values(form)
        guard existing == nil || before != after else { return form }
        try await db.writeTransaction { [actor, now] tx in
            let audit = Audit(actor: actor, db: tx, now: now)
            if existing == nil {
                try await form.create(on: tx)
                try await audit.created("webForm", form.id!, after)
            } else {
                try await form.save(on: tx)
                try await audit.updated("webForm", form.id!, before: before, after: after)
            }
        }
        return form
    }

    static func values(_ f: WebForm) -> FieldValues {
        ["name": f.name, "heading": f.heading, "intro": f.intro ?? "", "thankYou": f.thankYou, "fields": f.fields, "requiredFields": f.requiredFields,
         "source": f.source ?? "", "ownerID": f.ownerID?.uuidString ?? "", "rateLimit": String(f.rateLimit), "isActive": String(f.isActive)]
    }
}

/// Submissions from the public form: no one is signed in, so everything here is limited to the form's
/// organisation by hand. Robots are turned away by the honeypot and floods by a per-address limit.
struct WebFormIntake {
    let db: Database
    let now: Date

    enum Outcome {
        case created(Lead)
        /// The honeypot was filled: answered like a success, nothing kept.
        case spam
        case limited
        case invalid(FieldErrors)
    }

    /// Submissions per form and address in the last minute, on this node.
    static let limiter = Limiter()

    actor Limiter {
        private var window = RateWindow(window: 60)
        func allow(_ key: String, limit: Int, now: Date) -> Bool { window.allow(key, limit: limit, now: now.timeIntervalSince1970) }
    }

    static func form(token: String?, on db: Database) async throws -> WebForm {
        guard let token = Check.clean(token), token.count <= 64,
              let f = try await SystemAccess.webForm(token: token, on: db), f.isActive else { throw AppError.notFound }
        return f
    }

    func submit(_ form: WebForm, values raw: [String: String], address: String) async throws -> Outcome {
        if Check.clean(raw[WebForm.honeypot]) != nil {
            try await countBlocked(form)
            return .spam
        }
        guard await Self.limiter.allow("\(form.id!.uuidString)|\(address)", limit: form.rateLimit, now: now) else {
            try await countBlocked(form)
            return .limited
        }
        var errors = FieldErrors()
        let lead = Lead(orgID: form.orgID, createdBy: nil, now: now)
        for key in form.fieldKeys {
            guard let field = Lead.definition.field(key) else { continue }
            var (value, error) = FieldCodec.parse(field, form: raw[key], decimals: 2)
            if value == nil, error == nil, form.requiredKeys.contains(key) { error = "error.required" }
            if let error { errors.add(key, error) } else { field.write?(lead, value) }
        }
        if Check.clean(lead.company) == nil, Check.clean(lead.person) == nil, errors.isEmpty {
            errors.add(form.fieldKeys.contains("person") ? "person" : "company", "error.companyOrPerson")
        }
        guard errors.isEmpty else { return .invalid(errors) }
        lead.source = form.source ?? "web"
        lead.webFormID = form.id
        lead.refreshSearchKeys()
        if let owner = form.ownerID,
           let user = try await SystemAccess.inOrg(User.self, form.orgID, on: db).filter(\.$id == owner).filter(\.$status == .active).firstRow() {
            lead.ownerID = user.id
            lead.departmentID = user.departmentID
            lead.assignedAt = now
        } else {
            try await db.writeTransaction { [now] tx in try await LeadRouter(orgID: form.orgID, now: now).route(lead, on: tx) }
        }
        try await db.writeTransaction { [now] tx in
            try await lead.create(on: tx)
            try await Audit(orgID: form.orgID, actorID: nil, actorName: "网站表单 Web form · \(form.name)", db: tx, now: now)
                .created(Lead.entity, lead.id!, LeadService.values(lead, Lead.definition))
            if let owner = lead.ownerID { try await LeadRouter.notify(lead, to: owner, by: form.name, on: tx, now: now) }
            // The form's counter comes last, so a flood queues on its row only for the commit.
            try await (tx as? any SQLDatabase)?.raw("UPDATE web_forms SET submissions = submissions + 1 WHERE id = \(bind: form.id!)").run()
        }
        return .created(lead)
    }

    /// Counts a turned-away submission (one small update, so even a flood of them queues briefly).
    private func countBlocked(_ form: WebForm) async throws {
        try await db.writeTransaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            try await sql.raw("UPDATE web_forms SET spam_blocked = spam_blocked + 1 WHERE id = \(bind: form.id!)").run()
        }
    }
}
