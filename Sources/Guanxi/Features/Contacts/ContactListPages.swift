import Fluent
import FluentSQL
import Foundation
import GuanxiCore
import Vapor

/// The contact list (CON-03): every contact of customers in the actor's scope, searchable and exportable.
struct ContactListPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("contacts", use: index)
        routes.get("contacts", "export", use: export)
    }

    /// Contacts whose customer the actor may see. Asked per contact (EXISTS) so that a page newest first
    /// walks `contacts_recent` and stops after fifty, rather than first listing every customer in scope.
    static func scoped(_ actor: Actor, q: String?, on db: Database) throws -> QueryBuilder<Contact> {
        let b = actor.inOrg(Contact.self, on: db).filter(.sql(embed: """
            EXISTS (SELECT 1 FROM customers c WHERE c.id = \(ident: "contacts").\(ident: "customer_id") AND c.deleted_at IS NULL AND \(try actor.scopeSQL(Customer.self, alias: "c")))
            """))
        if let q = Check.clean(q) { SearchIndex.narrow(b, to: q) }
        return b
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let q = try? req.query.get(String.self, at: "q")
        let after = (try? req.query.get(String.self, at: "after")).flatMap(UUID.init(uuidString:))
        let b = try Self.scoped(actor, q: q, on: req.db)
        if let after { b.filter(\.$id < after) }
        let rows = try await b.sort(\.$id, .descending).limit(51).rows()
        let page = Array(rows.prefix(50))
        let customers = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: req.db).filter(\.$id ~~ Array(Set(page.map(\.customerID)))).rows().map { ($0.id!, $0.name) })
        let t = actor.t
        return req.page(title: t("contact.title"), crumbs: [Crumb(label: t("contact.title"), href: nil)]) { _ in
            let tableRows: [[HNode]] = page.map { p in
                [H.el("a", [.href(Paths.contact(p.id!)), .cls("strong")], [H.text(p.name)]),
                 p.isPrimary ? H.span("badge badge-ok", t("contact.primary")) : H.empty,
                 H.text(p.title ?? ""), H.text(actor.visible("contacts", "mobile", p.mobile) ?? ""), H.text(actor.visible("contacts", "email", p.email) ?? ""),
                 H.a(Paths.customer(p.customerID), customers[p.customerID] ?? "")]
            }
            return H.group([
                H.div("page-head", H.h1(t("contact.title")),
                      H.div("actions",
                          H.a("/contacts/stats", t("contactStats.title"), cls: "btn"),
                          actor.can(.export, .customers) ? H.a(URLQuery.build("/contacts/export", [("q", q), ("format", "xlsx")]), "Excel", cls: "btn") : H.empty,
                          actor.can(.export, .customers) ? H.a(URLQuery.build("/contacts/export", [("q", q), ("format", "csv")]), "CSV", cls: "btn") : H.empty)),
                H.el("form", [A("method", "get"), A("action", "/contacts"), .cls("toolbar search-form"), A("role", "search")], [
                    H.void("input", [.type("search"), .name("q"), .value(q), A("placeholder", t("contact.searchPlaceholder")), A("aria-label", t("action.search"))]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
                ]),
                Tables.table([t("contact.name"), "", t("contact.jobTitle"), t("contact.mobile"), t("contact.email"), t("entity.customer")].map { Tables.Column($0) },
                             rows: tableRows, sort: nil, descending: false, link: { _, _ in "" },
                             empty: Tables.emptyState(q == nil ? t("contact.emptyAll") : t("search.noMatch"), hint: nil)),
                Tables.pager(first: after == nil ? nil : URLQuery.build("/contacts", [("q", q)]),
                             next: rows.count > 50 ? page.last.map { URLQuery.build("/contacts", [("q", q), ("after", $0.id!.uuidString)]) } : nil, t: t),
            ])
        }
    }

    @Sendable func export(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .customers)
        guard let format = TableExport.Format(rawValue: (try? req.query.get(String.self, at: "format")) ?? "csv") else { throw AppError.badRequest("error.badParameter") }
        let q = try? req.query.get(String.self, at: "q")
        let def = actor.definition(Contact.definition)
        let fields = def.fields.filter { def.rule($0, for: actor) != .hidden }
        let t = actor.t
        let sink = try TableExport.Sink(format)
        sink.add(fields.map { $0.title(t) } + [t("entity.customer")])
        var after: UUID?
        repeat {
            let b = try Self.scoped(actor, q: q, on: req.db)
            if let after { b.filter(\.$id < after) }
            let batch = try await b.sort(\.$id, .descending).limit(500).rows()
            let lookups = try await Lookups.load(def, records: batch, actor: actor, on: req.db)
            let names = Dictionary(uniqueKeysWithValues: try await actor.inOrg(Customer.self, on: req.db).filter(\.$id ~~ Array(Set(batch.map(\.customerID)))).rows().map { ($0.id!, $0.name) })
            for p in batch {
                sink.add(fields.map { f in
                    def.rule(f, for: actor) == .masked ? (f.read(p).map(Masking.mask) ?? "") : FieldCodec.display(f, f.read(p), lookups: lookups, t: t, decimals: 2)
                } + [names[p.customerID] ?? ""])
            }
            after = batch.count == 500 ? batch.last?.id : nil
        } while after != nil
        let file = try sink.finish()
        try await req.db.writeTransaction { [rows = sink.rows - 1] tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Contact.entity, actor.orgID, .export, field: format.rawValue, new: "\(rows) · q=\(q ?? "")")
        }
        return try await TableExport.download(req, file: file, name: t("contact.title"), format: format)
    }
}
