import Foundation

/// Name keys for finding likely duplicates (撞单): the same company written a little differently.
public enum NameKey {
    /// Words that do not tell companies apart, removed in this order.
    static let noise = ["股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团", "公司", "分公司", "（", "）", "(", ")", " ", "　", "·", "."]
    private static let noiseScalars = noise.map { Array($0.unicodeScalars) }

    /// "北京新能源科技有限公司" -> "北京新能源科技"; case and width folded.
    public static func core(_ name: String) -> String {
        var s = folded(name)
        for n in noiseScalars { s = removing(n, from: s) }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }

    /// The core name spelled in pinyin, so homophones written with other characters also match.
    public static func pinyin(_ name: String) -> String { Pinyin.full(core(name)) }

    /// Case and width folded as Foundation's `folding` does; names of Chinese characters, ASCII and
    /// full-width ASCII (most company names) are folded here, anything else by Foundation.
    static func folded(_ name: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(name.unicodeScalars.count)
        for u in name.unicodeScalars {
            var v = u.value
            if (0xFF01...0xFF5E).contains(v) { v -= 0xFEE0 }
            if v < 0x80 {
                if (0x41...0x5A).contains(v) { v += 0x20 }
                out.append(Unicode.Scalar(v)!)
            } else if (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) {
                out.append(u)
            } else {
                return Array(name.folding(options: [.caseInsensitive, .widthInsensitive], locale: nil).unicodeScalars)
            }
        }
        return out
    }

    /// `s` without the non-overlapping occurrences of `needle`, found left to right.
    static func removing(_ needle: [Unicode.Scalar], from s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let head = needle.first, s.contains(head) else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == head, i + needle.count <= s.count, s[i..<(i + needle.count)].elementsEqual(needle) {
                i += needle.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
