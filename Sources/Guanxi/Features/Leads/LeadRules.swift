import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The organisation's lead assignment rules (administrators): ordered, each for a source and/or a
/// region, handing leads to its people in turn.
struct LeadRuleService {
    let db: Database
    let actor: Actor
    let now: Date

    func list() async throws -> [LeadRule] {
        try actor.require(.view, .admin)
        return try await actor.inOrg(LeadRule.self, on: db).sort(\.$position).sort(\.$name).limit(200).rows()
    }

    struct Input: Sendable {
        var name: String?
        var source: String?
        var regionID: String?
        var userIDs: [String]?
        var position: String?
        var isActive: Bool?
    }

    func save(_ id: UUID?, _ input: Input) async throws -> LeadRule {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let existing = try await id.asyncMap { id in try await actor.inOrg(LeadRule.self, on: db).filter(\.$id == id).firstRow() }
        if id != nil, existing == nil { throw AppError.notFound }
        let count = try await actor.inOrg(LeadRule.self, on: db).countRows()
        let rule = existing ?? LeadRule(orgID: actor.orgID, name: "", position: count + 1)
        let before = Self.values(rule)
        if existing == nil || input.name != nil { rule.name = Check.required(input.name, "name", max: 50, into: &errors) }
        if let s = input.source {
            let v = Check.clean(s)
            if let v, try await !DictionaryService(db: db, actor: actor, now: now).isValid(.source, v) { errors.add("source", "error.invalidOption") }
            rule.source = v
        }
        if let r = input.regionID {
            if let text = Check.clean(r) {
                if let id = UUID(uuidString: text), try await actor.inOrg(Region.self, on: db).filter(\.$id == id).exists() { rule.regionID = id }
                else { errors.add("regionID", "error.invalidOption") }
            } else {
                rule.regionID = nil
            }
        }
        if let raw = input.userIDs {
            let ids = raw.compactMap { UUID(uuidString: $0) }
            var seen = Set<UUID>()
            let unique = ids.filter { seen.insert($0).inserted }
            let active = try await unique.isEmpty ? [] : actor.inOrg(User.self, on: db).filter(\.$id ~~ unique).filter(\.$status == .active).rows().map { $0.id! }
            if ids.count != raw.count || active.count != unique.count { errors.add("userIDs", "error.unknownUser") }
            if unique.isEmpty { errors.add("userIDs", "error.required") }
            rule.userIDs = unique.map(\.uuidString).joined(separator: ",")
        } else if existing == nil {
            errors.add("userIDs", "error.required")
        }
        if let p = input.position {
            if let n = Int(p.trimmingCharacters(in: .whitespaces)), (0...1000).contains(n) { rule.position = n } else { errors.add("position", "error.number") }
        }
        if let a = input.isActive { rule.isActive = a }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let after = Self.values(rule)
        guard existing == nil || before != after else { return rule }
        try await db.writeTransaction { [actor, now] tx in
            let audit = Audit(actor: actor, db: tx, now: now)
            if existing == nil {
                try await rule.create(on: tx)
                try await audit.created("leadRule", rule.id!, after)
            } else {
                try await rule.save(on: tx)
                try await audit.updated("leadRule", rule.id!, before: before, after: after)
            }
        }
        return rule
    }

    func delete(_ id: UUID?) async throws {
        try actor.require(.edit, .admin)
        guard let id, let rule = try await actor.inOrg(LeadRule.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        try await db.writeTransaction { [actor, now] tx in
            try await rule.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("leadRule", id, .delete, old: rule.name)
        }
    }

    static func values(_ r: LeadRule) -> FieldValues {
        ["name": r.name, "source": r.source ?? "", "region": r.regionID?.uuidString ?? "", "users": r.userIDs, "position": String(r.position),
         "isActive": String(r.isActive)]
    }
}

/// /admin/lead-rules: the rules in the order they are tried, and a form to add or change one.
struct LeadRulePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "lead-rules", use: index)
        routes.post("admin", "lead-rules", use: save)
        routes.post("admin", "lead-rules", ":id", use: save)
        routes.post("admin", "lead-rules", ":id", "delete", use: delete)
    }

    @Sendable func index(req: Request) async throws -> Response {
        try await render(req, editing: try? req.query.get(UUID.self, at: "edit"), values: [:], users: nil, errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let actor = try req.actor
        struct Form: Content { var name: String?; var source: String?; var regionID: String?; var userIDs: [String]?; var position: String?; var isActive: String? }
        let form = try req.content.decode(Form.self)
        let id = req.parameters.get("id", as: UUID.self)
        do {
            _ = try await LeadRuleService(db: req.db, actor: actor, now: req.now).save(id, .init(
                name: form.name, source: form.source ?? "", regionID: form.regionID ?? "", userIDs: form.userIDs ?? [], position: form.position,
                isActive: form.isActive == "1"))
            return req.redirect(Paths.adminLeadRules, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let values = ["name": form.name ?? "", "source": form.source ?? "", "regionID": form.regionID ?? "", "position": form.position ?? "",
                          "isActive": form.isActive ?? ""]
            return try await render(req, editing: id, values: values, users: form.userIDs ?? [], errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await LeadRuleService(db: req.db, actor: try req.actor, now: req.now).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.adminLeadRules, flash: Flash(.success, "flash.deleted"))
    }

    private func render(_ req: Request, editing: UUID?, values given: [String: String], users givenUsers: [String]?, errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = LeadRuleService(db: req.db, actor: actor, now: req.now)
        let rules = try await svc.list()
        let people = try await actor.activeColleagues(on: req.db)
        let names = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0.name) })
        let sources = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.source)
        let sourceLabel = Dictionary(sources.map { ($0.value, $0.label(t.locale)) }, uniquingKeysWith: { a, _ in a })
        let regions = try await RegionService(db: req.db, actor: actor, now: req.now).paths()
        let current = editing.flatMap { id in rules.first { $0.id == id } }
        var values = given
        if given.isEmpty, let r = current {
            values = ["name": r.name, "source": r.source ?? "", "regionID": r.regionID?.uuidString ?? "", "position": String(r.position), "isActive": r.isActive ? "1" : ""]
        }
        let chosen = Set(givenUsers ?? current.map { $0.users.map(\.uuidString) } ?? [])
        return req.page(status, title: t("nav.leadRules"), crumbs: [Crumb(label: t("nav.leads"), href: Paths.leads), Crumb(label: t("nav.leadRules"), href: nil)]) { ctx in
            let rows: [[HNode]] = rules.map { r in [
                H.span("num", String(r.position)),
                H.a(URLQuery.build(Paths.adminLeadRules, [("edit", r.id!.uuidString)]), r.name, cls: "strong"),
                H.text(r.source.map { sourceLabel[$0] ?? $0 } ?? t("lead.anySource")),
                H.text(r.regionID.flatMap { regions[$0] } ?? t("lead.anyRegion")),
                H.text(r.users.compactMap { names[$0] }.joined(separator: "、")),
                H.span("num", String(r.turn)),
                r.isActive ? H.span("badge badge-ok", t("status.active")) : H.span("badge", t("status.disabled")),
                Forms.postButton(Paths.adminLeadRules + "/\(r.id!.uuidString)/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-small",
                                 confirm: t("lead.confirmDeleteRule")),
            ] }
            let err = { (k: String) in errors[k].map { t($0) } }
            let action = current.map { Paths.adminLeadRules + "/\($0.id!.uuidString)" } ?? Paths.adminLeadRules
            return H.group([
                H.div("page-head", H.h1(t("nav.leadRules"))),
                H.p(t("lead.rulesHint"), cls: "muted"),
                Tables.table([t("lead.rulePosition"), t("lead.ruleName"), t("dict.source"), t("customer.region"), t("lead.rulePeople"), t("lead.ruleTurn"),
                              t("lead.ruleActive"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("lead.noRules"), hint: t("lead.noRulesHint"))),
                H.el("section", [.cls("card form-card wide"), .id("rule-form")], [
                    H.h2(current == nil ? t("lead.addRule") : t("lead.editRule", current!.name)),
                    Forms.errorSummary(errors, t: t),
                    Forms.form(action, csrf: ctx.csrf, [
                        H.div("grid-form",
                              Forms.input("name", label: t("lead.ruleName"), value: values["name"], error: err("name"), required: true, extra: [A("maxlength", "50")]),
                              Forms.select("source", label: t("dict.source"), options: sources.map { .init(value: $0.value, label: $0.label(t.locale)) },
                                           selected: values["source"], error: err("source"), blank: t("lead.anySource")),
                              Forms.select("regionID", label: t("customer.region"), options: regions.sorted { $0.value < $1.value }.map { .init(value: $0.key.uuidString, label: $0.value) },
                                           selected: values["regionID"], error: err("regionID"), blank: t("lead.anyRegion")),
                              Forms.input("position", label: t("lead.rulePosition"), value: values["position"], error: err("position"), extra: [A("inputmode", "numeric")])),
                        Forms.fieldWrap("userIDs", label: t("lead.rulePeople"), required: true, error: err("userIDs"),
                                        H.div("checks", people.map { p in Forms.checkbox("userIDs[]", label: p.name, checked: chosen.contains(p.id.uuidString), value: p.id.uuidString) })),
                        Forms.checkbox("isActive", label: t("lead.ruleActive"), checked: current == nil && given.isEmpty ? true : values["isActive"] == "1"),
                        Forms.actions(Forms.submit(t("action.save")), current == nil ? H.empty : H.a(Paths.adminLeadRules, t("action.cancel"), cls: "btn")),
                    ]),
                ]),
            ])
        }
    }
}
