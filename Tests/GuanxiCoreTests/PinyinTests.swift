import Testing
@testable import GuanxiCore

@Suite struct PinyinTests {
    @Test func fullSpellingAndInitials() {
        #expect(Pinyin.full("北京新能源") == "beijingxinnengyuan")
        #expect(Pinyin.initials("北京新能源") == "bjxny")
        #expect(Pinyin.initials("ABC科技（上海）有限公司") == "abckjshyxgs")
    }

    @Test func polyphonicWordsUseTheOverrideTable() {
        #expect(Pinyin.full("招商银行") == "zhaoshangyinhang")
        #expect(Pinyin.initials("长沙") == "cs")
        #expect(Pinyin.full("厦门") == "xiamen")
        #expect(Pinyin.full("重庆") == "chongqing")
    }

    @Test func surnamesReadAsNames() {
        #expect(Pinyin.full("单雄", personName: true) == "shanxiong")
        #expect(Pinyin.full("曾国藩", personName: true).hasPrefix("zeng"))
    }

    @Test func mnemonicIsUpperCaseInitials() {
        #expect(Pinyin.mnemonic("华信科技有限公司") == "HXKJYXGS")
        #expect(Pinyin.mnemonic("") == "")
    }
}
