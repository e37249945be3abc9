import ConsoleKit
import Fluent
import Foundation
import GuanxiCore
import Vapor

/// `guanxi create-admin --company 示例 --account admin --name 管理员 --password …`: set-up without a browser.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "company", help: "Company name") var company: String?
        @Option(name: "account", help: "Sign-in account") var account: String?
        @Option(name: "name", help: "Display name") var name: String?
        @Option(name: "password", help: "Password (8+ characters, letters and digits)") var password: String?
        @Option(name: "locale", help: "zh-Hans or en") var locale: String?
    }

    var help: String { "Creates an organisation with its first administrator." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let input = OrganizationSetup.Input(company: signature.company ?? "Guanxi", timeZone: "Asia/Shanghai", currency: "CNY",
                                            adminName: signature.name ?? "管理员", account: signature.account ?? "admin",
                                            password: signature.password, locale: signature.locale.flatMap(AppLocale.init(rawValue:)))
        do {
            let (org, user) = try await OrganizationSetup.run(input, db: app.db, hasher: { try await app.password.async.hash($0) })
            context.console.print("Created \(org.name) with administrator \(user.account).")
        } catch let e as AppError {
            for (field, key) in e.fields.sorted(by: { $0.key < $1.key }) { context.console.error("\(field): \(Translator(.en)(key))") }
            throw e
        }
    }
}
