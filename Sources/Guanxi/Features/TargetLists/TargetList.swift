import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// A target list (目标客户, LEA-05): the customers a saved customer filter finds, or their contacts,
/// taken as members when the list is made and again on each refresh — the audience of a call round,
/// a mailing or (later) a campaign. Members are shown through the viewer's own data scope.
final class TargetList: Model, @unchecked Sendable {
    static let schema = "target_lists"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "name") var name: String
    /// customer or contact.
    @Field(key: "entity") var entity: String
    /// The customer list's query string the members come from.
    @Field(key: "query") var query: String
    @Field(key: "member_count") var memberCount: Int
    @Field(key: "refreshed_at") var refreshedAt: Date
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $name, $entity, $query, $memberCount, $refreshedAt, $ownerID, $departmentID, $createdAt]
    }

    init(orgID: UUID, name: String, entity: String, query: String, owner: UUID, departmentID: UUID?, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.name = name
        self.entity = entity
        self.query = query
        self.memberCount = 0
        self.refreshedAt = at
        self.ownerID = owner
        self.departmentID = departmentID
        self.createdAt = at
    }

    static let entities = [Customer.entity, Contact.entity]
    /// A list stops growing here; a bigger audience is a filter to narrow.
    static let maxMembers = 50_000
}

extension TargetList: ScopedModel {
    static let module: Module = .customers
    static let entity = "targetList"
}

struct TargetListService {
    let db: Database
    let actor: Actor
    let now: Date

    func list() async throws -> [TargetList] {
        try await actor.query(TargetList.self, .view, on: db).sort(\.$createdAt, .descending).limit(200).rows()
    }

    func get(_ id: UUID?, for action: Action = .view) async throws -> TargetList {
        try await actor.find(TargetList.self, id, for: action, on: db)
    }

    /// The ids the filter finds now, through the actor's scope, in creation order.
    private func memberIDs(entity: String, query: CustomerService.ListQuery) async throws -> [UUID] {
        var q = query
        q.sort = .created
        q.descending = false
        q.cursor = nil
        q.limit = 200
        q.recent = false
        let customers = CustomerService(db: db, actor: actor, now: now)
        var out: [UUID] = []
        repeat {
            let page = try await customers.list(q)
            let ids = page.items.map { $0.id! }
            if entity == Contact.entity {
                if !ids.isEmpty {
                    out += try await actor.inOrg(Contact.self, on: db).filter(\.$customerID ~~ ids).sort(\.$id).rows().map { $0.id! }
                }
            } else {
                out += ids
            }
            q.cursor = page.next
        } while q.cursor != nil && out.count < TargetList.maxMembers
        return Array(out.prefix(TargetList.maxMembers))
    }

    func create(name raw: String?, entity: String?, queryString: String, query: CustomerService.ListQuery) async throws -> TargetList {
        try actor.require(.view, .customers)
        var errors = FieldErrors()
        let name = Check.required(raw, "name", max: 50, into: &errors)
        let entity = Check.clean(entity) ?? Customer.entity
        if !TargetList.entities.contains(entity) { errors.add("entity", "error.invalidOption") }
        if queryString.count > 2000 { errors.add("query", "error.tooLong") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let list = TargetList(orgID: actor.orgID, name: name, entity: entity, query: queryString, owner: actor.userID, departmentID: actor.departmentID, at: now)
        let ids = try await memberIDs(entity: entity, query: query)
        try await db.writeTransaction { [actor, now] tx in
            try await list.create(on: tx)
            try await Self.replaceMembers(list, ids, now: now, on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(TargetList.entity, list.id!,
                                                                     ["name": name, "entity": entity, "query": queryString, "members": String(ids.count)])
        }
        return list
    }

    /// Takes the members again from the filter as it finds them today.
    func refresh(_ id: UUID?, query: CustomerService.ListQuery) async throws -> TargetList {
        let list = try await get(id, for: .edit)
        let ids = try await memberIDs(entity: list.entity, query: query)
        let before = list.memberCount
        try await db.writeTransaction { [actor, now] tx in
            try await Self.replaceMembers(list, ids, now: now, on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(TargetList.entity, list.id!, .update, field: "members", old: String(before), new: String(ids.count))
        }
        return list
    }

    func delete(_ id: UUID?) async throws {
        let list = try await get(id, for: .delete)
        try await db.writeTransaction { [actor, now] tx in
            try await (tx as! any SQLDatabase).raw("DELETE FROM target_list_members WHERE list_id = \(bind: list.id!)").run()
            try await list.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(TargetList.entity, list.id!, .delete, old: list.name)
        }
    }

    private static func replaceMembers(_ list: TargetList, _ ids: [UUID], now: Date, on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM target_list_members WHERE list_id = \(bind: list.id!)").run()
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            var q: SQLQueryString = "INSERT INTO target_list_members (list_id, record_id) VALUES "
            for (i, id) in chunk.enumerated() {
                if i > 0 { q.appendLiteral(", ") }
                let row: SQLQueryString = "(\(bind: list.id!), \(bind: id))"
                q.appendInterpolation(row)
            }
            try await sql.raw(q).run()
        }
        list.memberCount = ids.count
        list.refreshedAt = now
        try await list.save(on: db)
    }

    struct Member: Sendable {
        let id: UUID
        let name: String
        /// The customer (for a contact, its customer).
        let customerID: UUID
        let customerName: String
        let phone: String?
        let ownerID: UUID?
    }

    /// A page of members the actor may see, in member order after `after`.
    func members(_ list: TargetList, after: UUID?, limit: Int = 50) async throws -> (items: [Member], next: UUID?) {
        guard let sql = db as? any SQLDatabase else { return ([], nil) }
        struct Row: Decodable { let record_id: UUID }
        var q: SQLQueryString = "SELECT record_id FROM target_list_members WHERE list_id = \(bind: list.id!)"
        if let after {
            let condition: SQLQueryString = " AND record_id > \(bind: after)"
            q.appendInterpolation(condition)
        }
        q.appendLiteral(" ORDER BY record_id LIMIT \(limit + 1)")
        let rows = try await sql.raw(q).all(decoding: Row.self).map(\.record_id)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last : nil
        guard !page.isEmpty else { return ([], nil) }
        var out: [Member] = []
        if list.entity == Contact.entity {
            let contacts = try await actor.inOrg(Contact.self, on: db).filter(\.$id ~~ page).rows()
            let customers = try await actor.query(Customer.self, .view, on: db).filter(\.$id ~~ contacts.map(\.customerID)).rows()
            let byID = Dictionary(uniqueKeysWithValues: customers.map { ($0.id!, $0) })
            for c in contacts.sorted(by: { $0.id!.uuidString < $1.id!.uuidString }) {
                guard let customer = byID[c.customerID] else { continue }
                out.append(Member(id: c.id!, name: c.name, customerID: customer.id!, customerName: customer.name, phone: c.mobile ?? c.officePhone, ownerID: customer.ownerID))
            }
        } else {
            let customers = try await actor.query(Customer.self, .view, on: db).filter(\.$id ~~ page).rows()
            for c in customers.sorted(by: { $0.id!.uuidString < $1.id!.uuidString }) {
                out.append(Member(id: c.id!, name: c.name, customerID: c.id!, customerName: c.name, phone: c.phone, ownerID: c.ownerID))
            }
        }
        return (out, next)
    }
}

/// The saved customer list query as the customer list itself reads it.
enum TargetListQuery {
    static func parse(_ queryString: String, like req: Request) throws -> CustomerService.ListQuery {
        let fake = Request(application: req.application, method: .GET, url: URI(string: Paths.customers + "?" + queryString), on: req.eventLoop)
        return try CustomerListParams.parse(fake)
    }

    /// A saved filter of the actor's, by id.
    static func savedFilter(_ raw: String?, actor: Actor, on db: Database) async throws -> SavedFilter? {
        guard let id = Check.clean(raw).flatMap(UUID.init(uuidString:)) else { return nil }
        return try await actor.inOrg(SavedFilter.self, on: db).filter(\.$id == id).filter(\.$userID == actor.userID).firstRow()
    }
}
