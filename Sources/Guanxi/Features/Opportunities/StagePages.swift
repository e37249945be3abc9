import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The organisation's pipeline stages (销售阶段设置) for administrators: names, win probabilities,
/// order, switched on or off. Each row is its own small form; a failed save keeps what was typed.
struct StagePages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("admin", "stages", use: index)
        routes.post("admin", "stages", use: save)
        routes.post("admin", "stages", ":id", use: save)
    }

    struct Form: Content {
        var name: String?
        var nameEn: String?
        var probability: String?
        var sortOrder: String?
        var isActive: String?
    }

    @Sendable func index(req: Request) async throws -> Response {
        try await render(req, failed: nil, form: Form(), errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let actor = try req.actor
        let id = req.parameters.get("id", as: UUID.self)
        let form = try req.content.decode(Form.self)
        do {
            _ = try await OpportunityService(db: req.db, actor: actor, now: req.now).saveStage(id, .init(
                name: form.name, nameEn: form.nameEn, probability: form.probability, sortOrder: form.sortOrder,
                isActive: id == nil ? true : form.isActive == "1"))
            return req.redirect(Paths.adminStages, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return try await render(req, failed: id ?? UUID.zero, form: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    /// `failed` is the stage whose form was rejected (`UUID.zero` for the new one).
    private func render(_ req: Request, failed: UUID?, form: Form, errors: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let t = actor.t
        let stages = try await OpportunityService(db: req.db, actor: actor, now: req.now).stages(includeInactive: true)
        return req.page(status, title: t("nav.stages"), crumbs: [Crumb(label: t("nav.admin"), href: nil), Crumb(label: t("nav.stages"), href: nil)]) { ctx in
            func row(_ s: OpportunityStage?) -> HNode {
                let mine = failed == (s?.id ?? UUID.zero)
                let err = { (k: String) in mine ? errors[k].map { t($0) } : nil }
                let v = { (k: String, current: String?) in mine ? Self.value(form, k) : current }
                return Forms.form(s.map { Paths.adminStages + "/\($0.id!.uuidString)" } ?? Paths.adminStages, csrf: ctx.csrf, cls: "form stage-row card", [
                    H.div("grid-form",
                          Forms.input("name", label: t("stage.name"), value: v("name", s?.name), error: err("name"), required: true, extra: [A("maxlength", "30")]),
                          Forms.input("nameEn", label: t("stage.nameEn"), value: v("nameEn", s?.nameEn), error: err("nameEn"), extra: [A("maxlength", "40")]),
                          Forms.input("probability", label: t("stage.probability"), value: v("probability", s.map { String($0.probability) }), error: err("probability"),
                                      type: "number", required: true, extra: [A("min", "0"), A("max", "100")]),
                          Forms.input("sortOrder", label: t("stage.sortOrder"), value: v("sortOrder", s.map { String($0.sortOrder) }), error: err("sortOrder"),
                                      type: "number", extra: [A("min", "0"), A("max", "999")]),
                          s == nil ? H.empty : Forms.checkbox("isActive", label: t("stage.active"), checked: mine ? form.isActive == "1" : s!.isActive)),
                    err("isActive").map { H.p($0, cls: "error") } ?? H.empty,
                    Forms.actions(Forms.submit(s == nil ? t("stage.add") : t("action.save"))),
                ])
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.stages"))),
                H.p(t("stage.intro"), cls: "muted"),
                H.group(stages.map(row)),
                H.h2(t("stage.add")),
                row(nil),
            ])
        }
    }

    private static func value(_ f: Form, _ key: String) -> String? {
        switch key {
        case "name": f.name
        case "nameEn": f.nameEn
        case "probability": f.probability
        case "sortOrder": f.sortOrder
        default: nil
        }
    }
}

extension UUID {
    static let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
