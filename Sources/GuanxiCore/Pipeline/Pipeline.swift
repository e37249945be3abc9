import Foundation

/// Where an opportunity (商机, OPP-01) stands: still being worked through the stages, or closed.
public enum OpportunityStatus: String, Codable, CaseIterable, Sendable {
    case open, won, lost

    public var labelKey: String { "opportunityStatus.\(rawValue)" }
    public var isClosed: Bool { self != .open }

    /// Open opportunities close as won or lost; a closed one may be reopened, never switched straight
    /// from won to lost (that would rewrite the result without passing through the pipeline again).
    public func canMove(to next: OpportunityStatus) -> Bool {
        switch (self, next) {
        case (.open, .won), (.open, .lost), (.won, .open), (.lost, .open): true
        default: false
        }
    }
}

/// Pipeline arithmetic (OPP-03) on integer fen: weighted amounts, the funnel and the forecast.
public enum Pipeline {
    /// Amount × win probability, rounded half up to the fen.
    public static func weighted(_ amount: Int64, probability: Int) -> Int64 {
        percentOf(amount * Int64(max(0, min(100, probability))))
    }

    /// A sum of amount × percent back in fen, rounded half up.
    public static func percentOf(_ amountTimesPercent: Int64) -> Int64 {
        let (q, r) = amountTimesPercent.quotientAndRemainder(dividingBy: 100)
        return r * 2 >= 100 ? q + 1 : (r * 2 <= -100 ? q - 1 : q)
    }

    public struct StageCount: Sendable, Equatable {
        public let stageID: String
        public let count: Int
        public let amount: Int64
        public let weighted: Int64

        public init(stageID: String, count: Int, amount: Int64, weighted: Int64) {
            self.stageID = stageID
            self.count = count
            self.amount = amount
            self.weighted = weighted
        }
    }

    public struct FunnelRow: Sendable, Equatable {
        public let stageID: String
        /// Open opportunities now in the stage.
        public let count: Int
        public let amount: Int64
        public let weighted: Int64
        /// Opportunities that got at least this far: those in this stage or a later one, and those won.
        public let reached: Int
        /// `reached` as a share of all opportunities counted (open and won), in per mille.
        public let conversionPermille: Int
    }

    /// The funnel in stage order. An opportunity in stage k has passed every stage before k; a won one
    /// has passed them all. Lost opportunities are left out: where they dropped out is not kept on them.
    public static func funnel(stages: [String], counts: [StageCount], won: Int) -> [FunnelRow] {
        let byStage = Dictionary(counts.map { ($0.stageID, $0) }, uniquingKeysWith: { a, _ in a })
        let total = counts.filter { stages.contains($0.stageID) }.reduce(0) { $0 + $1.count } + won
        var rows: [FunnelRow] = []
        var laterOrWon = won
        for id in stages.reversed() {
            let c = byStage[id]
            laterOrWon += c?.count ?? 0
            rows.append(FunnelRow(stageID: id, count: c?.count ?? 0, amount: c?.amount ?? 0, weighted: c?.weighted ?? 0, reached: laterOrWon,
                                  conversionPermille: total == 0 ? 0 : laterOrWon * 1000 / total))
        }
        return rows.reversed()
    }

    /// The buckets of a trend from `from` to `to` (both "yyyy-MM-dd"), each keyed by its first date;
    /// at most `limit` buckets, the latest kept.
    public static func buckets(_ period: PlanPeriod, from: String, to: String, limit: Int = 400) -> [String] {
        guard var cursor = period.start(of: from), let last = period.start(of: to), cursor <= last else { return [] }
        var out: [String] = []
        while cursor <= last {
            out.append(cursor)
            guard let next = period.moving(1, from: cursor), next > cursor else { break }
            cursor = next
        }
        return Array(out.suffix(limit))
    }
}
