import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// A demand plan (需求方案, OPP-04): what the customer needs, drafted with them and kept in versions
/// on the opportunity. Only the newest version is edited; confirming it records that the customer
/// agreed, and a change after that is a new version.
final class DemandPlan: Model, @unchecked Sendable {
    static let schema = "demand_plans"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "opportunity_id") var opportunityID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "title") var title: String
    @Field(key: "content") var content: String
    /// draft or confirmed.
    @Field(key: "status") var status: String
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "updated_at") var updatedAt: Date?
    @OptionalField(key: "confirmed_at") var confirmedAt: Date?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $opportunityID, $version, $title, $content, $status, $createdBy, $createdAt, $updatedAt, $confirmedAt]
    }

    init(orgID: UUID, opportunityID: UUID, version: Int, title: String, content: String, by: UUID, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.opportunityID = opportunityID
        self.version = version
        self.title = title
        self.content = content
        self.status = "draft"
        self.createdBy = by
        self.createdAt = at
    }

    var isConfirmed: Bool { status == "confirmed" }
}

extension DemandPlan: OrgScoped {}

/// Demand plans follow their opportunity: whoever sees it reads them, whoever may change it writes them.
struct DemandPlanService {
    let db: Database
    let actor: Actor
    let now: Date

    func list(_ opportunityID: UUID?) async throws -> [DemandPlan] {
        let o = try await actor.find(Opportunity.self, opportunityID, for: .view, on: db)
        return try await actor.inOrg(DemandPlan.self, on: db).filter(\.$opportunityID == o.id!).sort(\.$version, .descending).limit(100).rows()
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> (DemandPlan, Opportunity) {
        guard let id, let plan = try await actor.inOrg(DemandPlan.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        let o = try await actor.find(Opportunity.self, plan.opportunityID, for: action, on: db)
        return (plan, o)
    }

    struct Input: Sendable, Codable {
        var title: String?
        var content: String?
    }

    private func validate(_ input: Input, into errors: inout FieldErrors) -> (String, String) {
        (Check.required(input.title, "title", max: 100, into: &errors), Check.required(input.content, "content", max: 20_000, into: &errors))
    }

    /// A new version: the first, or the next after the newest. Two people at once get one each, in order.
    func create(opportunityID: UUID?, _ input: Input) async throws -> DemandPlan {
        let o = try await actor.find(Opportunity.self, opportunityID, for: .edit, on: db)
        var errors = FieldErrors()
        let (title, content) = validate(input, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        return try await db.writeTransaction { [actor, now] tx in
            struct Row: Decodable { let v: Int? }
            // Two new versions at once are numbered in turn: PostgreSQL locks the opportunity's row first,
            // SQLite writes one at a time anyway; the unique (opportunity, version) index is the last word.
            let sql = tx as! any SQLDatabase
            if !tx.isSQLite { try await sql.raw("SELECT id FROM opportunities WHERE id = \(bind: o.id!) FOR UPDATE").run() }
            let last = try await sql.raw("SELECT MAX(version) AS v FROM demand_plans WHERE opportunity_id = \(bind: o.id!)")
                .first(decoding: Row.self)?.v ?? 0
            let plan = DemandPlan(orgID: actor.orgID, opportunityID: o.id!, version: last + 1, title: title, content: content, by: actor.userID, at: now)
            try await plan.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, o.id!, .update, field: "demandPlan", new: "v\(plan.version) \(title)")
            return plan
        }
    }

    /// Changes the newest version while it is a draft.
    func update(_ id: UUID?, _ input: Input) async throws -> DemandPlan {
        let (plan, o) = try await get(id, for: .edit)
        try await requireNewestDraft(plan)
        var errors = FieldErrors()
        let (title, content) = validate(input, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        guard title != plan.title || content != plan.content else { return plan }
        let before = ["title": plan.title, "content": String(plan.content.prefix(500))]
        plan.title = title
        plan.content = content
        plan.updatedAt = now
        try await db.writeTransaction { [actor, now] tx in
            try await plan.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Opportunity.entity, o.id!, before: before.mapKeys { "demandPlan.\($0)" },
                                                                     after: ["demandPlan.title": title, "demandPlan.content": String(content.prefix(500))])
        }
        return plan
    }

    /// The customer agreed to this version.
    func confirm(_ id: UUID?) async throws -> DemandPlan {
        let (plan, o) = try await get(id, for: .edit)
        try await requireNewestDraft(plan)
        plan.status = "confirmed"
        plan.confirmedAt = now
        try await db.writeTransaction { [actor, now] tx in
            try await plan.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, o.id!, .update, field: "demandPlan", new: "v\(plan.version) ✓")
        }
        return plan
    }

    private func requireNewestDraft(_ plan: DemandPlan) async throws {
        let newest = try await actor.inOrg(DemandPlan.self, on: db).filter(\.$opportunityID == plan.opportunityID).sort(\.$version, .descending).firstRow()
        guard newest?.id == plan.id, !plan.isConfirmed else { throw AppError.conflict("error.demandPlanNotDraft") }
    }
}

private extension Dictionary where Key == String {
    func mapKeys(_ f: (String) -> String) -> [String: Value] { Dictionary(uniqueKeysWithValues: map { (f($0.key), $0.value) }) }
}

/// Demand plan pages: the card on the opportunity, one version, the form.
struct DemandPlanPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("opportunities", ":id", "demand-plans", "new", use: newForm)
        routes.post("opportunities", ":id", "demand-plans", use: create)
        routes.get("demand-plans", ":id", use: show)
        routes.post("demand-plans", ":id", use: update)
        routes.post("demand-plans", ":id", "confirm", use: confirm)
    }

    func service(_ req: Request) throws -> DemandPlanService { DemandPlanService(db: req.db, actor: try req.actor, now: req.now) }

    /// The versions on the opportunity page.
    static func card(_ o: Opportunity, canEdit: Bool, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let plans = try await DemandPlanService(db: req.db, actor: actor, now: req.now).list(o.id)
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: plans.map(\.createdBy), on: req.db).users
        let t = actor.t
        return { ctx in
            H.el("section", [.cls("card"), .id("demand-plans")], [
                H.div("card-head", H.h2(t("demandPlan.title")),
                      canEdit ? H.a(Paths.opportunity(o.id!) + "/demand-plans/new", plans.isEmpty ? t("demandPlan.new") : t("demandPlan.newVersion"), cls: "btn btn-small") : H.empty),
                Tables.table([t("demandPlan.version"), t("demandPlan.name"), t("demandPlan.status"), t("demandPlan.by"), t("demandPlan.at")].map { Tables.Column($0) },
                             rows: plans.map { p in [
                                 H.a("/demand-plans/\(p.id!.uuidString)", "v\(p.version)", cls: "strong"), H.text(p.title), Self.badge(p, t: t),
                                 H.text(names[p.createdBy] ?? ""), H.text(ctx.dateTime(p.updatedAt ?? p.createdAt)),
                             ] }, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("demandPlan.empty"), cls: "muted")),
            ])
        }
    }

    static func badge(_ p: DemandPlan, t: Translator) -> HNode {
        p.isConfirmed ? H.span("badge badge-ok", t("demandPlan.confirmed")) : H.span("badge", t("demandPlan.draft"))
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        let o = try await actor.find(Opportunity.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        // A new version starts from the newest one.
        let last = try await service(req).list(o.id).first
        return render(req, o, plan: nil, values: ["title": last?.title ?? "", "content": last?.content ?? ""], errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let o = try await actor.find(Opportunity.self, req.parameters.get("id", as: UUID.self), for: .edit, on: req.db)
        let input = try req.content.decode(DemandPlanService.Input.self)
        do {
            let p = try await service(req).create(opportunityID: o.id, input)
            return req.redirect("/demand-plans/\(p.id!.uuidString)", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return render(req, o, plan: nil, values: ["title": input.title ?? "", "content": input.content ?? ""], errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let (p, o) = try await service(req).get(req.parameters.get("id", as: UUID.self))
        let canEdit = (try? await service(req).get(p.id, for: .edit)) != nil
        let newest = try await service(req).list(o.id).first?.id == p.id
        if canEdit, newest, !p.isConfirmed, (try? req.query.get(String.self, at: "edit")) != nil {
            return render(req, o, plan: p, values: ["title": p.title, "content": p.content], errors: [:])
        }
        let t = actor.t
        let title = "\(p.title) v\(p.version)"
        return req.page(title: title, crumbs: [Crumb(label: t("nav.opportunities"), href: Paths.opportunities), Crumb(label: o.name, href: Paths.opportunity(o.id!)),
                                               Crumb(label: title, href: nil)]) { ctx in
            var actions: [HNode] = []
            if canEdit, newest, !p.isConfirmed {
                actions.append(H.a("/demand-plans/\(p.id!.uuidString)?edit=1", t("action.edit"), cls: "btn"))
                actions.append(Forms.postButton("/demand-plans/\(p.id!.uuidString)/confirm", label: t("demandPlan.confirm"), csrf: ctx.csrf, cls: "btn btn-primary",
                                                confirm: t("demandPlan.confirmAsk")))
            }
            if canEdit { actions.append(H.a(Paths.opportunity(o.id!) + "/demand-plans/new", t("demandPlan.newVersion"), cls: "btn")) }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(title), H.div("summary-badges", Self.badge(p, t: t))), H.div("actions", actions)),
                H.el("section", [.cls("card")], [H.el("div", [.cls("prewrap")], [H.text(p.content)])]),
                H.p(t("demandPlan.meta", ctx.dateTime(p.createdAt), p.confirmedAt.map { ctx.dateTime($0) } ?? "—"), cls: "muted small"),
            ])
        }
    }

    @Sendable func update(req: Request) async throws -> Response {
        let (p, o) = try await service(req).get(req.parameters.get("id", as: UUID.self), for: .edit)
        let input = try req.content.decode(DemandPlanService.Input.self)
        do {
            _ = try await service(req).update(p.id, input)
            return req.redirect("/demand-plans/\(p.id!.uuidString)", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return render(req, o, plan: p, values: ["title": input.title ?? "", "content": input.content ?? ""], errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func confirm(req: Request) async throws -> Response {
        let p = try await service(req).confirm(req.parameters.get("id", as: UUID.self))
        return req.redirect("/demand-plans/\(p.id!.uuidString)", flash: Flash(.success, "demandPlan.confirmedFlash"))
    }

    private func render(_ req: Request, _ o: Opportunity, plan: DemandPlan?, values: [String: String], errors: [String: String],
                        status: HTTPResponseStatus = .ok) -> Response {
        let t = Translator((try? req.actor)?.locale ?? .zhHans)
        let title = plan.map { "\($0.title) v\($0.version)" } ?? t("demandPlan.newVersion")
        let action = plan.map { "/demand-plans/\($0.id!.uuidString)" } ?? Paths.opportunity(o.id!) + "/demand-plans"
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.opportunities"), href: Paths.opportunities), Crumb(label: o.name, href: Paths.opportunity(o.id!)),
                                                       Crumb(label: title, href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card wide",
                          Forms.input("title", label: t("demandPlan.name"), value: values["title"], error: errors["title"].map { t($0) }, required: true,
                                      extra: [A("maxlength", "100")]),
                          Forms.textarea("content", label: t("demandPlan.content"), value: values["content"], error: errors["content"].map { t($0) }, rows: 14)),
                    Forms.actions(Forms.submit(t("action.save")), H.a(Paths.opportunity(o.id!), t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }
}

/// /api/v1/opportunities/{id}/demand-plans and /api/v1/demand-plans/{id}.
struct DemandPlanAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("opportunities", ":id", "demand-plans", use: index)
        routes.post("opportunities", ":id", "demand-plans", use: create)
        routes.get("demand-plans", ":id", use: show)
        routes.patch("demand-plans", ":id", use: update)
        routes.post("demand-plans", ":id", "confirm", use: confirm)
    }

    func service(_ req: Request) throws -> DemandPlanService { DemandPlanService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ p: DemandPlan) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(p.id!.uuidString)), ("opportunityID", .string(p.opportunityID.uuidString)), ("version", .int(p.version)),
                                            ("title", .string(p.title)), ("content", .string(p.content)), ("status", .string(p.status)),
                                            ("createdBy", .string(p.createdBy.uuidString)), ("createdAt", .string(ISO8601.string(p.createdAt)))]
        if let d = p.confirmedAt { pairs.append(("confirmedAt", .string(ISO8601.string(d)))) }
        return .object(pairs)
    }

    @Sendable func index(req: Request) async throws -> Response {
        JSONResponse.ok(.array(try await service(req).list(req.parameters.get("id", as: UUID.self)).map(Self.json)))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.actor.find(Opportunity.self, id, for: .edit, on: req.db)
        let input = try req.content.decode(DemandPlanService.Input.self)
        return JSONResponse.ok(Self.json(try await svc.create(opportunityID: id, input)), status: .created)
    }

    @Sendable func show(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).get(req.parameters.get("id", as: UUID.self)).0))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        _ = try await svc.get(id, for: .edit)
        let input = try req.content.decode(DemandPlanService.Input.self)
        return JSONResponse.ok(Self.json(try await svc.update(id, input)))
    }

    @Sendable func confirm(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).confirm(req.parameters.get("id", as: UUID.self))))
    }
}
