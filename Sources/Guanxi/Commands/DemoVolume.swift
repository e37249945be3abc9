import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// The bulk part of the demo (#7): customers, their contacts and follow-ups, streamed in chunks of
/// a few thousand customers per transaction through multi-row INSERTs, so a million customers with
/// three million contacts and ten million follow-ups take minutes and little memory. Everything is
/// derived from the row number, so two runs make the same company.
struct DemoVolume {
    let db: Database
    let orgID: UUID
    let owners: [(UUID, UUID?)]
    let poolID: UUID?
    let regions: [String: UUID]
    let now: Date
    let zone: TimeZone
    let customers: Int
    let contacts: Int
    let followUps: Int
    let opportunities: Int
    /// Contracts of owned customers, each with one to seven instalments, paid as far as they are due.
    let contracts: Int
    /// Customers per transaction.
    static let chunk = 2_000

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤").map(String.init)
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
                             "刚", "桂英", "建华", "文", "华", "金凤", "志强", "晓东", "海燕", "雪梅", "国栋", "子涵", "浩然", "欣怡", "宇轩", "梓萱",
                             "俊杰", "佳怡", "思远", "雨婷"]
    static let titles = ["采购经理", "总经理", "技术总监", "财务主管", "项目经理", "采购专员", "副总经理", "工程师"]

    static func personName(_ i: Int) -> String {
        surnames[i % surnames.count] + givenNames[(i / surnames.count) % givenNames.count]
    }

    /// How many of `total` things row `i` of `rows` gets: spread evenly, the remainder to the first rows.
    static func share(_ total: Int, rows: Int, row i: Int) -> Int {
        guard rows > 0 else { return 0 }
        return total / rows + (i < total % rows ? 1 : 0)
    }

    /// pinyin, mnemonic and name key of customer `i`, as `Customer.refreshSearchKeys` derives them,
    /// converting each base name once: a repeat number "（2）" only adds its digits.
    static func searchKeys(_ i: Int, cache: inout [String: (String, String, String)]) -> (pinyin: String, mnemonic: String, nameKey: String) {
        let (base, round) = DemoData.customerNameParts(i)
        let b = cache[base] ?? {
            let k = (Pinyin.full(base), Pinyin.initials(base), NameKey.core(base))
            cache[base] = k
            return k
        }()
        let digits = round > 1 ? String(round) : ""
        return (b.0 + digits + " " + b.1 + digits, String((b.1 + digits).uppercased().prefix(20)), b.2 + digits)
    }

    /// Row `n` of `total` gets a v7 id one millisecond after row n − 1, ending at `now`: ids in
    /// insertion order keep every primary-key insert at the right edge of its B-tree.
    static func sequentialID(_ n: Int, of total: Int, before now: Date) -> UUID {
        UUID.v7(at: now.addingTimeInterval(Double(n - total) / 1000))
    }

    func run(progress: (String) -> Void) async throws {
        guard customers > 0 else { return }
        let started = Date()
        let format = DocumentType.customer.defaultFormat
        let industries = DictionaryKind.industry.defaults.map(\.0)
        let levels = DictionaryKind.level.defaults.map(\.0)
        let sources = DictionaryKind.source.defaults.map(\.0)
        let statuses = DictionaryKind.customerStatus.defaults.map(\.0)
        let methods = DictionaryKind.followUpMethod.defaults.map(\.0)
        let today = CalendarDate.of(now, in: zone)
        // Pinyin is the slow part of a row; names repeat, so each is converted once.
        var customerKeys: [String: (String, String, String)] = [:]
        var contactKeys: [String: String] = [:]
        var madeContacts = 0, madeFollowUps = 0, madeOpportunities = 0
        let stages = try await OpportunityStage.query(on: db).filter(\.$orgID == orgID).filter(\.$isActive == true).sort(\.$sortOrder).rows()
        let lostReasons = DictionaryKind.lostReason.defaults.map(\.0)
        let deals = ["ERP 升级", "年度维保", "服务器采购", "培训服务", "网络改造", "软件许可", "数据中心扩容", "办公设备更新"]
        // Past a few thousand rows, building indexes once at the end beats updating them row by row.
        let suspended = customers >= 20_000
            ? try await SuspendedIndexes.suspend(["customers", "contacts", "follow_ups", "opportunities", "contracts", "receivables", "payments", "payment_allocations", "invoices"], on: db)
            : nil
        var money = DemoMoney(orgID: orgID, now: now, zone: zone, today: today, contracts: contracts)
        for start in stride(from: 0, to: customers, by: Self.chunk) {
            let end = min(customers, start + Self.chunk)
            var batch = RowBatch(table: "customers", columns: ["id", "org_id", "created_at", "updated_at", "created_by", "name", "phone", "phone_digits",
                                                               "pinyin", "mnemonic", "name_key", "number", "kind", "industry", "level", "source", "status",
                                                               "region_id", "address", "credit_limit", "owner_id", "department_id", "pool_id", "claimed_at",
                                                               "last_contacted_at"])
            var people = RowBatch(table: "contacts", columns: ["id", "org_id", "created_at", "updated_at", "customer_id", "owner_id", "name", "pinyin",
                                                               "is_primary", "gender", "title", "mobile", "phone_digits", "birthday"])
            var notes = RowBatch(table: "follow_ups", columns: ["id", "org_id", "created_at", "updated_at", "customer_id", "owner_id", "department_id",
                                                                "method", "content", "happened_at", "next_contact_on", "next_plan"])
            var opportunityRows = RowBatch(table: "opportunities", columns: ["id", "org_id", "created_at", "updated_at", "created_by", "name", "customer_id", "amount",
                                                                    "expected_close_on", "stage_id", "probability", "stage_changed_at", "status", "closed_on",
                                                                    "lost_reason", "source", "owner_id", "department_id"])
            for i in start..<end {
                let (owner, dept) = owners[i % owners.count]
                let id = Self.sequentialID(i + 1, of: customers, before: now)
                let name = DemoData.customerName(i)
                let keys = Self.searchKeys(i, cache: &customerKeys)
                let inPool = i % 8 == 7 && poolID != nil
                var lastContacted: Date?
                for k in 0..<Self.share(followUps, rows: customers, row: i) {
                    // Spread over the last year; the newest first for k == 0.
                    let daysAgo = k == 0 ? i % 20 : (i &* 7 &+ k &* 37) % 365
                    let at = now.addingTimeInterval(-Double(daysAgo * 86_400 + 3_600 * ((i + k) % 9 + 1)))
                    let next = k == 0 && i % 4 == 0
                    madeFollowUps += 1
                    notes.add([Self.sequentialID(madeFollowUps, of: followUps, before: now), orgID, now, now, id, owner, dept, methods[(i + k) % methods.count],
                               DemoData.followUpTexts[(i + k) % DemoData.followUpTexts.count], at,
                               next ? CalendarDate.adding(i % 5, to: today) : nil, next ? "电话确认报价" : nil])
                    lastContacted = max(lastContacted ?? at, at)
                }
                for k in 0..<Self.share(contacts, rows: customers, row: i) {
                    let person = Self.personName(i &* 3 &+ k)
                    let pinyin = contactKeys[person] ?? {
                        let p = Pinyin.searchKey(person, personName: true)
                        contactKeys[person] = p
                        return p
                    }()
                    let mobile = DemoData.phone(5_000_000 + i * 3 + k)
                    let birthday: String? = (i + k) % 11 == 0
                        ? String(format: "19%02d-", 60 + (i + k) % 40) + String(CalendarDate.adding((i + k) % 365, to: today)?.suffix(5) ?? "01-01") : nil
                    madeContacts += 1
                    people.add([Self.sequentialID(madeContacts, of: contacts, before: now), orgID, now, now, id, inPool ? nil : owner, person, pinyin, k == 0, (i + k) % 2 == 0 ? "male" : "female",
                                Self.titles[(i + k) % Self.titles.count], mobile, mobile, birthday])
                }
                // Opportunities of owned customers: seven in ten open across the stages, the rest won or lost in the past year.
                for k in 0..<(inPool || stages.isEmpty ? 0 : Self.share(opportunities, rows: customers, row: i)) {
                    let n = i &* 3 &+ k
                    let stage = stages[n % stages.count]
                    let status = n % 10 < 7 ? "open" : n % 10 < 9 ? "won" : "lost"
                    let closed = status == "open" ? nil : CalendarDate.adding(-(n % 330), to: today)
                    madeOpportunities += 1
                    opportunityRows.add([Self.sequentialID(madeOpportunities, of: opportunities, before: now), orgID, now, now, owner, "\(name)·\(deals[n % deals.count])", id,
                                Int64((n % 60 + 1) * 1_000_000), CalendarDate.adding(n % 150 - 20, to: today), stage.id!,
                                status == "open" ? stage.probability : status == "won" ? 100 : 0, now, status, closed,
                                status == "lost" ? lostReasons[n % lostReasons.count] : nil, sources[n % sources.count], owner, dept])
                }
                if !inPool { money.add(customer: id, name: name, row: i, of: customers, owner: owner, dept: dept) }
                let city = DemoData.cities[i % DemoData.cities.count]
                let phone = DemoData.phone(i)
                batch.add([id, orgID, now, now, owner, name, phone, phone, keys.0, keys.1, keys.2, format.format(i + 1, at: now, timeZone: zone), "company",
                           industries[i % industries.count], levels[(i / 3) % levels.count], sources[(i / 2) % sources.count], statuses[(i / 5) % statuses.count],
                           regions[city] ?? regions[DemoData.province[city] ?? ""],
                           "\(city)市\(["朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "西湖区"][i % 6])\(["建国路", "中关村大街", "世纪大道", "体育西路", "科技园路", "文三路"][i % 6])\(i % 300 + 1)号",
                           Int64((i % 20 + 1) * 5_000_000),
                           // Some customers wait in the public pool.
                           inPool ? nil : owner, inPool ? nil : dept, inPool ? poolID : nil, inPool ? nil : now, lastContacted])
            }
            let moneyRows = money.take()
            try await db.writeTransaction { [batch, people, notes, opportunityRows] tx in
                // Index pages stay in memory instead of spilling mid-transaction (per connection; 1 GB for this command only).
                if tx.isSQLite, let sql = tx as? any SQLDatabase { try await sql.raw("PRAGMA cache_size = -1000000").run() }
                try await batch.insert(on: tx)
                try await people.insert(on: tx)
                try await notes.insert(on: tx)
                try await opportunityRows.insert(on: tx)
                for rows in moneyRows { try await rows.insert(on: tx) }
            }
            if end % 100_000 == 0 || end == customers {
                progress("  \(end) customers, \(madeContacts) contacts, \(madeFollowUps) follow-ups, \(madeOpportunities) opportunities, \(money.madeContracts) contracts, \(money.madeReceivables) instalments (\(Int(Date().timeIntervalSince(started))) s)")
            }
        }
        if let suspended {
            try await suspended.restore(on: db)
            try await DatabaseStatistics.refresh(on: db)
            progress("  indexes and search rebuilt (\(Int(Date().timeIntervalSince(started))) s)")
        }
        try await money.continueNumbering(on: db)
        try await db.writeTransaction { tx in
            try await FollowUpTally.rebuild(orgID: orgID, timeZone: zone, on: tx)
            try await OpportunityTally.rebuild(orgID: orgID, on: tx)
            try await ReceivableTally.rebuild(orgID: orgID, on: tx)
            try await MoneyTally.rebuild(orgID: orgID, on: tx)
            try await InvoiceBalance.rebuild(orgID: orgID, on: tx)
        }
        progress("  follow-up statistics counted (\(Int(Date().timeIntervalSince(started))) s)")
    }
}

/// Contracts with their receivable plans, payments (applied to the instalments already due, some
/// only in part) and invoices for half of what came in, as bulk rows per chunk of customers.
struct DemoMoney {
    let orgID: UUID
    let now: Date
    let zone: TimeZone
    let today: String
    let contracts: Int
    private(set) var madeContracts = 0, madeReceivables = 0, madePayments = 0, madeInvoices = 0
    private var contractRows: RowBatch, receivableRows: RowBatch, paymentRows: RowBatch, allocationRows: RowBatch, invoiceRows: RowBatch

    init(orgID: UUID, now: Date, zone: TimeZone, today: String, contracts: Int) {
        self.orgID = orgID
        self.now = now
        self.zone = zone
        self.today = today
        self.contracts = contracts
        contractRows = Self.contractBatch()
        receivableRows = Self.receivableBatch()
        paymentRows = Self.paymentBatch()
        allocationRows = Self.allocationBatch()
        invoiceRows = Self.invoiceBatch()
    }

    static func contractBatch() -> RowBatch {
        RowBatch(table: "contracts", columns: ["id", "org_id", "created_at", "updated_at", "created_by", "number", "kind", "title", "status", "signed_on", "starts_on",
                                               "subtotal", "tax", "total", "cost", "customer_id", "owner_id", "department_id", "received", "refunded", "invoiced"])
    }
    static func receivableBatch() -> RowBatch {
        RowBatch(table: "receivables", columns: ["id", "org_id", "contract_id", "customer_id", "position", "due_on", "amount", "received", "is_void", "owner_id",
                                                 "department_id", "created_at"])
    }
    static func paymentBatch() -> RowBatch {
        RowBatch(table: "payments", columns: ["id", "org_id", "number", "customer_id", "contract_id", "received_on", "amount", "allocated", "refunded", "method",
                                              "owner_id", "department_id", "created_by", "created_at"])
    }
    static func allocationBatch() -> RowBatch {
        RowBatch(table: "payment_allocations", columns: ["id", "org_id", "payment_id", "receivable_id", "contract_id", "customer_id", "amount", "received_on",
                                                         "owner_id", "department_id", "created_at"])
    }
    static func invoiceBatch() -> RowBatch {
        RowBatch(table: "invoices", columns: ["id", "org_id", "number", "kind", "status", "contract_id", "customer_id", "buyer", "amount", "issued_on", "owner_id",
                                              "department_id", "created_at"])
    }

    /// The rows made since the last call, to insert with the chunk's customers.
    mutating func take() -> [RowBatch] {
        defer {
            contractRows = Self.contractBatch(); receivableRows = Self.receivableBatch(); paymentRows = Self.paymentBatch()
            allocationRows = Self.allocationBatch(); invoiceRows = Self.invoiceBatch()
        }
        return [contractRows, receivableRows, paymentRows, allocationRows, invoiceRows]
    }

    mutating func add(customer: UUID, name: String, row i: Int, of customers: Int, owner: UUID, dept: UUID?) {
        let deals = ["年度采购合同", "维保服务合同", "服务器采购订单", "软件许可合同", "网络改造工程", "办公设备订单"]
        for _ in 0..<DemoVolume.share(contracts, rows: customers, row: i) {
            madeContracts += 1
            // The contract's own number drives its size, plan and payments, so they vary from one to the next.
            let n = madeContracts &* 7 &+ i
            let id = DemoVolume.sequentialID(madeContracts, of: contracts, before: now)
            let total = Int64((n % 50 + 1) * 1_000_000 + (n % 97) * 1_000)
            let subtotal = total * 100 / 113
            let signed = CalendarDate.adding(-(n % 365), to: today) ?? today
            let plan = Receivables.split(total, count: n % 7 + 1, firstDue: CalendarDate.adding(30, to: signed) ?? signed)
            var received: Int64 = 0
            var paid: [(UUID, Int64)] = []
            for (p, inst) in plan.enumerated() {
                madeReceivables += 1
                let rid = DemoVolume.sequentialID(madeReceivables, of: contracts * 4, before: now)
                let got: Int64 = inst.dueOn < today ? (n % 5 == 0 ? inst.amount / 2 : n % 11 == 0 ? 0 : inst.amount) : 0
                received += got
                if got > 0 { paid.append((rid, got)) }
                receivableRows.add([rid, orgID, id, customer, p + 1, inst.dueOn, inst.amount, got, false, owner, dept, now])
            }
            let format = DocumentType.contract.defaultFormat
            contractRows.add([id, orgID, now, now, owner, format.format(madeContracts, at: now, timeZone: zone), n % 4 == 0 ? "order" : "contract",
                              "\(name)·\(deals[n % deals.count])", n % 10 == 9 ? "completed" : "active", signed, signed, subtotal, total - subtotal, total,
                              subtotal * Int64(50 + n % 30) / 100, customer, owner, dept, received, Int64(0), n % 2 == 0 ? received / 2 : Int64(0)])
            guard received > 0 else { continue }
            madePayments += 1
            let pid = DemoVolume.sequentialID(madePayments, of: contracts, before: now)
            let on = min(today, CalendarDate.adding(45, to: signed) ?? today)
            paymentRows.add([pid, orgID, DocumentType.payment.defaultFormat.format(madePayments, at: now, timeZone: zone), customer, id, on, received, received,
                             Int64(0), n % 6 == 0 ? "acceptance" : "transfer", owner, dept, owner, now])
            for (rid, amount) in paid {
                allocationRows.add([UUID.v7(at: now), orgID, pid, rid, id, customer, amount, on, owner, dept, now])
            }
            if n % 2 == 0 {
                madeInvoices += 1
                invoiceRows.add([UUID.v7(at: now), orgID, DocumentType.invoice.defaultFormat.format(madeInvoices, at: now, timeZone: zone), n % 3 == 0 ? "special" : "ordinary",
                                 "issued", id, customer, name, received / 2, on, owner, dept, now])
            }
        }
    }

    /// New contracts, payments and invoices are numbered after the demo's.
    func continueNumbering(on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for (type, count) in [(DocumentType.contract, madeContracts), (.payment, madePayments), (.invoice, madeInvoices)] where count > 0 {
            try await sql.raw("""
                INSERT INTO number_sequences (id, org_id, doc_type, period, last_value)
                VALUES (\(bind: UUID.v7()), \(bind: orgID), \(bind: type.rawValue), \(bind: type.defaultFormat.period(at: now, timeZone: zone)), \(bind: count))
                """).run()
        }
    }
}

/// Secondary indexes and search triggers of some tables, dropped for a bulk load and built again
/// (with the search index rebuilt) afterwards. Indexes that back constraints stay.
struct SuspendedIndexes: Sendable {
    let indexes: [String]
    let triggers: [String]
    let searchTables: [String]

    static func suspend(_ tables: [String], on db: Database) async throws -> SuspendedIndexes {
        guard let sql = db as? any SQLDatabase else { return SuspendedIndexes(indexes: [], triggers: [], searchTables: []) }
        struct Row: Decodable { var name: String; var sql: String }
        let list = tables.map { "'\($0)'" }.joined(separator: ", ")
        let indexes: [Row]
        var triggers: [Row] = []
        if db.isSQLite {
            indexes = try await sql.raw("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(unsafeRaw: list))").all(decoding: Row.self)
            triggers = try await sql.raw("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (\(unsafeRaw: list))").all(decoding: Row.self)
        } else {
            indexes = try await sql.raw("""
                SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (\(unsafeRaw: list))
                AND indexname NOT IN (SELECT conname FROM pg_constraint)
                """).all(decoding: Row.self)
        }
        for t in triggers { try await sql.raw("DROP TRIGGER \(ident: t.name)").run() }
        for i in indexes { try await sql.raw("DROP INDEX \(ident: i.name)").run() }
        return SuspendedIndexes(indexes: indexes.map(\.sql), triggers: triggers.map(\.sql),
                                searchTables: db.isSQLite ? tables.filter { t in triggers.contains { $0.name.hasPrefix(t + "_fts") } } : [])
    }

    func restore(on db: Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for statement in indexes + triggers { try await sql.raw("\(unsafeRaw: statement)").run() }
        for t in searchTables { try await sql.raw("INSERT INTO \(ident: t + "_fts")(\(ident: t + "_fts")) VALUES ('rebuild')").run() }
    }
}

/// Rows for one table, written with multi-row INSERTs that stay under SQLite's and PostgreSQL's
/// limits on bound values. Fluent's models reflect over their properties for every row, which costs
/// more than SQLite itself; this is the bulk path.
struct RowBatch: Sendable {
    let table: String
    let columns: [String]
    var rows: [[any SQLExpression]] = []

    mutating func add(_ row: [(any Encodable & Sendable)?]) {
        precondition(row.count == columns.count, "\(table): \(row.count) values for \(columns.count) columns")
        rows.append(row.map { value -> any SQLExpression in value.map { SQLBind($0) } ?? SQLLiteral.null })
    }

    func insert(on db: Database) async throws {
        guard let sql = db as? any SQLDatabase, !rows.isEmpty else { return }
        let perStatement = max(1, 30_000 / columns.count)
        for part in stride(from: 0, to: rows.count, by: perStatement) {
            let insert = sql.insert(into: table).columns(columns)
            for row in rows[part..<min(rows.count, part + perStatement)] { insert.values(row) }
            try await insert.run()
        }
    }
}
