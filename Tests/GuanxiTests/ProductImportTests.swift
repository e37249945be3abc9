import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ProductImportTests {
    func upload(_ app: Application, _ account: String, csv: String, query: String = "") async throws -> TestingHTTPResponse {
        let boundary = "----gx\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"products.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body.append(Data(csv.utf8))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: World.token(account))
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await app.testing().sendRequest(.POST, "/api/v1/products/import\(query)", headers: headers, body: ByteBuffer(data: body))
    }

    @Test func aFileIsImportedWhollyOrNotAtAllWithEveryRowsErrors() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            struct Made: Decodable { var id: UUID }
            _ = try await admin.send(.POST, "/api/v1/product-categories", json: #"{"name":"服务器"}"#).json(Made.self)
            // Chinese labels, English labels and keys all name columns; row 3 and row 5 are wrong.
            let bad = """
                产品名称,Unit,listPrice,最低价,分类,备注列
                机架服务器,台,"45,800.00",41000,服务器,忽略
                坏价格,台,很多,,,
                刀片服务器,台,68000,70000,服务器,
                没有的分类,台,100,,不存在,
                """
            let refused = try await upload(app, "admin", csv: bad)
            #expect(refused.status == .unprocessableEntity, "\(refused.text)")
            for key in ["rows.3.listPrice", "rows.4.floorPrice", "rows.5.category"] { #expect(refused.text.contains(key), "\(key): \(refused.text)") }
            #expect(try await Product.query(on: app.db).count() == 0)
            let good = """
                产品名称,Unit,listPrice,最低价,分类
                机架服务器,台,"45,800.00",41000,服务器
                刀片服务器,台,68000,60000,服务器
                交换机,台,7200,,
                """
            let ok = try await upload(app, "admin", csv: good)
            #expect(ok.status == .created && ok.text.contains("3"), "\(ok.text)")
            let rack = try #require(try await Product.query(on: app.db).filter(\.$name == "机架服务器").first())
            #expect(rack.listPrice == 4_580_000 && rack.floorPrice == 4_100_000 && rack.categoryID != nil && rack.code.hasPrefix("CP"))
            // The same names again: the duplicate policy (warn) refuses them unless confirmed.
            let again = try await upload(app, "admin", csv: good)
            #expect(again.status == .unprocessableEntity && again.text.contains("rows.2.name"))
            #expect(try await upload(app, "admin", csv: good, query: "?confirmDuplicates=true").status == .created)
            #expect(try await Product.query(on: app.db).count() == 6)
            // Rights, and files that are not a table.
            #expect(try await upload(app, "rep1", csv: good).status == .forbidden)
            let noName = try await upload(app, "admin", csv: "型号,单位\nX1,台\n")
            #expect(noName.status == .unprocessableEntity && noName.text.contains("file"))
            // The page: errors listed by row, nothing lost.
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.get("/products/import").status == .ok)
            #expect(try await b.get("/products").text.contains("/products/import"))
            let page = try await b.upload("/products/import", fileName: "p.csv", data: Data(bad.utf8))
            #expect(page.status == .unprocessableEntity && page.text.contains("id=\"row-errors\"") && page.text.contains("没有的分类") == false)
            let imported = try await b.upload("/products/import", fileName: "p.csv", data: Data("产品名称,单位\n路由器,台\n".utf8))
            #expect(imported.status == .seeOther)
            #expect(try await Product.query(on: app.db).filter(\.$name == "路由器").count() == 1)
        }
    }

    /// A body whose part has no headers crashed the multipart parser (and with it the server) before
    /// anyone was asked who they are; it is refused first now.
    @Test func aMalformedMultipartBodyIsRefusedNotFatal() async throws {
        try await withGuanxi { app, _ in
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=f013")
            for path in ["/products/import", "/customers/import", "/attachments", "/api/v1/products/import", "/login"] {
                let res = try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: "--f013\r\n\u{1A}garbage--f013--\r\n"))
                #expect(res.status == .badRequest, "\(path): \(res.status)")
            }
            // Written in capitals the media type is not one any decoder takes, so nothing parses the body.
            headers.replaceOrAdd(name: .contentType, value: "Multipart/Form-Data; boundary=f013")
            let shouted = try await app.testing().sendRequest(.POST, "/login", headers: headers, body: ByteBuffer(string: "--f013\r\n\u{1A}garbage--f013--\r\n"))
            #expect((400..<500).contains(shouted.status.code))
            // A well-formed multipart body to an API route that takes JSON is the wrong media type.
            let w = try await World.build(app)
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=b")
            headers.bearerAuthorization = BearerAuthorization(token: World.token("rep1"))
            let form = ByteBuffer(string: "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n")
            let wrong = try await app.testing().sendRequest(.POST, "/api/v1/customers/\(w.customers["rep1"]!)/follow-ups", headers: headers, body: form)
            #expect(wrong.status == .unsupportedMediaType)
            #expect(MultipartGuardMiddleware.wellFormed(Data("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n".utf8), boundary: "b"))
            #expect(!MultipartGuardMiddleware.wellFormed(Data("--b\r\nno headers--b--".utf8), boundary: "b"))
            #expect(!MultipartGuardMiddleware.wellFormed(Data("--b\r\nContent-Disposition: x\r\n\r\n1".utf8), boundary: "b"))
        }
    }
}
