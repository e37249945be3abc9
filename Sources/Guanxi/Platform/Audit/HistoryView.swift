import Foundation
import GuanxiCore

/// The History tab of any record: who changed which field from what to what, and when.
enum HistoryView {
    /// `label` turns a field key into its label; `display` turns a stored value into text (user names …).
    static func render(_ entries: [AuditEntry], ctx: PageContext, label: (String) -> String, display: (String, String?) -> String) -> HNode {
        let t = ctx.t
        guard !entries.isEmpty else { return Tables.emptyState(t("history.empty"), hint: nil) }
        let rows: [[HNode]] = entries.map { e in
            [
                H.text(ctx.dateTime(e.at)),
                H.text(e.actorName),
                H.span("badge badge-\(e.action.rawValue)", t(e.action.labelKey)),
                H.text(e.field.map(label) ?? "—"),
                H.text(e.oldValue.map { display(e.field ?? "", $0) } ?? ""),
                H.text(e.newValue.map { display(e.field ?? "", $0) } ?? ""),
            ]
        }
        let cols = [t("history.at"), t("history.by"), t("history.action"), t("history.field"), t("history.old"), t("history.new")]
            .map { Tables.Column($0) }
        return Tables.table(cols, rows: rows, sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty)
    }
}
