import Foundation
import Testing
@testable import GuanxiCore

@Suite struct CollectionsTests {
    let a = UUID(), b = UUID(), c = UUID()

    @Test func aPaymentFillsTheEarliestInstalmentsFirstAndKeepsTheRest() {
        let open = [Collections.Open(id: a, owed: 300), .init(id: b, owed: 500), .init(id: c, owed: 200)]
        #expect(Collections.allocate(650, to: open) == [.init(receivableID: a, amount: 300), .init(receivableID: b, amount: 350)])
        let all = Collections.allocate(1_500, to: open)
        #expect(all.reduce(0) { $0 + $1.amount } == 1_000)
        #expect(Collections.allocate(0, to: open).isEmpty)
        #expect(Collections.allocate(100, to: [.init(id: a, owed: 0), .init(id: b, owed: 50)]) == [.init(receivableID: b, amount: 50)])
    }

    @Test func manualAllocationsAreChecked() {
        let open = [Collections.Open(id: a, owed: 300), .init(id: b, owed: 500)]
        #expect(Collections.check([.init(receivableID: a, amount: 300), .init(receivableID: b, amount: 1)], available: 301, open: open) == nil)
        #expect(Collections.check([.init(receivableID: a, amount: 0)], available: 301, open: open) == .badAmount(0))
        #expect(Collections.check([.init(receivableID: c, amount: 1)], available: 301, open: open) == .unknown(0))
        #expect(Collections.check([.init(receivableID: a, amount: 1), .init(receivableID: a, amount: 1)], available: 301, open: open) == .duplicate(1))
        #expect(Collections.check([.init(receivableID: a, amount: 301)], available: 1_000, open: open) == .exceedsOwed(0))
        #expect(Collections.check([.init(receivableID: a, amount: 300), .init(receivableID: b, amount: 2)], available: 301, open: open) == .exceedsAvailable(302))
    }

    @Test func refundsDrawOnPrepaymentsOldestFirstOrNotAtAll() {
        #expect(Collections.draw(120, from: [(a, 100), (b, 50)]) == [.init(receivableID: a, amount: 100), .init(receivableID: b, amount: 20)])
        #expect(Collections.draw(151, from: [(a, 100), (b, 50)]) == nil)
    }

    @Test func taxNumbersAndCredit() {
        #expect(Collections.isTaxNumber("91310000MA1FL3XK2B"))
        #expect(Collections.isTaxNumber("110105123456789"))
        #expect(!Collections.isTaxNumber("91310000ma1fl3xk2b"))
        #expect(!Collections.isTaxNumber("9131000"))
        #expect(!Collections.isTaxNumber("91310000MA1FL3XK2Ｂ"))
        #expect(Collections.withinCredit(limit: nil, open: 1_000, adding: 1_000_000))
        #expect(Collections.withinCredit(limit: 0, open: 1_000, adding: 1))
        #expect(Collections.withinCredit(limit: 1_000, open: 400, adding: 600))
        #expect(!Collections.withinCredit(limit: 1_000, open: 400, adding: 601))
    }

    @Test func amountsInChineseCapitals() {
        #expect(Money.chineseUpper(1_234_567) == "壹万贰仟叁佰肆拾伍元陆角柒分")
        #expect(Money.chineseUpper(10_000) == "壹佰元整")
        #expect(Money.chineseUpper(0) == "零元整")
        #expect(Money.chineseUpper(5) == "伍分")
        #expect(Money.chineseUpper(1_000_005) == "壹万元零伍分")
        #expect(Money.chineseUpper(101_000) == "壹仟零壹拾元整")
        #expect(Money.chineseUpper(1_001_000) == "壹万零壹拾元整")
        #expect(Money.chineseUpper(10_000_000_100) == "壹亿零壹元整")
        #expect(Money.chineseUpper(100_000_000) == "壹佰万元整")
        #expect(Money.chineseUpper(120_050) == "壹仟贰佰元伍角整")
        #expect(Money.chineseUpper(100_010_000) == "壹佰万零壹佰元整")
    }
}
