import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import Guanxi

/// Readers of one organisation share its choices and names while its access stamp stands still;
/// a change to any of them moves the stamp (a trigger), so the next page shows it, on every node.
@Suite struct OrgShelfTests {
    @Test func aCopyServesItsStampOnlyAndAnOlderReaderNeverReplacesANewerCopy() async throws {
        let shelf = OrgShelf()
        let org = UUID()
        let loads = NIOLockedValueBox(0)
        func read(_ version: Int64, _ value: String) async -> String {
            await shelf.value(org: org, version: version, key: "k") { loads.withLockedValue { $0 += 1 }; return value }
        }
        #expect(await read(1, "one") == "one")
        #expect(await read(1, "again") == "one")
        #expect(loads.withLockedValue { $0 } == 1)
        #expect(await read(2, "two") == "two")
        // A request that read the older stamp loads for itself and leaves the newer copy in place.
        #expect(await read(1, "late") == "late")
        #expect(await read(2, "x") == "two")
        #expect(loads.withLockedValue { $0 } == 3)
        // Another organisation has its own copies.
        #expect(await shelf.value(org: UUID(), version: 2, key: "k") { "theirs" } == "theirs")
    }

    @Test func readingRequestsShareOnlyWhenTheActorKnowsItsStamp() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            var actor = try await Actor.resolve(userID: w.users["rep1"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let shelf = OrgShelf()
            #expect(actor.serving(.GET, shelf: shelf).memo?.shared == nil)
            actor.accessVersion = 4
            #expect(actor.serving(.GET, shelf: shelf).memo?.shared?.version == 4)
            #expect(actor.serving(.POST, shelf: shelf).memo == nil)
        }
    }

    @Test func aChangedOptionRegionOrNameShowsOnTheNextPage() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let region = try await Region.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$name == "广东").first()!
            let customer = try await Customer.find(w.customers["rep1"]!, on: app.db)!
            customer.level = "a"
            customer.regionID = region.id
            try await customer.save(on: app.db)
            let b = Browser(app)
            try await b.signIn("rep1")
            let path = "/customers/\(customer.id!)"
            let before = try await b.get(path).text
            #expect(before.contains("A 重点客户") && before.contains("广东") && before.contains("Rep1"))
            let again = try await b.get(path).text
            #expect(again.contains("A 重点客户"))

            // One change at a time: each table moves the stamp on its own.
            let option = try await DictionaryOption.query(on: app.db).filter(\.$orgID == w.orgID)
                .filter(\.$kind == "level").filter(\.$value == "a").first()!
            option.label = "A 战略客户"
            try await option.save(on: app.db)
            let relabelled = try await b.get(path).text
            #expect(relabelled.contains("A 战略客户") && !relabelled.contains("A 重点客户"))

            region.name = "广东省"
            try await region.save(on: app.db)
            #expect(try await b.get(path).text.contains("广东省"))

            let rep = try await User.find(w.users["rep1"]!, on: app.db)!
            rep.name = "王小明"
            try await rep.save(on: app.db)
            #expect(try await b.get(path).text.contains("王小明"))

            // Follow-up templates (offered on the 360 view) are shared and move the stamp too.
            let template = FollowUpTemplate(orgID: w.orgID, name: "首次电话模板", method: "phone", content: "您好，我是……")
            try await template.create(on: app.db)
            #expect(try await b.get(path).text.contains("首次电话模板"))
            template.name = "回访电话模板"
            try await template.save(on: app.db)
            let renamed = try await b.get(path).text
            #expect(renamed.contains("回访电话模板") && !renamed.contains("首次电话模板"))
        }
    }
}
