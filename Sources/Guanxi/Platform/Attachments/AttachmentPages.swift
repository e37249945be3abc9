import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The attachments card on a record's page, and the routes behind it.
struct AttachmentPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.on(.POST, "attachments", body: .collect(maxSize: "12mb"), use: upload)
        routes.get("attachments", ":id", use: download)
        routes.post("attachments", ":id", "delete", use: delete)
    }

    func service(_ req: Request) throws -> AttachmentService { AttachmentService(db: req.db, actor: try req.actor, now: req.now) }

    struct Upload: Content {
        var file: File?
        var entity: String?
        var record: String?
        var back: String?
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let form = try req.content.decode(Upload.self)
        let back = Paths.local(form.back) ?? Paths.home
        do {
            _ = try await service(req).attach(form.entity ?? "", form.record.flatMap(UUID.init(uuidString:)), fileName: form.file?.filename,
                                              data: form.file.map { Data(buffer: $0.data) } ?? Data())
            return req.redirect(back + "#attachments", flash: Flash(.success, "attachment.added"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(back + "#attachments", flash: Flash(.error, e.fields["file"] ?? "error.fileMissing"))
        }
    }

    @Sendable func download(req: Request) async throws -> Response {
        let svc = try service(req)
        let a = try await svc.get(req.parameters.get("id", as: UUID.self))
        return Self.respond(a, data: try await svc.content(a), inline: (try? req.query.get(String.self, at: "inline")) != nil)
    }

    /// The file as a download; pictures may be shown inline. The name travels encoded (RFC 5987).
    static func respond(_ a: Attachment, data: Data, inline: Bool) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: a.contentType)
        let encoded = a.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? "file"
        headers.replaceOrAdd(name: .contentDisposition, value: "\(inline && a.isImage ? "inline" : "attachment"); filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let back = Paths.local(try? req.content.get(String.self, at: "back")) ?? Paths.home
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return req.redirect(back + "#attachments", flash: Flash(.success, "flash.deleted"))
    }
}

enum AttachmentViews {
    /// Files of a record with an upload form for those who may change it; pictures show as thumbnails.
    static func card(_ entity: String, _ recordID: UUID, back: String, canEdit: Bool, req: Request, actor: Actor) async throws -> (PageContext) -> HNode {
        let svc = AttachmentService(db: req.db, actor: actor, now: req.now)
        let files = try await svc.list(entity, recordID)
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: files.map(\.uploadedBy), on: req.db).users
        let t = actor.t
        return { ctx in
            let pictures = files.filter(\.isImage)
            let rows: [[HNode]] = files.map { f in [
                H.a("/attachments/\(f.id!.uuidString)", f.fileName, cls: "strong"),
                H.span("num", ByteCount.text(f.size)),
                H.text(names[f.uploadedBy] ?? ""),
                H.text(ctx.dateTime(f.createdAt)),
                canEdit ? H.el("form", [A("method", "post"), A("action", "/attachments/\(f.id!.uuidString)/delete"), .cls("inline"),
                                        A("data-confirm", t("attachment.confirmDelete"))], [
                    H.void("input", [.type("hidden"), .name("_csrf"), .value(ctx.csrf)]),
                    H.void("input", [.type("hidden"), .name("back"), .value(back)]),
                    H.el("button", [.type("submit"), .cls("btn btn-small")], [H.text(t("action.delete"))]),
                ]) : H.empty,
            ] }
            let upload: HNode = !canEdit ? H.empty : H.el("form", [A("method", "post"), A("action", "/attachments"), A("enctype", "multipart/form-data"),
                                                                     .cls("form inline-form")], [
                H.void("input", [.type("hidden"), .name("_csrf"), .value(ctx.csrf)]),
                H.void("input", [.type("hidden"), .name("entity"), .value(entity)]),
                H.void("input", [.type("hidden"), .name("record"), .value(recordID.uuidString)]),
                H.void("input", [.type("hidden"), .name("back"), .value(back)]),
                Forms.fieldWrap("file", label: t("attachment.file"), required: true, error: nil, hint: t("attachment.hint"),
                                H.void("input", [.type("file"), .name("file"), .id("f-file"), .flag("required"),
                                                 A("accept", AttachmentService.types.keys.sorted().map { ".\($0)" }.joined(separator: ","))])),
                Forms.actions(Forms.submit(t("attachment.add"))),
            ])
            return H.el("section", [.cls("card"), .id("attachments")], [
                H.h2(t("attachment.title")),
                pictures.isEmpty ? H.empty : H.div("thumbs", pictures.map { p in
                    H.el("a", [.href("/attachments/\(p.id!.uuidString)?inline=1"), A("target", "_blank"), A("rel", "noopener")], [
                        H.void("img", [A("src", "/attachments/\(p.id!.uuidString)?inline=1"), A("alt", p.fileName), A("loading", "lazy")]),
                    ])
                }),
                Tables.table([t("attachment.file"), t("attachment.size"), t("attachment.by"), t("attachment.at"), ""].map { Tables.Column($0) }, rows: rows,
                             sort: nil, descending: false, link: { _, _ in "" }, empty: H.p(t("attachment.none"), cls: "muted")),
                upload,
            ])
        }
    }
}

/// /api/v1/attachments.
struct AttachmentAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("attachments", use: index)
        routes.on(.POST, "attachments", body: .collect(maxSize: "12mb"), use: create)
        routes.get("attachments", ":id", "content", use: content)
        routes.delete("attachments", ":id", use: delete)
    }

    func service(_ req: Request) throws -> AttachmentService { AttachmentService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ a: Attachment) -> JSONValue {
        .object([("id", .string(a.id!.uuidString)), ("entity", .string(a.entity)), ("recordID", .string(a.recordID.uuidString)),
                 ("fileName", .string(a.fileName)), ("contentType", .string(a.contentType)), ("size", .int(a.size)),
                 ("uploadedBy", .string(a.uploadedBy.uuidString)), ("createdAt", .string(ISO8601.string(a.createdAt)))])
    }

    static func target(_ req: Request) throws -> (String, UUID) {
        guard let entity = try? req.query.get(String.self, at: "entity"), AttachmentService.entities[entity] != nil,
              let raw = try? req.query.get(String.self, at: "recordID"), let id = UUID(uuidString: raw) else { throw AppError.badRequest("error.badParameter") }
        return (entity, id)
    }

    @Sendable func index(req: Request) async throws -> Response {
        let (entity, id) = try Self.target(req)
        return JSONResponse.ok(.array(try await service(req).list(entity, id).map(Self.json)))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let (entity, id) = try Self.target(req)
        struct Upload: Content { var file: File? }
        let svc = try service(req)
        try await svc.authorize(entity, id, .edit)
        guard req.headers.contentType?.type == "multipart" else { throw AppError.unsupportedMediaType }
        let upload = try? req.content.decode(Upload.self)
        let a = try await svc.attach(entity, id, fileName: upload?.file?.filename, data: upload?.file.map { Data(buffer: $0.data) } ?? Data())
        return JSONResponse.ok(Self.json(a), status: .created)
    }

    @Sendable func content(req: Request) async throws -> Response {
        let svc = try service(req)
        let a = try await svc.get(req.parameters.get("id", as: UUID.self))
        return AttachmentPages.respond(a, data: try await svc.content(a), inline: false)
    }

    @Sendable func delete(req: Request) async throws -> HTTPStatus {
        try await service(req).delete(req.parameters.get("id", as: UUID.self))
        return .noContent
    }
}

enum ByteCount {
    static func text(_ n: Int) -> String {
        n >= 1024 * 1024 ? String(format: "%.1f MB", Double(n) / 1_048_576) : n >= 1024 ? "\(n / 1024) KB" : "\(n) B"
    }
}
