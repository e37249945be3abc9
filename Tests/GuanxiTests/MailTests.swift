import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// A real SMTP server (aiosmtpd, started from Tests/GuanxiTests/Support/smtp_sink.py) for one test.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process
    private let stdin: Pipe

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/smtp_sink.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, directory.path]
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The first line is the port; aiosmtpd missing means scripts/install-test-deps.sh was not run.
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            throw Abort(.internalServerError, reason: "the SMTP sink did not start (pip install aiosmtpd)")
        }
        self.port = port
    }

    /// Settings that send through this sink, with the account it expects.
    var settings: MailSettings {
        MailSettings(host: "127.0.0.1", port: port, username: "crm", password: "s3cret", fromAddress: "crm@guanxi.test", fromName: "关系 CRM")
    }

    /// Sends the app's mail here, with links built on a public address.
    func serve(_ app: Application) {
        app.settings.mail = settings
        app.settings.publicURL = "https://crm.example.com"
    }

    /// The mail job as it runs at the clock's time: through the app's settings unless others are given.
    func mailer(_ app: Application, _ clock: TestClock, settings: MailSettings? = nil) -> NotificationMailer {
        NotificationMailer(db: app.db, now: clock.now, mail: settings ?? app.settings.mail!, publicURL: app.settings.publicURL, group: app.eventLoopGroup)
    }

    struct Received: Decodable { var from: String; var to: [String]; var data: String; var authenticated: Bool }

    /// Messages accepted so far, in order.
    func received() throws -> [Received] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted().map {
            try JSONDecoder().decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The decoded subject and body of a message sent by Guanxi.
    static func decode(_ raw: String) -> (subject: String, body: String) {
        let parts = raw.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        let subjectLine = parts[0].split(separator: "\n").first { $0.hasPrefix("Subject: ") } ?? ""
        let word = subjectLine.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2)
        let subject = Data(base64Encoded: String(word)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let body = Data(base64Encoded: parts.dropFirst().joined().replacingOccurrences(of: "\n", with: ""))
        return (subject, body.map { String(decoding: $0, as: UTF8.self) } ?? "")
    }
}

/// Email copies of notifications (PLT-17) through a real SMTP server.
@Suite struct MailTests {
    struct ErrorJSON: Decodable { var fields: [String: String]? }
    struct MeJSON: Decodable { var notifyByEmail: Bool; var email: String? }

    @Test func settingsComeFromOneURL() {
        let s = MailSettings.parse(url: "smtps://crm%40corp.cn:p%40ss@smtp.exmail.qq.com", from: "关系 CRM <crm@corp.cn>")
        #expect(s == MailSettings(host: "smtp.exmail.qq.com", port: 465, security: .tls, username: "crm@corp.cn", password: "p@ss", fromAddress: "crm@corp.cn", fromName: "关系 CRM"))
        #expect(MailSettings.parse(url: "smtp://mail.local:587?starttls=1", from: "crm@corp.cn")?.security == .startTLS)
        #expect(MailSettings.parse(url: "smtp://mail.local", from: "crm@corp.cn")?.port == 25)
        #expect(MailSettings.parse(url: "http://mail.local", from: "crm@corp.cn") == nil)
        #expect(MailSettings.parse(url: "smtp://mail.local", from: "not an address") == nil)
        #expect(MailSettings.parse(url: nil, from: "crm@corp.cn") == nil)
    }

    @Test func copiesReachTheServerOnceInTheirLanguage() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            sink.serve(app)
            func mailer(_ settings: MailSettings? = nil) -> NotificationMailer { sink.mailer(app, clock, settings: settings) }
            try await User.query(on: app.db).filter(\.$id == w.users["rep1"]!).set(\.$email, to: "rep1@example.com").update()
            try await User.query(on: app.db).filter(\.$id == w.users["rep2"]!).set(\.$email, to: "rep2@refused.example").set(\.$locale, to: "en").update()
            // Each person turns copies on for themself; without an address it is refused.
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let on = try await rep1.send(.PATCH, "/api/v1/me", json: #"{"notifyByEmail":true}"#)
            #expect(try on.json(MeJSON.self).notifyByEmail == true)
            #expect(try await APIClient(app: app, token: World.token("rep2")).send(.PATCH, "/api/v1/me", json: #"{"notifyByEmail":true}"#).status == .ok)
            let noAddress = try await APIClient(app: app, token: World.token("viewer")).send(.PATCH, "/api/v1/me", json: #"{"notifyByEmail":true}"#)
            #expect(noAddress.status == .unprocessableEntity && (try? noAddress.json(ErrorJSON.self).fields?["notifyByEmail"]) != nil)
            // The lead gives out tasks: the copies are queued with the notifications, not for those who did not ask.
            let lead = APIClient(app: app, token: World.token("lead"))
            for who in ["rep1", "rep2"] {
                #expect(try await lead.send(.POST, "/api/v1/tasks", json: #"{"title":"报价给客户-\#(who)","ownerID":"\#(w.users[who]!)"}"#).status == .created)
            }
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.POST, "/api/v1/tasks", json: #"{"title":"核对资料","ownerID":"\#(w.users["viewer"]!)"}"#).status == .created)
            #expect(try await UserNotification.query(on: app.db).filter(\.$mailState == .queued).count() == 2)
            // One run: rep1's copy arrives, authenticated, in Chinese with a full link; rep2's address is refused and retried later.
            let first = try await mailer().run()
            #expect(first.sent == 1 && first.failed == 0)
            let mails = try sink.received()
            #expect(mails.count == 1 && mails.first?.to == ["rep1@example.com"] && mails.first?.from == "crm@guanxi.test" && mails.first?.authenticated == true)
            let (subject, body) = SMTPSink.decode(mails.first?.data ?? "")
            #expect(subject == "[测试公司] Lead 给你布置了任务：报价给客户-rep1", "\(subject)")
            #expect(body.contains("https://crm.example.com/tasks/") && body.contains("个人设置"), "\(body)")
            let refused = try #require(try await UserNotification.query(on: app.db).filter(\.$userID == w.users["rep2"]!).first())
            #expect(refused.mailState == .queued && refused.mailAttempts == 1 && refused.mailError?.contains("550") == true)
            // Running again sends nothing twice; the refused copy gives up after five attempts.
            for _ in 0..<4 { _ = try await mailer().run() }
            #expect(try sink.received().count == 1)
            #expect(try await UserNotification.query(on: app.db).filter(\.$userID == w.users["rep2"]!).first()?.mailState == .failed)
            // A wrong password fails the whole batch, which waits for the next run instead of being lost.
            _ = try await lead.send(.POST, "/api/v1/tasks", json: #"{"title":"第二个任务","ownerID":"\#(w.users["rep1"]!)"}"#)
            var wrong = app.settings.mail!
            wrong.password = "nope"
            #expect(try await mailer(wrong).run().sent == 0)
            let waiting = try #require(try await UserNotification.query(on: app.db).filter(\.$mailState == .queued).first())
            #expect(waiting.mailAttempts == 1 && waiting.mailError?.contains("535") == true)
            // Through the scheduled job on two nodes at once: delivered exactly once.
            clock.advance(60)
            async let a: Void = Jobs.tick(app: app, holder: "node-a")
            async let b: Void = Jobs.tick(app: app, holder: "node-b")
            _ = await (a, b)
            #expect(try sink.received().count == 2)
            #expect(try await UserNotification.query(on: app.db).filter(\.$mailState == .queued).count() == 0)
            // Turned off: nothing more is queued; copies older than a day are not sent.
            #expect(try await rep1.send(.PATCH, "/api/v1/me", json: #"{"notifyByEmail":false}"#).json(MeJSON.self).notifyByEmail == false)
            _ = try await lead.send(.POST, "/api/v1/tasks", json: #"{"title":"第三个任务","ownerID":"\#(w.users["rep1"]!)"}"#)
            #expect(try await UserNotification.query(on: app.db).filter(\.$mailState == .queued).count() == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == w.users["rep1"]!).filter(\.$field == "notifyByEmail").count() == 2)
            // The profile page offers the switch.
            let b2 = Browser(app)
            try await b2.signIn("rep1")
            #expect(try await b2.get("/profile").text.contains("rep1@example.com"))
            #expect(try await b2.post("/profile/mail", [("notifyByEmail", "1")]).status == .seeOther)
            #expect(try await User.find(w.users["rep1"]!, on: app.db)?.notifyByEmail == true)
        }
    }
}
