import Fluent
import Foundation
import GuanxiCore
import NIOCore

/// Sends the queued email copies of notifications (PLT-17), oldest first, in the recipient's
/// language. A refused or undeliverable copy is retried on later runs, then marked failed; copies
/// older than a day are not sent at all (the notification centre still has them).
struct NotificationMailer {
    let db: Database
    let now: Date
    let mail: MailSettings
    let publicURL: String?
    let group: EventLoopGroup
    static let maxAttempts = 5
    static let batch = 200

    func run() async throws -> (sent: Int, failed: Int) {
        let queued = try await UserNotification.query(on: db).filter(\.$mailState == .queued)
            .filter(\.$createdAt >= now.addingTimeInterval(-86_400)).sort(\.$createdAt).limit(Self.batch).rows()
        guard !queued.isEmpty else { return (0, 0) }
        let users = Dictionary(uniqueKeysWithValues: try await User.query(on: db).filter(\.$id ~~ Array(Set(queued.map(\.userID)))).rows().map { ($0.id!, $0) })
        let orgs = Dictionary(uniqueKeysWithValues: try await Organization.query(on: db).filter(\.$id ~~ Array(Set(queued.map(\.orgID)))).rows().map { ($0.id!, $0) })
        var outgoing: [(UserNotification, MailMessage)] = []
        var dropped: [UserNotification] = []
        for n in queued {
            // They may have turned copies off or lost their address since it was queued.
            guard let user = users[n.userID], user.notifyByEmail == true, user.status == .active, let email = user.email else { dropped.append(n); continue }
            outgoing.append((n, message(n, to: email, user: user, org: orgs[n.orgID])))
        }
        var results: [String?]
        do {
            results = outgoing.isEmpty ? [] : try await SMTP.send(outgoing.map(\.1), with: mail, on: group, now: now)
        } catch {
            // The server could not be reached: every copy waits for the next run.
            results = Array(repeating: String(describing: error), count: outgoing.count)
        }
        let outcome = zip(outgoing.map(\.0), results).map { ($0, $1) }
        return try await db.writeTransaction { [dropped] tx in
            var sent = 0, failed = 0
            for n in dropped {
                try await UserNotification.query(on: tx).filter(\.$id == n.id!).set(\.$mailState, to: nil).set(\.$mailLink, to: nil).update()
            }
            for (n, error) in outcome {
                if let error {
                    let attempts = (n.mailAttempts ?? 0) + 1
                    let state: UserNotification.MailState = attempts >= Self.maxAttempts ? .failed : .queued
                    if state == .failed { failed += 1 }
                    try await UserNotification.query(on: tx).filter(\.$id == n.id!).set(\.$mailAttempts, to: attempts)
                        .set(\.$mailError, to: String(error.prefix(500))).set(\.$mailState, to: state)
                        .set(\.$mailLink, to: state == .failed ? nil : n.mailLink).update()
                } else {
                    sent += 1
                    try await UserNotification.query(on: tx).filter(\.$id == n.id!).set(\.$mailState, to: .sent).set(\.$mailError, to: nil)
                        .set(\.$mailLink, to: nil).update()
                }
            }
            return (sent, failed)
        }
    }

    func message(_ n: UserNotification, to email: String, user: User, org: Organization?) -> MailMessage {
        let t = Translator(user.locale.flatMap(AppLocale.init(rawValue:)) ?? .zhHans)
        let text = n.text(t)
        var body = text
        if let link = n.mailLink ?? n.link { body += "\n\n" + (publicURL.map { $0 + link } ?? link) }
        body += "\n\n— " + t("mail.footer", org?.title ?? "Guanxi")
        return MailMessage(to: email, subject: "[\(org?.title ?? "Guanxi")] \(text.prefix(120))", body: body)
    }
}
