import Foundation
import Plot

/// Every page is built from these nodes. Plot renders the tree; text and attribute values are escaped
/// here (Plot leaves quotes in attribute values as they are).
typealias HNode = Node<HTML.BodyContext>

/// One HTML attribute.
struct A {
    let name: String
    let value: String?
    init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }
    static func cls(_ v: String) -> A { A("class", v) }
    static func href(_ v: String) -> A { A("href", v) }
    static func id(_ v: String) -> A { A("id", v) }
    static func name(_ v: String) -> A { A("name", v) }
    static func type(_ v: String) -> A { A("type", v) }
    static func value(_ v: String?) -> A { A("value", v ?? "") }
    /// A boolean attribute such as `required` or `checked`, present only when on.
    static func flag(_ name: String, _ on: Bool = true) -> A { A(name, on ? name : nil) }
}

enum H {
    static func escape(_ s: String) -> String {
        // Every character escaped is ASCII, so bytes suffice; most text has none and is returned as is.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 {
            switch b {
            case 0x26: out += "&amp;".utf8
            case 0x3C: out += "&lt;".utf8
            case 0x3E: out += "&gt;".utf8
            case 0x22: out += "&quot;".utf8
            case 0x27: out += "&#39;".utf8
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func attributes(_ attrs: [A]) -> [HNode] {
        attrs.compactMap { a in
            guard let v = a.value else { return nil }
            return .attribute(named: a.name, value: escape(v), ignoreIfValueIsEmpty: false)
        }
    }

    static func el(_ tag: String, _ attrs: [A] = [], _ children: [HNode]) -> HNode {
        .element(named: tag, nodes: attributes(attrs) + children)
    }

    static func el(_ tag: String, _ attrs: [A] = [], _ children: HNode...) -> HNode {
        el(tag, attrs, children)
    }

    /// A void element (input, meta, link, br).
    static func void(_ tag: String, _ attrs: [A] = []) -> HNode {
        .selfClosedElement(named: tag, attributes: attrs.compactMap { a in
            a.value.map { Attribute<HTML.BodyContext>(name: a.name, value: escape($0), ignoreIfValueIsEmpty: false) }
        })
    }

    static func text(_ s: String) -> HNode { .raw(escape(s)) }
    static func group(_ nodes: [HNode]) -> HNode { .group(nodes) }
    static let empty: HNode = .group([])

    static func div(_ cls: String, _ children: HNode...) -> HNode { el("div", [.cls(cls)], children) }
    static func div(_ cls: String, _ children: [HNode]) -> HNode { el("div", [.cls(cls)], children) }
    static func span(_ cls: String, _ text: String) -> HNode { el("span", [.cls(cls)], [H.text(text)]) }
    static func a(_ href: String, _ text: String, cls: String? = nil) -> HNode { el("a", [.href(href), A("class", cls)], [H.text(text)]) }
    static func p(_ text: String, cls: String? = nil) -> HNode { el("p", [A("class", cls)], [H.text(text)]) }
    static func h1(_ text: String) -> HNode { el("h1", [], [H.text(text)]) }
    static func h2(_ text: String) -> HNode { el("h2", [], [H.text(text)]) }

    static func render(_ node: HNode) -> String { node.render(indentedBy: nil) }
}
