import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The public pool pages, the pool actions on a customer, and pool administration.
struct PoolPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("pools", use: index)
        routes.get("pools", ":id", use: show)
        routes.post("pools", ":id", "claim", use: claimFromPool)
        routes.post("customers", ":id", "claim", use: claimOne)
        routes.post("customers", ":id", "release", use: release)
        routes.post("customers", ":id", "assign", use: assign)
        routes.get("admin", "pools", use: admin)
        routes.post("admin", "pools", use: createPool)
        routes.post("admin", "pools", ":id", use: savePool)
        routes.post("admin", "protection", use: saveProtection)
    }

    func service(_ req: Request) throws -> PoolService { PoolService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        let svc = try service(req)
        let pools = try await svc.pools()
        let counts = try await svc.counts()
        let t = actor.t
        return req.page(title: t("nav.pools"), crumbs: [Crumb(label: t("nav.pools"), href: nil)]) { _ in
            H.group([
                H.div("page-head", H.h1(t("nav.pools")), H.a(Paths.claimRequests, t("claim.title"), cls: "btn")),
                H.div("stats", pools.map { p in
                    H.el("a", [.href(Paths.pool(p.id!)), .cls("stat")], [
                        H.div("stat-value", H.text(String(counts[p.id!] ?? 0))),
                        H.div("stat-label", H.text(p.name)),
                        p.summary.map { H.div("muted", H.text($0)) } ?? H.empty,
                    ])
                }),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let pool = try await svc.pool(req.parameters.get("id", as: UUID.self))
        let q = try? req.query.get(String.self, at: "q")
        let after = (try? req.query.get(String.self, at: "after")).flatMap(UUID.init(uuidString:))
        let page = try await svc.members(pool.id!, q: q, after: after)
        let lookups = try await Lookups.load(actor.definition(Customer.definition), records: page.items, actor: actor, on: req.db)
        let t = actor.t
        let canClaim = actor.can(.edit, .customers)
        return req.page(title: pool.name, crumbs: [Crumb(label: t("nav.pools"), href: Paths.pools), Crumb(label: pool.name, href: nil)]) { ctx in
            let def = actor.definition(Customer.definition)
            let cols = ["number", "name", "industry", "level", "region"].compactMap { def.field($0) }
            let rows: [[HNode]] = page.items.map { c in
                [canClaim ? H.void("input", [.type("checkbox"), .name("ids[]"), .value(c.id!.uuidString), A("form", "claim-selected"),
                                             A("aria-label", c.name)]) : H.empty]
                + cols.map { f in
                    f.key == "name" ? H.el("a", [.href(Paths.customer(c.id!)), .cls("strong")], [H.text(c.name)])
                        : H.text(FieldCodec.display(f, f.read(c), lookups: lookups, t: t, decimals: actor.org.moneyDecimals))
                }
            }
            return H.group([
                H.div("page-head", H.h1(pool.name), H.span("muted", t("pool.bulkLimit", String(pool.settings.bulkClaimLimit)))),
                H.div("toolbar",
                    H.el("form", [A("method", "get"), A("action", Paths.pool(pool.id!)), .cls("search-form"), A("role", "search")], [
                        H.void("input", [.type("search"), .name("q"), .value(q), A("placeholder", t("customer.searchPlaceholder")), A("aria-label", t("action.search"))]),
                        H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
                    ]),
                    canClaim ? Forms.form(Paths.poolClaim(pool.id!), csrf: ctx.csrf, cls: "search-form", [
                        H.void("input", [.type("number"), .name("count"), .value(String(min(5, pool.settings.bulkClaimLimit))), A("min", "1"),
                                         A("max", String(pool.settings.bulkClaimLimit)), A("aria-label", t("pool.randomCount")), .cls("narrow")]),
                        H.el("button", [.type("submit"), .cls("btn")], [H.text(t("pool.claimRandom"))]),
                    ]) : H.empty,
                    canClaim ? Forms.form(Paths.poolClaim(pool.id!), csrf: ctx.csrf, cls: "search-form", id: "claim-selected", [
                        H.el("button", [.type("submit"), .cls("btn btn-primary")], [H.text(t("pool.claimSelected"))]),
                    ]) : H.empty),
                Tables.table(([canClaim ? "" : nil].compactMap { $0 } + cols.map { $0.title(t) }).map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("pool.empty"), hint: nil)),
                Tables.pager(first: after == nil ? nil : URLQuery.build(Paths.pool(pool.id!), [("q", q)]),
                             next: page.next.map { URLQuery.build(Paths.pool(pool.id!), [("q", q), ("after", $0.uuidString)]) }, t: t),
            ])
        }
    }

    @Sendable func claimFromPool(req: Request) async throws -> Response {
        let svc = try service(req)
        let poolID = req.parameters.get("id", as: UUID.self)
        struct Form: Content { var ids: [String]?; var count: String? }
        let form = try req.content.decode(Form.self)
        do {
            let n: Int
            if let ids = form.ids, !ids.isEmpty {
                n = try await svc.claim(ids.compactMap(UUID.init(uuidString:)))
            } else {
                n = try await svc.claimRandom(poolID: poolID, count: Int(form.count ?? "") ?? 1)
            }
            _ = n
            return req.redirect(URLQuery.build(Paths.customers, [("owner", try req.actor.userID.uuidString)]), flash: Flash(.success, "pool.claimed"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(Paths.pool(poolID ?? UUID()), flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func claimOne(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        do {
            _ = try await service(req).claim([id])
            return req.redirect(Paths.customer(id), flash: Flash(.success, "pool.claimed"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(Paths.customer(id), flash: Flash(.error, e.messageKey))
        }
    }

    @Sendable func release(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        let reason = try? req.content.get(String.self, at: "reason")
        let pool = try parseID(try? req.content.get(String.self, at: "poolID"), "poolID")
        do {
            _ = try await service(req).release([id], reason: reason, poolID: pool)
            return req.redirect(Paths.customer(id), flash: Flash(.success, "pool.released"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.customer(id), flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func assign(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        guard let owner = try parseID(try? req.content.get(String.self, at: "ownerID"), "ownerID") else { throw AppError.badRequest("error.badParameter") }
        do {
            _ = try await service(req).assign([id], to: owner)
            return req.redirect(Paths.customer(id), flash: Flash(.success, "pool.assigned"))
        } catch let e as AppError where e.status == .conflict || e.status == .unprocessableEntity {
            return req.redirect(Paths.customer(id), flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    // MARK: administration

    @Sendable func admin(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let pools = try await service(req).pools()
        let org = try await Organization.find(actor.orgID, on: req.db)
        let protection = org?.protection ?? ProtectionPolicy()
        let levels = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.level)
        let canEdit = actor.can(.edit, .admin)
        return req.page(title: t("nav.poolRules"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.poolRules"), href: nil)]) { ctx in
            let poolForms = pools.map { p -> HNode in
                let r = p.settings.recycle
                return H.el("section", [.cls("card")], [
                    H.h2(p.name + (p.isDefault ? " · " + t("pool.default") : "")),
                    Forms.form(Paths.adminPool(p.id!), csrf: ctx.csrf, cls: "form grid-form", [
                        Forms.input("name", label: t("pool.name"), value: p.name, error: nil, required: true),
                        Forms.input("bulkClaimLimit", label: t("pool.bulkClaimLimit"), value: String(p.settings.bulkClaimLimit), error: nil, type: "number", extra: [A("min", "1"), A("max", "200")]),
                        Forms.input("notContactedDays", label: t("pool.notContactedDays"), value: r.notContactedDays.map(String.init), error: nil, type: "number", extra: [A("min", "1")]),
                        Forms.input("noFollowUpDays", label: t("pool.noFollowUpDays"), value: r.noFollowUpDays.map(String.init), error: nil, type: "number", extra: [A("min", "1")]),
                        Forms.input("noDealDays", label: t("pool.noDealDays"), value: r.noDealDays.map(String.init), error: nil, type: "number", extra: [A("min", "1")]),
                        Forms.input("warnDays", label: t("pool.warnDays"), value: String(r.warnDays), error: nil, type: "number", extra: [A("min", "0")]),
                        Forms.checkbox("isDefault", label: t("pool.default"), checked: p.isDefault),
                        canEdit ? Forms.actions(Forms.submit(t("action.save"))) : H.empty,
                    ]),
                ])
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.poolRules"))),
                H.p(t("pool.rulesHint"), cls: "muted"),
                H.group(poolForms),
                canEdit ? H.el("section", [.cls("card")], [
                    H.h2(t("pool.new")),
                    Forms.form(Paths.adminPools, csrf: ctx.csrf, cls: "form inline-form", [
                        Forms.input("name", label: t("pool.name"), value: nil, error: nil, required: true),
                        Forms.actions(Forms.submit(t("action.create"))),
                    ]),
                ]) : H.empty,
                H.el("section", [.cls("card"), .id("protection")], [
                    H.h2(t("protection.title")),
                    H.p(t("protection.hint"), cls: "muted"),
                    Forms.form(Paths.adminProtection, csrf: ctx.csrf, cls: "form grid-form", [
                        Forms.input("maxCustomers", label: t("protection.maxCustomers"), value: protection.maxCustomers.map(String.init), error: nil,
                                    type: "number", extra: [A("min", "1")]),
                    ] + levels.map { l in
                        Forms.input("level.\(l.value)", label: t("protection.maxAtLevel", l.label(t.locale)), value: protection.maxByLevel[l.value].map(String.init),
                                    error: nil, type: "number", extra: [A("min", "1")])
                    } + [canEdit ? Forms.actions(Forms.submit(t("action.save"))) : H.empty]),
                ]),
            ])
        }
    }

    private static func days(_ raw: String?) throws -> Int? {
        guard let raw = Check.clean(raw) else { return nil }
        guard let n = Int(raw), (0...3650).contains(n) else { throw AppError.badRequest("error.badParameter") }
        return n
    }

    @Sendable func createPool(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let name = Check.required(try? req.content.get(String.self, at: "name"), "name", max: 50, into: &errors)
        if errors.isEmpty, try await actor.inOrg(CustomerPool.self, on: req.db).filter(\.$name == name).exists() { errors.add("name", "error.nameTaken") }
        guard errors.isEmpty else { return req.redirect(Paths.adminPools, flash: Flash(.error, errors.messages.values.first!)) }
        let count = try await actor.inOrg(CustomerPool.self, on: req.db).countRows()
        let pool = CustomerPool(orgID: actor.orgID, name: name, isDefault: count == 0, sortOrder: count)
        try await req.db.writeTransaction { tx in
            try await pool.create(on: tx)
            try await Audit(actor: actor, db: tx, now: req.now).created("pool", pool.id!, ["name": name])
        }
        return req.redirect(Paths.adminPools, flash: Flash(.success, "flash.saved"))
    }

    @Sendable func savePool(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let pool = try await service(req).pool(req.parameters.get("id", as: UUID.self))
        let form = try req.content.decode([String: String].self)
        var errors = FieldErrors()
        let name = Check.required(form["name"], "name", max: 50, into: &errors)
        guard errors.isEmpty, let limit = Int(form["bulkClaimLimit"] ?? ""), (1...200).contains(limit) else {
            return req.redirect(Paths.adminPools, flash: Flash(.error, "error.badParameter"))
        }
        let before = try String(decoding: JSONEncoder().encode(pool.settings), as: UTF8.self)
        pool.name = name
        pool.settings.bulkClaimLimit = limit
        pool.settings.recycle = RecycleRule(notContactedDays: try Self.days(form["notContactedDays"]), noFollowUpDays: try Self.days(form["noFollowUpDays"]),
                                            noDealDays: try Self.days(form["noDealDays"]), warnDays: try Self.days(form["warnDays"]) ?? 3)
        let makeDefault = form["isDefault"] == "1"
        try await req.db.writeTransaction { tx in
            if makeDefault, !pool.isDefault {
                try await actor.inOrg(CustomerPool.self, on: tx).set(\.$isDefault, to: false).update()
                pool.isDefault = true
            }
            try await pool.save(on: tx)
            let after = try String(decoding: JSONEncoder().encode(pool.settings), as: UTF8.self)
            try await Audit(actor: actor, db: tx, now: req.now).updated("pool", pool.id!, before: ["settings": before], after: ["settings": after, "name": name])
        }
        return req.redirect(Paths.adminPools, flash: Flash(.success, "flash.saved"))
    }

    @Sendable func saveProtection(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        guard let org = try await Organization.find(actor.orgID, on: req.db) else { throw AppError.notFound }
        let form = try req.content.decode([String: String].self)
        var policy = ProtectionPolicy(maxCustomers: try Self.days(form["maxCustomers"]))
        for (key, value) in form where key.hasPrefix("level.") {
            if let n = try Self.days(value) { policy.maxByLevel[String(key.dropFirst(6))] = n }
        }
        let before = org.protection
        org.protection = policy
        try await req.db.writeTransaction { [policy] tx in
            try await org.save(on: tx)
            try await Audit(actor: actor, db: tx, now: req.now).updated("organization", org.id!,
                before: ["protection": before.map { "\($0.maxCustomers.map(String.init) ?? "∞") \($0.maxByLevel)" } ?? ""],
                after: ["protection": "\(policy.maxCustomers.map(String.init) ?? "∞") \(policy.maxByLevel)"])
        }
        return req.redirect(Paths.adminPools + "#protection", flash: Flash(.success, "flash.saved"))
    }
}
