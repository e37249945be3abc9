/// Rules for trees stored as parent links (department tree, supervisor chains).
public enum Tree {
    /// Would making `newParent` the parent of `node` put `node` above itself?
    public static func wouldCycle<ID: Hashable>(node: ID, newParent: ID?, parentOf: [ID: ID]) -> Bool {
        var current = newParent
        var seen: Set<ID> = []
        while let c = current {
            if c == node { return true }
            guard seen.insert(c).inserted else { return true }
            current = parentOf[c]
        }
        return false
    }

    /// Orders nodes depth-first (parents before children, siblings by `sortKey`), with their depth.
    public static func flatten<ID: Hashable, N>(_ nodes: [N], id: (N) -> ID, parent: (N) -> ID?,
                                                 sortKey: (N) -> String) -> [(node: N, depth: Int)] {
        let ids = Set(nodes.map(id))
        var children: [ID?: [N]] = [:]
        for n in nodes {
            let p = parent(n).flatMap { ids.contains($0) ? $0 : nil }
            children[p, default: []].append(n)
        }
        var out: [(N, Int)] = []
        var visited: Set<ID> = []
        func walk(_ p: ID?, _ depth: Int) {
            for n in (children[p] ?? []).sorted(by: { sortKey($0) < sortKey($1) }) where visited.insert(id(n)).inserted {
                out.append((n, depth))
                walk(id(n), depth + 1)
            }
        }
        walk(nil, 0)
        return out.map { (node: $0.0, depth: $0.1) }
    }
}
