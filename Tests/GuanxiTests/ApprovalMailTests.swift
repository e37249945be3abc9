import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Approving from the email copy (PLT-15): a link per waiting approver, its token kept only as a hash,
/// good for one decision and seven days, through a real SMTP server.
@Suite struct ApprovalMailTests {
    @Test func anApproverDecidesFromTheLinkInTheEmailWithoutSigningIn() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            sink.serve(app)
            let mailer = { sink.mailer(app, clock) }
            // The lead (rep1's supervisor) and the director want copies; contracts go to the lead, then to the director.
            for who in ["lead", "director"] {
                try await User.query(on: app.db).filter(\.$id == w.users[who]!).set(\.$email, to: "\(who)@example.com").set(\.$notifyByEmail, to: true).update()
            }
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.PUT, "/api/v1/approval-flows/contract", json: #"""
                [{"name":"主管","mode":"anyOne","approvers":{"kind":"supervisor"}},
                 {"name":"总监","mode":"anyOne","approvers":{"kind":"users","users":["\#(w.users["director"]!)"]}}]
                """#).status == .ok)
            let q = try await ContractTests().acceptedQuote(app, w)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            struct Made: Decodable { var id: UUID; var status: String? }
            let c = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)"}"#).json(Made.self)
            #expect(try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/submit").json(Made.self).status == "pendingApproval")
            // The copy carries a link of its own; the notification in the app keeps the plain page.
            #expect(try await mailer().run().sent == 1)
            let (_, body) = SMTPSink.decode(try sink.received().last?.data ?? "")
            let link = try #require(body.split(whereSeparator: \.isNewline).first { $0.contains("/approvals/mail/") }.map(String.init))
            #expect(link.hasPrefix("https://crm.example.com/approvals/mail/") && link.contains("?t="), "\(body.debugDescription)")
            let path = String(link.dropFirst("https://crm.example.com".count))
            let token = String(path.split(separator: "=").last ?? "")
            let task = try #require(try await ApprovalTask.query(on: app.db).filter(\.$userID == w.users["lead"]!).first())
            #expect(task.tokenHash == Tokens.hash(token) && task.tokenHash != token)
            let note = try #require(try await UserNotification.query(on: app.db).filter(\.$userID == w.users["lead"]!).filter(\.$kind == "approvalWaiting").first())
            #expect(note.mailLink == nil && note.link?.contains("?t=") == false)
            // Nobody is signed in: opening the link shows the request and changes nothing (mail scanners open links too).
            let shown = try await app.testing().sendRequest(.GET, path)
            #expect(shown.status == .ok && shown.body.string.contains("HT") && shown.body.string.contains("name=\"decision\""), "\(shown.body.string.prefix(300))")
            #expect(try await Contract.find(c.id, on: app.db)?.status == .pendingApproval)
            // A wrong token, or none, finds nothing.
            let base = String(path.split(separator: "?").first ?? "")
            #expect(try await app.testing().sendRequest(.GET, base + "?t=forged").status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, base).status == .notFound)
            func post(_ p: String, _ fields: [(String, String)]) async throws -> TestingHTTPResponse {
                var h = HTTPHeaders()
                h.contentType = .urlEncodedForm
                let body = fields.map { "\(URLQuery.encode($0.0))=\(URLQuery.encode($0.1))" }.joined(separator: "&")
                return try await app.testing().sendRequest(.POST, p, headers: h, body: ByteBuffer(string: body))
            }
            #expect(try await post(base, [("t", "forged"), ("decision", "approve")]).status == .notFound)
            // Rejecting needs a reason: the form comes back with the error.
            let noReason = try await post(base, [("t", token), ("decision", "reject"), ("comment", "")])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("e-comment"))
            // Approved from the mail: the request moves on to the director, audited as the lead.
            let approved = try await post(base, [("t", token), ("decision", "approve"), ("comment", "邮件里同意")])
            #expect(approved.status == .ok, "\(approved.body.string.prefix(300))")
            #expect(try await ApprovalTask.query(on: app.db).all().map(\.userID) == [w.users["director"]!])
            let decided = try await AuditEntry.query(on: app.db).filter(\.$recordID == c.id).filter(\.$field == "approval").sort(\.$at).all().last
            #expect(decided?.actorID == w.users["lead"] && decided?.newValue?.contains("邮件里同意") == true)
            // The same link again does nothing.
            #expect(try await post(base, [("t", token), ("decision", "approve")]).status == .notFound)
            // The director's link, once it is more than seven days old, no longer works.
            #expect(try await mailer().run().sent == 1)
            let (_, second) = SMTPSink.decode(try sink.received().last?.data ?? "")
            let directorLink = try #require(second.split(whereSeparator: \.isNewline).first { $0.contains("/approvals/mail/") }.map(String.init))
            let directorPath = String(directorLink.dropFirst("https://crm.example.com".count))
            clock.advance(8 * 86_400)
            #expect(try await app.testing().sendRequest(.GET, directorPath).status == .notFound)
            let dt = String(directorPath.split(separator: "=").last ?? "")
            #expect(try await post(String(directorPath.split(separator: "?").first ?? ""), [("t", dt), ("decision", "approve")]).status == .notFound)
            #expect(try await Contract.find(c.id, on: app.db)?.status == .pendingApproval)
        }
    }
}
