import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The relationship map card of the customer 360 view (CON-02) and its form posts.
struct ContactRelationPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.post("customers", ":id", "relations", use: add)
        routes.post("relations", ":id", "delete", use: remove)
    }

    struct RelationForm: Content {
        var fromContactID: String?
        var toContactID: String?
        var kind: String?
        var notes: String?

        var input: ContactRelationService.Input {
            .init(from: fromContactID.flatMap(UUID.init(uuidString:)), to: toContactID.flatMap(UUID.init(uuidString:)), kind: kind, notes: notes)
        }
    }

    @Sendable func add(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode(RelationForm.self)
        let back = (id.map(Paths.customer) ?? Paths.customers) + "#relations"
        do {
            _ = try await ContactRelationService(db: req.db, actor: try req.actor, now: req.now).add(customerID: id, form.input)
            return req.redirect(back, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(back, flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func remove(req: Request) async throws -> Response {
        let actor = try req.actor
        let id = req.parameters.get("id", as: UUID.self)
        let relation = try await actor.inOrg(ContactRelation.self, on: req.db).filter(\.$id == id ?? UUID()).firstRow()
        try await ContactRelationService(db: req.db, actor: actor, now: req.now).remove(id)
        return req.redirect((relation.map { Paths.customer($0.customerID) } ?? Paths.customers) + "#relations", flash: Flash(.success, "flash.deleted"))
    }

    /// The card: the map as SVG, the relations as a list, and a form to add one.
    static func card(customer: Customer, contacts: [Contact], relations: [ContactRelation], roles: [String: DictionaryOption],
                     actor: Actor, ctx: PageContext) -> HNode {
        let t = ctx.t
        let canEdit = actor.can(.edit, .customers)
        let byID = Dictionary(uniqueKeysWithValues: contacts.map { ($0.id!, $0) })
        // Relations to contacts in the recycle bin wait there with them.
        let shown = relations.filter { byID[$0.fromContactID] != nil && byID[$0.toContactID] != nil }
        let names = byID.mapValues(\.name)
        let items: [HNode] = shown.map { r in
            H.el("li", [], [
                H.span("strong", names[r.fromContactID] ?? ""),
                H.span("relation-kind relation-\(r.kind.rawValue)", "→ \(t(r.kind.labelKey)) →"),
                H.span("strong", names[r.toContactID] ?? ""),
                r.notes.map { H.span("muted", " · \($0)") } ?? H.empty,
                canEdit ? Forms.postButton(Paths.relationDelete(r.id!), label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-small btn-link") : H.empty,
            ])
        }
        let contactOptions = contacts.map { Forms.Option(value: $0.id!.uuidString, label: $0.name) }
        let addForm: HNode = canEdit && contacts.count >= 2 ? Forms.form(Paths.customerRelations(customer.id!), csrf: ctx.csrf, cls: "form inline-form", [
            Forms.select("fromContactID", label: t("relation.from"), options: contactOptions, selected: nil, error: nil, required: true),
            Forms.select("kind", label: t("relation.kind"), options: ContactRelation.Kind.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                         selected: nil, error: nil, required: true),
            Forms.select("toContactID", label: t("relation.to"), options: contactOptions, selected: contactOptions.dropFirst().first?.value, error: nil, required: true),
            Forms.input("notes", label: t("relation.notes"), value: nil, error: nil, extra: [A("maxlength", "200")]),
            Forms.actions(Forms.submit(t("relation.add"))),
        ]) : H.empty
        return H.el("section", [.cls("card"), .id("relations")], [
            H.h2(t("relation.title")),
            contacts.isEmpty ? H.p(t("relation.empty"), cls: "muted") : map(contacts, relations: shown, roles: roles, t: t),
            items.isEmpty ? H.empty : H.el("ul", [.cls("plain-list relation-list")], items),
            addForm,
        ])
    }

    /// Bosses on top, each contact under the one it reports to; other relations as dashed or dotted lines.
    static func map(_ contacts: [Contact], relations: [ContactRelation], roles: [String: DictionaryOption], t: Translator) -> HNode {
        let boxW = 150.0, boxH = 54.0, gapX = 30.0, gapY = 50.0, pad = 10.0
        let bosses = Dictionary(relations.filter { $0.kind == .reportsTo }.map { ($0.fromContactID, $0.toContactID) }) { a, _ in a }
        let place = RelationLayout.place(contacts.map { $0.id! }, reportsTo: bosses)
        let columns = (place.values.map(\.column).max() ?? 0) + 1
        let levels = (place.values.map(\.level).max() ?? 0) + 1
        let width = pad * 2 + Double(columns) * (boxW + gapX) - gapX
        let height = pad * 2 + Double(levels) * (boxH + gapY) - gapY
        func origin(_ id: UUID) -> (x: Double, y: Double) {
            let p = place[id] ?? .init(level: 0, column: 0)
            return (pad + Double(p.column) * (boxW + gapX), pad + Double(p.level) * (boxH + gapY))
        }
        let f = { (v: Double) in String(format: "%.0f", v) }
        var nodes: [HNode] = [H.el("defs", [], [
            H.el("marker", [.id("rel-arrow"), A("viewBox", "0 0 10 10"), A("refX", "10"), A("refY", "5"), A("markerWidth", "7"), A("markerHeight", "7"), A("orient", "auto-start-reverse")],
                 [H.void("path", [A("d", "M 0 0 L 10 5 L 0 10 z"), A("fill", "#6b7280")])]),
        ])]
        for r in relations {
            let a = origin(r.fromContactID), b = origin(r.toContactID)
            let (x1, y1, x2, y2): (Double, Double, Double, Double)
            if r.kind == .reportsTo {
                (x1, y1, x2, y2) = (a.x + boxW / 2, a.y, b.x + boxW / 2, b.y + boxH)
            } else {
                (x1, y1, x2, y2) = (a.x + boxW / 2, a.y + boxH / 2, b.x + boxW / 2, b.y + boxH / 2)
            }
            nodes.append(H.void("line", [A("x1", f(x1)), A("y1", f(y1)), A("x2", f(x2)), A("y2", f(y2)), .cls("rel-line rel-\(r.kind.rawValue)"),
                                         A("marker-end", r.kind == .family || r.kind == .friend ? nil : "url(#rel-arrow)")]))
            if r.kind != .reportsTo {
                nodes.append(H.el("text", [A("x", f((x1 + x2) / 2)), A("y", f((y1 + y2) / 2 - 4)), A("text-anchor", "middle"), .cls("chart-label")],
                                  [H.text(t(r.kind.labelKey))]))
            }
        }
        for c in contacts {
            let o = origin(c.id!)
            let role = c.role.flatMap { roles[$0] }
            let subtitle = [c.title, role?.label(t.locale)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
            nodes.append(H.el("a", [.href(Paths.contact(c.id!))], [
                H.void("rect", [A("x", f(o.x)), A("y", f(o.y)), A("width", f(boxW)), A("height", f(boxH)), A("rx", "6"),
                                .cls(c.isPrimary ? "rel-node rel-primary" : "rel-node"), A("stroke", role?.color)]),
                H.el("text", [A("x", f(o.x + boxW / 2)), A("y", f(o.y + (subtitle.isEmpty ? 32 : 22))), A("text-anchor", "middle"), .cls("rel-name")], [H.text(String(c.name.prefix(12)))]),
                H.el("text", [A("x", f(o.x + boxW / 2)), A("y", f(o.y + 40)), A("text-anchor", "middle"), .cls("chart-label")], [H.text(String(subtitle.prefix(16)))]),
            ]))
        }
        return H.el("svg", [A("xmlns", "http://www.w3.org/2000/svg"), A("viewBox", "0 0 \(f(width)) \(f(height))"), A("role", "img"),
                            A("aria-label", t("relation.title")), .cls("relation-map"), A("width", f(width)), A("height", f(height))],
                    [H.el("title", [], [H.text(t("relation.title"))])] + nodes)
    }
}

/// /api/v1/customers/{id}/relations and /api/v1/relations/{id}.
struct ContactRelationAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", ":id", "relations", use: index)
        routes.post("customers", ":id", "relations", use: create)
        routes.delete("relations", ":id", use: delete)
    }

    struct RelationDTO: Content {
        var id: UUID
        var fromContactID: UUID
        var toContactID: UUID
        var kind: String
        var notes: String?

        init(_ r: ContactRelation) {
            id = r.id!
            fromContactID = r.fromContactID
            toContactID = r.toContactID
            kind = r.kind.rawValue
            notes = r.notes
        }
    }

    struct Body: Content {
        var fromContactID: UUID?
        var toContactID: UUID?
        var kind: String?
        var notes: String?
    }

    @Sendable func index(req: Request) async throws -> [RelationDTO] {
        try await ContactRelationService(db: req.db, actor: try req.actor, now: req.now).list(customerID: req.parameters.get("id", as: UUID.self)).map(RelationDTO.init)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let b = try req.content.decode(Body.self)
        let r = try await ContactRelationService(db: req.db, actor: try req.actor, now: req.now)
            .add(customerID: req.parameters.get("id", as: UUID.self), .init(from: b.fromContactID, to: b.toContactID, kind: b.kind, notes: b.notes))
        return try await RelationDTO(r).encodeResponse(status: .created, for: req)
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await ContactRelationService(db: req.db, actor: try req.actor, now: req.now).remove(req.parameters.get("id", as: UUID.self))
        return .noContent
    }
}
