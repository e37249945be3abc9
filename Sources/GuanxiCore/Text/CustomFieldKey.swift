import Foundation

/// Keys of custom fields: `cf_` then 1–30 lower-case letters, digits or underscores. They name the
/// field in the API and inside the record's JSON column, so they never change once given.
public enum CustomFieldKey {
    public static func isValid(_ key: String) -> Bool {
        key.range(of: #"^cf_[a-z0-9_]{1,30}$"#, options: .regularExpression) != nil
    }

    /// A key from the label's pinyin initials (预算金额 -> cf_ysje), numbered when taken.
    public static func suggest(label: String, taken: Set<String>) -> String {
        let letters = Pinyin.initials(label).lowercased().filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        let base = "cf_" + (letters.isEmpty ? "field" : String(letters.prefix(24)))
        if !taken.contains(base) { return base }
        var n = 2
        while taken.contains("\(base)\(n)") { n += 1 }
        return "\(base)\(n)"
    }
}
