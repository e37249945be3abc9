import Foundation
import Testing
@testable import GuanxiCore

/// Every key the code asks for exists in both languages (PLT-21).
@Suite struct TranslationTests {
    static let sourcesRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Keys written as literals: t("…"), messageKey/labelKey "…", Flash(.x, "…"), errors.add(field, "…").
    static func literalKeys() throws -> Set<String> {
        let patterns = [
            #"\bt\("([A-Za-z0-9_.\-]+)""#,
            #"Flash\(\.[a-z]+, "([A-Za-z0-9_.\-]+)"\)"#,
            #"\.add\("[A-Za-z0-9_]+", "([A-Za-z0-9_.\-]+)"\)"#,
            #"\.add\([a-z]+, "([A-Za-z0-9_.\-]+)"\)"#,
            #"messageKey: "([A-Za-z0-9_.\-]+)""#,
            #"(?:badRequest|conflict)\("([A-Za-z0-9_.\-]+)"\)"#,
            #"EntityField\("[A-Za-z]+", "([A-Za-z0-9_.\-]+)""#,
            #"labelKey: "([A-Za-z0-9_.\-]+)""#,
            #"NavItem\(key: "([A-Za-z0-9_.\-]+)""#,
        ].map { try! NSRegularExpression(pattern: $0) }
        var keys: Set<String> = []
        let files = FileManager.default.enumerator(at: sourcesRoot, includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for p in patterns {
                for m in p.matches(in: text, range: range) {
                    if let r = Range(m.range(at: 1), in: text) { keys.insert(String(text[r])) }
                }
            }
        }
        return keys
    }

    @Test func everyLiteralKeyIsTranslated() throws {
        let keys = try Self.literalKeys()
        #expect(keys.count > 100, "the scan found too few keys; did the patterns break?")
        let missing = keys.filter { Strings.table[$0] == nil }.sorted()
        #expect(missing.isEmpty, "missing translations: \(missing)")
    }

    @Test func everyEnumLabelIsTranslated() {
        var keys: [String] = []
        keys += DataScope.allCases.map(\.labelKey)
        keys += Module.allCases.map(\.labelKey)
        keys += Action.allCases.map(\.labelKey)
        keys += FieldRule.allCases.map(\.labelKey)
        keys += AppLocale.allCases.map { "lang.\($0.rawValue)" }
        keys += ["400", "401", "403", "404", "500"].map { "error.title.\($0)" }
        keys += ["unknown", "password", "locked", "disabled"].map { "login.reason.\($0)" }
        keys += ["active", "disabled", "left"].map { "userStatus.\($0)" }
        keys += ["create", "update", "delete", "restore", "purge", "assign", "export", "approve", "merge"].map { "audit.\($0)" }
        let missing = keys.filter { Strings.table[$0] == nil }
        #expect(missing.isEmpty, "missing translations: \(missing)")
    }

    @Test func bothLanguagesAreFilledAndPlaceholdersMatch() {
        for (key, phrase) in Strings.table {
            #expect(!phrase.zh.isEmpty && !phrase.en.isEmpty, "\(key) is empty")
            for i in 0..<3 {
                #expect(phrase.zh.contains("{\(i)}") == phrase.en.contains("{\(i)}"), "\(key) placeholder {\(i)} differs")
            }
        }
    }

    /// The table is merged from several parts; a key declared in two parts would silently lose one text.
    @Test func noKeyIsDeclaredInTwoParts() {
        let parts = [Strings.common, Strings.navigation, Strings.access, Strings.errors, Strings.customers, Strings.admin, Strings.account,
                     Strings.basicData, Strings.profile, Strings.pools, Strings.followUps]
        var seen: [String: Int] = [:]
        for part in parts { for key in part.keys { seen[key, default: 0] += 1 } }
        #expect(seen.filter { $0.value > 1 }.keys.sorted() == [])
    }
}
