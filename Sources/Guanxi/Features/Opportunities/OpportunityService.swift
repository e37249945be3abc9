import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Opportunities through the pipeline: creating and editing them, moving them between stages,
/// closing them as won or lost, their product lines, and the organisation's stages.
struct OpportunityService {
    let db: Database
    let actor: Actor
    let now: Date

    /// Whose opportunities: my own, my team's (my department and those below it, within my scope),
    /// or everything my scope shows.
    enum View: String, CaseIterable, Sendable {
        case mine, team, all
        var labelKey: String { "opportunity.view.\(rawValue)" }

        static func available(to actor: Actor, in module: Module) -> [View] {
            actor.policy.scope(for: module) == .all ? allCases : [.mine, .team]
        }
    }

    /// The views this actor has: "all" only when the scope reaches past the team.
    var views: [View] { View.available(to: actor, in: .opportunities) }

    // MARK: stages

    func stages(includeInactive: Bool = false) async throws -> [OpportunityStage] {
        try await actor.shared("stages.\(includeInactive)") {
            let q = actor.inOrg(OpportunityStage.self, on: db)
            if !includeInactive { q.filter(\.$isActive == true) }
            return try await q.sort(\.$sortOrder).sort(\.$name).rows()
        }
    }

    struct StageInput: Sendable {
        var name: String?
        var nameEn: String?
        var probability: String?
        var sortOrder: String?
        var isActive: Bool?
    }

    func saveStage(_ id: UUID?, _ input: StageInput) async throws -> OpportunityStage {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let name = Check.required(input.name, "name", max: 30, into: &errors)
        let nameEn = Check.optional(input.nameEn, "nameEn", max: 40, into: &errors)
        let probability = Check.clean(input.probability).flatMap { Int($0) }
        if probability.map({ !(0...100).contains($0) }) ?? true { errors.add("probability", "error.percent") }
        let order = Check.clean(input.sortOrder).map { Int($0) }
        if order == .some(nil) { errors.add("sortOrder", "error.number") }
        let existing = try await id.asyncMap { id in try await actor.inOrg(OpportunityStage.self, on: db).filter(\.$id == id).firstRow() }
        if id != nil, existing == nil { throw AppError.notFound }
        if errors["name"] == nil {
            let q = actor.inOrg(OpportunityStage.self, on: db).filter(\.$name == name)
            if let id { q.filter(\.$id != id) }
            if try await q.exists() { errors.add("name", "error.duplicateName") }
        }
        guard errors.isEmpty, let probability else { throw AppError.invalid(errors) }
        let count = try await actor.inOrg(OpportunityStage.self, on: db).countRows()
        let stage = existing ?? OpportunityStage(orgID: actor.orgID, name: name, nameEn: nameEn, probability: probability, sortOrder: count)
        let before = existing.map(Self.stageValues) ?? [:]
        stage.name = name
        stage.nameEn = nameEn
        stage.probability = probability
        if let o = order ?? nil { stage.sortOrder = o }
        if let active = input.isActive { stage.isActive = active }
        if stage.isActive == false {
            let live = try await actor.inOrg(OpportunityStage.self, on: db).filter(\.$isActive == true).filter(\.$id != stage.id!).countRows()
            if live == 0 { errors.add("isActive", "error.lastStage"); throw AppError.invalid(errors) }
        }
        let after = Self.stageValues(stage)
        guard before != after else { return stage }
        try await db.writeTransaction { [actor, now] tx in
            try await stage.save(on: tx)
            if existing == nil {
                try await Audit(actor: actor, db: tx, now: now).created("opportunityStage", stage.id!, after)
            } else {
                try await Audit(actor: actor, db: tx, now: now).updated("opportunityStage", stage.id!, before: before, after: after)
            }
        }
        return stage
    }

    static func stageValues(_ s: OpportunityStage) -> FieldValues {
        ["name": s.name, "nameEn": s.nameEn ?? "", "probability": String(s.probability), "sortOrder": String(s.sortOrder), "isActive": String(s.isActive)]
    }

    private func activeStage(_ raw: String?, into errors: inout FieldErrors) async throws -> OpportunityStage? {
        if let raw = Check.clean(raw) {
            guard let id = UUID(uuidString: raw),
                  let s = try await actor.inOrg(OpportunityStage.self, on: db).filter(\.$id == id).filter(\.$isActive == true).firstRow() else {
                errors.add("stageID", "error.invalidOption")
                return nil
            }
            return s
        }
        guard let first = try await stages().first else { errors.add("stageID", "error.noStages"); return nil }
        return first
    }

    // MARK: reading

    func get(_ id: UUID?, for action: Action = .view) async throws -> Opportunity {
        try await actor.find(Opportunity.self, id, for: action, on: db)
    }

    struct ListQuery: Sendable {
        enum Sort: String, CaseIterable, Sendable { case recent, amount }
        var view: View = .mine
        var status: OpportunityStatus?
        var stageID: UUID?
        var customerID: UUID?
        var q: String?
        var sort: Sort = .recent
        var cursor: PageCursor?
        var limit = 50
    }

    /// The view's filter on top of the scope.
    private func narrow(_ q: QueryBuilder<Opportunity>, _ view: View) {
        switch view {
        case .mine: q.filter(\.$ownerID == actor.userID)
        case .team: actor.narrowToTeam(q)
        case .all: break
        }
    }

    func list(_ query: ListQuery) async throws -> (items: [Opportunity], next: PageCursor?) {
        let q = try actor.query(Opportunity.self, .view, on: db)
        if query.customerID == nil { narrow(q, query.view) }
        if let s = query.status { q.filter(\.$status == s.rawValue) }
        if let s = query.stageID { q.filter(\.$stageID == s) }
        if let c = query.customerID { q.filter(\.$customerID == c) }
        if let text = Check.clean(query.q) {
            q.filter(\.$name, .custom("LIKE"), "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%")
        }
        let limit = max(1, min(query.limit, 200))
        switch query.sort {
        case .recent:
            if let c = query.cursor, let cid = UUID(uuidString: c.id) { q.filter(\.$id < cid) }
            q.sort(\.$id, .descending)
        case .amount:
            if let c = query.cursor, let cid = UUID(uuidString: c.id), let v = Int64(c.value) { q.after("amount", v, id: cid, descending: true) }
            q.sort(\.$amount, .descending).sort(\.$id, .descending)
        }
        let rows = try await q.limit(limit + 1).rows()
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { PageCursor(value: String($0.amount), id: $0.id!.uuidString) } : nil
        return (items, next)
    }

    struct Column: Sendable {
        let stage: OpportunityStage
        let count: Int
        let amount: Int64
        let weighted: Int64
        let cards: [Opportunity]
    }

    /// The kanban board (OPP-02): each active stage with its open opportunities' count and sums, and the
    /// largest `cardsPerStage` of them as cards.
    func board(_ view: View, cardsPerStage: Int = 20) async throws -> [Column] {
        let stages = try await stages()
        let totals = try await stageTotals(view, status: .open)
        var out: [Column] = []
        for s in stages {
            let q = try actor.query(Opportunity.self, .view, on: db).filter(\.$status == OpportunityStatus.open.rawValue).filter(\.$stageID == s.id!)
            narrow(q, view)
            let cards = try await q.sort(\.$amount, .descending).sort(\.$id, .descending).limit(cardsPerStage).rows()
            let t = totals[s.id!]
            out.append(Column(stage: s, count: t?.count ?? 0, amount: t?.amount ?? 0, weighted: t?.weighted ?? 0, cards: cards))
        }
        return out
    }

    // MARK: analyses (OPP-03)

    /// The view over opportunities (`o`), or over their tallies (`t`: people and departments only,
    /// as tallies keep no record shares).
    private func viewSQL(_ view: View, tallies: Bool = false) throws -> SQLQueryString {
        let o = tallies ? "t" : "o"
        var sql = try actor.scopeSQL(Opportunity.self, alias: o, shares: !tallies)
        if !tallies { sql.appendLiteral(" AND o.deleted_at IS NULL") }
        switch view {
        case .mine: sql.appendInterpolation(" AND \(ident: o).owner_id = \(bind: actor.userID)" as SQLQueryString)
        case .team:
            if actor.policy.scope(for: .opportunities) == .all {
                let tree = actor.scope.departmentTreeIDs.compactMap(UUID.init(uuidString:)).sorted { $0.uuidString < $1.uuidString }
                if tree.isEmpty {
                    sql.appendInterpolation(" AND \(ident: o).owner_id = \(bind: actor.userID)" as SQLQueryString)
                } else {
                    sql.appendInterpolation(" AND (\(ident: o).owner_id = \(bind: actor.userID) OR \(ident: o).department_id IN (\(binds: tree)))" as SQLQueryString)
                }
            }
        case .all: break
        }
        return sql
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let s = db as? any SQLDatabase else { throw AppError.badRequest() }
            return s
        }
    }

    private struct TotalsRow: Decodable {
        let key: String?
        let n: Int
        let amount: Int64?
        let wsum: Int64?

        init(key: String?, n: Int, amount: Int64?, wsum: Int64?) {
            self.key = key
            self.n = n
            self.amount = amount
            self.wsum = wsum
        }

        enum CodingKeys: String, CodingKey { case key, n, amount, wsum }

        /// Keys are text or, for ids on PostgreSQL, uuid.
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            key = (try? c.decodeIfPresent(String.self, forKey: .key)) ?? (try? c.decodeIfPresent(UUID.self, forKey: .key))?.uuidString
            n = try c.decode(Int.self, forKey: .n)
            amount = try c.decodeIfPresent(Int64.self, forKey: .amount)
            wsum = try c.decodeIfPresent(Int64.self, forKey: .wsum)
        }
    }

    /// Count, amount and weighted amount per stage for one status.
    func stageTotals(_ view: View, status: OpportunityStatus) async throws -> [UUID: Pipeline.StageCount] {
        let rows = try await sql.raw("""
            SELECT t.stage_id AS key, CAST(SUM(t.n) AS BIGINT) AS n, CAST(SUM(t.amount) AS BIGINT) AS amount, CAST(SUM(t.weighted) AS BIGINT) AS wsum
            FROM opportunity_tallies t WHERE \(try viewSQL(view, tallies: true)) AND t.status = \(bind: status.rawValue) GROUP BY t.stage_id
            """).all(decoding: TotalsRow.self)
        var out: [UUID: Pipeline.StageCount] = [:]
        for r in rows {
            guard let key = r.key, let id = UUID(uuidString: key) else { continue }
            out[id] = .init(stageID: id.uuidString, count: r.n, amount: r.amount ?? 0, weighted: Pipeline.percentOf(r.wsum ?? 0))
        }
        return out
    }

    struct Funnel: Sendable {
        let rows: [(stage: OpportunityStage, row: Pipeline.FunnelRow)]
        let won: (count: Int, amount: Int64)
        let lost: (count: Int, amount: Int64)
    }

    /// The sales funnel (销售漏斗): open opportunities by stage, how many got at least that far, and
    /// the won and lost ones closed in the period (by their close date; nil: ever).
    func funnel(_ view: View, closedFrom: String?, closedTo: String?) async throws -> Funnel {
        let stages = try await stages(includeInactive: true)
        let open = try await stageTotals(view, status: .open)
        let results: [TotalsRow]
        if let closedFrom, let closedTo {
            results = try await sql.raw("""
                SELECT o.status AS key, COUNT(*) AS n, CAST(SUM(o.amount) AS BIGINT) AS amount, 0 AS wsum FROM opportunities o
                WHERE \(try viewSQL(view)) AND o.status IN ('won', 'lost') AND o.closed_on >= \(bind: closedFrom) AND o.closed_on <= \(bind: closedTo)
                GROUP BY o.status
                """).all(decoding: TotalsRow.self)
        } else {
            results = try await sql.raw("""
                SELECT t.status AS key, CAST(SUM(t.n) AS BIGINT) AS n, CAST(SUM(t.amount) AS BIGINT) AS amount, 0 AS wsum FROM opportunity_tallies t
                WHERE \(try viewSQL(view, tallies: true)) AND t.status IN ('won', 'lost') GROUP BY t.status
                """).all(decoding: TotalsRow.self)
        }
        let won = results.first { $0.key == "won" }, lost = results.first { $0.key == "lost" }
        // Inactive stages still count while opportunities sit in them.
        let shown = stages.filter { $0.isActive || (open[$0.id!]?.count ?? 0) > 0 }
        let rows = Pipeline.funnel(stages: shown.map { $0.id!.uuidString }, counts: Array(open.values), won: won?.n ?? 0)
        return Funnel(rows: Array(zip(shown, rows)).map { ($0.0, $0.1) }, won: (won?.n ?? 0, won?.amount ?? 0), lost: (lost?.n ?? 0, lost?.amount ?? 0))
    }

    struct MonthRow: Sendable, Equatable {
        let month: String
        let count: Int
        let amount: Int64
        let weighted: Int64
        let won: Int64
    }

    /// The forecast by month (销售预测): open opportunities by expected close month with their weighted
    /// amount, beside what was won in that month.
    func forecast(_ view: View, fromMonth: String, months: Int) async throws -> [MonthRow] {
        let keys = (0..<max(1, min(months, 24))).compactMap { PlanPeriod.month.moving($0, from: fromMonth + "-01").map { String($0.prefix(7)) } }
        guard let first = keys.first, let last = keys.last else { return [] }
        func byMonth(_ status: OpportunityStatus) async throws -> [TotalsRow] {
            try await sql.raw("""
                SELECT t.month AS key, CAST(SUM(t.n) AS BIGINT) AS n, CAST(SUM(t.amount) AS BIGINT) AS amount, CAST(SUM(t.weighted) AS BIGINT) AS wsum
                FROM opportunity_tallies t WHERE \(try viewSQL(view, tallies: true)) AND t.status = \(bind: status.rawValue)
                AND t.month >= \(bind: first) AND t.month <= \(bind: last) GROUP BY t.month
                """).all(decoding: TotalsRow.self)
        }
        let open = try await byMonth(.open)
        let won = try await byMonth(.won)
        let o = Dictionary(open.compactMap { r in r.key.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        let w = Dictionary(won.compactMap { r in r.key.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        return keys.map { k in
            MonthRow(month: k, count: o[k]?.n ?? 0, amount: o[k]?.amount ?? 0, weighted: Pipeline.percentOf(o[k]?.wsum ?? 0), won: w[k]?.amount ?? 0)
        }
    }

    struct TrendQuery: Sendable {
        var status: OpportunityStatus = .won
        var period: PlanPeriod = .month
        var from: String
        var to: String
        var productID: UUID?
    }

    struct Bucket: Sendable, Equatable {
        let start: String
        let count: Int
        let amount: Int64
    }

    /// The trend (销售走势): opportunities created (open), won or lost per day, week or month, for one
    /// product if asked. Rows are grouped by date in SQL and folded into periods here.
    func trend(_ view: View, _ query: TrendQuery) async throws -> [Bucket] {
        let buckets = Pipeline.buckets(query.period, from: query.from, to: query.to)
        guard !buckets.isEmpty else { return [] }
        var product: SQLQueryString = ""
        if let p = query.productID {
            product = " AND o.id IN (SELECT l.opportunity_id FROM opportunity_lines l WHERE l.org_id = \(bind: actor.orgID) AND l.product_id = \(bind: p))"
        }
        let rows: [TotalsRow]
        if query.status == .open {
            // Opportunities opened in the period, by the day they were created in the organisation's time zone.
            let zone = actor.org.timeZone
            guard let start = LocalTime.parse(query.from + "T00:00", in: zone),
                  let end = CalendarDate.adding(1, to: query.to).flatMap({ LocalTime.parse($0 + "T00:00", in: zone) }) else { return [] }
            let created = try await sql.raw("""
                SELECT o.created_at AS at, o.amount AS amount FROM opportunities o
                WHERE \(try viewSQL(view)) AND o.created_at >= \(bind: start) AND o.created_at < \(bind: end)\(product) LIMIT 200000
                """).all(decoding: CreatedRow.self)
            var byDay: [String: (Int, Int64)] = [:]
            for r in created {
                let d = CalendarDate.of(r.at, in: actor.org.timeZone)
                byDay[d, default: (0, 0)].0 += 1
                byDay[d, default: (0, 0)].1 += r.amount
            }
            rows = byDay.map { TotalsRow(key: $0.key, n: $0.value.0, amount: $0.value.1, wsum: 0) }
        } else {
            rows = try await sql.raw("""
                SELECT o.closed_on AS key, COUNT(*) AS n, CAST(SUM(o.amount) AS BIGINT) AS amount, 0 AS wsum FROM opportunities o
                WHERE \(try viewSQL(view)) AND o.status = \(bind: query.status.rawValue) AND o.closed_on >= \(bind: query.from) AND o.closed_on <= \(bind: query.to)\(product)
                GROUP BY o.closed_on
                """).all(decoding: TotalsRow.self)
        }
        var sums: [String: (Int, Int64)] = [:]
        for r in rows {
            guard let day = r.key, let start = query.period.start(of: day) else { continue }
            sums[start, default: (0, 0)].0 += r.n
            sums[start, default: (0, 0)].1 += r.amount ?? 0
        }
        return buckets.map { Bucket(start: $0, count: sums[$0]?.0 ?? 0, amount: sums[$0]?.1 ?? 0) }
    }

    private struct CreatedRow: Decodable {
        let at: Date
        let amount: Int64
    }

    enum Dimension: String, CaseIterable, Sendable {
        case source, stage, owner, product
        var labelKey: String { "opportunity.by.\(rawValue)" }
    }

    struct Slice: Sendable {
        let key: String
        let count: Int
        let amount: Int64
    }

    /// The composition (销售构成) of open, won or lost opportunities by source, stage, owner or product.
    func composition(_ view: View, status: OpportunityStatus, by dimension: Dimension) async throws -> [Slice] {
        let rows: [TotalsRow]
        switch dimension {
        case .product:
            rows = try await sql.raw("""
                SELECT l.product_id AS key, COUNT(DISTINCT o.id) AS n, CAST(SUM(l.quantity * l.price) AS BIGINT) AS amount, 0 AS wsum
                FROM opportunities o JOIN opportunity_lines l ON l.opportunity_id = o.id
                WHERE \(try viewSQL(view)) AND o.status = \(bind: status.rawValue) GROUP BY l.product_id
                """).all(decoding: TotalsRow.self)
        default:
            let column: SQLQueryString = dimension == .source ? "o.source" : dimension == .stage ? "o.stage_id" : "o.owner_id"
            rows = try await sql.raw("""
                SELECT \(column) AS key, COUNT(*) AS n, CAST(SUM(o.amount) AS BIGINT) AS amount, 0 AS wsum FROM opportunities o
                WHERE \(try viewSQL(view)) AND o.status = \(bind: status.rawValue) GROUP BY \(column)
                """).all(decoding: TotalsRow.self)
        }
        return rows.map { Slice(key: $0.key ?? "", count: $0.n, amount: $0.amount ?? 0) }.sorted { $0.amount > $1.amount }
    }

    // MARK: writing

    /// What a form or body asks beyond the declared fields.
    struct Extra: Sendable {
        var stageID: String?
        /// nil leaves the owner as it is.
        var ownerID: String?
        /// nil leaves the contact; "" clears it.
        var contactID: String?
    }

    func create(_ input: EntityInput, _ extra: Extra) async throws -> Opportunity {
        try actor.require(.create, .opportunities)
        let def = actor.definition(Opportunity.definition)
        var input = input
        for key in ["name", "customer"] where !input.has(key) && input.errors[key] == nil { input.errors.add(key, "error.required") }
        try await def.validateReferences(&input, actor: actor, on: db)
        def.requireCustom(&input, record: nil, actor: actor)
        let stage = try await activeStage(extra.stageID, into: &input.errors)
        let owner = try await owner(extra.ownerID, into: &input.errors)
        guard input.errors.isEmpty, let stage, let owner, let customer = input.value("customer").flatMap(UUID.init(uuidString:)) else {
            throw AppError.invalid(input.errors)
        }
        let o = Opportunity(orgID: actor.orgID, customerID: customer, owner: owner.id!, departmentID: owner.departmentID, stage: stage,
                            createdBy: actor.userID, now: now)
        def.apply(input, to: o)
        o.contactID = try await contact(extra.contactID, customer: customer, into: &input.errors) ?? nil
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        try await db.writeTransaction { [actor, now] tx in
            try await o.create(on: tx)
            try await OpportunityTally.apply("id = \(bind: o.id!)", sign: 1, orgID: actor.orgID, on: tx)
            try await OpportunityStageChange(o, fromStage: nil, fromStatus: nil, by: actor.userID, at: now).create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created(Opportunity.entity, o.id!, Self.values(o, def))
            if owner.id != actor.userID {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: owner.id!, kind: "opportunityAssigned", messageKey: "notify.opportunityAssigned",
                                                         args: [actor.name, o.name], link: Paths.opportunity(o.id!), dedupeKey: nil, at: now), on: tx)
            }
        }
        return o
    }

    func update(_ id: UUID?, _ input: EntityInput, _ extra: Extra) async throws -> Opportunity {
        let o = try await get(id, for: .edit)
        let def = actor.definition(Opportunity.definition)
        var input = input
        try await def.validateReferences(&input, actor: actor, on: db)
        def.requireCustom(&input, record: o, actor: actor)
        if input.has("amount"), input.value("amount") != String(o.amount), try await hasLines(o.id!) { input.errors.add("amount", "error.amountFromLines") }
        let owner = try await extra.ownerID.asyncMap { raw in try await self.owner(raw, into: &input.errors) } ?? nil
        let before = Self.values(o, def)
        let customerBefore = o.customerID
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        def.apply(input, to: o)
        // Another customer: a contact of the old one no longer fits.
        if o.customerID != customerBefore, extra.contactID == nil { o.contactID = nil }
        if let c = try await contact(extra.contactID, customer: o.customerID, into: &input.errors) { o.contactID = c }
        if let owner { o.ownerID = owner.id!; o.departmentID = owner.departmentID }
        guard input.errors.isEmpty else { throw AppError.invalid(input.errors) }
        let after = Self.values(o, def)
        guard before != after else { return o }
        try await db.writeTransaction { [actor, now] tx in
            try await OpportunityTally.around(o.id!, orgID: actor.orgID, on: tx) { try await o.save(on: tx) }
            try await Audit(actor: actor, db: tx, now: now).updated(Opportunity.entity, o.id!, before: before, after: after)
            if let owner, owner.id != actor.userID, before["owner"] != after["owner"] {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: owner.id!, kind: "opportunityAssigned", messageKey: "notify.opportunityAssigned",
                                                         args: [actor.name, o.name], link: Paths.opportunity(o.id!), dedupeKey: nil, at: now), on: tx)
            }
        }
        return o
    }

    /// Moves an open opportunity to another stage; the stage's probability comes with it.
    func move(_ id: UUID?, stage raw: String?) async throws -> Opportunity {
        let o = try await get(id, for: .edit)
        var errors = FieldErrors()
        guard o.state == .open else { errors.add("stageID", "error.opportunityClosed"); throw AppError.invalid(errors) }
        guard let stage = try await activeStage(raw ?? "", into: &errors), Check.clean(raw) != nil else {
            if errors.isEmpty { errors.add("stageID", "error.required") }
            throw AppError.invalid(errors)
        }
        guard stage.id != o.stageID else { return o }
        return try await change(o, stage: stage, status: .open)
    }

    struct Close: Sendable {
        var status: String?
        var lostReason: String?
        var note: String?
        /// The stage a reopened opportunity goes back to (default: the one it closed in).
        var stageID: String?
    }

    /// Wins, loses or reopens an opportunity. A lost one needs a reason from the dictionary.
    func close(_ id: UUID?, _ input: Close) async throws -> Opportunity {
        let o = try await get(id, for: .edit)
        var errors = FieldErrors()
        guard let next = Check.clean(input.status).flatMap(OpportunityStatus.init(rawValue:)) else {
            errors.add("status", "error.invalidOption")
            throw AppError.invalid(errors)
        }
        guard o.state.canMove(to: next) else { errors.add("status", "error.opportunityStatusMove"); throw AppError.invalid(errors) }
        let note = Check.optional(input.note, "note", max: 500, into: &errors)
        var reason: String?
        if next == .lost {
            reason = Check.clean(input.lostReason)
            if let r = reason {
                if try await !DictionaryService(db: db, actor: actor, now: now).isValid(.lostReason, r) { errors.add("lostReason", "error.invalidOption") }
            } else {
                errors.add("lostReason", "error.required")
            }
        }
        var stage: OpportunityStage?
        if next == .open {
            if Check.clean(input.stageID) != nil {
                stage = try await activeStage(input.stageID, into: &errors)
            } else {
                stage = try await actor.inOrg(OpportunityStage.self, on: db).filter(\.$id == o.stageID).firstRow()
            }
        } else {
            stage = try await actor.inOrg(OpportunityStage.self, on: db).filter(\.$id == o.stageID).firstRow()
        }
        guard errors.isEmpty, let stage else { throw AppError.invalid(errors) }
        let before = Self.values(o, actor.definition(Opportunity.definition))
        o.lostReason = reason
        o.closeNote = note
        return try await change(o, stage: stage, status: next, before: before)
    }

    private func change(_ o: Opportunity, stage: OpportunityStage, status: OpportunityStatus, before: FieldValues? = nil) async throws -> Opportunity {
        let def = actor.definition(Opportunity.definition)
        let before = before ?? Self.values(o, def)
        let fromStage = o.stageID, fromStatus = o.state
        o.stageID = stage.id!
        o.status = status.rawValue
        o.stageChangedAt = now
        switch status {
        case .open:
            o.probability = stage.probability
            o.closedOn = nil
            o.lostReason = nil
        case .won:
            o.probability = 100
            o.closedOn = CalendarDate.of(now, in: actor.org.timeZone)
        case .lost:
            o.probability = 0
            o.closedOn = CalendarDate.of(now, in: actor.org.timeZone)
        }
        let after = Self.values(o, def)
        try await db.writeTransaction { [actor, now] tx in
            try await OpportunityTally.around(o.id!, orgID: actor.orgID, on: tx) { try await o.save(on: tx) }
            try await OpportunityStageChange(o, fromStage: fromStage, fromStatus: fromStatus, by: actor.userID, at: now).create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated(Opportunity.entity, o.id!, before: before, after: after)
        }
        return o
    }

    func delete(_ id: UUID?) async throws {
        let o = try await get(id, for: .delete)
        try await db.writeTransaction { [actor, now] tx in
            o.deletedBy = actor.userID
            try await OpportunityTally.around(o.id!, orgID: actor.orgID, on: tx) {
                try await o.save(on: tx)
                try await o.delete(on: tx)
            }
            try await Audit(actor: actor, db: tx, now: now).event(Opportunity.entity, o.id!, .delete, old: o.name)
        }
    }

    func stageHistory(_ id: UUID) async throws -> [OpportunityStageChange] {
        try await actor.inOrg(OpportunityStageChange.self, on: db).filter(\.$opportunityID == id).sort(\.$changedAt, .descending).limit(200).rows()
    }

    /// Audit values: the declared fields plus stage, status, result and contact.
    static func values(_ o: Opportunity, _ def: EntityDefinition<Opportunity>) -> FieldValues {
        var v = def.values(o)
        v["stage"] = o.stageID.uuidString
        v["status"] = o.status
        v["probability"] = String(o.probability)
        v["lostReason"] = o.lostReason ?? ""
        v["closeNote"] = o.closeNote ?? ""
        v["contact"] = o.contactID?.uuidString ?? ""
        return v
    }

    private func owner(_ raw: String?, into errors: inout FieldErrors) async throws -> User? {
        let id = Check.clean(raw).map { UUID(uuidString: $0) }
        if id == .some(nil) { errors.add("ownerID", "error.assignNotAllowed"); return nil }
        guard let user = try await actor.assignee(id ?? nil, module: .opportunities, on: db) else {
            errors.add("ownerID", "error.assignNotAllowed")
            return nil
        }
        return user
    }

    /// A contact of the customer; nil leaves it, "" clears it.
    private func contact(_ raw: String?, customer: UUID, into errors: inout FieldErrors) async throws -> UUID?? {
        guard let raw else { return nil }
        guard let text = Check.clean(raw) else { return .some(nil) }
        guard let id = UUID(uuidString: text),
              try await actor.inOrg(Contact.self, on: db).filter(\.$id == id).filter(\.$customerID == customer).exists() else {
            errors.add("contactID", "error.invalidOption")
            return nil
        }
        return .some(id)
    }

    // MARK: product lines

    /// The lines as the audit keeps them: product, quantity and unit price, readable without a lookup.
    static func describe(_ lines: [OpportunityLine], names: [UUID: String], decimals: Int) -> String {
        lines.map { "\(names[$0.productID] ?? $0.productID.uuidString) × \($0.quantity)\($0.unit ?? "") @ \(Money.plain($0.price, decimals: decimals))" }
            .sorted().joined(separator: "; ")
    }

    func lines(_ id: UUID) async throws -> [OpportunityLine] {
        try await actor.inOrg(OpportunityLine.self, on: db).filter(\.$opportunityID == id).sort(\.$id).rows()
    }

    private func hasLines(_ id: UUID) async throws -> Bool {
        try await actor.inOrg(OpportunityLine.self, on: db).filter(\.$opportunityID == id).exists()
    }

    struct LineInput: Sendable {
        var productID: String?
        var quantity: String?
        var unit: String?
        /// Per unit, as typed (yuan) from a form or in fen from the API; empty takes the price strategy's.
        var price: String?
    }

    /// Adds a product; the amount becomes the sum of the lines. An empty price takes the price the
    /// strategy gives this customer, unit and the owner's department.
    func addLine(_ id: UUID?, _ input: LineInput, priceInFen: Bool) async throws -> OpportunityLine {
        let o = try await get(id, for: .edit)
        try actor.require(.view, .products)
        var errors = FieldErrors()
        let product = try await Check.clean(input.productID).flatMap(UUID.init(uuidString:)).asyncMap { pid in
            try await actor.inOrg(Product.self, on: db).filter(\.$id == pid).firstRow()
        } ?? nil
        if product == nil { errors.add("productID", "error.invalidOption") }
        let qty = Check.clean(input.quantity).flatMap { Int64($0) } ?? (Check.clean(input.quantity) == nil ? 1 : nil)
        if qty.map({ $0 < 1 || $0 > 10_000_000 }) ?? true { errors.add("quantity", "error.quantity") }
        let unit = Check.optional(input.unit, "unit", max: 10, into: &errors) ?? product?.unit
        var price: Int64?
        if let raw = Check.clean(input.price) {
            price = priceInFen ? Int64(raw) : Money.parse(raw, decimals: actor.org.moneyDecimals)
            if price.map({ $0 < 0 }) ?? true { errors.add("price", "error.money") }
        } else if let product {
            price = try await ProductService(db: db, actor: actor, now: now).price(product.id, customerID: o.customerID, unit: unit)?.price
            if price == nil { errors.add("price", "error.noPrice") }
        }
        guard errors.isEmpty, let product, let qty, let price else { throw AppError.invalid(errors) }
        let line = OpportunityLine(orgID: actor.orgID, opportunityID: o.id!, productID: product.id!, quantity: qty, unit: unit, price: price)
        try await saveLines(o) { tx in try await line.create(on: tx) }
        return line
    }

    func removeLine(_ id: UUID?, line lineID: UUID?) async throws {
        let o = try await get(id, for: .edit)
        guard let lineID, let line = try await actor.inOrg(OpportunityLine.self, on: db).filter(\.$id == lineID).filter(\.$opportunityID == o.id!).firstRow()
        else { throw AppError.notFound }
        try await saveLines(o) { tx in try await line.delete(on: tx) }
    }

    /// Changes the lines and sets the amount to their sum, audited, in one transaction.
    private func saveLines(_ o: Opportunity, _ change: @escaping @Sendable (Database) async throws -> Void) async throws {
        let def = actor.definition(Opportunity.definition)
        try await db.writeTransaction { [actor, now] tx in
            func lines() async throws -> [OpportunityLine] {
                try await actor.inOrg(OpportunityLine.self, on: tx).filter(\.$opportunityID == o.id!).rows()
            }
            let old = try await lines()
            try await change(tx)
            let current = try await lines()
            let names = try await OpportunityNames.products((old + current).map(\.productID), on: tx, orgID: actor.orgID)
            var before = Self.values(o, def)
            before["lines"] = Self.describe(old, names: names, decimals: actor.org.moneyDecimals)
            if !current.isEmpty { o.amount = current.reduce(0) { $0 + $1.total } }
            try await OpportunityTally.around(o.id!, orgID: actor.orgID, on: tx) { try await o.save(on: tx) }
            var after = Self.values(o, def)
            after["lines"] = Self.describe(current, names: names, decimals: actor.org.moneyDecimals)
            try await Audit(actor: actor, db: tx, now: now).updated(Opportunity.entity, o.id!, before: before, after: after)
        }
    }
}
