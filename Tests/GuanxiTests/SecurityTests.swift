import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct SecurityTests {
    @Test func lockOutAfterFiveFailuresForFifteenMinutes() async throws {
        try await withGuanxi { app, clock in
            _ = try await World.build(app)
            let b = Browser(app)
            for _ in 0..<5 {
                let res = try await b.signIn("rep1", "wrong-password1")
                #expect(res.status == .unauthorized)
            }
            // The right password is refused while locked.
            let locked = try await b.signIn("rep1")
            #expect(locked.status == .unauthorized)
            #expect(locked.text.contains("锁定") || locked.text.contains("locked"))
            #expect(b.cookies[AuthService.sessionCookie] == nil)
            clock.advance(15 * 60 + 1)
            let ok = try await b.signIn("rep1")
            #expect(ok.status == .seeOther)
            #expect(b.cookies[AuthService.sessionCookie] != nil)
            // Every attempt is in the login log.
            let records = try await LoginRecord.query(on: app.db).filter(\.$account == "rep1").all()
            #expect(records.filter { !$0.success }.count == 6)
            #expect(records.filter(\.success).count == 1)
        }
    }

    /// Resolved actors are kept between requests; every change they are built from must reach the next request.
    @Test func keptActorsFollowEveryChangeTheyAreBuiltFrom() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let api = APIClient(app: app, token: World.token("rep1"))
            let browser = Browser(app)
            try await browser.signIn("rep1")
            #expect(try await browser.get("/customers").text.contains("me-name"))
            struct Page: Decodable { var items: [Item]; struct Item: Decodable { var id: UUID } }
            struct Me: Decodable { var name: String; var organizationName: String; var scopes: [String: String] }
            let own = try await api.get("/api/v1/customers?limit=200").json(Page.self).items.count
            #expect(try await api.get("/api/v1/me").json(Me.self).scopes["customers"] == "own")

            // A new role grant widens the scope at once.
            let rep1 = w.users["rep1"]!
            try await UserRole(orgID: w.orgID, userID: rep1, roleID: w.roles["director"]!).create(on: app.db)
            let wide = try await api.get("/api/v1/customers?limit=200").json(Page.self).items.count
            #expect(wide > own)
            // Editing the role itself narrows it again.
            let director = try #require(try await Role.find(w.roles["director"]!, on: app.db))
            var policy = director.policy
            policy.scopes[.customers] = .own
            director.policy = policy
            try await director.save(on: app.db)
            #expect(try await api.get("/api/v1/customers?limit=200").json(Page.self).items.count == own)

            // The user's own record, the organisation's settings.
            let user = try #require(try await User.find(rep1, on: app.db))
            user.name = "改名后"
            try await user.save(on: app.db)
            let org = try #require(try await Organization.find(w.orgID, on: app.db))
            org.name = "新名字公司"
            try await org.save(on: app.db)
            let me = try await api.get("/api/v1/me").json(Me.self)
            #expect(me.name == "改名后")
            #expect(me.organizationName == "新名字公司")
            // Pages too: the session brings the stamp.
            #expect(try await browser.get("/customers").text.contains("改名后"))

            // Disabling the user shuts the door on the next request.
            user.status = .disabled
            try await user.save(on: app.db)
            #expect(try await api.get("/api/v1/me").status == .unauthorized)
            #expect(try await browser.get("/customers").location?.hasPrefix("/login") == true)
        }
    }

    @Test func formPostWithoutCSRFTokenIsRefused() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let res = try await b.post("/customers/new", [("name", "无令牌客户")], csrf: false)
            #expect(res.status == .forbidden)
            let wrong = try await b.send(.POST, "/customers/\(w.customers["admin"]!)/delete",
                                         headers: ["content-type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: "_csrf=forged"))
            #expect(wrong.status == .forbidden)
            #expect(try await Customer.query(on: app.db).filter(\.$name == "无令牌客户").count() == 0)
            #expect(try await Customer.find(w.customers["admin"]!, on: app.db) != nil)
            // sign-in itself is protected too
            let login = try await Browser(app).post("/login", [("account", "admin"), ("password", World.password)], csrf: false)
            #expect(login.status == .forbidden)
        }
    }

    @Test func markupInNamesRendersAsText() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let created = try await b.post("/customers/new", [("name", "<script>alert(1)</script>"), ("phone", ""), ("notes", "\" onmouseover=\"x")])
            #expect(created.status == .seeOther)
            let detail = try await b.get(created.location!)
            #expect(detail.status == .ok)
            #expect(!detail.text.contains("<script>alert(1)</script>"))
            #expect(detail.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let list = try await b.get("/customers?q=%3Cscript")
            #expect(!list.text.contains("<script>alert"))
            #expect(list.text.contains("value=\"&lt;script\""))
            let edit = try await b.get(created.location! + "/edit")
            #expect(!edit.text.contains("\" onmouseover=\"x"))
            #expect(edit.text.contains("&quot; onmouseover=&quot;x"))
        }
    }

    @Test func escapingLeavesPlainTextAloneAndEscapesMarkupInAnyScript() {
        #expect(H.escape("北京华信科技 Ltd.") == "北京华信科技 Ltd.")
        #expect(H.escape("") == "")
        #expect(H.escape(#"<a href="x">张三 & '李四'</a>"#) == "&lt;a href=&quot;x&quot;&gt;张三 &amp; &#39;李四&#39;&lt;/a&gt;")
        #expect(H.escape("😀<") == "😀&lt;")
    }

    /// Pages are written as Plot wrote them: escaped text and attribute values, attributes without a
    /// value dropped, an empty value as the bare name, a name given twice in its first place with its
    /// last value, void elements closed with "/>".
    @Test func nodesAreWrittenEscapedAndInOrder() {
        let page = H.el("form", [.cls("a"), A("data-x", nil), .value(""), A("title", #"1 < 2 & "3""#), .cls("b")], [
            H.void("input", [.name("q"), .value("张三's")]),
            H.group([H.text("<b>"), H.empty, .raw("<i>x</i>")]),
            H.el("select", [.flag("required"), .flag("disabled", false)], []),
        ])
        #expect(H.render(page) == #"<form class="b" value title="1 &lt; 2 &amp; &quot;3&quot;"><input name="q" value="张三&#39;s"/>&lt;b&gt;<i>x</i><select required="required"></select></form>"#)
        #expect(H.render(H.empty) == "")
        // A page goes out as bytes, the same markup behind its doctype, however long it grows.
        let long = H.group([page] + (0..<2_000).map { H.el("p", [.cls("n\($0)")], [H.text("第\($0)行 <&>")]) })
        #expect(String(buffer: H.document(long)) == "<!DOCTYPE html>" + H.render(long))
        #expect(H.document(long).readableBytes > 65_536)
    }

    /// Stored cookies and tokens are their SHA-256 in lower-case hex (FIPS 180-2's test vectors).
    @Test func tokensAreStoredAsTheirSHA256InHex() {
        #expect(Tokens.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Tokens.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Tokens.hash("关系") != Tokens.hash("关系 "))
    }

    @Test func signOutEndsTheSession() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            let token = b.cookies[AuthService.sessionCookie]!
            #expect(try await b.get("/customers").status == .ok)
            #expect(try await b.post("/logout").status == .seeOther)
            // Replaying the old cookie does not work either.
            b.cookies[AuthService.sessionCookie] = token
            let after = try await b.get("/customers")
            #expect(after.status == .seeOther)
            #expect(after.location?.hasPrefix("/login") == true)
        }
    }

    @Test func forceSignOutEndsAnotherUsersSession() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep = Browser(app)
            try await rep.signIn("rep1")
            #expect(try await rep.get("/").status == .ok)
            let admin = Browser(app)
            try await admin.signIn("admin")
            let online = try await admin.get("/admin/online")
            #expect(online.status == .ok)
            #expect(online.text.contains("Rep1"))
            let session = try await UserSession.query(on: app.db).filter(\.$userID == w.users["rep1"]!).first()!
            #expect(try await admin.post("/admin/online/\(session.id!)/revoke").status == .seeOther)
            let after = try await rep.get("/customers")
            #expect(after.status == .seeOther)
            // a non-admin may not do it
            try await rep.signIn("rep1")
            let adminSession = try await UserSession.query(on: app.db).filter(\.$userID == w.users["admin"]!).first()!
            #expect(try await rep.post("/admin/online/\(adminSession.id!)/revoke").status == .forbidden)
        }
    }

    @Test func sessionsSurviveARestartBecauseTheyLiveInTheDatabase() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("rep1")
            // A second application on the same database — another node, or the same one restarted.
            let node2 = try await Application.make(.testing)
            node2.logger.logLevel = .warning
            var settings = app.settings
            settings.autoMigrate = false
            try await configure(node2, settings: settings)
            let b2 = Browser(node2)
            b2.cookies = b.cookies
            let res = try await b2.get("/customers")
            try await node2.asyncShutdown()
            #expect(res.status == .ok)
        }
    }

    @Test func securityHeadersAreSet() async throws {
        try await withGuanxi { app, _ in
            let res = try await Browser(app).get("/login")
            #expect(res.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(res.headers.first(name: "Content-Security-Policy")?.contains("default-src 'self'") == true)
            #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
            let cookie = res.headers[.setCookie].first { $0.hasPrefix("gx_csrf=") }
            #expect(cookie?.contains("HttpOnly") == true)
        }
    }

    @Test func redirectAfterSignInStaysOnThisSite() {
        #expect(LoginPages.safeNext("/customers?q=1") == "/customers?q=1")
        #expect(LoginPages.safeNext("//evil.example") == "/")
        #expect(LoginPages.safeNext("https://evil.example") == "/")
        #expect(LoginPages.safeNext("/\\evil") == "/")
    }
}
