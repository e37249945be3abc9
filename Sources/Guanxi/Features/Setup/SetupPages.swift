import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The first visit to an empty installation: company name, time zone, currency and the first admin.
struct SetupPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("setup", use: form)
        routes.post("setup", use: submit)
    }

    struct Form: Content {
        var company: String?
        var timeZone: String?
        var currency: String?
        var adminName: String?
        var account: String?
        var password: String?
        var locale: String?
    }

    @Sendable func form(req: Request) async throws -> Response {
        if try await Installation.isSetUp(on: req.db) { return req.redirect(to: Paths.login) }
        return render(req, Form(timeZone: "Asia/Shanghai", currency: "CNY", locale: req.requestLocale.rawValue), errors: [:])
    }

    @Sendable func submit(req: Request) async throws -> Response {
        if try await Installation.isSetUp(on: req.db) { return req.redirect(to: Paths.login) }
        let form = try req.content.decode(Form.self)
        do {
            let input = OrganizationSetup.Input(company: form.company, timeZone: form.timeZone, currency: form.currency,
                                                adminName: form.adminName, account: form.account, password: form.password,
                                                locale: form.locale.flatMap(AppLocale.init(rawValue:)))
            _ = try await OrganizationSetup.run(input, db: req.db, hasher: { try await req.password.async.hash($0) })
            req.application.setupDone.store(true)
            return req.redirect(Paths.login, flash: Flash(.success, "setup.done"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return render(req, form, errors: e.fields, status: .unprocessableEntity)
        }
    }

    private func render(_ req: Request, _ form: Form, errors: [String: String], status: HTTPResponseStatus = .ok) -> Response {
        let t = Translator(form.locale.flatMap(AppLocale.init(rawValue:)) ?? req.requestLocale)
        return req.page(status, title: t("setup.title")) { ctx in
            let err: (String) -> String? = { errors[$0].map { t($0) } }
            return H.div("auth-card wide",
                H.div("auth-brand", H.span("brand-mark big", "关"), H.h1(t("setup.title"))),
                H.p(t("setup.intro"), cls: "muted"),
                Forms.errorSummary(errors, t: t),
                Forms.form(Paths.setup, csrf: ctx.csrf, [
                    H.el("fieldset", [], [
                        H.el("legend", [], [H.text(t("setup.company"))]),
                        Forms.input("company", label: t("org.name"), value: form.company, error: err("company"), required: true, autofocus: true),
                        Forms.select("timeZone", label: t("org.timeZone"), options: OrganizationSetup.timeZones.map { .init(value: $0, label: $0) },
                                     selected: form.timeZone, error: err("timeZone")),
                        Forms.select("currency", label: t("org.currency"), options: Organization.currencies.map { .init(value: $0, label: $0) },
                                     selected: form.currency, error: err("currency")),
                        Forms.select("locale", label: t("profile.language"), options: AppLocale.allCases.map { .init(value: $0.rawValue, label: t("lang.\($0.rawValue)")) },
                                     selected: form.locale, error: nil),
                    ]),
                    H.el("fieldset", [], [
                        H.el("legend", [], [H.text(t("setup.admin"))]),
                        Forms.input("adminName", label: t("employee.name"), value: form.adminName, error: err("adminName"), required: true),
                        Forms.input("account", label: t("employee.account"), value: form.account, error: err("account"), required: true,
                                    extra: [A("autocomplete", "username")]),
                        Forms.input("password", label: t("employee.password"), value: nil, error: err("password"), type: "password",
                                    required: true, hint: t("hint.password"), extra: [A("autocomplete", "new-password")]),
                    ]),
                    Forms.actions(Forms.submit(t("setup.submit"))),
                ]))
        }
    }
}

/// Creates an organisation with its root department, administrator role and first admin, in one transaction.
enum OrganizationSetup {
    struct Input {
        var company: String?
        var timeZone: String?
        var currency: String?
        var adminName: String?
        var account: String?
        var password: String?
        var locale: AppLocale?
    }

    static let timeZones = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Europe/London", "America/New_York", "UTC"]

    static func run(_ input: Input, db: Database, hasher: @escaping (String) async throws -> String) async throws -> (Organization, User) {
        var errors = FieldErrors()
        let company = Check.required(input.company, "company", max: 100, into: &errors)
        let adminName = Check.required(input.adminName, "adminName", max: 50, into: &errors)
        let account = Check.account(input.account, "account", into: &errors)
        let password = Check.password(input.password, "password", into: &errors)
        let tz = input.timeZone ?? "Asia/Shanghai"
        if TimeZone(identifier: tz) == nil { errors.add("timeZone", "error.invalidOption") }
        let currency = input.currency ?? "CNY"
        if !Organization.currencies.contains(currency) { errors.add("currency", "error.invalidOption") }
        if errors["account"] == nil, try await Installation.accountTaken(account, on: db) {
            errors.add("account", "error.accountTaken")
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let hash = try await hasher(password)
        return try await db.writeTransaction { tx in
            let org = Organization(name: company, timeZone: tz, currency: currency)
            try await org.create(on: tx)
            let root = Department(orgID: org.id!, name: company, parentID: nil)
            try await root.create(on: tx)
            let adminRole = Role(orgID: org.id!, name: input.locale == .en ? "Administrator" : "管理员", policy: .administrator, isSystem: true)
            try await adminRole.create(on: tx)
            let admin = User(orgID: org.id!, account: account, name: adminName, passwordHash: hash, departmentID: root.id, supervisorID: nil)
            admin.locale = input.locale?.rawValue
            try await admin.create(on: tx)
            try await UserRole(orgID: org.id!, userID: admin.id!, roleID: adminRole.id!).create(on: tx)
            try await DictionaryService.seedDefaults(orgID: org.id!, on: tx)
            try await RegionService.seedDefaults(orgID: org.id!, on: tx)
            try await CustomerPool.seedDefault(orgID: org.id!, on: tx)
            return (org, admin)
        }
    }
}
