import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct StatsTests {
    /// The money tallies are counted in full. Judged from a sample (ANALYZE's limit of 1,000 entries gives
    /// "2523 1001 …" for these rows), the planner read a branch's year of collections on the 1M set as
    /// every tally of the organisation's date range, row by row, instead of the tallies of the manager's
    /// departments and their own from the indexes that hold the figures. Which plan a table this small
    /// gets is the planner's call; the bench shows the one on a large set.
    @Test func moneyTalliesAreCountedInFullSoAScopeReadsItsOwnTallies() async throws {
        try await withGuanxi { app, _ in
            guard app.db.isSQLite, let sql = app.db as? any SQLDatabase else { return }
            let w = try await World.build(app)
            // 3,000 tallies: 60 people in 12 departments (two of them the manager's tree) over 50 days.
            let departments = [w.departments["Sales"]!, w.departments["East"]!] + (0..<10).map { _ in UUID() }
            var values: [String] = []
            for person in 0..<60 {
                let owner = UUID(), department = departments[person % departments.count]
                for day in 0..<50 {
                    values.append("('\(w.orgID)', '2026-\(String(format: "%02d", 1 + day / 28))-\(String(format: "%02d", 1 + day % 28))', '\(owner)', '\(department)', 1, 100, 10, 50, 40, 0, 0)")
                }
            }
            for chunk in stride(from: 0, to: values.count, by: 500) {
                try await sql.raw("""
                    INSERT INTO money_days (org_id, day, owner_id, department_id, new_n, new_amount, margin, due, received, refunded, invoiced)
                    VALUES \(unsafeRaw: values[chunk..<min(chunk + 500, values.count)].joined(separator: ", "))
                    """).run()
            }
            try await DatabaseStatistics.refresh(on: app.db)
            struct Stat: Decodable { let stat: String }
            let stat = try await sql.raw("SELECT stat FROM sqlite_stat1 WHERE idx = 'money_days_department'").first(decoding: Stat.self)?.stat
            #expect(stat?.hasPrefix("3000 3000 ") == true, "\(stat ?? "none")")
            let manager = try await Actor.resolve(userID: w.users["manager"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let received = try await CollectionStats(db: app.db, actor: manager).run(from: "2026-01-01", to: "2026-12-31", by: .department).total.received
            #expect(received == 10 * 50 * 40)
        }
    }

    @Test func statisticsCountWithinScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            for (key, industry) in [("rep1", "it"), ("rep2", "it"), ("west", "trade"), ("lead", "it")] {
                let c = try await Customer.find(w.customers[key]!, on: app.db)!
                c.industry = industry
                try await c.save(on: app.db)
            }
            let range = "from=2020-01-01&to=2035-12-31"
            func actor(_ account: String) async throws -> Actor {
                try await Actor.resolve(userID: w.users[account]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            }
            let managerStats = CustomerStats(db: app.db, actor: try await actor("manager"))
            let byIndustry = try await managerStats.distribution(.industry)
            #expect(byIndustry.first == .init(key: "it", count: 3))
            #expect(byIndustry.contains(.init(key: "trade", count: 1)))
            let rep1Stats = CustomerStats(db: app.db, actor: try await actor("rep1"))
            #expect(try await rep1Stats.distribution(.industry) == [.init(key: "it", count: 1)])
            let from = Date(timeIntervalSince1970: 1_577_836_800), to = Date(timeIntervalSince1970: 2_082_758_400)
            for g in CustomerStats.Granularity.allCases {
                let trend = try await managerStats.newCustomers(g, from: from, to: to)
                #expect(trend.reduce(0) { $0 + $1.count } == World.visibility["manager"]!.count, "\(g)")
            }
            // Pool movements: one claim by rep1.
            let pooled = try await fillPool(app, w, 1)[0]
            _ = try await APIClient(app: app, token: World.token("rep1")).send(.POST, "/api/v1/customers/\(pooled)/claim")
            let moves = try await rep1Stats.poolMovements(.year, from: from, to: to)
            #expect(moves.claims.reduce(0) { $0 + $1.count } == 1 && moves.releases.isEmpty)

            // The page draws charts; the CSV needs the export right and is audited.
            let b = Browser(app)
            try await b.signIn("manager")
            let page = try await b.get("/customers/stats?period=month&\(range)")
            #expect(page.status == .ok && page.text.contains("<svg") && page.text.contains("互联网/软件"))
            let csv = try await b.get("/customers/stats.csv?dataset=industry&\(range)")
            #expect(csv.status == .ok && csv.text.contains("互联网/软件,3"))
            #expect(try await b.get("/customers/stats?period=century").status == .badRequest)
            #expect(try await b.get("/customers/stats?from=2024-02-30").status == .badRequest)
            let rep = Browser(app)
            try await rep.signIn("rep1")
            #expect(try await rep.get("/customers/stats.csv?dataset=industry").status == .forbidden)
            #expect(try await rep.get("/customers/stats").status == .ok)
        }
    }
}
