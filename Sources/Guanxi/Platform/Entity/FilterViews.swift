import Foundation
import GuanxiCore

/// The advanced filter panel: three condition rows (more as they fill), AND/OR, without JavaScript.
enum FilterViews {
    static func panel<M>(_ filters: FilterSet, fields: [EntityField<M>], carry: [(String, String?)], t: Translator) -> HNode {
        let rows = filters.conditions + Array(repeating: FilterSet.Condition(field: "", op: .eq, value: ""), count: max(1, 3 - filters.conditions.count))
        let fieldOptions = [H.el("option", [.value("")], [H.text(t("filter.field"))])]
        return H.el("details", [.cls("column-chooser filter-chooser")], [
            H.el("summary", [.cls(filters.isEmpty ? "btn" : "btn btn-active")], [H.text(t("filter.advanced") + (filters.isEmpty ? "" : " (\(filters.conditions.count))"))]),
            H.el("form", [A("method", "get"), .cls("chooser-panel filter-panel")],
                 carry.compactMap { k, v in v.map { H.void("input", [.type("hidden"), .name(k), .value($0)]) } }
                 + rows.map { c in
                     H.div("filter-row",
                           H.el("select", [.name("ff[]"), A("aria-label", t("filter.field"))], fieldOptions + fields.map { f in
                               H.el("option", [.value(f.key), .flag("selected", f.key == c.field)], [H.text(f.title(t))])
                           }),
                           H.el("select", [.name("fo[]"), A("aria-label", t("filter.op"))], FilterSet.Op.allCases.map { op in
                               H.el("option", [.value(op.rawValue), .flag("selected", op == c.op)], [H.text(t("filter.op.\(op.rawValue)"))])
                           }),
                           H.void("input", [.type("text"), .name("fv[]"), .value(c.value), A("aria-label", t("filter.value")), A("maxlength", "200")]))
                 }
                 + [
                     H.el("select", [.name("join"), A("aria-label", t("filter.join"))], [
                         H.el("option", [.value("and"), .flag("selected", !filters.any)], [H.text(t("filter.all"))]),
                         H.el("option", [.value("or"), .flag("selected", filters.any)], [H.text(t("filter.any"))]),
                     ]),
                     H.p(t("filter.hint"), cls: "muted small"),
                     filters.isEmpty ? H.empty : H.a(URLQuery.build("?", carry), t("filter.clear"), cls: "btn btn-small"),
                     H.el("button", [.type("submit"), .cls("btn btn-primary btn-small")], [H.text(t("action.apply"))]),
                 ]),
        ])
    }
}
