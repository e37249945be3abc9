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

    @Test func searchKeysAreFullSpellingAndInitials() {
        for (name, person) in [("招商银行长沙分行", false), ("ABC科技（上海）有限公司", false), ("单雄", true), ("曾国藩", true), ("", false), ("A1·b2", false)] {
            #expect(Pinyin.searchKey(name, personName: person) == Pinyin.full(name, personName: person) + " " + Pinyin.initials(name, personName: person))
        }
        #expect(Pinyin.searchKey("北京新能源") == "beijingxinnengyuan bjxny")
    }
}

@Suite struct NameKeyTests {
    @Test func coreNamesIgnoreLegalForms() {
        #expect(NameKey.core("北京新能源科技有限公司") == NameKey.core("北京新能源科技股份有限公司"))
        #expect(NameKey.core("ABC（上海）有限公司") == NameKey.core("abc上海公司"))
        #expect(NameKey.core("华为") != NameKey.core("华为技术"))
    }

    /// The fast path folds and strips exactly as Foundation's `folding` and `replacingOccurrences` did,
    /// so keys stored before it still match.
    @Test func coreNamesAreWhatFoundationWouldMake() {
        let names = ["北京新能源科技有限公司", "ＡＢＣ（上海）有限公司", "Acme Trading Co. Ltd", "深圳·华强集团分公司", "長沙銀行股份公司",
                     "café 有限责任公司", "Ｘ　Ｙ公司", "公公司司", "集团集团", "", "有限公司", "e\u{301}clair (分公司)", "🙂科技", "ＡＢ．ｃｄ"]
        for name in names {
            var expected = name.folding(options: [.caseInsensitive, .widthInsensitive], locale: nil)
            for n in NameKey.noise { expected = expected.replacingOccurrences(of: n, with: "") }
            #expect(NameKey.core(name) == expected, "\(name)")
        }
    }

    @Test func pinyinKeysCatchHomophones() {
        #expect(NameKey.pinyin("北京新能源有限公司") == NameKey.pinyin("北京新能元有限公司"))
    }
}

@Suite struct CustomFieldKeyTests {
    @Test func keysAreCheckedAndSuggestedFromPinyin() {
        #expect(CustomFieldKey.isValid("cf_budget_2026"))
        for bad in ["budget", "cf_", "cf_Budget", "cf_预算", "cf_a-b", "cf_" + String(repeating: "a", count: 31)] {
            #expect(!CustomFieldKey.isValid(bad), "\(bad)")
        }
        #expect(CustomFieldKey.suggest(label: "年采购额", taken: []) == "cf_ncge")
        #expect(CustomFieldKey.suggest(label: "年采购额", taken: ["cf_ncge", "cf_ncge2"]) == "cf_ncge3")
        #expect(CustomFieldKey.suggest(label: "ERP 系统", taken: []) == "cf_erpxt")
        #expect(CustomFieldKey.suggest(label: "★", taken: []) == "cf_field")
        #expect(CustomFieldKey.isValid(CustomFieldKey.suggest(label: String(repeating: "长", count: 40), taken: [])))
    }
}
