import Fluent
import Foundation
import GuanxiCore
import Vapor

extension QuoteTemplate {
    /// The contract's default: parties, lines, the amount in capitals, terms and signatures.
    static let contractDefault = QuoteTemplate(
        title: "销售合同",
        header: "甲方（买方）：{{customer}}\n乙方（卖方）：{{company}}\n经双方友好协商，就下列产品的购销达成如下合同（合同编号 {{number}}）：",
        footer: "合同总金额：{{total}}（大写：{{totalUpper}}）\n合同期限：{{startsOn}} 至 {{endsOn}}\n{{terms}}\n\n甲方（盖章）：　　　　　　　　乙方（盖章）：{{company}}\n签订日期：{{date}}　　　　　　　　经办人：{{owner}}")

    static let contractPlaceholders = ["company", "customer", "number", "date", "startsOn", "endsOn", "total", "totalUpper", "owner", "terms"]
}

/// The print view of a contract or order from the organisation's contract template (PLT-20), the
/// template editor, and the finance settings (credit-limit check, reminder days).
struct ContractPrintPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("contracts", ":id", "print", use: printView)
        routes.get("contracts", "template", use: templateForm)
        routes.post("contracts", "template", use: saveTemplate)
        routes.get("contracts", "settings", use: settings)
        routes.post("contracts", "settings", use: saveSettings)
    }

    @Sendable func printView(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.print, .contracts)
        let t = actor.t
        let svc = ContractService(db: req.db, actor: actor, now: req.now)
        let c = try await svc.get(req.parameters.get("id", as: UUID.self))
        let lines = try await svc.lines(c.id!)
        let template = try await Organization.find(actor.orgID, on: req.db)?.contractTemplate ?? .contractDefault
        let customer = try await OpportunityNames.customers([c.customerID], on: req.db, orgID: actor.orgID)[c.customerID] ?? ""
        let owner = try await OpportunityNames.users([c.ownerID], on: req.db, orgID: actor.orgID)[c.ownerID] ?? ""
        let money = FinanceViews.money(actor)
        let values = ["company": actor.org.name, "customer": customer, "number": c.number, "date": c.signedOn ?? "　　年　月　日",
                      "startsOn": c.startsOn ?? "—", "endsOn": c.endsOn ?? "—", "total": money(c.total), "totalUpper": Money.chineseUpper(c.total),
                      "owner": owner, "terms": c.terms ?? ""]
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Contract.entity, c.id!, .export, field: "print", new: c.number)
        }
        return PrintSheet.response(.init(template: template, values: values, meta: "\(t("contract.number")) \(c.number) · \(t(c.kind.labelKey))", back: Paths.contract(c.id!),
                                         lines: lines, subtotal: c.subtotal, tax: c.tax, total: c.total, totalLabel: t("contract.total")), actor: actor)
    }

    @Sendable func templateForm(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let tpl = try await Organization.find(actor.orgID, on: req.db)?.contractTemplate ?? .contractDefault
        return renderTemplate(req, QuotePages.TemplateForm(title: tpl.title, header: tpl.header, footer: tpl.footer), errors: [:])
    }

    @Sendable func saveTemplate(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let form = try req.content.decode(QuotePages.TemplateForm.self)
        let new = QuoteTemplate(title: Check.clean(form.title) ?? "", header: form.header ?? "", footer: form.footer ?? "")
        guard new.problems.isEmpty else { return renderTemplate(req, form, errors: new.problems.messages, status: .unprocessableEntity) }
        guard let org = try await Organization.find(actor.orgID, on: req.db) else { throw AppError.notFound }
        let old = org.contractTemplate ?? .contractDefault
        if old != new {
            org.contractTemplate = new
            try await req.db.writeTransaction { tx in
                try await org.save(on: tx)
                try await Audit(actor: actor, db: tx, now: req.now).event("organization", org.id!, .update, field: "contractTemplate",
                                                                           old: "\(old.title)\n\(old.header)\n\(old.footer)", new: "\(new.title)\n\(new.header)\n\(new.footer)")
            }
        }
        return req.redirect(Paths.contracts + "/template", flash: Flash(.success, "flash.saved"))
    }

    private func renderTemplate(_ req: Request, _ form: QuotePages.TemplateForm, errors: [String: String], status: HTTPResponseStatus = .ok) -> Response {
        PrintSheet.templateForm(req, form, errors: errors, status: status, action: Paths.contracts + "/template", titleKey: "contract.template",
                                crumb: Crumb(label: req.pageContext.t("nav.contracts"), href: Paths.contracts), placeholders: QuoteTemplate.contractPlaceholders,
                                footerRows: 8)
    }

    // MARK: finance settings

    @Sendable func settings(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.edit, .admin)
        let policy = try await FinancePolicyService(db: req.db, actor: actor, now: req.now).get()
        return renderSettings(req, values: ["credit": policy.credit.rawValue, "reminderDays": String(policy.reminderDays)], errors: [:])
    }

    @Sendable func saveSettings(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            try await FinancePolicyService(db: req.db, actor: try req.actor, now: req.now).save(credit: form["credit"], reminderDays: form["reminderDays"])
            return req.redirect(Paths.contracts + "/settings", flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return renderSettings(req, values: form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    private func renderSettings(_ req: Request, values: [String: String], errors: [String: String], status: HTTPResponseStatus = .ok) -> Response {
        let t = req.pageContext.t
        return req.page(status, title: t("contract.settings"), crumbs: [Crumb(label: t("nav.contracts"), href: Paths.contracts), Crumb(label: t("contract.settings"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("contract.settings"))),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.contracts + "/settings", csrf: ctx.csrf, [
                    H.div("card form-card",
                          Forms.select("credit", label: t("financePolicy.credit"), options: FinancePolicy.Credit.allCases.map { .init(value: $0.rawValue, label: t($0.labelKey)) },
                                       selected: values["credit"], error: errors["credit"].map { t($0) }),
                          Forms.input("reminderDays", label: t("financePolicy.reminderDays"), value: values["reminderDays"], error: errors["reminderDays"].map { t($0) },
                                      required: true, hint: t("financePolicy.reminderDaysHint"), extra: [A("inputmode", "numeric"), A("maxlength", "2")])),
                    Forms.actions(Forms.submit(t("action.save"))),
                ]),
            ])
        }
    }
}

/// The organisation's finance policy, read and changed by administrators.
struct FinancePolicyService {
    let db: Database
    let actor: Actor
    let now: Date

    func get() async throws -> FinancePolicy {
        try await Organization.find(actor.orgID, on: db)?.financePolicy ?? FinancePolicy()
    }

    func save(credit: String?, reminderDays: String?) async throws {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        var new = try await get()
        if let raw = Check.clean(credit) {
            if let c = FinancePolicy.Credit(rawValue: raw) { new.credit = c } else { errors.add("credit", "error.invalidOption") }
        }
        if let raw = Check.clean(reminderDays) {
            if let d = Int(raw), (0...60).contains(d) { new.reminderDays = d } else { errors.add("reminderDays", "error.reminderDays") }
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        guard let org = try await Organization.find(actor.orgID, on: db) else { throw AppError.notFound }
        let old = org.financePolicy ?? FinancePolicy()
        guard old != new else { return }
        org.financePolicy = new
        try await db.writeTransaction { [actor, now, new] tx in
            try await org.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("organization", org.id!, .update, field: "financePolicy",
                                                                  old: "\(old.credit.rawValue) · \(old.reminderDays)", new: "\(new.credit.rawValue) · \(new.reminderDays)")
        }
    }
}
