import Testing
@testable import GuanxiCore

@Suite struct PipelineTests {
    @Test func weightedAmountsRoundHalfUpToTheFen() {
        #expect(Pipeline.weighted(10_000, probability: 25) == 2_500)
        #expect(Pipeline.weighted(3, probability: 50) == 2)     // 1.5 fen → 2
        #expect(Pipeline.weighted(1, probability: 49) == 0)     // 0.49 fen → 0
        #expect(Pipeline.weighted(999, probability: 150) == 999) // probabilities are capped at 100
        #expect(Pipeline.weighted(999, probability: -5) == 0)
        #expect(Pipeline.percentOf(250) == 3 && Pipeline.percentOf(249) == 2 && Pipeline.percentOf(0) == 0)
    }

    @Test func aFunnelCountsWhatGotAtLeastThatFar() {
        let counts = [
            Pipeline.StageCount(stageID: "a", count: 5, amount: 500, weighted: 50),
            Pipeline.StageCount(stageID: "c", count: 2, amount: 200, weighted: 150),
            Pipeline.StageCount(stageID: "gone", count: 9, amount: 900, weighted: 0),
        ]
        let rows = Pipeline.funnel(stages: ["a", "b", "c"], counts: counts, won: 3)
        #expect(rows.map(\.stageID) == ["a", "b", "c"])
        #expect(rows.map(\.count) == [5, 0, 2])
        // in a or later, or won: 5+0+2+3 = 10; b or later: 5; c or later: 5
        #expect(rows.map(\.reached) == [10, 5, 5])
        #expect(rows.map(\.conversionPermille) == [1000, 500, 500])
        #expect(rows[2].amount == 200 && rows[2].weighted == 150 && rows[1].amount == 0)
        #expect(Pipeline.funnel(stages: ["a"], counts: [], won: 0).first?.conversionPermille == 0)
    }

    @Test func trendBucketsStartOnTheirFirstDay() {
        #expect(Pipeline.buckets(.month, from: "2026-01-15", to: "2026-04-02") == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"])
        // Weeks start on Monday: 2026-11-23 is a Monday.
        #expect(Pipeline.buckets(.week, from: "2026-11-25", to: "2026-12-07") == ["2026-11-23", "2026-11-30", "2026-12-07"])
        #expect(Pipeline.buckets(.day, from: "2026-02-27", to: "2026-03-01") == ["2026-02-27", "2026-02-28", "2026-03-01"])
        #expect(Pipeline.buckets(.day, from: "2026-03-02", to: "2026-03-01").isEmpty)
        #expect(Pipeline.buckets(.day, from: "2020-01-01", to: "2026-03-01", limit: 10).count == 10)
        #expect(Pipeline.buckets(.month, from: "bad", to: "2026-03-01").isEmpty)
    }

    @Test func closedOpportunitiesReopenBeforeChangingTheirResult() {
        #expect(OpportunityStatus.open.canMove(to: .won) && OpportunityStatus.open.canMove(to: .lost))
        #expect(OpportunityStatus.won.canMove(to: .open) && OpportunityStatus.lost.canMove(to: .open))
        #expect(!OpportunityStatus.won.canMove(to: .lost) && !OpportunityStatus.lost.canMove(to: .won))
        #expect(!OpportunityStatus.open.canMove(to: .open) && !OpportunityStatus.won.canMove(to: .won))
    }
}
