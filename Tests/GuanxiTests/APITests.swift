import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct ErrorJSON: Decodable {
    var code: String
    var message: String
    var fields: [String: String]?
}

@Suite struct APITests {
    @Test func tokensAreRequiredAndChecked() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let none = try await APIClient(app: app, token: nil).get("/api/v1/customers")
            #expect(none.status == .unauthorized)
            #expect(try none.json(ErrorJSON.self).code == "unauthorized")
            #expect(try await APIClient(app: app, token: "gx_bogus").get("/api/v1/me").status == .unauthorized)
            let me = try await APIClient(app: app, token: World.token("lead")).get("/api/v1/me")
            #expect(me.status == .ok)
            #expect(me.text.contains("ownAndSubordinates"))
        }
    }

    @Test func badInputGetsClearErrorsAndSavesNothing() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let api = APIClient(app: app, token: World.token("rep1"))
            let before = try await Customer.query(on: app.db).count()

            let invalid = try await api.send(.POST, "/api/v1/customers", json: #"{"name":"","phone":"not a phone"}"#)
            #expect(invalid.status == .unprocessableEntity)
            let body = try invalid.json(ErrorJSON.self)
            #expect(body.code == "validation_failed")
            #expect(body.fields?["name"] != nil && body.fields?["phone"] != nil)

            #expect(try await api.send(.POST, "/api/v1/customers", json: #"{"name": "#).status == .badRequest)
            let wrongType = try await api.send(.POST, "/api/v1/customers", json: #"{"name": 42}"#)
            #expect(wrongType.status == .unprocessableEntity)
            #expect(try wrongType.json(ErrorJSON.self).fields?["name"] != nil)
            #expect(try await api.send(.POST, "/api/v1/customers", json: #"[1,2]"#).status == .badRequest)
            let plain = try await api.send(.POST, "/api/v1/customers", json: "name=x", headers: ["content-type": "text/plain"])
            #expect(plain.status == .unsupportedMediaType, "\(plain.status) \(plain.text)")
            let long = String(repeating: "名", count: 201)
            #expect(try await api.send(.POST, "/api/v1/customers", json: #"{"name":"\#(long)"}"#).status == .unprocessableEntity)
            // Giving a customer to someone else needs the assign right; to another organisation's user, never.
            let assign = try await api.send(.POST, "/api/v1/customers", json: #"{"name":"x","ownerID":"\#(w.users["rep2"]!)"}"#)
            #expect(assign.status == .unprocessableEntity)
            let lead = APIClient(app: app, token: World.token("lead"))
            #expect(try await lead.send(.POST, "/api/v1/customers", json: #"{"name":"x","ownerID":"\#(w.users["outsider"]!)"}"#).status == .unprocessableEntity)

            #expect(try await api.get("/api/v1/customers/not-a-uuid").status == .notFound)
            #expect(try await api.get("/api/v1/customers/\(UUID())").status == .notFound)
            #expect(try await api.get("/api/v1/customers?limit=0").status == .badRequest)
            #expect(try await api.get("/api/v1/customers?cursor=%%%").status == .badRequest)
            #expect(try await api.get("/api/v1/customers?sort=password").status == .badRequest)
            #expect(try await Customer.query(on: app.db).count() == before)
        }
    }

    /// Over a real socket, so the body limit applies as it does in production.
    @Test func oversizedBodiesAreRefusedWith413() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let port = Int.random(in: 20_000...40_000)
            let huge = String(repeating: "x", count: 2_000_000)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: World.token("rep1"))
            headers.contentType = .json
            let res = try await app.testing(method: .running(hostname: "127.0.0.1", port: port))
                .sendRequest(.POST, "/api/v1/customers", headers: headers, body: ByteBuffer(string: #"{"name":"\#(huge)"}"#))
            #expect(res.status == .payloadTooLarge)
            #expect(try await Customer.query(on: app.db).count() == 8)
        }
    }

    @Test func anOverloadIsAnsweredBusyNotAsABug() async throws {
        try await withGuanxi { app, _ in
            // What a request meets when every database connection stays taken for the whole wait.
            app.get("busy-probe") { _ -> String in throw ConnectionPoolTimeoutError.connectionRequestTimeout }
            var h = HTTPHeaders()
            h.replaceOrAdd(name: .accept, value: "application/json")
            let json = try await app.testing().sendRequest(.GET, "/busy-probe", headers: h)
            #expect(json.status == .serviceUnavailable && json.headers.first(name: .retryAfter) == "5")
            #expect(try json.content.decode(ErrorJSON.self).code == "busy")
            let page = try await app.testing().sendRequest(.GET, "/busy-probe")
            #expect(page.status == .serviceUnavailable && page.body.string.contains("系统繁忙"))
        }
    }

    @Test func keysetPagesWalkEveryRowOnce() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let api = APIClient(app: app, token: World.token("rep1"))
            for i in 0..<23 {
                #expect(try await api.send(.POST, "/api/v1/customers?force=true", json: #"{"name":"同名客户 \#(i % 5)"}"#).status == .created)
            }
            for (sort, order) in [("name", "asc"), ("name", "desc"), ("created", "desc")] {
                var seen: [UUID] = []
                var cursor: String?
                repeat {
                    let path = "/api/v1/customers?limit=4&sort=\(sort)&order=\(order)" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await api.get(path).json(CustomerPageJSON.self)
                    seen += page.items.map(\.id)
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(seen.count == 24, "\(sort) \(order) \(seen.count)")
                #expect(Set(seen).count == 24)
            }
        }
    }

    @Test func searchFindsNamesAndPhoneDigits() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let api = APIClient(app: app, token: World.token("admin"))
            _ = try await api.send(.POST, "/api/v1/customers", json: #"{"name":"北京新能源科技有限公司","phone":"010-6234 5678"}"#)
            let byName = try await api.get("/api/v1/customers?q=\(URLQuery.encode("新能源"))").json(CustomerPageJSON.self)
            #expect(byName.items.map(\.name) == ["北京新能源科技有限公司"])
            let byPhone = try await api.get("/api/v1/customers?q=62345678").json(CustomerPageJSON.self)
            #expect(byPhone.items.map(\.name) == ["北京新能源科技有限公司"])
        }
    }

    @Test func openAPIDescribesEveryAPIRoute() async throws {
        try await withGuanxi { app, _ in
            let res = try await app.testing().sendRequest(.GET, "/api/openapi.json")
            #expect(res.status == .ok)
            let doc = try JSONSerialization.jsonObject(with: Data(res.text.utf8)) as! [String: Any]
            let paths = doc["paths"] as! [String: [String: Any]]
            for route in app.routes.all {
                let parts = route.path.map { $0.description }
                guard parts.count >= 2, parts[0] == "api", parts[1] == "v1" else { continue }
                let path = "/" + parts.map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 }.joined(separator: "/")
                let method = route.method.rawValue.lowercased()
                #expect(paths[path]?[method] != nil, "\(method) \(path) is not in the OpenAPI document")
            }
            // …and nothing that does not exist.
            var described = 0
            for (_, ops) in paths { described += ops.count }
            let real = app.routes.all.filter { $0.path.count >= 2 && $0.path[0].description == "api" && $0.path[1].description == "v1" }.count
            #expect(described == real)
        }
    }

    @Test func otherOrganisationsIDsAreUnreachable() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.get("/api/v1/customers/\(w.customers["other"]!)").status == .notFound)
            #expect(try await admin.send(.PATCH, "/api/v1/customers/\(w.customers["other"]!)", json: #"{"name":"x"}"#).status == .notFound)
            #expect(try await admin.send(.POST, "/api/v1/recycle-bin/customer/\(w.customers["other"]!)/restore").status == .notFound)
            let users = try await admin.get("/api/v1/users")
            #expect(!users.text.contains("outsider"))
        }
    }
}
