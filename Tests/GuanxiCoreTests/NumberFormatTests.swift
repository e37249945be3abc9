import Foundation
import Testing
@testable import GuanxiCore

@Suite struct NumberFormatTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    // 2026-11-23 17:30 UTC is already the 24th in Shanghai.
    let date = Date(timeIntervalSince1970: 1_795_455_000)

    @Test func formatsInTheOrganisationsTimeZone() {
        let f = NumberFormat(prefix: "KH", datePart: .yyyyMMdd, width: 4, reset: .daily, separator: "-")
        #expect(f.format(7, at: date, timeZone: shanghai) == "KH20261124-0007")
        #expect(f.period(at: date, timeZone: shanghai) == "20261124")
        #expect(f.period(at: date, timeZone: TimeZone(identifier: "UTC")!) == "20261123")
    }

    @Test func resetPeriods() {
        #expect(NumberFormat(prefix: "", reset: .never).period(at: date, timeZone: shanghai) == "all")
        #expect(NumberFormat(prefix: "", reset: .yearly).period(at: date, timeZone: shanghai) == "2026")
        #expect(NumberFormat(prefix: "", reset: .monthly).period(at: date, timeZone: shanghai) == "202611")
    }

    @Test func widthPadsButNeverTruncates() {
        let f = NumberFormat(prefix: "HT", datePart: .none, width: 3, reset: .never)
        #expect(f.format(5, at: date, timeZone: shanghai) == "HT005")
        #expect(f.format(12345, at: date, timeZone: shanghai) == "HT12345")
    }

    @Test func validation() {
        #expect(NumberFormat(prefix: "K H", width: 0, separator: "x").validate().messages.count == 3)
        #expect(NumberFormat(prefix: "KH").validate().isEmpty)
    }
}
