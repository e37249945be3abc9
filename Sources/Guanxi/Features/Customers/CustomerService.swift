import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// The rules for customers; pages and API both call this and never query customers themselves.
struct CustomerService {
    let db: Database
    let actor: Actor
    let now: Date

    var definition: EntityDefinition<Customer> { actor.definition(Customer.definition) }

    struct ListQuery {
        enum Sort: String, CaseIterable { case name, created }
        var q: String?
        var ownerID: UUID?
        var sort: Sort = .name
        var descending = false
        var cursor: PageCursor?
        var limit = 50
        /// 热点客户 only.
        var hot = false
        /// Customers of my subordinates (at any depth).
        var team = false
        /// Recently viewed by me, most recent first (no paging).
        var recent = false
        var filters = FilterSet()
    }

    // MARK: reading

    /// The customers a list shows before sorting and paging: scope, search, tabs and filters.
    /// Nil when the list is empty by definition (my team's, without a team).
    func filtered(_ query: ListQuery) async throws -> QueryBuilder<Customer>? {
        let builder = try actor.query(Customer.self, .view, on: db)
        // Name, number, pinyin, initials and phone digits are one indexed text.
        if let q = Check.clean(query.q) { SearchIndex.narrow(builder, to: q) }
        if let owner = query.ownerID { builder.filter(\.$ownerID == owner) }
        if query.hot { builder.filter(\.$isHot == true) }
        try definition.apply(try await resolveOptionLabels(query.filters), to: builder, actor: actor)
        if query.team {
            let subs = actor.scope.subordinateIDs.compactMap(UUID.init(uuidString:))
            if subs.isEmpty { return nil }
            builder.filter(\.$ownerID ~~ subs)
        }
        return builder
    }

    /// How many customers of the list fall on each option of a dictionary field (group by, CUS-13).
    func groupCounts(_ query: ListQuery, field key: String) async throws -> [(value: String?, count: Int)] {
        guard let f = definition.field(key), case .option(let kind) = f.kind, definition.rule(f, for: actor) != .hidden else {
            throw AppError.badRequest("error.badParameter")
        }
        let column = f.isCustom ? CustomColumn.field(f, schema: Customer.schema, on: db)
            : DatabaseQuery.Field.path([FieldKey(stringLiteral: CaseConversion.snake(f.apiKey))], schema: Customer.schema)
        var out: [(String?, Int)] = []
        for option in try await DictionaryService(db: db, actor: actor, now: now).options(kind, includeInactive: true) {
            guard let b = try await filtered(query) else { return [] }
            let n = try await b.filter(column, .equal, .bind(option.value)).countRows()
            if n > 0 { out.append((option.value, n)) }
        }
        if let b = try await filtered(query) {
            let n = try await b.filter(column, .equal, .null).countRows()
            if n > 0 { out.append((nil, n)) }
        }
        return out
    }

    func list(_ query: ListQuery) async throws -> (items: [Customer], next: PageCursor?) {
        try await page(query, read: { try await $0.rows() }, id: { $0.id! }, name: \.name)
    }

    /// The page `list` gives, each customer as its `keys` fields only (and its name), for list pages.
    func listed(_ query: ListQuery, keys: [String], times: [FieldKey] = []) async throws -> (items: [Listed], next: PageCursor?) {
        let keys = keys.contains("name") ? keys : keys + ["name"]
        return try await page(query, read: { [definition] in try await definition.listed($0, keys: keys, times: times) }, id: \.id, name: { $0["name"] ?? "" })
    }

    private func page<Item>(_ query: ListQuery, read: (QueryBuilder<Customer>) async throws -> [Item], id: (Item) -> UUID,
                            name: (Item) -> String) async throws -> (items: [Item], next: PageCursor?) {
        let limit = max(1, min(query.limit, 200))
        guard let builder = try await filtered(query) else { return ([], nil) }
        if query.recent {
            let views = try await actor.inOrg(CustomerView.self, on: db).filter(\.$userID == actor.userID)
                .sort(\.$viewedAt, .descending).limit(50).rows()
            let order = Dictionary(uniqueKeysWithValues: views.enumerated().map { ($0.element.customerID, $0.offset) })
            let rows = try await read(builder.filter(\.$id ~~ views.map(\.customerID)))
            return (rows.sorted { (order[id($0)] ?? 0) < (order[id($1)] ?? 0) }, nil)
        }
        let dir: DatabaseQuery.Sort.Direction = query.descending ? .descending : .ascending
        let after: DatabaseQuery.Filter.Method = query.descending ? .lessThan : .greaterThan
        switch query.sort {
        case .name:
            if let c = query.cursor, let cid = UUID(uuidString: c.id) { builder.after("name", c.value, id: cid, descending: query.descending) }
            builder.sort(\.$name, dir).sort(\.$id, dir)
        case .created:
            // Ids are time-ordered (UUIDv7), so creation order is id order and the cursor is exact.
            if let c = query.cursor, let cid = UUID(uuidString: c.id) { builder.filter(\.$id, after, cid) }
            builder.sort(\.$id, dir)
        }
        let rows: [Item]
        if let q = Check.clean(query.q) {
            // A search can match thousands of rows that must be sorted before the page is cut: sorting
            // ids alone, then reading the page's rows, halves the time of a common term.
            let ids = try await builder.searchPageIDs(term: q, limit: limit + 1)
            let byID = Dictionary(uniqueKeysWithValues: try await read(actor.inOrg(Customer.self, on: db).filter(\.$id ~~ ids)).map { (id($0), $0) })
            rows = ids.compactMap { byID[$0] }
        } else {
            rows = try await read(builder.limit(limit + 1))
        }
        let page = Array(rows.prefix(limit))
        var next: PageCursor?
        if rows.count > limit, let last = page.last {
            next = PageCursor(value: query.sort == .name ? name(last) : "", id: id(last).uuidString)
        }
        return (page, next)
    }

    /// Lets filters name dictionary options by their label ("制造业") as well as their code.
    private func resolveOptionLabels(_ filters: FilterSet) async throws -> FilterSet {
        var out = filters
        for (i, c) in filters.conditions.enumerated() {
            let kind: DictionaryKind
            switch definition.field(c.field)?.kind {
            case .option(let k)?, .options(let k)?: kind = k
            default: continue
            }
            guard !c.value.isEmpty else { continue }
            let match = try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == kind.rawValue).group(.or) {
                $0.filter(\.$label == c.value).filter(\.$labelEn == c.value)
            }.firstRow()
            if let match { out.conditions[i].value = match.value }
        }
        return out
    }

    func get(_ id: UUID?) async throws -> Customer {
        try await actor.find(Customer.self, id, for: .view, on: db)
    }

    /// Whether the actor may edit a customer it sees. Its owners and department decide without the
    /// database (the 360 view asks at every open); only an edit share or a place in the customer's
    /// sales team needs the scoped query.
    func canEdit(_ c: Customer) async throws -> Bool {
        guard actor.can(.edit, .customers) else { return false }
        let owned = Ownership(ownerID: c.ownerID?.uuidString, departmentID: c.departmentID?.uuidString)
        if c.secondaryOwnerID == actor.userID || actor.policy.scope(for: .customers).allows(actor.scope, owned) { return true }
        return try await actor.query(Customer.self, .edit, on: db).filter(\.$id == c.id!).exists()
    }

    /// Pins or unpins a hot customer (owner, or anyone who may edit it).
    func setHot(_ id: UUID?, _ hot: Bool) async throws {
        let c = try await actor.find(Customer.self, id, for: .edit, on: db)
        guard (c.isHot ?? false) != hot else { return }
        try await db.writeTransaction { tx in
            c.isHot = hot
            try await c.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, c.id!, .update, field: "hot", old: String(!hot), new: String(hot))
        }
    }

    /// Names of the owners of a page of customers, in one query.
    func ownerNames(_ customers: [Customer]) async throws -> [UUID: String] {
        let ids = Array(Set(customers.compactMap(\.ownerID)))
        guard !ids.isEmpty else { return [:] }
        let users = try await actor.inOrg(User.self, on: db).filter(\.$id ~~ ids).rows()
        return Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.name) })
    }

    // MARK: changing

    /// Creates a customer from validated field values; the owner defaults to the actor.
    func create(_ input: EntityInput, ownerID: UUID?, allowDuplicates: Bool = false) async throws -> Customer {
        try actor.require(.create, .customers)
        var input = input
        if !input.has("name") { input.errors.add("name", "error.required") }
        try await definition.validateReferences(&input, actor: actor, on: db)
        definition.requireCustom(&input, record: nil, actor: actor)
        let owner = try await resolveOwner(ownerID ?? actor.userID, current: nil, into: &input.errors)
        guard input.errors.isEmpty, let owner else { throw AppError.invalid(input.errors) }
        if !allowDuplicates {
            let matches = try await CollisionCheck(db: db, actor: actor)
                .matches(name: input.value("name"), phone: input.value("phone"), creditCode: input.value("creditCode"))
            if !matches.isEmpty { throw CollisionFound(matches: matches) }
        }

        let customer = Customer(orgID: actor.orgID, name: "", phone: nil, ownerID: owner.id, departmentID: owner.departmentID, createdBy: actor.userID)
        definition.apply(input, to: customer)
        if Check.clean(customer.mnemonic) == nil { customer.mnemonic = Pinyin.mnemonic(customer.name) }
        customer.refreshSearchKeys()
        try await db.writeTransaction { tx in
            customer.number = try await Numbering.next(.customer, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
            try await customer.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Customer.entity, customer.id!, definition.values(customer))
        }
        return customer
    }

    func update(_ id: UUID?, _ input: EntityInput, ownerID: UUID? = nil, allowDuplicates: Bool = false) async throws -> Customer {
        let customer = try await actor.find(Customer.self, id, for: .edit, on: db)
        var input = input
        try await definition.validateReferences(&input, actor: actor, on: db)
        definition.requireCustom(&input, record: customer, actor: actor)
        if let parent = input.value("parent").flatMap(UUID.init(uuidString:)), try await parentWouldCycle(customer.id!, parent) {
            input.errors.add("parent", "error.cycle")
        }
        if input.value("settlementCustomer") == customer.id?.uuidString { input.errors.add("settlementCustomer", "error.invalidOption") }
        var newOwner: User?
        if let ownerID, ownerID != customer.ownerID {
            newOwner = try await resolveOwner(ownerID, current: customer.ownerID, into: &input.errors)
        }
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        if !allowDuplicates {
            // Only what changes is checked, so an existing near-twin does not block every edit.
            let changed = { (key: String) -> String? in input.has(key) && input.value(key) != definition.field(key)?.read(customer) ? input.value(key) : nil }
            let matches = try await CollisionCheck(db: db, actor: actor)
                .matches(name: changed("name"), phone: changed("phone"), creditCode: changed("creditCode"), excluding: customer.id)
            if !matches.isEmpty { throw CollisionFound(matches: matches) }
        }

        let before = definition.values(customer)
        let oldAutoMnemonic = Pinyin.mnemonic(customer.name)
        definition.apply(input, to: customer)
        // A mnemonic nobody edited follows the name.
        if !input.has("mnemonic"), customer.mnemonic == oldAutoMnemonic || Check.clean(customer.mnemonic) == nil {
            customer.mnemonic = Pinyin.mnemonic(customer.name)
        }
        if let owner = newOwner {
            customer.ownerID = owner.id
            customer.departmentID = owner.departmentID
        }
        let after = definition.values(customer)
        guard before != after else { return customer }
        try await db.writeTransaction { tx in
            try await customer.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Customer.entity, customer.id!, before: before, after: after)
        }
        return customer
    }

    func delete(_ id: UUID?) async throws {
        let customer = try await actor.find(Customer.self, id, for: .delete, on: db)
        try await db.writeTransaction { tx in
            customer.deletedBy = actor.userID
            try await customer.save(on: tx)
            try await customer.delete(on: tx)
            let audit = Audit(actor: actor, db: tx, now: now)
            try await audit.event(Customer.entity, customer.id!, .delete, field: nil, old: customer.name, new: nil)
            // Its contacts go to the bin with it, marked so that restoring the customer brings them back.
            for contact in try await actor.inOrg(Contact.self, on: tx).filter(\.$customerID == customer.id!).rows() {
                contact.deletedBy = actor.userID
                contact.deletedWith = customer.id
                try await contact.save(on: tx)
                try await contact.delete(on: tx)
                try await audit.event(Contact.entity, contact.id!, .delete, old: contact.name)
            }
        }
    }

    /// Would `parent` (or one of its parents) be the customer itself?
    private func parentWouldCycle(_ id: UUID, _ parent: UUID) async throws -> Bool {
        var current: UUID? = parent
        var seen: Set<UUID> = []
        while let c = current, seen.insert(c).inserted, seen.count < 50 {
            if c == id { return true }
            current = try await actor.inOrg(Customer.self, on: db).filter(\.$id == c).field(\.$id).field(\.$parentID).firstRow()?.parentID
        }
        return false
    }

    /// The owner must be an active employee of the same organisation; giving a customer to someone
    /// else needs the assign permission.
    private func resolveOwner(_ id: UUID, current: UUID?, into errors: inout FieldErrors) async throws -> User? {
        guard let user = try await actor.inOrg(User.self, on: db).filter(\.$id == id).firstRow(), user.status == .active else {
            errors.add("ownerID", "error.unknownUser")
            return nil
        }
        if id != actor.userID, id != current, !actor.can(.assign, .customers) {
            errors.add("ownerID", "error.assignNotAllowed")
            return nil
        }
        return user
    }
}
