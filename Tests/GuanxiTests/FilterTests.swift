import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct FilterTests {
    @Test func advancedFiltersAndSavedFilters() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            for (key, industry, limit) in [("rep1", "it", Int64(500_000)), ("rep2", "it", Int64(5_000_000)), ("lead", "trade", Int64(9_000_000))] {
                let c = try await Customer.find(w.customers[key]!, on: app.db)!
                c.industry = industry
                c.creditLimit = limit
                try await c.save(on: app.db)
            }
            let lead = APIClient(app: app, token: World.token("lead"))
            func keys(_ query: String) async throws -> Set<String> {
                Set(try await lead.get("/api/v1/customers?\(query)").json(CustomerPageJSON.self).items.compactMap { w.key(of: $0.id) })
            }
            #expect(try await keys("ff[]=industry&fo[]=eq&fv[]=it") == ["rep1", "rep2"])
            let byLabel = try await lead.get("/api/v1/customers?ff[]=industry&fo[]=eq&fv[]=\(URLQuery.encode("批发零售"))")
            #expect(Set(try byLabel.json(CustomerPageJSON.self).items.compactMap { w.key(of: $0.id) }) == ["lead"], "by label too: \(byLabel.status) \(byLabel.text.prefix(200))")
            #expect(try await keys("ff[]=industry&fo[]=eq&fv[]=it&ff[]=creditLimit&fo[]=gte&fv[]=10000") == ["rep2"])
            #expect(try await keys("ff[]=industry&fo[]=eq&fv[]=trade&ff[]=creditLimit&fo[]=lte&fv[]=5000&join=or") == ["rep1", "lead"])
            #expect(try await keys("ff[]=industry&fo[]=empty&fv[]=") == [])
            #expect(try await keys("ff[]=name&fo[]=contains&fv[]=rep") == ["rep1", "rep2"])
            #expect(try await keys("ff[]=owner&fo[]=eq&fv[]=\(w.users["rep2"]!)") == ["rep2"])
            // Wrong fields, operators or values are refused, never ignored.
            #expect(try await lead.get("/api/v1/customers?ff[]=password&fo[]=eq&fv[]=x").status == .badRequest)
            #expect(try await lead.get("/api/v1/customers?ff[]=industry&fo[]=like&fv[]=x").status == .badRequest)
            #expect(try await lead.get("/api/v1/customers?ff[]=creditLimit&fo[]=gte&fv[]=lots").status == .badRequest)
            // A hidden field cannot be filtered on (it would reveal its value).
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.get("/api/v1/customers?ff[]=notes&fo[]=contains&fv[]=rep1").status == .badRequest)
            // Saving a filter and finding it on the list again.
            let b = Browser(app)
            try await b.signIn("lead")
            let query = "ff[]=industry&fo[]=eq&fv[]=it"
            let page = try await b.get("/customers?\(query)")
            #expect(page.text.contains("高级筛选 (1)"))
            #expect(try await b.post("/customers/filters", [("name", "软件客户"), ("query", query)]).status == .seeOther)
            let list = try await b.get("/customers")
            #expect(list.text.contains("软件客户"))
        }
    }
}

@Suite struct GroupByTests {
    @Test func groupCountsFollowScopeAndFilters() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            for (key, level) in [("rep1", "a"), ("rep2", "a"), ("lead", "b"), ("west", "a")] {
                let c = try await Customer.find(w.customers[key]!, on: app.db)!
                c.level = level
                try await c.save(on: app.db)
            }
            let actor = try await Actor.resolve(userID: w.users["lead"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let svc = CustomerService(db: app.db, actor: actor, now: Date())
            let counts = try await svc.groupCounts(.init(), field: "level")
            #expect(counts.first { $0.value == "a" }?.count == 2 && counts.first { $0.value == "b" }?.count == 1)
            var q = CustomerService.ListQuery()
            q.q = "rep1"
            #expect(try await svc.groupCounts(q, field: "level").map(\.count) == [1])
            await #expect(throws: AppError.self) { _ = try await svc.groupCounts(.init(), field: "name") }
            let b = Browser(app)
            try await b.signIn("lead")
            let page = try await b.get("/customers?group=level")
            #expect(page.text.contains("group-chip") && page.text.contains("A 重点客户"))
        }
    }
}
