import Foundation
import Testing
@testable import GuanxiCore

@Suite struct ValidationTests {
    @Test func requiredAndLength() {
        var e = FieldErrors()
        #expect(Check.required("  ", "name", max: 5, into: &e) == "")
        #expect(e["name"] == "error.required")
        var e2 = FieldErrors()
        _ = Check.required("abcdef", "name", max: 5, into: &e2)
        #expect(e2["name"] == "error.tooLong")
    }

    @Test func trimmingIsFoundationsWhitespaceAndNewlines() {
        for text in ["", " ", "a", " a ", "\t\n北京\r\n", "\u{3000}全角空格\u{3000}", "\u{00A0}x\u{2029}", "a b", "\u{85}\u{2028} \u{200A}", "e\u{301} ", " \u{301}e"] {
            #expect(Check.trim(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func phones() {
        var e = FieldErrors()
        #expect(Check.phone("+86 (010) 6234-5678", "p", into: &e) != nil)
        #expect(e.isEmpty)
        _ = Check.phone("call me", "p", into: &e)
        #expect(e["p"] == "error.phone")
        #expect(Check.digits("+86 138-1234") == "861381234")
    }

    @Test func accountsAndPasswords() {
        var e = FieldErrors()
        #expect(Check.account(" Li.Na ", "a", into: &e) == "li.na")
        #expect(e.isEmpty)
        _ = Check.account("张三", "a", into: &e)
        #expect(e["a"] == "error.account")
        var p = FieldErrors()
        _ = Check.password("short1", "pw", into: &p)
        #expect(p["pw"] == "error.password")
        var ok = FieldErrors()
        _ = Check.password("longer123", "pw", into: &ok)
        #expect(ok.isEmpty)
    }

    @Test func emails() {
        var e = FieldErrors()
        _ = Check.email("a@b.cn", "m", into: &e)
        #expect(e.isEmpty)
        _ = Check.email("a@b", "m", into: &e)
        #expect(e["m"] == "error.email")
    }
}

@Suite struct CursorTests {
    @Test func roundTripsAndRejectsGarbage() {
        let c = PageCursor(value: "北京新能源", id: UUID().uuidString)
        #expect(PageCursor(token: c.token) == c)
        #expect(PageCursor(token: "not a cursor") == nil)
        #expect(!c.token.contains("+") && !c.token.contains("/") && !c.token.contains("="))
    }
}

@Suite struct LocaleTests {
    @Test func acceptLanguage() {
        #expect(AppLocale.from(acceptLanguage: "en-US,en;q=0.9") == .en)
        #expect(AppLocale.from(acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8") == .zhHans)
        #expect(AppLocale.from(acceptLanguage: "fr-FR, en;q=0.5") == .en)
        #expect(AppLocale.from(acceptLanguage: "en;q=0.2, zh-TW;q=0.8") == .zhHans)
        #expect(AppLocale.from(acceptLanguage: nil) == .zhHans)
    }

    @Test func moneyIsFormattedFromFen() {
        #expect(AppLocale.zhHans.money(1_234_567) == "12,345.67")
        #expect(AppLocale.en.money(-5) == "-0.05")
        #expect(AppLocale.en.money(100, decimals: 0) == "100")
    }

    @Test func translatorFillsPlaceholders() {
        #expect(Translator(.en)("home.hello", "Li") == "Hello, Li")
        #expect(Translator(.zhHans)("home.hello", "李娜") == "李娜，你好")
        // Every phrase fills as replacing each placeholder in turn did.
        let args = ["李娜", "Acme & Co", "3", "2026-11-24", "¥1,200.00"]
        for locale in [AppLocale.zhHans, .en] {
            let t = Translator(locale)
            for key in Strings.table.keys {
                var expected = t(key)
                for (i, arg) in args.enumerated() { expected = expected.replacingOccurrences(of: "{\(i)}", with: arg) }
                #expect(t(key, args[0], args[1], args[2], args[3], args[4]) == expected, "\(key)")
            }
        }
        // A placeholder without an argument stays; an argument is not read for placeholders.
        #expect(Translator(.en)("home.hello") == "Hello, {0}")
        #expect(Translator(.en)("home.hello", "{0}{1}", "x") == "Hello, {0}{1}")
    }
}

@Suite struct UUIDv7Tests {
    @Test func versionBitsAndTimeOrder() {
        let a = UUID.v7(at: Date(timeIntervalSince1970: 1_700_000_000))
        let b = UUID.v7(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(a.uuidString < b.uuidString)
        let s = a.uuidString
        #expect(s[s.index(s.startIndex, offsetBy: 14)] == "7")
    }
}

@Suite struct MoneyTests {
    @Test func parsesWhatPeopleType() {
        #expect(Money.parse("12,345.67") == 1_234_567)
        #expect(Money.parse("100") == 10_000)
        #expect(Money.parse("0.5") == 50)
        #expect(Money.parse("1.234") == nil)
        #expect(Money.parse("-5") == nil)
        #expect(Money.parse("1e5") == nil)
        #expect(Money.parse("") == nil)
        #expect(Money.parse("5.") == nil)
        #expect(Money.parse("99999999999999999999") == nil)
        #expect(Money.parse("7", decimals: 0) == 7)
    }

    @Test func plainRoundTrips() {
        #expect(Money.plain(1_234_567) == "12345.67")
        #expect(Money.plain(5) == "0.05")
        #expect(Money.parse(Money.plain(987_654_321)) == 987_654_321)
    }

    @Test func calendarDates() {
        #expect(CalendarDate.isValid("2024-02-29"))
        #expect(!CalendarDate.isValid("2023-02-29"))
        #expect(!CalendarDate.isValid("2024-13-01"))
        #expect(!CalendarDate.isValid("24-01-01"))
    }
}

@Suite struct CaseConversionTests {
    @Test func snakeCase() {
        #expect(CaseConversion.snake("creditLimit") == "credit_limit")
        #expect(CaseConversion.snake("regionID") == "region_id")
        #expect(CaseConversion.snake("settlementCustomerID") == "settlement_customer_id")
        #expect(CaseConversion.snake("name") == "name")
    }
}

@Suite struct DashboardLayoutTests {
    @Test func layoutsParseAndChange() {
        #expect(DashboardLayout.parse(nil) == DashboardLayout.defaults)
        #expect(DashboardLayout.parse("") == [])
        #expect(DashboardLayout.parse("hot,bogus,hot,due") == ["hot", "due"])
        let list = ["numbers", "due", "hot"]
        #expect(DashboardLayout.move("hot", up: true, in: list) == ["numbers", "hot", "due"])
        #expect(DashboardLayout.move("numbers", up: true, in: list) == list)
        #expect(DashboardLayout.move("hot", up: false, in: list) == list)
        #expect(DashboardLayout.add("chart", to: list) == list + ["chart"])
        #expect(DashboardLayout.add("hot", to: list) == list && DashboardLayout.add("x", to: list) == list)
        #expect(DashboardLayout.remove("due", from: list) == ["numbers", "hot"])
        #expect(DashboardLayout.validate(["chart", "due"]) && !DashboardLayout.validate(["due", "due"]) && !DashboardLayout.validate(["x"]))
    }
}

@Suite struct BirthdayTests {
    @Test func upcomingDaysWrapTheYearAndKeepLeapBirthdays() {
        #expect(Birthdays.upcoming(today: "2026-12-30", daysAhead: 3).map(\.monthDay) == ["12-30", "12-31", "01-01", "01-02"])
        #expect(Birthdays.upcoming(today: "2026-12-30", daysAhead: 3).last?.date == "2027-01-02")
        let feb = Birthdays.upcoming(today: "2027-02-27", daysAhead: 2)
        #expect(feb.map(\.monthDay) == ["02-27", "02-28", "02-29", "03-01"] && feb[2].date == "2027-02-28")
        #expect(Birthdays.upcoming(today: "2028-02-28", daysAhead: 1).map(\.monthDay) == ["02-28", "02-29"])
        #expect(Birthdays.upcoming(today: "2026-05-01", daysAhead: 0).count == 1)
    }
}

@Suite struct TaskRuleTests {
    @Test func statusMovesAndOverdue() {
        #expect(TaskStatus.open.canMove(to: .inProgress) && TaskStatus.inProgress.canMove(to: .done) && TaskStatus.done.canMove(to: .open))
        #expect(!TaskStatus.done.canMove(to: .inProgress) && !TaskStatus.cancelled.canMove(to: .done) && !TaskStatus.open.canMove(to: .open))
        #expect(TaskStatus.open.isOverdue(dueOn: "2026-11-22", today: "2026-11-23"))
        #expect(!TaskStatus.open.isOverdue(dueOn: "2026-11-23", today: "2026-11-23"))
        #expect(!TaskStatus.done.isOverdue(dueOn: "2026-01-01", today: "2026-11-23") && !TaskStatus.open.isOverdue(dueOn: nil, today: "2026-11-23"))
    }
}

@Suite struct CalendarGridTests {
    @Test func weeksStartOnMondayAndMonthsFillSixWeeks() {
        #expect(CalendarGrid.weekday("2026-11-23") == 1 && CalendarGrid.weekday("2026-11-29") == 7)
        #expect(CalendarGrid.days(.week, around: "2026-11-26") == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"])
        let month = CalendarGrid.days(.month, around: "2026-11-15")
        #expect(month.count == 42 && month.first == "2026-10-26" && month.contains("2026-11-30"))
        #expect(CalendarGrid.shift("2026-12-15", .month, by: 1) == "2027-01-01" && CalendarGrid.shift("2026-01-15", .month, by: -1) == "2025-12-01")
        #expect(CalendarGrid.shift("2026-11-23", .week, by: -1) == "2026-11-16" && CalendarGrid.days(.day, around: "2026-11-23") == ["2026-11-23"])
    }
}
