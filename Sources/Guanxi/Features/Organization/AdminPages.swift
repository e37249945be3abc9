import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Organisation settings (PLT-01) and the recycle bin page (PLT-09).
struct AdminPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "organization", use: organization)
        routes.post("admin", "organization", use: saveOrganization)
        routes.get("admin", "recycle-bin", use: recycleBin)
        routes.post("admin", "recycle-bin", ":entity", ":id", "restore", use: restore)
        routes.post("admin", "recycle-bin", ":entity", ":id", "purge", use: purge)
    }

    struct OrgForm: Content {
        var name: String?
        var systemTitle: String?
        var logoURL: String?
        var timeZone: String?
        var currency: String?
        var moneyDecimals: String?
        var quantityDecimals: String?
        var priceDecimals: String?
        var birthdayDaysAhead: String?
    }

    static let orgDefinition = EntityDefinition<Organization>(entity: "organization", module: .admin, labelKey: "nav.organization", fields: [
        EntityField("name", "org.name", .text, restrictable: false) { $0.name },
        EntityField("systemTitle", "org.systemTitle", .text, restrictable: false) { $0.systemTitle },
        EntityField("logoURL", "org.logoURL", .text, restrictable: false) { $0.logoURL },
        EntityField("timeZone", "org.timeZone", .text, restrictable: false) { $0.timeZone },
        EntityField("currency", "org.currency", .text, restrictable: false) { $0.currency },
        EntityField("moneyDecimals", "org.moneyDecimals", .text, restrictable: false) { String($0.moneyDecimals) },
        EntityField("quantityDecimals", "org.quantityDecimals", .text, restrictable: false) { String($0.quantityDecimals) },
        EntityField("priceDecimals", "org.priceDecimals", .text, restrictable: false) { String($0.priceDecimals) },
        EntityField("birthdayDaysAhead", "org.birthdayDaysAhead", .text, restrictable: false) { String($0.birthdayLead) },
    ])

    @Sendable func organization(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        guard let org = try await Organization.find(actor.orgID, on: req.db) else { throw AppError.notFound }
        return try await renderOrg(req, org: org, form: OrgForm(name: org.name, systemTitle: org.systemTitle, logoURL: org.logoURL, timeZone: org.timeZone,
                                                                 currency: org.currency, moneyDecimals: String(org.moneyDecimals),
                                                                 quantityDecimals: String(org.quantityDecimals), priceDecimals: String(org.priceDecimals),
                                                                 birthdayDaysAhead: String(org.birthdayLead)), errors: [:])
    }

    @Sendable func saveOrganization(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        guard let org = try await Organization.find(actor.orgID, on: req.db) else { throw AppError.notFound }
        let form = try req.content.decode(OrgForm.self)
        var errors = FieldErrors()
        let before = Self.orgDefinition.values(org)
        org.name = Check.required(form.name, "name", max: 100, into: &errors)
        org.systemTitle = Check.optional(form.systemTitle, "systemTitle", max: 100, into: &errors)
        org.logoURL = Check.optional(form.logoURL, "logoURL", max: 500, into: &errors)
        if let logo = org.logoURL, !(logo.hasPrefix("/") || logo.hasPrefix("https://")) { errors.add("logoURL", "error.url") }
        if let tz = form.timeZone, TimeZone(identifier: tz) != nil { org.timeZone = tz } else { errors.add("timeZone", "error.invalidOption") }
        if let c = form.currency, Organization.currencies.contains(c) { org.currency = c } else { errors.add("currency", "error.invalidOption") }
        func decimals(_ raw: String?, _ field: String) -> Int {
            guard let v = raw.flatMap(Int.init), (0...6).contains(v) else { errors.add(field, "error.decimals"); return 2 }
            return v
        }
        org.moneyDecimals = decimals(form.moneyDecimals, "moneyDecimals")
        org.quantityDecimals = decimals(form.quantityDecimals, "quantityDecimals")
        org.priceDecimals = decimals(form.priceDecimals, "priceDecimals")
        if let raw = Check.clean(form.birthdayDaysAhead) {
            if let days = Int(raw), (0...30).contains(days) { org.birthdayDaysAhead = days } else { errors.add("birthdayDaysAhead", "error.daysAhead") }
        }
        guard errors.isEmpty else { return try await renderOrg(req, org: org, form: form, errors: errors.messages, status: .unprocessableEntity) }
        let zoneChanged = before["timeZone"] != org.timeZone
        try await req.db.writeTransaction { tx in
            try await org.save(on: tx)
            // Statistics count by local day and hour: another zone counts every follow-up again.
            if zoneChanged { try await FollowUpTally.rebuild(orgID: org.id!, timeZone: org.zone, on: tx) }
            try await Audit(actor: actor, db: tx, now: req.now).updated("organization", org.id!, before: before, after: Self.orgDefinition.values(org))
        }
        return req.redirect(Paths.adminOrganization, flash: Flash(.success, "flash.saved"))
    }

    private func renderOrg(_ req: Request, org: Organization, form: OrgForm, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let history = try await Audit.history(entity: "organization", module: .admin, id: actor.orgID, actor: actor, on: req.db, limit: 50)
        return req.page(status, title: t("nav.organization"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.organization"), href: nil)]) { ctx in
            let err: (String) -> String? = { errors[$0].map { t($0) } }
            let decimals = (0...6).map { Forms.Option(value: String($0), label: String($0)) }
            return H.group([
                H.div("page-head", H.h1(t("nav.organization"))),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.adminOrganization, csrf: ctx.csrf, [
                    H.div("card form-card grid-form",
                        Forms.input("name", label: t("org.name"), value: form.name, error: err("name"), required: true),
                        Forms.input("systemTitle", label: t("org.systemTitle"), value: form.systemTitle, error: err("systemTitle")),
                        Forms.input("logoURL", label: t("org.logoURL"), value: form.logoURL, error: err("logoURL"), hint: t("hint.logoURL")),
                        Forms.select("timeZone", label: t("org.timeZone"), options: OrganizationSetup.timeZones.map { .init(value: $0, label: $0) },
                                     selected: form.timeZone, error: err("timeZone")),
                        Forms.select("currency", label: t("org.currency"), options: Organization.currencies.map { .init(value: $0, label: $0) },
                                     selected: form.currency, error: err("currency")),
                        Forms.select("moneyDecimals", label: t("org.moneyDecimals"), options: decimals, selected: form.moneyDecimals, error: err("moneyDecimals")),
                        Forms.select("quantityDecimals", label: t("org.quantityDecimals"), options: decimals, selected: form.quantityDecimals, error: err("quantityDecimals")),
                        Forms.select("priceDecimals", label: t("org.priceDecimals"), options: decimals, selected: form.priceDecimals, error: err("priceDecimals")),
                        Forms.input("birthdayDaysAhead", label: t("org.birthdayDaysAhead"), value: form.birthdayDaysAhead, error: err("birthdayDaysAhead"),
                                    type: "number", hint: t("hint.birthdayDaysAhead"), extra: [A("min", "0"), A("max", "30")])),
                    actor.can(.edit, .admin) ? Forms.actions(Forms.submit(t("action.save"))) : H.empty,
                ]),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in Self.orgDefinition.field(k).map { t($0.labelKey) } ?? k }, display: { _, v in v ?? "" }),
                ]),
            ])
        }
    }

    @Sendable func recycleBin(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        var items: [(RecycleBin.Kind, RecycleBin.Item)] = []
        for kind in RecycleBin.kinds {
            items += try await kind.list(actor, req.db, 200).map { (kind, $0) }
        }
        items.sort { ($0.1.deletedAt ?? .distantPast) > ($1.1.deletedAt ?? .distantPast) }
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: items.compactMap(\.1.deletedBy), on: req.db)
        return req.page(title: t("nav.recycleBin"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.recycleBin"), href: nil)]) { ctx in
            let rows: [[HNode]] = items.map { kind, item in
                [H.span("badge", t(kind.labelKey)), H.text(item.title), H.text(item.deletedBy.flatMap { names.users[$0] } ?? "—"),
                 H.text(ctx.dateTime(item.deletedAt)),
                 H.div("row-actions",
                       Forms.postButton(Paths.adminRestore(item.entity, item.id), label: t("action.restore"), csrf: ctx.csrf, cls: "btn btn-small"),
                       Forms.postButton(Paths.adminPurge(item.entity, item.id), label: t("action.purge"), csrf: ctx.csrf, cls: "btn btn-small btn-danger",
                                        confirm: t("recycle.confirmPurge")))]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.recycleBin"))),
                H.p(t("recycle.hint"), cls: "muted"),
                Tables.table([t("recycle.type"), t("recycle.title"), t("recycle.deletedBy"), t("recycle.deletedAt"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("recycle.empty"), hint: nil)),
            ])
        }
    }

    @Sendable func restore(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let kind = req.parameters.get("entity").flatMap(RecycleBin.kind), let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        try await kind.restore(actor, req.db, id, req.now)
        return req.redirect(Paths.adminRecycleBin, flash: Flash(.success, "recycle.restored"))
    }

    @Sendable func purge(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let kind = req.parameters.get("entity").flatMap(RecycleBin.kind), let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        try await kind.purge(actor, req.db, id, req.now)
        return req.redirect(Paths.adminRecycleBin, flash: Flash(.success, "recycle.purged"))
    }
}
