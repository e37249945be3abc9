import FluentPostgresDriver
import Foundation
import GuanxiCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// A clock tests can move.
final class TestClock: Sendable {
    private let box: NIOLockedValueBox<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { box = NIOLockedValueBox(start) }
    var now: Date { box.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { box.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

/// Which database the suite runs on: SQLite by default, PostgreSQL when GUANXI_TEST_DATABASE_URL is set
/// (the test script starts a throwaway server and sets it). Each test gets a database of its own.
enum TestDatabase {
    static var postgresAdminURL: String? {
        let v = ProcessInfo.processInfo.environment["GUANXI_TEST_DATABASE_URL"]
        return (v?.isEmpty ?? true) ? nil : v
    }

    static func make() async throws -> (Settings.DatabaseKind, cleanup: @Sendable () async throws -> Void) {
        let name = "gx_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        if let admin = postgresAdminURL {
            try await adminSQL(admin, "CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
            let url = replaceDatabase(in: admin, with: String(name))
            return (.postgres(url: url), { try await adminSQL(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
        }
        let path = NSTemporaryDirectory() + "\(name).sqlite"
        return (.sqlite(path: path), {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        })
    }

    static func replaceDatabase(in url: String, with name: String) -> String {
        guard var comps = URLComponents(string: url) else { return url }
        comps.path = "/" + name
        return comps.string ?? url
    }

    private static func adminSQL(_ url: String, _ sql: String) async throws {
        let app = try await Application.make(.testing)
        do {
            app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url)), as: .psql)
            try await (app.db as! any SQLDatabase).raw(SQLQueryString(sql)).run()
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// Runs a test against a fresh, migrated application.
func withGuanxi(_ body: (Application, TestClock) async throws -> Void) async throws {
    let clock = TestClock()
    let (db, cleanup) = try await TestDatabase.make()
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        var settings = Settings(database: db, dataDirectory: NSTemporaryDirectory(), passwordCost: 4, clock: { clock.now })
        settings.autoMigrate = true
        settings.databasePoolTimeout = 300
        try await configure(app, settings: settings)
        try await body(app, clock)
    } catch {
        try? await app.asyncShutdown()
        try? await cleanup()
        throw error
    }
    try await app.asyncShutdown()
    try await cleanup()
}

/// A browser: keeps cookies, reads the CSRF token, posts forms.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]

    init(_ app: Application) { self.app = app }

    var csrf: String { cookies[WebSessionMiddleware.csrfCookie] ?? "" }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// Posts a form with the CSRF token unless `csrf: false`.
    @discardableResult
    func post(_ path: String, _ form: [(String, String)] = [], csrf: Bool = true) async throws -> TestingHTTPResponse {
        if csrf, cookies[WebSessionMiddleware.csrfCookie] == nil { try await get("/login") }
        var fields = form
        if csrf { fields.append(("_csrf", self.csrf)) }
        let body = fields.map { "\(URLQuery.encode($0.0))=\(URLQuery.encode($0.1))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// Posts a file the way a browser's multipart form does.
    @discardableResult
    func upload(_ path: String, fileName: String, data: Data) async throws -> TestingHTTPResponse {
        if cookies[WebSessionMiddleware.csrfCookie] == nil { try await get("/login") }
        let boundary = "----gx\(UUID().uuidString)"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(data: body))
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var h = headers
        if !cookies.isEmpty { h.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        let res = try await app.testing().sendRequest(method, path, headers: h, body: body)
        for raw in res.headers[.setCookie] {
            let pair = raw.split(separator: ";").first.map(String.init) ?? ""
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count >= 1 else { continue }
            let value = kv.count == 2 ? kv[1] : ""
            if value.isEmpty || raw.contains("Expires=Thu, 01 Jan 1970") { cookies.removeValue(forKey: kv[0]) } else { cookies[kv[0]] = value }
        }
        return res
    }

    /// Signs in through the login form; returns the response of the form post.
    @discardableResult
    func signIn(_ account: String, _ password: String = World.password) async throws -> TestingHTTPResponse {
        try await get("/login")
        return try await post("/login", [("account", account), ("password", password)])
    }
}

extension TestingHTTPResponse {
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }
    var location: String? { headers.first(name: .location) }
    func json<T: Decodable>(_ type: T.Type) throws -> T {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(T.self, from: Data(text.utf8))
    }
}

/// Calls the JSON API with a bearer token.
struct APIClient {
    let app: Application
    let token: String?

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var h = extra
        if let token { h.bearerAuthorization = BearerAuthorization(token: token) }
        if json != nil, h.contentType == nil { h.contentType = .json }
        return try await app.testing().sendRequest(method, path, headers: h, body: json.map { ByteBuffer(string: $0) })
    }

    func get(_ path: String) async throws -> TestingHTTPResponse { try await send(.GET, path) }
}
