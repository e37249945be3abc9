import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /target-lists: lists made from saved customer filters, their members, refresh and export.
struct TargetListPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("target-lists", use: index)
        routes.post("target-lists", use: create)
        routes.get("target-lists", ":id", use: show)
        routes.get("target-lists", ":id", "export", use: export)
        routes.post("target-lists", ":id", "refresh", use: refresh)
        routes.post("target-lists", ":id", "delete", use: delete)
    }

    func service(_ req: Request) throws -> TargetListService { TargetListService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        try await render(req, values: ["filter": (try? req.query.get(String.self, at: "filter")) ?? ""], errors: [:])
    }

    private func render(_ req: Request, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .customers)
        let t = actor.t
        let lists = try await service(req).list()
        let filters = try await SavedFilterPages.list(actor, on: req.db)
        let owners = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: lists.map(\.ownerID), on: req.db).users
        return req.page(status, title: t("nav.targetLists"), crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("nav.targetLists"), href: nil)]) { ctx in
            let rows: [[HNode]] = lists.map { l in [
                H.a(Paths.targetList(l.id!), l.name, cls: "strong"),
                H.text(t("targetList.entity.\(l.entity)")),
                H.span("num", String(l.memberCount)),
                H.text(ctx.dateTime(l.refreshedAt)),
                H.text(owners[l.ownerID] ?? ""),
            ] }
            let err = { (k: String) in errors[k].map { t($0) } }
            let form: HNode = filters.isEmpty
                ? Tables.emptyState(t("targetList.noFilters"), hint: t("targetList.noFiltersHint"), action: H.a(Paths.customers, t("nav.customers"), cls: "btn"))
                : H.el("section", [.cls("card form-card wide"), .id("new-list")], [
                    H.h2(t("targetList.new")),
                    Forms.errorSummary(errors, t: t),
                    Forms.form(Paths.targetLists, csrf: ctx.csrf, [
                        H.div("grid-form",
                              Forms.input("name", label: t("targetList.name"), value: values["name"], error: err("name"), required: true, extra: [A("maxlength", "50")]),
                              Forms.select("filter", label: t("targetList.filter"), options: filters.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                           selected: values["filter"], error: err("filter"), required: true),
                              Forms.select("entity", label: t("targetList.members"), options: TargetList.entities.map { .init(value: $0, label: t("targetList.entity.\($0)")) },
                                           selected: values["entity"], error: err("entity"))),
                        Forms.actions(Forms.submit(t("targetList.create"))),
                    ]),
                ])
            return H.group([
                H.div("page-head", H.h1(t("nav.targetLists"))),
                H.p(t("targetList.hint"), cls: "muted"),
                Tables.table([t("targetList.name"), t("targetList.members"), t("targetList.count"), t("targetList.refreshedAt"), t("lead.owner")].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: Tables.emptyState(t("targetList.emptyTitle"), hint: nil)),
                form,
            ])
        }
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        struct Form: Content { var name: String?; var filter: String?; var entity: String? }
        let form = try req.content.decode(Form.self)
        let values = ["name": form.name ?? "", "filter": form.filter ?? "", "entity": form.entity ?? ""]
        guard let saved = try await TargetListQuery.savedFilter(form.filter, actor: actor, on: req.db) else {
            return try await render(req, values: values, errors: ["filter": "error.invalidOption"], status: .unprocessableEntity)
        }
        do {
            let list = try await service(req).create(name: form.name, entity: form.entity, queryString: saved.query,
                                                     query: try TargetListQuery.parse(saved.query, like: req))
            return req.redirect(Paths.targetList(list.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, values: values, errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let list = try await svc.get(req.parameters.get("id", as: UUID.self))
        let after = try? req.query.get(UUID.self, at: "after")
        let page = try await svc.members(list, after: after)
        let owners = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: page.items.compactMap(\.ownerID), on: req.db).users
        let canEdit = (try? await svc.get(list.id, for: .edit)) != nil
        let canDelete = (try? await svc.get(list.id, for: .delete)) != nil
        return req.page(title: list.name, crumbs: [Crumb(label: t("nav.targetLists"), href: Paths.targetLists), Crumb(label: list.name, href: nil)]) { ctx in
            let contacts = list.entity == Contact.entity
            let rows: [[HNode]] = page.items.map { m in
                (contacts ? [H.a(Paths.contact(m.id), m.name, cls: "strong")] : []) + [
                    H.a(Paths.customer(m.customerID), m.customerName, cls: contacts ? nil : "strong"),
                    H.text(m.phone ?? ""),
                    H.text(m.ownerID.flatMap { owners[$0] } ?? ""),
                ]
            }
            var actions: [HNode] = [H.a(Paths.targetList(list.id!) + "/export", t("targetList.export"), cls: "btn")]
            if canEdit { actions.insert(Forms.postButton(Paths.targetList(list.id!) + "/refresh", label: t("targetList.refresh"), csrf: ctx.csrf, cls: "btn btn-primary"), at: 0) }
            if canDelete {
                actions.append(Forms.postButton(Paths.targetList(list.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-danger",
                                                confirm: t("targetList.confirmDelete")))
            }
            let columns = (contacts ? [t("contact.name")] : []) + [t("entity.customer"), t("lead.phone"), t("lead.owner")]
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(list.name), H.p(t("targetList.summary", String(list.memberCount), ctx.dateTime(list.refreshedAt)), cls: "muted")),
                      H.div("actions", actions)),
                H.p(t("targetList.query", list.query.isEmpty ? "—" : list.query.removingPercentEncoding ?? list.query), cls: "muted small"),
                Tables.table(columns.map { Tables.Column($0) }, rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("targetList.noMembers"), hint: nil)),
                Tables.pager(first: after == nil ? nil : Paths.targetList(list.id!), next: page.next.map { URLQuery.build(Paths.targetList(list.id!), [("after", $0.uuidString)]) }, t: t),
            ])
        }
    }

    @Sendable func refresh(req: Request) async throws -> Response {
        let svc = try service(req)
        let list = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        _ = try await svc.refresh(list.id, query: try TargetListQuery.parse(list.query, like: req))
        return req.redirect(Paths.targetList(list.id!), flash: Flash(.success, "targetList.refreshed"))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.targetLists, flash: Flash(.success, "flash.deleted"))
    }

    /// Every member the actor may see, as CSV (customers' export right; audited).
    @Sendable func export(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .customers)
        let t = actor.t
        let svc = try service(req)
        let list = try await svc.get(req.parameters.get("id", as: UUID.self))
        let sink = try TableExport.Sink(.csv)
        let contacts = list.entity == Contact.entity
        sink.add((contacts ? [t("contact.name")] : []) + [t("entity.customer"), t("lead.phone")])
        var after: UUID?
        repeat {
            let page = try await svc.members(list, after: after, limit: 500)
            for m in page.items { sink.add((contacts ? [m.name] : []) + [m.customerName, m.phone ?? ""]) }
            after = page.next
        } while after != nil
        let file = try sink.finish()
        try await req.db.writeTransaction { [rows = sink.rows - 1] tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(TargetList.entity, list.id!, .export, field: "csv", new: String(rows))
        }
        return try await TableExport.download(req, file: file, name: list.name, format: .csv)
    }
}

/// /api/v1/target-lists.
struct TargetListAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("target-lists", use: index)
        routes.post("target-lists", use: create)
        routes.get("target-lists", ":id", use: show)
        routes.delete("target-lists", ":id", use: delete)
        routes.get("target-lists", ":id", "members", use: members)
        routes.post("target-lists", ":id", "refresh", use: refresh)
    }

    func service(_ req: Request) throws -> TargetListService { TargetListService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ l: TargetList) -> JSONValue {
        .object([("id", .string(l.id!.uuidString)), ("name", .string(l.name)), ("entity", .string(l.entity)), ("query", .string(l.query)),
                 ("memberCount", .int(l.memberCount)), ("refreshedAt", .string(ISO8601.string(l.refreshedAt))),
                 ("ownerID", .string(l.ownerID.uuidString))])
    }

    @Sendable func index(req: Request) async throws -> Response {
        JSONResponse.ok(.array(try await service(req).list().map(Self.json)))
    }

    @Sendable func create(req: Request) async throws -> Response {
        struct Body: Content { var name: String?; var entity: String?; var query: String?; var savedFilterID: String? }
        let actor = try req.actor
        try actor.require(.view, .customers)
        let b = try req.content.decode(Body.self)
        var queryString = b.query ?? ""
        if let raw = b.savedFilterID {
            guard let saved = try await TargetListQuery.savedFilter(raw, actor: actor, on: req.db) else {
                var e = FieldErrors()
                e.add("savedFilterID", "error.invalidOption")
                throw AppError.invalid(e)
            }
            queryString = saved.query
        }
        if queryString.count > 2000 || queryString.contains("cursor=") {
            var e = FieldErrors()
            e.add("query", "error.badValue")
            throw AppError.invalid(e)
        }
        let list = try await service(req).create(name: b.name, entity: b.entity, queryString: queryString, query: try TargetListQuery.parse(queryString, like: req))
        return JSONResponse.ok(Self.json(list), status: .created)
    }

    @Sendable func show(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).get(req.parameters.get("id", as: UUID.self))))
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }

    @Sendable func members(req: Request) async throws -> Response {
        let svc = try service(req)
        let list = try await svc.get(req.parameters.get("id", as: UUID.self))
        var after: UUID?
        if let raw = try? req.query.get(String.self, at: "after") {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            after = id
        }
        let page = try await svc.members(list, after: after, limit: 200)
        var pairs: [(String, JSONValue)] = [("items", .array(page.items.map { m in
            var p: [(String, JSONValue)] = [("id", .string(m.id.uuidString)), ("name", .string(m.name)), ("customerID", .string(m.customerID.uuidString)),
                                            ("customerName", .string(m.customerName))]
            if let ph = m.phone { p.append(("phone", .string(ph))) }
            return .object(p)
        }))]
        if let n = page.next { pairs.append(("next", .string(n.uuidString))) }
        return JSONResponse.ok(.object(pairs))
    }

    @Sendable func refresh(req: Request) async throws -> Response {
        let svc = try service(req)
        let list = try await svc.get(req.parameters.get("id", as: UUID.self), for: .edit)
        return JSONResponse.ok(Self.json(try await svc.refresh(list.id, query: try TargetListQuery.parse(list.query, like: req))))
    }
}
