/// Places the contacts of one customer for the relationship map (CON-02): each contact one level
/// below the person it reports to, bosses on top, the rest side by side in the order given.
public enum RelationLayout {
    public struct Position: Equatable, Sendable {
        public let level: Int
        public let column: Int
        public init(level: Int, column: Int) {
            self.level = level
            self.column = column
        }
    }

    /// `reportsTo` maps a contact to its boss. Unknown bosses and cycles put a contact on top.
    public static func place<ID: Hashable>(_ ids: [ID], reportsTo: [ID: ID]) -> [ID: Position] {
        let known = Set(ids)
        var level: [ID: Int] = [:]
        func depth(_ id: ID, _ seen: Set<ID>) -> Int {
            if let l = level[id] { return l }
            guard let boss = reportsTo[id], known.contains(boss), !seen.contains(boss) else { return 0 }
            return depth(boss, seen.union([id])) + 1
        }
        for id in ids { level[id] = depth(id, [id]) }
        var out: [ID: Position] = [:]
        let indexed = Array(ids.enumerated())
        for l in Set(level.values).sorted() {
            // Children follow their boss's column, so lines cross less.
            let row = indexed.filter { level[$0.element] == l }.sorted { a, b in
                let ba = reportsTo[a.element].flatMap { out[$0]?.column } ?? -1
                let bb = reportsTo[b.element].flatMap { out[$0]?.column } ?? -1
                return ba != bb ? ba < bb : a.offset < b.offset
            }
            for (column, item) in row.enumerated() { out[item.element] = Position(level: l, column: column) }
        }
        return out
    }

    /// Whether making `from` report to `to` would close a loop.
    public static func wouldCycle<ID: Hashable>(from: ID, to: ID, reportsTo: [ID: ID]) -> Bool {
        var seen: Set<ID> = [from]
        var current: ID? = to
        while let c = current {
            if seen.contains(c) { return true }
            seen.insert(c)
            current = reportsTo[c]
        }
        return false
    }
}
