import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct BasicDataTests {
    @Test func dictionaryOptionsAreEditablePerOrganisation() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let page = try await b.get("/admin/dictionary?kind=industry")
            #expect(page.status == .ok)
            #expect(page.text.contains("制造业"))
            #expect(try await b.post("/admin/dictionary/industry", [("label", "新能源"), ("labelEn", "New energy"), ("color", "#16a34a")]).status == .seeOther)
            let dup = try await b.post("/admin/dictionary/industry", [("label", "新能源")])
            #expect(dup.status == .unprocessableEntity)
            #expect(try await b.post("/admin/dictionary/industry", [("label", "X"), ("color", "red; background:url(x)")]).status == .unprocessableEntity)
            let option = try await DictionaryOption.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$label == "新能源").first()!
            // Rename, disable, move up.
            #expect(try await b.post("/admin/dictionary/options/\(option.id!)", [("label", "新能源汽车"), ("labelEn", "EV"), ("color", "")]).status == .seeOther)
            let renamed = try await DictionaryOption.find(option.id!, on: app.db)!
            #expect(renamed.label == "新能源汽车" && !renamed.isActive && renamed.value == option.value)
            let before = try await DictionaryOption.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$kind == "industry").sort(\.$sortOrder).all()
            #expect(try await b.post("/admin/dictionary/options/\(option.id!)/up").status == .seeOther)
            let after = try await DictionaryOption.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$kind == "industry").sort(\.$sortOrder).all()
            #expect(after.firstIndex { $0.id == option.id } == before.firstIndex { $0.id == option.id }! - 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == option.id!).count() >= 2)
            // Another organisation's list is untouched and unreachable.
            #expect(try await DictionaryOption.query(on: app.db).filter(\.$orgID == w.otherOrgID).filter(\.$label == "新能源").count() == 0)
            let outsider = Browser(app)
            try await outsider.signIn("outsider")
            #expect(try await outsider.post("/admin/dictionary/options/\(option.id!)", [("label", "hijack")]).status == .notFound)
            // Reps may not edit the dictionary.
            let rep = Browser(app)
            try await rep.signIn("rep1")
            #expect(try await rep.post("/admin/dictionary/industry", [("label", "偷加")]).status == .forbidden)
        }
    }

    @Test func regionsFormATree() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            let guangdong = try await Region.query(on: app.db).filter(\.$orgID == w.orgID).filter(\.$name == "广东").first()!
            #expect(try await b.post("/admin/regions", [("name", "深圳"), ("parentID", guangdong.id!.uuidString)]).status == .seeOther)
            let shenzhen = try await Region.query(on: app.db).filter(\.$name == "深圳").first()!
            #expect(try await b.post("/admin/regions", [("name", "南山区"), ("parentID", shenzhen.id!.uuidString)]).status == .seeOther)
            #expect(try await b.post("/admin/regions/\(shenzhen.id!)", [("name", "深圳市")]).status == .seeOther)
            #expect(try await b.post("/admin/regions/\(shenzhen.id!)", [("name", "")]).status == .unprocessableEntity)
            let actor = try await Actor.resolve(userID: w.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let paths = try await RegionService(db: app.db, actor: actor, now: Date()).paths()
            #expect(paths.values.contains("中国 / 广东 / 深圳市 / 南山区"))
            let page = try await b.get("/admin/regions")
            #expect(page.text.contains("南山区"))
        }
    }

    @Test func numberingRulesAndConcurrentNumbers() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.post("/admin/numbering/customer", [("prefix", "C"), ("datePart", "yyyy"), ("separator", "-"), ("width", "3"), ("reset", "yearly")]).status == .seeOther)
            #expect(try await b.post("/admin/numbering/customer", [("prefix", "C C"), ("datePart", "yyyy"), ("separator", "x"), ("width", "0"), ("reset", "yearly")]).status == .unprocessableEntity)
            let tz = TimeZone(identifier: "Asia/Shanghai")!
            let orgID = w.orgID
            let now = clock.now
            // 200 documents drawing numbers at once: every number distinct, none skipped.
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await app.db.writeTransaction { tx in
                            try await Numbering.next(.customer, orgID: orgID, timeZone: tz, now: now, on: tx)
                        }
                    }
                }
                var all: [String] = []
                for try await n in group { all.append(n) }
                return all
            }
            #expect(Set(numbers).count == 200)
            let year = NumberFormat(prefix: "", datePart: .yyyy, width: 1, reset: .never).format(0, at: now, timeZone: tz).dropLast()
            #expect(numbers.contains("C\(year)-001") && numbers.contains("C\(year)-200"))
            // The other organisation has its own counter.
            let other = try await app.db.writeTransaction { tx in try await Numbering.next(.customer, orgID: w.otherOrgID, timeZone: tz, now: now, on: tx) }
            #expect(other.hasSuffix("00001"))
        }
    }
}
