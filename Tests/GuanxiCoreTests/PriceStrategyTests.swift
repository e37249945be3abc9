import Foundation
import Testing
@testable import GuanxiCore

@Suite struct PriceStrategyTests {
    let east = UUID(), sales = UUID(), west = UUID()

    @Test func listPriceWhenNoRuleMatches() {
        let rules = [PriceRule(customerLevel: "vip", price: 800)]
        let got = PriceStrategy.price(rules: rules, listPrice: 1000, baseUnit: "台", context: PriceContext(unit: "台", customerLevel: "normal"))
        #expect(got?.price == 1000 && got?.source == .listPrice)
        // Asking in no unit at all means the base unit.
        #expect(PriceStrategy.price(rules: [], listPrice: 1000, baseUnit: "台", context: PriceContext())?.price == 1000)
        // Another unit has no list price: without a rule there is no price.
        #expect(PriceStrategy.price(rules: rules, listPrice: 1000, baseUnit: "台", context: PriceContext(unit: "箱")) == nil)
        #expect(PriceStrategy.price(rules: [], listPrice: nil, baseUnit: "台", context: PriceContext()) == nil)
    }

    @Test func theMostSpecificMatchWinsAndTheLowerPriceBreaksTies() {
        let rules = [
            PriceRule(price: 950),
            PriceRule(customerLevel: "vip", price: 900),
            PriceRule(unit: "箱", price: 9000),
            PriceRule(unit: "箱", customerLevel: "vip", price: 8500),
            PriceRule(customerCategory: "dealer", price: 880),
            PriceRule(customerCategory: "dealer", customerLevel: "vip", departmentID: east, price: 860),
        ]
        func price(_ c: PriceContext) -> Int64? { PriceStrategy.price(rules: rules, listPrice: 1000, baseUnit: "台", context: c)?.price }
        #expect(price(PriceContext(unit: "台", customerLevel: "normal")) == 950)          // only the catch-all matches
        #expect(price(PriceContext(unit: "台", customerLevel: "vip")) == 900)             // level beats the catch-all
        #expect(price(PriceContext(unit: "箱", customerLevel: "vip")) == 8500)            // unit and level beat either
        #expect(price(PriceContext(unit: "箱", customerLevel: "normal")) == 9000)
        // Level and category are equally specific: the lower price.
        #expect(price(PriceContext(customerCategory: "dealer", customerLevel: "vip")) == 880)
        // The department rule is the most specific, and a branch's rule covers its teams (ancestors passed in).
        #expect(price(PriceContext(customerCategory: "dealer", customerLevel: "vip", departmentIDs: [east, sales])) == 860)
        #expect(price(PriceContext(customerCategory: "dealer", customerLevel: "vip", departmentIDs: [west, sales])) == 880)
    }

    @Test func aRuleForTheBranchCoversItsTeams() {
        let rules = [PriceRule(departmentID: sales, price: 700)]
        #expect(PriceStrategy.price(rules: rules, listPrice: 1000, baseUnit: nil, context: PriceContext(departmentIDs: [east, sales]))?.price == 700)
        #expect(PriceStrategy.price(rules: rules, listPrice: 1000, baseUnit: nil, context: PriceContext(departmentIDs: [west]))?.price == 1000)
    }

    @Test func floorPricePolicy() {
        #expect(PriceStrategy.checkFloor(price: 500, floor: 600, policy: .block) == .blocked)
        #expect(PriceStrategy.checkFloor(price: 500, floor: 600, policy: .flag) == .flagged)
        #expect(PriceStrategy.checkFloor(price: 600, floor: 600, policy: .block) == .ok)
        #expect(PriceStrategy.checkFloor(price: 1, floor: nil, policy: .block) == .ok)
    }
}
