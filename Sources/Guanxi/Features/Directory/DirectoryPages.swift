import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The employee directory (员工通讯录, TSK-06): every active colleague with department, supervisor,
/// mobile and email, grouped by department and searchable by name, pinyin, account or phone.
struct Directory {
    let db: Database
    let actor: Actor

    struct Entry: Content {
        var id: UUID
        var name: String
        var account: String
        var departmentID: UUID?
        var department: String?
        var supervisor: String?
        var mobile: String?
        var email: String?
    }

    func entries(query raw: String?) async throws -> [Entry] {
        let users = try await actor.inOrg(User.self, on: db).filter(\.$status == .active).sort(\.$name).limit(5000).rows()
        let departments = Dictionary(uniqueKeysWithValues: try await DepartmentService(db: db, actor: actor, now: Date()).tree().map { ($0.node.id!, $0.node.name) })
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.name) })
        let q = Check.clean(raw)?.lowercased()
        return users.filter { u in
            guard let q else { return true }
            let dept = u.departmentID.flatMap { departments[$0] } ?? ""
            let keys = [u.name, u.account, Pinyin.full(u.name, personName: true), Pinyin.initials(u.name, personName: true), dept,
                        Check.digits(u.mobile ?? "")].map { $0.lowercased() }
            return keys.contains { !$0.isEmpty && $0.contains(q) }
        }.map { u in
            Entry(id: u.id!, name: u.name, account: u.account, departmentID: u.departmentID, department: u.departmentID.flatMap { departments[$0] },
                  supervisor: u.supervisorID.flatMap { names[$0] }, mobile: u.mobile, email: u.email)
        }
    }
}

struct DirectoryPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("directory", use: page)
    }

    @Sendable func page(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let q = try? req.query.get(String.self, at: "q")
        let entries = try await Directory(db: req.db, actor: actor).entries(query: q)
        let order = try await DepartmentService(db: req.db, actor: actor, now: req.now).tree().map { $0.node.id! }
        let groups = Dictionary(grouping: entries, by: \.departmentID)
        let sortedKeys = order.filter { groups[$0] != nil }.map { Optional($0) } + (groups[nil] == nil ? [] : [nil])
        return req.page(title: t("nav.directory"), crumbs: [Crumb(label: t("nav.directory"), href: nil)]) { _ in
            H.group([
                H.div("page-head", H.h1(t("nav.directory")), H.span("badge", t("directory.count", String(entries.count)))),
                H.el("form", [A("method", "get"), .cls("search-form")], [
                    H.void("input", [.type("search"), .name("q"), .value(q), A("placeholder", t("directory.search")), A("aria-label", t("directory.search"))]),
                    H.el("button", [.type("submit"), .cls("btn")], [H.text(t("action.search"))]),
                ]),
                entries.isEmpty ? Tables.emptyState(t("search.noMatch"), hint: nil) : H.group(sortedKeys.map { key in
                    let people = groups[key] ?? []
                    return H.el("section", [.cls("card")], [
                        H.h2(people.first?.department ?? t("directory.noDepartment")),
                        Tables.table([t("employee.name"), t("employee.supervisor"), t("employee.mobile"), t("employee.email")].map { Tables.Column($0) },
                                     rows: people.map { p in [
                                         H.span("strong", p.name),
                                         H.text(p.supervisor ?? "—"),
                                         p.mobile.map { H.a("tel:\(Check.digits($0))", $0) } ?? H.text("—"),
                                         p.email.map { H.a("mailto:\($0)", $0) } ?? H.text("—"),
                                     ] }, sort: nil, descending: false, link: { _, _ in "" }, empty: H.empty),
                    ])
                }),
            ])
        }
    }
}

struct DirectoryAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("directory", use: index)
    }

    @Sendable func index(req: Request) async throws -> [Directory.Entry] {
        try await Directory(db: req.db, actor: try req.actor).entries(query: try? req.query.get(String.self, at: "q"))
    }
}
