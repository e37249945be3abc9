import Foundation
import NIOCore

/// Every page is built from these nodes and written out once, into one buffer. Text and attribute
/// values are escaped when a node is made. (Plot rendered a tree of closures with a buffer per element:
/// a fifth of a customer list page's CPU.)
indirect enum HNode {
    /// `<tag name="value">children</tag>`; attributes escaped, an empty value written as the bare name.
    case element(String, [(name: String, value: String)], [HNode])
    /// `<tag name="value"/>`
    case void(String, [(name: String, value: String)])
    /// Written as it is: escaped text, or markup made here.
    case raw(String)
    case group([HNode])

    func write<Out: HTMLOutput>(into out: inout Out) {
        switch self {
        case .raw(let s):
            out.add(s)
        case .group(let nodes):
            for n in nodes { n.write(into: &out) }
        case .element(let tag, let attrs, let children):
            Self.open(tag, attrs, into: &out)
            out.add(">")
            for n in children { n.write(into: &out) }
            out.add("</")
            out.add(tag)
            out.add(">")
        case .void(let tag, let attrs):
            Self.open(tag, attrs, into: &out)
            out.add("/>")
        }
    }

    private static func open<Out: HTMLOutput>(_ tag: String, _ attrs: [(name: String, value: String)], into out: inout Out) {
        out.add("<")
        out.add(tag)
        for a in attrs {
            out.add(" ")
            out.add(a.name)
            if !a.value.isEmpty {
                out.add("=\"")
                out.add(a.value)
                out.add("\"")
            }
        }
    }
}

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

    /// Attributes with a value, escaped; a name given twice keeps its first place and its last value.
    private static func attributes(_ attrs: [A]) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        out.reserveCapacity(attrs.count)
        for a in attrs {
            guard let v = a.value else { continue }
            if let i = out.firstIndex(where: { $0.name == a.name }) { out[i].value = escape(v) } else { out.append((a.name, escape(v))) }
        }
        return out
    }

    static func el(_ tag: String, _ attrs: [A] = [], _ children: [HNode]) -> HNode {
        .element(tag, attributes(attrs), children)
    }

    static func el(_ tag: String, _ attrs: [A] = [], _ children: HNode...) -> HNode {
        el(tag, attrs, children)
    }

    /// A void element (input, meta, link, br).
    static func void(_ tag: String, _ attrs: [A] = []) -> HNode {
        .void(tag, attributes(attrs))
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

    static func render(_ node: HNode) -> String {
        var out = ""
        out.reserveCapacity(32_768)
        node.write(into: &out)
        return out
    }

    /// A whole page, written straight into the buffer the response sends: a 360 view is about 100 KB,
    /// which as a string was grown twice, copied behind its doctype and copied again into a buffer.
    static func document(_ html: HNode) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: 65_536)
        out.add("<!DOCTYPE html>")
        html.write(into: &out)
        return out
    }
}

/// Where nodes are written: a string, or the buffer of a response.
protocol HTMLOutput {
    mutating func add(_ s: String)
}

extension String: HTMLOutput {
    mutating func add(_ s: String) { self += s }
}

extension ByteBuffer: HTMLOutput {
    mutating func add(_ s: String) { writeString(s) }
}
