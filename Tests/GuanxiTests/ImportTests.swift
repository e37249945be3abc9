import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct ImportTests {
    /// An import is one long transaction; on SQLite it runs on connections of its own, so while it holds
    /// one, every event loop's pages still read (before, the loop it landed on timed out after 10 s).
    @Test func aLongImportTransactionLeavesPagesReading() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite else { return }
            _ = try await World.build(app)
            try await app.longWorkDB.writeTransaction { tx in
                for loop in app.eventLoopGroup.makeIterator() {
                    let n = try await Customer.query(on: app.databases.database(.sqlite, logger: app.logger, on: loop)!).count()
                    #expect(n > 0)
                }
                _ = try await Customer.query(on: tx).count()
            }
        }
    }

    func latestJob(_ app: Application) async throws -> ImportJob {
        try await ImportJob.query(on: app.db).sort(\.$createdAt, .descending).first()!
    }

    func waitUntilFinished(_ app: Application, _ id: UUID) async throws -> ImportJob {
        for _ in 0..<600 {
            let job = try await ImportJob.find(id, on: app.db)!
            if job.status == .done || job.status == .failed { return job }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw AppError.conflict("error.importHasErrors")
    }

    @Test func gbkCSVThroughTheWholeFlow() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let csv = "客户名称,电话,行业,客户级别,区域,信用额度,负责人,成立日期\r\n"
                + "杭州启明软件有限公司,0571-88886666,互联网/软件,A 重点客户,浙江,\"12,000.50\",rep1,2019/3/8\r\n"
                + "客户-rep2,13800000001,制造业,B 普通客户,广东,,,\r\n"
                + "成都天成物流有限公司,028-66668888,物流运输,,四川,500,manager,\r\n"
            let gbk = csv.data(using: TextDecoding.gb18030)!
            let b = Browser(app)
            try await b.signIn("manager")
            let uploaded = try await b.upload("/customers/import", fileName: "客户.csv", data: gbk)
            #expect(uploaded.status == .seeOther)
            let job = try await latestJob(app)
            #expect(job.total == 3 && job.mapping == ["name", "phone", "industry", "level", "region", "creditLimit", "owner", "registeredOn"])
            let mappingPage = try await b.get("/imports/\(job.id!)")
            #expect(mappingPage.text.contains("客户名称"))
            // Duplicates by name: the second row exists already and is skipped.
            var form = job.mapping.enumerated().map { ("col\($0.offset)", $0.element) }
            form += [("dup.name", "1"), ("mode", "skip")]
            #expect(try await b.post("/imports/\(job.id!)/mapping", form).status == .seeOther)
            let preview = try await b.get("/imports/\(job.id!)")
            #expect(preview.text.contains("新建 2 个；已存在 1 个"))
            #expect(try await b.post("/imports/\(job.id!)/commit").status == .seeOther)
            let done = try await waitUntilFinished(app, job.id!)
            #expect(done.status == .done && done.created == 2 && done.skipped == 1)
            let hz = try await Customer.query(on: app.db).filter(\.$name == "杭州启明软件有限公司").first()!
            #expect(hz.creditLimit == 1_200_050 && hz.industry == "it" && hz.level == "a" && hz.ownerID == w.users["rep1"])
            #expect(hz.registeredOn == "2019-03-08" && hz.number?.hasPrefix("KH") == true && hz.mnemonic == "HZQMRJYXGS")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == hz.id!).filter(\.$action == .create).count() == 1)
            let report = try await b.get("/imports/\(job.id!)")
            #expect(report.text.contains("导入完成"))
            // The mapping is remembered for the next file with the same headers.
            clock.advance(1)
            try await b.upload("/customers/import", fileName: "again.csv", data: Data("客户名称,负责人\r\n新客户,rep1\r\n".utf8))
            #expect(try await latestJob(app).mapping == ["name", "owner"])
        }
    }

    @Test func xlsxImportUpdatesDuplicates() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let writer = try XLSX.Writer()
            writer.add(["Name", "Phone", "Notes"])
            writer.add(["客户-rep1", "13900009999", "updated by import"])
            writer.add(["全新客户", "", ""])
            let file = try writer.finish()
            let data = try Data(contentsOf: file)
            let b = Browser(app)
            try await b.signIn("admin")
            try await b.upload("/customers/import", fileName: "customers.xlsx", data: data)
            let job = try await latestJob(app)
            #expect(job.mapping == ["name", "phone", "notes"])
            try await b.post("/imports/\(job.id!)/mapping", [("col0", "name"), ("col1", "phone"), ("col2", "notes"), ("dup.name", "1"), ("mode", "update")])
            try await b.post("/imports/\(job.id!)/commit")
            let done = try await waitUntilFinished(app, job.id!)
            #expect(done.created == 1 && done.updated == 1)
            let updated = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            #expect(updated.notes == "updated by import" && updated.phone == "13900009999")
        }
    }

    @Test func oneBadRowOfTenThousandLeavesNothingBehind() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            var csv = "客户名称,行业,电话\r\n"
            for i in 1...10_000 { csv += "批量客户\(i),\(i == 9_999 ? "航天飞机" : "制造业"),1380000\(String(format: "%04d", i % 10_000))\r\n" }
            let b = Browser(app)
            try await b.signIn("admin")
            try await b.upload("/customers/import", fileName: "big.csv", data: Data(csv.utf8))
            let job = try await latestJob(app)
            try await b.post("/imports/\(job.id!)/mapping", [("col0", "name"), ("col1", "industry"), ("col2", "phone"), ("mode", "create")])
            let checked = try await ImportJob.find(job.id!, on: app.db)!
            #expect(checked.errors.count == 1 && checked.errors.first?.row == 10_000)
            let preview = try await b.get("/imports/\(job.id!)")
            #expect(preview.text.contains("第 10000 行"))
            // Committing is refused, and nothing was saved.
            let refused = try await b.post("/imports/\(job.id!)/commit")
            #expect(refused.status == .seeOther)
            #expect(try await Customer.query(on: app.db).filter(\.$name ~~ "批量客户").count() == 0)
            // If a row turns bad between preview and import (the option was disabled), the transaction rolls back whole.
            let ok = try await ImportJob.find(job.id!, on: app.db)!
            ok.errors = []
            ok.status = .previewed
            try await ok.save(on: app.db)
            let admin = try await User.query(on: app.db).filter(\.$account == "admin").first()!
            let actor = try await Actor.resolve(userID: admin.id!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            await #expect(throws: (any Error).self) {
                _ = try await CustomerImport(db: app.db, actor: actor, now: Date(), dataDirectory: NSTemporaryDirectory()).commit(ok)
            }
            #expect(try await Customer.query(on: app.db).filter(\.$name ~~ "批量客户").count() == 0)
        }
    }

    @Test func importNeedsTheRightAndAReadableFile() async throws {
        try await withGuanxi { app, _ in
            _ = try await World.build(app)
            let rep = Browser(app)
            try await rep.signIn("rep1")
            #expect(try await rep.upload("/customers/import", fileName: "x.csv", data: Data("客户名称\r\nA\r\n".utf8)).status == .forbidden)
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.upload("/customers/import", fileName: "x.pdf", data: Data("%PDF".utf8)).status == .unprocessableEntity)
            #expect(try await b.upload("/customers/import", fileName: "x.xlsx", data: Data("not a zip".utf8)).status == .unprocessableEntity)
            #expect(try await b.upload("/customers/import", fileName: "x.csv", data: Data()).status == .unprocessableEntity)
        }
    }
}
