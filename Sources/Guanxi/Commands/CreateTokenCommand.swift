import ConsoleKit
import Fluent
import Foundation
import GuanxiCore
import Vapor

/// `guanxi create-token --account admin --name ci`: prints a new personal API token (shown once).
struct CreateTokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "account", help: "Whose token") var account: String?
        @Option(name: "name", help: "A name to tell tokens apart") var name: String?
    }

    var help: String { "Creates a personal API token for an account and prints it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let db = context.application.db
        guard let account = signature.account?.lowercased(),
              let user = try await User.query(on: db).filter(\.$account == account).firstRow(), user.status == .active else {
            context.console.error("No active account named \(signature.account ?? "(none)"); pass --account.")
            throw AppError.notFound
        }
        let secret = "gx_" + Tokens.random()
        let now = Date()
        try await db.writeTransaction { tx in
            let token = ApiToken(orgID: user.orgID, userID: user.id!, name: signature.name ?? "cli", tokenHash: Tokens.hash(secret),
                                 prefix: String(secret.prefix(10)), now: now)
            try await token.create(on: tx)
            try await AuditEntry(orgID: user.orgID, entity: "apiToken", recordID: token.id!, action: .create, field: "name", oldValue: nil,
                                 newValue: token.name, actorID: user.id, actorName: "cli", at: now).create(on: tx)
        }
        context.console.print(secret)
    }
}
