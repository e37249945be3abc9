import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Importing products from .xlsx or .csv (PRD-01): the header names the fields (their Chinese or
/// English labels, or their keys; 分类 / Category by name), every row goes through the same checks as
/// the form, and the file is saved all together or not at all, with the errors of every row.
struct ProductImport {
    let db: Database
    let actor: Actor
    let now: Date

    static let maxRows = 5_000

    struct RowError: Sendable, Equatable {
        /// 1-based, counting the header as row 1 (as a spreadsheet shows it).
        let row: Int
        let field: String
        let messageKey: String
    }

    struct Failed: Error { let errors: [RowError] }

    /// Which field each column fills; nil for columns nobody asked for.
    static func mapping(_ header: [String], fields: [EntityField<Product>]) -> [String?] {
        header.map { raw in
            let h = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if ["category", "分类", "产品分类"].contains(h) { return "category" }
            return fields.first { f in
                [f.key.lowercased(), Translator(.zhHans)(f.labelKey).lowercased(), Translator(.en)(f.labelKey).lowercased()].contains(h)
            }?.key
        }
    }

    /// Creates every row's product in one transaction, or none and says what is wrong where.
    func run(_ data: Data, fileName: String, confirmDuplicates: Bool) async throws -> Int {
        try actor.require(.import, .products)
        let lower = fileName.lowercased()
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".xlsx") else { throw AppError.badRequest("error.fileType") }
        let rows = try CustomerImport.rows(of: data, fileName: fileName)
        guard let header = rows.first, rows.count > 1 else { throw AppError.badRequest("error.fileEmpty") }
        guard rows.count - 1 <= Self.maxRows else { throw AppError.badRequest("error.productImportTooMany") }
        let def = actor.definition(Product.definition)
        let columns = Self.mapping(header, fields: def.writableFields(for: actor))
        guard columns.contains("name") else { throw AppError.badRequest("error.importNeedsName") }
        let categories = Dictionary(try await actor.inOrg(ProductCategory.self, on: db).limit(10_000).rows().map { ($0.name, $0.id!) },
                                    uniquingKeysWith: { a, _ in a })
        let (actor, now) = (actor, now)
        return try await db.writeTransaction { tx in
                let products = ProductService(db: tx, actor: actor, now: now)
                var errors: [RowError] = []
                var created = 0
                for (i, cells) in rows.dropFirst().enumerated() {
                    let rowNumber = i + 2
                    if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
                    var form: [String: String] = [:]
                    var category: String?
                    for (c, key) in columns.enumerated() {
                        guard let key, c < cells.count else { continue }
                        if key == "category" { category = Check.clean(cells[c]) } else { form[key] = cells[c] }
                    }
                    var extra = ProductService.Extra(categoryID: nil, confirmDuplicate: confirmDuplicates)
                    if let name = category {
                        guard let id = categories[name] else { errors.append(RowError(row: rowNumber, field: "category", messageKey: "error.invalidOption")); continue }
                        extra.categoryID = id.uuidString
                    }
                    do {
                        _ = try await products.create(def.input(form: form, actor: actor), extra)
                        created += 1
                    } catch let e as AppError where e.status == .unprocessableEntity {
                        errors += e.fields.sorted { $0.key < $1.key }.map { RowError(row: rowNumber, field: $0.key, messageKey: $0.value) }
                    }
                    if errors.count >= 200 { break }
                }
                // One wrong row and nothing is kept.
                guard errors.isEmpty else { throw Failed(errors: errors) }
                try await Audit(actor: actor, db: tx, now: now).event(Product.entity, actor.orgID, .create, field: "import", new: "\(created) · \(fileName.prefix(100))")
                return created
        }
    }
}

/// /products/import (page) and /api/v1/products/import.
struct ProductImportPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("products", "import", use: form)
        routes.on(.POST, "products", "import", body: .collect(maxSize: "10mb"), use: upload)
    }

    struct Upload: Content {
        var file: File?
        var confirmDuplicates: String?
    }

    @Sendable func form(req: Request) async throws -> Response {
        try (try req.actor).require(.import, .products)
        return try render(req, errors: [], message: nil)
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let actor = try req.actor
        let up = try? req.content.decode(Upload.self)
        guard let file = up?.file, file.data.readableBytes > 0 else { return try render(req, errors: [], message: "error.fileMissing", status: .unprocessableEntity) }
        do {
            let n = try await ProductImport(db: req.db, actor: actor, now: req.now)
                .run(Data(buffer: file.data), fileName: file.filename, confirmDuplicates: up?.confirmDuplicates == "1")
            return req.redirect(Paths.products, flash: Flash(.success, n == 1 ? "productImport.doneOne" : "productImport.done"))
        } catch let f as ProductImport.Failed {
            return try render(req, errors: f.errors, message: nil, status: .unprocessableEntity)
        } catch let e as AppError where e.status == .badRequest {
            return try render(req, errors: [], message: e.messageKey, status: .unprocessableEntity)
        }
    }

    private func render(_ req: Request, errors: [ProductImport.RowError], message: String?, status: HTTPResponseStatus = .ok) throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let def = actor.definition(Product.definition)
        let columns = def.writableFields(for: actor).map { $0.title(t) } + [t("product.category")]
        return req.page(status, title: t("productImport.title"), crumbs: [Crumb(label: t("nav.products"), href: Paths.products), Crumb(label: t("productImport.title"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("productImport.title"))),
                H.p(t("productImport.hint", columns.joined(separator: "、")), cls: "muted"),
                message.map { H.el("div", [.cls("flash flash-error"), A("role", "alert")], [H.text(t($0))]) } ?? H.empty,
                errors.isEmpty ? H.empty : H.el("section", [.cls("card"), .id("row-errors")], [
                    H.h2(t("productImport.errors", String(errors.count))),
                    Tables.table([t("productImport.row"), t("productImport.field"), t("productImport.problem")].map { Tables.Column($0) },
                                 rows: errors.map { e in [H.text(String(e.row)), H.text(def.field(e.field).map { $0.title(t) } ?? (e.field == "category" ? t("product.category") : e.field)),
                                                          H.text(t(e.messageKey))] },
                                 sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                ]),
                H.el("form", [A("method", "post"), A("action", Paths.products + "/import"), A("enctype", "multipart/form-data"), .cls("form card form-card")], [
                    H.void("input", [.type("hidden"), .name("_csrf"), .value(ctx.csrf)]),
                    Forms.fieldWrap("file", label: t("import.file"), required: true, error: nil, hint: t("productImport.fileHint"),
                                    H.void("input", [.type("file"), .name("file"), .id("f-file"), A("accept", ".xlsx,.csv"), .flag("required")])),
                    Forms.checkbox("confirmDuplicates", label: t("productImport.confirmDuplicates"), checked: false),
                    Forms.actions(Forms.submit(t("productImport.run")), H.a(Paths.products, t("action.cancel"), cls: "btn")),
                ]),
            ])
        }
    }
}

struct ProductImportAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.on(.POST, "products", "import", body: .collect(maxSize: "10mb"), use: upload)
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.import, .products)
        guard req.headers.contentType?.type == "multipart" else { throw AppError.unsupportedMediaType }
        struct Upload: Content { var file: File? }
        // A multipart body without parts (or a broken one) is a missing file, not a server error.
        guard let file = (try? req.content.decode(Upload.self))?.file, file.data.readableBytes > 0 else {
            var e = FieldErrors()
            e.add("file", "error.fileMissing")
            throw AppError.invalid(e)
        }
        do {
            let n = try await ProductImport(db: req.db, actor: actor, now: req.now)
                .run(Data(buffer: file.data), fileName: file.filename, confirmDuplicates: (try? req.query.get(Bool.self, at: "confirmDuplicates")) ?? false)
            return JSONResponse.ok(["created": .int(n)], status: .created)
        } catch let f as ProductImport.Failed {
            var e = FieldErrors()
            for r in f.errors { e.add("rows.\(r.row).\(r.field)", r.messageKey) }
            throw AppError.invalid(e)
        } catch let e as AppError where e.status == .badRequest {
            var f = FieldErrors()
            f.add("file", e.messageKey)
            throw AppError.invalid(f)
        }
    }
}
