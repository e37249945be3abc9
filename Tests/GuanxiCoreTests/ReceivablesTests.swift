import Testing
@testable import GuanxiCore

@Suite struct ReceivablesTests {
    @Test func anEvenSplitAddsUpToTheFenAndRunsMonthly() {
        let plan = Receivables.split(10_000_001, count: 3, firstDue: "2026-01-31")
        #expect(plan.map(\.amount) == [3_333_334, 3_333_334, 3_333_333])
        #expect(plan.map(\.dueOn) == ["2026-01-31", "2026-02-28", "2026-03-31"])
        #expect(plan.reduce(0) { $0 + $1.amount } == 10_000_001)
        let many = Receivables.split(100, count: 24, firstDue: "2026-12-15")
        #expect(many.count == 24 && many.reduce(0) { $0 + $1.amount } == 100 && many.last?.dueOn == "2028-11-15")
        #expect(Receivables.split(100, count: 0, firstDue: "2026-01-01").isEmpty)
    }

    @Test func aPlanMustAddUpToTheTotal() {
        let ok = [Receivables.Instalment(dueOn: "2026-12-01", amount: 60), .init(dueOn: "2027-01-01", amount: 40)]
        #expect(Receivables.check(ok, total: 100) == nil)
        #expect(Receivables.check(ok, total: 101) == .sumMismatch(100))
        #expect(Receivables.check([], total: 0) == .empty)
        #expect(Receivables.check([.init(dueOn: "2026-02-30", amount: 1)], total: 1) == .badDate(0))
        #expect(Receivables.check([.init(dueOn: "2026-02-28", amount: 1), .init(dueOn: "2026-03-01", amount: 0)], total: 1) == .badAmount(1))
        #expect(Receivables.check(Receivables.split(121, count: 121, firstDue: "2026-01-01"), total: 121) == .tooMany)
    }

    @Test func statusAndAgeFollowTheDueDateAndWhatCameIn() {
        #expect(Receivables.status(amount: 100, received: 0, dueOn: "2026-12-01", today: "2026-11-24") == .pending)
        #expect(Receivables.status(amount: 100, received: 40, dueOn: "2026-12-01", today: "2026-11-24") == .partlyPaid)
        #expect(Receivables.status(amount: 100, received: 40, dueOn: "2026-11-01", today: "2026-11-24") == .overdue)
        #expect(Receivables.status(amount: 100, received: 100, dueOn: "2026-11-01", today: "2026-11-24") == .paid)
        #expect(Receivables.status(amount: 100, received: 0, dueOn: "2026-11-01", today: "2026-11-24", void: true) == .void)
        let today = "2026-11-24"
        #expect(Receivables.bucket(dueOn: "2026-11-24", today: today) == .notDue)
        #expect(Receivables.bucket(dueOn: "2026-11-23", today: today) == .days1to30)
        #expect(Receivables.bucket(dueOn: "2026-10-25", today: today) == .days1to30)
        #expect(Receivables.bucket(dueOn: "2026-10-24", today: today) == .days31to60)
        #expect(Receivables.bucket(dueOn: "2026-08-26", today: today) == .days61to90)
        #expect(Receivables.bucket(dueOn: "2026-08-25", today: today) == .over90)
        #expect(CalendarDate.days(from: "2024-02-28", to: "2024-03-01") == 2)
    }
}
