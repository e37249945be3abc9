/// Masks a value for a viewer whose field rule is `masked` (e.g. 138****1234).
public enum Masking {
    public static func mask(_ value: String) -> String {
        let chars = Array(value)
        guard !chars.isEmpty else { return value }
        if chars.count >= 7 {
            let keepHead = chars.count >= 11 ? 3 : 2
            let keepTail = 4 >= chars.count - keepHead ? 2 : 4
            return String(chars.prefix(keepHead)) + "****" + String(chars.suffix(keepTail))
        }
        if chars.count <= 2 { return String(chars.prefix(1)) + "*" }
        return String(chars.prefix(1)) + String(repeating: "*", count: chars.count - 2) + String(chars.suffix(1))
    }
}
