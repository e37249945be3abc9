import Foundation
import GuanxiCore
import SQLKit
import Testing
@testable import Guanxi

/// The bulk demo writes search keys without the model; they must match what the model derives.
@Suite struct DemoTests {
    @Test func bulkSearchKeysMatchTheModel() {
        var cache: [String: (String, String, String)] = [:]
        for i in [0, 17, 2_303, 2_304, 123_456, 999_999] {
            let c = Customer(orgID: UUID(), name: DemoData.customerName(i), phone: nil, ownerID: nil, departmentID: nil, createdBy: nil)
            c.mnemonic = Pinyin.mnemonic(c.name)
            let keys = DemoVolume.searchKeys(i, cache: &cache)
            #expect(keys.pinyin == c.pinyin && keys.mnemonic == c.mnemonic && keys.nameKey == c.nameKey, "\(i) \(c.name): \(keys) vs \(c.pinyin ?? "") \(c.mnemonic ?? "") \(c.nameKey ?? "")")
        }
    }

    @Test func sharesAddUp() {
        #expect((0..<7).map { DemoVolume.share(24, rows: 7, row: $0) }.reduce(0, +) == 24)
        #expect(DemoVolume.share(3, rows: 0, row: 0) == 0)
    }

    /// Every pooled SQLite connection gets the settings, not only the first one opened.
    @Test func everySQLiteConnectionIsTuned() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite else { return }
            var loops = 0
            for loop in app.eventLoopGroup.makeIterator() {
                let sql = app.databases.database(.sqlite, logger: app.logger, on: loop) as! any SQLDatabase
                let row = try await sql.raw("PRAGMA synchronous").first()
                #expect(try row?.decode(column: "synchronous", as: Int.self) == 1)
                loops += 1
            }
            #expect(loops >= 1)
        }
    }
}
