import Fluent
import Foundation
import Testing
@testable import Guanxi

/// Every model lists its property wrappers (`properties`) so that FluentKit need not find them by
/// reflection on each row it reads or writes — reflection was a quarter of a list page's time. The
/// list must be what reflection finds, in declaration order: a wrapper left out would never be saved.
@Suite struct ModelFieldsTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Guanxi").standardized

    /// Each `final class X: Model` of the sources, with the text of its body.
    static func models() throws -> [(name: String, body: String)] {
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        var out: [(String, String)] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let parts = text.components(separatedBy: "\nfinal class ").dropFirst()
            for part in parts {
                let name = String(part.prefix { $0.isLetter || $0.isNumber })
                let header = part.prefix { $0 != "{" }
                guard header.contains(": Model") else { continue }
                out.append((name, String(part.prefix(while: { _ in true }).components(separatedBy: "\n}\n").first ?? "")))
            }
        }
        return out
    }

    static func keys(_ properties: [any AnyProperty]) -> String {
        properties.map { ($0 as? any AnyDatabaseProperty)?.keys.map(\.description).joined(separator: "+") ?? "?" }.joined(separator: ", ")
    }

    @Test func everyModelListsItsFieldsAsReflectionFindsThem() throws {
        let models = try Self.models()
        #expect(models.count > 60)
        for (name, body) in models {
            let lists = body.contains("var properties: [any AnyProperty]")
            #expect(lists, "\(name) does not list its properties")
            let type = try #require(_typeByName("Guanxi.\(name)") as? any Fields.Type, "\(name) not found")
            let model = type.init()
            let listed = model.properties
            let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }
            let same = listed.map(ObjectIdentifier.init) == reflected.map(ObjectIdentifier.init)
            #expect(same, "\(name) lists \(Self.keys(listed)), reflection finds \(Self.keys(reflected))")
        }
    }
}
