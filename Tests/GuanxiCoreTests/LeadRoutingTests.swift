import Testing
@testable import GuanxiCore

@Suite struct LeadRoutingTests {
    let rules = [
        LeadRouting.Rule(id: "web", source: "web", regionID: nil, users: ["a", "b", "c"], turn: 0),
        LeadRouting.Rule(id: "north", source: nil, regionID: "beijing", users: ["d"], turn: 7),
        LeadRouting.Rule(id: "empty", source: nil, regionID: nil, users: [], turn: 0),
        LeadRouting.Rule(id: "rest", source: nil, regionID: nil, users: ["e", "f"], turn: 3),
    ]

    @Test func theFirstMatchingRuleDecides() {
        #expect(LeadRouting.pick(rules, source: "web", regionPath: ["beijing", "china"]) == .init(ruleID: "web", userID: "a"))
        #expect(LeadRouting.pick(rules, source: "call", regionPath: ["haidian", "beijing", "china"]) == .init(ruleID: "north", userID: "d"))
        // a rule without people never takes a lead; the catch-all does, in turn
        #expect(LeadRouting.pick(rules, source: "call", regionPath: ["shanghai"]) == .init(ruleID: "rest", userID: "f"))
        #expect(LeadRouting.pick(rules, source: nil, regionPath: []) == .init(ruleID: "rest", userID: "f"))
        #expect(LeadRouting.pick(Array(rules.prefix(3)), source: "call", regionPath: []) == nil)
    }

    @Test func roundRobinGoesThroughThePeopleInOrder() {
        let picks = (0..<7).map { turn in
            LeadRouting.pick([.init(id: "r", source: nil, regionID: nil, users: ["a", "b", "c"], turn: turn)], source: nil, regionPath: [])!.userID
        }
        #expect(picks == ["a", "b", "c", "a", "b", "c", "a"])
        #expect(LeadRouting.pick([.init(id: "r", source: nil, regionID: nil, users: ["a", "b"], turn: -1)], source: nil, regionPath: [])?.userID == "b")
    }

    @Test func aRateWindowCountsPerKeyAndStartsAgain() {
        var w = RateWindow(window: 60)
        var first: [Bool] = []
        for _ in 0..<5 { first.append(w.allow("1.2.3.4", limit: 3, now: 100)) }
        #expect(first == [true, true, true, false, false])
        let other = w.allow("5.6.7.8", limit: 3, now: 101)
        let sameWindow = w.allow("1.2.3.4", limit: 3, now: 159)
        let nextWindow = w.allow("1.2.3.4", limit: 3, now: 160)
        #expect(other && !sameWindow && nextWindow)
    }

    @Test func onlyOpenStatusesAreEditable() {
        #expect(!LeadStatus.editable.contains(.converted))
        #expect(LeadStatus.allCases.count == LeadStatus.editable.count + 1)
    }
}
