import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct StatsTests {
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
