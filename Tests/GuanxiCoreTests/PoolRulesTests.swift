import Foundation
import Testing
@testable import GuanxiCore

@Suite struct PoolRulesTests {
    let day: TimeInterval = 86_400
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func notContactedAfterClaim() {
        let rule = RecycleRule(notContactedDays: 7, warnDays: 2)
        let facts = Recycling.Facts(claimedAt: t0, lastContactedAt: nil, lastDealAt: nil)
        #expect(Recycling.verdict(rule, facts, now: t0.addingTimeInterval(4 * day)) == .keep)
        #expect(Recycling.verdict(rule, facts, now: t0.addingTimeInterval(5 * day)) == .warn(due: t0.addingTimeInterval(7 * day)))
        #expect(Recycling.verdict(rule, facts, now: t0.addingTimeInterval(7 * day)) == .recycle)
        // A contact after the claim stops this rule.
        let contacted = Recycling.Facts(claimedAt: t0, lastContactedAt: t0.addingTimeInterval(day), lastDealAt: nil)
        #expect(Recycling.verdict(rule, contacted, now: t0.addingTimeInterval(30 * day)) == .keep)
    }

    @Test func noFollowUpCountsFromTheLastContact() {
        let rule = RecycleRule(noFollowUpDays: 30, warnDays: 5)
        let f = Recycling.Facts(claimedAt: t0, lastContactedAt: t0.addingTimeInterval(10 * day), lastDealAt: nil)
        #expect(Recycling.dueDate(rule, f) == t0.addingTimeInterval(40 * day))
    }

    @Test func earliestRuleWinsAndDealsStopTheDealRule() {
        let rule = RecycleRule(notContactedDays: 10, noDealDays: 5)
        #expect(Recycling.dueDate(rule, .init(claimedAt: t0, lastContactedAt: nil, lastDealAt: nil)) == t0.addingTimeInterval(5 * day))
        #expect(Recycling.dueDate(rule, .init(claimedAt: t0, lastContactedAt: nil, lastDealAt: t0.addingTimeInterval(day))) == t0.addingTimeInterval(10 * day))
        #expect(Recycling.dueDate(RecycleRule(), .init(claimedAt: t0, lastContactedAt: nil, lastDealAt: nil)) == nil)
    }

    @Test func levelOverrides() {
        let s = PoolSettings(recycle: RecycleRule(noFollowUpDays: 30), recycleByLevel: ["a": RecycleRule(noFollowUpDays: 90)])
        #expect(s.rule(forLevel: "a").noFollowUpDays == 90)
        #expect(s.rule(forLevel: "b").noFollowUpDays == 30)
        #expect(s.rule(forLevel: nil).noFollowUpDays == 30)
    }

    @Test func ownershipCaps() {
        let p = ProtectionPolicy(maxCustomers: 3, maxByLevel: ["a": 1])
        #expect(p.allowsOneMore(owned: 2, level: "b", ownedAtLevel: 0))
        #expect(!p.allowsOneMore(owned: 3, level: "b", ownedAtLevel: 0))
        #expect(!p.allowsOneMore(owned: 1, level: "a", ownedAtLevel: 1))
        #expect(p.room(owned: 1) == 2)
        #expect(ProtectionPolicy().room(owned: 100) == nil)
    }
}

@Suite struct RelationLayoutTests {
    @Test func bossesOnTopChildrenUnderTheirBoss() {
        // ceo ← cto ← dev, ceo ← cfo; guest has no boss.
        let p = RelationLayout.place(["dev", "guest", "cfo", "ceo", "cto"], reportsTo: ["cto": "ceo", "dev": "cto", "cfo": "ceo"])
        #expect(p["ceo"] == .init(level: 0, column: 1) && p["guest"] == .init(level: 0, column: 0))
        #expect(p["cfo"]?.level == 1 && p["cto"]?.level == 1 && p["dev"] == .init(level: 2, column: 0))
    }

    @Test func cyclesAndStrangersDoNotLoop() {
        let p = RelationLayout.place(["a", "b"], reportsTo: ["a": "b", "b": "a", "c": "a"])
        #expect(p.count == 2 && p.values.allSatisfy { $0.level < 3 })
        #expect(RelationLayout.wouldCycle(from: "ceo", to: "dev", reportsTo: ["dev": "cto", "cto": "ceo"]))
        #expect(!RelationLayout.wouldCycle(from: "dev2", to: "cto", reportsTo: ["dev": "cto", "cto": "ceo"]))
        #expect(RelationLayout.wouldCycle(from: "a", to: "a", reportsTo: [:]))
    }
}
