import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct AttachmentTests {
    struct File: Decodable { var id: UUID; var fileName: String; var contentType: String; var size: Int }

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100))

    /// Sends one file the way a browser or an API client does (multipart, field "file").
    func upload(_ app: Application, _ account: String, entity: String, record: UUID, name: String, data: Data) async throws -> TestingHTTPResponse {
        let boundary = "----gx\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: World.token(account))
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await app.testing().sendRequest(.POST, "/api/v1/attachments?entity=\(entity)&recordID=\(record)", headers: headers, body: ByteBuffer(data: body))
    }

    @Test func filesAreCheckedAndFollowTheirRecordsScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let customer = w.customers["rep1"]!
            let ok = try await upload(app, "rep1", entity: "customer", record: customer, name: "营业执照.png", data: Self.png)
            #expect(ok.status == .created, "\(ok.text)")
            let file = try ok.json(File.self)
            #expect(file.contentType == "image/png" && file.size == Self.png.count && file.fileName == "营业执照.png")
            // Names that climb out of a folder, files that are not what they say, too big, or of a kind nobody needs.
            for (name, data, error) in [("../../etc/passwd.png", Self.png, "error"), ("..\\win.ini.txt", Data("x".utf8), "error"),
                                        ("fake.pdf", Data("not a pdf".utf8), "error"), ("photo.jpg", Self.png, "error"),
                                        ("run.exe", Data("MZ".utf8), "error"), ("big.txt", Data(count: AttachmentService.maxSize + 1), "error")] {
                let res = try await upload(app, "rep1", entity: "customer", record: customer, name: name, data: data)
                #expect(res.status == .unprocessableEntity && res.text.contains("file"), "\(name): \(res.status) \(res.text.prefix(200))")
                _ = error
            }
            #expect(try await Attachment.query(on: app.db).count() == 1)
            // The record's scope: the owner and the team lead read it; a colleague and another organisation do not.
            let content = try await APIClient(app: app, token: World.token("lead")).get("/api/v1/attachments/\(file.id)/content")
            #expect(content.status == .ok && Data(buffer: content.body) == Self.png)
            #expect(content.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/attachments/\(file.id)/content").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/attachments/\(file.id)/content").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/attachments?entity=customer&recordID=\(customer)").status == .notFound)
            #expect(try await upload(app, "rep2", entity: "customer", record: customer, name: "x.txt", data: Data("x".utf8)).status == .notFound)
            // The viewer may look but not attach or remove.
            #expect(try await APIClient(app: app, token: World.token("viewer")).get("/api/v1/attachments?entity=customer&recordID=\(customer)").status == .ok)
            #expect(try await upload(app, "viewer", entity: "customer", record: customer, name: "x.txt", data: Data("x".utf8)).status == .forbidden)
            #expect(try await APIClient(app: app, token: World.token("viewer")).send(.DELETE, "/api/v1/attachments/\(file.id)").status == .forbidden)
            #expect(try await APIClient(app: app, token: World.token("rep1")).get("/api/v1/attachments?entity=planet&recordID=\(customer)").status == .badRequest)
            // On the page: the picture as a thumbnail, served inline; the audit trail names the file.
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/customers/\(customer)")
            #expect(page.text.contains("id=\"attachments\"") && page.text.contains("/attachments/\(file.id)?inline=1"))
            let inline = try await b.get("/attachments/\(file.id)?inline=1")
            #expect(inline.status == .ok && inline.headers.first(name: .contentDisposition)?.hasPrefix("inline") == true)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == customer).filter(\.$field == "attachments").first()
            #expect(audited?.newValue == "营业执照.png")
            #expect(try await b.post("/attachments/\(file.id)/delete", [("back", "/customers/\(customer)")]).status == .seeOther)
            let files = try await Attachment.query(on: app.db).count()
            let contents = try await AttachmentContent.query(on: app.db).count()
            #expect(files == 0 && contents == 0)
        }
    }

    @Test func productPicturesNeedProductRightsAndGoWithAPurge() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            struct P: Decodable { var id: UUID }
            let product = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"带图产品","code":"IMG-1"}"#).json(P.self).id
            #expect(try await upload(app, "admin", entity: "product", record: product, name: "正面.png", data: Self.png).status == .created)
            // A rep without product rights cannot attach to the catalogue.
            #expect(try await upload(app, "rep1", entity: "product", record: product, name: "x.png", data: Self.png).status == .forbidden)
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.get("/products/\(product)").text.contains("class=\"thumbs\""))
            #expect(try await admin.send(.DELETE, "/api/v1/products/\(product)").status == .noContent)
            let purge = try await b.post("/admin/recycle-bin/product/\(product)/purge")
            #expect(purge.status == .seeOther, "\(purge.status)")
            let files = try await Attachment.query(on: app.db).count()
            let contents = try await AttachmentContent.query(on: app.db).count()
            #expect(files == 0 && contents == 0)
            _ = w
        }
    }
}
