import Foundation

/// Name keys for finding likely duplicates (撞单): the same company written a little differently.
public enum NameKey {
    /// Words that do not tell companies apart.
    static let noise = ["股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团", "公司", "分公司", "（", "）", "(", ")", " ", "　", "·", "."]

    /// "北京新能源科技有限公司" -> "北京新能源科技"; case and width folded.
    public static func core(_ name: String) -> String {
        var s = name.folding(options: [.caseInsensitive, .widthInsensitive], locale: nil)
        for n in noise { s = s.replacingOccurrences(of: n, with: "") }
        return s
    }

    /// The core name spelled in pinyin, so homophones written with other characters also match.
    public static func pinyin(_ name: String) -> String { Pinyin.full(core(name)) }
}
