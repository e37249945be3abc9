import Foundation
import GuanxiCore

/// Form pieces: every field has a label, keeps what the user typed and shows its error beside it.
enum Forms {
    struct Option {
        let value: String
        let label: String
    }

    /// A POST form with its CSRF token.
    static func form(_ action: String, csrf: String, cls: String = "form", id: String? = nil, _ children: [HNode]) -> HNode {
        H.el("form", [A("method", "post"), A("action", action), .cls(cls), A("id", id), A("accept-charset", "utf-8")],
             [H.void("input", [.type("hidden"), .name("_csrf"), .value(csrf)])] + children)
    }

    /// A one-button form for actions that change data (sign out, delete, restore).
    static func postButton(_ action: String, label: String, csrf: String, cls: String = "btn", confirm: String? = nil) -> HNode {
        H.el("form", [A("method", "post"), A("action", action), .cls("inline"), A("data-confirm", confirm)], [
            H.void("input", [.type("hidden"), .name("_csrf"), .value(csrf)]),
            H.el("button", [.type("submit"), .cls(cls)], [H.text(label)]),
        ])
    }

    static func fieldWrap(_ name: String, label: String, required: Bool, error: String?, hint: String? = nil, _ control: HNode) -> HNode {
        H.el("div", [.cls(error == nil ? "field" : "field has-error")], [
            H.el("label", [A("for", "f-\(name)")], [H.text(label), required ? H.span("req", "*") : H.empty]),
            control,
            hint.map { H.el("div", [.cls("hint")], [H.text($0)]) } ?? H.empty,
            error.map { H.el("div", [.cls("error"), .id("e-\(name)"), A("role", "alert")], [H.text($0)]) } ?? H.empty,
        ])
    }

    static func input(_ name: String, label: String, value: String?, error: String?, type: String = "text",
                      required: Bool = false, autofocus: Bool = false, hint: String? = nil, extra: [A] = []) -> HNode {
        fieldWrap(name, label: label, required: required, error: error, hint: hint,
                  H.void("input", [.type(type), .name(name), .id("f-\(name)"), .value(value), .flag("required", required),
                                   .flag("autofocus", autofocus), A("aria-invalid", error == nil ? nil : "true"),
                                   A("aria-describedby", error == nil ? nil : "e-\(name)")] + extra))
    }

    static func textarea(_ name: String, label: String, value: String?, error: String?, rows: Int = 3) -> HNode {
        fieldWrap(name, label: label, required: false, error: error,
                  H.el("textarea", [.name(name), .id("f-\(name)"), A("rows", String(rows))], [H.text(value ?? "")]))
    }

    static func select(_ name: String, label: String, options: [Option], selected: String?, error: String?,
                       required: Bool = false, blank: String? = nil) -> HNode {
        var opts: [HNode] = []
        if let blank { opts.append(H.el("option", [.value("")], [H.text(blank)])) }
        opts += options.map { o in H.el("option", [.value(o.value), .flag("selected", o.value == selected)], [H.text(o.label)]) }
        return fieldWrap(name, label: label, required: required, error: error,
                         H.el("select", [.name(name), .id("f-\(name)"), .flag("required", required)], opts))
    }

    /// A picker of people, from options written once (`PeopleOptions`).
    static func select(_ name: String, label: String, people: PeopleOptions, except: UUID? = nil, selected: UUID? = nil,
                       required: Bool = false, blank: String? = nil) -> HNode {
        fieldWrap(name, label: label, required: required, error: nil,
                  H.el("select", [.name(name), .id("f-\(name)"), .flag("required", required)],
                       [blank.map { H.el("option", [.value("")], [H.text($0)]) } ?? H.empty, people.options(except: except, selected: selected)]))
    }

    static func checkbox(_ name: String, label: String, checked: Bool, value: String = "1") -> HNode {
        H.el("label", [.cls("check")], [
            H.void("input", [.type("checkbox"), .name(name), .value(value), .flag("checked", checked)]),
            H.text(label),
        ])
    }

    static func actions(_ children: HNode...) -> HNode { H.div("form-actions", children) }

    static func submit(_ label: String) -> HNode {
        H.el("button", [.type("submit"), .cls("btn btn-primary")], [H.text(label)])
    }

    /// The summary above a form that failed, so keyboard and screen-reader users notice.
    static func errorSummary(_ errors: [String: String], t: Translator) -> HNode {
        guard !errors.isEmpty else { return H.empty }
        return H.el("div", [.cls("flash flash-error"), A("role", "alert")], [H.text(t("error.fixBelow"))])
    }
}

/// Data tables: sortable headers, an empty state, and a pager that walks keysets.
enum Tables {
    struct Column {
        let label: String
        let sortKey: String?
        init(_ label: String, sort: String? = nil) {
            self.label = label
            self.sortKey = sort
        }
    }

    /// `link(sort, dir)` builds the URL for a header click.
    static func table(_ columns: [Column], rows: [[HNode]], sort: String?, descending: Bool,
                      link: (String, Bool) -> String, empty: HNode) -> HNode {
        guard !rows.isEmpty else { return empty }
        let head = H.el("tr", [], columns.map { c -> HNode in
            guard let key = c.sortKey else { return H.el("th", [], [H.text(c.label)]) }
            let active = key == sort
            let nextDesc = active ? !descending : false
            let arrow = active ? (descending ? " ↓" : " ↑") : ""
            return H.el("th", [A("aria-sort", active ? (descending ? "descending" : "ascending") : nil)],
                        [H.el("a", [.href(link(key, nextDesc)), .cls("sort")], [H.text(c.label + arrow)])])
        })
        let body = rows.map { cells in H.el("tr", [], cells.map { H.el("td", [], [$0]) }) }
        return H.div("table-wrap", H.el("table", [.cls("data")], [H.el("thead", [], [head]), H.el("tbody", [], body)]))
    }

    static func emptyState(_ title: String, hint: String?, action: HNode = H.empty) -> HNode {
        H.div("empty", H.div("empty-icon", H.text("∅")), H.p(title, cls: "empty-title"),
              hint.map { H.p($0, cls: "muted") } ?? H.empty, action)
    }

    static func pager(first: String?, next: String?, t: Translator, summary: String? = nil) -> HNode {
        guard first != nil || next != nil || summary != nil else { return H.empty }
        return H.el("nav", [.cls("pager"), A("aria-label", t("pager.label"))], [
            summary.map { H.span("muted", $0) } ?? H.empty,
            first.map { H.a($0, t("pager.first"), cls: "btn") } ?? H.empty,
            next.map { H.a($0, t("pager.next"), cls: "btn") } ?? H.empty,
        ])
    }
}

/// Query strings built from parts, escaped.
enum URLQuery {
    static func build(_ path: String, _ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v -> String? in
            guard let v, !v.isEmpty else { return nil }
            return "\(k)=\(encode(v))"
        }
        return parts.isEmpty ? path : path + "?" + parts.joined(separator: "&")
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

/// Active colleagues as `<option>`s, each written once per organisation while its access stamp stands
/// still (`Actor.colleagueOptions`): the 360 view has four pickers of every employee and made some
/// 800 nodes for them on every view.
struct PeopleOptions: Sendable {
    private struct Person: Sendable {
        let id: UUID
        let option: String
        let selected: String
    }

    private let people: [Person]

    init(_ colleagues: [Colleague]) {
        people = colleagues.map { c in
            let value = c.id.uuidString, name = H.escape(c.name)
            return Person(id: c.id, option: "<option value=\"\(value)\">\(name)</option>", selected: "<option value=\"\(value)\" selected=\"selected\">\(name)</option>")
        }
    }

    var isEmpty: Bool { people.isEmpty }

    /// Everyone but `except`, with `selected` chosen.
    func options(except: UUID? = nil, selected: UUID? = nil) -> HNode {
        var out = ""
        out.reserveCapacity(people.count * 64)
        for p in people where p.id != except { out += p.id == selected ? p.selected : p.option }
        return .raw(out)
    }
}
