import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /admin/web-forms: designing web-to-lead forms and getting the snippet to embed them.
struct WebFormPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "web-forms", use: index)
        routes.get("admin", "web-forms", "new", use: newForm)
        routes.post("admin", "web-forms", use: save)
        routes.get("admin", "web-forms", ":id", use: edit)
        routes.post("admin", "web-forms", ":id", use: save)
    }

    func service(_ req: Request) throws -> WebFormService { WebFormService(db: req.db, actor: try req.actor, now: req.now) }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let forms = try await service(req).list()
        return req.page(title: t("nav.webForms"), crumbs: [Crumb(label: t("nav.leads"), href: Paths.leads), Crumb(label: t("nav.webForms"), href: nil)]) { _ in
            let rows: [[HNode]] = forms.map { f in [
                H.a(Paths.adminWebForm(f.id!), f.name, cls: "strong"),
                H.span("num", String(f.submissions)),
                H.span("num", String(f.spamBlocked)),
                f.isActive ? H.span("badge badge-ok", t("status.active")) : H.span("badge", t("status.disabled")),
                H.el("a", [.href(Paths.publicForm(f.token)), A("target", "_blank"), A("rel", "noopener")], [H.text(t("webForm.open"))]),
            ] }
            let add = H.a(Paths.adminWebForms + "/new", t("webForm.new"), cls: "btn btn-primary")
            return H.group([
                H.div("page-head", H.h1(t("nav.webForms")), H.div("actions", add)),
                H.p(t("webForm.hint"), cls: "muted"),
                Tables.table([t("webForm.name"), t("webForm.submissions"), t("webForm.spamBlocked"), t("lead.ruleActive"), ""].map { Tables.Column($0) },
                             rows: rows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(t("webForm.emptyTitle"), hint: t("webForm.emptyHint"), action: add)),
            ])
        }
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try (try req.actor).require(.edit, .admin)
        let values: [String: String] = ["isActive": "1", "rateLimit": "5"]
        return try await render(req, record: nil, values: values, fields: WebForm.defaultFields, required: ["person", "phone"], errors: [:])
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let f = try await service(req).get(req.parameters.get("id", as: UUID.self))
        let values = ["name": f.name, "heading": f.heading, "intro": f.intro ?? "", "thankYou": f.thankYou, "source": f.source ?? "",
                      "ownerID": f.ownerID?.uuidString ?? "", "rateLimit": String(f.rateLimit), "isActive": f.isActive ? "1" : ""]
        return try await render(req, record: f, values: values, fields: f.fieldKeys, required: Array(f.requiredKeys), errors: [:])
    }

    struct Form: Content {
        var name: String?
        var heading: String?
        var intro: String?
        var thankYou: String?
        var fields: [String]?
        var requiredFields: [String]?
        var source: String?
        var ownerID: String?
        var rateLimit: String?
        var isActive: String?
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let id = req.parameters.get("id", as: UUID.self)
        let svc = try service(req)
        let existing = try await id.asyncMap { try await svc.get($0) }
        do {
            let f = try await svc.save(existing?.id, .init(name: form.name, heading: form.heading ?? "", intro: form.intro ?? "", thankYou: form.thankYou ?? "",
                                                           fields: form.fields ?? [], requiredFields: form.requiredFields ?? [], source: form.source ?? "",
                                                           ownerID: form.ownerID ?? "", rateLimit: form.rateLimit ?? "", isActive: form.isActive == "1"))
            return req.redirect(Paths.adminWebForm(f.id!), flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            let values = ["name": form.name ?? "", "heading": form.heading ?? "", "intro": form.intro ?? "", "thankYou": form.thankYou ?? "",
                          "source": form.source ?? "", "ownerID": form.ownerID ?? "", "rateLimit": form.rateLimit ?? "", "isActive": form.isActive ?? ""]
            return try await render(req, record: existing, values: values, fields: form.fields ?? [], required: form.requiredFields ?? [],
                                    errors: e.fields, status: .unprocessableEntity)
        }
    }

    private func render(_ req: Request, record: WebForm?, values: [String: String], fields: [String], required: [String], errors: [String: String],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let sources = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.source)
        let people = try await actor.activeColleagues(on: req.db)
        let title = record?.name ?? t("webForm.new")
        let base = req.application.settings.publicURL ?? "http://\(req.headers.first(name: .host) ?? "localhost")"
        return req.page(status, title: title, crumbs: [Crumb(label: t("nav.webForms"), href: Paths.adminWebForms), Crumb(label: title, href: nil)]) { ctx in
            let err = { (k: String) in errors[k].map { t($0) } }
            let fieldRows: [[HNode]] = WebForm.availableFields.map { key in [
                H.text(Lead.definition.field(key).map { t($0.labelKey) } ?? key),
                Forms.checkbox("fields[]", label: t("webForm.ask"), checked: fields.contains(key), value: key),
                Forms.checkbox("requiredFields[]", label: t("webForm.required"), checked: required.contains(key), value: key),
            ] }
            let snippet: HNode = record.map { f in
                let url = base + Paths.publicForm(f.token)
                let iframe = "<iframe src=\"\(url)\" style=\"width:100%;max-width:520px;height:640px;border:0\" title=\"\(H.escape(f.heading))\"></iframe>"
                return H.el("section", [.cls("card"), .id("snippet")], [
                    H.h2(t("webForm.snippet")),
                    H.p(t("webForm.snippetHint"), cls: "muted"),
                    H.el("textarea", [A("readonly", "readonly"), A("rows", "3"), .cls("code"), A("aria-label", t("webForm.snippet"))], [H.text(iframe)]),
                    H.p(t("webForm.directHint", url), cls: "muted small"),
                    H.el("p", [], [H.el("a", [.href(Paths.publicForm(f.token)), A("target", "_blank"), A("rel", "noopener"), .cls("btn")], [H.text(t("webForm.open"))])]),
                    H.p(t("webForm.counts", String(f.submissions), String(f.spamBlocked)), cls: "muted"),
                ])
            } ?? H.empty
            return H.group([
                H.div("page-head", H.h1(title)),
                Forms.errorSummary(errors, t: t),
                Forms.form(record.map { Paths.adminWebForm($0.id!) } ?? Paths.adminWebForms, csrf: ctx.csrf, [
                    H.div("card form-card wide", H.div("grid-form",
                        Forms.input("name", label: t("webForm.name"), value: values["name"], error: err("name"), required: true, extra: [A("maxlength", "50")]),
                        Forms.input("heading", label: t("webForm.heading"), value: values["heading"], error: err("heading"), extra: [A("maxlength", "100")]),
                        Forms.select("source", label: t("dict.source"), options: sources.map { .init(value: $0.value, label: $0.label(t.locale)) },
                                     selected: values["source"], error: err("source"), blank: t("webForm.sourceWeb")),
                        Forms.select("ownerID", label: t("webForm.owner"), options: people.map { .init(value: $0.id.uuidString, label: $0.name) },
                                     selected: values["ownerID"], error: err("ownerID"), blank: t("lead.byRules")),
                        Forms.input("rateLimit", label: t("webForm.rateLimit"), value: values["rateLimit"], error: err("rateLimit"), extra: [A("inputmode", "numeric")]))),
                    H.div("card form-card wide",
                        Forms.textarea("intro", label: t("webForm.intro"), value: values["intro"], error: err("intro")),
                        Forms.textarea("thankYou", label: t("webForm.thankYou"), value: values["thankYou"], error: err("thankYou"))),
                    H.el("section", [.cls("card")], [
                        H.h2(t("webForm.fields")),
                        errors["fields"].map { H.el("div", [.cls("error"), A("role", "alert")], [H.text(t($0))]) } ?? H.empty,
                        errors["requiredFields"].map { H.el("div", [.cls("error"), A("role", "alert")], [H.text(t($0))]) } ?? H.empty,
                        Tables.table([t("webForm.field"), t("webForm.ask"), t("webForm.required")].map { Tables.Column($0) }, rows: fieldRows, sort: nil,
                                     descending: false, link: { _, _ in "" }, empty: H.empty),
                    ]),
                    Forms.checkbox("isActive", label: t("webForm.active"), checked: values["isActive"] == "1"),
                    Forms.actions(Forms.submit(t("action.save")), H.a(Paths.adminWebForms, t("action.cancel"), cls: "btn")),
                ]),
                snippet,
            ])
        }
    }
}

/// The public side: /f/{token} shows the form (it may be framed by the company's website) and takes
/// submissions, as a form post or as JSON. Nobody is signed in; there is no CSRF token to check.
struct PublicFormController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("f", ":token", use: show)
        routes.post("f", ":token", use: submit)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let form = try await WebFormIntake.form(token: req.parameters.get("token"), on: req.db)
        return render(req, form, values: [:], errors: [:])
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let form = try await WebFormIntake.form(token: req.parameters.get("token"), on: req.db)
        let wantsJSON = req.headers.contentType == .json
        var values: [String: String] = [:]
        if wantsJSON {
            guard case .object(let body)? = try? req.content.decode(JSONInput.self) else { throw AppError.badRequest() }
            for (k, v) in body { if case .string(let s) = v { values[k] = s } }
        } else {
            values = (try? req.content.decode([String: String].self)) ?? [:]
        }
        let outcome = try await WebFormIntake(db: req.db, now: req.now).submit(form, values: values, address: req.clientAddress)
        let t = Translator(req.requestLocale)
        switch outcome {
        case .created, .spam:
            if wantsJSON { return JSONResponse.ok(["status": "ok", "message": .string(form.thankYou.isEmpty ? t("webForm.thanks") : form.thankYou)], status: .created) }
            return thanks(req, form)
        case .limited:
            if wantsJSON { return JSONResponse.ok(["code": "tooManyRequests", "message": .string(t("webForm.tooMany"))], status: .tooManyRequests) }
            return render(req, form, values: values, errors: [:], notice: t("webForm.tooMany"), status: .tooManyRequests)
        case .invalid(let errors):
            if wantsJSON { throw AppError.invalid(errors) }
            return render(req, form, values: values, errors: errors.messages, status: .unprocessableEntity)
        }
    }

    private func thanks(_ req: Request, _ form: WebForm) -> Response {
        let t = Translator(req.requestLocale)
        return req.page(.ok, title: form.heading) { _ in
            H.div("card form-card public-form", H.h1(form.heading), H.p(form.thankYou.isEmpty ? t("webForm.thanks") : form.thankYou, cls: "strong"))
        }
    }

    private func render(_ req: Request, _ form: WebForm, values: [String: String], errors: [String: String], notice: String? = nil,
                        status: HTTPResponseStatus = .ok) -> Response {
        let t = Translator(req.requestLocale)
        return req.page(status, title: form.heading) { _ in
            let controls: [HNode] = form.fieldKeys.compactMap { key in
                guard let f = Lead.definition.field(key) else { return nil }
                let required = form.requiredKeys.contains(key)
                if f.kind == .longText {
                    return Forms.textarea(key, label: t(f.labelKey), value: values[key], error: errors[key].map { t($0) }, rows: 4)
                }
                let type = f.kind == .email ? "email" : f.kind == .phone ? "tel" : "text"
                return Forms.input(key, label: t(f.labelKey), value: values[key], error: errors[key].map { t($0) }, type: type, required: required,
                                   extra: [A("maxlength", String(f.maxLength))])
            }
            return H.div("card form-card public-form", [
                H.h1(form.heading),
                form.intro.map { H.p($0, cls: "muted") } ?? H.empty,
                notice.map { H.el("div", [.cls("flash flash-error"), A("role", "alert")], [H.text($0)]) } ?? H.empty,
                Forms.errorSummary(errors, t: t),
                H.el("form", [A("method", "post"), A("action", Paths.publicForm(form.token)), .cls("form")], controls + [
                    // People never see this field; robots fill it in.
                    H.el("div", [.cls("hp"), A("aria-hidden", "true")], [
                        H.el("label", [], [H.text("Website"), H.void("input", [.type("text"), .name(WebForm.honeypot), A("tabindex", "-1"), A("autocomplete", "off")])]),
                    ]),
                    Forms.actions(Forms.submit(t("webForm.submit"))),
                ]),
            ])
        }
    }
}

extension Request {
    /// The visitor's address: behind the project's own proxy on loopback, the one it forwarded.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard peer == "127.0.0.1" || peer == "::1",
              let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              !forwarded.isEmpty else { return peer }
        return String(forwarded.prefix(64))
    }
}
