import Fluent
import Foundation
import GuanxiCore
import Vapor

/// A member of a customer's sales team (销售团队, CUS-09), with the share of credit they get.
final class CustomerTeamMember: Model, @unchecked Sendable {
    static let schema = "customer_team_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "is_leader") var isLeader: Bool
    @Field(key: "credit_percent") var creditPercent: Int

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $customerID, $userID, $isLeader, $creditPercent] }
}

extension CustomerTeamMember: OrgScoped {}

/// The team is set as a whole: members, one leader, credit shares adding up to at most 100%.
struct TeamService {
    let db: Database
    let actor: Actor
    let now: Date

    struct Member: Content {
        var userID: UUID
        var isLeader: Bool
        var creditPercent: Int
    }

    func team(_ customerID: UUID?) async throws -> [CustomerTeamMember] {
        let c = try await actor.find(Customer.self, customerID, for: .view, on: db)
        return try await actor.inOrg(CustomerTeamMember.self, on: db).filter(\.$customerID == c.id!).rows()
    }

    func replace(_ customerID: UUID?, with members: [Member]) async throws -> [CustomerTeamMember] {
        let c = try await actor.find(Customer.self, customerID, for: .edit, on: db)
        guard c.ownerID == actor.userID || actor.can(.assign, .customers) else { throw AppError.forbidden }
        var errors = FieldErrors()
        let ids = members.map(\.userID)
        if Set(ids).count != ids.count || members.count > 20 { errors.add("members", "error.invalidOption") }
        if members.filter(\.isLeader).count > 1 { errors.add("members", "error.invalidOption") }
        if members.contains(where: { !(0...100).contains($0.creditPercent) }) || members.reduce(0, { $0 + $1.creditPercent }) > 100 {
            errors.add("creditPercent", "error.credit")
        }
        if !ids.isEmpty, try await actor.inOrg(User.self, on: db).filter(\.$id ~~ ids).filter(\.$status == .active).countRows() != ids.count {
            errors.add("members", "error.unknownUser")
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let before = try await team(c.id)
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: ids + before.map(\.userID), on: db).users
        @Sendable func text(_ list: [(UUID, Bool, Int)]) -> String {
            list.map { "\(names[$0.0] ?? "?")\($0.1 ? "★" : "") \($0.2)%" }.sorted().joined(separator: ", ")
        }
        let actor = self.actor, now = self.now
        try await db.writeTransaction { tx in
            try await actor.inOrg(CustomerTeamMember.self, on: tx).filter(\.$customerID == c.id!).delete()
            for m in members {
                let row = CustomerTeamMember()
                row.id = UUID.v7(at: now)
                row.orgID = actor.orgID
                row.customerID = c.id!
                row.userID = m.userID
                row.isLeader = m.isLeader
                row.creditPercent = m.creditPercent
                try await row.create(on: tx)
            }
            try await Audit(actor: actor, db: tx, now: now).updated(Customer.entity, c.id!,
                before: ["team": text(before.map { ($0.userID, $0.isLeader, $0.creditPercent) })],
                after: ["team": text(members.map { ($0.userID, $0.isLeader, $0.creditPercent) })])
        }
        return try await team(c.id)
    }
}

struct TeamPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.post("customers", ":id", "team", use: save)
    }

    /// The team card on the 360 view: one form for the whole team.
    static func panel(customer c: Customer, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let members = try await TeamService(db: req.db, actor: actor, now: req.now).team(c.id)
        let canEdit = actor.can(.edit, .customers) && (c.ownerID == actor.userID || actor.can(.assign, .customers))
        let users = canEdit ? try await actor.colleagueOptions(on: req.db) : PeopleOptions([])
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: members.map(\.userID), on: req.db).users
        return { ctx in
            let t = ctx.t
            guard canEdit || !members.isEmpty else { return H.empty }
            let rows: [[HNode]] = members.map { m in
                [H.text(names[m.userID] ?? "?"), m.isLeader ? H.span("badge badge-ok", t("team.leader")) : H.empty, H.text("\(m.creditPercent)%")]
            }
            let editor: HNode = canEdit ? Forms.form(Paths.customer(c.id!) + "/team", csrf: ctx.csrf, cls: "form", [
                H.div("team-rows", (members.map { Optional($0) } + [nil, nil]).enumerated().map { i, m in
                    H.div("filter-row",
                          H.el("select", [.name("user\(i)"), A("aria-label", t("team.member"))], [H.el("option", [.value("")], [H.text("—")]), users.options(selected: m?.userID)]),
                          H.el("label", [.cls("check")], [H.void("input", [.type("radio"), .name("leader"), .value(String(i)), .flag("checked", m?.isLeader == true)]), H.text(t("team.leader"))]),
                          H.void("input", [.type("number"), .name("credit\(i)"), .value(String(m?.creditPercent ?? 0)), A("min", "0"), A("max", "100"), A("aria-label", t("team.credit"))]))
                }),
                Forms.actions(Forms.submit(t("action.save"))),
            ]) : H.empty
            return H.el("section", [.cls("card"), .id("team")], [
                H.h2(t("team.title")),
                Tables.table([t("team.member"), "", t("team.credit")].map { Tables.Column($0) }, rows: rows, sort: nil, descending: false,
                             link: { _, _ in "" }, empty: H.p(t("team.none"), cls: "muted")),
                editor,
            ])
        }
    }

    @Sendable func save(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self) ?? UUID()
        let form = try req.content.decode([String: String].self)
        var members: [TeamService.Member] = []
        for i in 0..<22 {
            guard let raw = Check.clean(form["user\(i)"]) else { continue }
            guard let user = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            members.append(.init(userID: user, isLeader: form["leader"] == String(i), creditPercent: Int(form["credit\(i)"] ?? "0") ?? -1))
        }
        do {
            _ = try await TeamService(db: req.db, actor: try req.actor, now: req.now).replace(id, with: members)
            return req.redirect(Paths.customer(id) + "#team", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.customer(id) + "#team", flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }
}

/// /api/v1/customers/{id}/team
struct TeamAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", ":id", "team", use: show)
        routes.put("customers", ":id", "team", use: replace)
    }

    struct Body: Content { var members: [TeamService.Member] }

    @Sendable func show(req: Request) async throws -> [TeamService.Member] {
        try await TeamService(db: req.db, actor: try req.actor, now: req.now).team(req.parameters.get("id", as: UUID.self))
            .map { .init(userID: $0.userID, isLeader: $0.isLeader, creditPercent: $0.creditPercent) }
    }

    @Sendable func replace(req: Request) async throws -> [TeamService.Member] {
        let body = try req.content.decode(Body.self)
        return try await TeamService(db: req.db, actor: try req.actor, now: req.now).replace(req.parameters.get("id", as: UUID.self), with: body.members)
            .map { .init(userID: $0.userID, isLeader: $0.isLeader, creditPercent: $0.creditPercent) }
    }
}
