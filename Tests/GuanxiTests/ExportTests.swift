import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ExportTests {
    @Test func exportFollowsScopeAndPermissionAndIsAudited() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let manager = APIClient(app: app, token: World.token("manager"))
            let csv = try await manager.get("/api/v1/customers/export?format=csv")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let rows = CSV.parse(TextDecoding.decode(Data(csv.text.utf8)) ?? "")
            #expect(rows.first?.contains("Name") == true, "API users without a saved language get English headers")
            let names = Set(rows.dropFirst().compactMap { $0.count > 1 ? $0[1] : nil })
            #expect(names == Set(World.visibility["manager"]!.map { "客户-\($0)" }))
            // The same as a workbook.
            let xlsx = try await manager.get("/api/v1/customers/export?format=xlsx&q=rep")
            #expect(xlsx.status == .ok)
            let sheet = try XLSX.read(Data(buffer: xlsx.body))
            #expect(Set(sheet.dropFirst().map { $0[1] }) == ["客户-rep1", "客户-rep2"])
            // No export right, no file.
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/customers/export").status == .forbidden)
            #expect(try await manager.get("/api/v1/customers/export?format=pdf").status == .badRequest)
            let audited = try await AuditEntry.query(on: app.db).filter(\.$action == .export).filter(\.$actorID == w.users["manager"]!).count()
            #expect(audited == 2)
        }
    }
}
