import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Likely duplicates, the merge screen (choose the surviving value per field), and undo.
struct MergePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", "duplicates", use: duplicates)
        routes.get("customers", "merge", use: compare)
        routes.post("customers", "merge", use: merge)
        routes.post("customers", "merges", ":id", "undo", use: undo)
    }

    func service(_ req: Request) throws -> MergeService { MergeService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func duplicates(req: Request) async throws -> Response {
        let actor = try req.actor
        let groups = try await service(req).duplicateGroups()
        let t = actor.t
        let names = try await Lookups.load(actor.definition(Customer.definition), records: groups.flatMap(\.customers), actor: actor, on: req.db)
        return req.page(title: t("merge.duplicates"), crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("merge.duplicates"), href: nil)]) { _ in
            let cards = groups.map { g -> HNode in
                let first = g.customers[0]
                return H.el("section", [.cls("card")], [
                    H.h2(t("collision.reason.\(g.reason.rawValue)")),
                    H.el("ul", [.cls("plain-list")], g.customers.map { c in
                        H.el("li", [], [
                            H.div("", H.a(Paths.customer(c.id!), c.name), H.span("muted", " \(c.number ?? "") · " + (c.ownerID.flatMap { names.users[$0] } ?? t("customer.noOwner")))),
                            c.id == first.id ? H.span("badge", t("merge.keep")) :
                                H.a(URLQuery.build(Paths.customers + "/merge", [("survivor", first.id!.uuidString), ("merged", c.id!.uuidString)]), t("merge.mergeInto", first.name), cls: "btn btn-small"),
                        ])
                    }),
                ])
            }
            return H.group([H.div("page-head", H.h1(t("merge.duplicates"))), H.p(t("merge.hint"), cls: "muted")]
                           + (cards.isEmpty ? [Tables.emptyState(t("merge.none"), hint: nil)] : cards))
        }
    }

    @Sendable func compare(req: Request) async throws -> Response {
        let actor = try req.actor
        let a = try await actor.find(Customer.self, (try? req.query.get(String.self, at: "survivor")).flatMap(UUID.init(uuidString:)), for: .edit, on: req.db)
        let b = try await actor.find(Customer.self, (try? req.query.get(String.self, at: "merged")).flatMap(UUID.init(uuidString:)), for: .delete, on: req.db)
        let def = actor.definition(Customer.definition)
        let lookups = try await Lookups.load(def, records: [a, b], actor: actor, on: req.db)
        let t = actor.t
        return req.page(title: t("merge.title"), crumbs: [Crumb(label: t("merge.duplicates"), href: Paths.customers + "/duplicates"), Crumb(label: t("merge.title"), href: nil)]) { ctx in
            let rows: [[HNode]] = def.writableFields(for: actor).compactMap { f in
                let va = FieldCodec.display(f, f.read(a), lookups: lookups, t: t, decimals: actor.org.moneyDecimals)
                let vb = FieldCodec.display(f, f.read(b), lookups: lookups, t: t, decimals: actor.org.moneyDecimals)
                if va == vb { return nil }
                let preferB = va.isEmpty && !vb.isEmpty
                return [H.text(f.title(t)),
                        H.el("label", [.cls("check")], [H.void("input", [.type("radio"), .name(f.key), .value("survivor"), .flag("checked", !preferB)]), H.text(va.isEmpty ? "—" : va)]),
                        H.el("label", [.cls("check")], [H.void("input", [.type("radio"), .name(f.key), .value("merged"), .flag("checked", preferB)]), H.text(vb.isEmpty ? "—" : vb)])]
            }
            return H.group([
                H.div("page-head", H.h1(t("merge.title"))),
                H.p(t("merge.explain", b.name, a.name), cls: "muted"),
                Forms.form(Paths.customers + "/merge", csrf: ctx.csrf, [
                    H.void("input", [.type("hidden"), .name("survivor"), .value(a.id!.uuidString)]),
                    H.void("input", [.type("hidden"), .name("merged"), .value(b.id!.uuidString)]),
                    Tables.table([t("merge.field"), a.name + " (" + t("merge.keep") + ")", b.name].map { Tables.Column($0) }, rows: rows, sort: nil,
                                 descending: false, link: { _, _ in "" }, empty: H.p(t("merge.same"), cls: "muted")),
                    Forms.actions(H.el("button", [.type("submit"), .cls("btn btn-primary"), A("data-confirm", t("merge.confirm"))], [H.text(t("merge.do"))])),
                ]),
            ])
        }
    }

    @Sendable func merge(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let record = try await service(req).merge(survivorID: form["survivor"].flatMap(UUID.init(uuidString:)),
                                                  mergedID: form["merged"].flatMap(UUID.init(uuidString:)), choices: form)
        return req.redirect(Paths.customer(record.survivorID), flash: Flash(.success, "merge.done"))
    }

    @Sendable func undo(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let id = req.parameters.get("id", as: UUID.self),
              let record = try await actor.inOrg(CustomerMerge.self, on: req.db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        try await service(req).undo(id)
        return req.redirect(Paths.customer(record.survivorID), flash: Flash(.success, "merge.undone"))
    }

    /// Merges into this customer that can still be undone, for its 360 view.
    static func panel(customer c: Customer, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let merges = try await actor.inOrg(CustomerMerge.self, on: req.db).filter(\.$survivorID == c.id!).filter(\.$undoneAt == nil).rows()
        guard !merges.isEmpty, actor.can(.edit, .customers) else { return { _ in H.empty } }
        let names = Dictionary(uniqueKeysWithValues: try await actor.inOrgWithDeleted(Customer.self, on: req.db).filter(\.$id ~~ merges.map(\.mergedID)).rows().map { ($0.id!, $0.name) })
        return { ctx in
            H.el("section", [.cls("card")], [
                H.h2(ctx.t("merge.records")),
                H.el("ul", [.cls("plain-list")], merges.map { m in
                    H.el("li", [], [H.text(ctx.t("merge.record", names[m.mergedID] ?? "?", ctx.dateTime(m.mergedAt))),
                                    Forms.postButton(Paths.customers + "/merges/\(m.id!.uuidString)/undo", label: ctx.t("merge.undo"), csrf: ctx.csrf,
                                                     cls: "btn btn-small", confirm: ctx.t("merge.undoConfirm"))])
                }),
            ])
        }
    }
}

/// /api/v1/customers/duplicates, /merge and /merges/{id}/undo
struct MergeAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", "duplicates", use: duplicates)
        routes.post("customers", "merge", use: merge)
        routes.post("customers", "merges", ":id", "undo", use: undo)
    }

    struct MergeRequest: Content { var survivorID: UUID; var mergedID: UUID; var takeFromMerged: [String]? }
    struct MergeResult: Content { var mergeID: UUID; var survivorID: UUID }

    @Sendable func duplicates(req: Request) async throws -> Response {
        let actor = try req.actor
        let groups = try await MergeService(db: req.db, actor: actor, now: req.now).duplicateGroups()
        let def = actor.definition(Customer.definition)
        return JSONResponse.ok(.array(groups.map { g in
            .object([("reason", .string(g.reason.rawValue)), ("customers", .array(g.customers.map { def.json($0, id: $0.id!, actor: actor) }))])
        }))
    }

    @Sendable func merge(req: Request) async throws -> MergeResult {
        let body = try req.content.decode(MergeRequest.self)
        let def = try req.actor.definition(Customer.definition)
        var choices: [String: String] = [:]
        for key in body.takeFromMerged ?? [] {
            guard def.field(key) != nil else {
                var e = FieldErrors()
                e.add("takeFromMerged", "error.unknownField")
                throw AppError.invalid(e)
            }
            choices[key] = "merged"
        }
        let record = try await MergeService(db: req.db, actor: try req.actor, now: req.now).merge(survivorID: body.survivorID, mergedID: body.mergedID, choices: choices)
        return MergeResult(mergeID: record.id!, survivorID: record.survivorID)
    }

    @Sendable func undo(req: Request) async throws -> HTTPStatus {
        try await MergeService(db: req.db, actor: try req.actor, now: req.now).undo(req.parameters.get("id", as: UUID.self))
        return .noContent
    }
}
