import Testing
@testable import GuanxiCore

@Suite struct PlanPeriodTests {
    @Test func weeksStartOnMonday() {
        #expect(PlanPeriod.week.start(of: "2026-11-23") == "2026-11-23")  // a Monday
        #expect(PlanPeriod.week.start(of: "2026-11-29") == "2026-11-23")  // the Sunday after
        #expect(PlanPeriod.week.end(of: "2026-11-25") == "2026-11-29")
        #expect(PlanPeriod.week.start(of: "2027-01-01") == "2026-12-28")  // across the new year
    }

    @Test func monthsAndDays() {
        #expect(PlanPeriod.month.start(of: "2028-02-29") == "2028-02-01")
        #expect(PlanPeriod.month.end(of: "2028-02-10") == "2028-02-29")
        #expect(PlanPeriod.month.end(of: "2026-12-31") == "2026-12-31")
        #expect(PlanPeriod.day.start(of: "2026-11-23") == "2026-11-23")
        #expect(PlanPeriod.day.start(of: "2026-02-30") == nil)
        #expect(PlanPeriod.week.start(of: "nonsense") == nil)
    }

    @Test func movingByPeriods() {
        #expect(PlanPeriod.day.moving(-1, from: "2026-03-01") == "2026-02-28")
        #expect(PlanPeriod.week.moving(1, from: "2026-12-30") == "2027-01-04")
        #expect(PlanPeriod.month.moving(1, from: "2026-12-15") == "2027-01-01")
        #expect(PlanPeriod.month.moving(-2, from: "2026-01-31") == "2025-11-01")
        #expect(PlanPeriod.month.moving(0, from: "2026-01-31") == "2026-01-01")
    }

    @Test func completion() {
        #expect(planCompletion(done: 0, total: 0) == 0)
        #expect(planCompletion(done: 2, total: 3) == 66)
        #expect(planCompletion(done: 3, total: 3) == 100)
    }
}
