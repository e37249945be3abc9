import Fluent
import SQLKit
import Foundation
import GuanxiCore
import Vapor

/// Product pages: the list with the category tree beside it, the product form, its detail with price
/// strategies and history, the category tree and the entry policies.
struct ProductPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("products", use: index)
        routes.get("products", "new", use: newForm)
        routes.post("products", use: create)
        routes.get("products", "export", use: export)
        routes.get("products", "categories", use: categories)
        routes.post("products", "categories", use: addCategory)
        routes.post("products", "categories", ":id", use: renameCategory)
        routes.post("products", "categories", ":id", "delete", use: deleteCategory)
        routes.get("products", "settings", use: settings)
        routes.post("products", "settings", use: saveSettings)
        routes.get("products", ":id", use: show)
        routes.get("products", ":id", "edit", use: editForm)
        routes.post("products", ":id", "edit", use: update)
        routes.post("products", ":id", "delete", use: delete)
        routes.post("products", ":id", "prices", use: addPrice)
        routes.post("products", ":id", "prices", ":price", "delete", use: removePrice)
    }

    func service(_ req: Request) throws -> ProductService { ProductService(db: req.db, actor: try req.actor, now: req.now) }

    static let formKeys = ["code", "name", "model", "unit", "kind", "status", "listPrice", "maxPrice", "floorPrice", "costPrice", "description"]

    // MARK: list

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let query = try ProductListParams.parse(req)
        let svc = try service(req)
        let page = try await svc.list(query)
        let tree = try await svc.categoryTree()
        let def = actor.definition(Product.definition)
        let categoryNames = Dictionary(uniqueKeysWithValues: tree.map { ($0.node.id!, $0.node.name) })
        let columns = def.fields.filter { $0.listed && def.rule($0, for: actor) != .hidden }
        let base: [(String, String?)] = [("q", query.q), ("category", query.categoryID?.uuidString), ("status", query.status), ("kind", query.kind)]
        let sortItems: [(String, String?)] = [("sort", query.sort.rawValue), ("order", query.descending ? "desc" : nil)]
        return req.page(title: t("nav.products"), crumbs: [Crumb(label: t("nav.products"), href: nil)]) { ctx in
            let newButton = actor.can(.create, .products) ? H.a(Paths.products + "/new", t("product.new"), cls: "btn btn-primary") : H.empty
            let rows: [[HNode]] = page.items.map { p in
                columns.map { f -> HNode in
                    if f.key == "name" { return H.a(Paths.product(p.id!), p.name, cls: "strong") }
                    let raw = f.read(p)
                    if def.rule(f, for: actor) == .masked { return H.text(raw.map(Masking.mask) ?? "") }
                    return H.text(FieldCodec.display(f, raw, lookups: Lookups(), t: t, decimals: actor.org.moneyDecimals))
                } + [H.text(p.categoryID.flatMap { categoryNames[$0] } ?? "—")]
            }
            let cols = columns.map { f in Tables.Column(f.title(t), sort: f.key == "name" ? "name" : f.key == "code" ? "code" : nil) } + [Tables.Column(t("product.category"))]
            let filtered = query.q != nil || query.categoryID != nil || query.status != nil || query.kind != nil
            let empty = filtered ? Tables.emptyState(t("search.noMatch"), hint: nil)
                : Tables.emptyState(t("product.emptyTitle"), hint: t("product.emptyHint"), action: newButton)
            let treeNav = H.el("nav", [.cls("card category-tree"), A("aria-label", t("product.categories"))], [
                H.h2(t("product.categories")),
                H.el("ul", [.cls("plain-list")], [H.el("li", [], [H.a(URLQuery.build(Paths.products, base.filter { $0.0 != "category" }), t("product.allCategories"),
                                                                      cls: query.categoryID == nil ? "strong" : "")])]
                     + tree.map { node in
                         H.el("li", [.cls("depth-\(min(node.depth, 4))")], [
                             H.a(URLQuery.build(Paths.products, base.filter { $0.0 != "category" } + [("category", node.node.id!.uuidString)]), node.node.name,
                                 cls: query.categoryID == node.node.id ? "strong" : ""),
                         ])
                     }),
                actor.can(.edit, .products) ? H.a(Paths.products + "/categories", t("product.manageCategories"), cls: "btn btn-small") : H.empty,
            ])
            let filter = H.el("form", [A("method", "get"), .cls("search-form"), A("role", "search")], [
                query.categoryID.map { H.void("input", [.type("hidden"), .name("category"), .value($0.uuidString)]) } ?? H.empty,
                H.void("input", [.type("search"), .name("q"), .value(query.q), A("placeholder", t("product.searchHint")), A("aria-label", t("action.search"))]),
                H.el("select", [.name("status"), A("aria-label", t("product.status"))],
                     [H.el("option", [.value("")], [H.text(t("product.anyStatus"))])] + ["onSale", "offSale"].map { (s: String) in
                         H.el("option", [.value(s), .flag("selected", query.status == s)], [H.text(t("productStatus.\(s)"))])
                     }),
                H.el("select", [.name("kind"), A("aria-label", t("product.kind"))],
                     [H.el("option", [.value("")], [H.text(t("product.anyKind"))])] + ["goods", "service"].map { (k: String) in
                         H.el("option", [.value(k), .flag("selected", query.kind == k)], [H.text(t("productKind.\(k)"))])
                     }),
                H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
            ])
            let next = page.next.map { URLQuery.build(Paths.products, base + sortItems + [("cursor", $0.token)]) }
            let first = query.cursor == nil ? nil : URLQuery.build(Paths.products, base + sortItems)
            return H.group([
                H.div("page-head", H.h1(t("nav.products")), H.div("actions",
                    actor.can(.export, .products) ? H.a(URLQuery.build(Paths.products + "/export", base), t("action.export"), cls: "btn") : H.empty,
                    actor.can(.import, .products) ? H.a(Paths.products + "/import", t("productImport.title"), cls: "btn") : H.empty,
                    actor.isAdmin ? H.a(Paths.products + "/settings", t("product.settings"), cls: "btn") : H.empty,
                    newButton)),
                H.div("split", treeNav, H.div("split-main",
                    filter,
                    Tables.table(cols, rows: rows, sort: query.sort.rawValue, descending: query.descending,
                                 link: { s, d in URLQuery.build(Paths.products, base + [("sort", s), ("order", d ? "desc" : nil)]) }, empty: empty),
                    Tables.pager(first: first, next: next, t: t))),
            ])
        }
    }

    // MARK: form

    @Sendable func newForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.create, .products)
        let category = (try? req.query.get(String.self, at: "category")) ?? ""
        return try await render(req, product: nil, values: ["kind": "goods", "status": "onSale", "category": category], errors: [:])
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        let def = actor.definition(Product.definition)
        do {
            let p = try await service(req).create(def.input(form: form, actor: actor), Self.extra(form))
            return req.redirect(Paths.product(p.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, product: nil, values: def.folded(form), errors: e.fields, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .products)
        let p = try await service(req).get(req.parameters.get("id", as: UUID.self))
        var values: [String: String] = ["category": p.categoryID?.uuidString ?? ""]
        for f in actor.definition(Product.definition).fields { values[f.key] = FieldCodec.formText(f, f.read(p), decimals: actor.org.moneyDecimals) }
        return try await render(req, product: p, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let actor = try req.actor
        let svc = try service(req)
        let p = try await svc.get(req.parameters.get("id", as: UUID.self))
        let form = try req.content.decode([String: String].self)
        let def = actor.definition(Product.definition)
        do {
            _ = try await svc.update(p.id, def.input(form: form, actor: actor), Self.extra(form))
            return req.redirect(Paths.product(p.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, product: p, values: def.folded(form), errors: e.fields, status: .unprocessableEntity)
        }
    }

    static func extra(_ form: [String: String]) -> ProductService.Extra {
        .init(categoryID: form["category"], confirmDuplicate: form["confirmDuplicate"] == "1")
    }

    private func render(_ req: Request, product: Product?, values: [String: String], errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let def = actor.definition(Product.definition)
        let tree = try await svc.categoryTree()
        let policy = try await svc.policy()
        let title = product?.name ?? t("product.new")
        let action = product.map { Paths.product($0.id!) + "/edit" } ?? Paths.products
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.products"), href: Paths.products), Crumb(label: title, href: nil)]) { ctx in
            var controls = (Self.formKeys + def.customKeys).compactMap { key -> HNode? in
                guard let f = def.field(key) else { return nil }
                let required = f.required || policy.required.contains(key)
                let control = EntityViews.control(f, in: def, actor: actor, value: values[key], error: errors[key], choices: FormChoices(), t: t)
                // The code may be left empty on a new product: the numbering rule gives one.
                if key == "code", product == nil {
                    return Forms.input("code", label: f.title(t), value: values["code"], error: errors["code"].map { t($0) }, hint: t("product.codeHint"),
                                       extra: [A("maxlength", "40")])
                }
                return required && !f.required && def.rule(f, for: actor) == nil
                    ? Forms.input(key, label: f.title(t), value: values[key], error: errors[key].map { t($0) }, required: true,
                                  hint: f.kind == .money ? t("hint.money") : nil, extra: [A("maxlength", String(f.maxLength))])
                    : control
            }
            controls.insert(Forms.select("category", label: t("product.category"), options: tree.map {
                .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name)
            }, selected: values["category"], error: errors["category"].map { t($0) }, required: policy.required.contains("category"), blank: "—"), at: 2)
            let duplicateWarning = errors["name"] == "error.duplicateNameWarn"
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(action, csrf: ctx.csrf, [
                    H.div("card form-card wide", H.div("grid-form", controls)),
                    duplicateWarning ? H.div("card warn-card", Forms.checkbox("confirmDuplicate", label: t("product.confirmDuplicate"), checked: false)) : H.empty,
                    Forms.actions(Forms.submit(t("action.save")), H.a(product.map { Paths.product($0.id!) } ?? Paths.products, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }

    // MARK: detail

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let p = try await svc.get(req.parameters.get("id", as: UUID.self))
        let prices = try await svc.prices(p.id!)
        let category = try await p.categoryID.asyncMap { id in try await actor.inOrg(ProductCategory.self, on: req.db).filter(\.$id == id).firstRow() }
        let def = actor.definition(Product.definition)
        // Changes of fields the role hides are left out altogether, not shown empty.
        let history = try await Audit.history(entity: Product.entity, module: .products, id: p.id!, actor: actor, on: req.db).filter { e in
            e.field.flatMap { def.field($0) }.map { def.rule($0, for: actor) != .hidden } ?? true
        }
        let dict = try await DictionaryService(db: req.db, actor: actor, now: req.now).labels([.category, .level])
        let departments = try await DepartmentService(db: req.db, actor: actor, now: req.now).tree()
        let deptNames = Dictionary(uniqueKeysWithValues: departments.map { ($0.node.id!, $0.node.name) })
        let lookups = Lookups()
        let quoteHistory = try await QuoteViews.productHistory(p.id!, req: req, actor: actor)
        let files = try await AttachmentViews.card(Product.entity, p.id!, back: Paths.product(p.id!), canEdit: actor.can(.edit, .products), req: req, actor: actor)
        let canEdit = actor.can(.edit, .products)
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return req.page(title: p.name, crumbs: [Crumb(label: t("nav.products"), href: Paths.products), Crumb(label: p.name, href: nil)]) { ctx in
            let priceRows: [[HNode]] = prices.map { r in [
                H.text(r.unit ?? t("product.anyUnit")),
                H.text(r.customerCategory.map { dict["category"]?[$0]?.label(t.locale) ?? $0 } ?? "—"),
                H.text(r.customerLevel.map { dict["level"]?[$0]?.label(t.locale) ?? $0 } ?? "—"),
                H.text(r.departmentID.map { deptNames[$0] ?? "" } ?? "—"),
                H.span("num", money(r.price)),
                canEdit ? Forms.postButton(Paths.product(p.id!) + "/prices/\(r.id!.uuidString)/delete", label: t("action.delete"), csrf: ctx.csrf,
                                           cls: "btn btn-small", confirm: t("product.confirmDeletePrice")) : H.empty,
            ] }
            let addPrice = canEdit ? Forms.form(Paths.product(p.id!) + "/prices", csrf: ctx.csrf, cls: "form inline-form", [
                H.div("grid-form",
                      Forms.input("unit", label: t("product.unit"), value: nil, error: nil, hint: p.unit.map { t("product.baseUnit", $0) }, extra: [A("maxlength", "10")]),
                      Forms.select("customerCategory", label: t("dict.category"), options: (dict["category"] ?? [:]).values.sorted { $0.sortOrder < $1.sortOrder }
                        .map { .init(value: $0.value, label: $0.label(t.locale)) }, selected: nil, error: nil, blank: "—"),
                      Forms.select("customerLevel", label: t("dict.level"), options: (dict["level"] ?? [:]).values.sorted { $0.sortOrder < $1.sortOrder }
                        .map { .init(value: $0.value, label: $0.label(t.locale)) }, selected: nil, error: nil, blank: "—"),
                      Forms.select("departmentID", label: t("product.department"), options: departments.map {
                          .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name) }, selected: nil, error: nil, blank: "—"),
                      Forms.input("price", label: t("product.price"), value: nil, error: nil, required: true, extra: [A("inputmode", "decimal"), A("maxlength", "20")])),
                Forms.actions(Forms.submit(t("product.addPrice"))),
            ]) : H.empty
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(p.name), H.div("summary-badges",
                        H.span(p.status == "onSale" ? "badge badge-ok" : "badge", t("productStatus.\(p.status)")),
                        H.span("badge", t("productKind.\(p.kind)")))),
                      H.div("actions",
                            canEdit ? H.a(Paths.product(p.id!) + "/edit", t("action.edit"), cls: "btn btn-primary") : H.empty,
                            actor.can(.delete, .products) ? Forms.postButton(Paths.product(p.id!) + "/delete", label: t("action.delete"), csrf: ctx.csrf,
                                                                             cls: "btn btn-danger", confirm: t("product.confirmDelete")) : H.empty)),
                H.el("section", [.cls("card")], [
                    EntityViews.facts(def, keys: Self.formKeys + def.customKeys, record: p, actor: actor, lookups: lookups, t: t),
                    H.el("dl", [.cls("facts")], [H.el("dt", [], [H.text(t("product.category"))]),
                                                 H.el("dd", [], [category.map { H.a(URLQuery.build(Paths.products, [("category", $0.id!.uuidString)]), $0.name) } ?? H.text("—")])]),
                ]),
                H.el("section", [.cls("card"), .id("prices")], [
                    H.h2(t("product.priceStrategies")),
                    H.p(t("product.priceStrategiesHint"), cls: "muted small"),
                    Tables.table([t("product.unit"), t("dict.category"), t("dict.level"), t("product.department"), t("product.price"), ""].map { Tables.Column($0) },
                                 rows: priceRows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("product.noPrices"), cls: "muted")),
                    addPrice,
                ]),
                files(ctx),
                quoteHistory(ctx),
                H.el("section", [.cls("card")], [
                    H.h2(t("history.title")),
                    HistoryView.render(history, ctx: ctx, label: { k in k == "priceRule" ? t("product.priceStrategies") : (def.field(k).map { $0.title(t) } ?? k) },
                                       display: { k, v in def.field(k).map { FieldCodec.display($0, v, lookups: lookups, t: t, decimals: actor.org.moneyDecimals) } ?? (v ?? "") }),
                ]),
            ])
        }
    }

    @Sendable func delete(req: Request) async throws -> Response {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(Paths.products, flash: Flash(.success, "flash.deleted"))
    }

    @Sendable func addPrice(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        do {
            _ = try await service(req).addPrice(id, try req.content.decode(ProductService.PriceInput.self), priceInFen: false)
            return req.redirect((id.map(Paths.product) ?? Paths.products) + "#prices", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect((id.map(Paths.product) ?? Paths.products) + "#prices", flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func removePrice(req: Request) async throws -> Response {
        let id = req.parameters.get("id", as: UUID.self)
        try await service(req).removePrice(id, req.parameters.get("price", as: UUID.self))
        return req.redirect((id.map(Paths.product) ?? Paths.products) + "#prices", flash: Flash(.success, "flash.deleted"))
    }

    @Sendable func export(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .products)
        guard let format = TableExport.Format(rawValue: (try? req.query.get(String.self, at: "format")) ?? "csv") else { throw AppError.badRequest("error.badParameter") }
        var query = try ProductListParams.parse(req)
        query.limit = 200
        query.cursor = nil
        let svc = try service(req)
        let def = actor.definition(Product.definition)
        let fields = def.fields.filter { def.rule($0, for: actor) != .hidden }
        let categories = Dictionary(uniqueKeysWithValues: try await svc.categoryTree().map { ($0.node.id!, $0.node.name) })
        let t = actor.t
        let sink = try TableExport.Sink(format)
        sink.add(fields.map { $0.title(t) } + [t("product.category")])
        repeat {
            let page = try await svc.list(query)
            for p in page.items {
                sink.add(fields.map { f in
                    let raw = f.read(p)
                    if def.rule(f, for: actor) == .masked { return raw.map(Masking.mask) ?? "" }
                    return FieldCodec.display(f, raw, lookups: Lookups(), t: t, decimals: actor.org.moneyDecimals)
                } + [p.categoryID.flatMap { categories[$0] } ?? ""])
            }
            query.cursor = page.next
        } while query.cursor != nil
        let file = try sink.finish()
        try await req.db.writeTransaction { [rows = sink.rows - 1, q = query.q] tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Product.entity, actor.orgID, .export, field: format.rawValue, new: "\(rows) · q=\(q ?? "")")
        }
        return try await TableExport.download(req, file: file, name: t("nav.products"), format: format)
    }

    // MARK: categories

    @Sendable func categories(req: Request) async throws -> Response {
        try await renderCategories(req, errors: [:], name: nil)
    }

    private func renderCategories(_ req: Request, errors: [String: String], name: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .products)
        let t = actor.t
        let tree = try await service(req).categoryTree()
        let counts = try await ProductCounts.byCategory(actor: actor, on: req.db)
        return req.page(status, title: t("product.categories"), crumbs: [Crumb(label: t("nav.products"), href: Paths.products), Crumb(label: t("product.categories"), href: nil)]) { ctx in
            let rows: [[HNode]] = tree.map { node in
                let id = node.node.id!
                return [
                    H.div("indent", H.span("muted", String(repeating: "　", count: node.depth)),
                          Forms.form(Paths.products + "/categories/\(id.uuidString)", csrf: ctx.csrf, cls: "inline", [
                              H.void("input", [.type("text"), .name("name"), .value(node.node.name), A("aria-label", t("product.categoryName")), A("maxlength", "50"), .flag("required")]),
                              H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("action.rename"))]),
                          ])),
                    H.a(URLQuery.build(Paths.products, [("category", id.uuidString)]), String(counts[id] ?? 0)),
                    Forms.postButton(Paths.products + "/categories/\(id.uuidString)/delete", label: t("action.delete"), csrf: ctx.csrf, cls: "btn btn-small",
                                     confirm: t("product.confirmDeleteCategory")),
                ]
            }
            return H.group([
                H.div("page-head", H.h1(t("product.categories"))),
                Forms.errorSummary(errors, t: t),
                H.el("section", [.cls("card form-card")], [
                    H.h2(t("product.addCategory")),
                    Forms.form(Paths.products + "/categories", csrf: ctx.csrf, [
                        H.div("grid-form",
                              Forms.input("name", label: t("product.categoryName"), value: name, error: errors["name"].map { t($0) }, required: true, extra: [A("maxlength", "50")]),
                              Forms.select("parentID", label: t("product.parentCategory"), options: tree.map {
                                  .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name)
                              }, selected: nil, error: errors["parentID"].map { t($0) }, blank: t("product.topLevel"))),
                        Forms.actions(Forms.submit(t("action.add"))),
                    ]),
                ]),
                Tables.table([t("product.categoryName"), t("product.count"), ""].map { Tables.Column($0) }, rows: rows, sort: nil, descending: false,
                             link: { _, _ in "" }, empty: Tables.emptyState(t("product.noCategories"), hint: nil)),
            ])
        }
    }

    @Sendable func addCategory(req: Request) async throws -> Response {
        struct Body: Content { var name: String?; var parentID: String? }
        let b = try req.content.decode(Body.self)
        do {
            _ = try await service(req).addCategory(name: b.name, parentID: b.parentID)
            return req.redirect(Paths.products + "/categories", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await renderCategories(req, errors: e.fields, name: b.name, status: .unprocessableEntity)
        }
    }

    @Sendable func renameCategory(req: Request) async throws -> Response {
        struct Body: Content { var name: String? }
        do {
            try await service(req).renameCategory(req.parameters.get("id", as: UUID.self), name: try req.content.decode(Body.self).name)
            return req.redirect(Paths.products + "/categories", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.products + "/categories", flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    @Sendable func deleteCategory(req: Request) async throws -> Response {
        do {
            try await service(req).deleteCategory(req.parameters.get("id", as: UUID.self))
            return req.redirect(Paths.products + "/categories", flash: Flash(.success, "flash.deleted"))
        } catch let e as AppError where e.status == .conflict {
            return req.redirect(Paths.products + "/categories", flash: Flash(.error, e.messageKey))
        }
    }

    // MARK: entry policies

    @Sendable func settings(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let t = actor.t
        let policy = try await service(req).policy()
        let def = actor.definition(Product.definition)
        return req.page(title: t("product.settings"), crumbs: [Crumb(label: t("nav.products"), href: Paths.products), Crumb(label: t("product.settings"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("product.settings"))),
                Forms.form(Paths.products + "/settings", csrf: ctx.csrf, [
                    H.div("card form-card",
                          Forms.select("duplicateName", label: t("product.policy.duplicateName"), options: ProductPolicy.DuplicateName.allCases.map {
                              .init(value: $0.rawValue, label: t("product.policy.duplicate.\($0.rawValue)")) }, selected: policy.duplicateName.rawValue, error: nil),
                          Forms.fieldWrap("required", label: t("product.policy.required"), required: false, error: nil,
                                          H.el("fieldset", [.cls("check-group"), A("aria-label", t("product.policy.required"))], ProductPolicy.requirable.map { key in
                                              Forms.checkbox("required.\(key)", label: key == "category" ? t("product.category") : (def.field(key)?.title(t) ?? key),
                                                             checked: policy.required.contains(key))
                                          })),
                          Forms.select("floor", label: t("product.policy.floor"), options: PriceStrategy.FloorPolicy.allCases.map {
                              .init(value: $0.rawValue, label: t("product.policy.floor.\($0.rawValue)")) }, selected: policy.floor.rawValue, error: nil)),
                    Forms.actions(Forms.submit(t("action.save"))),
                ]),
            ])
        }
    }

    @Sendable func saveSettings(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        var policy = ProductPolicy()
        policy.duplicateName = form["duplicateName"].flatMap(ProductPolicy.DuplicateName.init(rawValue:)) ?? .warn
        policy.required = ProductPolicy.requirable.filter { form["required.\($0)"] == "1" }
        policy.floor = form["floor"].flatMap(PriceStrategy.FloorPolicy.init(rawValue:)) ?? .flag
        try await service(req).savePolicy(policy)
        return req.redirect(Paths.products + "/settings", flash: Flash(.success, "flash.saved"))
    }
}

/// How many live products each category holds, for the category page.
enum ProductCounts {
    static func byCategory(actor: Actor, on db: Database) async throws -> [UUID: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.raw("""
            SELECT category_id, COUNT(*) AS n FROM products WHERE org_id = \(bind: actor.orgID) AND deleted_at IS NULL AND category_id IS NOT NULL
            GROUP BY category_id
            """).all()
        var out: [UUID: Int] = [:]
        for r in rows { out[try r.decode(column: "category_id", as: UUID.self)] = try r.decode(column: "n", as: Int.self) }
        return out
    }
}

/// List parameters shared by the product page, export and API.
enum ProductListParams {
    static func parse(_ req: Request) throws -> ProductService.ListQuery {
        var q = ProductService.ListQuery()
        q.q = Check.clean(try? req.query.get(String.self, at: "q"))
        if let raw = Check.clean(try? req.query.get(String.self, at: "category")) {
            guard let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
            q.categoryID = id
        }
        if let s = Check.clean(try? req.query.get(String.self, at: "status")) {
            guard ["onSale", "offSale"].contains(s) else { throw AppError.badRequest("error.badParameter") }
            q.status = s
        }
        if let k = Check.clean(try? req.query.get(String.self, at: "kind")) {
            guard ["goods", "service"].contains(k) else { throw AppError.badRequest("error.badParameter") }
            q.kind = k
        }
        if let s = Check.clean(try? req.query.get(String.self, at: "sort")) {
            guard let sort = ProductService.ListQuery.Sort(rawValue: s) else { throw AppError.badRequest("error.badParameter") }
            q.sort = sort
        }
        q.descending = (try? req.query.get(String.self, at: "order")) == "desc"
        if let raw = Check.clean(try? req.query.get(String.self, at: "cursor")) {
            guard let c = PageCursor(token: raw) else { throw AppError.badRequest("error.badParameter") }
            q.cursor = c
        }
        if let raw = try? req.query.get(String.self, at: "limit") {
            guard let n = Int(raw), (1...200).contains(n) else { throw AppError.badRequest("error.badParameter") }
            q.limit = n
        }
        return q
    }
}
