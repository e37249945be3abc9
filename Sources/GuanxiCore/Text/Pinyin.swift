import Foundation

/// Pinyin keys for search and mnemonic codes (PLT-22, PLT-23). ICU reads one character at a time,
/// so common words and surnames whose reading depends on context are corrected from a small table.
public enum Pinyin {
    /// Words whose ICU reading is wrong, with the right syllables.
    static let words: [String: [String]] = [
        "银行": ["yin", "hang"], "长沙": ["chang", "sha"], "长春": ["chang", "chun"], "长城": ["chang", "cheng"],
        "长江": ["chang", "jiang"], "长安": ["chang", "an"], "厦门": ["xia", "men"], "大厦": ["da", "sha"],
        "重庆": ["chong", "qing"], "重工": ["zhong", "gong"], "行业": ["hang", "ye"], "商行": ["shang", "hang"],
        "车行": ["che", "hang"], "乐山": ["le", "shan"], "音乐": ["yin", "yue"], "快乐": ["kuai", "le"],
        "朝阳": ["chao", "yang"], "蚌埠": ["beng", "bu"], "六安": ["lu", "an"], "丽水": ["li", "shui"],
        "东莞": ["dong", "guan"], "番禺": ["pan", "yu"], "会计": ["kuai", "ji"], "调查": ["diao", "cha"],
        "发行": ["fa", "xing"], "银行卡": ["yin", "hang", "ka"], "建行": ["jian", "hang"], "工行": ["gong", "hang"],
        "农行": ["nong", "hang"], "中行": ["zhong", "hang"], "招行": ["zhao", "hang"], "藏族": ["zang", "zu"],
        "西藏": ["xi", "zang"], "都市": ["du", "shi"], "首都": ["shou", "du"], "成都": ["cheng", "du"],
    ]

    /// Surnames read differently from the character's usual reading (first character of a person's name).
    static let surnames: [Character: String] = [
        "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "覃": "qin",
        "区": "ou", "盖": "ge", "繁": "po", "缪": "miao", "尉": "yu", "乐": "yue", "翟": "zhai", "种": "chong",
    ]

    /// Characters that begin a word of `words`, so most positions skip building candidate words.
    static let wordStarts = Set(words.keys.compactMap(\.first))

    /// Syllables read so far, by scalar: ICU's transform is slow and names repeat the same few thousand characters.
    nonisolated(unsafe) private static var cache: [UInt32: String] = [:]
    private static let cacheLock = NSLock()

    /// The toneless syllable of one character, or nil when it is not Chinese.
    static func syllable(_ c: Character) -> String? {
        let scalars = c.unicodeScalars
        guard scalars.contains(where: isHan) else { return nil }
        let key: UInt32? = scalars.count == 1 ? scalars.first?.value : nil
        if let key, let hit = cacheLock.withLock({ cache[key] }) { return hit.isEmpty ? nil : hit }
        let latin = String(c).applyingTransform(.mandarinToLatin, reverse: false)?
            .applyingTransform(.stripDiacritics, reverse: false)?.lowercased()
            .trimmingCharacters(in: .whitespaces)
        let found = latin.flatMap { !$0.isEmpty && $0.allSatisfy({ $0.isASCII && $0.isLetter }) ? $0 : nil }
        if let key { cacheLock.withLock { cache[key] = found ?? "" } }
        return found
    }

    private static func isHan(_ s: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(s.value) || (0x3400...0x4DBF).contains(s.value)
    }

    /// Walks the text once, handing each indexed character's token to `emit`: a pinyin syllable for
    /// Chinese, the lower-cased character for letters and digits; punctuation and spaces give nothing.
    static func walk(_ text: String, personName: Bool, _ emit: (Character, String) -> Void) {
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if personName, i == 0, let s = surnames[chars[0]] {
                emit(chars[0], s)
                i += 1
                continue
            }
            if wordStarts.contains(chars[i]), let (len, w) = word(at: i, in: chars) {
                for (c, s) in zip(chars[i..<(i + len)], w) { emit(c, s) }
                i += len
                continue
            }
            let c = chars[i]
            if let s = syllable(c) {
                emit(c, s)
            } else if c.isLetter || c.isNumber {
                emit(c, String(c).lowercased())
            }
            i += 1
        }
    }

    private static func word(at i: Int, in chars: [Character]) -> (Int, [String])? {
        for len in stride(from: min(3, chars.count - i), through: 2, by: -1) {
            if let w = words[String(chars[i..<(i + len)])] { return (len, w) }
        }
        return nil
    }

    /// One token per indexed character (see `walk`).
    public static func tokens(_ text: String, personName: Bool = false) -> [String] {
        var out: [String] = []
        walk(text, personName: personName) { _, s in out.append(s) }
        return out
    }

    /// Full spelling without spaces: 北京新能源 -> beijingxinnengyuan.
    public static func full(_ text: String, personName: Bool = false) -> String {
        tokens(text, personName: personName).joined()
    }

    /// Initials: 北京新能源 -> bjxny. Latin letters and digits are kept whole ("ABC科技" -> "abckj").
    public static func initials(_ text: String, personName: Bool = false) -> String {
        var out = ""
        walk(text, personName: personName) { c, s in out += c.isASCII ? s : String(s.prefix(1)) }
        return out
    }

    /// What search matches a name by: its full spelling and its initials, "beijingxinnengyuan bjxny".
    public static func searchKey(_ text: String, personName: Bool = false) -> String {
        var full = "", initials = ""
        walk(text, personName: personName) { c, s in
            full += s
            initials += c.isASCII ? s : String(s.prefix(1))
        }
        return full + " " + initials
    }

    /// The mnemonic code (助记码) of a name: its initials in upper case, at most 20 characters.
    public static func mnemonic(_ name: String) -> String {
        String(initials(name).uppercased().prefix(20))
    }
}
