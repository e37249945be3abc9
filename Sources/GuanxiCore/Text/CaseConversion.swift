/// Column names from field names: "creditLimit" -> "credit_limit", "regionID" -> "region_id".
public enum CaseConversion {
    public static func snake(_ name: String) -> String {
        var out = ""
        var previousUpper = false
        for (i, c) in name.enumerated() {
            if c.isUppercase {
                if i > 0 && !previousUpper { out += "_" }
                out += c.lowercased()
                previousUpper = true
            } else {
                out.append(c)
                previousUpper = false
            }
        }
        return out
    }
}
