import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Basic data for admins: the data dictionary (PLT-10), regions (PLT-11) and numbering rules (PLT-12).
struct BasicDataPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "dictionary", use: dictionary)
        routes.post("admin", "dictionary", ":kind", use: addOption)
        routes.post("admin", "dictionary", "options", ":id", use: updateOption)
        routes.post("admin", "dictionary", "options", ":id", "up", use: moveUp)
        routes.post("admin", "dictionary", "options", ":id", "down", use: moveDown)
        routes.get("admin", "regions", use: regions)
        routes.post("admin", "regions", use: addRegion)
        routes.post("admin", "regions", ":id", use: renameRegion)
        routes.get("admin", "numbering", use: numbering)
        routes.post("admin", "numbering", ":type", use: saveNumbering)
    }

    struct OptionForm: Content {
        var label: String?
        var labelEn: String?
        var color: String?
        var isActive: String?
    }

    // MARK: dictionary

    /// Option-type custom fields: each has a list of its own on this page.
    static func customLists(_ actor: Actor) -> [CustomField] {
        actor.customFields.filter { $0.kind == .option || $0.kind == .multiOption }
    }

    /// Every list the organisation edits here, with its tab label.
    static func lists(_ actor: Actor) -> [DictionaryKind: (Translator) -> String] {
        var out: [DictionaryKind: (Translator) -> String] = [:]
        for k in DictionaryKind.builtIn { out[k] = { t in t(k.labelKey) } }
        for cf in customLists(actor) { out[cf.dictionaryKind] = { t in "\(t("entity.\(cf.entity)")) · \(t.locale == .en ? cf.label.en : cf.label.zh)" } }
        return out
    }

    @Sendable func dictionary(req: Request) async throws -> Response {
        let actor = try req.actor
        let kind = (try? req.query.get(String.self, at: "kind")).map(DictionaryKind.init(rawValue:)).flatMap { Self.lists(actor)[$0] != nil ? $0 : nil } ?? .industry
        return try await renderDictionary(req, kind: kind, form: OptionForm(), errors: [:])
    }

    @Sendable func addOption(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let kind = req.parameters.get("kind").map(DictionaryKind.init(rawValue:)), Self.lists(actor)[kind] != nil else { throw AppError.notFound }
        let form = try req.content.decode(OptionForm.self)
        do {
            _ = try await DictionaryService(db: req.db, actor: actor, now: req.now).add(kind, .init(label: form.label, labelEn: form.labelEn, color: form.color))
            return req.redirect(Paths.adminDictionary(kind.rawValue), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderDictionary(req, kind: kind, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func updateOption(req: Request) async throws -> Response {
        let actor = try req.actor
        let id = req.parameters.get("id", as: UUID.self)
        guard let option = try await actor.inOrg(DictionaryOption.self, on: req.db).filter(\.$id == id ?? UUID()).firstRow(),
              case let kind = DictionaryKind(rawValue: option.kind) else { throw AppError.notFound }
        let form = try req.content.decode(OptionForm.self)
        do {
            try await DictionaryService(db: req.db, actor: actor, now: req.now)
                .update(id, .init(label: form.label, labelEn: form.labelEn, color: form.color), active: form.isActive == "1")
            return req.redirect(Paths.adminDictionary(kind.rawValue), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderDictionary(req, kind: kind, form: OptionForm(), errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func moveUp(req: Request) async throws -> Response { try await move(req, up: true) }
    @Sendable func moveDown(req: Request) async throws -> Response { try await move(req, up: false) }

    private func move(_ req: Request, up: Bool) async throws -> Response {
        let actor = try req.actor
        let id = req.parameters.get("id", as: UUID.self)
        guard let option = try await actor.inOrg(DictionaryOption.self, on: req.db).filter(\.$id == id ?? UUID()).firstRow() else { throw AppError.notFound }
        try await DictionaryService(db: req.db, actor: actor, now: req.now).move(id, up: up)
        return req.redirect(Paths.adminDictionary(option.kind))
    }

    private func renderDictionary(_ req: Request, kind: DictionaryKind, form: OptionForm, errors: [String: String],
                                  status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let options = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(kind, includeInactive: true)
        let canEdit = actor.can(.edit, .admin)
        return req.page(status, title: t("nav.dictionary"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.dictionary"), href: nil)]) { ctx in
            let lists = Self.lists(actor)
            let kinds = H.el("nav", [.cls("tabs"), A("aria-label", t("nav.dictionary"))], (DictionaryKind.builtIn + Self.customLists(actor).map(\.dictionaryKind)).map { k in
                H.el("a", [.href(Paths.adminDictionary(k.rawValue)), .cls(k == kind ? "tab active" : "tab"), A("aria-current", k == kind ? "page" : nil)],
                     [H.text(lists[k]?(t) ?? k.rawValue)])
            })
            let colorOptions = DictionaryService.colors.map { Forms.Option(value: $0, label: $0.isEmpty ? t("dict.noColor") : $0) }
            let rows: [[HNode]] = options.map { o in
                let formID = "opt-\(o.id!.uuidString)"
                return [
                    H.el("span", [.cls("swatch"), A("data-color", o.color)], [H.text(o.label)]),
                    canEdit ? H.void("input", [.type("text"), .name("label"), .value(o.label), A("form", formID), A("aria-label", t("dict.label")), A("required", "required")]) : H.text(o.label),
                    canEdit ? H.void("input", [.type("text"), .name("labelEn"), .value(o.labelEn), A("form", formID), A("aria-label", t("dict.labelEn"))]) : H.text(o.labelEn ?? ""),
                    canEdit ? H.el("select", [.name("color"), A("form", formID), A("aria-label", t("dict.color"))], colorOptions.map { c in
                        H.el("option", [.value(c.value), .flag("selected", c.value == (o.color ?? ""))], [H.text(c.label)])
                    }) : H.text(o.color ?? ""),
                    canEdit ? H.el("label", [.cls("check")], [H.void("input", [.type("checkbox"), .name("isActive"), .value("1"), .flag("checked", o.isActive), A("form", formID)]), H.text(t("status.active"))])
                            : H.text(t(o.isActive ? "status.active" : "status.disabled")),
                    canEdit ? H.div("row-actions",
                        Forms.form(Paths.adminDictionaryOption(o.id!), csrf: ctx.csrf, cls: "inline", id: formID, [H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("action.save"))])]),
                        Forms.postButton(Paths.adminDictionaryOption(o.id!) + "/up", label: "↑", csrf: ctx.csrf, cls: "btn btn-small"),
                        Forms.postButton(Paths.adminDictionaryOption(o.id!) + "/down", label: "↓", csrf: ctx.csrf, cls: "btn btn-small")) : H.empty,
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.dictionary"))),
                kinds,
                Forms.errorSummary(errors, t: t),
                Tables.table([t("dict.preview"), t("dict.label"), t("dict.labelEn"), t("dict.color"), t("department.status"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("dict.empty"), hint: nil)),
                canEdit ? H.el("section", [.cls("card")], [
                    H.h2(t("dict.add")),
                    Forms.form(Paths.adminDictionary(kind.rawValue, post: true), csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("label", label: t("dict.label"), value: form.label, error: errors["label"].map { t($0) }, required: true),
                        Forms.input("labelEn", label: t("dict.labelEn"), value: form.labelEn, error: errors["labelEn"].map { t($0) }),
                        Forms.select("color", label: t("dict.color"), options: colorOptions, selected: form.color, error: errors["color"].map { t($0) }),
                        Forms.actions(Forms.submit(t("action.create"))),
                    ]),
                ]) : H.empty,
            ])
        }
    }

    // MARK: regions

    @Sendable func regions(req: Request) async throws -> Response {
        try await renderRegions(req, errors: [:], name: nil)
    }

    @Sendable func addRegion(req: Request) async throws -> Response {
        let actor = try req.actor
        let name = try? req.content.get(String.self, at: "name")
        do {
            _ = try await RegionService(db: req.db, actor: actor, now: req.now)
                .create(name: name, parentID: try parseID(try? req.content.get(String.self, at: "parentID"), "parentID"))
            return req.redirect(Paths.adminRegions, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderRegions(req, errors: e.fields, name: name, status: .unprocessableEntity)
        }
    }

    @Sendable func renameRegion(req: Request) async throws -> Response {
        let actor = try req.actor
        do {
            try await RegionService(db: req.db, actor: actor, now: req.now)
                .rename(req.parameters.get("id", as: UUID.self), name: try? req.content.get(String.self, at: "name"))
            return req.redirect(Paths.adminRegions, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderRegions(req, errors: e.fields, name: nil, status: .unprocessableEntity)
        }
    }

    private func renderRegions(_ req: Request, errors: [String: String], name: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let tree = try await RegionService(db: req.db, actor: actor, now: req.now).tree()
        let canEdit = actor.can(.edit, .admin)
        return req.page(status, title: t("nav.regions"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.regions"), href: nil)]) { ctx in
            let rows: [[HNode]] = tree.map { item in
                let formID = "reg-\(item.node.id!.uuidString)"
                return [
                    H.el("span", [.cls("tree-name depth-\(min(item.depth, 8))")], [
                        canEdit ? H.void("input", [.type("text"), .name("name"), .value(item.node.name), A("form", formID), A("aria-label", t("region.name")), A("required", "required")])
                                : H.text(item.node.name)]),
                    canEdit ? Forms.form(Paths.adminRegion(item.node.id!), csrf: ctx.csrf, cls: "inline", id: formID,
                                         [H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("action.save"))])]) : H.empty,
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.regions"))),
                Forms.errorSummary(errors, t: t),
                H.div("grid-2 wide-left",
                    H.el("section", [.cls("card")], [
                        Tables.table([t("region.name"), ""].map { Tables.Column($0) }, rows: rows, sort: nil, descending: false,
                                     link: { _, _ in "" }, empty: Tables.emptyState(t("region.empty"), hint: nil)),
                    ]),
                    canEdit ? H.el("section", [.cls("card")], [
                        H.h2(t("region.add")),
                        Forms.form(Paths.adminRegions, csrf: ctx.csrf, [
                            Forms.input("name", label: t("region.name"), value: name, error: errors["name"].map { t($0) }, required: true),
                            Forms.select("parentID", label: t("region.parent"), options: tree.map {
                                .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name)
                            }, selected: nil, error: errors["parentID"].map { t($0) }, blank: t("department.noParent")),
                            Forms.actions(Forms.submit(t("action.create"))),
                        ]),
                    ]) : H.empty),
            ])
        }
    }

    // MARK: numbering

    struct NumberingForm: Content {
        var prefix: String?
        var datePart: String?
        var width: String?
        var reset: String?
        var separator: String?
    }

    @Sendable func numbering(req: Request) async throws -> Response {
        try await renderNumbering(req, errors: [:], failed: nil)
    }

    @Sendable func saveNumbering(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let type = req.parameters.get("type").flatMap(DocumentType.init(rawValue:)) else { throw AppError.notFound }
        let form = try req.content.decode(NumberingForm.self)
        guard let datePart = NumberFormat.DatePart(rawValue: form.datePart ?? ""), let reset = NumberFormat.Reset(rawValue: form.reset ?? ""),
              let width = Int(form.width ?? "") else { throw AppError.badRequest("error.badParameter") }
        let format = NumberFormat(prefix: Check.clean(form.prefix) ?? "", datePart: datePart, width: width, reset: reset, separator: form.separator ?? "")
        do {
            try await Numbering.save(type, format, actor: actor, on: req.db, now: req.now)
            return req.redirect(Paths.adminNumbering, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderNumbering(req, errors: e.fields, failed: (type, format))
        }
    }

    private func renderNumbering(_ req: Request, errors: [String: String], failed: (DocumentType, NumberFormat)?) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        var formats: [(DocumentType, NumberFormat)] = []
        for type in DocumentType.allCases {
            if let failed, failed.0 == type { formats.append(failed) } else { formats.append((type, try await Numbering.format(type, orgID: actor.orgID, on: req.db))) }
        }
        let now = req.now
        return req.page(failed == nil ? .ok : .unprocessableEntity, title: t("nav.numbering"),
                        crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.numbering"), href: nil)]) { ctx in
            H.group([H.div("page-head", H.h1(t("nav.numbering"))), Forms.errorSummary(errors, t: t)] + formats.map { type, f in
                H.el("section", [.cls("card")], [
                    H.h2(t(type.labelKey)),
                    H.p(t("numbering.preview", f.format(1, at: now, timeZone: actor.org.timeZone)), cls: "muted"),
                    Forms.form(Paths.adminNumberingType(type.rawValue), csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("prefix", label: t("numbering.prefix"), value: f.prefix, error: errors["prefix"].map { t($0) }),
                        Forms.select("datePart", label: t("numbering.datePart"), options: NumberFormat.DatePart.allCases.map { .init(value: $0.rawValue, label: $0 == .none ? t("numbering.noDate") : $0.rawValue) },
                                     selected: f.datePart.rawValue, error: nil),
                        Forms.input("separator", label: t("numbering.separator"), value: f.separator, error: errors["separator"].map { t($0) }, extra: [A("maxlength", "1")]),
                        Forms.input("width", label: t("numbering.width"), value: String(f.width), error: errors["width"].map { t($0) }, type: "number",
                                    extra: [A("min", "1"), A("max", "10")]),
                        Forms.select("reset", label: t("numbering.reset"), options: NumberFormat.Reset.allCases.map { .init(value: $0.rawValue, label: t("numbering.reset.\($0.rawValue)")) },
                                     selected: f.reset.rawValue, error: nil),
                        actor.can(.edit, .admin) ? Forms.actions(Forms.submit(t("action.save"))) : H.empty,
                    ]),
                ])
            })
        }
    }
}
