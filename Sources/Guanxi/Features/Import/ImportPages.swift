import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Import pages: upload → map columns and choose duplicate handling → preview → import with progress → report.
struct ImportPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("customers", "import", use: uploadForm)
        routes.on(.POST, "customers", "import", body: .collect(maxSize: "25mb"), use: upload)
        routes.get("imports", ":id", use: show)
        routes.post("imports", ":id", "mapping", use: mapping)
        routes.post("imports", ":id", "commit", use: commit)
    }

    func service(_ req: Request) throws -> CustomerImport {
        CustomerImport(db: req.db, actor: try req.actor, now: req.now, dataDirectory: req.application.settings.dataDirectory)
    }

    func job(_ req: Request) async throws -> ImportJob {
        let actor = try req.actor
        try actor.require(.import, .customers)
        guard let id = req.parameters.get("id", as: UUID.self),
              let job = try await actor.inOrg(ImportJob.self, on: req.db).filter(\.$id == id).filter(\.$userID == actor.userID).firstRow()
        else { throw AppError.notFound }
        return job
    }

    @Sendable func uploadForm(req: Request) async throws -> Response {
        try await renderUpload(req, error: nil)
    }

    private func renderUpload(_ req: Request, error: String?) async throws -> Response {
        let actor = try req.actor
        try actor.require(.import, .customers)
        let t = actor.t
        let fields = CustomerImport.importable(actor).map { $0.title(t) }.joined(separator: "、")
        return req.page(error == nil ? .ok : .unprocessableEntity, title: t("import.title"),
                        crumbs: [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("import.title"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("import.title"))),
                H.el("section", [.cls("card form-card")], [
                    H.p(t("import.hint"), cls: "muted"),
                    H.p(t("import.columns", fields), cls: "muted small"),
                    H.el("form", [A("method", "post"), A("action", Paths.customers + "/import"), A("enctype", "multipart/form-data"), .cls("form")], [
                        H.void("input", [.type("hidden"), .name("_csrf"), .value(ctx.csrf)]),
                        Forms.fieldWrap("file", label: t("import.file"), required: true, error: error.map { t($0) },
                                        H.void("input", [.type("file"), .name("file"), .id("f-file"), A("accept", ".csv,.xlsx"), .flag("required")])),
                        Forms.actions(Forms.submit(t("import.upload"))),
                    ]),
                ]),
            ])
        }
    }

    struct Upload: Content { var file: File }

    @Sendable func upload(req: Request) async throws -> Response {
        let upload: Upload
        do { upload = try req.content.decode(Upload.self) } catch { return try await renderUpload(req, error: "error.fileMissing") }
        do {
            let job = try await service(req).upload(Data(buffer: upload.file.data), fileName: upload.file.filename)
            return req.redirect(Paths.importJob(job.id!))
        } catch let e as AppError where e.status == .badRequest {
            return try await renderUpload(req, error: e.messageKey)
        }
    }

    @Sendable func mapping(req: Request) async throws -> Response {
        let job = try await job(req)
        guard job.status == .uploaded || job.status == .previewed else { return req.redirect(to: Paths.importJob(job.id!)) }
        let form = try req.content.decode([String: String].self)
        let allowed = Set(CustomerImport.importable(try req.actor).map(\.key))
        job.mapping = job.headers.indices.map { i in form["col\(i)"].flatMap { allowed.contains($0) ? $0 : nil } ?? "" }
        job.duplicateKeys = CustomerImport.duplicateKeys.filter { form["dup.\($0)"] == "1" }
        job.duplicateMode = form["mode"].flatMap(ImportJob.DuplicateMode.init(rawValue:)) ?? .skip
        let preview = try await service(req).preview(job)
        job.errors = preview.errors
        job.status = .previewed
        try await req.db.writeTransaction { tx in try await job.save(on: tx) }
        return req.redirect(Paths.importJob(job.id!))
    }

    @Sendable func commit(req: Request) async throws -> Response {
        let job = try await job(req)
        guard job.status == .previewed, job.errors.isEmpty else { return req.redirect(Paths.importJob(job.id!), flash: Flash(.error, "error.importHasErrors")) }
        job.status = .running
        try await req.db.writeTransaction { tx in try await job.save(on: tx) }
        let svc = CustomerImport(db: req.application.longWorkDB, actor: try req.actor, now: req.now, dataDirectory: req.application.settings.dataDirectory)
        let progress = req.application.importProgress
        let app = req.application
        let id = job.id!
        Task {
            do {
                let result = try await svc.commit(job) { progress.set(id, $0) }
                job.created = result.created
                job.updated = result.updated
                job.skipped = result.skipped
                job.status = .done
            } catch {
                app.logger.report(error: error)
                job.status = .failed
                job.errors = [.init(row: 0, field: "", message: (error as? AppError).map { Translator(svc.actor.locale)($0.messageKey) } ?? String(describing: error))]
            }
            job.finishedAt = app.now
            try? await app.db.writeTransaction { tx in try await job.save(on: tx) }
            progress.clear(id)
        }
        return req.redirect(Paths.importJob(id))
    }

    @Sendable func show(req: Request) async throws -> Response {
        let job = try await job(req)
        let actor = try req.actor
        let t = actor.t
        let crumbs = [Crumb(label: t("nav.customers"), href: Paths.customers), Crumb(label: t("import.title"), href: Paths.customers + "/import"), Crumb(label: job.fileName, href: nil)]
        switch job.status {
        case .running:
            let done = req.application.importProgress.get(job.id!) ?? 0
            let percent = job.total == 0 ? 100 : min(100, done * 100 / job.total)
            return req.page(title: t("import.running"), crumbs: crumbs, refresh: 1) { _ in
                H.el("section", [.cls("card")], [
                    H.h2(t("import.running")),
                    H.el("progress", [A("max", "100"), A("value", String(percent)), .cls("progress")], [H.text("\(percent)%")]),
                    H.p(t("import.progress", String(done), String(job.total)), cls: "muted"),
                ])
            }
        case .done, .failed:
            return req.page(title: t("import.result"), crumbs: crumbs) { _ in
                H.el("section", [.cls("card")], [
                    H.h2(t(job.status == .done ? "import.done" : "import.failed")),
                    job.status == .done ? H.div("stats",
                        H.div("stat", H.div("stat-value", H.text(String(job.created))), H.div("stat-label", H.text(t("import.created")))),
                        H.div("stat", H.div("stat-value", H.text(String(job.updated))), H.div("stat-label", H.text(t("import.updated")))),
                        H.div("stat", H.div("stat-value", H.text(String(job.skipped))), H.div("stat-label", H.text(t("import.skipped")))))
                        : H.el("div", [.cls("flash flash-error")], [H.text(t("import.nothingSaved") + " " + (job.errors.first?.message ?? ""))]),
                    H.a(URLQuery.build(Paths.customers, [("owner", actor.userID.uuidString)]), t("import.toCustomers"), cls: "btn btn-primary"),
                ])
            }
        case .uploaded, .previewed:
            let preview = job.status == .previewed ? try await service(req).preview(job) : nil
            return req.page(title: t("import.title"), crumbs: crumbs) { ctx in
                let fieldOptions = [Forms.Option(value: "", label: t("import.ignore"))] + CustomerImport.importable(actor).map { .init(value: $0.key, label: $0.title(t)) }
                let mappingRows: [[HNode]] = job.headers.enumerated().map { i, h in
                    [H.text(h.isEmpty ? "(\(i + 1))" : h),
                     H.el("select", [.name("col\(i)"), A("aria-label", h)], fieldOptions.map { o in
                         H.el("option", [.value(o.value), .flag("selected", o.value == job.mapping[i])], [H.text(o.label)])
                     })]
                }
                var sections: [HNode] = [
                    H.div("page-head", H.h1(job.fileName), H.span("muted", t("import.rows", String(job.total)))),
                    Forms.form(Paths.importJob(job.id!) + "/mapping", csrf: ctx.csrf, [
                        H.el("section", [.cls("card")], [
                            H.h2(t("import.mapping")),
                            Tables.table([t("import.column"), t("import.field")].map { Tables.Column($0) }, rows: mappingRows, sort: nil, descending: false,
                                         link: { _, _ in "" }, empty: H.empty),
                        ]),
                        H.el("section", [.cls("card")], [
                            H.h2(t("import.duplicates")),
                            H.div("checks", CustomerImport.duplicateKeys.map { k in
                                Forms.checkbox("dup.\(k)", label: actor.definition(Customer.definition).field(k)!.title(t), checked: job.duplicateKeys.contains(k))
                            }),
                            Forms.select("mode", label: t("import.mode"), options: ImportJob.DuplicateMode.allCases.map { .init(value: $0.rawValue, label: t("import.mode.\($0.rawValue)")) },
                                         selected: job.duplicateMode.rawValue, error: nil),
                            Forms.actions(Forms.submit(t("import.check"))),
                        ]),
                    ]),
                ]
                if let preview {
                    let shownKeys = job.mapping.filter { !$0.isEmpty && $0 != "owner" }
                    let sampleRows: [[HNode]] = preview.rows.map { row, input in
                        [H.text(String(row))] + shownKeys.map { k in H.text(input.value(k) ?? "") }
                    }
                    sections.append(H.el("section", [.cls("card"), .id("preview")], [
                        H.h2(t("import.preview")),
                        H.p(t("import.summary", String(preview.newCount), String(preview.duplicateCount), t("import.mode.\(job.duplicateMode.rawValue)")), cls: "strong"),
                        preview.errors.isEmpty ? H.empty : H.el("div", [.cls("flash flash-error"), A("role", "alert")], [
                            H.p(t("import.errors", String(preview.errors.count))),
                            H.el("ul", [.cls("error-list")], preview.errors.prefix(200).map { e in H.el("li", [], [H.text(t("import.rowError", String(e.row), e.field, e.message))]) }),
                        ]),
                        Tables.table(([t("import.row")] + shownKeys.map { k in actor.definition(Customer.definition).field(k).map { $0.title(t) } ?? k }).map { Tables.Column($0) },
                                     rows: sampleRows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                        preview.errors.isEmpty
                            ? Forms.form(Paths.importJob(job.id!) + "/commit", csrf: ctx.csrf, [Forms.actions(Forms.submit(t("import.commit")))])
                            : H.p(t("import.fixFirst"), cls: "muted"),
                    ]))
                }
                return H.group(sections)
            }
        }
    }
}

struct ImportProgressKey: StorageKey { typealias Value = ImportProgress }

extension Application {
    var importProgress: ImportProgress {
        if let p = storage[ImportProgressKey.self] { return p }
        let p = ImportProgress()
        storage[ImportProgressKey.self] = p
        return p
    }
}
