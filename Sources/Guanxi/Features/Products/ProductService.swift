import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Products, their category tree and price strategies. Organisation data: the role's product actions
/// decide, with no data scope; the cost price follows the roles' field rules.
struct ProductService {
    let db: Database
    let actor: Actor
    let now: Date

    // MARK: reading

    struct ListQuery: Sendable {
        enum Sort: String, CaseIterable, Sendable { case name, code }
        var q: String?
        var categoryID: UUID?
        var status: String?
        var kind: String?
        var sort: Sort = .name
        var descending = false
        var cursor: PageCursor?
        var limit = 50
    }

    func list(_ query: ListQuery) async throws -> (items: [Product], next: PageCursor?) {
        try actor.require(.view, .products)
        let q = actor.inOrg(Product.self, on: db)
        if let text = Check.clean(query.q) {
            let like = "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            q.group(.or) { or in
                or.filter(\.$name, .custom("LIKE"), like)
                or.filter(\.$code, .custom("LIKE"), like)
                or.filter(\.$pinyin, .custom("LIKE"), like.lowercased())
                or.filter(\.$model, .custom("LIKE"), like)
            }
        }
        if let c = query.categoryID { q.filter(\.$categoryID ~~ (try await categorySubtree(c))) }
        if let s = query.status { q.filter(\.$status == s) }
        if let k = query.kind { q.filter(\.$kind == k) }
        let limit = max(1, min(query.limit, 200))
        let key: KeyPath<Product, FieldProperty<Product, String>> = query.sort == .code ? \.$code : \.$name
        if let c = query.cursor, let cid = UUID(uuidString: c.id) {
            q.after(query.sort == .code ? "code" : "name", c.value, id: cid, descending: query.descending)
        }
        let rows = try await q.sort(key, query.descending ? .descending : .ascending).sort(\.$id, query.descending ? .descending : .ascending)
            .limit(limit + 1).rows()
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { PageCursor(value: query.sort == .code ? $0.code : $0.name, id: $0.id!.uuidString) } : nil
        return (items, next)
    }

    func get(_ id: UUID?) async throws -> Product {
        try actor.require(.view, .products)
        guard let id, let p = try await actor.inOrg(Product.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        return p
    }

    // MARK: writing

    /// What a form or body asks beyond the declared fields.
    struct Extra: Sendable {
        /// nil leaves the category as it is; "" clears it.
        var categoryID: String?
        /// Saves although another product has the same name, when the policy only warns.
        var confirmDuplicate = false
    }

    func create(_ input: EntityInput, _ extra: Extra) async throws -> Product {
        try actor.require(.create, .products)
        let def = actor.definition(Product.definition)
        let p = Product(orgID: actor.orgID, createdBy: actor.userID)
        var input = input
        let category = try await checked(&input, extra, record: nil)
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        def.apply(input, to: p)
        p.categoryID = category ?? nil
        p.refreshSearchKeys()
        try await db.writeTransaction { [actor, now] tx in
            if p.code.isEmpty { p.code = try await Numbering.next(.product, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx) }
            try await p.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Product.entity, p.id!, Self.values(p, def))
        }
        return p
    }

    func update(_ id: UUID?, _ input: EntityInput, _ extra: Extra) async throws -> Product {
        try actor.require(.edit, .products)
        let def = actor.definition(Product.definition)
        let p = try await get(id)
        var input = input
        let category = try await checked(&input, extra, record: p)
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        let before = Self.values(p, def)
        def.apply(input, to: p)
        if let category { p.categoryID = category }
        if p.code.isEmpty { input.errors.add("code", "error.required"); throw AppError.invalid(input.errors) }
        let after = Self.values(p, def)
        guard before != after else { return p }
        try await db.writeTransaction { [actor, now] tx in
            try await p.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Product.entity, p.id!, before: before, after: after)
        }
        return p
    }

    func delete(_ id: UUID?) async throws {
        try actor.require(.delete, .products)
        let p = try await get(id)
        try await db.writeTransaction { [actor, now] tx in
            p.deletedBy = actor.userID
            try await p.save(on: tx)
            try await p.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Product.entity, p.id!, .delete, old: p.name)
        }
    }

    static func values(_ p: Product, _ def: EntityDefinition<Product>) -> FieldValues {
        var v = def.values(p)
        v["category"] = p.categoryID?.uuidString ?? ""
        return v
    }

    /// The entry policies and the rules between fields; returns the category to set (nil: unchanged, .some(nil): none).
    private func checked(_ input: inout EntityInput, _ extra: Extra, record: Product?) async throws -> UUID?? {
        let def = actor.definition(Product.definition)
        let policy = try await policy()
        if record == nil, !input.has("name") { input.errors.add("name", "error.required") }
        try await def.validateReferences(&input, actor: actor, on: db)
        def.requireCustom(&input, record: record, actor: actor)
        func current(_ key: String) -> String? {
            input.has(key) ? input.value(key) : record.flatMap { def.field(key)?.read($0) }
        }
        var category: UUID?? = nil
        if let raw = extra.categoryID {
            if raw.isEmpty {
                category = .some(nil)
            } else if let cid = UUID(uuidString: raw), try await actor.inOrg(ProductCategory.self, on: db).filter(\.$id == cid).exists() {
                category = .some(cid)
            } else {
                input.errors.add("category", "error.invalidOption")
            }
        }
        for key in policy.required where input.errors[key] == nil {
            let filled = key == "category" ? ((category ?? record?.categoryID) != nil) : !(current(key) ?? "").isEmpty
            // The code is drawn from the numbering rule when left empty on a new product.
            if !filled, !(key == "code" && record == nil) { input.errors.add(key, "error.required") }
        }
        // Prices must keep their order: floor ≤ list ≤ max.
        let list = current("listPrice").flatMap { Int64($0) }
        if let floor = current("floorPrice").flatMap({ Int64($0) }), let list, floor > list { input.errors.add("floorPrice", "error.floorAboveList") }
        if let max = current("maxPrice").flatMap({ Int64($0) }), let list, max < list { input.errors.add("maxPrice", "error.maxBelowList") }
        if input.has("code"), let code = input.value("code"), !code.isEmpty, input.errors["code"] == nil {
            let q = actor.inOrg(Product.self, on: db).filter(\.$code == code)
            if let id = record?.id { q.filter(\.$id != id) }
            if try await q.exists() { input.errors.add("code", "error.codeTaken") }
        }
        // Only a new or changed name is checked: a policy made stricter later does not lock existing duplicates.
        if input.has("name"), let name = input.value("name"), name != record?.name, input.errors["name"] == nil, policy.duplicateName != .allow,
           !(policy.duplicateName == .warn && extra.confirmDuplicate) {
            let q = actor.inOrg(Product.self, on: db).filter(\.$name == name)
            if let id = record?.id { q.filter(\.$id != id) }
            if try await q.exists() { input.errors.add("name", policy.duplicateName == .forbid ? "error.duplicateName" : "error.duplicateNameWarn") }
        }
        return category
    }

    // MARK: policy

    func policy() async throws -> ProductPolicy {
        try await Organization.find(actor.orgID, on: db)?.productPolicy ?? ProductPolicy()
    }

    func savePolicy(_ new: ProductPolicy) async throws {
        try actor.require(.edit, .admin)
        guard let org = try await Organization.find(actor.orgID, on: db) else { throw AppError.notFound }
        var errors = FieldErrors()
        if new.required.contains(where: { !ProductPolicy.requirable.contains($0) }) { errors.add("required", "error.invalidOption") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let old = org.productPolicy ?? ProductPolicy()
        guard old != new else { return }
        org.productPolicy = new
        try await db.writeTransaction { [actor, now] tx in
            try await org.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event("organization", org.id!, .update, field: "productPolicy",
                                                                  old: Self.describe(old), new: Self.describe(new))
        }
    }

    static func describe(_ p: ProductPolicy) -> String {
        "duplicateName=\(p.duplicateName.rawValue); required=\(p.required.joined(separator: ",")); floor=\(p.floor.rawValue)"
    }

    // MARK: categories

    func categoryTree() async throws -> [(node: ProductCategory, depth: Int)] {
        try actor.require(.view, .products)
        let all = try await actor.inOrg(ProductCategory.self, on: db).limit(10_000).rows()
        return Tree.flatten(all, id: { $0.id! }, parent: { $0.parentID }, sortKey: { String(format: "%06d", $0.sortOrder) + $0.name })
    }

    /// The category and every category below it.
    func categorySubtree(_ id: UUID) async throws -> [UUID] {
        [id] + (try await Hierarchy.descendants(of: id, table: ProductCategory.schema, parentColumn: "parent_id", orgID: actor.orgID, on: db))
    }

    func addCategory(name raw: String?, parentID: String?) async throws -> ProductCategory {
        try actor.require(.edit, .products)
        var errors = FieldErrors()
        let name = Check.required(raw, "name", max: 50, into: &errors)
        var parent: UUID?
        if let p = Check.clean(parentID) {
            parent = UUID(uuidString: p)
            if try await parent.asyncMap({ try await actor.inOrg(ProductCategory.self, on: db).filter(\.$id == $0).firstRow() }) == nil {
                errors.add("parentID", "error.invalidOption")
            }
        }
        if errors.isEmpty, try await siblingNamed(name, parent: parent, except: nil) { errors.add("name", "error.duplicateName") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let order = try await actor.inOrg(ProductCategory.self, on: db).filter(\.$parentID == parent).countRows()
        let c = ProductCategory(orgID: actor.orgID, parentID: parent, name: name, sortOrder: order)
        try await db.writeTransaction { [actor, now] tx in
            try await c.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(ProductCategory.entity, c.id!, .create, new: name)
        }
        return c
    }

    func renameCategory(_ id: UUID?, name raw: String?) async throws {
        try actor.require(.edit, .products)
        guard let id, let c = try await actor.inOrg(ProductCategory.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        var errors = FieldErrors()
        let name = Check.required(raw, "name", max: 50, into: &errors)
        if errors.isEmpty, try await siblingNamed(name, parent: c.parentID, except: id) { errors.add("name", "error.duplicateName") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let old = c.name
        guard old != name else { return }
        c.name = name
        try await db.writeTransaction { [actor, now] tx in
            try await c.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(ProductCategory.entity, id, .update, field: "name", old: old, new: name)
        }
    }

    /// Only an empty category goes: no categories below it and no products in it (deleted ones included, so a restore finds its place).
    func deleteCategory(_ id: UUID?) async throws {
        try actor.require(.edit, .products)
        guard let id, let c = try await actor.inOrg(ProductCategory.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        if try await actor.inOrg(ProductCategory.self, on: db).filter(\.$parentID == id).exists() { throw AppError.conflict("error.categoryHasChildren") }
        if try await actor.inOrgWithDeleted(Product.self, on: db).filter(\.$categoryID == id).exists() { throw AppError.conflict("error.categoryHasProducts") }
        try await db.writeTransaction { [actor, now] tx in
            try await c.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(ProductCategory.entity, id, .delete, old: c.name)
        }
    }

    private func siblingNamed(_ name: String, parent: UUID?, except: UUID?) async throws -> Bool {
        let q = actor.inOrg(ProductCategory.self, on: db).filter(\.$parentID == parent).filter(\.$name == name)
        if let except { q.filter(\.$id != except) }
        return try await q.exists()
    }

    // MARK: price strategies

    func prices(_ productID: UUID) async throws -> [ProductPrice] {
        try await actor.inOrg(ProductPrice.self, on: db).filter(\.$productID == productID).sort(\.$price).limit(500).rows()
    }

    struct PriceInput: Sendable, Codable {
        var unit: String?
        var customerCategory: String?
        var customerLevel: String?
        var departmentID: String?
        /// As typed ("1,280.50") in a form; in fen through the API.
        var price: String?
    }

    func addPrice(_ productID: UUID?, _ input: PriceInput, priceInFen: Bool) async throws -> ProductPrice {
        try actor.require(.edit, .products)
        let p = try await get(productID)
        var errors = FieldErrors()
        let unit = Check.optional(input.unit, "unit", max: 10, into: &errors)
        let dict = DictionaryService(db: db, actor: actor, now: now)
        let category = Check.clean(input.customerCategory)
        if let category, try await !dict.isValid(.category, category) { errors.add("customerCategory", "error.invalidOption") }
        let level = Check.clean(input.customerLevel)
        if let level, try await !dict.isValid(.level, level) { errors.add("customerLevel", "error.invalidOption") }
        var department: UUID?
        if let raw = Check.clean(input.departmentID) {
            department = UUID(uuidString: raw)
            if try await department.asyncMap({ try await actor.inOrg(Department.self, on: db).filter(\.$id == $0).firstRow() }) == nil {
                errors.add("departmentID", "error.invalidOption")
            }
        }
        var price: Int64?
        if let raw = Check.clean(input.price) {
            price = priceInFen ? Int64(raw) : Money.parse(raw, decimals: actor.org.moneyDecimals)
            if price.map({ $0 < 0 }) ?? true { errors.add("price", "error.money"); price = nil }
        } else {
            errors.add("price", "error.required")
        }
        guard errors.isEmpty, let price else { throw AppError.invalid(errors) }
        let rule = PriceRule(unit: unit, customerCategory: category, customerLevel: level, departmentID: department, price: price)
        if try await prices(p.id!).contains(where: { $0.rule.sameCriteria(as: rule) }) { errors.add("price", "error.priceRuleExists"); throw AppError.invalid(errors) }
        let row = ProductPrice(orgID: actor.orgID, productID: p.id!, rule: rule)
        try await db.writeTransaction { [actor, now] tx in
            try await row.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Product.entity, p.id!, .update, field: "priceRule", new: Self.describe(rule))
        }
        return row
    }

    func removePrice(_ productID: UUID?, _ priceID: UUID?) async throws {
        try actor.require(.edit, .products)
        let p = try await get(productID)
        guard let priceID, let row = try await actor.inOrg(ProductPrice.self, on: db).filter(\.$id == priceID).filter(\.$productID == p.id!).firstRow()
        else { throw AppError.notFound }
        try await db.writeTransaction { [actor, now] tx in
            try await row.delete(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Product.entity, p.id!, .update, field: "priceRule", old: Self.describe(row.rule))
        }
    }

    static func describe(_ r: PriceRule) -> String {
        [r.unit.map { "unit=\($0)" }, r.customerCategory.map { "category=\($0)" }, r.customerLevel.map { "level=\($0)" },
         r.departmentID.map { "department=\($0.uuidString)" }, "price=\(r.price)"].compactMap { $0 }.joined(separator: "; ")
    }

    /// The price this actor would offer a customer for a unit of the product (PRD-02).
    func price(_ productID: UUID?, customerID: UUID?, unit: String?) async throws -> (price: Int64, source: PriceStrategy.Source)? {
        let p = try await get(productID)
        var context = PriceContext(unit: Check.clean(unit))
        if let customerID {
            let c = try await actor.find(Customer.self, customerID, for: .view, on: db)
            context.customerCategory = c.category
            context.customerLevel = c.level
        }
        if let dept = actor.departmentID {
            context.departmentIDs = [dept] + (try await Hierarchy.ancestors(of: dept, table: "departments", parentColumn: "parent_id", orgID: actor.orgID, on: db))
        }
        return PriceStrategy.price(rules: try await prices(p.id!).map(\.rule), listPrice: p.listPrice, baseUnit: p.unit, context: context)
    }
}

extension ProductCategory {
    static let entity = "productCategory"
}

extension PriceRule {
    func sameCriteria(as other: PriceRule) -> Bool {
        unit == other.unit && customerCategory == other.customerCategory && customerLevel == other.customerLevel && departmentID == other.departmentID
    }
}

extension Optional {
    func asyncMap<T>(_ f: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await f(self)
    }
}
