import Testing
@testable import GuanxiCore

@Suite struct QuoteMathTests {
    @Test func linesRoundOnceHalfUp() {
        let l = QuoteMath.line(quantity: 3, price: 333, discount: 1_000, taxRate: 1_300)
        // 999 gross, 10% off = 899.1 → 899, 13% tax = 116.87 → 117
        #expect(l.gross == 999 && l.net == 899 && l.tax == 117 && l.total == 1_016)
        #expect(l.effectiveUnitPrice == 300) // 333 × 0.9 = 299.7 → 300
        let free = QuoteMath.line(quantity: 5, price: 10_000, discount: 10_000, taxRate: 600)
        #expect(free.net == 0 && free.tax == 0)
        let plain = QuoteMath.line(quantity: 2, price: 720_000, discount: 0, taxRate: 0)
        #expect(plain.net == 1_440_000 && plain.tax == 0 && plain.effectiveUnitPrice == 720_000)
    }

    @Test func percentagesAsPeopleTypeThem() {
        #expect(QuoteMath.basisPoints("5") == 500 && QuoteMath.basisPoints("12.5") == 1_250 && QuoteMath.basisPoints("13%") == 1_300)
        #expect(QuoteMath.basisPoints("0.25") == 25 && QuoteMath.basisPoints("100") == 10_000)
        for bad in ["", "abc", "-1", "101", "1.234", "1.2.3", "５"] { #expect(QuoteMath.basisPoints(bad) == nil, "\(bad)") }
        #expect(QuoteMath.percent(1_300) == "13" && QuoteMath.percent(1_250) == "12.5" && QuoteMath.percent(25) == "0.25" && QuoteMath.percent(0) == "0")
    }
}
