/// The widgets of a user's home dashboard (工作台, PLT-24) and the edits people make to their order.
public enum DashboardLayout {
    /// Every widget there is, in the order the "add" menu shows them.
    public static let all = ["numbers", "tasks", "due", "followUps", "hot", "reminders", "announcements", "claims", "recent", "chart"]
    /// What a new user sees.
    public static let defaults = ["numbers", "tasks", "due", "followUps", "hot", "reminders", "announcements"]

    /// A stored layout ("numbers,due,…"): unknown and repeated widgets dropped; nothing stored means the defaults.
    public static func parse(_ stored: String?) -> [String] {
        guard let stored else { return defaults }
        var seen: Set<String> = []
        return stored.split(separator: ",").map(String.init).filter { all.contains($0) && seen.insert($0).inserted }
    }

    public static func store(_ widgets: [String]) -> String { widgets.joined(separator: ",") }

    public static func add(_ key: String, to list: [String]) -> [String] {
        all.contains(key) && !list.contains(key) ? list + [key] : list
    }

    public static func remove(_ key: String, from list: [String]) -> [String] { list.filter { $0 != key } }

    public static func move(_ key: String, up: Bool, in list: [String]) -> [String] {
        guard let i = list.firstIndex(of: key) else { return list }
        let j = up ? i - 1 : i + 1
        guard list.indices.contains(j) else { return list }
        var out = list
        out.swapAt(i, j)
        return out
    }

    /// A whole new order from a client: every key must be known and appear once.
    public static func validate(_ widgets: [String]) -> Bool {
        widgets.count <= all.count && Set(widgets).count == widgets.count && widgets.allSatisfy(all.contains)
    }
}
