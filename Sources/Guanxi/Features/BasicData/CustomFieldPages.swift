import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Custom fields for administrators (PLT-13): one tab per entity, add, rename, require, list, disable, order.
struct CustomFieldPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "custom-fields", use: index)
        routes.post("admin", "custom-fields", ":entity", use: create)
        routes.post("admin", "custom-fields", "fields", ":id", use: update)
        routes.post("admin", "custom-fields", "fields", ":id", "up", use: moveUp)
        routes.post("admin", "custom-fields", "fields", ":id", "down", use: moveDown)
    }

    struct FieldForm: Content {
        var key: String?
        var label: String?
        var labelEn: String?
        var kind: String?
        var required: String?
        var listed: String?
        var isActive: String?

        var input: CustomFieldService.Input {
            .init(key: key, label: label, labelEn: labelEn, kind: kind, required: required == "1", listed: listed == "1", isActive: isActive == "1")
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let entity = (try? req.query.get(String.self, at: "entity")) ?? Customer.entity
        return try await render(req, entity: entity, form: FieldForm(listed: "1"), errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let entity = req.parameters.get("entity") ?? ""
        let form = try req.content.decode(FieldForm.self)
        do {
            _ = try await CustomFieldService(db: req.db, actor: actor, now: req.now).create(entity: entity, form.input)
            return req.redirect(Paths.adminCustomFields(entity), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, entity: entity, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = CustomFieldService(db: req.db, actor: actor, now: req.now)
        let def = try await svc.get(req.parameters.get("id", as: UUID.self))
        let form = try req.content.decode(FieldForm.self)
        do {
            _ = try await svc.update(def.id, form.input)
            return req.redirect(Paths.adminCustomFields(def.entity), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, entity: def.entity, form: FieldForm(listed: "1"), errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func moveUp(req: Request) async throws -> Response { try await move(req, up: true) }
    @Sendable func moveDown(req: Request) async throws -> Response { try await move(req, up: false) }

    private func move(_ req: Request, up: Bool) async throws -> Response {
        let svc = CustomFieldService(db: req.db, actor: try req.actor, now: req.now)
        let def = try await svc.get(req.parameters.get("id", as: UUID.self))
        try await svc.move(def.id, up: up)
        return req.redirect(Paths.adminCustomFields(def.entity))
    }

    private func render(_ req: Request, entity: String, form: FieldForm, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let fields = try await CustomFieldService(db: req.db, actor: actor, now: req.now).list(entity: entity)
        let canEdit = actor.can(.edit, .admin)
        let kindOptions = CustomFieldDefinition.Kind.allCases.map { Forms.Option(value: $0.rawValue, label: t($0.labelKey)) }
        return req.page(status, title: t("nav.customFields"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.customFields"), href: nil)]) { ctx in
            let tabs = H.el("nav", [.cls("tabs"), A("aria-label", t("nav.customFields"))], CustomFieldService.entities.map { e in
                H.el("a", [.href(Paths.adminCustomFields(e)), .cls(e == entity ? "tab active" : "tab"), A("aria-current", e == entity ? "page" : nil)],
                     [H.text(t("entity.\(e)"))])
            })
            let rows: [[HNode]] = fields.map { d in
                let formID = "cf-\(d.id!.uuidString)"
                let check = { (name: String, on: Bool, label: String) -> HNode in
                    canEdit ? H.void("input", [.type("checkbox"), .name(name), .value("1"), .flag("checked", on), A("form", formID), A("aria-label", "\(d.label) · \(label)")])
                            : H.text(on ? t("common.yes") : t("common.no"))
                }
                let isOption = d.kind == .option || d.kind == .multiOption
                return [
                    canEdit ? H.void("input", [.type("text"), .name("label"), .value(d.label), A("form", formID), A("aria-label", t("customField.label")), A("required", "required"), A("maxlength", "30")]) : H.text(d.label),
                    canEdit ? H.void("input", [.type("text"), .name("labelEn"), .value(d.labelEn), A("form", formID), A("aria-label", t("dict.labelEn")), A("maxlength", "50")]) : H.text(d.labelEn ?? ""),
                    H.el("code", [], [H.text(d.key)]),
                    H.group([H.text(t(d.kind.labelKey)), isOption ? H.a(Paths.adminDictionary(DictionaryKind.custom(entity: d.entity, key: d.key).rawValue), t("customField.options"), cls: "small") : H.empty]),
                    check("required", d.required, t("customField.required")),
                    check("listed", d.listed, t("customField.listed")),
                    check("isActive", d.isActive, t("status.active")),
                    canEdit ? H.div("row-actions",
                        Forms.form(Paths.adminCustomField(d.id!), csrf: ctx.csrf, cls: "inline", id: formID, [H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("action.save"))])]),
                        Forms.postButton(Paths.adminCustomField(d.id!) + "/up", label: "↑", csrf: ctx.csrf, cls: "btn btn-small"),
                        Forms.postButton(Paths.adminCustomField(d.id!) + "/down", label: "↓", csrf: ctx.csrf, cls: "btn btn-small")) : H.empty,
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.customFields"))),
                H.p(t("customField.intro"), cls: "muted"),
                tabs,
                Forms.errorSummary(errors, t: t),
                Tables.table([t("customField.label"), t("dict.labelEn"), t("customField.key"), t("customField.kind"), t("customField.required"), t("customField.listed"), t("department.status"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("customField.empty"), hint: t("customField.emptyHint"))),
                canEdit ? H.el("section", [.cls("card")], [
                    H.h2(t("customField.add")),
                    Forms.form(Paths.adminCustomFields(entity, post: true), csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("label", label: t("customField.label"), value: form.label, error: errors["label"].map { t($0) }, required: true, extra: [A("maxlength", "30")]),
                        Forms.input("labelEn", label: t("dict.labelEn"), value: form.labelEn, error: errors["labelEn"].map { t($0) }, extra: [A("maxlength", "50")]),
                        Forms.select("kind", label: t("customField.kind"), options: kindOptions, selected: form.kind, error: errors["kind"].map { t($0) }, required: true),
                        Forms.input("key", label: t("customField.key"), value: form.key, error: errors["key"].map { t($0) }, hint: t("customField.keyHint"), extra: [A("maxlength", "33")]),
                        Forms.checkbox("required", label: t("customField.required"), checked: form.required == "1"),
                        Forms.checkbox("listed", label: t("customField.listed"), checked: form.listed == "1"),
                        Forms.actions(Forms.submit(t("action.create"))),
                    ]),
                ]) : H.empty,
            ])
        }
    }
}

/// /api/v1/custom-fields: the organisation's custom fields (administrators change them).
struct CustomFieldAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("custom-fields", use: index)
        routes.post("custom-fields", use: create)
        routes.patch("custom-fields", ":id", use: update)
    }

    struct CustomFieldDTO: Content {
        var id: UUID
        var entity: String
        var key: String
        var label: String
        var labelEn: String?
        var kind: String
        var required: Bool
        var listed: Bool
        var isActive: Bool
        /// The dictionary list holding the options of an option field.
        var dictionary: String?

        init(_ d: CustomFieldDefinition) {
            id = d.id!
            entity = d.entity
            key = d.key
            label = d.label
            labelEn = d.labelEn
            kind = d.kind.rawValue
            required = d.required
            listed = d.listed
            isActive = d.isActive
            dictionary = d.kind == .option || d.kind == .multiOption ? DictionaryKind.custom(entity: d.entity, key: d.key).rawValue : nil
        }
    }

    struct Body: Content {
        var entity: String?
        var key: String?
        var label: String?
        var labelEn: String?
        var kind: String?
        var required: Bool?
        var listed: Bool?
        var isActive: Bool?
    }

    @Sendable func index(req: Request) async throws -> [CustomFieldDTO] {
        let svc = CustomFieldService(db: req.db, actor: try req.actor, now: req.now)
        let entity = try? req.query.get(String.self, at: "entity")
        var out: [CustomFieldDTO] = []
        for e in CustomFieldService.entities where entity == nil || entity == e {
            out += try await svc.list(entity: e).map(CustomFieldDTO.init)
        }
        return out
    }

    @Sendable func create(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let def = try await CustomFieldService(db: req.db, actor: try req.actor, now: req.now).create(entity: b.entity ?? "", .init(
            key: b.key, label: b.label, labelEn: b.labelEn, kind: b.kind, required: b.required ?? false, listed: b.listed ?? false, isActive: true))
        return try await CustomFieldDTO(def).encodeResponse(status: .created, for: req)
    }

    @Sendable func update(req: Request) async throws -> CustomFieldDTO {
        let b = try req.content.decode(Body.self)
        let svc = CustomFieldService(db: req.db, actor: try req.actor, now: req.now)
        let def = try await svc.get(req.parameters.get("id", as: UUID.self))
        if let entity = b.entity, entity != def.entity { throw AppError.invalid({ var e = FieldErrors(); e.add("entity", "error.readOnly"); return e }()) }
        let updated = try await svc.update(def.id, .init(
            key: b.key, label: b.label ?? def.label, labelEn: b.labelEn ?? def.labelEn, kind: b.kind,
            required: b.required ?? def.required, listed: b.listed ?? def.listed, isActive: b.isActive ?? def.isActive))
        return CustomFieldDTO(updated)
    }
}
